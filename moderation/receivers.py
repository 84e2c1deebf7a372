"""Screening of every stored item version, connected in ModerationConfig.ready().

The receiver is cheap: it only collects the version id. All versions stored in one transaction are
screened by a single Celery task (queue ``default``) enqueued once, after commit; nothing is
screened inside the storing transaction, so ingest speed does not depend on screening. The hooks are
registered with ``robust=True``: if the broker is down, the error is logged and the stored items
are not affected (``manage.py shell -c "from moderation.services import channel_rescreen; ..."``
screens a channel's open items again).
"""

from __future__ import annotations

import threading

from django.db import transaction

_local = threading.local()


class _Batch:
    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self) -> None:
        ids, self.ids = self.ids, []
        if getattr(_local, "batch", None) is self:
            _local.batch = None
        if ids:
            from .tasks import versions_screen_task

            versions_screen_task.delay(ids)


def _pending_batch() -> _Batch | None:
    """The batch registered for the current transaction, if its on-commit hook is still pending
    (after a rollback Django drops the hook, and a new batch is started)."""
    batch = getattr(_local, "batch", None)
    if batch is None:
        return None
    connection = transaction.get_connection()
    if any(entry[1] is batch for entry in connection.run_on_commit):
        return batch
    return None


def item_version_stored_receiver(sender, version, **kwargs) -> None:
    if not transaction.get_connection().in_atomic_block:
        from .tasks import versions_screen_task

        transaction.on_commit(lambda: versions_screen_task.delay([version.pk]), robust=True)
        return
    batch = _pending_batch()
    if batch is None:
        batch = _Batch()
        _local.batch = batch
        transaction.on_commit(batch, robust=True)
    batch.ids.append(version.pk)


def outbox_action_finished_receiver(sender, action_id, **kwargs) -> None:
    """The platform has confirmed (or finally refused) an action: complete the decision that waited
    for it now, so the item page's status changes within seconds. Runs in the outbox worker."""
    from .models import QueueEntry
    from .services.workspace import entries_reconcile_actions

    entry_ids = list(QueueEntry.objects.filter(pending_action_id=action_id).values_list("pk", flat=True))
    if entry_ids:
        entries_reconcile_actions(entry_ids=entry_ids)


def csam_marked_receiver(sender, channel_id, platform_id, marking_sequence, marked_by=None, **kwargs) -> None:
    """The records officer marked an item as suspected CSAM (archive.signals.csam_marked): clear the
    workspace's copies of its content and close its entry, in the marking's transaction (an error here
    rolls the marking back)."""
    from .services.csam import entry_close_for_csam

    entry_close_for_csam(channel_id=channel_id, platform_id=platform_id, marking_sequence=marking_sequence,
                         marked_by=marked_by)


def records_culled_receiver(sender, items, now, **kwargs) -> dict[str, int]:
    """A gallring run culled these items' records (archive.signals.records_culled): the workspace's
    copies of their content go in the same transaction; the counts go into the protocol."""
    from .services.handoff import workspace_purge_culled

    return workspace_purge_culled(items=items)


def public_channel_notes_receiver(sender, channel_ids, **kwargs) -> dict[int, list[str]]:
    """The channels' approved additions to the list, published with their public entries
    (registry.signals.public_channel_notes)."""
    from .selectors import approved_additions
    from .services.rules import addition_public_text

    return {channel_id: [addition_public_text(a) for a in additions]
            for channel_id, additions in approved_additions(channel_ids=channel_ids).items()}
