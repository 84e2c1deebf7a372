"""The outbox of platform actions (reply, hide, unhide, delete): created in the caller's
transaction, executed after commit by a worker, at most once.

Execution claims the row by compare-and-set (pending → running, exactly one row), so a retried or
redelivered task whose action already ran does nothing. A running row whose lease expired had an
unknown outcome (a timeout, a killed worker); a reply in that state is first looked up on the
platform with connector.find_own_reply, so it is never posted twice. Hide and delete rows carry the
archive snapshot taken before them (DESIGN §6.1), which the database enforces.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..connectors.base import ConnectorError, NotFound, RateLimited
from ..models import ActionKind, ActionState, Item, OutboxAction, Visibility
from ..signals import outbox_action_finished
from .common import backoff_seconds, scrub
from .platform import NotConnectable, connector_for
from .sync import channel_credentials_get, channel_sync_get_or_create

logger = logging.getLogger(__name__)


class OutboxRefused(Exception):
    """The action cannot be queued as asked (e.g. a hide without an archive snapshot)."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(_setting("CHANNELS_OUTBOX_LEASE_SECONDS", 300)))


def outbox_enqueue(
    *,
    item: Item,
    kind: str,
    idempotency_key: str,
    text: str = "",
    created_by=None,
    snapshot=None,
) -> OutboxAction:
    """Queue a platform action on ``item`` in the caller's transaction; it runs after commit.

    Enqueuing the same idempotency key again returns the existing action and queues nothing new.
    ``snapshot`` is the archive record of the item taken for this action; hide and delete need one."""
    if kind not in ActionKind.values:
        raise OutboxRefused(f"unknown action {kind!r}")
    if kind == ActionKind.REPLY and not text.strip():
        raise OutboxRefused("a reply needs text")
    if kind in (ActionKind.HIDE, ActionKind.DELETE) and snapshot is None:
        raise OutboxRefused("hide and delete need the archive snapshot taken before them")
    if kind in (ActionKind.BLOCK, ActionKind.UNBLOCK) and snapshot is None:
        raise OutboxRefused("a block needs its archived decision")
    defaults = {"channel_id": item.channel_id, "item": item, "kind": kind, "text": text, "created_by": created_by}
    if snapshot is not None:
        defaults["snapshot"] = snapshot
    with transaction.atomic():
        action, created = OutboxAction.objects.get_or_create(idempotency_key=idempotency_key, defaults=defaults)
        if created:
            action_id = action.pk
            # robust: with the broker down the action stays pending (the sweep enqueues it later),
            # and the caller's committed decision must not turn into an error page.
            transaction.on_commit(lambda: _enqueue(action_id), robust=True)
    return action


def _enqueue(action_id: int, countdown: float | None = None) -> None:
    from ..tasks import outbox_execute_task

    if countdown:
        outbox_execute_task.apply_async(args=[action_id], countdown=countdown)
    else:
        outbox_execute_task.delay(action_id)


@dataclass
class ExecuteResult:
    action: OutboxAction | None
    executed: bool = False  # this call claimed and ran it
    retry_in: float | None = None  # seconds until the next attempt, when a transient error left it pending


