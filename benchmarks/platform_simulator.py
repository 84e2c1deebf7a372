"""How fast the platform simulator serves a large world, through the real connectors.

    .venv/bin/python benchmarks/platform_simulator.py [--channels 100] [--backlog 1000]
        [--platform facebook] [--latency-ms 0] [--threads 1]

Starts the simulator in-process, lets every channel's backlog be generated, then polls every channel
once with the platform's connector over HTTP and reports items, requests and seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.test")

import django

django.setup()

from channels.connectors import get_connector  # noqa: E402
from channels.simulator.server import PlatformSimulator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=1000, help="events per channel (comments, replies, ...)")
    parser.add_argument("--platform", default="facebook")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    sim = PlatformSimulator(port=0, seed=1, rate=2.0, backlog=args.backlog, frozen=True,
                            latency_ms=args.latency_ms).start()
    accounts = [f"{9000000 + n}" if args.platform != "bluesky" else f"did:plc:bench{n:06d}"
                for n in range(args.channels)]
    started = time.perf_counter()
    total_generated = 0
    for account in accounts:
        total_generated += len(sim.world.account(args.platform, account).items)
    generated_s = time.perf_counter() - started

    def poll_one(account: str) -> int:
        site = account if args.platform in ("wordpress", "mastodon") else "demo"
        credentials = {"access_token": "bench", "username": "u", "application_password": "p",
                       "identifier": account, "app_password": "p"}
        connector = get_connector(args.platform)(account_id=account, credentials=credentials,
                                                 base_url=sim.url(args.platform, site=site), timeout=30)
        count = 0
        for page in connector.iter_pages(cursor={}):
            count += len(page.items)
        return count

    sim.httpd.request_log.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        polled = sum(pool.map(poll_one, accounts))
    polled_s = time.perf_counter() - started
    requests_made = len(sim.httpd.request_log)  # the log keeps the last 1000
    sim.stop()
    print(f"platform={args.platform} channels={args.channels} backlog={args.backlog} "
          f"latency_ms={args.latency_ms} threads={args.threads}")
    print(f"generated {total_generated} items in {generated_s:.2f} s")
    print(f"polled {polled} new items in {polled_s:.2f} s ({polled / polled_s:.0f} items/s), "
          f"requests (last 1000 kept): {requests_made}")


if __name__ == "__main__":
    main()
