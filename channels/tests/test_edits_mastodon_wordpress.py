"""Edits and status changes made on Mastodon and WordPress after a poll come back in a later poll
(over real HTTP to the platform simulator), so the store adds a version or marks the visibility."""

from __future__ import annotations

import pytest
import requests

from channels.connectors.base import Visibility
from channels.models import Item
from channels.services import channel_poll
from tests.factories import ChannelFactory

from .conftest import ACCOUNTS, TOKENS, poll, sim_control
from .simhelpers import connect, control

INSTANCE = ACCOUNTS["mastodon"]
BLOG = ACCOUNTS["wordpress"]


def _one(items, platform_id):
    found = [i for i in items if i.platform_id == platform_id]
    assert len(found) == 1, f"{platform_id} reported {len(found)} times"
    return found[0]


# Mastodon ----------------------------------------------------------------------------------------

def test_mastodon_simulator_shows_an_edit_in_the_mention_and_notifies_it_to_boosters_only(sim):
    boosted = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Öppet i dag?")
    mentioned = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Stängt i dag?")
    base = sim.url("mastodon", site=INSTANCE)
    headers = {"Authorization": f"Bearer {TOKENS['mastodon']}"}
    requests.post(f"{base}/api/v1/statuses/{boosted['id']}/reblog", headers=headers, timeout=5).raise_for_status()
    sim_control(sim, "POST", "advance", seconds=30)
    for status in (boosted, mentioned):
        sim_control(sim, "POST", "edit", platform="mastodon", account=INSTANCE, id=status["id"], text="Ändrad text")
    url = f"{base}/api/v1/notifications"
    mentions = requests.get(url, params={"types[]": ["mention"]}, headers=headers, timeout=5).json()
    updates = requests.get(url, params={"types[]": ["update"]}, headers=headers, timeout=5).json()
    for status in (boosted, mentioned):
        mention = next(n for n in mentions if n["status"]["id"] == status["id"])
        assert mention["status"]["edited_at"] and "Ändrad text" in mention["status"]["content"]
    assert [n["status"]["id"] for n in updates] == [boosted["id"]]
    assert updates[0]["type"] == "update" and updates[0]["status"]["edited_at"]
    assert int(updates[0]["id"]) > max(int(n["id"]) for n in mentions)  # a new notification, after the mentions


def test_mastodon_edit_after_a_poll_comes_back_once_with_the_new_text(sim, make_connector):
    connector = make_connector("mastodon")
    status = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Öppet i dag?")
    items, cursor, _ = poll(connector)
    assert _one(items, status["id"]).edited_at is None
    sim_control(sim, "POST", "advance", seconds=30)
    sim_control(sim, "POST", "edit", platform="mastodon", account=INSTANCE, id=status["id"], text="Öppet i dag, lördag?")
    items, cursor, failures = poll(connector, cursor)
    assert failures == []
    edited = _one(items, status["id"])
    assert edited.text.endswith("Öppet i dag, lördag?")
    assert edited.edited_at is not None and edited.edited_at > edited.created_at
    items, _, _ = poll(connector, cursor)
    assert status["id"] not in [i.platform_id for i in items]


def test_mastodon_edit_of_a_boosted_status_comes_back_by_its_update_notification(sim, make_connector):
    connector = make_connector("mastodon")
    status = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Öppet i dag?")
    requests.post(f"{sim.url('mastodon', site=INSTANCE)}/api/v1/statuses/{status['id']}/reblog",
                  headers={"Authorization": f"Bearer {TOKENS['mastodon']}"}, timeout=5).raise_for_status()
    _, cursor, _ = poll(connector, {"edit_recheck": 0})  # only the update notification can bring it back
    sim_control(sim, "POST", "edit", platform="mastodon", account=INSTANCE, id=status["id"], text="Öppet i morgon?")
    items, cursor, _ = poll(connector, cursor)
    assert _one(items, status["id"]).text.endswith("Öppet i morgon?")
    items, _, _ = poll(connector, cursor)
    assert status["id"] not in [i.platform_id for i in items]


def test_mastodon_edit_beyond_the_rechecked_mentions_is_not_seen(sim, make_connector):
    connector = make_connector("mastodon")
    status = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Öppet i dag?")
    _, cursor, _ = poll(connector, {"edit_recheck": 1})
    sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="En senare fråga")
    _, cursor, _ = poll(connector, cursor)
    assert status["id"] not in cursor["states"]
    sim_control(sim, "POST", "edit", platform="mastodon", account=INSTANCE, id=status["id"], text="Ändrad")
    items, _, _ = poll(connector, cursor)
    assert status["id"] not in [i.platform_id for i in items]


