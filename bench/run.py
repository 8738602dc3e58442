"""Needle Drop's benchmark: a large catalogue, the production stack on 127.0.0.1, wrk as the load.

    python bench/run.py --releases 100000      (make bench)
    python bench/run.py --releases 10000       (make bench-small)

wrk (Debian's package) drives the load from its own process: it is written in C, so on a
2-core machine it takes far less CPU from the server under test than a Python load generator
would. Every scenario runs for a bounded time. Results go to the terminal and to
bench/results/<time>.json.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "work"
LUA = ROOT / "bench" / "wrk" / "report.lua"
PORT = int(os.environ.get("BENCH_PORT", "8077"))
BASE = f"http://127.0.0.1:{PORT}"
RUN_ID = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}"
PYTHON = sys.executable


def log(message):
    print(f"[bench] {message}", flush=True)


def bench_env(extra=None):
    """The production settings, pointed at the benchmark's own database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "ENV_FILE": "/dev/null",
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-" + "k" * 60),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": BASE,
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "BENCHMARK_VIEWS": "True",
        "SERVE_MEDIA": "True",
        "LOG_LEVEL": "WARNING",
        "POLL_RATE_PER_ADDRESS": "100000000",
        # As behind the one reverse proxy of a production deployment: votes carry the client
        # address in X-Forwarded-For (see the spread_addresses scenarios).
        "TRUSTED_PROXY_COUNT": "1",
        "EMBEDDED_DATABASE_NAME": "needledrop_bench",
        "MEDIA_ROOT": str(WORK / "media"),
    }
    if os.environ.get("REDIS_URL"):
        # Pages and lists a shared cache kept from an earlier run would make the cold scenarios
        # warm: each run keeps its keys apart.
        env["CACHE_KEY_PREFIX"] = f"needledrop-bench-{RUN_ID}"
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        env.pop("DATABASE_URL", None)
    env.update(extra or {})
    return env


def manage(*args, env=None, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env or bench_env(),
        check=True,
        text=True,
        capture_output=capture,
        timeout=3600,
    )
    return result.stdout if capture else None


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian's packages")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    if not shutil.which("wrk"):
        sys.exit("The benchmark needs wrk: apt-get install wrk")


def prepare_data(releases):
    """Migrate, build the synthetic catalogue once, and write the inputs the scenarios need."""
    manage("migrate", "--noinput", "-v0")
    started = time.monotonic()
    manage("bench_prepare", "--releases", str(releases), "--out", str(WORK))
    log(f"data ready in {time.monotonic() - started:.0f} s")
    return json.loads((WORK / "targets.json").read_text())


