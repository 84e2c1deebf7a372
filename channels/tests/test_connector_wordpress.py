"""WordPress specifics: application-password auth, comment statuses, X-WP-TotalPages paging, 429."""

from __future__ import annotations

import base64

import pytest

from channels.connectors.base import RateLimited, Visibility

from .conftest import ACCOUNTS, TOKENS, poll, sim_control, sim_state

BLOG = ACCOUNTS["wordpress"]


def test_requests_authenticate_with_the_application_password(sim, make_connector):
    poll(make_connector("wordpress"))
    requests = sim_control(sim, "GET", "requests")["requests"]
    assert requests and all("authorization" not in r["headers"] for r in requests)  # the log hides it
    connector = make_connector("wordpress")
    expected = base64.b64encode(f"kommunen:{TOKENS['wordpress']}".encode()).decode()
    assert connector.auth_headers() == {"Authorization": f"Basic {expected}"}


def test_paging_follows_x_wp_totalpages(sim, make_connector):
    sim_control(sim, "DELETE", "requests")
    items, _, _ = poll(make_connector("wordpress", page_size=7))
    pages = [r for r in sim_control(sim, "GET", "requests")["requests"] if r["path"] == "wp-json/wp/v2/comments"]
    assert len(pages) == -(-len(items) // 7)
    assert [int(r["query"]["page"][0]) for r in pages] == list(range(1, len(pages) + 1))


def test_hide_holds_the_comment_and_delete_trashes_it(sim, make_connector):
    connector = make_connector("wordpress")
    comment = sim_control(sim, "POST", "items", platform="wordpress", account=BLOG, text="Spam spam")
    connector.hide(platform_id=comment["id"])
    assert connector.fetch_thread(platform_id=comment["id"])[-1].visibility == Visibility.HIDDEN
    connector.unhide(platform_id=comment["id"])
    connector.delete(platform_id=comment["id"])
    assert connector.fetch_thread(platform_id=comment["id"])[-1].visibility == Visibility.DELETED
    connector.delete(platform_id=comment["id"])  # already in the trash: done, not an error
    assert next(i for i in sim_state(sim, "wordpress") if i["id"] == comment["id"])["deleted"]


def test_a_429_with_retry_after_is_rate_limited(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "wordpress", "retry_after": 90}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("wordpress"))
    assert info.value.retry_after == 90
