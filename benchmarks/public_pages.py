"""Benchmark: /kanaler/ and /kanaler.json with 500 channels and 50 parties, served by gunicorn on
this machine with a warm cache, loaded by wrk over localhost. Target: at least 1,000 requests/s.

    .venv/bin/python benchmarks/public_pages.py [--duration 20] [--connections 32]

Needs PostgreSQL and Redis on 127.0.0.1 and wrk (apt-get install wrk). Uses its own database.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._common import ROOT, drop_database, fresh_database, machine, manage

DB_NAME = "ls_bench_public"
PORT = 8391

SEED = r"""
import datetime as dt
from django.utils import timezone
from registry.audit import record_change
from registry.models import Board, Channel, Department, Party
platforms = ["facebook", "instagram", "youtube", "wordpress", "mastodon", "bluesky", "linkedin"]
hosts = {"facebook": "https://www.facebook.com/k{}", "instagram": "https://www.instagram.com/k{}",
         "youtube": "https://www.youtube.com/@k{}", "wordpress": "https://blogg{}.ludvika.se/",
         "mastodon": "https://social.example.se/@k{}", "bluesky": "https://bsky.app/profile/k{}.bsky.social",
         "linkedin": "https://www.linkedin.com/company/k{}"}
board = Board.objects.create(name="Kommunstyrelsen", slug="ks")
depts = [Department.objects.create(board=board, name=f"Förvaltning {i}", slug=f"f{i}") for i in range(25)]
now = timezone.now()
Channel.objects.bulk_create([
    Channel(department=depts[i % 25], platform=platforms[i % 7], name=f"Kanal {i}",
            public_url=hosts[platforms[i % 7]].format(i), account_id=str(100000 + i),
            purpose="Nyheter och information från förvaltningen till invånarna i kommunen.",
            public_contact="Skriv till förvaltningen", public_contact_email=f"f{i % 25}@ludvika.se",
            status="aktiv", activated_at=now - dt.timedelta(days=i))
    for i in range(500)])
Party.objects.bulk_create([Party(name=f"Parti {i}", abbreviation=f"P{i}", website=f"https://parti{i}.example.se",
                                 council_seats=i % 5, has_board_seat=i % 2 == 0) for i in range(50)])
record_change(obj=board, object_type="board", action="create", actor=None, before=None)
"""


def wrk(url: str, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": rps, "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
        "errors": int(errors.group(1)) if errors else 0, "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk saknas: apt-get install wrk", file=sys.stderr)
        return 2
    url = fresh_database(DB_NAME)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "CACHE_KEY_PREFIX": f"bench{int(time.time())}",
        "DJANGO_SETTINGS_MODULE": "ludvika_social.settings.production",
        "SECRET_KEY": "benchmark-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # A fresh key: production settings refuse the test key published in the repository.
        "CREDENTIALS_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        manage("migrate", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        manage("shell", "-c", SEED, env=env)
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "ludvika_social.wsgi", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/kanaler/", timeout=2).read()  # warms the cache
                break
            except OSError:
                time.sleep(0.2)
        print(f"# Public pages, 500 channels and 50 parties, gunicorn {args.workers} sync workers, "
              f"wrk 2 threads {args.connections} connections {args.duration}s; {machine()}; {time.strftime('%Y-%m-%d')}")
        results = {}
        for path in ("/kanaler/", "/kanaler.json"):
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}").read()
            results[path] = r = wrk(f"http://127.0.0.1:{PORT}{path}", args.duration, args.connections)
            print(f"{path:<14} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.1f} ms  p90 {r['p90_ms']:.1f} ms  "
                  f"p99 {r['p99_ms']:.1f} ms  non-2xx {r['errors']} {r['socket_errors']}")
        ok = all(r["rps"] >= 1000 and r["errors"] == 0 for r in results.values())
        print("target >= 1,000 req/s:", "met" if ok else "NOT met")
        return 0 if ok else 1
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop_database(DB_NAME)


if __name__ == "__main__":
    sys.exit(main())
