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
from registry.models import ChannelStatus
from tests.factories import ChannelFactory

from .helpers import make_item

pytestmark = pytest.mark.django_db


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


def test_the_beat_tick_enqueues_each_due_channel_once(channel, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from channels import tasks

    sent = []
    original = tasks.channel_poll_task.delay
    tasks.channel_poll_task.delay = lambda channel_id: sent.append(channel_id)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = polls_enqueue_due()
            second = polls_enqueue_due()
    finally:
        tasks.channel_poll_task.delay = original
    assert channel.pk in first
    assert channel.pk not in second  # the guard time keeps it from being queued again
    assert sent.count(channel.pk) == 1
    assert ChannelSync.objects.filter(channel=channel).exists()
