"""Restart PostgreSQL (a private cluster) while real poll workers are polling: the workers recover
by themselves, every item arrives, and none is stored twice (DESIGN §6.3)."""

from __future__ import annotations

import datetime as dt
import subprocess
import time

from celery import Celery

from .conftest import celery_worker, scenario, sim_items, sim_post, wait_for, with_db

CHANNELS = 8


def test_poll_workers_recover_from_a_postgres_restart_without_duplicates(private_postgres, template_db, pg_server_url,
                                                                       private_redis, simulator, processes, tmp_path):
    # The private cluster gets the migrated schema of the session's template database.
    db = with_db(private_postgres.url, "ls")
    subprocess.run(["psql", "-q", "--dbname", private_postgres.url, "-c", 'CREATE DATABASE "ls"'], check=True)
    dump = subprocess.run(["pg_dump", "--no-owner", "--dbname", with_db(pg_server_url, template_db)],
                          capture_output=True, check=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", db], input=dump.stdout, check=True,
                   capture_output=True)

    world = scenario(db, "build", channels=CHANNELS, sim_url=simulator.url("facebook"))
    poller = celery_worker(db, private_redis.url, tmp_path / "poller.log", queues="poll", pool="threads",
                           concurrency=4, name="poll", CONN_MAX_AGE=60)
    processes.append(poller.start())
    beat = Celery("reliability-beat", broker=private_redis.url)
    # Each platform answer takes 150 ms, so polls are in flight when the database goes away.
    sim_post(simulator, "faults", latency_ms=150)

    def tick() -> None:
        # What beat's per-minute tick ends in: a poll task per channel on the poll queue.
        for channel_id in world["channels"]:
            beat.send_task("channels.tasks.channel_poll_task", args=[channel_id], queue="poll")

    def comment(round_: int) -> None:
        for n, account in enumerate(world["accounts"]):
            sim_post(simulator, "items", platform="facebook", account=account, text=f"Fråga {round_}.{n}?")

    for round_ in range(4):
        comment(round_)
        tick()
        time.sleep(0.5)
    restarted_at = dt.datetime.now(dt.UTC)
    private_postgres.stop("fast")  # every connection is cut mid-poll
    for round_ in range(4, 8):
        comment(round_)
        tick()
        time.sleep(0.5)
    private_postgres.start()
    for round_ in range(8, 10):
        comment(round_)
        tick()
        time.sleep(0.5)

    expected = {account: {i["id"] for i in sim_items(simulator, "facebook", account) if not i["own"]}
                for account in world["accounts"]}

    def caught_up() -> bool:
        tick()
        state = scenario(db, "state")
        stored: dict[str, set] = {}
        for key in state["items"]:
            account, pid = key.split("|", 1)
            stored.setdefault(account, set()).add(pid)
        return all(expected[a] <= stored.get(a, set()) for a in expected)

    wait_for(caught_up, timeout=90, what="every comment to be stored after the restart", interval=3)
    assert poller.proc.poll() is None, "the poll worker died instead of recovering"
    state = scenario(db, "state")
    assert state["duplicates"] == []
    assert sum(len(v) for v in expected.values()) == CHANNELS * 10
    for sync in state["syncs"]:
        assert dt.datetime.fromisoformat(sync["last_success_at"]) > restarted_at
    wait_for(lambda: all(s["lease_token"] == "" for s in scenario(db, "state")["syncs"]), timeout=30,
             what="every poll lease to be released")
