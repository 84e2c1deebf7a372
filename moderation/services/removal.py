"""Unpublish, delete, restore and manual removals, and the objectivity safeguard's approvals.

Archive-before-act: the content-and-sender snapshot is written by archive.services.snapshot_for_removal
in the decision's transaction, and the outbox hide/delete row references it, so no platform call can
exist unless the snapshot commits (DESIGN §6.1). The codes and motivation are fixed at the decision.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import AuditEvent, QueueEntry, QueueState, RemovalApproval, RemovalKind
from .workspace import (
    _acting_q,
    _audit,
    _cas,
    _check_may_act,
    _clean_text,
    _state,
    _take_for_action,
    clean_codes,
    platform_can,
)


def item_snapshot(*, entry: QueueEntry) -> dict:
    """The self-contained content-and-sender snapshot of the item for the archive (text, author id,
    name and profile URL, thread context, attachments, raw payload)."""
    from channels.models import Attachment, Item, ItemVersion

    item = entry.item
    channel = entry.channel
    department = channel.department
    context = {i.platform_id: i.text for i in Item.objects.filter(
        channel_id=item.channel_id, platform_id__in=[p for p in (item.thread_platform_id, item.parent_platform_id) if p]
    )}
    version = ItemVersion.objects.filter(item=item).order_by("-number").only("id", "number").first()
    iso = lambda v: v.isoformat() if v else None  # noqa: E731
    return {
        "channel": {
            "id": channel.pk, "name": channel.name, "platform": channel.platform, "public_url": channel.public_url,
            "account_id": channel.account_id, "department": department.name,
            "board": {"id": department.board_id, "name": department.board.name},
        },
        "platform": channel.platform,
        "platform_id": item.platform_id,
        "kind": item.kind,
        "version": version.number if version else item.version_count,
        "thread": {
            "root_platform_id": item.thread_platform_id, "root_text": context.get(item.thread_platform_id, ""),
            "parent_platform_id": item.parent_platform_id, "parent_text": context.get(item.parent_platform_id, ""),
        },
        "author": {"platform_id": item.author_platform_id, "name": item.author_name,
                   "profile_url": item.author_profile_url},
        "text": item.text,
        "attachments": [
            {"url": a.url, "media_type": a.media_type, "sha256": a.sha256, "size": a.size}
            for a in Attachment.objects.filter(item=item).order_by("pk")
        ],
        "created_at": iso(item.created_at),
        "edited_at": iso(item.edited_at),
        "received_at": iso(item.received_at),
        "visibility": item.visibility,
        "raw": item.raw,
        "source": {"item_id": item.pk, "version_id": version.pk if version else None},
    }


def needs_second_approval(*, entry: QueueEntry, criticism: bool) -> bool:
    """Objectivity safeguard: criticism of the municipality or its politicians, without a prohibited
    flag from screening, needs a second moderator (per förvaltning; on by default)."""
    if not criticism or entry.has_prohibited_flag:
        return False
    return selectors.department_settings(department_id=entry.channel.department_id).objectivity_second_approval


def entry_remove(*, user, entry: QueueEntry, kind: str, codes, motivation: str, criticism: bool,
                 request_id: str = "") -> str:
    """Unpublish (hide) or delete, citing at least one prohibited code and a motivation written now.

    Returns "queued" (snapshot archived, platform action queued) or "approval" (a second moderator
    must approve first: nothing is archived or sent until then)."""
    _check_may_act(user, entry)
    if kind not in RemovalKind.values:
        raise ValidationError(_("Välj avpublicera eller radera."))
    codes = clean_codes(codes)
    motivation = _clean_text(motivation, required_message=_("Skriv en motivering. Den sparas med beslutet och kan "
                                                             "inte ändras i efterhand."))
    if not platform_can(entry.channel, kind):
        raise ValidationError(_("Plattformen kan inte göra detta via verktyget. Gör det direkt på plattformen och "
                                "registrera den manuella åtgärden här."))
    if needs_second_approval(entry=entry, criticism=criticism):
        before = _state(entry)
        target = QueueState.UNPUBLISHED if kind == RemovalKind.HIDE else QueueState.DELETED
        with transaction.atomic():
            _take_for_action(user=user, entry=entry, pending_state=target)
            approval = RemovalApproval.objects.create(entry=entry, kind=kind, codes=codes, motivation=motivation,
                                                      requested_by=user)
            _audit(entry=entry, action=AuditEvent.Action.APPROVAL_REQUESTED, actor=user, before=before, codes=codes,
                   motivation=motivation, request_id=request_id,
                   extra={"approval": approval.pk, "kind": kind, "criticism": True})
        return "approval"
    with transaction.atomic():
        before = _state(entry)
        target = QueueState.UNPUBLISHED if kind == RemovalKind.HIDE else QueueState.DELETED
        _take_for_action(user=user, entry=entry, pending_state=target)
        _removal_execute(entry=entry, decided_by=user, actor=user, kind=kind, codes=codes, motivation=motivation,
                         before=before, request_id=request_id, criticism=criticism)
    return "queued"


def _removal_execute(*, entry, decided_by, actor, kind, codes, motivation, before, request_id, criticism,
                     approval=None) -> None:
    """Archive-before-act inside the caller's transaction: snapshot → outbox row referencing it → audit."""
    from archive.services import snapshot_for_removal
    from channels.services import outbox_enqueue

    record = snapshot_for_removal(snapshot=item_snapshot(entry=entry), decided_by=decided_by, codes=codes,
                                  reason=motivation)
    action = outbox_enqueue(item=entry.item, kind=kind, created_by=actor, snapshot=record,
                            idempotency_key=f"moderation:{entry.pk}:{kind}:{uuid.uuid4().hex}")
    QueueEntry.objects.filter(pk=entry.pk).update(pending_action=action)
    entry.pending_action = action
    extra = {"outbox_action": action.pk, "archive_sequence": record.sequence, "kind": kind, "criticism": criticism}
    if approval is not None:
        extra["approval"] = approval.pk
    _audit(entry=entry, action=AuditEvent.Action.UNPUBLISHED if kind == RemovalKind.HIDE else AuditEvent.Action.DELETED,
           actor=actor, before=before, codes=codes, motivation=motivation, request_id=request_id, extra=extra)