# WordPress ---------------------------------------------------------------------------------------

def _comment_then_time_passes(sim, connector, text: str, first_cursor: dict | None = None):
    """A comment seen by a first poll, then ten minutes and a newer comment: the first is now older
    than the watermark's overlap, so only the re-read window can bring its changes back."""
    comment = sim_control(sim, "POST", "items", platform="wordpress", account=BLOG, text=text)
    _, cursor, _ = poll(connector, first_cursor)
    sim_control(sim, "POST", "advance", seconds=600)
    sim_control(sim, "POST", "items", platform="wordpress", account=BLOG, text="En senare fråga")
    _, cursor, _ = poll(connector, cursor)
    return comment, cursor


def test_wordpress_edit_in_the_window_comes_back_once_with_the_new_text(sim, make_connector):
    connector = make_connector("wordpress")
    comment, cursor = _comment_then_time_passes(sim, connector, "När töms soporna?")
    sim_control(sim, "POST", "edit", platform="wordpress", account=BLOG, id=comment["id"],
                text="När töms soporna på Storgatan?")
    items, cursor, failures = poll(connector, cursor)
    assert failures == []
    assert _one(items, comment["id"]).text == "När töms soporna på Storgatan?"
    items, _, _ = poll(connector, cursor)
    assert comment["id"] not in [i.platform_id for i in items]


def test_wordpress_edit_older_than_the_window_is_not_read_again(sim, make_connector):
    connector = make_connector("wordpress")
    comment, cursor = _comment_then_time_passes(sim, connector, "Gammal fråga", {"edit_window_hours": 0})
    assert comment["id"] not in cursor["states"]
    sim_control(sim, "POST", "edit", platform="wordpress", account=BLOG, id=comment["id"], text="Ändrad")
    items, _, _ = poll(connector, cursor)
    assert comment["id"] not in [i.platform_id for i in items]


@pytest.mark.parametrize(("status", "expected"), [("hold", Visibility.HIDDEN), ("trash", Visibility.DELETED)])
def test_wordpress_status_changed_on_the_site_comes_back_as_visibility(sim, make_connector, status, expected):
    connector = make_connector("wordpress")
    comment, cursor = _comment_then_time_passes(sim, connector, "Köp billiga klockor")
    # The site's administrator changes the status in wp-admin (the same REST call the connector makes).
    requests.post(f"{sim.url('wordpress', site=BLOG)}/wp-json/wp/v2/comments/{comment['id']}",
                  json={"status": status}, auth=("admin", TOKENS["wordpress"]), timeout=5).raise_for_status()
    items, cursor, _ = poll(connector, cursor)
    assert _one(items, comment["id"]).visibility == expected
    items, cursor, _ = poll(connector, cursor)
    assert comment["id"] not in [i.platform_id for i in items]
    # Approved again: visible again.
    requests.post(f"{sim.url('wordpress', site=BLOG)}/wp-json/wp/v2/comments/{comment['id']}",
                  json={"status": "approved"}, auth=("admin", TOKENS["wordpress"]), timeout=5).raise_for_status()
    items, _, _ = poll(connector, cursor)
    assert _one(items, comment["id"]).visibility == Visibility.VISIBLE


# The store -------------------------------------------------------------------------------------

@pytest.fixture
def no_context_tasks(settings):
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False


@pytest.mark.django_db
@pytest.mark.parametrize("platform", ["mastodon", "wordpress"])
def test_an_edit_on_the_platform_adds_a_version_in_the_store(sim, dept, no_context_tasks, platform):
    channel = ChannelFactory(department=dept, platform=platform, account_id="kommunen",
                             public_url=f"https://{platform}.ludvika.example/")
    connect(sim, channel)
    site = "demo"  # connect() points the channel at the simulator's default site
    created = control(sim, "POST", "items", platform=platform, account=site, text="Öppet i dag?")
    assert channel_poll(channel_id=channel.pk).outcome == "ok"
    control(sim, "POST", "advance", seconds=600)
    control(sim, "POST", "edit", platform=platform, account=site, id=created["id"], text="Öppet i dag, lördag?")
    report = channel_poll(channel_id=channel.pk)
    assert report.outcome == "ok", report.error
    item = Item.objects.get(channel=channel, platform_id=created["id"])
    versions = list(item.versions.values_list("number", "text"))
    assert [n for n, _ in versions] == [1, 2]
    assert versions[0][1].endswith("Öppet i dag?") and versions[1][1].endswith("Öppet i dag, lördag?")
    again = channel_poll(channel_id=channel.pk)
    assert again.stored.new_versions == 0
