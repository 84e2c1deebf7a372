"""Load: 50 staff users working the moderation queue and 200 public visitors on /kanaler/ at the
same time, against gunicorn on this machine (its own throwaway PostgreSQL database, Redis db 13).

    .venv/bin/python benchmarks/load_staff_and_public.py            # 60 s of load (the default)
    .venv/bin/python benchmarks/load_staff_and_public.py --full     # the 5 minutes of issue 8

Each staff user logs in, then loops: the queue page, one item of it, claim it, release it (two
POSTs with the CSRF token), with --staff-think seconds between requests. Each visitor loops on
/kanaler/ with --public-think seconds between requests. The load comes from --clients processes of
threads (one thread per simulated user), on the same machine as the server. Reports throughput,
50th/95th/99th percentile latency per kind of request, and every error (any status >= 400 or a
connection failure). Exit status 1 if there was any error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._common import ROOT, drop_database, fresh_database, machine, manage

DB_NAME = "ls_bench_load"
REDIS = "redis://127.0.0.1:6379/13"
PASSWORD = "last-test-losenord-01"  # noqa: S105 - a throwaway benchmark database

SEED = r"""
from channels.connectors.base import Author, ItemKind, NormalizedItem
from channels.models import ItemVersion
from channels.services import items_store
from moderation.services import versions_screen
from registry.models import AppointmentRole, Role
from tests.factories import AppointmentFactory, BoardFactory, ChannelFactory, DepartmentFactory, UserFactory
import datetime as dt

STAFF, CHANNELS, ITEMS = {staff}, {channels}, {items}
board = BoardFactory(name="Kultur- och fritidsnämnden", slug="kfn")
dept = DepartmentFactory(board=board, name="Kultur- och fritidsförvaltningen", slug="kultur")
users = [UserFactory(username=f"staff{{n:03d}}", roles=[Role.REPRESENTATIVE], department=dept, password="{password}")
         for n in range(STAFF)]
t0 = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
texts = ["När öppnar biblioteket på lördag?", "Tack för en fin kväll!", "Du är en idiot.",
         "Varför plogas inte vår gata?", "Kan jag boka lokalen i maj?"]
for c in range(CHANNELS):
    channel = ChannelFactory(department=dept, name=f"Kanal {{c}}", account_id=f"10{{c:08d}}")
    for u in range(STAFF):
        if u % CHANNELS == c or (u + 1) % CHANNELS == c:
            AppointmentFactory(channel=channel, user=users[u], role=AppointmentRole.REPRESENTATIVE)
    post = NormalizedItem(platform_id=f"p{{c}}", kind=ItemKind.POST, text="Nya öppettider.",
                          author=Author(platform_id="own", name="Ludvika kommun"), created_at=t0)
    items = [post] + [
        NormalizedItem(platform_id=f"c{{c}}-{{i}}", kind=ItemKind.COMMENT, text=texts[i % len(texts)] + f" ({{i}})",
                       author=Author(platform_id=f"u{{i}}", name=f"Person {{i}}"), created_at=t0 + dt.timedelta(minutes=i),
                       parent_platform_id=f"p{{c}}", thread_platform_id=f"p{{c}}")
        for i in range(ITEMS)]
    items_store(channel=channel, items=items)
