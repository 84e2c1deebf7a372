"""Behaviour every connector shares, against the simulator over real HTTP: complete and incremental
polling across pages, thread context, replies that can be found again, actions with a visible
effect (or Unsupported where the platform cannot), and faults that only ever surface as typed errors."""

from __future__ import annotations

import pytest

from channels.connectors import get_connector
from channels.connectors.base import (
    AuthorizationExpired,
    ConnectorError,
    ItemKind,
    RateLimited,
    TransientError,
    Unsupported,
    Visibility,
)

from .conftest import ACCOUNTS, TOKENS, poll, sim_control, sim_state
from .simhelpers import connector_platform_id

PLATFORMS = list(ACCOUNTS)
# What each connector reads from the platform (the channel's own posts and replies are not "new").
READS = {
    "facebook": {"comment", "reply", "visitor_post", "dm"},
    "instagram": {"comment", "reply", "dm"},
    "youtube": {"comment", "reply"},
    "wordpress": {"comment", "reply"},
    "mastodon": {"comment", "reply", "visitor_post", "dm"},
    "bluesky": {"comment", "reply", "visitor_post", "dm"},
    "linkedin": {"comment", "reply"},
}


def expected_ids(sim, platform: str) -> set[str]:
    return {connector_platform_id(platform, i) for i in sim_state(sim, platform)
            if not i["own"] and not i["deleted"] and not i["rejected"] and i["kind"] in READS[platform]}


def a_reply(sim, platform: str) -> dict:
    """A resident's reply to another resident's comment (injected, so every platform has one)."""
    comment = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], text="Vem bestämmer?")
    return sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], parent_id=comment["id"],
                       text="Kommunfullmäktige, tror jag.", author=3)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_first_poll_reads_everything_across_pages_and_a_repoll_reads_nothing(sim, make_connector, platform):
    connector = make_connector(platform, page_size=5)
    sim_control(sim, "DELETE", "requests")
    items, cursor, failures = poll(connector)
    ids = [i.platform_id for i in items]
    assert failures == []
    assert len(ids) == len(set(ids)), "an item was returned twice"
    assert set(ids) == expected_ids(sim, platform)
    assert len(sim_control(sim, "GET", "requests")["requests"]) > 3, "the poll should have paged"
    assert all(i.created_at.tzinfo is not None for i in items)
    again, _, _ = poll(connector, cursor)
    assert again == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_poll_from_the_stored_cursor_returns_only_newer_items(sim, make_connector, platform):
    connector = make_connector(platform)
    _, cursor, _ = poll(connector)
    before = expected_ids(sim, platform)
    sim_control(sim, "POST", "advance", seconds=600)  # about twenty new events at two a minute
    injected = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], text="Ny fråga?")
    second, _, _ = poll(make_connector(platform), cursor)
    new_ids = {i.platform_id for i in second}
    assert injected["id"] in new_ids
    added = expected_ids(sim, platform) - before
    assert added <= new_ids
    # Nothing old comes back, except an old comment that was edited since (a new version of it).
    old_again = {i.platform_id for i in second if i.platform_id in before}
    edited = {i["id"] for i in sim_state(sim, platform) if i["edited"] and len(i["versions"]) > 1}
    assert old_again <= edited


@pytest.mark.parametrize("platform", PLATFORMS)
def test_thread_context_runs_from_the_root_post_to_the_item(sim, make_connector, platform):
    reply = a_reply(sim, platform)
    thread = make_connector(platform).fetch_thread(platform_id=reply["id"])
    assert thread[-1].platform_id == reply["id"]
    assert thread[-1].text.endswith("Kommunfullmäktige, tror jag.")
    assert thread[0].kind == ItemKind.POST
    assert thread[0].platform_id == reply["post_id"]
    assert len(thread) >= 3  # post, comment, reply


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_reply_appears_on_the_platform_and_is_found_again(sim, make_connector, platform):
    connector = make_connector(platform)
    parent = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform],
                         text="När öppnar biblioteket?")
    assert connector.find_own_reply(parent_platform_id=parent["id"], text="Klockan tio.") is None
    reply_id = connector.reply(parent_platform_id=parent["id"], text="Klockan tio.")
    on_platform = {i["id"]: i for i in sim_state(sim, platform)}
    assert on_platform[reply_id]["own"] is True
    assert on_platform[reply_id]["text"].endswith("Klockan tio.")
    assert connector.find_own_reply(parent_platform_id=parent["id"], text="Klockan tio.") == reply_id
    assert connector.find_own_reply(parent_platform_id=parent["id"], text="Klockan elva.") is None


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hide_and_unhide_show_on_the_platform_or_are_unsupported(sim, make_connector, platform):
    connector = make_connector(platform)
    comment = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], text="Idioter!")
    if not connector.capabilities.can_hide:
        with pytest.raises(Unsupported):
            connector.hide(platform_id=comment["id"])
        assert connector.capabilities.limitations
        assert not next(i for i in sim_state(sim, platform) if i["id"] == comment["id"])["hidden"]
        return
    connector.hide(platform_id=comment["id"])
    assert next(i for i in sim_state(sim, platform) if i["id"] == comment["id"])["hidden"] is True
    thread = connector.fetch_thread(platform_id=comment["id"])
    assert thread[-1].visibility == Visibility.HIDDEN
    connector.unhide(platform_id=comment["id"])
    assert next(i for i in sim_state(sim, platform) if i["id"] == comment["id"])["hidden"] is False


