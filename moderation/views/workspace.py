"""The representative's workspace: the queue, the item page and the decisions.

Every view fetches the item through selectors.item_get_for_user and calls one service. Decisions are
POST-only; a normal POST redirects to the item page, an htmx POST from the queue gets the row back.
Bad input gets a Swedish message and changes nothing (the services raise before they write).
"""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ludvika_social.access import role_required
from ludvika_social.redirects import redirect_back
from registry.models import Role

from .. import selectors, services
from ..forms import (
    AbsenceForm,
    AnswerForm,
    ApprovalForm,
    BlockForm,
    CaseForm,
    CsamForm,
    ForwardForm,
    HandoffForm,
    HandoffWaiveForm,
    ManualRemovalForm,
    MotivationForm,
    NoteForm,
    QueueFilterForm,
    RemovalForm,
    RestoreForm,
    SecretForm,
)
from ..highlight import segments
from ..models import QueueState
from ..screening import CODE_LABELS

MODERATORS = (Role.INFORMATOR, Role.REPRESENTATIVE)


def request_id(request) -> str:
    """The request's id as checked by the request-id middleware (a safe incoming X-Request-ID or a new
    one), so audit rows and log lines carry the same id."""
    return getattr(request, "request_id", "") or uuid.uuid4().hex


# --- the queue ------------------------------------------------------------------------------------


@role_required()
def queue(request):
    selectors.remember_scope(user=request.user)
    channels = list(selectors.queue_channels(user=request.user))
    form = QueueFilterForm(request.GET or None, channels=channels)
    data = form.cleaned_data if form.is_valid() else {}
    channel_id = data.get("channel")
    size = data.get("size") or selectors.QUEUE_PAGE_SIZE
    page = data.get("page") or 1
    qs = selectors.queue_for_user(
        user=request.user, channel_id=channel_id, state=data.get("state") or "open", code=data.get("code") or "",
        needs_answer=bool(data.get("needs_answer")), dms=bool(data.get("dms")), overdue=bool(data.get("overdue")),
    )
    rows, has_more = selectors.queue_page(qs=qs, page=page, size=size)
    for row in rows:
        row.urls = _row_urls(row.item_id)
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "has_more": has_more,
        "counts": selectors.queue_counts(user=request.user, channel_id=channel_id),
        "code_labels": CODE_LABELS,
        "query": _query_without_page(request),
        "absent": selectors.user_is_absent(user=request.user),
        "labels": row_labels(),
    }
    template = "moderation/includes/queue_list.html" if request.htmx and not request.htmx.boosted else \
        "moderation/queue.html"
    return render(request, template, context)


def row_labels() -> dict:
    """The queue row's words, translated once per page instead of once per row."""
    return {
        "select": _("Markera posten"), "overdue": _("Försenad"), "no_target": _("inget svarsmål"), "dm": _("DM"),
        "failed": _("plattformsfel"), "waiting": _("väntar"), "claim": _("Ta"), "no_action": _("Ingen åtgärd"),
    }


def _row_urls(item_id: int) -> dict:
    """A row's URLs by one reverse per name and process: a queue page has many rows."""
    return {name: pattern.replace("/0/", f"/{item_id}/") for name, pattern in _url_patterns().items()}


def _url_patterns() -> dict:
    from django.urls import reverse

    global _URL_PATTERNS
    if _URL_PATTERNS is None:
        _URL_PATTERNS = {key: reverse(name, kwargs={"pk": 0}) for key, name in (
            ("item", "moderation-item"), ("claim", "moderation-claim"), ("no_action", "moderation-no-action"))}
    return _URL_PATTERNS


_URL_PATTERNS: dict | None = None


def _query_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _row_response(request, entry):
    entry = selectors.item_get_for_user(user=request.user, pk=entry.item_id)
    entry.excerpt = (entry.item.text or "")[:200]
    entry.urls = _row_urls(entry.item_id)
    return render(request, "moderation/includes/queue_rows.html", {"rows": [entry], "labels": row_labels()})


def _done(request, entry, message: str | None):
    if request.htmx:
        response = _row_response(request, entry)
        if message:
            # moderation.js writes the text into the queue's live region, so screen readers hear
            # what changed. ASCII-escaped JSON: a header must be Latin-1.
            response["HX-Trigger"] = json.dumps({"moderation-message": {"text": str(message)}})
        return response
    if message:
        messages.success(request, message)
    return redirect("moderation-item", pk=entry.item_id)


def _refused(request, entry, exc: ValidationError):
    if request.htmx:
        response = render(request, "moderation/includes/inline_error.html", {"errors": exc.messages})
        response["HX-Retarget"] = "#queue-messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    for m in exc.messages:
        messages.error(request, m)
    return redirect("moderation-item", pk=entry.item_id)


