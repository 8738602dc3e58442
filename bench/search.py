"""Search as one reader sees it: every query different, nothing cached, no queue.

    BENCH_DATABASE_URL=postgres://... python bench/search.py [--seconds 10]

bench/run.py measures the search scenarios under load (16 clients on 4 workers, so each
latency includes the wait for a free worker). This script measures the time of one search on
its own: it sends each kind's queries (the lists bench_prepare wrote to bench/results/work/)
one after another through Django's whole stack in this process, with the benchmark's
production settings, for a bounded time per kind, and reports p50/p95/p99, the share spent in
PostgreSQL, and how many queries found something. Run bench/run.py once first (it builds the
catalogue and the lists).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "results" / "work"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


class DatabaseTime:
    """Adds up the time spent in the database (a connection.execute_wrapper)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def measure(client, paths, seconds):
    from django.db import connection

    totals, database, found = [], [], 0
    deadline = time.monotonic() + seconds
    for path in paths:
        if time.monotonic() > deadline:
            break
        timer = DatabaseTime()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(path)
        totals.append(time.perf_counter() - started)
        database.append(timer.seconds)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        found += b"No release matches" not in response.content
    return {
        "queries": len(totals),
        "p50_ms": round(percentile(totals, 50) * 1000, 1),
        "p95_ms": round(percentile(totals, 95) * 1000, 1),
        "p99_ms": round(percentile(totals, 99) * 1000, 1),
        "database_p50_ms": round(percentile(database, 50) * 1000, 1),
        "database_p95_ms": round(percentile(database, 95) * 1000, 1),
        "mean_ms": round(statistics.fmean(totals) * 1000, 1),
        "found": round(found / len(totals), 3) if totals else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="per kind of query")
    parser.add_argument("--warm-up", type=int, default=20, help="queries sent first, not measured")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.run import bench_env

    os.environ.update(bench_env())
    import django

    django.setup()
    from django.test import Client

    from bench.management.commands.bench_prepare import SEARCH_KINDS

    client = Client(SERVER_NAME="127.0.0.1")
    print(
        f"{'search':<18} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'db p50':>8} {'db p95':>8} {'found':>6}"
    )
    for kind, label in SEARCH_KINDS.items():
        paths = (WORK / f"search-{kind}.txt").read_text().split()
        measure(client, paths[: args.warm_up], seconds=60)
        r = measure(client, paths[args.warm_up :], args.seconds)
        print(
            f"{label:<18} {r['queries']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['database_p50_ms']:>8} {r['database_p95_ms']:>8} {r['found']:>6}"
        )


if __name__ == "__main__":
    main()
