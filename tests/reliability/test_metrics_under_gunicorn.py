"""/metrics under gunicorn with several worker processes: the request histogram counts the requests
of every worker (prometheus-client multiprocess mode, set up by gunicorn.conf.py), and the JSON
request log lines carry each request's id."""

from __future__ import annotations

import json
import re

import requests

from .conftest import wait_for
from .test_redis_outage import _get, gunicorn

TOKEN = "metrics-token-for-the-reliability-tests"


def test_request_metrics_add_up_across_gunicorn_workers(fresh_db, processes, tmp_path):
    web, base = gunicorn(fresh_db, "", tmp_path, WEB_CONCURRENCY=3, METRICS_TOKEN=TOKEN, LOG_JSON="true",
                         LOG_REQUESTS="true", LOG_LEVEL="INFO")
    processes.append(web.start())
    wait_for(lambda: _get(f"{base}/healthz") == 200, timeout=30, what="gunicorn")
    for n in range(30):
        # A new connection each time, so the requests spread over the workers.
        response = requests.get(f"{base}/kanaler/", headers={"Connection": "close", "X-Request-ID": f"load-{n:04d}-x"},
                                timeout=10)
        assert response.status_code == 200 and response.headers["X-Request-ID"] == f"load-{n:04d}-x"
    text = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
    match = re.search(r'^ludvika_http_request_duration_seconds_count\{method="GET",view="public-channels"\} (\S+)$',
                      text, re.MULTILINE)
    assert match and float(match.group(1)) == 30.0
    assert requests.get(f"{base}/metrics", timeout=10, allow_redirects=False).status_code == 302

    web.stop()
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()
             if line.startswith("{")]
    requests_logged = [line for line in lines if line.get("logger") == "ludvika_social.request"
                       and line.get("view") == "public-channels"]
    assert {line["request_id"] for line in requests_logged} == {f"load-{n:04d}-x" for n in range(30)}
