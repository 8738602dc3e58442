"""The benchmark's ratio to the machine's pace around each scenario, and its runs' settings (bench/run.py)."""

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