@pytest.mark.parametrize("platform", PLATFORMS)
def test_delete_removes_from_the_platform_or_is_unsupported(sim, make_connector, platform):
    connector = make_connector(platform)
    comment = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], text="Fy fan!")
    if not connector.capabilities.can_delete:
        with pytest.raises(Unsupported):
            connector.delete(platform_id=comment["id"])
        state = next(i for i in sim_state(sim, platform) if i["id"] == comment["id"])
        assert not state["deleted"]
        return
    connector.delete(platform_id=comment["id"])
    state = next(i for i in sim_state(sim, platform) if i["id"] == comment["id"])
    assert state["deleted"] or state["rejected"]
    items, _, _ = poll(make_connector(platform))
    assert comment["id"] not in {i.platform_id for i in items if i.visibility != Visibility.DELETED}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("fault", ["5xx", "timeout", "malformed", "truncated"])
def test_faults_surface_as_transient_errors(sim, make_connector, platform, fault):
    connector = make_connector(platform, timeout=0.5)
    sim_control(sim, "POST", "faults", timeout_s=1.0, next=[{"fault": fault, "platform": platform, "count": 50}])
    with pytest.raises(TransientError) as info:
        poll(connector)
    assert TOKENS[platform] not in str(info.value)
    # No chained requests exception: its text would carry the full URL, query string and all.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_write_that_meets_a_fault_is_a_typed_error_too(sim, make_connector, platform):
    connector = make_connector(platform, timeout=0.5)
    parent = sim_control(sim, "POST", "items", platform=platform, account=ACCOUNTS[platform], text="Hallå?")
    sim_control(sim, "POST", "faults", next=[{"fault": "5xx", "platform": platform, "count": 10}])
    with pytest.raises(TransientError):
        connector.reply(parent_platform_id=parent["id"], text="Hej!")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_expired_token_is_authorization_expired(sim, make_connector, platform):
    connector = make_connector(platform)
    sim_control(sim, "POST", "expire-token", platform=platform, account=ACCOUNTS[platform])
    with pytest.raises(AuthorizationExpired) as info:
        poll(connector)
    assert TOKENS[platform] not in str(info.value)
    assert TOKENS[platform] not in repr(connector)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_expired_token_fault_is_authorization_expired(sim, make_connector, platform):
    sim_control(sim, "POST", "faults", next=[{"fault": "expired", "platform": platform, "count": 10}])
    with pytest.raises(AuthorizationExpired):
        poll(make_connector(platform))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_rate_limit_fault_is_rate_limited_with_a_wait(sim, make_connector, platform):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": platform, "retry_after": 240}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector(platform))
    assert info.value.retry_after > 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_random_faults_never_escape_as_anything_but_connector_errors(sim, make_connector, platform):
    sim_control(sim, "POST", "faults", timeout_s=0.6,
                rates={"5xx": 0.15, "timeout": 0.05, "malformed": 0.15, "truncated": 0.15, "rate_limit": 0.1})
    connector = make_connector(platform, timeout=0.3, page_size=10)
    outcomes = set()
    for _ in range(8):
        connector._throttled_until = 0.0
        try:
            poll(connector)
            outcomes.add("ok")
        except ConnectorError as exc:
            outcomes.add(type(exc).__name__)
    assert outcomes  # every attempt ended in a result or a typed error, nothing else


def test_get_connector_knows_every_platform_and_refuses_others():
    from channels.connectors import UnknownPlatform

    for platform in PLATFORMS:
        assert get_connector(platform).platform == platform
    with pytest.raises(UnknownPlatform):
        get_connector("myspace")


def test_default_base_url_comes_from_settings_or_the_channel(settings):
    from channels.connectors import default_base_url

    settings.FACEBOOK_GRAPH_URL = "https://graph.example/v21.0/"
    assert default_base_url("facebook", "") == "https://graph.example/v21.0"
    assert default_base_url("facebook", "http://127.0.0.1:9/facebook/v21.0") == "http://127.0.0.1:9/facebook/v21.0"
    assert default_base_url("mastodon", "https://mastodon.nu/") == "https://mastodon.nu"
    with pytest.raises(ValueError):
        default_base_url("wordpress", "")


@pytest.mark.parametrize("platform", ["facebook", "instagram", "wordpress", "mastodon"])
def test_a_hostile_id_stays_one_path_segment_under_the_base_url(sim, make_connector, platform):
    connector = make_connector(platform)
    sim_control(sim, "DELETE", "requests")
    with pytest.raises(ConnectorError):
        connector.fetch_thread(platform_id="http://evil.example/../x?access_token=1")
    logged = sim_control(sim, "GET", "requests")["requests"]
    assert logged and all(r["platform"] == platform for r in logged)
    assert all("evil.example/" not in r["path"] for r in logged)
