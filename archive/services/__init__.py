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
    capture_event,
    capture_item_version,
    capture_item_versions,
    csam_mark_captured,
    item_columns,
    snapshot_for_removal,
)
from archive.services.decisions import (
    decision_current,
    decision_file_name,
    decision_pdf,
    request_decide,
)
from archive.services.delivery import record_view
from archive.services.earkiv import export_sip
from archive.services.exports import (
    attachment_file_name,
    export_path,
    export_records_bag,
    export_request_bag,
    export_request_pdf,
)
from archive.services.gallring import (
    gallring_preview,
    gallring_run,
    gallring_run_rule,
    hold_create,
    hold_release,
    retention_rule_save,
    scope_clean,
)
from archive.services.manual import capture_manual
from archive.services.purge import export_retention_days, exports_purge_expired
from archive.services.register import register_entries, registration_capture
from archive.services.requests import (
    access_log_write,
    masking_create,
    record_text,
    request_add_records,
    request_close,
    request_create,
    request_item_decide,
)
from archive.services.secrecy import (
    secrecy_lift,
    secrecy_mark,
    secrecy_marking_for_item,
    secrecy_markings_for,
)
from archive.services.subject import export_data_subject
from archive.services.suggestions import mask_suggestions

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
    "capture_event",
    "capture_item_version",
    "capture_item_versions",
    "capture_manual",
    "csam_mark_captured",
    "csam_mark_with_files",
    "decision_current",
    "decision_file_name",
    "decision_pdf",
    "download_media_type",
    "export_data_subject",
    "export_path",
    "export_records_bag",
    "export_request_bag",
    "export_request_pdf",
    "export_retention_days",
    "export_sip",
    "exports_purge_expired",
    "gallring_preview",
    "gallring_run",
    "gallring_run_rule",
    "hold_create",
    "hold_release",
    "item_columns",
    "mask_suggestions",
    "masking_create",
    "record_text",
    "record_view",
    "register_entries",
    "registration_capture",
    "request_add_records",
    "request_close",
    "request_create",
    "request_decide",
    "request_item_decide",
    "retention_rule_save",
    "scope_clean",
    "secrecy_lift",
    "secrecy_mark",
    "secrecy_marking_for_item",
    "secrecy_markings_for",
    "snapshot_for_removal",
]
