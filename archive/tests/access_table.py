"""Who may use each archive URL (format: tests/access.py)."""

from archive import services
from archive.tests.helpers import make_protocol, make_record, make_request, make_request_item
from tests.access import staff

ARCHIVE = ("informator", "records_officer")


def _request(fx):
    return make_request(fx("records_officer"))


def _item(fx):
    request, item = make_request_item(fx("records_officer"), fx("channel"))
    return {"pk": request.pk, "item_pk": item.pk}


def _decision(fx):
    request, item = make_request_item(fx("records_officer"), fx("channel"))
    services.request_item_decide(item=item, decision="release", user=fx("records_officer"))
    decision = services.request_decide(request=request, user=fx("records_officer"))
    return {"pk": request.pk, "decision_pk": decision.pk}


def _marking(fx):
    marking = services.secrecy_mark(user=fx("records_officer"), record=make_record(fx("channel")),
                                    osl_ground="OSL 21:7")
    return {"pk": marking.pk}


def _export(fx):
    fx("settings").ARCHIVE_EXPORT_ROOT = fx("tmp_path") / "exports"
    record = make_record(fx("channel"))
    from archive.models import ArchiveRecord

    export = services.export_records_bag(
        user=fx("records_officer"), records=ArchiveRecord.objects.filter(pk=record.pk), description="test"
    )
    return {"pk": export.pk}


def _attachment_record(fx):
    from archive.tests.test_attachments import make_attachment_record

    fx("settings").ARCHIVE_FILES_ROOT = fx("tmp_path") / "archive-files"
    return make_attachment_record(fx("channel"))


def _hold(fx):
    hold = services.hold_create(user=fx("records_officer"), reason="Tvist", author_platform_id="user1")
    return {"pk": hold.pk}


ACCESS = {
    "archive-search": staff(*ARCHIVE),
    "archive-record-detail": staff(*ARCHIVE, kwargs=lambda fx: {"sequence": make_record(fx("channel")).sequence}),
    "archive-record-file": staff(*ARCHIVE, kwargs=lambda fx: {"sequence": _attachment_record(fx).sequence}),
    "archive-record-mark-csam": staff(
        "records_officer", method="post", kwargs=lambda fx: {"sequence": make_record(fx("channel")).sequence},
        data=lambda fx: {"police_report_reference": "Polisen 5000-K1-26"},
    ),
    "archive-record-secrecy-mark": staff(
        *ARCHIVE, method="post", kwargs=lambda fx: {"sequence": make_record(fx("channel")).sequence},
        data=lambda fx: {"secrecy-osl_ground": "OSL 21:7"},
    ),
    "archive-secrecy-lift": staff(*ARCHIVE, method="post", kwargs=_marking, data=lambda fx: {"lift-reason": "Fel"}),
    "archive-request-list": staff(*ARCHIVE),
    "archive-request-create": staff(*ARCHIVE),
    "archive-request-detail": staff(*ARCHIVE, kwargs=lambda fx: {"pk": _request(fx).pk}),
    "archive-request-add-records": staff(
        *ARCHIVE, method="post", kwargs=lambda fx: {"pk": _request(fx).pk},
        data=lambda fx: {"sequences": str(make_record(fx("channel")).sequence)},
    ),
    "archive-records-add-to-request": staff(
        *ARCHIVE, method="post",
        data=lambda fx: {"target": _request(fx).pk, "sequence": [make_record(fx("channel")).sequence]},
    ),
    "archive-request-item-decide": staff(
        *ARCHIVE, method="post", kwargs=_item, data=lambda fx: {"decision": "release"}
    ),
    "archive-request-item-review": staff(*ARCHIVE, kwargs=_item),
    "archive-request-decide": staff(*ARCHIVE, method="post", kwargs=lambda fx: {"pk": _request(fx).pk}),
    "archive-request-decision-pdf": staff(*ARCHIVE, kwargs=_decision),
    "archive-request-close": staff(*ARCHIVE, method="post", kwargs=lambda fx: {"pk": _request(fx).pk}),
    "archive-request-export": staff(
        *ARCHIVE, method="post", kwargs=lambda fx: {"pk": _request(fx).pk}, data=lambda fx: {"kind": "bag"}
    ),
    "archive-export-list": staff(*ARCHIVE),
    # Only the maker (here the records officer) may download an export.
    "archive-export-download": staff("records_officer", kwargs=_export),
    "archive-subject-extract": staff(*ARCHIVE),
    "archive-sip-export": staff(*ARCHIVE),
    "archive-rule-list": staff(*ARCHIVE),
    "archive-rule-create": staff("records_officer"),
    "archive-rule-edit": staff(
        "records_officer", kwargs=lambda fx: {"pk": make_protocol(fx("board")).rule_id}
    ),
    "archive-rule-preview": staff("records_officer", kwargs=lambda fx: {"pk": make_protocol(fx("board")).rule_id}),
    "archive-register": staff(*ARCHIVE),
    # Representatives capture for the channels they represent (the substitute's appointment counts).
    "archive-manual-capture": staff(*ARCHIVE, "representative", "substitute"),
    "archive-register-csv": staff(*ARCHIVE),
    "archive-protocol-list": staff(*ARCHIVE),
    "archive-protocol-detail": staff(*ARCHIVE, kwargs=lambda fx: {"pk": make_protocol(fx("board")).pk}),
    "archive-hold-list": staff("records_officer"),
    "archive-hold-release": staff("records_officer", method="post", kwargs=_hold),
    "archive-access-log": staff("records_officer"),
}
