"""Mastodon specifics: X-RateLimit headers, what an ordinary account cannot do, idempotent replies."""

from __future__ import annotations

import pytest

from channels.connectors.base import ItemKind, RateLimited, Unsupported

from .conftest import ACCOUNTS, poll, sim_control, sim_state

INSTANCE = ACCOUNTS["mastodon"]


def test_a_429_waits_until_x_ratelimit_reset(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "mastodon", "retry_after": 200}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("mastodon"))
    assert 190 <= info.value.retry_after <= 200


def test_remaining_zero_stops_the_next_call(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "mastodon",
                                               "variant": "remaining_zero", "retry_after": 100}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("mastodon"))
    assert 90 <= info.value.retry_after <= 100


def test_direct_messages_are_dms(sim, make_connector):
    dm = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, kind="dm", text="Privat fråga")
    items, _, _ = poll(make_connector("mastodon"))
    assert next(i for i in items if i.platform_id == dm["id"]).kind == ItemKind.DM


def test_others_statuses_cannot_be_hidden_or_deleted_but_own_can(sim, make_connector):
    connector = make_connector("mastodon")
    theirs = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Hat")
    with pytest.raises(Unsupported, match="anmäla"):
        connector.hide(platform_id=theirs["id"])
    with pytest.raises(Unsupported):
        connector.delete(platform_id=theirs["id"])
    mine = connector.reply(parent_platform_id=theirs["id"], text="Vi har anmält inlägget.")
    connector.delete(platform_id=mine)
    assert next(i for i in sim_state(sim, "mastodon") if i["id"] == mine)["deleted"] is True


def test_a_retried_reply_is_not_posted_twice(sim, make_connector):
    parent = sim_control(sim, "POST", "items", platform="mastodon", account=INSTANCE, text="Hej?")
    first = make_connector("mastodon").reply(parent_platform_id=parent["id"], text="Hej!")
    second = make_connector("mastodon").reply(parent_platform_id=parent["id"], text="Hej!")
    assert first == second
    replies = [i for i in sim_state(sim, "mastodon") if i["own"] and i["parent_id"] == parent["id"]]
    assert len(replies) == 1
    assert replies[0]["text"].startswith("@")  # the author is mentioned so they are notified


def test_an_account_is_blocked_and_unblocked_through_the_documented_endpoints(sim, make_connector):
    """POST /api/v1/accounts/:id/block and /unblock answer the Relationship with ``blocking`` set
    (docs.joinmastodon.org/methods/accounts, scope write:blocks)."""
    connector = make_connector("mastodon")
    comment = sim_control(sim, "POST", "items", platform="mastodon", account=ACCOUNTS["mastodon"], text="Idiot")
    author = comment["author_id"]
    assert connector.capabilities.can_block and connector.block(account_platform_id=author) == ""
    state = sim_control(sim, "GET", "state", platform="mastodon", account=ACCOUNTS["mastodon"])
    assert author in state["blocked"]
    connector.unblock(account_platform_id=author)
    assert author not in sim_control(sim, "GET", "state", platform="mastodon", account=ACCOUNTS["mastodon"])["blocked"]