def approval_decide(*, user, approval: RemovalApproval, approve: bool, note: str = "",
                    request_id: str = "") -> RemovalApproval:
    """The second moderator approves (the removal is archived and queued now, in the proposer's words)
    or refuses (the item goes back to the proposer, claimed)."""
    entry = approval.entry
    _check_may_act(user, entry)
    if user.pk == approval.requested_by_id:
        raise ValidationError(_("Godkännandet måste göras av en annan moderator."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(_("Skriv varför avpubliceringen inte godkänns."))
    now = timezone.now()
    with transaction.atomic():
        changed = RemovalApproval.objects.filter(pk=approval.pk, status=RemovalApproval.Status.PENDING).update(
            status=RemovalApproval.Status.APPROVED if approve else RemovalApproval.Status.REFUSED,
            decided_by=user, decided_at=now, decision_note=note,
        )
        if changed != 1:
            raise ValidationError(_("Förslaget har redan prövats av någon annan. Ladda om sidan."))
        approval.refresh_from_db()
        before = _state(entry)
        _audit(entry=entry, action=AuditEvent.Action.APPROVAL_GRANTED if approve else AuditEvent.Action.APPROVAL_REFUSED,
               actor=user, before=before, codes=approval.codes, motivation=note, request_id=request_id,
               extra={"approval": approval.pk})
        if approve:
            _removal_execute(entry=entry, decided_by=approval.requested_by, actor=user, kind=approval.kind,
                             codes=approval.codes, motivation=approval.motivation, before=before,
                             request_id=request_id, criticism=True, approval=approval)
        else:
            _cas(entry=entry, condition=Q(pending_state__in=[QueueState.UNPUBLISHED, QueueState.DELETED]),
                 pending_state="")
    return approval


def entry_record_manual(*, user, entry: QueueEntry, kind: str, codes, motivation: str, platform_note: str,
                        request_id: str = "") -> QueueEntry:
    """Where the platform cannot hide or delete through its API: the moderator removes the item by hand
    on the platform and records it here. The snapshot is archived first, as for any removal."""
    from archive.services import snapshot_for_removal

    _check_may_act(user, entry)
    if kind not in RemovalKind.values:
        raise ValidationError(_("Välj avpublicera eller radera."))
    codes = clean_codes(codes)
    motivation = _clean_text(motivation, required_message=_("Skriv en motivering."))
    platform_note = _clean_text(platform_note, required_message=_("Beskriv vad du gjorde på plattformen."))
    before = _state(entry)
    now = timezone.now()
    target = QueueState.UNPUBLISHED if kind == RemovalKind.HIDE else QueueState.DELETED
    with transaction.atomic():
        _cas(entry=entry, condition=_acting_q(user), state=target, claimed_by=user,
             claimed_at=entry.claimed_at or now, decided_at=now, decided_by=user)
        record = snapshot_for_removal(snapshot=item_snapshot(entry=entry), decided_by=user, codes=codes,
                                      reason=motivation)
        _audit(entry=entry, action=AuditEvent.Action.MANUAL, actor=user, before=before, codes=codes,
               motivation=motivation, request_id=request_id,
               extra={"kind": kind, "platform_note": platform_note, "archive_sequence": record.sequence})
    return entry


def entry_restore(*, user, entry: QueueEntry, motivation: str, request_id: str = "") -> QueueEntry:
    """Restore (unhide) an unpublished item: a decision of its own, with a motivation. The item returns
    to the restorer, claimed, to be answered or closed."""
    from channels.services import outbox_enqueue

    _check_may_act(user, entry)
    motivation = _clean_text(motivation, required_message=_("Skriv varför posten återställs."))
    if not platform_can(entry.channel, "unhide"):
        raise ValidationError(_("Plattformen kan inte visa posten igen via verktyget."))
    before = _state(entry)
    with transaction.atomic():
        _cas(entry=entry, condition=Q(state=QueueState.UNPUBLISHED, pending_state=""), state=QueueState.CLAIMED,
             claimed_by=user, claimed_at=timezone.now(), decided_at=None, decided_by=None,
             pending_state=QueueState.CLAIMED, action_failed=False)
        action = outbox_enqueue(item=entry.item, kind="unhide", created_by=user,
                                idempotency_key=f"moderation:{entry.pk}:unhide:{uuid.uuid4().hex}")
        QueueEntry.objects.filter(pk=entry.pk).update(pending_action=action)
        entry.pending_action = action
        _audit(entry=entry, action=AuditEvent.Action.RESTORED, actor=user, before=before, motivation=motivation,
               request_id=request_id, extra={"outbox_action": action.pk})
    return entry
