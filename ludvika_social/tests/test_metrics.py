"""/metrics: Prometheus text from the database at scrape time plus request latency; only for
allow-listed addresses, the bearer token or a logged-in informatör."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import ChannelSync
from moderation.models import QueueEntry
from moderation.tests.workspace_helpers import arrive

pytestmark = pytest.mark.django_db


def _value(text: str, name: str, **labels) -> float:
    label_text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = "^" + re.escape(name) + (r"\{" + re.escape(label_text) + r"\}" if labels else "") + r" (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{name} {labels} not in metrics"
    return float(match.group(1))


def _scrape(client, **extra) -> str:
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


def test_anonymous_without_token_or_allowed_address_is_sent_to_login(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    settings.METRICS_TOKEN = "a-long-metrics-token-for-tests"
    response = client.get(reverse("metrics"))
    assert response.status_code == 302 and "/logga-in/" in response["Location"]
    wrong = client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 302


def test_an_allow_listed_address_may_scrape(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.2.0/24"]
    assert "ludvika_up 1.0" in _scrape(client, REMOTE_ADDR="10.1.2.7")
    assert client.get(reverse("metrics"), REMOTE_ADDR="10.1.3.7").status_code == 302


def test_the_bearer_token_may_scrape(client, settings):
    settings.METRICS_TOKEN = "a-long-metrics-token-for-tests"
    assert "ludvika_up 1.0" in _scrape(client, HTTP_AUTHORIZATION="Bearer a-long-metrics-token-for-tests")


def test_an_empty_token_setting_never_matches(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 302


def test_staff_other_than_the_informator_are_refused(client, representative, informator):
    client.force_login(representative)
    assert client.get(reverse("metrics")).status_code == 403
    client.force_login(informator)
    assert client.get(reverse("metrics")).status_code == 200


def test_metrics_report_queue_depth_overdue_and_poll_errors(client, settings, channel):
    settings.METRICS_TOKEN = "a-long-metrics-token-for-tests"
    auth = {"HTTP_AUTHORIZATION": "Bearer a-long-metrics-token-for-tests"}
    first = arrive(channel, "c-1", "När öppnar biblioteket på lördag?")
    arrive(channel, "c-2", "Tack för en fin kväll!", minute=2)
    QueueEntry.objects.filter(pk=first.pk).update(needs_answer=True, due_at=timezone.now() - dt.timedelta(hours=1))
    ChannelSync.objects.update_or_create(channel=channel, defaults={
        "consecutive_failures": 3, "last_success_at": timezone.now() - dt.timedelta(hours=2)})
    text = _scrape(client, **auth)
    assert _value(text, "ludvika_queue_open_entries") == 2
    assert _value(text, "ludvika_queue_entries", state="new") == 2
    assert _value(text, "ludvika_queue_overdue_entries") == 1
    assert _value(text, "ludvika_channels_poll_failing", platform=channel.platform) == 1
    assert _value(text, "ludvika_poll_consecutive_failures", platform=channel.platform) == 3
    assert _value(text, "ludvika_poll_last_success_age_seconds", platform=channel.platform) >= 7200
    assert _value(text, "ludvika_outbox_failed_actions") == 0


def test_request_latency_is_counted_per_url_name(client, settings):
    settings.METRICS_TOKEN = "a-long-metrics-token-for-tests"
    auth = {"HTTP_AUTHORIZATION": "Bearer a-long-metrics-token-for-tests"}
    name = "ludvika_http_request_duration_seconds_count"
    before_text = _scrape(client, **auth)
    before = _value(before_text, name, method="GET", view="healthz") if 'view="healthz"' in before_text else 0
    client.get(reverse("healthz"))
    client.get(reverse("healthz"))
    after = _value(_scrape(client, **auth), name, method="GET", view="healthz")
    assert after == before + 2
