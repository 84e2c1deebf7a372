"""Staff pages of the archive: search, records, requests for public documents, the register, exports,
gallring.

Thin views: each is wrapped in one access decorator, fetches objects through the access-checked
lookups in archive.selectors and writes only through archive.services.
"""

from archive.views.exports import export_download, export_list, sip_export, subject_extract
from archive.views.gallring import (
    access_log,
    hold_list,
    hold_release,
    protocol_detail,
    protocol_list,
    rule_edit,
    rule_list,
    rule_preview,
)
from archive.views.records import (
    manual_capture,
    record_detail,
    record_file,
    record_mark_csam,
    record_secrecy_mark,
    search,
    secrecy_lift,
)
from archive.views.register import register, register_csv
from archive.views.requests import (
    records_add_to_request,
    request_add_records,
    request_close,
    request_create,
    request_decide,
    request_decision_pdf,
    request_detail,
    request_export,
    request_item_decide,
    request_item_review,
    request_list,
)

__all__ = [
    "access_log",
    "export_download",
    "export_list",
    "hold_list",
    "hold_release",
    "manual_capture",
    "protocol_detail",
    "protocol_list",
    "record_detail",
    "record_file",
    "record_mark_csam",
    "record_secrecy_mark",
    "records_add_to_request",
    "register",
    "register_csv",
    "request_add_records",
    "request_close",
    "request_create",
    "request_decide",
    "request_decision_pdf",
    "request_detail",
    "request_export",
    "request_item_decide",
    "request_item_review",
    "request_list",
    "rule_edit",
    "rule_list",
    "rule_preview",
    "search",
    "secrecy_lift",
    "sip_export",
    "subject_extract",
]
