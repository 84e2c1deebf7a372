"""/healthz: 200 with every check ok, 503 naming the failing check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.services import snapshot_for_removal
from channels.models import ActionState, ChannelSync, OutboxAction
from channels.services import channel_credentials_set, items_store
from channels.tests.helpers import make_item, make_post

pytestmark = pytest.mark.django_db


def _health(client):
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


def _polled_channel(channel, *, last_success_at):
    channel_credentials_set(channel=channel, credentials={"access_token": "sim-token-0001"})
    ChannelSync.objects.filter(channel=channel).update(last_success_at=last_success_at)


def test_healthz_is_ok_for_a_fresh_installation(client):
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "polling", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_ok_when_the_last_poll_is_recent(client, channel):
    _polled_channel(channel, last_success_at=timezone.now() - dt.timedelta(minutes=2))
    status, body = _health(client)
    assert status == 200 and body["checks"]["polling"]["last_success_age_seconds"] < 200


def test_healthz_fails_when_polling_has_stalled(client, channel, settings):
    settings.HEALTH_POLL_MAX_AGE_SECONDS = 600
    _polled_channel(channel, last_success_at=timezone.now() - dt.timedelta(minutes=30))
    status, body = _health(client)
    assert status == 503
    assert body["status"] == "fail" and body["checks"]["polling"]["ok"] is False
    assert body["checks"]["database"]["ok"] and body["checks"]["outbox"]["ok"]


def test_healthz_fails_when_a_channel_is_set_up_but_never_polled(client, channel):
    _polled_channel(channel, last_success_at=None)
    status, body = _health(client)
    assert status == 503 and body["checks"]["polling"]["last_success_age_seconds"] is None


def _action(channel, *, created_at, state=ActionState.PENDING) -> OutboxAction:
    items_store(channel=channel, items=[make_post(), make_item("c-1")])
    item = channel.items.get(platform_id="c-1")
    record = snapshot_for_removal(snapshot={"platform": channel.platform, "platform_id": "c-1", "text": item.text,
                                            "author": {"name": item.author_name}},
                                  decided_by=None, codes=["fortal"], reason="Test")
    action = OutboxAction.objects.create(idempotency_key=f"k-{created_at.timestamp()}", channel=channel, item=item,
                                         kind="hide", snapshot=record, state=state)
    OutboxAction.objects.filter(pk=action.pk).update(created_at=created_at)
    return action


def test_healthz_fails_on_an_outbox_backlog_older_than_the_threshold(client, channel, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 300
    _action(channel, created_at=timezone.now() - dt.timedelta(minutes=20))
    status, body = _health(client)
    assert status == 503 and body["checks"]["outbox"] == {"ok": False, "backlog": 1, "older_than_seconds": 300}


def test_healthz_ignores_recent_and_finished_actions(client, channel, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 300
    _action(channel, created_at=timezone.now() - dt.timedelta(seconds=30))
    status, body = _health(client)
    assert status == 200 and body["checks"]["outbox"]["backlog"] == 0


def test_healthz_fails_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.HEALTH_BROKER_TIMEOUT_SECONDS = 0.5
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["broker"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"]["ok"]


def test_healthz_is_not_cached_and_answers_only_get(client):
    response = client.get(reverse("healthz"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post(reverse("healthz")).status_code == 405
