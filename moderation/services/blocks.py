"""Blocking an account from a channel, as a decision the law can review (JO on official accounts; the
Svenska institutet case: a block list is a public record and blocks are reviewed).

A block is decided on an item: the prohibited-content codes and the motivation are written at the
moment, with a date by which the block is reviewed (at most a year ahead). The decision is archived
first (a ``block`` record), then carried out: through the outbox where the platform's API can block
(Mastodon, Bluesky), otherwise by hand on the platform, with what was done recorded. A review
extends the block with a new motivation; lifting it is recorded the same way. The channel's
responsible person and representatives are reminded when the review date comes.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, Block, BlockState, QueueEntry
from .workspace import (
    MOTIVATION_MAX,
    _absolute,
    _audit,
    _check_may_act,
    _clean_text,
    _state,
    capabilities_for,
    clean_codes,
)


def platform_can_block(channel) -> bool:
    caps = capabilities_for(channel)
    return bool(caps and caps.can_block)

MAX_REVIEW_DAYS = 365


def _review_date(review_on: dt.date | None) -> dt.date:
    today = timezone.localdate()
    if review_on is None or review_on <= today:
        raise ValidationError(_("Ange ett datum efter i dag då blockeringen ska omprövas."))
    if review_on > today + dt.timedelta(days=MAX_REVIEW_DAYS):
        raise ValidationError(_("En blockering omprövas inom ett år: välj ett datum senast %(date)s.")
                              % {"date": (today + dt.timedelta(days=MAX_REVIEW_DAYS)).isoformat()})
    return review_on


def _archive(*, block: Block, event: str, actor, motivation: str, extra: dict | None = None):
    from archive.services import capture_event

    return capture_event(
        record_type="block",
        target={"channel_id": block.channel_id, "platform_id": block.item.platform_id},
        event={
            "event": event,
            "event_label": {"blocked": "blockerad", "reviewed": "omprövad", "lifted": "hävd"}[event],
            "account_platform_id": block.account_platform_id, "account_name": block.account_name,
            "codes": list(block.codes), "motivation": motivation, "review_on": block.review_on.isoformat(),
            "via_platform_api": block.via_platform_api, "manual_note": block.manual_note, **(extra or {}),
        },
        actor=actor,
        columns={"author_platform_id": block.account_platform_id[:300], "author_name": block.account_name[:300]},
    )


def block_create(*, user, entry: QueueEntry, codes, motivation: str, review_on: dt.date | None,
                 manual_note: str = "", request_id: str = "") -> Block:
    """Block the author of the entry's item from its channel."""
    from channels.services import outbox_enqueue

    _check_may_act(user, entry)
    codes = clean_codes(codes)
    motivation = _clean_text(motivation, required_message=_("Skriv varför kontot blockeras."))
    review_on = _review_date(review_on)
    item = entry.item
    if not item.author_platform_id:
        raise ValidationError(_("Avsändarens konto är okänt och kan inte blockeras."))
    if item.channel.account_id and item.author_platform_id == item.channel.account_id:
        raise ValidationError(_("Kanalen kan inte blockera sitt eget konto."))
    via_api = platform_can_block(entry.channel)
    manual_note = (manual_note or "").strip()[:MOTIVATION_MAX]
    if not via_api and not manual_note:
        raise ValidationError(_("Plattformen kan inte blockera via verktyget: blockera kontot på plattformen och "
                                "skriv vad du gjorde."))
    try:
        with transaction.atomic():
            block = Block.objects.create(
                channel_id=entry.channel_id, item=item, account_platform_id=item.author_platform_id,
                account_name=item.author_name, codes=codes, motivation=motivation, review_on=review_on,
                via_platform_api=via_api, manual_note="" if via_api else manual_note, blocked_by=user,
            )
            record = _archive(block=block, event="blocked", actor=user, motivation=motivation)
            if via_api:
                action = outbox_enqueue(item=item, kind="block", created_by=user, snapshot=record,
                                        idempotency_key=f"moderation:block:{block.pk}")
                Block.objects.filter(pk=block.pk).update(block_action=action)
                block.block_action = action
            _audit(entry=entry, action=AuditEvent.Action.BLOCKED, actor=user, before=_state(entry), codes=codes,
                   motivation=motivation, request_id=request_id,
                   extra={"block": block.pk, "review_on": review_on.isoformat(), "archive_sequence": record.sequence})
    except IntegrityError:
        raise ValidationError(_("Kontot är redan blockerat på kanalen.")) from None
    return block


