"""Screening throughput on one core, compared with better_profanity given the same Swedish word list.

Corpus: the comments of moderation/data/testset.jsonl, weighted so that about one in ten contains
something to flag (as on a municipality's page), joined into comments of 1-6 sentences, repeated to
--megabytes of text. Reports MB/s (UTF-8 bytes per CPU second of one process, i.e. per core), comments/s, p50/p99 latency per comment, the
matcher build time and peak memory.

    .venv/bin/python benchmarks/screening_speed.py [--megabytes 5] [--peer-megabytes 0.2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ludvika_social.settings.test")

import django

django.setup()

from moderation.screening import Screener  # noqa: E402
from moderation.screening.lexicon import DATA_DIR, expand  # noqa: E402


def corpus(megabytes: float, seed: int = 7) -> list[str]:
    rows = [json.loads(line) for line in (DATA_DIR / "testset.jsonl").read_text(encoding="utf-8").splitlines()]
    clean = [r["text"] for r in rows if not r["labels"] or set(r["labels"]) <= {"fraga", "politisk", "arende"}]
    flagged = [r["text"] for r in rows if r not in clean and r["text"] not in clean]
    rnd = random.Random(seed)
    out: list[str] = []
    size = 0
    target = megabytes * 1_000_000
    while size < target:
        parts = [rnd.choice(flagged) if rnd.random() < 0.1 else rnd.choice(clean) for _ in range(rnd.randint(1, 6))]
        text = " ".join(parts)
        out.append(text)
        size += len(text.encode())
    return out


def word_list() -> list[str]:
    words = set()
    for path in sorted((DATA_DIR / "lexicon").glob("*.txt")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("@"):
                continue
            line = line.split(" !", 1)[0]
            words.update(w.strip("*").strip() for w in expand(line) if w.strip("*").strip())
    return sorted(words)


def run(texts: list[str], fn) -> tuple[float, list[float]]:
    """CPU seconds of this process (not wall time: the machine may be shared), and per-call latencies."""
    latencies = []
    start = time.process_time()
    for t in texts:
        t0 = time.perf_counter()
        fn(t)
        latencies.append(time.perf_counter() - t0)
    return time.process_time() - start, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs over the corpus; the median is reported")
    parser.add_argument("--peer-megabytes", type=float, default=0.2,
                        help="better_profanity is much slower; it runs on the first part of the corpus only")
    args = parser.parse_args()

    tracemalloc.start()
    t0 = time.perf_counter()
    screener = Screener()
    build = time.perf_counter() - t0
    _, build_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    texts = corpus(args.megabytes)
    size = sum(len(t.encode()) for t in texts)
    screener.screen(texts[0])  # warm-up
    runs = [run(texts, screener.screen) for _ in range(args.repeat)]
    elapsed, lat = sorted(runs, key=lambda r: r[0])[len(runs) // 2]  # the median run
    ours_mbs = size / 1e6 / elapsed
    all_mbs = ", ".join(f"{size / 1e6 / r[0]:.2f}" for r in runs)

    from better_profanity import profanity

    words = word_list()
    t0 = time.perf_counter()
    profanity.load_censor_words(words)
    peer_build = time.perf_counter() - t0
    peer_texts = []
    peer_size = 0
    for t in texts:
        if peer_size >= args.peer_megabytes * 1e6:
            break
        peer_texts.append(t)
        peer_size += len(t.encode())
    peer_elapsed, _ = run(peer_texts, profanity.contains_profanity)
    peer_mbs = peer_size / 1e6 / peer_elapsed
    ours_same_elapsed, _ = run(peer_texts, screener.screen)
    ours_same_mbs = peer_size / 1e6 / ours_same_elapsed

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q = statistics.quantiles(lat, n=100)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"rule set: {len(screener.matcher)} automaton entries; build {build * 1000:.0f} ms, "
          f"peak {build_peak / 1e6:.1f} MB allocated while building")
    print(f"ours: {len(texts)} comments, {size / 1e6:.2f} MB in {elapsed:.2f} CPU s = {ours_mbs:.2f} MB/s per core, "
          f"{len(texts) / elapsed:.0f} comments/s, p50 {q[49] * 1e6:.0f} µs, p99 {q[98] * 1e6:.0f} µs "
          f"(median of {len(runs)} runs: {all_mbs} MB/s)")
    print(f"better_profanity {len(words)} words: build {peer_build:.2f} s; {len(peer_texts)} comments, "
          f"{peer_size / 1e6:.2f} MB = {peer_mbs:.3f} MB/s (ours on the same texts: {ours_same_mbs:.2f} MB/s)")
    print(f"ratio (ours / better_profanity, same texts): {ours_same_mbs / peer_mbs:.0f}x")
    print(f"peak RSS of the whole process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
