"""The outbox against the platform simulator: each action runs at most once, transient failures
retry with backoff, an unknown outcome is reconciled before a reply is posted again, and the
database refuses a hide or delete without its archive snapshot."""

from __future__ import annotations

import time

import pytest
from django.db import IntegrityError, transaction

from archive.models import ArchiveRecord
from channels.models import ActionState, Item, OutboxAction
from channels.services import OutboxRefused, outbox_enqueue, outbox_execute, outbox_retry

from .simhelpers import connect, control, faults, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_context_tasks(settings):
    """Thread context is fetched by a worker after commit; these tests fetch it themselves."""
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False

REPLY = "Hej! Biblioteket öppnar kl. 10 på lördagar. /Rut, Ludvika bibliotek"


@pytest.fixture
def comment(sim, channel) -> Item:
    from channels.services import channel_poll

    connect(sim, channel)
    created = control(sim, "POST", "items", platform=channel.platform, account=channel.account_id,
                      text="När öppnar biblioteket på lördag?")
    assert channel_poll(channel_id=channel.pk).outcome == "ok"
    return Item.objects.get(channel=channel, platform_id=created["id"])


def _reply_count(sim, channel, parent_id: str) -> int:
    return sum(1 for i in state(sim, channel)["items"] if i["own"] and i["text"] == REPLY and not i["deleted"])


def _enqueue(comment, kind="reply", key="reply-1", **kwargs) -> OutboxAction:
    with transaction.atomic():
        return outbox_enqueue(item=comment, kind=kind, idempotency_key=key, text=REPLY if kind == "reply" else "",
                              **kwargs)


def test_a_reply_is_executed_once_even_when_the_task_runs_twice(sim, channel, comment):
    action = _enqueue(comment)
    first = outbox_execute(action_id=action.pk)
    second = outbox_execute(action_id=action.pk)
    assert first.executed and not second.executed
    action.refresh_from_db()
    assert action.state == ActionState.SUCCEEDED and action.attempts == 1
    assert action.result_platform_id
    assert _reply_count(sim, channel, comment.platform_id) == 1


def test_enqueueing_the_same_key_twice_gives_one_action_and_one_scheduled_run(
    sim, channel, comment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a = _enqueue(comment)
        b = _enqueue(comment)
    assert a.pk == b.pk
    assert OutboxAction.objects.count() == 1
    assert len(callbacks) == 1  # execution is scheduled once, after commit


def test_redelivery_after_success_does_nothing(sim, channel, comment):
    action = _enqueue(comment)
    outbox_execute(action_id=action.pk)
    control(sim, "DELETE", "requests")
    again = outbox_execute(action_id=action.pk)
    assert not again.executed
    assert control(sim, "GET", "requests")["requests"] == []


def test_a_transient_failure_retries_then_succeeds(sim, channel, comment):
    action = _enqueue(comment)
    faults(sim, next=[{"fault": "5xx", "status": 503}])
    first = outbox_execute(action_id=action.pk)
    assert first.retry_in is not None and first.retry_in > 0
    action.refresh_from_db()
    assert action.state == ActionState.PENDING and "TransientError" in action.last_error
    # Not yet due: a task arriving early does nothing.
    assert not outbox_execute(action_id=action.pk).executed
    OutboxAction.objects.filter(pk=action.pk).update(next_attempt_at=None)
    second = outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert second.executed and action.state == ActionState.SUCCEEDED and action.attempts == 2
    assert _reply_count(sim, channel, comment.platform_id) == 1


def test_a_reply_with_an_unknown_outcome_is_reconciled_not_posted_twice(sim, channel, comment, settings):
    settings.CHANNELS_HTTP_TIMEOUT_SECONDS = 1.0
    action = _enqueue(comment)
    # The platform takes the reply but answers after the client has given up.
    faults(sim, next=[{"fault": "timeout", "delay_s": 1.5}])
    first = outbox_execute(action_id=action.pk)
    assert first.retry_in is not None
    time.sleep(1.0)  # the simulator finishes handling the timed-out request
    OutboxAction.objects.filter(pk=action.pk).update(next_attempt_at=None)
    outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.state == ActionState.SUCCEEDED
    assert _reply_count(sim, channel, comment.platform_id) == 1


def test_a_stale_running_reply_is_reconciled_after_a_killed_worker(sim, channel, comment):
    from channels.models import ChannelSync
    from channels.services.platform import connector_for

    action = _enqueue(comment)
    # A worker posted the reply and died before recording it: the row is running with an expired lease.
    posted = connector_for(channel=channel, sync=ChannelSync.objects.get(channel=channel)).reply(parent_platform_id=comment.platform_id, text=REPLY)
    OutboxAction.objects.filter(pk=action.pk).update(state=ActionState.RUNNING, attempts=1,
                                                      lease_expires_at="2000-01-01T00:00:00Z")
    result = outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert result.executed and action.state == ActionState.SUCCEEDED
    assert action.result_platform_id == posted
    assert _reply_count(sim, channel, comment.platform_id) == 1


def test_a_running_action_with_a_live_lease_is_left_alone(sim, channel, comment):
    action = _enqueue(comment)
    OutboxAction.objects.filter(pk=action.pk).update(state=ActionState.RUNNING, attempts=1,
                                                      lease_expires_at="2999-01-01T00:00:00Z")
    assert not outbox_execute(action_id=action.pk).executed
    assert _reply_count(sim, channel, comment.platform_id) == 0


def test_failures_are_bounded_then_failed_with_the_error_and_retried_by_hand(sim, channel, comment, settings):
    settings.CHANNELS_OUTBOX_MAX_ATTEMPTS = 2
    action = _enqueue(comment)
    faults(sim, next=[{"fault": "5xx", "status": 502}, {"fault": "5xx", "status": 502}])
    outbox_execute(action_id=action.pk)
    OutboxAction.objects.filter(pk=action.pk).update(next_attempt_at=None)
    outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.state == ActionState.FAILED and "TransientError" in action.last_error
    assert outbox_retry(action_id=action.pk)
    outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.state == ActionState.SUCCEEDED
    assert _reply_count(sim, channel, comment.platform_id) == 1


def test_hide_without_a_snapshot_is_refused_by_the_service_and_the_database(sim, channel, comment):
    with pytest.raises(OutboxRefused):
        _enqueue(comment, kind="hide", key="hide-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxAction.objects.create(idempotency_key="hide-raw", channel=channel, item=comment, kind="hide")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxAction.objects.create(idempotency_key="delete-raw", channel=channel, item=comment, kind="delete")


def test_a_hide_with_its_snapshot_hides_on_the_platform_and_raises_no_alert(sim, channel, comment):
    from channels.models import OutsideRemovalAlert
    from channels.services import channel_poll

    snapshot = ArchiveRecord.objects.filter(platform_id=comment.platform_id).first()
    action = _enqueue(comment, kind="hide", key="hide-2", snapshot=snapshot)
    outbox_execute(action_id=action.pk)
    action.refresh_from_db()
    assert action.state == ActionState.SUCCEEDED
    on_platform = next(i for i in state(sim, channel)["items"] if i["id"] == comment.platform_id)
    assert on_platform["hidden"] is True
    control(sim, "POST", "advance", seconds=5)
    channel_poll(channel_id=channel.pk)
    assert Item.objects.get(pk=comment.pk).visibility == "hidden"
    assert not OutsideRemovalAlert.objects.exists()