# --- the item page ---------------------------------------------------------------------------------


def _item_context(request, entry, **forms) -> dict:
    item = entry.item
    version = item.versions.order_by("-number").first()
    flags = list(version.flags.all()) if version else []
    from ..screening import FLAG_THRESHOLD

    shown = [f for f in flags if f.confidence >= FLAG_THRESHOLD]
    caps = services.capabilities_for(entry.channel)
    user = request.user
    acting = entry.state == QueueState.NEW or (entry.state == QueueState.CLAIMED and entry.claimed_by_id == user.pk) \
        or (entry.state == QueueState.FORWARDED and entry.forwarded_to_id == user.pk)
    approval = _approval_context(request, entry)
    claimer_absent = bool(entry.state == QueueState.CLAIMED and entry.claimed_by_id
                          and entry.claimed_by_id != user.pk
                          and selectors.absent_user_ids(user_ids=[entry.claimed_by_id]))
    return {
        "claimer_absent": claimer_absent and not entry.pending_state,
        "entry": entry,
        "item": item,
        "segments": segments(item.text or "", shown),
        "flags": shown,
        "code_labels": CODE_LABELS,
        "versions": list(item.versions.order_by("number")),
        "thread": selectors.thread_for(entry=entry),
        "earlier": selectors.author_earlier_items(entry=entry),
        "audit": list(selectors.audit_for_entry(entry=entry).select_related("actor")),
        "actions": selectors.item_actions(entry=entry),
        "caps": caps,
        "can": {k: services.platform_can(entry.channel, k) for k in ("reply", "hide", "unhide", "delete")},
        "acting": acting and not entry.pending_state,
        **approval,
        "templates": selectors.reply_templates(user=user, entry=entry),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "forward_form": forms.get("forward_form") or ForwardForm(candidates=selectors.forward_candidates()),
        "removal_form": forms.get("removal_form") or RemovalForm(),
        "manual_form": forms.get("manual_form") or ManualRemovalForm(),
        "motivation_form": forms.get("motivation_form") or MotivationForm(),
        "restore_form": forms.get("restore_form") or RestoreForm(),
        "approval_form": forms.get("approval_form") or approval["approval_form"],
        "case_form": forms.get("case_form") or CaseForm(),
        "handoff_form": forms.get("handoff_form") or HandoffForm(),
        "secret_form": forms.get("secret_form") or SecretForm(),
        "waive_form": forms.get("waive_form") or HandoffWaiveForm(),
        "block_form": forms.get("block_form") or BlockForm(),
        "csam_form": forms.get("csam_form") or CsamForm(),
        "can_block": services.platform_can_block(entry.channel),
        "active_block": selectors.active_block_for(entry=entry),
        "secrecy_marking": selectors.secrecy_marking_for_entry(entry=entry),
        "note_form": forms.get("note_form") or NoteForm(),
        "handoff": getattr(entry, "handoff", None) if entry.is_dm else None,
    }


@role_required()
def item(request, pk: int):
    entry = selectors.item_get_for_user(user=request.user, pk=pk)
    services.entry_mark_viewed(entry=entry)
    return render(request, "moderation/item.html", _item_context(request, entry))


@role_required()
def item_status(request, pk: int):
    """The item page's status block alone, asked for every few seconds while the platform has not
    confirmed: a small answer, and it neither marks the item viewed nor uses up flash messages."""
    entry = selectors.item_get_for_user(user=request.user, pk=pk)
    return render(request, "moderation/includes/item_status.html", {
        "entry": entry, "item": entry.item, "settled_now": not entry.pending_state,
        **_approval_context(request, entry),
    })


def _approval_context(request, entry) -> dict:
    """The pending second-moderator approval and whether this user may decide it (the status block)."""
    approval = selectors.pending_approval(entry=entry)
    return {"approval": approval, "approval_form": ApprovalForm(),
            "may_approve": approval is not None and approval.requested_by_id != request.user.pk}


def _form_failed(request, entry, name: str, form):
    return render(request, "moderation/item.html", _item_context(request, entry, **{name: form}), status=400)


