"""Stop Redis (a private instance: the broker and the cache) for a while during operation: the web
keeps serving, staff can still make decisions, their platform actions wait in the outbox and are
executed once Redis is back (beat's outbox sweep re-enqueues what could not be published)."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import requests

from .conftest import (
    Process,
    RedisServer,
    app_env,
    celery_worker,
    free_port,
    psql,
    scenario,
    sim_items,
    sim_post,
    wait_for,
)

OUTAGE_SECONDS = float(os.environ.get("RELIABILITY_REDIS_OUTAGE_SECONDS", "30"))
DECISIONS = 3


def gunicorn(database_url: str, redis_url: str, tmp_path: Path, **extra) -> tuple[Process, str]:
    port = free_port()
    env = app_env(database_url, redis_url, GUNICORN_BIND=f"127.0.0.1:{port}",
                  PROMETHEUS_MULTIPROC_DIR=tmp_path / "prom", **{"WEB_CONCURRENCY": 2, **extra})
    args = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "ludvika_social.wsgi"]
    return Process(args, env, tmp_path / "gunicorn.log"), f"http://127.0.0.1:{port}"


def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/logga-in/", timeout=10)
    response = session.post(f"{base}/logga-in/", timeout=10, data={
        "username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 200 and "/personal/" in response.url, response.url
    return session


def remove(session: requests.Session, base: str, item_id: int) -> requests.Response:
    page = session.get(f"{base}/personal/inkorg/{item_id}/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(f"{base}/personal/inkorg/{item_id}/avpublicera/", timeout=30, allow_redirects=False, data={
        "csrfmiddlewaretoken": token, "kind": "hide", "codes": ["fortal"], "criticism": "no",
        "motivation": "Personangrepp mot en anställd."})


def _pending(db: str) -> int:
    return int(psql(db, "SELECT count(*) FROM platform_channels_outboxaction WHERE state = 'pending'"))


def _succeeded(db: str) -> int:
    return int(psql(db, "SELECT count(*) FROM platform_channels_outboxaction WHERE state = 'succeeded'"))


def test_the_web_serves_and_decides_while_redis_is_down_and_actions_run_after(fresh_db, private_redis: RedisServer,
                                                                             simulator, processes, tmp_path):
    world = scenario(fresh_db, "build", channels=1, sim_url=simulator.url("facebook"))
    account = world["accounts"][0]
    for n in range(DECISIONS):
        sim_post(simulator, "items", platform="facebook", account=account, text=f"Du är en idiot ({n}).")
    scenario(fresh_db, "poll_all", redis_url=private_redis.url)
    web, base = gunicorn(fresh_db, private_redis.url, tmp_path)
    processes.append(web.start())
    wait_for(lambda: _get(f"{base}/healthz") == 200, timeout=30, what="gunicorn")
    processes.append(celery_worker(fresh_db, private_redis.url, tmp_path / "worker.log", queues="actions,default",
                                   concurrency=2).start())
    session = login(base, world["user"], world["password"])
    items = [e["item_id"] for e in scenario(fresh_db, "state")["entries"]]

    private_redis.stop()
    outage_started = time.monotonic()
    assert _get(f"{base}/kanaler/") == 200
    assert session.get(f"{base}/personal/inkorg/", timeout=10).status_code == 200
    # The broker is a degraded state: reported, but the web stays live and ready (it serves and decides).
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["checks"]["broker"]["ok"] is False
    assert health.json()["degraded"] == ["broker"] and _get(f"{base}/readyz") == 200
    statuses = [remove(session, base, item_id).status_code for item_id in items]
    assert _pending(fresh_db) == DECISIONS  # recorded, archived, waiting for the broker
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
    assert _get(f"{base}/kanaler/") == 200
    assert all(not i["hidden"] for i in sim_items(simulator, "facebook", account) if not i["own"])

    private_redis.start()  # the same port: the worker reconnects by itself

    def executed() -> bool:
        scenario(fresh_db, "sweep", redis_url=private_redis.url)  # what beat does every minute
        return _succeeded(fresh_db) == DECISIONS

    wait_for(executed, timeout=90, what="the waiting actions to run", interval=2)
    assert all(i["hidden"] for i in sim_items(simulator, "facebook", account) if not i["own"])
    wait_for(lambda: "broker" not in requests.get(f"{base}/healthz", timeout=10).json()["degraded"], timeout=20,
             what="the broker to be reported healthy again")
    assert statuses == [302] * DECISIONS, f"every decision must be answered normally while Redis is down: {statuses}"


def _get(url: str) -> int:
    try:
        return requests.get(url, timeout=10).status_code
    except requests.RequestException:
        return 0
