"""Ingest benchmark: the bulk inbound store against a naive per-item update_or_create loop.

The platform simulator runs as its own process (manage.py run_platform_simulator, frozen clock) and
serves every channel's backlog. Each channel is polled page by page through its real connector over
HTTP; pages are stored either by ``channels.services.items_store`` (the real path: bulk per page,
versions, archive capture, cursor) or by a naive loop (per item: update_or_create, a version, an
archive capture). Only the time spent storing is counted for the items/s figures; the end-to-end
rate of ``channel_poll`` (HTTP included) is printed as well. Peak RSS is this process's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/channels_bench \\
        .venv/bin/python benchmarks/channels_ingest.py --channels 100 --per-channel 1000 --naive-channels 10

The database named in DATABASE_URL is dropped and created again: give it a name of its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings")
os.environ["DEBUG"] = "false"  # no query log: it costs time and grows memory with every query
if not os.environ.get("CREDENTIALS_KEY"):
    from cryptography.fernet import Fernet

    os.environ["CREDENTIALS_KEY"] = Fernet.generate_key().decode()  # a throwaway key for the run


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def backend_cpu_s() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (the server runs on this
    machine): with the process's own CPU time, a measure of the work that does not depend on what
    else the shared machine is running."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def recreate_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template1"):
        raise SystemExit("DATABASE_URL must name a database of its own")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def start_simulator(port: int, backlog: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_platform_simulator", "--port", str(port),
         "--backlog", str(backlog), "--frozen", "--seed", "11"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/_sim/health", timeout=1).raise_for_status()
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the simulator did not start")


def analyze_if_no_autovacuum() -> None:
    """Refresh planner statistics as autovacuum would. Only when autovacuum is off on the server
    (as on the machine these figures were measured on): without statistics, the planner misjudges
    tables that grew from empty during the run, which no production database with autovacuum sees."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return
        cursor.execute("ANALYZE")


def naive_store(channel, items) -> int:
    """What a first version would do: one update_or_create per item, a version and an archive
    capture per item, each in its own transaction."""
    from django.db import transaction
    from django.utils import timezone

    from archive.services import capture_item_versions
    from archive.services.capture import channel_snapshot
    from channels.models import Item, ItemVersion

    stored = 0
    channel_info = channel_snapshot(channel)
    for n in items:
        with transaction.atomic():
            item, created = Item.objects.update_or_create(
                channel=channel, platform_id=n.platform_id,
                defaults={
                    "kind": str(n.kind), "parent_platform_id": n.parent_platform_id or "",
                    "thread_platform_id": n.thread_platform_id or "", "author_platform_id": n.author.platform_id,
                    "author_name": n.author.name, "author_profile_url": n.author.profile_url, "text": n.text,
                    "permalink": n.permalink, "created_at": n.created_at, "edited_at": n.edited_at,
                    "visibility": str(n.visibility), "raw": n.raw,
                },
            )
            if created:
                version = ItemVersion.objects.create(item=item, number=1, text=n.text, edited_at=n.edited_at,
                                                     received_at=timezone.now(), raw=n.raw)
                capture_item_versions(snapshots=[{
                    "channel": channel_info, "platform": channel.platform, "platform_id": n.platform_id,
                    "kind": str(n.kind), "version": 1,
                    "thread": {"root_platform_id": n.thread_platform_id or "", "root_text": "",
                               "parent_platform_id": n.parent_platform_id or "", "parent_text": ""},
                    "author": {"platform_id": n.author.platform_id, "name": n.author.name,
                               "profile_url": n.author.profile_url},
                    "text": n.text, "attachments": [], "created_at": n.created_at.isoformat(),
                    "edited_at": n.edited_at.isoformat() if n.edited_at else None,
                    "received_at": timezone.now().isoformat(), "visibility": str(n.visibility), "raw": n.raw,
                    "source": {"item_id": item.pk, "version_id": version.pk},
                }])
                stored += 1
    return stored