versions_screen(version_ids=list(ItemVersion.objects.values_list("pk", flat=True)))
"""


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def timed(self, kind: str, call):
        started = time.perf_counter()
        try:
            response = call()
            ok = response.status_code < 400
            error = "" if ok else f"{kind} HTTP {response.status_code}"
        except requests.RequestException as exc:
            response, ok, error = None, False, f"{kind} {type(exc).__name__}"
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[kind].append(elapsed)
            if not ok:
                self.errors[error] += 1
        return response


def _staff_user(base: str, username: str, start, think: float, rec: Recorder, rng: random.Random) -> None:
    import re

    s = requests.Session()
    s.get(f"{base}/logga-in/", timeout=60)
    # Logging in (a deliberately slow password hash) happens before the measured window.
    s.post(f"{base}/logga-in/", timeout=120, data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": s.cookies.get("csrftoken", "")})
    stop = start()
    item_link = re.compile(r'href="/personal/inkorg/(\d+)/"')
    while time.monotonic() < stop:
        page = rec.timed("staff queue", lambda: s.get(f"{base}/personal/inkorg/", timeout=30))
        time.sleep(think * rng.uniform(0.5, 1.5))
        ids = item_link.findall(page.text) if page is not None and page.status_code == 200 else []
        if not ids or time.monotonic() >= stop:
            continue
        pk = rng.choice(ids)
        rec.timed("staff item", lambda pk=pk: s.get(f"{base}/personal/inkorg/{pk}/", timeout=30))
        time.sleep(think * rng.uniform(0.5, 1.5))
        headers = {"X-CSRFToken": s.cookies.get("csrftoken", ""), "Referer": f"{base}/personal/inkorg/{pk}/"}
        # Claim and release: two writes (compare-and-set updates with audit rows). A claim another user
        # holds is answered with a message, not an error.
        rec.timed("staff claim", lambda pk=pk, headers=headers: s.post(f"{base}/personal/inkorg/{pk}/ta/", headers=headers, timeout=30,
                                                      allow_redirects=False))
        rec.timed("staff release", lambda pk=pk, headers=headers: s.post(f"{base}/personal/inkorg/{pk}/slapp/", headers=headers,
                                                        timeout=30, allow_redirects=False))
        time.sleep(think * rng.uniform(0.5, 1.5))


def _visitor(base: str, start, think: float, rec: Recorder, rng: random.Random) -> None:
    s = requests.Session()
    stop = start()
    while time.monotonic() < stop:
        rec.timed("public /kanaler/", lambda: s.get(f"{base}/kanaler/", timeout=30))
        time.sleep(think * rng.uniform(0.5, 1.5))


def _client(args: tuple) -> dict:
    base, staff_names, visitors, duration, staff_think, public_think, seed = args
    rec = Recorder()
    barrier = threading.Barrier(len(staff_names) + visitors)

    def start() -> float:
        # Every simulated user of this process starts the measured window together, after the logins.
        barrier.wait()
        return time.monotonic() + duration

    threads = [threading.Thread(target=_staff_user, args=(base, name, start, staff_think, rec, random.Random(seed + i)))
               for i, name in enumerate(staff_names)]
    threads += [threading.Thread(target=_visitor, args=(base, start, public_think, rec, random.Random(seed * 7 + i)))
                for i in range(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"samples": dict(rec.samples), "errors": dict(rec.errors), "duration": duration}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--full", action="store_true", help="5 minutes of load, as issue 8 asks")
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--public", type=int, default=200)
    parser.add_argument("--staff-think", type=float, default=1.0, help="mean seconds between a staff user's requests")
    parser.add_argument("--public-think", type=float, default=1.0, help="mean seconds between a visitor's requests")
    parser.add_argument("--channels", type=int, default=25)
    parser.add_argument("--items", type=int, default=80, help="comments per channel in the queue")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 0)) or None)
    parser.add_argument("--clients", type=int, default=4, help="load-generating processes")
    parser.add_argument("--port", type=int, default=8395)
    parser.add_argument("--json", action="store_true", help="print the result as JSON too")
    args = parser.parse_args()
    duration = 300.0 if args.full else args.duration

    from cryptography.fernet import Fernet

    url = fresh_database(DB_NAME)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS, "DJANGO_SETTINGS_MODULE": "ludvika_social.settings",
           "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
           "CREDENTIALS_KEY": Fernet.generate_key().decode(), "CONN_MAX_AGE": "60",
           "GUNICORN_BIND": f"127.0.0.1:{args.port}", "PROMETHEUS_MULTIPROC_DIR": str(ROOT / "var" / "prom-bench")}
    if args.web_workers:
        env["WEB_CONCURRENCY"] = str(args.web_workers)
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    web = None
    try:
        print(f"setting up {DB_NAME}: migrate, {args.staff} staff, {args.channels} channels × {args.items} comments",
              flush=True)
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        seed = SEED.format(staff=args.staff, channels=args.channels, items=args.items, password=PASSWORD)
        subprocess.run([sys.executable, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)
        web = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                                "ludvika_social.wsgi"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(150):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.2)
        requests.get(f"{base}/kanaler/", timeout=10)  # warm the page cache once
        staff = [f"staff{n:03d}" for n in range(args.staff)]
        jobs = [(base, staff[i::args.clients], args.public // args.clients + (i < args.public % args.clients),
                 duration, args.staff_think, args.public_think, 1000 * i) for i in range(args.clients)]
        print(f"load: {args.staff} staff + {args.public} visitors for {duration:.0f} s", flush=True)
        with multiprocessing.Pool(args.clients) as pool:
            results = pool.map(_client, jobs)
        wall = duration
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)
        drop_database(DB_NAME)
        redis.Redis.from_url(REDIS).flushdb()

    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for result in results:
        for kind, values in result["samples"].items():
            samples[kind].extend(values)
        for kind, n in result["errors"].items():
            errors[kind] += n
    everything = [v for values in samples.values() for v in values]
    report = {
        "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "duration_s": round(wall, 1),
        "staff": args.staff, "public": args.public, "web_workers": env.get("WEB_CONCURRENCY", "gunicorn.conf default"),
        "requests": len(everything), "throughput_rps": round(len(everything) / wall, 1),
        "errors": dict(errors),
        "latency_ms": {
            kind: {"n": len(values), "p50": round(statistics.median(values) * 1000, 1),
                   "p95": round(_percentile(values, 95) * 1000, 1), "p99": round(_percentile(values, 99) * 1000, 1)}
            for kind, values in sorted({**samples, "all": everything}.items())
        },
    }
    print(f"\n{report['date']} — {report['machine']}")
    print(f"{report['requests']} requests in {report['duration_s']} s = {report['throughput_rps']} requests/s; "
          f"errors: {sum(errors.values())}")
    print(f"{'request':<20}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, row in report["latency_ms"].items():
        print(f"{kind:<20}{row['n']:>8}{row['p50']:>10}{row['p95']:>10}{row['p99']:>10}")
    for kind, n in sorted(errors.items()):
        print(f"ERROR {kind}: {n}")
    if args.json:
        print(json.dumps(report))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
