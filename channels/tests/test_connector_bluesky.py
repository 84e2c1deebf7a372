"""Bluesky specifics: sessions, ratelimit-* headers, threadgate hiddenReplies, no deleting others."""

from __future__ import annotations

import pytest

from channels.connectors.base import AuthorizationExpired, RateLimited, Unsupported

from .conftest import ACCOUNTS, poll, sim_control, sim_state

DID = ACCOUNTS["bluesky"]


def test_a_session_is_created_from_the_app_password(sim, make_connector):
    sim_control(sim, "DELETE", "requests")
    poll(make_connector("bluesky"))
    first = sim_control(sim, "GET", "requests")["requests"][0]
    assert first["path"] == "xrpc/com.atproto.server.createSession"


def test_a_wrong_app_password_is_authorization_expired(sim, make_connector):
    with pytest.raises(AuthorizationExpired):
        poll(make_connector("bluesky", token="expired-app-password"))


def test_a_429_waits_until_ratelimit_reset(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "bluesky", "retry_after": 150}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("bluesky"))
    assert 140 <= info.value.retry_after <= 151


def test_remaining_zero_stops_the_next_call(sim, make_connector):
    connector = make_connector("bluesky")
    poll(connector)  # the session exists
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "bluesky",
                                               "variant": "remaining_zero", "retry_after": 100}])
    with pytest.raises(RateLimited):
        poll(connector)


def test_hiding_writes_the_threadgate_of_the_root_post(sim, make_connector):
    connector = make_connector("bluesky")
    comment = sim_control(sim, "POST", "items", platform="bluesky", account=DID, text="Idiot")
    connector.hide(platform_id=comment["id"])
    state = sim_control(sim, "GET", "state", platform="bluesky", account=DID)
    gate = state["threadgates"][comment["post_id"]]
    assert gate["record"]["hiddenReplies"] == [comment["id"]]
    assert gate["uri"].endswith("/app.bsky.feed.threadgate/" + comment["post_id"].rsplit("/", 1)[-1])
    connector.unhide(platform_id=comment["id"])
    state = sim_control(sim, "GET", "state", platform="bluesky", account=DID)
    assert state["threadgates"][comment["post_id"]]["record"]["hiddenReplies"] == []


def test_replies_in_someone_elses_thread_cannot_be_hidden(sim, make_connector):
    visitor = sim_control(sim, "POST", "items", platform="bluesky", account=DID, kind="visitor_post", text="@kommunen")
    reply = sim_control(sim, "POST", "items", platform="bluesky", account=DID, parent_id=visitor["id"], text="Dum")
    with pytest.raises(Unsupported):
        make_connector("bluesky").hide(platform_id=reply["id"])
    assert not next(i for i in sim_state(sim, "bluesky") if i["id"] == reply["id"])["hidden"]