def run_channel(channel, store) -> tuple[int, float, float]:
    """Poll one channel's pages over HTTP; returns (items stored, seconds storing, seconds total)."""
    from channels.services.platform import connector_for
    from channels.services.sync import channel_sync_get_or_create

    sync = channel_sync_get_or_create(channel=channel)
    connector = connector_for(channel=channel, sync=sync)
    stored = 0
    storing = 0.0
    start = time.perf_counter()
    for page in connector.iter_pages(cursor={}):
        t0 = time.perf_counter()
        stored += store(channel, page)
        storing += time.perf_counter() - t0
    return stored, storing, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--per-channel", type=int, default=1000, help="backlog events per channel")
    parser.add_argument("--naive-channels", type=int, default=10)
    parser.add_argument("--platform", default="youtube")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the bulk phase to FILE")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database of its own (it is recreated)")
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from channels.models import Item, ItemVersion
    from channels.services import channel_credentials_set, channel_poll
    from channels.services.sync import channel_sync_get_or_create
    from registry.models import Board, Channel, ChannelStatus, Department

    sim = start_simulator(args.port, args.per_channel)
    try:
        board = Board.objects.create(name="Bänknämnden", slug="bank")
        dept = Department.objects.create(board=board, name="Bänkförvaltningen", slug="bank")
        base = f"http://127.0.0.1:{args.port}"
        api = {"youtube": f"{base}/youtube/v3", "facebook": f"{base}/facebook/v21.0",
               "instagram": f"{base}/instagram/v21.0", "linkedin": f"{base}/linkedin/rest"}[args.platform]

        def make(n: int, prefix: str) -> list:
            from django.utils import timezone

            made = []
            for i in range(n):
                ch = Channel.objects.create(
                    department=dept, platform=args.platform, name=f"{prefix} {i}",
                    public_url=f"https://example.org/{prefix}/{i}", account_id=f"UC{prefix}{i:06d}",
                    status=ChannelStatus.ACTIVE, activated_at=timezone.now(),
                )
                sync = channel_sync_get_or_create(channel=ch)
                sync.api_base_url = api
                sync.save(update_fields=["api_base_url"])
                channel_credentials_set(channel=ch, credentials={"access_token": f"bench-token-{prefix}-{i}"})
                made.append(ch)
            return made

        fast_channels = make(args.channels, "fast")
        naive_channels = make(args.naive_channels, "naive")

        # 1. The real path: channel_poll (HTTP, batches of pages, store, cursor, health). The time
        #    spent inside items_store is measured separately by wrapping the polling module's reference.
        from channels.services import polling

        store_time = [0.0]
        store_cpu = [0.0, 0.0]  # this process, the PostgreSQL backend
        real_store = polling.items_store

        def timed_store(**kwargs):
            t0, c0, b0 = time.perf_counter(), time.process_time(), backend_cpu_s()
            try:
                return real_store(**kwargs)
            finally:
                store_time[0] += time.perf_counter() - t0
                store_cpu[0] += time.process_time() - c0
                store_cpu[1] += backend_cpu_s() - b0

        polling.items_store = timed_store
        # The archive's share of storing (capture_item_versions runs inside each store transaction).
        import archive.services

        archive_time = [0.0]
        real_capture = archive.services.capture_item_versions

        def timed_capture(**kwargs):
            t0 = time.perf_counter()
            try:
                return real_capture(**kwargs)
            finally:
                archive_time[0] += time.perf_counter() - t0

        archive.services.capture_item_versions = timed_capture
        rss_after_first = None
        fast_items = 0
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t_start = time.perf_counter()
        for index, ch in enumerate(fast_channels):
            if index % 10 == 0:
                analyze_if_no_autovacuum()
            report = channel_poll(channel_id=ch.pk, defer_context=False)
            if report.outcome != "ok":
                raise SystemExit(f"poll of {ch} failed: {report.outcome} {report.error}")
            fast_items += report.stored.new_items
            if index == max(0, len(fast_channels) // 10 - 1):
                rss_after_first = current_rss_mb()
        fast_total_s = time.perf_counter() - t_start
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        fast_store_s = store_time[0]
        polling.items_store = real_store
        archive.services.capture_item_versions = real_capture
        rss_end = current_rss_mb()

        # 2. The naive loop over the same kind of pages.
        naive_items = 0
        naive_store_s = 0.0
        for index, ch in enumerate(naive_channels):
            if index % 10 == 0:
                analyze_if_no_autovacuum()
            n, s, _t = run_channel(ch, lambda c, page: naive_store(c, page.items))
            naive_items += n
            naive_store_s += s

        fast_rate = fast_items / fast_store_s if fast_store_s else 0
        naive_rate = naive_items / naive_store_s if naive_store_s else 0
        print(f"platform {args.platform}, {args.channels} channels x backlog {args.per_channel}")
        print(f"bulk store:    {fast_items} items in {fast_store_s:.1f} s storing = {fast_rate:,.0f} items/s "
              f"(of which archive capture {archive_time[0]:.1f} s; without it "
              f"{fast_items / (fast_store_s - archive_time[0]):,.0f} items/s)")
        print(f"store CPU:     {store_cpu[0]:.1f} s in this process + {store_cpu[1]:.1f} s in the PostgreSQL backend "
              f"= {fast_items / store_cpu[0]:,.0f} items per client CPU second" if store_cpu[0] else "store CPU: n/a")
        print(f"channel_poll:  {fast_items} items in {fast_total_s:.1f} s end to end (HTTP to the simulator included) "
              f"= {fast_items / fast_total_s:,.0f} items/s")
        print(f"naive store:   {naive_items} items in {naive_store_s:.1f} s = {naive_rate:,.0f} items/s")
        print(f"ratio:         {fast_rate / naive_rate:.1f}x" if naive_rate else "ratio: n/a")
        print(f"stored:        {Item.objects.count()} items, {ItemVersion.objects.count()} versions")
        print(f"RSS:           {rss_after_first:.0f} MB after 10% of the channels, {rss_end:.0f} MB at the end, "
              f"peak {rss_mb():.0f} MB")
    finally:
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    main()