def _decide(request, pk: int, form_class, name: str, call, success: str, **form_kwargs):
    """Validate the form, call the service, report. ``call(entry, data)`` raises ValidationError."""
    entry = selectors.item_get_for_user(user=request.user, pk=pk)
    form = form_class(request.POST, **form_kwargs) if form_class else None
    if form is not None and not form.is_valid():
        if request.htmx:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            return _refused(request, entry, ValidationError(errors))
        return _form_failed(request, entry, name, form)
    try:
        result = call(entry, form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        if form is not None and not request.htmx:
            form.add_error(None, exc)
            return _form_failed(request, entry, name, form)
        return _refused(request, entry, exc)
    return _done(request, entry, result if isinstance(result, str) else success)


@role_required()
@require_POST
def claim(request, pk: int):
    return _decide(request, pk, None, "", lambda e, d: services.entry_claim(
        user=request.user, entry=e, request_id=request_id(request)), _("Du handlägger nu posten."))


@role_required()
@require_POST
def release(request, pk: int):
    return _decide(request, pk, None, "", lambda e, d: services.entry_release(
        user=request.user, entry=e, request_id=request_id(request)), _("Posten är släppt."))


@role_required()
@require_POST
def answer(request, pk: int):
    return _decide(request, pk, AnswerForm, "answer_form", lambda e, d: services.entry_answer(
        user=request.user, entry=e, text=d["text"], request_id=request_id(request)),
        _("Svaret skickas till plattformen. Posten blir besvarad när plattformen har bekräftat."))


@role_required()
@require_POST
def forward(request, pk: int):
    return _decide(request, pk, ForwardForm, "forward_form", lambda e, d: services.entry_forward(
        user=request.user, entry=e, to_user=d["to_user"], note=d["note"], request_id=request_id(request)),
        _("Posten är vidarebefordrad och mottagaren har fått e-post."), candidates=selectors.forward_candidates())


@role_required()
@require_POST
def remove(request, pk: int):
    def call(e, d):
        outcome = services.entry_remove(user=request.user, entry=e, kind=d["kind"], codes=d["codes"],
                                        motivation=d["motivation"], criticism=d["criticism"] == "yes",
                                        request_id=request_id(request))
        if outcome == "approval":
            return _("Inlägget innehåller kritik och saknar flagga från granskningen: en annan moderator måste "
                     "godkänna avpubliceringen innan något görs.")
        return _("Innehåll och avsändare är arkiverade. Åtgärden skickas till plattformen.")

    return _decide(request, pk, RemovalForm, "removal_form", call, "")


@role_required()
@require_POST
def manual(request, pk: int):
    return _decide(request, pk, ManualRemovalForm, "manual_form", lambda e, d: services.entry_record_manual(
        user=request.user, entry=e, kind=d["kind"], codes=d["codes"], motivation=d["motivation"],
        platform_note=d["platform_note"], request_id=request_id(request)),
        _("Den manuella åtgärden är registrerad och innehållet arkiverat."))


@role_required()
@require_POST
def restore(request, pk: int):
    return _decide(request, pk, RestoreForm, "restore_form", lambda e, d: services.entry_restore(
        user=request.user, entry=e, motivation=d["motivation"], request_id=request_id(request)),
        _("Posten visas igen när plattformen har bekräftat."))


@role_required()
@require_POST
def no_action(request, pk: int):
    return _decide(request, pk, MotivationForm, "motivation_form", lambda e, d: services.entry_no_action(
        user=request.user, entry=e, motivation=d["motivation"], request_id=request_id(request)),
        _("Markerad: ingen åtgärd behövs."))


@role_required()
@require_POST
def needs_answer(request, pk: int):
    value = request.POST.get("needs_answer") == "1"
    return _decide(request, pk, None, "", lambda e, d: services.entry_set_needs_answer(
        user=request.user, entry=e, needs_answer=value, request_id=request_id(request)),
        _("Svarsbedömningen är ändrad."))


@role_required()
@require_POST
def register_case(request, pk: int):
    return _decide(request, pk, CaseForm, "case_form", lambda e, d: services.entry_register_case(
        user=request.user, entry=e, case_number=d["case_number"], subject=d["subject"],
        request_id=request_id(request)),
        _("Posten är registrerad och arkiverad som diarieförd handling."))


@role_required()
@require_POST
def escalate_csam(request, pk: int):
    return _decide(request, pk, CsamForm, "csam_form", lambda e, d: services.entry_escalate_csam(
        user=request.user, entry=e, police_report_reference=d["police_report_reference"], note=d["note"]),
        _("Innehållet är borttaget ur verktyget och arkivet och ersatt av en markering med polisanmälans "
          "referens. Plattformen ombeds radera det."))


@role_required()
@require_POST
def mark_secret(request, pk: int):
    return _decide(request, pk, SecretForm, "secret_form", lambda e, d: services.entry_mark_secret(
        user=request.user, entry=e, osl_ground=d["osl_ground"], note=d["note"], request_id=request_id(request)),
        _("Posten är sekretessmarkerad."))


@role_required()
@require_POST
def handoff_waive(request, pk: int):
    return _decide(request, pk, HandoffWaiveForm, "waive_form", lambda e, d: services.entry_waive_handoff(
        user=request.user, entry=e, reason=d["reason"], request_id=request_id(request)),
        _("Skälet är sparat: meddelandet behöver inte lämnas över."))


@role_required()
@require_POST
def handoff(request, pk: int):
    return _decide(request, pk, HandoffForm, "handoff_form", lambda e, d: services.dm_handoff(
        user=request.user, entry=e, method=d["method"], reference=d["reference"], request_id=request_id(request)),
        _("Meddelandet är överlämnat och kvittot sparat."))


@role_required()
def handoff_eml(request, pk: int):
    entry = selectors.item_get_for_user(user=request.user, pk=pk)
    if not entry.is_dm:
        raise Http404
    handoff_row = getattr(entry, "handoff", None)
    content = handoff_row.eml if handoff_row else services.dm_eml(entry=entry)
    response = HttpResponse(content, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="direktmeddelande-{entry.item_id}.eml"'
    return response


@role_required()
@require_POST
def note(request, pk: int):
    return _decide(request, pk, NoteForm, "note_form", lambda e, d: services.entry_add_note(
        user=request.user, entry=e, note=d["note"], request_id=request_id(request)), _("Anteckningen är sparad."))


@role_required()
@require_POST
def retry(request, pk: int):
    return _decide(request, pk, None, "", lambda e, d: services.entry_retry_action(
        user=request.user, entry=e, request_id=request_id(request)), _("Åtgärden försöks igen."))


@role_required()
@require_POST
def cancel_action(request, pk: int):
    return _decide(request, pk, None, "", lambda e, d: services.entry_cancel_action(
        user=request.user, entry=e, request_id=request_id(request)), _("Den misslyckade åtgärden är avbruten."))


@role_required()
@require_POST
def approval(request, pk: int):
    approval_row = selectors.approval_get_for_user(user=request.user, pk=pk)
    entry = approval_row.entry
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        return _form_failed(request, selectors.item_get_for_user(user=request.user, pk=entry.item_id),
                            "approval_form", form)
    try:
        services.approval_decide(user=request.user, approval=approval_row,
                                 approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
                                 request_id=request_id(request))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Beslutet om avpublicering är fattat."))
    return redirect("moderation-item", pk=entry.item_id)


BULK_ACTIONS = ("claim", "no_action")


@role_required()
@require_POST
def bulk(request):
    """Bulk actions on selected items: claim them, or mark them as needing no action. Each item is its
    own compare-and-set decision; the ones someone else got to first are reported, not forced."""
    action = request.POST.get("action")
    ids = request.POST.getlist("items")[:200]
    if action not in BULK_ACTIONS or not ids:
        messages.error(request, _("Välj poster och en åtgärd."))
        return redirect_back(request, "moderation-queue", under="/personal/inkorg/")
    done, refused = 0, 0
    for raw in ids:
        try:
            entry = selectors.item_get_for_user(user=request.user, pk=int(raw))
            if action == "claim":
                services.entry_claim(user=request.user, entry=entry, request_id=request_id(request))
            else:
                services.entry_no_action(user=request.user, entry=entry, motivation=_("Massåtgärd från inkorgen."),
                                         request_id=request_id(request))
            done += 1
        except (ValidationError, ValueError, Http404, PermissionDenied):
            refused += 1
    if done:
        messages.success(request, _("%(n)s poster är ändrade.") % {"n": done})
    if refused:
        messages.warning(request, _("%(n)s poster kunde inte ändras (någon annan hann före, eller de är "
                                    "redan avslutade).") % {"n": refused})
    return redirect_back(request, "moderation-queue", under="/personal/inkorg/")


# --- absence --------------------------------------------------------------------------------------


@role_required(*MODERATORS)
def absence(request):
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_create(user=request.user, starts_on=form.cleaned_data["starts_on"],
                                  ends_on=form.cleaned_data["ends_on"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Frånvaron är sparad. Dina kanalers poster går till ersättaren under tiden."))
            return redirect("moderation-absence")
    return render(request, "moderation/absence.html", {
        "form": form, "absences": selectors.absences_for_user(user=request.user),
    }, status=400 if request.method == "POST" else 200)


@role_required(*MODERATORS)
@require_POST
def absence_end(request, pk: int):
    services.absence_end(user=request.user, absence=selectors.absence_get_for_user(user=request.user, pk=pk))
    messages.success(request, _("Frånvaron är avslutad."))
    return redirect("moderation-absence")
