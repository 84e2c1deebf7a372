"""The signed Meta webhook: signature checked, comments stored through the poll's upsert path, so the
same comment arriving by webhook and by poll is stored once; a hide made on Facebook alerts at once."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json

import pytest
from django.core import mail
from django.urls import reverse

from channels.models import Item, ItemVersion, OutsideRemovalAlert
from channels.services import channel_poll

from .simhelpers import connect, control

pytestmark = pytest.mark.django_db

SECRET = "meta-app-secret-for-tests"


@pytest.fixture(autouse=True)
def meta_settings(settings):
    settings.META_APP_SECRET = SECRET
    settings.META_WEBHOOK_VERIFY_TOKEN = "verifiera-mig"
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False


def _post(client, payload, *, secret=SECRET):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(reverse("channels-meta-webhook"), body, content_type="application/json",
                       HTTP_X_HUB_SIGNATURE_256=signature)


_clock = itertools.count(1740902130)


def _comment(page_id, comment_id, *, verb="add", message="När öppnar badhuset?", post_id="p1", time=None):
    """A feed change as Meta documents it; each delivery a second later than the one before."""
    time = next(_clock) if time is None else time
    return {"object": "page", "entry": [{"id": page_id, "time": time, "changes": [{"field": "feed", "value": {
        "item": "comment", "verb": verb, "comment_id": comment_id, "post_id": post_id, "parent_id": post_id,
        "from": {"id": "5550001", "name": "Anna Andersson"}, "message": message, "created_time": 1740902130}}]}]}


def test_the_subscription_check_answers_the_challenge_only_with_the_right_token(client):
    url = reverse("channels-meta-webhook")
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "verifiera-mig", "hub.challenge": "42"})
    assert ok.status_code == 200 and ok.content == b"42"
    bad = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "fel", "hub.challenge": "42"})
    assert bad.status_code == 403


def test_an_unsigned_or_wrongly_signed_delivery_is_refused_and_stores_nothing(client, channel):
    assert _post(client, _comment(channel.account_id, "p1_c1"), secret="fel").status_code == 403
    body = json.dumps(_comment(channel.account_id, "p1_c1"))
    assert client.post(reverse("channels-meta-webhook"), body, content_type="application/json").status_code == 403
    assert not Item.objects.exists()


def test_a_delivery_twice_stores_the_comment_once(client, channel):
    assert _post(client, _comment(channel.account_id, "p1_c1")).status_code == 200
    assert _post(client, _comment(channel.account_id, "p1_c1")).status_code == 200
    item = Item.objects.get(channel=channel, platform_id="p1_c1")
    assert (item.text, item.author_name, item.kind) == ("När öppnar badhuset?", "Anna Andersson", "comment")
    assert item.versions.count() == 1


def test_an_edited_delivery_adds_a_version(client, channel):
    _post(client, _comment(channel.account_id, "p1_c1"))
    _post(client, _comment(channel.account_id, "p1_c1", verb="edited", message="När öppnar badhuset på söndag?"))
    assert list(ItemVersion.objects.filter(item__platform_id="p1_c1").values_list("number", flat=True)) == [1, 2]


def test_a_hide_on_facebook_alerts_once(client, channel, django_capture_on_commit_callbacks):
    _post(client, _comment(channel.account_id, "p1_c1"))
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _comment(channel.account_id, "p1_c1", verb="hide"))
        _post(client, _comment(channel.account_id, "p1_c1", verb="hide"))
    assert Item.objects.get(platform_id="p1_c1").visibility == "hidden"
    assert OutsideRemovalAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_comment_by_webhook_and_by_poll_is_stored_once(client, sim, channel):
    connect(sim, channel)
    created = control(sim, "POST", "items", platform="facebook", account=channel.account_id, text="Hej kommunen!")
    payload = _comment(channel.account_id, created["id"], message="Hej kommunen!", post_id=created["post_id"])
    assert _post(client, payload).status_code == 200
    report = channel_poll(channel_id=channel.pk)
    assert report.outcome == "ok", report.error
    assert Item.objects.filter(channel=channel, platform_id=created["id"]).count() == 1
    assert ItemVersion.objects.filter(item__channel=channel, item__platform_id=created["id"]).count() == 1


def test_a_replayed_older_delivery_changes_nothing_and_raises_no_alert(client, channel):
    first = _comment(channel.account_id, "p1_c1", message="Första texten", time=1740902200)
    edit = _comment(channel.account_id, "p1_c1", verb="edited", message="Andra texten", time=1740902300)
    hide = _comment(channel.account_id, "p1_c1", verb="hide", time=1740902400)
    for delivery in (first, edit, hide):
        assert _post(client, delivery).status_code == 200
    alerts = OutsideRemovalAlert.objects.count()
    for delivery in (first, edit, first, hide):  # Meta retries; an old delivery replayed
        assert _post(client, delivery).status_code == 200
    item = Item.objects.get(platform_id="p1_c1")
    assert item.text == "Andra texten" and item.visibility == "hidden"
    assert list(ItemVersion.objects.filter(item=item).order_by("number").values_list("text", flat=True)) == [
        "Första texten", "Andra texten"]
    assert OutsideRemovalAlert.objects.count() == alerts


@pytest.mark.parametrize("mangle", [
    lambda d: d["entry"][0].update(changes={"field": "feed"}),
    lambda d: d["entry"][0]["changes"].__setitem__(0, "feed"),
    lambda d: d.update(entry="ingen lista"),
    lambda d: d["entry"][0]["changes"][0]["value"].update(created_time=1e20),
    lambda d: d["entry"][0]["changes"][0]["value"].update(created_time="igår"),
    lambda d: d["entry"][0].update(time="nu"),
])
def test_a_signed_delivery_that_is_not_what_meta_documents_answers_400_and_stores_nothing(client, channel, mangle):
    delivery = _comment(channel.account_id, "p1_c1")
    mangle(delivery)
    response = _post(client, delivery)
    assert response.status_code == 400
    assert not Item.objects.exists()


def test_a_surrogate_or_nul_in_a_signed_delivery_is_stored_cleaned(client, channel):
    delivery = _comment(channel.account_id, "p1_c1", message="Hej \ud800 och \x00 nul")
    body = json.dumps(delivery).encode()  # JSON escapes both, as a platform would send them
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.post(reverse("channels-meta-webhook"), body, content_type="application/json",
                           HTTP_X_HUB_SIGNATURE_256=signature)
    assert response.status_code == 200
    assert Item.objects.get(platform_id="p1_c1").text == "Hej \ufffd och  nul"
