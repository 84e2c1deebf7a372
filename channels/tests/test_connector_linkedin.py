"""LinkedIn specifics: versioned headers, delete as the organization, no hide, 429 until midnight UTC."""

from __future__ import annotations

import pytest

from channels.connectors.base import PermanentError, RateLimited
from channels.connectors.linkedin import seconds_until_utc_midnight

from .conftest import ACCOUNTS, poll, sim_control

ORG = ACCOUNTS["linkedin"]


def test_every_call_carries_the_version_headers(sim, make_connector):
    sim_control(sim, "DELETE", "requests")
    poll(make_connector("linkedin"))
    for logged in sim_control(sim, "GET", "requests")["requests"]:
        assert logged["headers"]["linkedin-version"].isdigit()
        assert logged["headers"]["x-restli-protocol-version"] == "2.0.0"


def test_an_inactive_version_is_a_permanent_error(sim, make_connector):
    connector = make_connector("linkedin")
    connector.credentials = {**connector.credentials, "linkedin_version": ""}
    connector.auth_headers = lambda: {"Authorization": "Bearer x"}
    with pytest.raises(PermanentError):
        poll(connector)


def test_delete_is_done_as_the_organization(sim, make_connector):
    comment = sim_control(sim, "POST", "items", platform="linkedin", account=ORG, text="Skräp")
    sim_control(sim, "DELETE", "requests")
    make_connector("linkedin").delete(platform_id=comment["id"])
    logged = sim_control(sim, "GET", "requests")["requests"][-1]
    assert logged["method"] == "DELETE"
    assert logged["query"]["actor"] == [f"urn:li:organization:{ORG}"]


def test_a_429_without_retry_after_waits_until_the_daily_reset(sim, make_connector):
    sim_control(sim, "POST", "faults", next=[{"fault": "rate_limit", "platform": "linkedin"}])
    with pytest.raises(RateLimited) as info:
        poll(make_connector("linkedin"))
    assert abs(info.value.retry_after - seconds_until_utc_midnight()) < 5