def _block_entry(block: Block) -> QueueEntry | None:
    return QueueEntry.objects.filter(item_id=block.item_id).select_related("item", "channel").first()


def block_review(*, user, block: Block, review_on: dt.date | None, motivation: str, request_id: str = "") -> Block:
    """Keep the block after a review: a new review date and why it is still needed."""
    entry = _block_entry(block)
    if entry is not None:
        _check_may_act(user, entry)
    motivation = _clean_text(motivation, required_message=_("Skriv varför blockeringen behövs även i fortsättningen."))
    review_on = _review_date(review_on)
    with transaction.atomic():
        if Block.objects.filter(pk=block.pk, state=BlockState.ACTIVE).update(
                review_on=review_on, reminder_sent_at=None) != 1:
            raise ValidationError(_("Blockeringen är redan hävd."))
        block.refresh_from_db()
        _archive(block=block, event="reviewed", actor=user, motivation=motivation)
        if entry is not None:
            _audit(entry=entry, action=AuditEvent.Action.BLOCK_REVIEWED, actor=user, before=_state(entry),
                   motivation=motivation, request_id=request_id,
                   extra={"block": block.pk, "review_on": review_on.isoformat()})
    return block


def block_lift(*, user, block: Block, reason: str, manual_note: str = "", request_id: str = "") -> Block:
    """Lift the block: recorded with the reason, and carried out where the platform can."""
    from channels.services import outbox_enqueue

    entry = _block_entry(block)
    if entry is not None:
        _check_may_act(user, entry)
    reason = _clean_text(reason, required_message=_("Skriv varför blockeringen hävs."))
    if not block.via_platform_api and not (manual_note or "").strip():
        raise ValidationError(_("Häv blockeringen på plattformen och skriv vad du gjorde."))
    with transaction.atomic():
        if Block.objects.filter(pk=block.pk, state=BlockState.ACTIVE).update(
                state=BlockState.LIFTED, lifted_by=user, lifted_at=timezone.now(), lift_reason=reason) != 1:
            raise ValidationError(_("Blockeringen är redan hävd."))
        block.refresh_from_db()
        record = _archive(block=block, event="lifted", actor=user, motivation=reason,
                          extra={"manual_note": (manual_note or "").strip()[:MOTIVATION_MAX]})
        if block.via_platform_api:
            block_ref = block.block_action.result_platform_id if block.block_action_id else ""
            action = outbox_enqueue(item=block.item, kind="unblock", text=block_ref, created_by=user,
                                    snapshot=record, idempotency_key=f"moderation:unblock:{block.pk}:{uuid.uuid4().hex}")
            Block.objects.filter(pk=block.pk).update(unblock_action=action)
            block.unblock_action = action
        if entry is not None:
            _audit(entry=entry, action=AuditEvent.Action.UNBLOCKED, actor=user, before=_state(entry),
                   motivation=reason, request_id=request_id, extra={"block": block.pk})
    return block


def block_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell the channel's responsible person and representatives of each block whose review date has
    come (once per review date). Returns the number of blocks reminded."""
    from registry.selectors import current_representatives

    today = today or timezone.localdate()
    due = list(Block.objects.filter(state=BlockState.ACTIVE, review_on__lte=today, reminder_sent_at__isnull=True)
               .select_related("channel", "channel__responsible"))
    if not due:
        return 0
    representatives = current_representatives(channel_ids=[b.channel_id for b in due])
    for block in due:
        people = [block.channel.responsible, *representatives.get(block.channel_id, [])]
        recipients = sorted({p.email for p in people if p is not None and getattr(p, "email", "")})
        recipients = recipients or ([settings.INFORMATOR_EMAIL] if settings.INFORMATOR_EMAIL else [])
        subject = _("Blockering att ompröva: %(name)s på %(channel)s") % {
            "name": block.account_name or block.account_platform_id, "channel": block.channel.name}
        body = _("Blockeringen av %(name)s på %(channel)s ska omprövas senast %(date)s. Förläng den med en ny "
                 "motivering eller häv den: %(url)s\n") % {
            "name": block.account_name or block.account_platform_id, "channel": block.channel.name,
            "date": block.review_on.isoformat(),
            "url": _absolute(reverse("moderation-blocks") + f"?kanal={block.channel_id}")}
        if recipients:
            send_mail(subject, body, None, recipients)
        Block.objects.filter(pk=block.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=timezone.now())
    return len(due)
