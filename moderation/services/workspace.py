"""Writes for the moderation workspace: queue entries, claims and decisions.

Every state change is a compare-and-set UPDATE that must change exactly one row, so two moderators
never act on the same item at once, and writes an append-only AuditEvent in the same transaction
(actor, action, codes, motivation, before/after, the comment policy version, the request id).

Platform actions go through the channels outbox, created in the decision's transaction and executed
by a worker after commit. An unpublish/delete first writes the archive snapshot
(archive.services.snapshot_for_removal) in the same transaction and the outbox row references it, so
no platform call can happen unless the snapshot commits (DESIGN §6.1). A decision that needs the
platform completes when the outbox confirms it (entries_reconcile_actions).
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.policy import PROHIBITED_CODES
from registry.roles import STAFF_ROLES, user_roles
from registry.selectors import comment_policy_version

from .. import conf, selectors
from ..models import (
    OPEN_STATES,
    AuditEvent,
    QueueEntry,
    QueueState,
)
from ..screening import FLAG_THRESHOLD
from .timing import due_at_for

logger = logging.getLogger(__name__)

MOTIVATION_MAX = 4000
REPLY_MAX = 8000

# --- helpers ---------------------------------------------------------------------------------------


def _state(entry: QueueEntry) -> dict:
    return {
        "state": entry.state,
        "claimed_by": entry.claimed_by_id,
        "forwarded_to": entry.forwarded_to_id,
        "pending_state": entry.pending_state,
        "needs_answer": entry.needs_answer,
        "case_number": entry.case_number,
    }


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _audit(*, entry: QueueEntry, action: str, actor, before: dict | None = None, codes=(), motivation: str = "",
           after: dict | None = None, request_id: str = "", extra: dict | None = None) -> AuditEvent:
    after_state = _state(entry) if after is None else after
    if extra:
        after_state = {**after_state, **extra}
    return AuditEvent.objects.create(
        entry=entry, channel_id=entry.channel_id, action=action, actor=actor, actor_name=_name(actor),
        codes=list(codes), motivation=motivation, before=before or {}, after=after_state,
        policy_version=comment_policy_version(), request_id=(request_id or "")[:64],
    )


def _acting_q(user) -> Q:
    """The rows the user may act on right now: new ones, the ones they claimed, the ones forwarded to
    them; never while a platform action or a second moderator's approval is pending."""
    return (
        Q(state=QueueState.NEW) | Q(state=QueueState.CLAIMED, claimed_by=user)
        | Q(state=QueueState.FORWARDED, forwarded_to=user)
    ) & Q(pending_state="")


def _check_may_act(user, entry: QueueEntry) -> None:
    if not selectors.user_may_act(user=user, entry=entry):
        raise PermissionDenied


def _cas(*, entry: QueueEntry, condition: Q, **fields) -> None:
    """Compare-and-set on one entry; a lost race raises a Swedish ValidationError and changes nothing."""
    changed = QueueEntry.objects.filter(Q(pk=entry.pk) & condition).update(**fields)
    if changed != 1:
        raise ValidationError(_("Posten har just ändrats av någon annan (eller väntar på plattformen). "
                                "Ladda om sidan och försök igen."))
    entry.refresh_from_db()


