"""The benchmark's ratio to the machine's pace around each scenario, its split of each request's
CPU, and its runs' settings (bench/run.py)."""

import os
import time

from bench import run
from bench.run import add_pace_ratios


def test_each_scenario_is_compared_with_the_ceiling_runs_around_it():
    results = [
        {"name": "ceiling", "rps": 2000.0},
        {"name": "release cold", "rps": 200.0, "pace_before_rps": 1800.0},
        {"name": "list cold", "rps": 300.0, "pace_before_rps": 2200.0},
        {"name": "ceiling (again)", "rps": 2600.0},
    ]
    add_pace_ratios(results)
    assert "ratio_to_pace" not in results[0] and "ratio_to_pace" not in results[3]
    assert results[1]["pace_rps"] == 2000.0  # 1,800 before it, 2,200 before the next one
    assert results[1]["ratio_to_pace"] == 0.1
    assert results[2]["pace_rps"] == 2400.0  # 2,200 before it, the closing ceiling run after
    assert results[2]["ratio_to_pace"] == 0.125


def test_without_a_later_ceiling_run_the_one_before_stands_alone():
    results = [{"name": "vote", "rps": 500.0, "pace_before_rps": 1000.0}]
    add_pace_ratios(results)
    assert results[0]["pace_rps"] == 1000.0 and results[0]["ratio_to_pace"] == 0.5


def test_runs_with_a_shared_cache_keep_their_keys_apart(monkeypatch):
    # A shared cache (Redis) outlives a run: the pages and lists one run kept would make the next
    # run's cold scenarios warm.
    monkeypatch.delenv("CACHE_KEY_PREFIX", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    first = run.bench_env()["CACHE_KEY_PREFIX"]
    monkeypatch.setattr(run, "RUN_ID", "another-run")
    second = run.bench_env()["CACHE_KEY_PREFIX"]

    assert first.startswith("needledrop-bench-") and first != second

    monkeypatch.delenv("REDIS_URL")
    assert "CACHE_KEY_PREFIX" not in run.bench_env()


def test_each_request_s_cpu_is_split_by_who_spent_it():
    before = {"machine": 10.0, "gunicorn": 4.0, "postgres": 1.0, "runner": 0.5, "wrk": 0.25}
    after = {"machine": 12.0, "gunicorn": 5.0, "postgres": 1.5, "runner": 0.5, "wrk": 0.5}
    split = run.cpu_per_request(before, after, requests=1000)
    assert split == {
        "machine": 2.0,
        "gunicorn": 1.0,
        "postgres": 0.5,
        "runner": 0.0,
        "wrk": 0.25,
        "other": 0.25,  # the machine's busy time nobody named accounts for
    }
    assert run.cpu_per_request(None, after, requests=1000) is None
    assert run.cpu_per_request(before, after, requests=0) is None


def test_a_snapshot_reads_the_cpu_a_process_really_spent():
    """The snapshot reads /proc: CPU burnt here shows up as this process's (standing in for
    gunicorn's master) and the machine's."""
    before = run.cpu_snapshot(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.3:  # bounded: 0.3 s of this process's CPU
        sum(range(1000))
    after = run.cpu_snapshot(os.getpid())
    spent = {group: after[group] - before[group] for group in run.CPU_GROUPS}
    assert spent["gunicorn"] >= 0.25
    assert spent["runner"] >= 0.25
    assert spent["machine"] >= 0.25
