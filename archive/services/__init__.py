"""Archive services (writes). Import from here: ``from archive.services import capture_item_versions``."""

from archive.services.attachments import (
    archive_file_path,
    archive_files_root,
    attachment_info,
    attachment_records_of_items,
    attachment_stored_file,
    capture_attachment,
    csam_mark_with_files,
    download_media_type,
)
from archive.services.capture import (
    capture_csam_marking,
    capture_item_version,
    capture_item_versions,
    csam_mark_captured,
    snapshot_for_removal,
)
from archive.services.earkiv import export_sip
from archive.services.exports import (
    attachment_file_name,
    export_data_subject,
    export_path,
    export_records_bag,
    export_request_bag,
    export_request_pdf,
)
from archive.services.gallring import (
    gallring_run,
    gallring_run_rule,
    hold_create,
    hold_release,
    retention_rule_save,
)
from archive.services.requests import (
    access_log_write,
    masking_create,
    record_text,
    request_add_records,
    request_close,
    request_create,
    request_item_decide,
    request_refuse,
)

__all__ = [
    "access_log_write",
    "archive_file_path",
    "archive_files_root",
    "attachment_file_name",
    "attachment_info",
    "attachment_records_of_items",
    "attachment_stored_file",
    "capture_attachment",
    "capture_csam_marking",
    "capture_item_version",
    "capture_item_versions",
    "csam_mark_captured",
    "csam_mark_with_files",
    "download_media_type",
    "export_data_subject",
    "export_path",
    "export_records_bag",
    "export_request_bag",
    "export_request_pdf",
    "export_sip",
    "gallring_run",
    "gallring_run_rule",
    "hold_create",
    "hold_release",
    "masking_create",
    "record_text",
    "request_add_records",
    "request_close",
    "request_create",
    "request_item_decide",
    "request_refuse",
    "retention_rule_save",
    "snapshot_for_removal",
]