def _clean_text(value: str, *, required_message: str, limit: int = MOTIVATION_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(required_message)
    if len(value) > limit:
        raise ValidationError(_("Texten får vara högst %(n)s tecken.") % {"n": limit})
    return value


def clean_codes(codes) -> list[str]:
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    if not codes:
        raise ValidationError(_("Välj minst en kod ur listan över otillåtet innehåll."))
    unknown = [c for c in codes if c not in PROHIBITED_CODES]
    if unknown:
        raise ValidationError(_("Okänd kod: %(codes)s.") % {"codes": ", ".join(unknown)})
    return sorted(set(codes), key=PROHIBITED_CODES.index)


def capabilities_for(channel):
    """The channel's platform capabilities, or None when the installation has no connector for it."""
    from channels.services.platform import connector_class

    cls = connector_class(channel.platform)
    return getattr(cls, "capabilities", None) if cls else None


def platform_can(channel, kind: str) -> bool:
    caps = capabilities_for(channel)
    if caps is None:
        return False
    return bool({"reply": caps.can_reply, "hide": caps.can_hide, "unhide": caps.can_unhide,
                 "delete": caps.can_delete}[kind])


# --- entering the queue ----------------------------------------------------------------------------


def queue_entries_sync(*, version_ids: list[int]) -> int:
    """Put screened items in the queue, or refresh an entry's flags after an edit. Returns the number
    of new entries. Left out: the channel's own posts and our own replies (which come back by poll)."""
    from channels.models import ItemKind, ItemVersion, OutboxAction

    from ..models import Flag

    versions = list(
        ItemVersion.objects.filter(pk__in=version_ids).select_related("item", "item__channel")
        .only("id", "number", "item__id", "item__kind", "item__version_count", "item__author_platform_id",
              "item__platform_id", "item__received_at", "item__channel__id", "item__channel__account_id",
              "item__channel__response_target_hours")
    )
    latest = {v.item_id: v for v in versions if v.number == v.item.version_count}
    if not latest:
        return 0
    own_replies = set(
        OutboxAction.objects.filter(result_platform_id__in=[v.item.platform_id for v in latest.values()])
        .values_list("result_platform_id", flat=True)
    )
    codes: dict[int, set[str]] = {}
    for version_id, code in Flag.objects.filter(
        version_id__in=[v.pk for v in latest.values()], confidence__gte=FLAG_THRESHOLD
    ).values_list("version_id", "code"):
        codes.setdefault(version_id, set()).add(code)
    existing = {e.item_id: e for e in QueueEntry.objects.filter(item_id__in=list(latest))}
    new_entries, updates = [], []
    for item_id, version in latest.items():
        item = version.item
        if item.kind == ItemKind.POST or item.platform_id in own_replies:
            continue
        if item.channel.account_id and item.author_platform_id == item.channel.account_id:
            continue
        found = codes.get(version.pk, set())
        flag_codes = "," + ",".join(sorted(found)) + "," if found else ""
        prohibited = bool(found & set(PROHIBITED_CODES))
        is_dm = item.kind == ItemKind.DM
        needs_answer = is_dm or "fraga" in found
        entry = existing.get(item_id)
        if entry is None:
            new_entries.append(QueueEntry(
                item_id=item_id, channel_id=item.channel_id, is_dm=is_dm, needs_answer=needs_answer,
                received_at=item.received_at, flag_codes=flag_codes, has_prohibited_flag=prohibited,
                due_at=due_at_for(received_at=item.received_at, target_hours=item.channel.response_target_hours)
                if needs_answer else None,
            ))
        elif entry.flag_codes != flag_codes or entry.has_prohibited_flag != prohibited:
            entry.flag_codes, entry.has_prohibited_flag = flag_codes, prohibited
            updates.append(entry)
    with transaction.atomic():
        if new_entries:
            QueueEntry.objects.bulk_create(new_entries, ignore_conflicts=True, batch_size=500)
            created = QueueEntry.objects.filter(item_id__in=[e.item_id for e in new_entries]).exclude(
                audit_events__action=AuditEvent.Action.QUEUED
            )
            policy = comment_policy_version()
            AuditEvent.objects.bulk_create([
                AuditEvent(entry=e, channel_id=e.channel_id, action=AuditEvent.Action.QUEUED, codes=e.flag_code_list,
                           after=_state(e), policy_version=policy)
                for e in created
            ])
        if updates:
            QueueEntry.objects.bulk_update(updates, ["flag_codes", "has_prohibited_flag"], batch_size=500)
    return len(new_entries)


# --- claim and release ----------------------------------------------------------------------------


def entry_claim(*, user, entry: QueueEntry, request_id: str = "") -> QueueEntry:
    """Take the item: new (or forwarded to me, or claimed by someone who is absent today) → claimed by
    me. Exactly one of two racing claims wins."""
    _check_may_act(user, entry)
    before = _state(entry)
    now = timezone.now()
    condition = Q(state=QueueState.NEW) | Q(state=QueueState.FORWARDED, forwarded_to=user)
    if entry.state == QueueState.CLAIMED and entry.claimed_by_id and entry.claimed_by_id != user.pk \
            and selectors.absent_user_ids(user_ids=[entry.claimed_by_id]):
        # The person who claimed it is away: whoever covers the channel takes it over.
        condition |= Q(state=QueueState.CLAIMED, claimed_by_id=entry.claimed_by_id)
    with transaction.atomic():
        _cas(entry=entry, condition=condition & Q(pending_state=""),
             state=QueueState.CLAIMED, claimed_by=user, claimed_at=now)
        _audit(entry=entry, action=AuditEvent.Action.CLAIMED, actor=user, before=before, request_id=request_id)
    return entry


def entry_release(*, user, entry: QueueEntry, request_id: str = "") -> QueueEntry:
    """Give a claimed item back: to the person it was forwarded to, or to the queue."""
    _check_may_act(user, entry)
    before = _state(entry)
    back = QueueState.FORWARDED if entry.forwarded_to_id else QueueState.NEW
    with transaction.atomic():
        _cas(entry=entry, condition=Q(state=QueueState.CLAIMED, claimed_by=user, pending_state=""),
             state=back, claimed_by=None, claimed_at=None)
        _audit(entry=entry, action=AuditEvent.Action.RELEASED, actor=user, before=before, request_id=request_id)
    return entry


def entry_mark_viewed(*, entry: QueueEntry) -> None:
    """The first time anyone opens the item (supervision: items nobody has looked at raise an alarm)."""
    if entry.first_viewed_at is None:
        QueueEntry.objects.filter(pk=entry.pk, first_viewed_at__isnull=True).update(first_viewed_at=timezone.now())


# --- decisions ------------------------------------------------------------------------------------


def _take_for_action(*, user, entry: QueueEntry, pending_state: str) -> None:
    _cas(entry=entry, condition=_acting_q(user), state=QueueState.CLAIMED, claimed_by=user,
         claimed_at=entry.claimed_at or timezone.now(), pending_state=pending_state, action_failed=False)


def entry_answer(*, user, entry: QueueEntry, text: str, request_id: str = "") -> QueueEntry:
    """Reply on the platform through the outbox; the entry is answered when the platform confirms."""
    from channels.services import outbox_enqueue

    from .records import check_may_close

    _check_may_act(user, entry)
    text = _clean_text(text, required_message=_("Skriv ett svar."), limit=REPLY_MAX)
    check_may_close(entry=entry, motivation=text)
    if not platform_can(entry.channel, "reply"):
        raise ValidationError(_("Plattformen kan inte ta emot svar från verktyget. Svara direkt på plattformen "
                                "och registrera det som ingen åtgärd med en motivering."))
    before = _state(entry)
    with transaction.atomic():
        _take_for_action(user=user, entry=entry, pending_state=QueueState.ANSWERED)
        action = outbox_enqueue(item=entry.item, kind="reply", text=text, created_by=user,
                                idempotency_key=f"moderation:{entry.pk}:reply:{uuid.uuid4().hex}")
        QueueEntry.objects.filter(pk=entry.pk).update(pending_action=action)
        entry.pending_action = action
        _audit(entry=entry, action=AuditEvent.Action.REPLY_QUEUED, actor=user, before=before, motivation=text,
               request_id=request_id, extra={"outbox_action": action.pk})
    return entry


def entry_forward(*, user, entry: QueueEntry, to_user, note: str, request_id: str = "") -> QueueEntry:
    """Forward to a better-suited official in any förvaltning, with a note and an e-mail. The entry stays
    in the channel's queue and appears in the receiver's until they act."""
    _check_may_act(user, entry)
    note = _clean_text(note, required_message=_("Skriv en kort anteckning till mottagaren."))
    if to_user is None or not to_user.is_active or not (user_roles(to_user) & STAFF_ROLES):
        raise ValidationError(_("Välj en aktiv tjänsteperson att vidarebefordra till."))
    if to_user.pk == user.pk:
        raise ValidationError(_("Du kan inte vidarebefordra till dig själv."))
    before = _state(entry)
    with transaction.atomic():
        _cas(entry=entry, condition=_acting_q(user), state=QueueState.FORWARDED, forwarded_to=to_user,
             forwarded_by=user, claimed_by=None, claimed_at=None)
        _audit(entry=entry, action=AuditEvent.Action.FORWARDED, actor=user, before=before, motivation=note,
               request_id=request_id)
        entry_id, item_id, channel_name = entry.pk, entry.item_id, entry.channel.name
        sender = _name(user)
        transaction.on_commit(lambda: _forward_mail(to_user=to_user, sender=sender, note=note, item_id=item_id,
                                                    channel_name=channel_name, entry_id=entry_id))
    return entry


def _forward_mail(*, to_user, sender: str, note: str, item_id: int, channel_name: str, entry_id: int) -> None:
    if not to_user.email:
        return
    path = reverse("moderation-item", kwargs={"pk": item_id})
    subject = _("Vidarebefordrad till dig: en post på %(channel)s") % {"channel": channel_name}
    body = _("%(sender)s har vidarebefordrat en post på %(channel)s till dig, eftersom du är bättre lämpad att "
             "hantera den.\n\nAnteckning:\n%(note)s\n\nÖppna posten: %(url)s\n") % {
        "sender": sender, "channel": channel_name, "note": note, "url": _absolute(path)}
    send_mail(subject, body, None, [to_user.email])


def _absolute(path: str) -> str:
    base = conf.get("MODERATION_SITE_URL").rstrip("/")
    return f"{base}{path}" if base else path


def entry_no_action(*, user, entry: QueueEntry, motivation: str = "", request_id: str = "") -> QueueEntry:
    """No action needed (a discussion between others, a thank-you)."""
    from .records import check_may_close

    _check_may_act(user, entry)
    motivation = (motivation or "").strip()[:MOTIVATION_MAX]
    check_may_close(entry=entry, motivation=motivation)
    before = _state(entry)
    now = timezone.now()
    with transaction.atomic():
        _cas(entry=entry, condition=_acting_q(user), state=QueueState.NO_ACTION, claimed_by=user,
             claimed_at=entry.claimed_at or now, decided_at=now, decided_by=user)
        _audit(entry=entry, action=AuditEvent.Action.NO_ACTION, actor=user, before=before, motivation=motivation,
               request_id=request_id)
    return entry


def entry_set_needs_answer(*, user, entry: QueueEntry, needs_answer: bool, request_id: str = "") -> QueueEntry:
    """Classify the item as needing an answer or not; only those count against the response target."""
    _check_may_act(user, entry)
    before = _state(entry)
    due = due_at_for(received_at=entry.received_at, target_hours=entry.channel.response_target_hours) \
        if needs_answer else None
    with transaction.atomic():
        _cas(entry=entry, condition=Q(state__in=OPEN_STATES), needs_answer=needs_answer, due_at=due)
        _audit(entry=entry, action=AuditEvent.Action.NEEDS_ANSWER, actor=user, before=before, request_id=request_id)
    return entry


def entry_add_note(*, user, entry: QueueEntry, note: str, request_id: str = "") -> None:
    """A later note: appended to the audit trail, never changing an earlier motivation."""
    _check_may_act(user, entry)
    note = _clean_text(note, required_message=_("Skriv en anteckning."))
    with transaction.atomic():
        _audit(entry=entry, action=AuditEvent.Action.NOTE, actor=user, before=_state(entry), motivation=note,
               request_id=request_id)


# --- platform outcomes ----------------------------------------------------------------------------


def entries_reconcile_actions(*, entry_ids: list[int] | None = None) -> int:
    """Complete decisions whose outbox action the platform confirmed; flag those that failed for good.
    Idempotent; run by beat and after each action in tests. Returns the number of entries changed."""
    from channels.models import ActionState

    qs = QueueEntry.objects.exclude(pending_state="").filter(pending_action__isnull=False).select_related(
        "pending_action")
    if entry_ids is not None:
        qs = qs.filter(pk__in=entry_ids)
    changed = 0
    for entry in qs:
        action = entry.pending_action
        if action.state == ActionState.SUCCEEDED:
            before = _state(entry)
            target = entry.pending_state
            fields = {"state": target, "pending_state": "", "action_failed": False}
            if target != QueueState.CLAIMED:
                fields.update(decided_at=action.finished_at or timezone.now(), decided_by_id=entry.claimed_by_id)
            with transaction.atomic():
                if QueueEntry.objects.filter(pk=entry.pk, pending_state=target, pending_action=action).update(
                        **fields) != 1:
                    continue
                entry.refresh_from_db()
                _audit(entry=entry, action=AuditEvent.Action.PLATFORM_CONFIRMED, actor=None, before=before,
                       extra={"outbox_action": action.pk, "kind": action.kind})
            changed += 1
        elif action.state == ActionState.FAILED and not entry.action_failed:
            with transaction.atomic():
                if QueueEntry.objects.filter(pk=entry.pk, action_failed=False, pending_action=action).update(
                        action_failed=True) != 1:
                    continue
                entry.refresh_from_db()
                _audit(entry=entry, action=AuditEvent.Action.PLATFORM_FAILED, actor=None,
                       motivation=action.last_error[:MOTIVATION_MAX], extra={"outbox_action": action.pk})
            changed += 1
    return changed


def entry_retry_action(*, user, entry: QueueEntry, request_id: str = "") -> QueueEntry:
    """Try a failed platform action again (the outbox gives it a fresh attempt budget)."""
    from channels.services import outbox_retry

    _check_may_act(user, entry)
    if not entry.pending_action_id or not entry.action_failed:
        raise ValidationError(_("Det finns ingen misslyckad plattformsåtgärd att försöka igen."))
    with transaction.atomic():
        if not outbox_retry(action_id=entry.pending_action_id):
            raise ValidationError(_("Åtgärden kan inte försökas igen just nu. Ladda om sidan."))
        QueueEntry.objects.filter(pk=entry.pk).update(action_failed=False)
        entry.refresh_from_db()
        _audit(entry=entry, action=AuditEvent.Action.RETRIED, actor=user, request_id=request_id,
               extra={"outbox_action": entry.pending_action_id})
    return entry


def entry_cancel_action(*, user, entry: QueueEntry, request_id: str = "") -> QueueEntry:
    """Give up a failed platform action: the item is open again, claimed by the user. What was archived
    and logged stays."""
    _check_may_act(user, entry)
    before = _state(entry)
    with transaction.atomic():
        _cas(entry=entry, condition=Q(action_failed=True) & ~Q(pending_state=""), state=QueueState.CLAIMED,
             claimed_by=user, pending_state="", action_failed=False, decided_at=None, decided_by=None)
        _audit(entry=entry, action=AuditEvent.Action.NOTE, actor=user, before=before,
               motivation=_("Den misslyckade plattformsåtgärden avbröts."), request_id=request_id)
    return entry


def user_by_pk(pk) -> object | None:
    try:
        return get_user_model().objects.get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        return None
