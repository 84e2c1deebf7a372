"""Fixtures for tests that talk to the platform simulator over real HTTP."""

from __future__ import annotations

import pytest
import requests

from channels.simulator.server import PlatformSimulator


@pytest.fixture(scope="session")
def platform_simulator():
    """The simulator, started once per test session in a thread on a free port.

    Its clock is frozen: time moves only by ``POST /_sim/advance``, so what a poll finds is
    deterministic. It has ``base_url``, ``url(platform, site="demo")``, ``world`` and ``faults``;
    tests that change state should ``POST /_sim/reset`` (see ``sim`` below).
    """
    sim = PlatformSimulator(port=0, seed=7, rate=2.0, backlog=40, frozen=True, timeout_s=2.0).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(platform_simulator):
    """The simulator, reset before and after the test."""
    requests.post(f"{platform_simulator.base_url}/_sim/reset", timeout=5)
    yield platform_simulator
    requests.post(f"{platform_simulator.base_url}/_sim/reset", timeout=5)


# One account per platform, as the connector and the simulator each name it.
ACCOUNTS = {
    "facebook": "104857600012345",
    "instagram": "17841400000012345",
    "youtube": "UCludvikaKommun00000000",
    "wordpress": "blogg",  # the blog's path segment in the simulator
    "mastodon": "social.ludvika.example",  # the instance's path segment in the simulator
    "bluesky": "did:plc:ludvikakommun000000",
    "linkedin": "2414183",
}
TOKENS = {platform: f"sim-secret-{platform}-0001" for platform in ACCOUNTS}


def credentials_for(platform: str, token: str) -> dict:
    if platform == "wordpress":
        return {"username": "kommunen", "application_password": token}
    if platform == "bluesky":
        return {"identifier": ACCOUNTS["bluesky"], "app_password": token}
    return {"access_token": token}


@pytest.fixture
def make_connector(sim):
    """Build a connector for a platform against the simulator: ``make_connector("youtube", timeout=1)``."""
    from channels.connectors import get_connector

    def make(platform: str, *, token: str | None = None, timeout: float = 5.0, page_size: int | None = None):
        account = ACCOUNTS[platform]
        connector = get_connector(platform)(
            account_id="kommunen" if platform in ("wordpress", "mastodon") else account,
            credentials=credentials_for(platform, token or TOKENS[platform]),
            base_url=sim.url(platform, site=account), timeout=timeout,
        )
        if page_size:
            connector.page_size = page_size
        return connector

    return make


def sim_state(sim, platform: str) -> list[dict]:
    """Every item the simulator holds for the platform's test account."""
    response = requests.get(f"{sim.base_url}/_sim/state", params={"platform": platform, "account": ACCOUNTS[platform]},
                            timeout=5)
    response.raise_for_status()
    return response.json()["items"]


def sim_control(sim, method: str, name: str, **data) -> dict:
    response = requests.request(method, f"{sim.base_url}/_sim/{name}", json=data or None, timeout=5)
    response.raise_for_status()
    return response.json()


def poll(connector, cursor: dict | None = None) -> tuple[list, dict, list]:
    """(items, the cursor to store, failures) of one complete poll."""
    items, failures = [], []
    cursor = cursor or {}
    for page in connector.iter_pages(cursor=cursor):
        items.extend(page.items)
        failures.extend(page.failures)
        cursor = page.cursor
    return items, cursor, failures
