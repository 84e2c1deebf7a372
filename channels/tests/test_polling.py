"""Polling against the platform simulator over real HTTP: incremental, idempotent, slowed by rate
limits, stopped by expired tokens (with one e-mail per incident), and lossless under faults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from channels.models import ChannelSync, Item, ItemVersion, OutsideRemovalAlert
from channels.services import channel_credentials_set, channel_poll, thread_context_fetch
from channels.services.platform import connector_for
from channels.signals import item_version_stored
from tests.factories import ChannelFactory

from .simhelpers import connect, control, faults, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_context_tasks(settings):
    """Thread context is fetched by a worker after commit; these tests fetch it themselves."""
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False


@pytest.fixture
def fast(settings):
    """A short client timeout, so the simulator's slow answers count as timeouts quickly."""
    settings.CHANNELS_HTTP_TIMEOUT_SECONDS = 1.5


def _platform_ids(sim, channel) -> dict[str, dict]:
    """What the connector is expected to bring in: everything not written by the channel itself."""
    return {i["id"]: i for i in state(sim, channel)["items"] if not i["own"]}


def _stored(channel) -> dict[str, Item]:
    return {i.platform_id: i for i in Item.objects.filter(channel=channel)}


def test_a_poll_stores_what_the_platform_has_and_a_repoll_adds_nothing(sim, channel):
    connect(sim, channel)
    report = channel_poll(channel_id=channel.pk)
    assert report.outcome == "ok", report.error
    assert report.stored.new_items > 0
    on_platform = _platform_ids(sim, channel)
    stored = _stored(channel)
    assert set(on_platform) <= set(stored)
    # The rest are the channel's own posts, fetched as thread context.
    assert {i.kind for pid, i in stored.items() if pid not in on_platform} <= {"post"}
    again = channel_poll(channel_id=channel.pk)
    assert again.outcome == "ok"
    assert again.stored.new_items == 0 and again.stored.new_versions == 0
    assert Item.objects.filter(channel=channel).count() == len(stored)
    sync = ChannelSync.objects.get(channel=channel)
    assert sync.cursor and sync.last_success_at and sync.consecutive_failures == 0
    assert sync.next_poll_at > timezone.now()


def test_new_items_arrive_incrementally(sim, channel):
    connect(sim, channel)
    channel_poll(channel_id=channel.pk)
    before = Item.objects.filter(channel=channel).count()
    control(sim, "POST", "items", platform=channel.platform, account=channel.account_id, text="Ny fråga om bussen?")
    report = channel_poll(channel_id=channel.pk)
    assert report.stored.new_items == 1
    assert Item.objects.filter(channel=channel).count() == before + 1
    # The post it comments on is fetched as context afterwards, and the comment is linked to it.
    thread_context_fetch(channel_id=channel.pk, platform_ids=sorted(report.missing_context))
    new = Item.objects.get(channel=channel, text="Ny fråga om bussen?")
    assert new.parent is not None and new.parent.kind == "post"


@pytest.fixture
def youtube(dept):
    return ChannelFactory(department=dept, platform="youtube", public_url="https://www.youtube.com/@ludvika",
                          account_id="UCludvika0000000000001")


def test_an_edit_on_the_platform_adds_a_version(sim, youtube):
    # YouTube reports edits (updatedAt); Facebook does not show edits to polling.
    connect(sim, youtube)
    created = control(sim, "POST", "items", platform="youtube", account=youtube.account_id, text="Öppet i dag?")
    channel_poll(channel_id=youtube.pk)
    control(sim, "POST", "advance", seconds=30)
    control(sim, "POST", "edit", platform="youtube", account=youtube.account_id, id=created["id"],
            text="Öppet i dag, lördag?")
    control(sim, "POST", "advance", seconds=30)
    report = channel_poll(channel_id=youtube.pk)
    assert report.outcome == "ok", report.error
    item = Item.objects.get(channel=youtube, platform_id=created["id"])
    assert list(item.versions.values_list("number", "text")) == [(1, "Öppet i dag?"), (2, "Öppet i dag, lördag?")]
    assert item.text == "Öppet i dag, lördag?"


def test_hidden_outside_the_tool_alerts_once(sim, youtube, django_capture_on_commit_callbacks):
    sync = connect(sim, youtube)
    created = control(sim, "POST", "items", platform="youtube", account=youtube.account_id, text="Hej")
    channel_poll(channel_id=youtube.pk)
    # Someone hides the comment directly on the platform, not through the outbox.
    connector_for(channel=youtube, sync=sync).hide(platform_id=created["id"])
    control(sim, "POST", "advance", seconds=30)
    with django_capture_on_commit_callbacks(execute=True):
        channel_poll(channel_id=youtube.pk)
        control(sim, "POST", "advance", seconds=30)
        channel_poll(channel_id=youtube.pk)
    assert Item.objects.get(channel=youtube, platform_id=created["id"]).visibility == "hidden"
    assert OutsideRemovalAlert.objects.filter(item__platform_id=created["id"]).count() == 1
    assert sum("utanför verktyget" in m.subject for m in mail.outbox) == 1


