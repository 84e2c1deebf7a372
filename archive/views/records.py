"""Archive search and records: a record's page, its file, sekretess marking, CSAM marking."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archive import selectors, services
from archive.forms import (
    CsamMarkForm,
    ManualCaptureForm,
    RecordsToRequestForm,
    SearchForm,
    SecrecyLiftForm,
    SecrecyMarkForm,
)
from archive.models import AccessAction, RequestState
from archive.views.common import ARCHIVE, PAGE_SIZE, RECORDS_OFFICER, CappedPaginator, errors
from ludvika_social.access import role_required
from ludvika_social.redirects import redirect_back
from registry.models import Role

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
            direction=data["direction"],
        )
        results, matches = selectors.search_results(results)
        page = CappedPaginator(results, PAGE_SIZE, matches=matches).get_page(request.GET.get("sida"))
        markings = services.secrecy_markings_for(page.object_list)
        for record in page.object_list:
            record.markings = markings.get(record.pk, [])
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
        "markings": services.secrecy_markings_for([record])[record.pk],
        "secrecy_form": SecrecyMarkForm(prefix="secrecy") if not record.culled_at else None,
        "lift_form": SecrecyLiftForm(prefix="lift"),
    })


@role_required(*ARCHIVE)
@require_POST
def record_secrecy_mark(request, sequence: int):
    """Mark the record's item (or the record) as holding secret information (OSL 5:5)."""
    record = selectors.record_get_for_user(user=request.user, sequence=sequence)
    form = SecrecyMarkForm(request.POST, prefix="secrecy")
    if not form.is_valid():
        messages.error(request, _("Välj sekretessgrunden ur listan. Inget har ändrats."))
        return redirect("archive-record-detail", sequence=record.sequence)
    try:
        services.secrecy_mark(user=request.user, record=record, osl_ground=form.cleaned_data["osl_ground"],
                              note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Posten är sekretessmarkerad."))
    return redirect("archive-record-detail", sequence=record.sequence)


@role_required(*ARCHIVE)
@require_POST
def secrecy_lift(request, pk: int):
    """Lift a sekretess marking, with the reason (the marking and its chain record stay)."""
    marking = selectors.secrecy_marking_get_for_user(user=request.user, pk=pk)
    form = SecrecyLiftForm(request.POST, prefix="lift")
    if not form.is_valid():
        messages.error(request, _("Skriv varför markeringen hävs. Inget har ändrats."))
    else:
        try:
            services.secrecy_lift(user=request.user, marking=marking, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, errors(exc))
        else:
            messages.success(request, _("Sekretessmarkeringen är hävd."))
    return redirect_back(request, "archive-search", under="/personal/")


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
        messages.error(request, errors(exc))
        return redirect("archive-record-detail", sequence=record.sequence)
    messages.success(request, _("Innehållet är borttaget och ersatt av en markering med polisanmälans referens."))
    return redirect("archive-record-detail", sequence=marking.sequence)


@role_required(Role.RECORDS_OFFICER, Role.INFORMATOR, Role.REPRESENTATIVE)
@require_http_methods(["GET", "POST"])
def manual_capture(request):
    """Capture an item by hand (a channel without an API, or an outage) as an archive record."""
    channels = selectors.manual_capture_channels(user=request.user)
    if not channels.exists():
        raise PermissionDenied  # a representative who represents no channel today
    form = ManualCaptureForm(request.POST or None, request.FILES or None, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.capture_manual(
                user=request.user, channel=data["channel"], kind=data["kind"], text=data["text"],
                created_at=data["created_at"], reason=data["reason"], author_name=data["author_name"],
                author_platform_id=data["author_platform_id"], permalink=data["permalink"], note=data["note"],
                upload=data["file"],
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("Posten är arkiverad som arkivpost %(seq)s.") % {"seq": record.sequence})
            if selectors.can_use_archive(request.user):
                return redirect("archive-record-detail", sequence=record.sequence)
            return redirect("archive-manual-capture")
    return render(request, "archive/manual_form.html", {
        "form": form, "can_use_archive": selectors.can_use_archive(request.user),
    }, status=400 if form.errors else 200)
