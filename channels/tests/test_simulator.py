"""The platform simulator itself: deterministic Swedish content over time, the control API,
fault switches, and the management command that runs it."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from channels.simulator.content import VIOLATIONS
from channels.simulator.world import PLATFORMS, World

from .conftest import ACCOUNTS, sim_control, sim_state

PNR = re.compile(r"\d{6}-\d{4}")


def _texts(world: World, platform: str, account: str) -> list[tuple[str, str]]:
    return [(i.kind, i.text) for i in world.account(platform, account).items]


def test_the_same_seed_gives_the_same_world_and_another_seed_another():
    first, second, other = (World(seed=s, backlog=200, frozen=True) for s in (5, 5, 6))
    assert _texts(first, "facebook", "1") == _texts(second, "facebook", "1")
    assert _texts(first, "facebook", "1") != _texts(other, "facebook", "1")
    assert _texts(first, "facebook", "1") != _texts(first, "facebook", "2")  # accounts differ too


def test_bluesky_accounts_get_direct_messages_from_residents_now_and_then():
    first, second = (World(seed=5, backlog=500, frozen=True) for _ in range(2))
    dms = [i for i in first.account("bluesky", ACCOUNTS["bluesky"]).items if i.kind == "dm"]
    assert 15 <= len(dms) <= 75  # a few in a hundred events, as on the other platforms with DMs
    assert all(not i.own and i.conversation_id and i.author_id.startswith("did:plc:") for i in dms)
    again = [i for i in second.account("bluesky", ACCOUNTS["bluesky"]).items if i.kind == "dm"]
    assert [(i.platform_id, i.conversation_id, i.text) for i in dms] == [
        (i.platform_id, i.conversation_id, i.text) for i in again
    ]


def test_items_keep_arriving_at_the_configured_rate():
    world = World(seed=1, rate=6, backlog=0, frozen=True)
    assert world.account("youtube", "UC1").items == []
    world.advance(600)  # 60 events at six a minute
    account = world.account("youtube", "UC1")
    assert 40 <= len(account.items) <= 60  # edits are events that add no item
    assert [i.created for i in account.items] == sorted(i.created for i in account.items)
    assert all(i.created <= world.now() for i in account.items)


def test_the_content_is_swedish_and_mixes_questions_thanks_debate_and_breaches():
    world = World(seed=3, rate=2, backlog=1500, frozen=True)
    account = world.account("facebook", "100")
    texts = [i.text for i in account.items]
    assert any("?" in t for t in texts)
    assert any(t.startswith("Tack") for t in texts)
    assert any("val" in t or "styr" in t for t in texts)  # political debate
    assert any(PNR.search(t) for t in texts)  # a personnummer
    assert sum(any(t.startswith(v[:25]) for v in VIOLATIONS) for t in texts) > 20
    assert {i.kind for i in account.items} == {"post", "comment", "reply", "visitor_post", "dm"}
    assert any(len(i.versions) > 1 for i in account.items), "some comments are edited over time"
    assert any("å" in t or "ä" in t or "ö" in t for t in texts)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_platform_can_be_reached_under_its_prefix(sim, platform):
    assert sim_state(sim, platform), "the backlog is there"
    response = requests.get(f"{sim.url(platform, site='x')}/nope", timeout=5,
                            headers={"Authorization": "Bearer t", "LinkedIn-Version": "202610"})
    assert response.status_code in (400, 404, 501)
    assert response.headers["Content-Type"].startswith("application/json")


def test_injected_items_and_edits_show_in_the_state(sim):
    account = ACCOUNTS["facebook"]
    created = sim_control(sim, "POST", "items", platform="facebook", account=account, text="Hej", author_name="Test")
    assert created["author_name"] == "Test" and created["kind"] == "comment"
    reply = sim_control(sim, "POST", "items", platform="facebook", account=account, parent_id=created["id"], text="Svar")
    assert reply["kind"] == "reply" and reply["parent_id"] == created["id"]
    edited = sim_control(sim, "POST", "edit", platform="facebook", account=account, id=created["id"], text="Hej!")
    assert edited["versions"] == ["Hej", "Hej!"] and edited["edited"]
    state = sim_control(sim, "GET", "state", platform="facebook", account=account, id=created["id"])
    assert [i["text"] for i in state["items"]] == ["Hej!"]


def test_bad_control_calls_are_refused_clearly(sim):
    base = f"{sim.base_url}/_sim"
    assert requests.get(f"{base}/state", timeout=5).status_code == 400
    assert requests.post(f"{base}/items", json={"platform": "myspace", "account": "1"}, timeout=5).status_code == 400
    assert requests.post(f"{base}/faults", json={"rates": {"meteor": 1}}, timeout=5).status_code == 400
    assert requests.get(f"{base}/nothing", timeout=5).status_code == 404
    assert requests.get(f"{sim.base_url}/myspace/v1", timeout=5).status_code == 404


def test_reset_restores_the_generated_world(sim):
    account = ACCOUNTS["wordpress"]
    before = [(i["kind"], i["text"]) for i in sim_state(sim, "wordpress")]
    sim_control(sim, "POST", "items", platform="wordpress", account=account, text="Extra")
    sim_control(sim, "POST", "faults", rates={"5xx": 1.0})
    sim_control(sim, "POST", "reset")
    assert [(i["kind"], i["text"]) for i in sim_state(sim, "wordpress")] == before
    assert sim_control(sim, "POST", "faults")["rates"] == {}


def test_an_expired_token_is_refused_until_restored(sim):
    url = f"{sim.url('facebook')}/{ACCOUNTS['facebook']}/feed"
    headers = {"Authorization": "Bearer good-token"}
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    sim_control(sim, "POST", "expire-token", token="good-token")
    refused = requests.get(url, headers=headers, timeout=5)
    assert refused.json()["error"]["code"] == 190
    sim_control(sim, "POST", "expire-token", token="good-token", expired=False)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    assert requests.get(url, headers={"Authorization": "Bearer expired-x"}, timeout=5).status_code == 400


def test_fault_switches_shape_the_answers(sim):
    url = f"{sim.url('youtube')}/commentThreads"
    params = {"part": "snippet", "allThreadsRelatedToChannelId": ACCOUNTS["youtube"]}
    headers = {"Authorization": "Bearer t"}
    sim_control(sim, "POST", "faults", next=[{"fault": "5xx", "status": 502}, {"fault": "malformed"},
                                             {"fault": "truncated"}, {"fault": "timeout", "delay_s": 0.6}])
    assert requests.get(url, params=params, headers=headers, timeout=5).status_code == 502
    malformed = requests.get(url, params=params, headers=headers, timeout=5)
    with pytest.raises(ValueError):
        malformed.json()
    with pytest.raises(requests.RequestException):
        requests.get(url, params=params, headers=headers, timeout=5)
    with pytest.raises(requests.Timeout):
        requests.get(url, params=params, headers=headers, timeout=0.3)
    time.sleep(0.4)
    assert requests.get(url, params=params, headers=headers, timeout=5).status_code == 200


def test_latency_is_added_to_platform_answers_only(sim):
    sim_control(sim, "POST", "faults", latency_ms=150)
    started = time.monotonic()
    requests.get(f"{sim.url('bluesky')}/app.bsky.notification.listNotifications", timeout=5,
                 headers={"Authorization": "Bearer did:plc:x"})
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    requests.get(f"{sim.base_url}/_sim/health", timeout=5)
    assert time.monotonic() - started < 0.15


def test_the_command_refuses_bad_options():
    with pytest.raises(CommandError):
        call_command("run_platform_simulator", "--fault-5xx", "2")
    with pytest.raises(CommandError):
        call_command("run_platform_simulator", "--rate", "-1")


def test_the_command_serves_the_platforms(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_platform_simulator", "--port", "0", "--seed", "4", "--backlog", "5",
         "--fault-5xx", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first_line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first_line)
        assert match, first_line
        base = match.group(0)
        assert requests.get(f"{base}/_sim/health", timeout=5).json()["ok"] is True
        feed = requests.get(f"{base}/facebook/v21.0/42/feed", headers={"Authorization": "Bearer t"}, timeout=5)
        assert feed.status_code == 200 and feed.json()["data"]
    finally:
        process.terminate()
        process.wait(timeout=10)