def test_a_rate_limited_poll_is_slowed_down_not_failed(sim, channel):
    connect(sim, channel)
    faults(sim, next=[{"fault": "rate_limit", "retry_after": 120}])
    report = channel_poll(channel_id=channel.pk)
    assert report.outcome == "rate_limited"
    sync = ChannelSync.objects.get(channel=channel)
    assert sync.consecutive_failures == 0 and sync.last_error == ""
    assert sync.next_poll_at >= timezone.now() + dt.timedelta(seconds=60)
    assert sync.rate_limited_until == sync.next_poll_at


def test_an_expired_token_marks_the_channel_and_mails_once(
    sim, channel, representative, django_capture_on_commit_callbacks
):
    connect(sim, channel)
    control(sim, "POST", "expire-token", platform=channel.platform, account=channel.account_id)
    with django_capture_on_commit_callbacks(execute=True):
        first = channel_poll(channel_id=channel.pk)
    assert first.outcome == "needs_reauth"
    with django_capture_on_commit_callbacks(execute=True):
        second = channel_poll(channel_id=channel.pk)
    assert second.outcome == "needs_reauth"
    sync = ChannelSync.objects.get(channel=channel)
    assert sync.needs_reauth
    reauth_mail = [m for m in mail.outbox if "loggas in på nytt" in m.subject]
    assert len(reauth_mail) == 1
    assert set(reauth_mail[0].to) == {representative.email, "informator@ludvika.se"}
    assert "sim-token" not in sync.last_error
    # New credentials end the incident; a later expiry is a new incident with a new mail.
    control(sim, "POST", "expire-token", platform=channel.platform, account=channel.account_id, expired=False)
    channel_credentials_set(channel=channel, credentials={"access_token": "sim-token-new-0002"})
    assert channel_poll(channel_id=channel.pk).outcome == "ok"
    control(sim, "POST", "expire-token", platform=channel.platform, account=channel.account_id)
    with django_capture_on_commit_callbacks(execute=True):
        channel_poll(channel_id=channel.pk)
    assert len([m for m in mail.outbox if "loggas in på nytt" in m.subject]) == 2


def test_the_cursor_advances_only_with_a_committed_page(sim, channel):
    connect(sim, channel)
    channel_poll(channel_id=channel.pk)
    cursor_before = ChannelSync.objects.get(channel=channel).cursor
    count_before = Item.objects.filter(channel=channel).count()
    control(sim, "POST", "items", platform=channel.platform, account=channel.account_id, text="Andra")

    def fail_on_new_comment(*, version, **kwargs):
        if version.text == "Andra":
            raise RuntimeError("screening down")

    item_version_stored.connect(fail_on_new_comment, dispatch_uid="fail")
    try:
        with pytest.raises(RuntimeError):
            channel_poll(channel_id=channel.pk)
    finally:
        item_version_stored.disconnect(dispatch_uid="fail")
    sync = ChannelSync.objects.get(channel=channel)
    assert sync.cursor == cursor_before
    assert Item.objects.filter(channel=channel).count() == count_before
    assert sync.lease_token == "" and "RuntimeError" in sync.last_error
    assert channel_poll(channel_id=channel.pk).stored.new_items >= 1
    assert Item.objects.filter(channel=channel, text="Andra").count() == 1
    assert ChannelSync.objects.get(channel=channel).cursor != cursor_before


def _poll_until_complete(sim, channel, rounds: int = 150) -> list[str]:
    """Poll, as the scheduler would, until everything on the platform is stored."""
    outcomes = []
    wanted = set(_platform_ids(sim, channel))
    for _ in range(rounds):
        outcomes.append(channel_poll(channel_id=channel.pk).outcome)
        if wanted <= set(_stored(channel)):
            break
    return outcomes


@pytest.mark.parametrize(
    "fault_rates",
    [
        {"5xx": 0.3},
        {"timeout": 0.2},
        {"rate_limit": 0.2, "storm": 10},
        {"malformed": 0.2, "truncated": 0.2},
        {"5xx": 0.1, "timeout": 0.05, "rate_limit": 0.1, "malformed": 0.05, "truncated": 0.05},
    ],
    ids=["5xx", "timeouts", "429-storm", "malformed", "mixed"],
)
def test_nothing_is_lost_or_duplicated_under_faults(sim, channel, fast, fault_rates):
    connect(sim, channel)
    fault_rates = dict(fault_rates)
    storm = fault_rates.pop("storm", 0)
    faults(sim, rates=fault_rates, timeout_s=2.0, next=[{"fault": "rate_limit", "retry_after": 1}] * storm)
    for i in range(3):
        control(sim, "POST", "items", platform=channel.platform, account=channel.account_id, text=f"Fråga {i}?")
    outcomes = _poll_until_complete(sim, channel)
    faults(sim, clear=True)
    assert len(outcomes) < 150, outcomes
    # With the faults gone one more poll succeeds; re-reading what was stored duplicates nothing.
    final = channel_poll(channel_id=channel.pk)
    assert final.outcome == "ok", final
    on_platform = _platform_ids(sim, channel)
    stored = _stored(channel)
    assert set(on_platform) <= set(stored)
    assert {i.kind for pid, i in stored.items() if pid not in on_platform} <= {"post"}
    for pid, item in on_platform.items():
        assert stored[pid].text == item["text"]
    assert ItemVersion.objects.filter(item__channel=channel, number=1).count() == len(stored)
    for item in stored.values():
        assert item.versions.count() == item.version_count
    assert ChannelSync.objects.get(channel=channel).lease_token == ""
