"""One poll per channel at a time: the lease is a compare-and-set claim with an expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from channels.models import ChannelSync
from channels.services import (
    LeaseLost,
    channels_due_for_poll,
    items_store,
    poll_claim,
    poll_release,
    polls_enqueue_due,
)
from ludvika_social.celery import app as celery_app
from registry.models import ChannelStatus
from tests.factories import ChannelFactory

from .helpers import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll_queue():
    """The ``poll`` queue of the test settings' in-memory broker, empty before and after the test.

    Named here rather than read from the routes: polls must reach the thread-pool worker, which
    consumes only ``poll``. The memory transport keeps its queues for the whole process, so whatever
    other tests' on-commit callbacks enqueued is purged first, and what this test leaves after it.
    """
    assert celery_app.conf.broker_url == "memory://" and not celery_app.conf.task_always_eager
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue("poll", accept=["json"])
        queue.clear()
        try:
            yield queue
        finally:
            queue.clear()
            queue.close()


def drain(queue) -> list[tuple[str, list]]:
    """(task name, positional arguments) of every message waiting in the queue, oldest first."""
    sent = []
    while True:
        try:
            message = queue.get(block=False)
        except queue.Empty:
            return sent
        message.ack()
        args, _kwargs, _embed = message.payload  # Celery's message protocol 2
        sent.append((message.headers["task"], args))


def test_two_claims_on_one_channel_one_wins(channel):
    sync = ChannelSync.objects.create(channel=channel)
    first = poll_claim(sync_id=sync.pk)
    second = poll_claim(sync_id=sync.pk)
    assert first is not None
    assert second is None


def test_a_released_lease_can_be_claimed_again(channel):
    sync = ChannelSync.objects.create(channel=channel)
    token = poll_claim(sync_id=sync.pk)
    assert poll_release(sync_id=sync.pk, token=token)
    assert poll_claim(sync_id=sync.pk) is not None


def test_an_expired_lease_of_a_killed_worker_is_taken_over(channel):
    sync = ChannelSync.objects.create(channel=channel)
    dead = poll_claim(sync_id=sync.pk, now=timezone.now() - dt.timedelta(hours=1))
    assert dead is not None
    taker = poll_claim(sync_id=sync.pk)
    assert taker is not None and taker != dead
    # The dead worker, were it to wake up, can neither release nor store with its old token.
    assert not poll_release(sync_id=sync.pk, token=dead)
    with pytest.raises(LeaseLost):
        items_store(channel=channel, items=[make_item("c1")], cursor={"after": "old"}, lease_token=dead)
    assert ChannelSync.objects.get(pk=sync.pk).cursor == {}


def test_due_channels_are_active_enabled_authorised_and_past_their_time(channel, other_channel):
    now = timezone.now()
    ChannelSync.objects.create(channel=channel, next_poll_at=now - dt.timedelta(seconds=1))
    ChannelSync.objects.create(channel=other_channel, next_poll_at=now + dt.timedelta(minutes=5))
    closed = ChannelFactory(status=ChannelStatus.CLOSED, closed_at=now)
    ChannelSync.objects.create(channel=closed)
    reauth = ChannelFactory()
    ChannelSync.objects.create(channel=reauth, needs_reauth=True)
    disabled = ChannelFactory()
    ChannelSync.objects.create(channel=disabled, polling_enabled=False)
    busy = ChannelFactory()
    busy_sync = ChannelSync.objects.create(channel=busy)
    poll_claim(sync_id=busy_sync.pk)
    assert set(channels_due_for_poll(now=now).values_list("channel_id", flat=True)) == {channel.pk}


def test_the_beat_tick_enqueues_each_due_channel_once_on_the_poll_queue(
    channel, django_capture_on_commit_callbacks, poll_queue
):
    with django_capture_on_commit_callbacks(execute=True):
        first = polls_enqueue_due()
        second = polls_enqueue_due()
    assert first == [channel.pk]
    assert second == []  # the guard time keeps it from being queued again
    assert drain(poll_queue) == [("channels.tasks.channel_poll_task", [channel.pk])]
    assert ChannelSync.objects.filter(channel=channel).exists()


def test_the_tick_sends_nothing_before_its_transaction_commits(channel, django_capture_on_commit_callbacks, poll_queue):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert polls_enqueue_due() == [channel.pk]
    # A worker must not poll a channel whose guard time might still be rolled back.
    assert drain(poll_queue) == []
    for callback in callbacks:
        callback()
    assert drain(poll_queue) == [("channels.tasks.channel_poll_task", [channel.pk])]
