"""Kill a real Celery worker with SIGKILL at random moments while 200 unpublish decisions (and 20
replies) are in flight, restart it each time: every platform action completes exactly once, every
removed item has its archive snapshot, and the archive's hash chain still verifies (DESIGN §6.1, §6.4).

The decisions are made through the moderation workspace's services (entry_remove, entry_answer),
so the archive snapshot, the outbox row and the audit row are written as in production."""

from __future__ import annotations

import random
import signal
import time
from collections import Counter

from .conftest import celery_worker, manage, psql, scenario, sim_items, sim_post, wait_for

HIDES, REPLIES, KILLS = 200, 20, 3


class KeepAll(list):
    """The simulator keeps its last 1000 requests; the test needs every one."""

    def __delitem__(self, key):
        return None


def _action_states(db: str) -> Counter:
    rows = psql(db, "SELECT state, count(*) FROM platform_channels_outboxaction GROUP BY state")
    return Counter({state: int(n) for state, n in (line.split("|") for line in rows.splitlines() if line)})


def test_every_action_completes_exactly_once_when_the_worker_is_killed(fresh_db, private_redis, simulator, processes,
                                                                       tmp_path):
    rng = random.Random(8)
    world = scenario(fresh_db, "build", channels=4, sim_url=simulator.url("facebook"))
    for n in range(HIDES + REPLIES):
        sim_post(simulator, "items", platform="facebook", account=world["accounts"][n % 4],
                 text=f"Kommentar nummer {n}: du är en idiot.")
    scenario(fresh_db, "poll_all", redis_url=private_redis.url)
    # Every platform call waits 60 ms, so the worker is mid-action most of the time it is killed.
    sim_post(simulator, "faults", latency_ms=60)
    simulator.httpd.request_log = KeepAll()
    scenario(fresh_db, "decide", redis_url=private_redis.url, hide=HIDES, reply=REPLIES, username=world["user"])
    assert _action_states(fresh_db)["pending"] == HIDES + REPLIES

    log = tmp_path / "worker.log"
    for kill in range(KILLS):
        worker = celery_worker(fresh_db, private_redis.url, log, queues="actions,default", concurrency=4).start()
        processes.append(worker)
        done_before = _action_states(fresh_db)["succeeded"]
        wait_for(lambda done_before=done_before: _action_states(fresh_db)["succeeded"] > done_before + 5,
                 timeout=60, what=f"progress before kill {kill}")
        time.sleep(rng.uniform(0.0, 0.6))
        worker.kill(signal.SIGKILL)
        assert _action_states(fresh_db)["succeeded"] < HIDES + REPLIES, "the kill came too late to test anything"

    worker = celery_worker(fresh_db, private_redis.url, log, queues="actions,default", concurrency=4).start()
    processes.append(worker)

    def finished() -> bool:
        # Beat's sweep, run here every couple of seconds: re-enqueues actions whose message died with a
        # worker (their lease expired), and completes the decisions the platform confirmed.
        scenario(fresh_db, "sweep", redis_url=private_redis.url)
        states = _action_states(fresh_db)
        return states["succeeded"] == HIDES + REPLIES

    wait_for(finished, timeout=120, what="every action to succeed", interval=2)
    worker.stop()
    scenario(fresh_db, "sweep", redis_url=private_redis.url)

    state = scenario(fresh_db, "state")
    actions = state["actions"]
    assert len(actions) == HIDES + REPLIES
    assert all(a["state"] == "succeeded" for a in actions)
    assert max(a["attempts"] for a in actions) > 1, "no action was interrupted: the test proved nothing"

    # Hides: the platform shows each hidden; a hide call is repeated only for an action a kill left
    # with an unknown outcome (attempts > 1); each has its committed snapshot of the same item.
    hide_calls = Counter(
        entry["path"].rsplit("/", 1)[-1] for entry in simulator.httpd.request_log
        if entry["method"] == "POST" and "is_hidden=true" in entry["body"]
    )
    on_platform = {}
    for account in world["accounts"]:
        on_platform.update({i["id"]: i for i in sim_items(simulator, "facebook", account)})
    for action in (a for a in actions if a["kind"] == "hide"):
        pid = action["item__platform_id"]
        assert on_platform[pid]["hidden"] is True
        assert 1 <= hide_calls[pid] <= action["attempts"], (pid, hide_calls[pid], action["attempts"])
        snapshot = state["snapshots"][str(action["snapshot_id"])]
        assert snapshot["platform_id"] == pid

    # Replies: each text is on the platform exactly once, whatever happened to the worker.
    reply_texts = Counter(i["text"] for i in on_platform.values() if i["own"] and i["kind"] != "post")
    for action in (a for a in actions if a["kind"] == "reply"):
        assert reply_texts[action["text"]] == 1, action["text"]

    entries = {e["item__platform_id"]: e for e in state["entries"]}
    assert sum(1 for e in entries.values() if e["state"] == "unpublished" and not e["pending_state"]) == HIDES
    verify = manage(fresh_db, "verify_archive")
    assert verify.returncode == 0, verify.stderr
