"""Bluesky specifics: sessions, ratelimit-* headers, threadgate hiddenReplies, no deleting others."""

from __future__ import annotations

import pytest

from channels.connectors.base import AuthorizationExpired, RateLimited, Unsupported

from .conftest import ACCOUNTS, poll, sim_control, sim_state
from .simhelpers import connector_platform_id

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


def _dm_id(state_item: dict) -> str:
    return f"chat/{state_item['conversation_id']}/{state_item['id'].rsplit('/', 1)[-1]}"


def _incoming_dms(sim) -> set[str]:
    """Every resident's DM to the channel (generated or injected), as the connector names them."""
    return {_dm_id(i) for i in sim_state(sim, "bluesky") if i["kind"] == "dm" and not i["own"] and not i["deleted"]}


def test_the_session_is_for_the_channels_did_even_when_the_credentials_name_another_handle(sim, make_connector):
    """The reliability test's channels had the login "kommun": every channel read that account."""
    connector = make_connector("bluesky")
    connector.credentials = {"username": "kommun", "password": "sim-app-password"}
    sim_control(sim, "DELETE", "requests")
    items, _cursor, _failures = poll(connector)
    assert connector.did == DID
    expected = {connector_platform_id("bluesky", i) for i in sim_state(sim, "bluesky") if not i["own"] and not i["deleted"]}
    assert expected and {i.platform_id for i in items} == expected


def test_polling_while_time_passes_returns_every_item_once(sim, make_connector):
    connector = make_connector("bluesky", page_size=7)
    connector.credentials = {"username": "kommun", "password": "sim-app-password"}
    seen: list[str] = []
    cursor: dict = {}
    for _minute in range(12):
        sim_control(sim, "POST", "advance", seconds=60)
        items, cursor, failures = poll(connector, cursor)
        assert not failures
        seen.extend(i.platform_id for i in items if i.kind != "dm")
    expected = {i["id"] for i in sim_state(sim, "bluesky") if not i["own"] and i["kind"] != "dm"}
    assert set(seen) == expected
    assert len(expected) > 40
    edited = {i["id"] for i in sim_state(sim, "bluesky") if len(i["versions"]) > 1}
    assert len(seen) - len(set(seen)) <= len(edited)  # only an edit is returned again


def test_dms_are_read_from_the_chat_service_incrementally(sim, make_connector):
    connector = make_connector("bluesky")
    first = sim_control(sim, "POST", "items", platform="bluesky", account=DID, kind="dm", author=3, text="Hej kommunen")
    other = sim_control(sim, "POST", "items", platform="bluesky", account=DID, kind="dm", author=4, text="En fråga")
    items, cursor, _ = poll(connector)
    dms = {i.platform_id: i for i in items if i.kind == "dm"}
    assert set(dms) == _incoming_dms(sim)  # the generated backlog's DMs and the two injected ones
    assert {_dm_id(first), _dm_id(other)} <= set(dms)
    assert dms[_dm_id(first)].thread_platform_id == first["conversation_id"]
    assert dms[_dm_id(first)].author.platform_id == first["author_id"]
    assert dms[_dm_id(first)].text == "Hej kommunen"

    sim_control(sim, "POST", "advance", seconds=60)
    again = sim_control(sim, "POST", "items", platform="bluesky", account=DID, kind="dm", author=3, text="Hallå?")
    items, _cursor, _ = poll(connector, cursor)
    new_dms = [i.platform_id for i in items if i.kind == "dm"]
    assert _dm_id(again) in new_dms
    assert sorted(new_dms) == sorted(_incoming_dms(sim) - set(dms))  # only what arrived since, each once
    assert again["conversation_id"] == first["conversation_id"]
    requests_seen = sim_control(sim, "GET", "requests")["requests"]
    assert any(r["path"].endswith("chat.bsky.convo.getMessages") for r in requests_seen)


def test_a_dm_reply_is_sent_in_the_convo_and_found_again(sim, make_connector):
    connector = make_connector("bluesky")
    dm = sim_control(sim, "POST", "items", platform="bluesky", account=DID, kind="dm", author=5, text="Öppettider?")
    parent = _dm_id(dm)
    assert connector.find_own_reply(parent_platform_id=parent, text="Vi öppnar kl. 8.") is None
    reply_id = connector.reply(parent_platform_id=parent, text="Vi öppnar kl. 8.")
    own = [i for i in sim_state(sim, "bluesky") if i["kind"] == "dm" and i["own"]]
    assert [(i["text"], i["conversation_id"]) for i in own] == [("Vi öppnar kl. 8.", dm["conversation_id"])]
    assert reply_id == _dm_id(own[0])
    assert connector.find_own_reply(parent_platform_id=parent, text="Vi öppnar kl. 8.") == reply_id
    assert connector.find_own_reply(parent_platform_id=parent, text="Något annat") is None
    items, _cursor, _ = poll(connector)
    assert reply_id not in {i.platform_id for i in items}  # the channel's own message is not an incoming DM
    thread = connector.fetch_thread(platform_id=parent)
    assert [i.platform_id for i in thread] == [parent]


def test_chat_calls_without_the_proxy_header_are_refused(sim):
    import requests

    response = requests.get(f"{sim.url('bluesky')}/chat.bsky.convo.listConvos", timeout=5,
                            headers={"Authorization": f"Bearer {DID}"})
    assert response.status_code == 501


def test_an_account_is_blocked_with_a_block_record_and_unblocked_by_deleting_it(sim, make_connector):
    """A block is an ``app.bsky.graph.block`` record (``subject``: the DID) created with
    com.atproto.repo.createRecord; deleting that record (its rkey) lifts it."""
    connector = make_connector("bluesky")
    comment = sim_control(sim, "POST", "items", platform="bluesky", account=DID, text="Idiot")
    author = comment["author_id"]
    ref = connector.block(account_platform_id=author)
    assert ref.startswith(f"at://{DID}/app.bsky.graph.block/")
    assert author in sim_control(sim, "GET", "state", platform="bluesky", account=DID)["blocked"]
    connector.unblock(account_platform_id=author, block_ref=ref)
    assert author not in sim_control(sim, "GET", "state", platform="bluesky", account=DID)["blocked"]