class Server:
    """gunicorn with the production settings and the documented worker count."""

    def __init__(self, workers, extra_env=None, threads=1):
        self.workers = workers
        self.threads = threads
        self.extra_env = extra_env or {}
        self.process = None

    def __enter__(self):
        env = bench_env(
            {
                "WEB_CONCURRENCY": str(self.workers),
                "WEB_THREADS": str(self.threads),
                **self.extra_env,
            }
        )
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi:application",
                "--config",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(WORK / "gunicorn.log", "w"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        sys.exit(
            "gunicorn did not answer /healthz within 60 s; see bench/results/work/gunicorn.log"
        )

    def worker_peak_memory_mb(self):
        peaks = []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def run_wrk(scenario, seconds, connections):
    env = {
        **os.environ,
        "WRK_METHOD": scenario.get("method", "GET"),
        "WRK_BODY": scenario.get("body", ""),
        "WRK_COOKIE": scenario.get("cookie", ""),
        "WRK_PATHS": scenario.get("paths", ""),
        "WRK_TOKENS": scenario.get("tokens", ""),
        "WRK_SPREAD_ADDRESSES": "1" if scenario.get("spread_addresses") else "",
        "WRK_RETURNING": "1" if scenario.get("returning") else "",
    }
    connections = scenario.get("connections", connections)
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        BASE + scenario["path"],
    ]
    output = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    line = next((line for line in output.splitlines() if line.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report for {scenario['name']}:\n{output}")
    data = json.loads(line)
    total_errors = sum(v for k, v in data.items() if k.startswith("errors_"))
    return {
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "p95_ms": round(data["p95_us"] / 1000, 2),
        "p99_ms": round(data["p99_us"] / 1000, 2),
        "errors": total_errors,
        "requests": data["requests"],
        "connections": connections,
    }


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CPU_GROUPS = ("machine", "gunicorn", "postgres", "runner", "wrk")


def cpu_snapshot(gunicorn_pid):
    """CPU seconds spent so far, by whom (Linux's /proc; None elsewhere).

    machine: every core's busy time (/proc/stat). gunicorn: its master and workers. postgres:
    every process named postgres (the embedded server's, or the one BENCH_DATABASE_URL names).
    Both count their exited children too, so a replaced worker or a closed backend is not lost.
    runner: this process, the fake Stripe API's threads among them. wrk: the runs of wrk this
    process has waited for.
    """
    try:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except OSError:
        return None
    # user, nice, system, idle, iowait, irq, softirq, steal: busy is all but idle and iowait.
    spent = dict.fromkeys(CPU_GROUPS, 0.0)
    spent["machine"] = (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # gone since the directory was read
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # After the name: state, ppid, ...; utime, stime, cutime, cstime are fields 14-17.
        ppid = int(fields[1])
        cpu = sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
        if gunicorn_pid in (int(entry.name), ppid):
            spent["gunicorn"] += cpu
        elif name == "postgres":
            spent["postgres"] += cpu
    own = os.times()
    spent["runner"] = own.user + own.system
    spent["wrk"] = own.children_user + own.children_system
    return spent


def cpu_per_request(before, after, requests):
    """Milliseconds of CPU a request, by whom, between two cpu_snapshot()s; "other" is the
    machine's busy time nobody above accounts for (the kernel's network work, other programs)."""
    if before is None or after is None or not requests:
        return None
    per_request = {
        group: round(1000 * (after[group] - before[group]) / requests, 3) for group in CPU_GROUPS
    }
    named = sum(value for group, value in per_request.items() if group != "machine")
    per_request["other"] = round(per_request["machine"] - named, 3)
    return per_request


def query_counts():
    """Each page's SQL query count as the test suite measures it (tests/test_query_counts.py),
    measured afresh for this run: a file left by an earlier test run may be older than the
    code under test."""
    path = ROOT / "test-artifacts" / "query-counts.json"
    path.unlink(missing_ok=True)
    log("measuring query counts with the test suite")
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "tests/test_query_counts.py"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        timeout=600,
    )
    return json.loads(path.read_text()) if path.exists() else {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument(
        "--pace-seconds",
        type=int,
        default=int(os.environ.get("BENCH_PACE_SECONDS", "3")),
        help="a short ceiling run before each scenario, for its ratio to the machine's pace "
        "around it (0: none)",
    )
    parser.add_argument(
        "--stripe-latency-ms",
        type=int,
        default=0,
        help="delay each answer of the fake Stripe API (0: answer at once)",
    )
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    targets = prepare_data(args.releases)
    manage("collectstatic", "--noinput", "-v0")
    counts = query_counts()
    scenarios = targets["scenarios"]
    if args.only:
        wanted = set(args.only.split(","))
        scenarios = [s for s in scenarios if s["name"] in wanted or s["name"] == "ceiling"]

    # Checkout talks to a local fake of the Stripe API, as the test suite does.
    sys.path.insert(0, str(ROOT))
    from tests.shop.fake_stripe import FakeStripe

    stripe_api = FakeStripe().start()
    # Stripe's real API answers in a few hundred milliseconds; --stripe-latency-ms models that.
    stripe_api.slow = args.stripe_latency_ms / 1000
    server_env = {
        **targets.get("server_env", {}),
        "STRIPE_API_BASE": stripe_api.base,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench",
    }
    results = []
    ceiling_scenario = next((s for s in scenarios if s["name"] == "ceiling"), None)
    # The machine's pace drifts during a run (by half on the 2-core machines), so each scenario is
    # also compared with the ceiling measured just before it and just after it.
    paces = []
    with Server(args.workers, server_env, threads=args.threads) as server:
        for scenario in scenarios:
            if ceiling_scenario and args.pace_seconds and scenario is not ceiling_scenario:
                paces.append(run_wrk(ceiling_scenario, args.pace_seconds, args.connections)["rps"])
            run_wrk(scenario, 2, args.connections)  # warm-up, not reported
            before = cpu_snapshot(server.process.pid)
            measured = run_wrk(scenario, args.seconds, args.connections)
            measured.update(name=scenario["name"], page=scenario.get("page", ""))
            measured["cpu_ms"] = cpu_per_request(
                before, cpu_snapshot(server.process.pid), measured["requests"]
            )
            if paces and scenario is not ceiling_scenario:
                measured["pace_before_rps"] = paces[-1]
            results.append(measured)
            log(
                f"{scenario['name']:<28} {measured['rps']:>8} rps  p99 {measured['p99_ms']} ms  errors {measured['errors']}"
            )
        if any(s["name"] == "ceiling" for s in scenarios):
            # The ceiling again at the end: the machine's pace drifts during a run, and every
            # ratio is taken against the mean of both measurements.
            ceiling = next(s for s in scenarios if s["name"] == "ceiling")
            measured = run_wrk(ceiling, args.seconds, args.connections)
            measured.update(name="ceiling (again)", page="")
            results.append(measured)
            log(f"{'ceiling (again)':<28} {measured['rps']:>8} rps  p99 {measured['p99_ms']} ms")
        memory = server.worker_peak_memory_mb()
    stripe_api.stop()
    checks = json.loads(
        manage("bench_prepare", "--verify", "--out", str(WORK), capture=True) or "{}"
    )

    ceilings = [r["rps"] for r in results if r["name"].startswith("ceiling")]
    ceiling = statistics.mean(ceilings) if ceilings else None
    add_pace_ratios(results)
    for result in results:
        result["ratio"] = round(result["rps"] / ceiling, 3) if ceiling else None
        result["queries"] = counts.get(result["page"])
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "releases": args.releases,
        "workers": args.workers,
        "threads": args.threads,
        "stripe_latency_ms": args.stripe_latency_ms,
        "cache": "redis" if os.environ.get("REDIS_URL") else "local memory",
        "connections": args.connections,
        "seconds": args.seconds,
        "pace_seconds": args.pace_seconds,
        "ceiling_rps": round(ceiling, 1) if ceiling else None,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "worker_peak_memory_mb": [round(m, 1) for m in memory],
        "checks": checks,
        "results": results,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{args.releases}.json"
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    log(f"saved {out.relative_to(ROOT)}")


def add_pace_ratios(results):
    """Each scenario's throughput against the machine's pace around it: the mean of the ceiling
    run just before it and the one just before the next scenario (or the closing ceiling run)."""
    for index, result in enumerate(results):
        if "pace_before_rps" not in result:
            continue
        following = results[index + 1] if index + 1 < len(results) else {}
        after = following.get("pace_before_rps") or following.get("rps")
        pace = statistics.mean([result["pace_before_rps"], after or result["pace_before_rps"]])
        result["pace_rps"] = round(pace, 1)
        result["ratio_to_pace"] = round(result["rps"] / pace, 3)


def print_table(report):
    print()
    print(
        f"{report['releases']:,} releases, {report['workers']} gunicorn workers "
        f"x {report.get('threads', 1)} threads, {report['connections']} connections, "
        f"{report['seconds']} s per scenario; ratio: against the ceiling's mean, "
        f"{report.get('ceiling_rps')} rps; near: against the ceiling just before and after"
    )
    header = f"{'scenario':<34} {'rps':>9} {'ratio':>7} {'near':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'queries':>8}"
    print(header)
    print("-" * len(header))
    for r in report["results"]:
        queries = "" if r["queries"] is None else str(r["queries"])
        near = r.get("ratio_to_pace", "")
        print(
            f"{r['name']:<34} {r['rps']:>9} {r['ratio']:>7} {near:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['errors']:>7} {queries:>8}"
        )
    rows = [r for r in report["results"] if r.get("cpu_ms")]
    if rows:
        print(
            "\nMachine CPU per request, ms (/proc, the measured run): gunicorn, PostgreSQL, this "
            "process (its fake Stripe API), wrk, and the rest"
        )
        header = f"{'scenario':<34} {'machine':>8} {'gunicorn':>9} {'postgres':>9} {'runner':>7} {'wrk':>6} {'other':>6}"
        print(header)
        print("-" * len(header))
        for r in rows:
            cpu = r["cpu_ms"]
            print(
                f"{r['name']:<34} {cpu['machine']:>8.2f} {cpu['gunicorn']:>9.2f} {cpu['postgres']:>9.2f} "
                f"{cpu['runner']:>7.2f} {cpu['wrk']:>6.2f} {cpu['other']:>6.2f}"
            )
    memory = report["worker_peak_memory_mb"]
    if memory:
        print(
            f"\nPeak memory per worker: max {max(memory):.0f} MB, median {statistics.median(memory):.0f} MB"
        )
    for name, value in report["checks"].items():
        print(f"check {name}: {value}")


if __name__ == "__main__":
    main()