def _claim(action_id: int, now: dt.datetime) -> tuple[bool, bool]:
    """(claimed, reconcile). Pending and due → running; or a stale running row → running again."""
    fields = {"state": ActionState.RUNNING, "attempts": F("attempts") + 1, "started_at": now,
              "lease_expires_at": now + _lease()}
    claimed = (
        OutboxAction.objects.filter(pk=action_id, state=ActionState.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(**fields)
    )
    if claimed == 1:
        return True, False
    stale = OutboxAction.objects.filter(pk=action_id, state=ActionState.RUNNING, lease_expires_at__lte=now).update(
        **fields
    )
    return stale == 1, stale == 1


def outbox_execute(*, action_id: int) -> ExecuteResult:
    """Run one queued action if it is still to be done. Safe to call any number of times."""
    now = timezone.now()
    claimed, reconcile = _claim(action_id, now)
    action = OutboxAction.objects.select_related("item", "channel").filter(pk=action_id).first()
    if not claimed or action is None:
        return ExecuteResult(action=action)
    item = action.item
    secrets: dict = {}
    try:
        sync = channel_sync_get_or_create(channel=action.channel)
        secrets = channel_credentials_get(sync=sync)
        connector = connector_for(channel=action.channel, sync=sync)
        result_id = ""
        if action.kind == ActionKind.REPLY:
            existing = None
            if reconcile or action.attempts > 1:
                # An earlier attempt may have posted it before failing to hear back.
                existing = connector.find_own_reply(parent_platform_id=item.platform_id, text=action.text)
            result_id = existing or connector.reply(parent_platform_id=item.platform_id, text=action.text)
        elif action.kind == ActionKind.HIDE:
            connector.hide(platform_id=item.platform_id)
        elif action.kind == ActionKind.UNHIDE:
            connector.unhide(platform_id=item.platform_id)
        elif action.kind == ActionKind.DELETE:
            with contextlib.suppress(NotFound):  # already gone: the outcome we wanted
                connector.delete(platform_id=item.platform_id)
        elif action.kind == ActionKind.BLOCK:
            result_id = connector.block(account_platform_id=item.author_platform_id)
        elif action.kind == ActionKind.UNBLOCK:
            connector.unblock(account_platform_id=item.author_platform_id, block_ref=action.text)
    except ConnectorError as exc:
        result = _attempt_failed(action, exc, secrets=secrets, transient=exc.transient)
    except NotConnectable as exc:
        result = _attempt_failed(action, exc, secrets=secrets, transient=False)
    else:
        result = _succeeded(action, result_id)
    if result.action.state in (ActionState.SUCCEEDED, ActionState.FAILED):
        _announce_finished(result.action.pk)
    return result


def _announce_finished(action_id: int) -> None:
    # A receiver's failure must not turn a done platform action into a failed task (the task would
    # be retried and find nothing to do): log it; the periodic reconcile catches up.
    for receiver, outcome in outbox_action_finished.send_robust(sender=OutboxAction, action_id=action_id):
        if isinstance(outcome, Exception):
            logger.error("outbox action %s: %s failed: %s", action_id, getattr(receiver, "__name__", receiver),
                         type(outcome).__name__)


def _succeeded(action: OutboxAction, result_id: str) -> ExecuteResult:
    now = timezone.now()
    with transaction.atomic():
        done = OutboxAction.objects.filter(pk=action.pk, state=ActionState.RUNNING, started_at=action.started_at).update(
            state=ActionState.SUCCEEDED, result_platform_id=result_id or "", finished_at=now, last_error="",
            lease_expires_at=None,
        )
        visibility = {ActionKind.HIDE: Visibility.HIDDEN, ActionKind.UNHIDE: Visibility.VISIBLE,
                      ActionKind.DELETE: Visibility.DELETED}.get(action.kind)
        if done and visibility:
            # Our own change: the next poll sees it already recorded and raises no alert.
            Item.objects.filter(pk=action.item_id).exclude(visibility=visibility).update(
                visibility=visibility, visibility_changed_at=now
            )
    action.refresh_from_db()
    return ExecuteResult(action=action, executed=True)


def _attempt_failed(action: OutboxAction, exc: Exception, *, secrets: dict, transient: bool) -> ExecuteResult:
    now = timezone.now()
    error = scrub(f"{type(exc).__name__}: {exc}", secrets=secrets)
    max_attempts = int(_setting("CHANNELS_OUTBOX_MAX_ATTEMPTS", 6))
    if transient and action.attempts < max_attempts:
        if isinstance(exc, RateLimited):
            delay = max(1.0, float(exc.retry_after))
        else:
            delay = backoff_seconds(
                attempt=action.attempts,
                base=float(_setting("CHANNELS_OUTBOX_BACKOFF_BASE_SECONDS", 10)),
                cap=float(_setting("CHANNELS_OUTBOX_BACKOFF_CAP_SECONDS", 900)),
            )
        OutboxAction.objects.filter(pk=action.pk, state=ActionState.RUNNING, started_at=action.started_at).update(
            state=ActionState.PENDING, last_error=error, next_attempt_at=now + dt.timedelta(seconds=delay),
            lease_expires_at=None,
        )
        action.refresh_from_db()
        return ExecuteResult(action=action, executed=True, retry_in=delay)
    OutboxAction.objects.filter(pk=action.pk, state=ActionState.RUNNING, started_at=action.started_at).update(
        state=ActionState.FAILED, last_error=error, finished_at=now, lease_expires_at=None
    )
    logger.warning("outbox action %s failed: %s", action.pk, error)
    action.refresh_from_db()
    return ExecuteResult(action=action, executed=True)


@transaction.atomic
def outbox_retry(*, action_id: int) -> bool:
    """Manual retry of a failed action: back to pending with a fresh attempt budget."""
    changed = OutboxAction.objects.filter(pk=action_id, state=ActionState.FAILED).update(
        state=ActionState.PENDING, attempts=0, next_attempt_at=None, finished_at=None
    )
    if changed == 1:
        transaction.on_commit(lambda: _enqueue(action_id), robust=True)
    return changed == 1


def outbox_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Re-enqueue actions a lost message left behind: pending and due, or running with an expired
    lease (those are reconciled before anything is posted again)."""
    now = now or timezone.now()
    stale_after = now - dt.timedelta(seconds=int(_setting("CHANNELS_OUTBOX_SWEEP_GRACE_SECONDS", 120)))
    ids = list(
        OutboxAction.objects.filter(
            Q(state=ActionState.PENDING, created_at__lte=stale_after)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=stale_after))
            | Q(state=ActionState.RUNNING, lease_expires_at__lte=now)
        ).values_list("pk", flat=True)[:500]
    )
    for action_id in ids:
        _enqueue(action_id)
    return ids
