"""Instagram specifics: the Instagram BUC code, one reply level, hide with ``hide=true``."""

from __future__ import annotations

import pytest

from channels.connectors.base import ItemKind, RateLimited

from .conftest import ACCOUNTS, poll, sim_control, sim_state

ACCOUNT = ACCOUNTS["instagram"]


def test_the_instagram_business_use_case_limit_is_rate_limited(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "instagram", "code": 80002,
                                               "retry_after": 120}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("instagram"))
    assert info.value.retry_after == 120


def test_a_reply_to_a_reply_lands_under_the_top_level_comment(sim, make_connector):
    connector = make_connector("instagram")
    top = sim_control(sim, "POST", "items", platform="instagram", account=ACCOUNT, text="Snöröjningen?")
    reply = sim_control(sim, "POST", "items", platform="instagram", account=ACCOUNT, parent_id=top["id"],
                        text="Samma här", author=5)
    answer = connector.reply(parent_platform_id=reply["id"], text="@anna I morgon!")
    state = {i["id"]: i for i in sim_state(sim, "instagram")}
    assert state[answer]["parent_id"] == top["id"]
    items, _, _ = poll(make_connector("instagram"))
    by_id = {i.platform_id: i for i in items}
    assert by_id[reply["id"]].kind == ItemKind.REPLY and by_id[reply["id"]].parent_platform_id == top["id"]


def test_hide_sends_the_instagram_parameter(sim, make_connector):
    comment = sim_control(sim, "POST", "items", platform="instagram", account=ACCOUNT, text="Usch")
    sim_control(sim, "DELETE", "requests")
    make_connector("instagram").hide(platform_id=comment["id"])
    logged = sim_control(sim, "GET", "requests")["requests"][-1]
    assert logged["method"] == "POST" and "hide=true" in logged["body"]
