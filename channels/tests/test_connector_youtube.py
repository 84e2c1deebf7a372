"""YouTube specifics: quota until midnight Pacific, held comments, reject instead of delete, edits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from channels.connectors.base import RateLimited, Visibility
from channels.connectors.youtube import seconds_until_quota_reset

from .conftest import ACCOUNTS, poll, sim_control, sim_state

CHANNEL = ACCOUNTS["youtube"]


def test_quota_exceeded_waits_until_midnight_pacific(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "youtube"}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("youtube"))
    assert abs(info.value.retry_after - seconds_until_quota_reset()) < 5


def test_the_quota_reset_is_the_next_pacific_midnight():
    noon_pacific = dt.datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert seconds_until_quota_reset(noon_pacific.astimezone(dt.UTC)) == 12 * 3600
    winter = dt.datetime(2026, 1, 15, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert seconds_until_quota_reset(winter) == 3600


def test_a_429_with_retry_after_is_rate_limited(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "youtube", "variant": "429",
                                               "retry_after": 42}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("youtube"))
    assert info.value.retry_after == 42


def test_comments_held_for_review_arrive_hidden(sim, make_connector):
    held = sim_control(sim, "POST", "items", platform="youtube", account=CHANNEL, text="Jävla idioter", held=True)
    items, _, _ = poll(make_connector("youtube"))
    assert next(i for i in items if i.platform_id == held["id"]).visibility == Visibility.HIDDEN


def test_hide_holds_for_review_and_unhide_publishes(sim, make_connector):
    connector = make_connector("youtube")
    comment = sim_control(sim, "POST", "items", platform="youtube", account=CHANNEL, text="Skit")
    sim_control(sim, "DELETE", "requests")
    connector.hide(platform_id=comment["id"])
    logged = sim_control(sim, "GET", "requests")["requests"][-1]
    assert logged["path"].endswith("comments/setModerationStatus")
    assert logged["query"]["moderationStatus"] == ["heldForReview"]
    assert next(i for i in sim_state(sim, "youtube") if i["id"] == comment["id"])["held"] is True
    connector.unhide(platform_id=comment["id"])
    assert next(i for i in sim_state(sim, "youtube") if i["id"] == comment["id"])["held"] is False


def test_deleting_someone_elses_comment_rejects_it_and_own_comments_are_deleted(sim, make_connector):
    connector = make_connector("youtube")
    theirs = sim_control(sim, "POST", "items", platform="youtube", account=CHANNEL, text="Hot")
    connector.delete(platform_id=theirs["id"])
    state = next(i for i in sim_state(sim, "youtube") if i["id"] == theirs["id"])
    assert state["rejected"] is True and state["deleted"] is False
    other = sim_control(sim, "POST", "items", platform="youtube", account=CHANNEL, text="Fråga")
    mine = connector.reply(parent_platform_id=other["id"], text="Svar")
    connector.delete(platform_id=mine)
    assert next(i for i in sim_state(sim, "youtube") if i["id"] == mine)["deleted"] is True


def test_an_edit_is_read_again_with_its_edit_time(sim, make_connector):
    comment = sim_control(sim, "POST", "items", platform="youtube", account=CHANNEL, text="Öppet?")
    _, cursor, _ = poll(make_connector("youtube"))
    sim_control(sim, "POST", "advance", seconds=30)
    sim_control(sim, "POST", "edit", platform="youtube", account=CHANNEL, id=comment["id"], text="Öppet i dag?")
    items, _, _ = poll(make_connector("youtube"), cursor)
    edited = next(i for i in items if i.platform_id == comment["id"])
    assert edited.text == "Öppet i dag?" and edited.edited_at is not None
