"""The workspace side of a suspected-CSAM marking (DESIGN §4: never stored).

Called by the receiver of archive.signals.csam_marked (moderation.receivers) inside the marking's
transaction, next to the channels purge of the item itself. What moderation keeps that could carry
the content is cleared: the flags' explanations (they quote the matched words) and a direct message's
hand-off copy (.eml; its SHA-256 stays as the receipt). A pending second-moderator approval is
refused. The queue entry is closed as deleted by the records officer, with an audit row that names
the marking, so the item page and the queue show the item as removed under a CSAM marking. An item
that has no entry yet (screening still to run) gets one, already closed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.selectors import comment_policy_version

from ..models import AuditEvent, Flag, Handoff, QueueEntry, QueueState, RemovalApproval
from .workspace import _audit, _state

# Sexual material depicting children is pornography the law forbids (barnpornografibrott, BrB 16:10 a):
# the decision cites both codes.
CSAM_CODES = ["vald_porr", "brott"]


def entry_close_for_csam(*, channel_id: int | None, platform_id: str, marking_sequence: int,
                         marked_by=None) -> QueueEntry | None:
    """Clear moderation's copies of a marked item's content and close its queue entry. Runs in the
    caller's (the marking's) transaction; returns the entry, or None when the item is not in the
    workspace (no live item, or a post of the channel's own)."""
    from channels.models import Item, ItemKind, OutboxAction
    from channels.services.purge import csam_outbox_key

    if channel_id is None or not platform_id:
        return None
    item = Item.objects.select_related("channel").filter(channel_id=channel_id, platform_id=platform_id).first()
    if item is None:
        return None
    now = timezone.now()
    Flag.objects.filter(version__item_id=item.pk).update(
        explanation=_("Förklaringen är borttagen: posten är markerad som misstänkt sexuellt övergreppsmaterial "
                      "mot barn.")[:300]
    )
    Handoff.objects.filter(entry__item_id=item.pk).update(eml="")
    entry = QueueEntry.objects.select_for_update().filter(item_id=item.pk).first()
    if entry is None:
        own = bool(item.channel.account_id) and item.author_platform_id == item.channel.account_id
        if item.kind == ItemKind.POST or own:
            return None
        entry = QueueEntry.objects.create(
            item=item, channel_id=item.channel_id, is_dm=item.kind == ItemKind.DM, received_at=item.received_at,
            state=QueueState.DELETED, decided_at=now, decided_by=marked_by,
        )
        AuditEvent.objects.create(entry=entry, channel_id=entry.channel_id, action=AuditEvent.Action.QUEUED,
                                  after=_state(entry), policy_version=comment_policy_version())
        before: dict = {}
    else:
        before = _state(entry)
        if marked_by is not None:  # a refusal names who decided it (approval_decision_recorded)
            RemovalApproval.objects.filter(entry=entry, status=RemovalApproval.Status.PENDING).update(
                status=RemovalApproval.Status.REFUSED, decided_by=marked_by, decided_at=now,
                decision_note=_("Avbrutet: posten är markerad som misstänkt sexuellt övergreppsmaterial mot barn."),
            )
        QueueEntry.objects.filter(pk=entry.pk).update(
            state=QueueState.DELETED, pending_state="", action_failed=False, decided_at=now, decided_by=marked_by,
        )
        entry.refresh_from_db()
    action = OutboxAction.objects.filter(
        idempotency_key__in=[csam_outbox_key(marking_sequence=marking_sequence, kind=k) for k in ("delete", "hide")]
    ).first()
    _audit(
        entry=entry, action=AuditEvent.Action.DELETED, actor=marked_by, before=before, codes=CSAM_CODES,
        motivation=_("Markerad av registrator som misstänkt sexuellt övergreppsmaterial mot barn (arkivpost "
                     "%(sequence)s). Innehållet är borttaget ur verktyget och arkivet; bara metadata, hashvärden "
                     "och polisanmälans referens finns kvar.") % {"sequence": marking_sequence},
        extra={"csam_marking_sequence": marking_sequence, "outbox_action": action.pk if action else None},
    )
    return entry


def entry_escalate_csam(*, user, entry: QueueEntry, police_report_reference: str, note: str = "") -> QueueEntry:
    """A representative marks an item in the inbox as suspected child sexual abuse material, without
    waiting for the records officer: no fresh copy of the content is stored (the marking keeps
    metadata, hashes and the police-report reference only), every archived copy of the item becomes a
    tombstone, the records quoting it are redacted, the live copies are purged, the platform is asked
    to delete it, and the item leaves the ordinary queue (closed by the marking's receivers)."""
    from archive.models import ArchiveRecord, RecordType
    from archive.services import capture_csam_marking, csam_mark_with_files

    from .removal import item_snapshot
    from .workspace import _check_may_act

    _check_may_act(user, entry)
    item = entry.item
    record = (ArchiveRecord.objects.filter(channel_id=entry.channel_id, platform_id=item.platform_id,
                                           culled_at__isnull=True)
              .exclude(record_type__in=[RecordType.CSAM_MARKING]).order_by("-sequence").first())
    with transaction.atomic():
        if record is not None:
            csam_mark_with_files(record=record, police_report_reference=police_report_reference, marked_by=user,
                                 note=note)
        else:
            capture_csam_marking(snapshot=item_snapshot(entry=entry), police_report_reference=police_report_reference,
                                 marked_by=user, note=note)
    entry.refresh_from_db()
    return entry
