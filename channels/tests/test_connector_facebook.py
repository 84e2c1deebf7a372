"""Facebook specifics: Graph rate-limit codes and usage headers, visitor posts, Messenger DMs."""

from __future__ import annotations

import pytest

from channels.connectors.base import ItemKind, PermanentError, RateLimited, Visibility

from .conftest import ACCOUNTS, poll, sim_control, sim_state

PAGE = ACCOUNTS["facebook"]


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_each_graph_throttling_code_is_rate_limited(sim, make_connector, code):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "facebook", "code": code,
                                               "retry_after": 180, "buc": True}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("facebook"))
    # estimated_time_to_regain_access is in minutes: 3 minutes here.
    assert info.value.retry_after == 180


def test_app_level_throttling_without_a_time_waits_the_default(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "facebook", "code": 4}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("facebook"))
    assert info.value.retry_after == 600


def test_a_full_usage_header_on_a_good_answer_slows_the_next_call(sim, make_connector):
    connector = make_connector("facebook")
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "facebook",
                                               "variant": "usage_header"}])
    pages = []
    with pytest.raises(RateLimited) as info:
        for page in connector.iter_pages(cursor={}):
            pages.append(page)
    assert pages, "the answer that carried the header was still delivered"
    assert info.value.retry_after > 500
    requests_before = len(sim_control(sim, "GET", "requests")["requests"])
    with pytest.raises(RateLimited):
        connector.hide(platform_id="1_2")
    assert len(sim_control(sim, "GET", "requests")["requests"]) == requests_before, "no call while throttled"


def test_a_business_use_case_header_with_time_to_regain_access_is_honoured(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "facebook", "variant": "buc_header",
                                               "retry_after": 300}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("facebook"))
    assert 290 <= info.value.retry_after <= 300


def test_visitor_posts_and_dms_are_read_with_their_kinds(sim, make_connector):
    post = sim_control(sim, "POST", "items", platform="facebook", account=PAGE, kind="visitor_post",
                       text="Varför är badet stängt?")
    dm = sim_control(sim, "POST", "items", platform="facebook", account=PAGE, kind="dm", text="Jag vill begära ut...")
    items, _, _ = poll(make_connector("facebook"))
    by_id = {i.platform_id: i for i in items}
    assert by_id[post["id"]].kind == ItemKind.VISITOR_POST
    assert by_id[dm["id"]].kind == ItemKind.DM
    assert by_id[dm["id"]].thread_platform_id == dm["conversation_id"]
    conversation = make_connector("facebook").fetch_thread(platform_id=dm["conversation_id"])
    assert dm["id"] in {i.platform_id for i in conversation}


def test_a_dm_reply_goes_through_the_send_api_and_is_found_again(sim, make_connector):
    connector = make_connector("facebook")
    dm = sim_control(sim, "POST", "items", platform="facebook", account=PAGE, kind="dm", text="Hej kommunen")
    message_id = connector.reply(parent_platform_id=dm["id"], text="Hej! Vi hjälper dig.")
    assert message_id.startswith("m_")
    sent = next(i for i in sim_state(sim, "facebook") if i["id"] == message_id)
    assert sent["kind"] == "dm" and sent["own"] and sent["conversation_id"] == dm["conversation_id"]
    assert connector.find_own_reply(parent_platform_id=dm["id"], text="Hej! Vi hjälper dig.") == message_id
    body = next(r for r in sim_control(sim, "GET", "requests")["requests"] if r["path"].endswith("/messages"))
    assert '"messaging_type": "RESPONSE"' in body["body"]


def test_hidden_comments_arrive_hidden_and_the_pages_own_comment_cannot_be_hidden(sim, make_connector):
    connector = make_connector("facebook")
    comment = sim_control(sim, "POST", "items", platform="facebook", account=PAGE, text="Dumma kommun")
    connector.hide(platform_id=comment["id"])
    items, _, _ = poll(make_connector("facebook"))
    assert next(i for i in items if i.platform_id == comment["id"]).visibility == Visibility.HIDDEN
    own = connector.reply(parent_platform_id=comment["id"], text="Vi har dolt kommentaren.")
    with pytest.raises(PermanentError):
        connector.hide(platform_id=own)


def test_the_token_travels_in_a_header_not_in_the_url(sim, make_connector):
    poll(make_connector("facebook"))
    for logged in sim_control(sim, "GET", "requests")["requests"]:
        assert "access_token" not in logged["query"]
