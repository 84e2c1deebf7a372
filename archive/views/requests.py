"""Requests for public documents: intake, review of each record, the decision and the delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from archive import selectors, services
from archive.forms import (
    AddRecordsForm,
    ExportKindForm,
    ItemDecisionForm,
    MaskForm,
    RecordsToRequestForm,
    RequestForm,
)
from archive.models import AccessAction, RequestState, ReviewDecision
from archive.views.common import ARCHIVE, errors
from ludvika_social.access import role_required
from ludvika_social.redirects import redirect_back

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
    form = RequestForm(request.POST or None, channels=selectors.scope_channels())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                user=request.user, description=data["description"], requester_name=data["requester_name"],
                requester_contact=data["requester_contact"], received_at=data["received_at"], scope=form.scope(),
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("Begäran är registrerad."))
            return redirect("archive-request-detail", pk=created.pk)
    return render(request, "archive/request_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*ARCHIVE)
def request_detail(request, pk: int):
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    items = list(selectors.request_items(request=req))
    markings = services.secrecy_markings_for([item.record for item in items])
    for item in items:
        item.text = services.record_text(item.record)
        item.masked = item.masked_copies.all()[0] if item.masked_copies.all() else None
        item.markings = markings.get(item.record.pk, [])
    if items:
        services.access_log_write(
            user=request.user, action=AccessAction.VIEW, sequences=[i.record.sequence for i in items],
            detail=f"begäran {req.pk}",
        )
    return render(request, "archive/request_detail.html", {
        "req": req, "items": items, "add_form": AddRecordsForm(),
        "export_form": ExportKindForm(), "exports": req.exports.filter(created_by=request.user),
        "is_open": req.state == RequestState.OPEN, "decisions": list(req.decisions.order_by("-decided_at", "-id")),
        "current_decision": services.decision_current(req), "holds": list(req.holds.all()),
        "pending": sum(1 for item in items if item.decision == ReviewDecision.PENDING),
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
        messages.error(request, errors(exc))
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
        return redirect("archive-request-item-review", pk=req.pk, item_pk=item.pk)
    try:
        services.request_item_decide(
            item=item, decision=form.cleaned_data["decision"], osl_reference=form.cleaned_data["osl_reference"],
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, errors(exc))
        return redirect("archive-request-item-review", pk=req.pk, item_pk=item.pk)
    messages.success(request, _("Prövningen av arkivpost %(seq)s är sparad.") % {"seq": item.record.sequence})
    return redirect("archive-request-detail", pk=req.pk)


@role_required(*ARCHIVE)
@require_http_methods(["GET", "POST"])
def request_item_review(request, pk: int, item_pk: int):
    """The review page: every field a delivery would carry, mask suggestions, and the three decisions
    (release in full, release masked, refuse)."""
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    item = selectors.request_item_get_for_user(user=request.user, request=req, pk=item_pk)
    view = services.record_view(item.record)
    suggestions = services.mask_suggestions(view)
    attachments = (
        services.attachment_records_of_items({(item.record.channel_id, item.record.platform_id)})
        if item.record.platform_id else []
    )
    form = MaskForm(request.POST or None, fields=view.maskable, suggestions=suggestions,
                    has_attachments=bool(attachments))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.masking_create(
                item=item, phrases=[*data["suggestions"], *data["phrases"]], whole_fields=data["whole_fields"],
                release_attachments=data.get("release_attachments", False), osl_reference=data["osl_reference"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, errors(exc))
        else:
            messages.success(request, _("En maskerad kopia är skapad. Originalet är oförändrat."))
            return redirect("archive-request-detail", pk=req.pk)
    services.access_log_write(
        user=request.user, action=AccessAction.VIEW, sequences=[item.record.sequence], detail=f"prövning {req.pk}"
    )
    copies = item.masked_copies.all()
    return render(request, "archive/review.html", {
        "req": req, "item": item, "view": view, "form": form, "suggestions": suggestions,
        "attachments": [{"record": r, "info": services.attachment_info(r)} for r in attachments],
        "decision_form": ItemDecisionForm(),
        "markings": services.secrecy_markings_for([item.record])[item.record.pk],
        "masked": copies[0] if copies else None, "is_open": req.state == RequestState.OPEN,
    }, status=400 if form.errors else 200)


def _request_transition(request, pk: int, service, success: str):
    """Refuse or close a request: the service checks the state; a refusal is shown, nothing changes."""
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    try:
        service(request=req, user=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, success)
    return redirect("archive-request-detail", pk=req.pk)


@role_required(*ARCHIVE)
@require_POST
def request_decide(request, pk: int):
    return _request_transition(request, pk, services.request_decide, _("Beslutet är fattat."))


@role_required(*ARCHIVE)
def request_decision_pdf(request, pk: int, decision_pk: int):
    """The decision as a tagged PDF, rendered from the decision as it was made."""
    req = selectors.request_get_for_user(user=request.user, pk=pk)
    decision = selectors.request_decision_get(request=req, pk=decision_pk)
    services.access_log_write(user=request.user, action=AccessAction.DOWNLOAD, sequences=[],
                              detail=f"beslut {decision.pk}, begäran {req.pk}")
    response = HttpResponse(services.decision_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.decision_file_name(decision)}"'
    return response


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
        messages.error(request, errors(exc))
        return redirect("archive-request-detail", pk=req.pk)
    messages.success(request, _("Exporten är klar: %(name)s") % {"name": export.file_name})
    return redirect("archive-request-detail", pk=req.pk)
