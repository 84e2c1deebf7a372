"""Polling benchmark: N channels whose API answers after 200 ms, all polled within one interval by
real Celery workers (2 worker processes, each a thread pool consuming the ``poll`` queue).

What runs:
- the platform simulator as its own process with ``--latency-ms 200`` (every platform answer waits);
- two ``celery worker -Q poll -P threads`` processes against a private Redis database;
- this script: creates the channels (PostgreSQL, a database of its own, recreated), sends the beat
  tick (``polls_enqueue_due_task``) once, as beat would, and waits until every channel has a
  successful poll recorded. The time from the tick to the last successful poll is the figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/channels_pollbench \\
        .venv/bin/python benchmarks/channels_polling.py --channels 1000 --latency-ms 200 --threads 25

The database named in DATABASE_URL is dropped and created again; Redis database 14 is flushed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--threads", type=int, default=25, help="threads per worker process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backlog", type=int, default=5, help="items each account has when first polled")
    parser.add_argument("--platform", default="youtube")
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--deadline", type=float, default=300.0)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database of its own (it is recreated)")
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ludvika_social.settings",
        "DEBUG": "false",
        "REDIS_URL": args.redis,
        "CREDENTIALS_KEY": os.environ.get("CREDENTIALS_KEY") or Fernet.generate_key().decode(),
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    from channels_ingest import recreate_database

    recreate_database(url)
    import redis

    redis.Redis.from_url(args.redis).flushdb()

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from channels.models import ChannelSync
    from channels.services import channel_credentials_set
    from registry.models import Board, Channel, ChannelStatus, Department

    sim = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_platform_simulator", "--port", str(args.port),
         "--backlog", str(args.backlog), "--latency-ms", str(args.latency_ms), "--frozen"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )
    workers: list[subprocess.Popen] = []
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{args.port}/_sim/health", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{args.port}"
        api = {"youtube": f"{base}/youtube/v3", "facebook": f"{base}/facebook/v21.0",
               "instagram": f"{base}/instagram/v21.0", "linkedin": f"{base}/linkedin/rest"}[args.platform]
        board = Board.objects.create(name="Bänknämnden", slug="bank")
        dept = Department.objects.create(board=board, name="Bänkförvaltningen", slug="bank")
        now = timezone.now()
        channels = Channel.objects.bulk_create(
            [
                Channel(department=dept, platform=args.platform, name=f"Kanal {i}", public_url=f"https://example.org/k/{i}",
                        account_id=f"UCpoll{i:06d}", status=ChannelStatus.ACTIVE, activated_at=now)
                for i in range(args.channels)
            ]
        )
        ChannelSync.objects.bulk_create([ChannelSync(channel=c, api_base_url=api) for c in channels])
        for c in channels:
            channel_credentials_set(channel=c, credentials={"access_token": f"poll-token-{c.pk}"})
        from django.db import connection

        connection.close()

        for n in range(args.workers):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "ludvika_social", "worker", "-Q", "poll", "-P", "threads",
                 "-c", str(args.threads), "-n", f"pollbench{n}@%h", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-l", "WARNING"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/pollbench-worker{n}.log", "w"),  # noqa: SIM115
            ))
        time.sleep(8)  # workers connect to the broker

        from channels.tasks import polls_enqueue_due_task

        start = timezone.now()
        t0 = time.perf_counter()
        polls_enqueue_due_task.delay()  # the beat tick
        done = 0
        while time.perf_counter() - t0 < args.deadline + 60:
            done = ChannelSync.objects.filter(last_success_at__gte=start).count()
            if done >= args.channels:
                break
            time.sleep(1)
        elapsed = time.perf_counter() - t0
        failed = ChannelSync.objects.exclude(last_error="").count()
        busy = ChannelSync.objects.exclude(lease_token="").count()
        print(f"{args.channels} {args.platform} channels, API latency {args.latency_ms} ms per answer, "
              f"{args.workers} worker processes x {args.threads} threads (poll queue)")
        print(f"polled successfully: {done}/{args.channels} in {elapsed:.1f} s from the beat tick "
              f"(deadline {args.deadline:.0f} s); channels with an error: {failed}; still running: {busy}")
        from django.db.models import Count

        from channels.models import Item

        print(f"items stored: {Item.objects.count()}; per channel: "
              f"{Item.objects.values('channel').annotate(n=Count('id')).count()} channels with items")
        if done < args.channels or elapsed > args.deadline:
            raise SystemExit(1)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    main()
