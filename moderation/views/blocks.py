"""Blocks: deciding one on an item, the block list per channel (with review, lifting and CSV export)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csv_export import csv_response
from ludvika_social.access import role_required

from .. import selectors, services
from ..forms import BlockFilterForm, BlockForm, BlockLiftForm, BlockReviewForm
from .workspace import MODERATORS, _decide, request_id


@role_required()
@require_POST
def block(request, pk: int):
    """Block the item's author from the channel (the item page's form)."""
    return _decide(request, pk, BlockForm, "block_form", lambda e, d: services.block_create(
        user=request.user, entry=e, codes=d["codes"], motivation=d["motivation"], review_on=d["review_on"],
        manual_note=d["manual_note"], request_id=request_id(request)),
        _("Kontot är blockerat. Beslutet är arkiverat och blockeringen omprövas senast på angivet datum."))


def _filtered(request):
    channels = list(selectors.queue_channels(user=request.user))
    form = BlockFilterForm(request.GET or None, channels=channels)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    blocks = selectors.blocks_for_user(user=request.user, channel_id=data.get("kanal"), state=data.get("status") or "")
    return form, blocks


@role_required(*MODERATORS)
def block_list(request):
    form, blocks = _filtered(request)
    return render(request, "moderation/blocks.html", {
        "form": form, "blocks": list(blocks[:500]), "query": request.GET.urlencode(), "today": timezone.localdate(),
    })


@role_required(*MODERATORS)
def block_list_csv(request):
    _form, blocks = _filtered(request)
    header = [_("kanal"), _("konto"), _("kontots id"), _("status"), _("koder"), _("motivering"), _("blockerad"),
              _("blockerad av"), _("omprövas senast"), _("via plattformens API"), _("hävd"), _("skäl för att häva")]
    rows = (
        [b.channel.name, b.account_name, b.account_platform_id, b.get_state_display(), " ".join(b.codes),
         b.motivation, timezone.localtime(b.blocked_at).strftime("%Y-%m-%d %H:%M"),
         b.blocked_by.get_full_name() or b.blocked_by.get_username(), b.review_on.isoformat(),
         _("ja") if b.via_platform_api else _("nej"),
         timezone.localtime(b.lifted_at).strftime("%Y-%m-%d %H:%M") if b.lifted_at else "", b.lift_reason]
        for b in blocks.iterator(chunk_size=500)
    )
    return csv_response(filename=f"blockeringar-{timezone.localtime():%Y%m%d-%H%M}.csv", header=header, rows=rows)


def _block_action(request, pk: int, form_class, call, success: str):
    block_row = selectors.block_get_for_user(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            call(block_row, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success)
    return redirect("moderation-blocks")


@role_required(*MODERATORS)
@require_http_methods(["POST"])
def block_review(request, pk: int):
    return _block_action(request, pk, BlockReviewForm, lambda b, d: services.block_review(
        user=request.user, block=b, review_on=d["review_on"], motivation=d["motivation"],
        request_id=request_id(request)), _("Blockeringen är omprövad och gäller till nästa omprövning."))


@role_required(*MODERATORS)
@require_http_methods(["POST"])
def block_lift(request, pk: int):
    return _block_action(request, pk, BlockLiftForm, lambda b, d: services.block_lift(
        user=request.user, block=b, reason=d["reason"], manual_note=d["manual_note"],
        request_id=request_id(request)), _("Blockeringen är hävd."))
