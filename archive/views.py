"""Staff pages of the archive: search, records, requests for public documents, exports, gallring.

Thin views: each is wrapped in one access decorator, fetches objects through the access-checked
lookups in archive.selectors and writes only through archive.services.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archive import selectors, services
from archive.forms import (
    AddRecordsForm,
    CsamMarkForm,
    ExportKindForm,
    HoldForm,
    ItemDecisionForm,
    MaskForm,
    RecordsToRequestForm,
    RequestForm,
    RuleForm,
    SearchForm,
    SipForm,
    SubjectExtractForm,
)
from archive.models import AccessAction, RequestState
from ludvika_social.access import role_required
from ludvika_social.redirects import redirect_back
from registry.models import Role

ARCHIVE = (Role.RECORDS_OFFICER, Role.INFORMATOR)
RECORDS_OFFICER = (Role.RECORDS_OFFICER,)
PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """Pages over at most SEARCH_COUNT_CAP matches; the page says when there are more."""

    def __init__(self, object_list, per_page, *, matches: int):
        super().__init__(object_list, per_page)
        self.matches = matches

    @cached_property
    def count(self) -> int:
        return min(self.matches, selectors.SEARCH_COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.matches > selectors.SEARCH_COUNT_CAP


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Search and records ----------------------------------------------------------------------


@role_required(*ARCHIVE)
def search(request):
    channels = selectors.archive_channels()
    form = SearchForm(request.GET or None, channels=channels)
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = selectors.record_search(
            user=request.user, q=data["q"], channel_id=data["channel"], date_from=data["date_from"],
            date_to=data["date_to"], author=data["author"], code=data["code"], visibility=data["visibility"],
            information_class=data["information_class"], record_type=data["record_type"],
        )
        results, matches = selectors.search_results(results)
        page = CappedPaginator(results, PAGE_SIZE, matches=matches).get_page(request.GET.get("sida"))
        shown = [record.sequence for record in page.object_list]
        if shown:
            services.access_log_write(
                user=request.user, action=AccessAction.VIEW, sequences=shown,
                detail=f"sökning: {request.GET.urlencode()}",
            )
    open_requests = selectors.request_list(user=request.user, state=RequestState.OPEN)
    query = request.GET.copy()
    query.pop("sida", None)
    return render(request, "archive/search.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "add_form": RecordsToRequestForm(open_requests=open_requests) if open_requests else None,
    })


@role_required(*ARCHIVE)
def record_detail(request, sequence: int):
    record = selectors.record_get_for_user(user=request.user, sequence=sequence)
    services.access_log_write(user=request.user, action=AccessAction.VIEW, sequences=[record.sequence])
    content = json.loads(record.content) if record.content else None
    versions = list(selectors.record_versions(record=record))
    open_requests = [] if record.culled_at else selectors.request_list(user=request.user, state=RequestState.OPEN)
    return render(request, "archive/record_detail.html", {
        "record": record,
        "content": content,
        "snapshot": (content or {}).get("snapshot") or {},
        "attachment": ((content or {}).get("snapshot") or {}).get("attachment"),
        "attachment_files": [
            {"record": r, "info": services.attachment_info(r)}
            for r in services.attachment_records_of_items({(record.channel_id, record.platform_id)})
        ] if record.platform_id and content else [],
        "decision": (content or {}).get("decision"),
        "marking": (content or {}).get("marking"),
        "content_pretty": json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) if content else "",
        "versions": versions,
        "csam_form": CsamMarkForm() if selectors.can_manage_gallring(request.user) else None,
        "add_form": RecordsToRequestForm(open_requests=open_requests) if open_requests else None,
    })


@role_required(*ARCHIVE)
def record_file(request, sequence: int):
    """The archived file of an attachment record, as a download (never rendered inline)."""
    record = selectors.record_get_for_user(user=request.user, sequence=sequence)
    path = services.attachment_stored_file(record=record)
    if path is None:
        raise Http404
    services.access_log_write(user=request.user, action=AccessAction.VIEW, sequences=[record.sequence])
    info = services.attachment_info(record)
    response = FileResponse(
        open(path, "rb"), as_attachment=True, filename=services.attachment_file_name(info),  # noqa: SIM115 (FileResponse closes it)
        content_type=services.download_media_type(info.get("media_type") or ""),
    )
    # Were a browser to open it anyway, nothing in it may run, reach anything or be framed.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    return response


@role_required(*RECORDS_OFFICER)
@require_POST
def record_mark_csam(request, sequence: int):
    record = selectors.record_get_for_user(user=request.user, sequence=sequence)
    form = CsamMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange polisanmälans referens. Inget har ändrats."))
        return redirect("archive-record-detail", sequence=record.sequence)
    try:
        marking = services.csam_mark_with_files(
            record=record, police_report_reference=form.cleaned_data["police_report_reference"],
            marked_by=request.user, note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("archive-record-detail", sequence=record.sequence)
    messages.success(request, _("Innehållet är borttaget och ersatt av en markering med polisanmälans referens."))
    return redirect("archive-record-detail", sequence=marking.sequence)


# --- Requests for public documents -----------------------------------------------------------


@role_required(*ARCHIVE)
def request_list(request):
    state = request.GET.get("status", "")
    return render(request, "archive/request_list.html", {
        "requests": selectors.request_list(user=request.user, state=state), "state": state,
        "states": RequestState.choices,
    })


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def request_create(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                user=request.user, description=data["description"], requester_name=data["requester_name"],
                requester_contact=data["requester_contact"], received_at=data["received_at"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Begäran är registrerad."))
            return redirect("archive-request-detail", pk=created.pk)
    return render(request, "archive/request_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*ARCHIVE)
def request_detail(request, pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    items = list(selectors.request_items(request=req))
    for item in items:
        item.text = services.record_text(item.record)
        item.masked = item.masked_copies.all()[0] if item.masked_copies.all() else None
    if items:
        services.access_log_write(
            user=request.user, action=AccessAction.VIEW, sequences=[i.record.sequence for i in items],
            detail=f"begäran {req.pk}",
        )
    return render(request, "archive/request_detail.html", {
        "req": req, "items": items, "add_form": AddRecordsForm(), "decision_form": ItemDecisionForm(),
        "export_form": ExportKindForm(), "exports": req.exports.filter(created_by=request.user),
        "is_open": req.state == RequestState.OPEN,
    })


@role_required(*ARCHIVE)
@require_POST
def request_add_records(request, pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    form = AddRecordsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("archive-request-detail", pk=req.pk)
    return _add_records(request, req, form.cleaned_data["sequences"])


@role_required(*ARCHIVE)
@require_POST
def records_add_to_request(request):
    """The records ticked in the search (or the one on a record's page), added to an open request."""
    open_requests = selectors.request_list(user=request.user, state=RequestState.OPEN)
    form = RecordsToRequestForm(request.POST, open_requests=open_requests)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect_back(request, "archive-search", under="/personal/arkiv/")
    req = selectors.request_get_for_user(user=request.user, pk=form.cleaned_data["target"])
    return _add_records(request, req, form.cleaned_data["sequences"])


def _add_records(request, req, sequences: list[int]):
    records = selectors.records_for_request_add(user=request.user, sequences=sequences)
    if not records:
        messages.error(request, _("Inga arkivposter med de löpnumren finns (eller de är gallrade)."))
        return redirect("archive-request-detail", pk=req.pk)
    try:
        added = services.request_add_records(request=req, records=records, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("%(count)s arkivposter lades till för prövning.") % {"count": added})
    return redirect("archive-request-detail", pk=req.pk)


@role_required(*ARCHIVE)
@require_POST
def request_item_decide(request, pk: int, item_pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    item = selectors.request_item_get_for_user(user=request.user, request=req, pk=item_pk)
    form = ItemDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("archive-request-detail", pk=req.pk)
    try:
        services.request_item_decide(
            item=item, decision=form.cleaned_data["decision"], osl_reference=form.cleaned_data["osl_reference"],
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Prövningen är sparad."))
    return redirect("archive-request-detail", pk=req.pk)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def request_item_mask(request, pk: int, item_pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    item = selectors.request_item_get_for_user(user=request.user, request=req, pk=item_pk)
    form = MaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.masking_create(
                item=item, phrases=form.cleaned_data["phrases"], osl_reference=form.cleaned_data["osl_reference"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("En maskerad kopia är skapad. Originalet är oförändrat."))
            return redirect("archive-request-detail", pk=req.pk)
    services.access_log_write(
        user=request.user, action=AccessAction.VIEW, sequences=[item.record.sequence], detail=f"maskering {req.pk}"
    )
    return render(request, "archive/mask_form.html", {
        "req": req, "item": item, "text": services.record_text(item.record), "form": form,
    }, status=400 if form.errors else 200)


def _request_transition(request, pk: int, service, success: str):
    """Refuse or close a request: the service checks the state; a refusal is shown, nothing changes."""
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    try:
        service(request=req, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success)
    return redirect("archive-request-detail", pk=req.pk)


@role_required(*ARCHIVE)
@require_POST
def request_refuse(request, pk: int):
    return _request_transition(request, pk, services.request_refuse, _("Avslagsbeslutet är skrivet."))


@role_required(*ARCHIVE)
@require_POST
def request_close(request, pk: int):
    return _request_transition(request, pk, services.request_close, _("Begäran är avslutad."))


@role_required(*ARCHIVE)
@require_POST
def request_export(request, pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    form = ExportKindForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Välj ett format."))
        return redirect("archive-request-detail", pk=req.pk)
    build = services.export_request_pdf if form.cleaned_data["kind"] == "pdf" else services.export_request_bag
    try:
        export = build(request=req, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("archive-request-detail", pk=req.pk)
    messages.success(request, _("Exporten är klar: %(name)s") % {"name": export.file_name})
    return redirect("archive-request-detail", pk=req.pk)


# --- Exports ---------------------------------------------------------------------------------


@role_required(*ARCHIVE)
def export_list(request):
    return render(request, "archive/export_list.html", {"exports": selectors.exports_for_user(user=request.user)})


@role_required(*ARCHIVE)
def export_download(request, pk: int):
    export = selectors.export_get_for_user(user=request.user, pk=pk)
    path = services.export_path(export)
    if not path.is_file():
        raise Http404
    services.access_log_write(
        user=request.user, action=AccessAction.DOWNLOAD, sequences=[], export=export, detail=export.file_name
    )
    return FileResponse(open(path, "rb"), as_attachment=True, filename=export.file_name)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def subject_extract(request):
    form = SubjectExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_data_subject(
                user=request.user, author_platform_id=form.cleaned_data["author_platform_id"],
                platform=form.cleaned_data["platform"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Registerutdraget är klart: %(name)s") % {"name": export.file_name})
            return redirect("archive-export-list")
    return render(request, "archive/subject_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def sip_export(request):
    form = SipForm(request.POST or None, channels=selectors.archive_channels())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.export_sip(
                user=request.user, channel_id=data["channel"], date_from=data["date_from"], date_to=data["date_to"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("E-arkivpaketet är klart: %(name)s") % {"name": export.file_name})
            return redirect("archive-export-list")
    return render(request, "archive/sip_form.html", {"form": form}, status=400 if form.errors else 200)


# --- Gallring --------------------------------------------------------------------------------


@role_required(*ARCHIVE)
def rule_list(request):
    return render(request, "archive/rule_list.html", {
        "rules": selectors.rule_list(user=request.user),
        "can_manage": selectors.can_manage_gallring(request.user),
    })


@role_required(*RECORDS_OFFICER)
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = selectors.rule_get_for_user(user=request.user, pk=pk) if pk is not None else None
    initial = None
    if rule is not None:
        initial = {
            "board": rule.board, "information_class": rule.information_class, "keep_forever": rule.keep_forever,
            "retention_months": rule.retention_months, "decision_reference": rule.decision_reference,
            "decision_date": rule.decision_date, "note": rule.note,
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.retention_rule_save(
                board=data["board"], information_class=data["information_class"], keep_forever=data["keep_forever"],
                retention_months=data["retention_months"], decision_reference=data["decision_reference"],
                decision_date=data["decision_date"], note=data["note"], user=request.user, rule=rule,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Gallringsregeln är sparad."))
            return redirect("archive-rule-list")
    return render(request, "archive/rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200)


@role_required(*RECORDS_OFFICER)
@require_http_methods(["GET", "POST"])
def hold_list(request):
    channels = selectors.archive_channels()
    form = HoldForm(request.POST or None, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        names = dict(channels)
        try:
            services.hold_create(
                user=request.user, reason=data["reason"], channel_id=data["channel"],
                channel_name=names.get(data["channel"], "") if data["channel"] else "",
                author_platform_id=data["author_platform_id"], date_from=data["date_from"], date_to=data["date_to"],
                reference=data["reference"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Spärren är lagd."))
            return redirect("archive-hold-list")
    return render(request, "archive/hold_list.html", {
        "holds": selectors.hold_list(user=request.user), "form": form,
    }, status=400 if form.errors else 200)


@role_required(*RECORDS_OFFICER)
@require_POST
def hold_release(request, pk: int):
    hold = selectors.hold_get_for_user(user=request.user, pk=pk)
    try:
        services.hold_release(hold=hold, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Spärren är hävd."))
    return redirect("archive-hold-list")


@role_required(*ARCHIVE)
def protocol_list(request):
    return render(request, "archive/protocol_list.html", {"protocols": selectors.protocol_list(user=request.user)})


@role_required(*ARCHIVE)
def protocol_detail(request, pk: int):
    protocol = selectors.protocol_get_for_user(user=request.user, pk=pk)
    return render(request, "archive/protocol_detail.html", {"protocol": protocol})


@role_required(*RECORDS_OFFICER)
def access_log(request):
    return render(request, "archive/access_log.html", {"entries": selectors.access_log(user=request.user)})


