# A developer's harness: it runs local tools (psql, wrk, gunicorn, redis-server)
# with arguments it builds itself, and SQL naming its own databases.
# ruff: noqa: S603, S607, S608
"""The performance benchmark: ``make bench`` (see bench/README.md).

Builds the data sets once into PostgreSQL template databases (bench/generate.py),
clones one into ``clinic_bench`` for each run, serves it with gunicorn and
production settings on 127.0.0.1, drives load with wrk (installed from
Debian's packages when missing and running as root) and writes
bench/results/bench-<time>.{json,md}. Every load loop is bounded in time and
count and only ever talks to 127.0.0.1.
"""

import argparse
import hashlib
import http.client
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "clinic_bench")
PORT = int(os.environ.get("BENCH_PORT", "8791"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, str(BENCH))
from generate import WORDS as VOCABULARY  # noqa: E402

SEARCH_WORDS = ["shoulder pain", "knee", "collagen healing", "acupuncture", "tendon"]
PAGES_PER_CLINIC = 10
UNIQUE_SEARCHES = 30_000
WRK_THREADS = 2

# name: (clinics, treatments per clinic, scenarios)
ALL = [
    "bare",
    "api_v2_listing",
    "api_v3_detail",
    "page_uncached",
    "page_cached",
    "search",
    "search_uncached",
    "admin_publish",
]
DATA_SETS = {
    "20x500": (20, 500, ALL),
    "20x50": (
        20,
        50,
        ["bare", "api_v2_listing", "api_v3_detail", "page_uncached", "search"],
    ),
}
LABELS = {
    "bare": "Bare Django view (ceiling)",
    "api_v2_listing": "API v2 listing, 20 items with bodies",
    "api_v3_detail": "API v3 detail",
    "page_uncached": "Treatment page, uncached",
    "page_cached": "Treatment page, cached",
    "search": "Site search, popular queries (results cache)",
    "search_uncached": "Site search, every query new (full ranking)",
    "admin_publish": "Admin publish (one page)",
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def psql(sql, database="postgres"):
    result = subprocess.run(
        ["psql", f"{PG}/{database}", "-qAtX", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it with `sudo apt-get install -y wrk`.")
    log("installing wrk from Debian's packages")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


def data_version():
    """Changes when the generator or the schema changes."""
    digest = hashlib.sha256((BENCH / "generate.py").read_bytes())
    for migration in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(migration.name.encode())
    return digest.hexdigest()[:16]


def media_root(name):
    return RESULTS / f"media-{name}"


def ensure_template(name, clinics, treatments):
    template = f"{DATABASE}_tpl_{name}"
    marker = f"clinic-bench {data_version()}"
    found = psql(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
        f"WHERE datname = '{template}'"
    )
    if found == marker:
        log(f"data set {name}: template {template} is current")
        return template
    log(f"data set {name}: generating {clinics} clinics x {treatments} treatments")
    psql(f'DROP DATABASE IF EXISTS "{template}"')
    psql(f'CREATE DATABASE "{template}"')
    shutil.rmtree(media_root(name), ignore_errors=True)
    started = time.monotonic()
    env = server_env(template, name)
    with open(RESULTS / f"generate-{name}.log", "w") as output:
        subprocess.run(
            [
                PYTHON,
                BENCH / "generate.py",
                f"--clinics={clinics}",
                f"--treatments={treatments}",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    psql(f"COMMENT ON DATABASE \"{template}\" IS '{marker}'")
    log(f"data set {name}: generated in {time.monotonic() - started:.0f} s")
    return template


def clone(template):
    psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname IN ('{DATABASE}', '{template}') AND pid <> pg_backend_pid()"
    )
    psql(f'DROP DATABASE IF EXISTS "{DATABASE}"')
    psql(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"')


def server_env(database, name, redis_url=""):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": ".bench.localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"{PG}/{database}",
        "MEDIA_ROOT": str(media_root(name)),
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": "clinic-bench",
        "REDIS_URL": redis_url,
    }
    for unset in ("FRONTEND_CACHE_PURGE_URL", "CLOUDFLARE_API_TOKEN"):
        env.pop(unset, None)
    return env


# Processes


class Server:
    def __init__(self, name, redis_url):
        self.env = server_env(DATABASE, name, redis_url)
        self.process = None

    def __enter__(self):
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=self.env,
            cwd=ROOT,
            check=True,
        )
        self.log = open(RESULTS / "gunicorn.log", "a")
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "cms.wsgi:application",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{PORT}",
                "--log-level=warning",
                "--timeout=60",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = get("clinic01.bench.localhost", "/bench/bare/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not start; see bench/results/gunicorn.log")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def cpu_ticks(self):
        """User + system CPU of the gunicorn master and its workers."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            fields = text.rsplit(")", 1)[1].split()
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.process.pid in (pid, ppid):
                total += int(fields[11]) + int(fields[12])
        return total


def start_redis():
    if not shutil.which("redis-server"):
        log("redis-server not found: each gunicorn worker keeps its own cache")
        return None, ""
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{REDIS_PORT}/0"


# HTTP


def get(host, path, headers=None, method="GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    try:
        connection.request(
            method, path, body=body, headers={"Host": host, **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def hosts(clinics):
    return [f"clinic{n:02d}.bench.localhost" for n in range(1, clinics + 1)]


def discover(clinics, treatments):
    """Per clinic: a few treatment page ids and paths, through the API."""
    pages = {}
    step = max(treatments // PAGES_PER_CLINIC, 1)
    for host in hosts(clinics):
        found = []
        for offset in range(0, treatments, step):
            status, _, body = get(
                host,
                "/api/v2/pages/?type=treatments.TreatmentPage&fields=_,id,html_url"
                f"&limit=1&offset={offset}",
            )
            if status != 200:
                raise RuntimeError(f"API listing failed on {host}: {status}")
            for item in json.loads(body)["items"]:
                found.append((item["id"], urlsplit(item["meta"]["html_url"]).path))
        pages[host] = found[:PAGES_PER_CLINIC]
    return pages


def request_sets(clinics, treatments, pages):
    listing = "/api/v2/pages/?type=treatments.TreatmentPage&fields=*&limit=20"
    return {
        "bare": [(host, "/bench/bare/") for host in hosts(clinics)],
        "api_v2_listing": [
            (host, f"{listing}&offset={offset}")
            for host in hosts(clinics)
            for offset in range(0, max(treatments - 20, 1), 20)
        ],
        "api_v3_detail": [
            (host, f"/api/v3/pages/{page_id}/")
            for host, found in pages.items()
            for page_id, _ in found
        ],
        # A query string bypasses the page cache: the full rendering cost.
        "page_uncached": [
            (host, f"{path}?bench=uncached")
            for host, found in pages.items()
            for _, path in found
        ],
        "page_cached": [
            (host, path) for host, found in pages.items() for _, path in found
        ],
        "search": [
            (host, "/search/?" + urlencode({"q": word}))
            for host in hosts(clinics)
            for word in SEARCH_WORDS
        ],
        # Two-word queries from the generator's vocabulary on every clinic,
        # each asked at most once in a run (far more of them than a run sends,
        # never warmed up, and wrk's threads walk disjoint parts of the list):
        # the results cache never helps, so this is the cost of ranking.
        "search_uncached": [
            (host, "/search/?" + urlencode({"q": f"{first} {second}"}))
            for first, second in itertools.permutations(VOCABULARY, 2)
            for host in hosts(clinics)
        ][:UNIQUE_SEARCHES],
    }


def warm_up(requests):
    """Every URL once (renditions are made on first use, then reused), sent
    from as many connections as there are workers so that every worker has
    run each kind of request before the measurement (a process's first
    request of a kind fills its own caches: content types, compiled
    templates)."""

    def fetch(request):
        host, path = request
        status, _, _ = get(host, path)
        if status >= 400:
            raise RuntimeError(f"{host}{path} answered {status}")

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(fetch, requests))


# Scenarios


def run_wrk(server, requests, duration, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("".join(f"{host} {path}\n" for host, path in requests))
    env = {
        **os.environ,
        "BENCH_REQUESTS": listing.name,
        "BENCH_THREADS": str(WRK_THREADS),
    }
    before = server.cpu_ticks()
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout=10s",
                "-s",
                str(BENCH / "load.lua"),
                f"http://127.0.0.1:{PORT}/",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(listing.name)
    cpu_ms = (server.cpu_ticks() - before) * 1000 / CLK_TCK
    data = json.loads(next(line for line in output.splitlines() if line[:1] == "{"))
    count = max(data["requests"], 1)
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "cpu_ms": cpu_ms / count,
        "queries": data["queries"] / max(data["answered"], 1),
        "errors": data["errors"],
        "cache_hits": data["hits"] / max(data["answered"], 1),
    }


def admin_login(host):
    cookies = SimpleCookie()
    # Production settings: secure cookies and HTTPS checks, as behind a proxy.
    https = {"X-Forwarded-Proto": "https", "Origin": f"https://{host}"}

    def call(path, method="GET", form=None):
        headers = {**https, "Referer": f"https://{host}{path}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": cookies["csrftoken"].value}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = get(host, path, headers, method, body)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                cookies.load(value)
        return status, dict(response_headers), content

    call("/admin/login/")
    status, _, _ = call(
        "/admin/login/",
        "POST",
        {"username": "bench-admin", "password": "bench-pw", "next": "/admin/"},
    )
    if status != 302:
        raise RuntimeError(f"admin login failed ({status})")
    return call


def run_publish(server, pages, duration, limit=40):
    """Publish one page at a time through the admin's bulk publish action."""
    host = next(iter(pages))
    call = admin_login(host)
    ids = [page_id for found in pages.values() for page_id, _ in found]
    latencies, queries = [], []
    before = server.cpu_ticks()
    started = time.monotonic()
    while len(latencies) < limit and time.monotonic() - started < duration:
        page_id = ids[len(latencies) % len(ids)]
        path = f"/admin/bulk/wagtailcore/page/publish/?id={page_id}&next=/admin/"
        t0 = time.monotonic()
        status, headers, _ = call(path, "POST", {"include_descendants": ""})
        latencies.append(time.monotonic() - t0)
        if status != 302:
            raise RuntimeError(f"publish of page {page_id} answered {status}")
        queries.append(int(headers.get("X-Query-Count", 0)))
    elapsed = time.monotonic() - started
    cpu_ms = (server.cpu_ticks() - before) * 1000 / CLK_TCK
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "cpu_ms": cpu_ms / len(latencies),
        "queries": statistics.mean(queries),
        "errors": 0,
        "cache_hits": 0.0,
    }


def run_data_set(name, args, redis_url):
    clinics, treatments, scenarios = DATA_SETS[name]
    if args.scenarios:
        scenarios = [s for s in scenarios if s in args.scenarios]
    template = ensure_template(name, clinics, treatments)
    clone(template)
    results = {}
    with Server(name, redis_url) as server:
        pages = discover(clinics, treatments)
        requests = request_sets(clinics, treatments, pages)
        for scenario in scenarios:
            if scenario == "admin_publish":
                log(f"{name}: {scenario}")
                results[scenario] = run_publish(server, pages, args.duration)
            else:
                # The never-repeated searches must reach the server cold: the
                # popular ones warm the same code paths instead.
                warm_up(
                    requests["search" if scenario == "search_uncached" else scenario]
                )
                log(f"{name}: {scenario} ({len(requests[scenario])} URLs)")
                results[scenario] = run_wrk(
                    server, requests[scenario], args.duration, args.connections
                )
                if scenario == "search_uncached" and results[scenario][
                    "requests"
                ] > len(requests[scenario]):
                    raise RuntimeError(
                        "search_uncached sent more requests than it has distinct "
                        "queries: raise UNIQUE_SEARCHES"
                    )
            results[scenario]["load_average"] = os.getloadavg()[0]
            log(
                f"  {results[scenario]['rps']:.0f} req/s, "
                f"p50 {results[scenario]['p50_ms']:.1f} ms, "
                f"{results[scenario]['queries']:.1f} queries/request"
            )
    bare = results.get("bare", {}).get("rps")
    for result in results.values():
        result["vs_bare"] = result["rps"] / bare if bare else None
    return results


# Report


def machine():
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "python": platform.python_version(),
        "postgresql": psql("SHOW server_version"),
        "commit": commit,
        "gunicorn_workers": WORKERS,
    }


def targets(report):
    big = report["data_sets"].get("20x500", {})
    checks = []

    def check(label, ok, value):
        if ok is not None:
            checks.append({"target": label, "met": ok, "measured": value})

    if "page_cached" in big and "bare" in big:
        ratio = big["page_cached"]["vs_bare"]
        check("Cached page ≥ 85% of the bare view", ratio >= 0.85, f"{ratio:.0%}")
    if "page_uncached" in big:
        q = big["page_uncached"]["queries"]
        check("Uncached treatment page ≤ 10 queries", q <= 10, f"{q:.1f}")
    for name, result in report["data_sets"].items():
        if "api_v2_listing" in result:
            q = result["api_v2_listing"]["queries"]
            check(f"API listing with bodies ≤ 8 queries ({name})", q <= 8, f"{q:.1f}")
    if "search" in big:
        p50 = big["search"]["p50_ms"]
        check("Search p50 < 25 ms (10,000 pages)", p50 < 25, f"{p50:.1f} ms")
    if "search_uncached" in big:
        p50 = big["search_uncached"]["p50_ms"]
        check(
            "Search p50 < 25 ms, no query repeated (10,000 pages)",
            p50 < 25,
            f"{p50:.1f} ms",
        )
    if "admin_publish" in big:
        q = big["admin_publish"]["queries"]
        check("Publish < 80 queries", q < 80, f"{q:.0f}")
    return checks


def markdown(report):
    lines = [
        f"Run {report['started']} on {report['machine']['cores']} cores "
        f"({report['machine']['cpu']}, {report['machine']['memory_gb']} GB), "
        f"PostgreSQL {report['machine']['postgresql']}, gunicorn "
        f"{report['machine']['gunicorn_workers']} sync workers, commit "
        f"{report['machine']['commit']}; {report['duration']} s per scenario, "
        f"{report['connections']} connections; load average before "
        f"{report['load_before']:.2f}.",
        "",
        "| Data set | Scenario | req/s | p50 ms | p99 ms | CPU ms/req "
        "| SQL/req | vs bare | load avg |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, results in report["data_sets"].items():
        for scenario, r in results.items():
            vs = f"{r['vs_bare']:.0%}" if r.get("vs_bare") else "–"
            note = ""
            if scenario == "page_cached":
                note = f" ({r['cache_hits']:.0%} hits)"
            if r["errors"]:
                note += f" ({r['errors']} errors)"
            lines.append(
                f"| {name} | {LABELS[scenario]}{note} | {r['rps']:.0f} "
                f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['cpu_ms']:.1f} "
                f"| {r['queries']:.1f} | {vs} | {r['load_average']:.2f} |"
            )
    lines += ["", "| Target | Measured | Met |", "|---|---|---|"]
    for check in report["targets"]:
        met = "yes" if check["met"] else "**no**"
        lines.append(f"| {check['target']} | {check['measured']} | {met} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Clinic CMS benchmark")
    parser.add_argument("--duration", type=int, default=10, help="seconds each")
    parser.add_argument(
        "--connections",
        type=int,
        default=WORKERS,
        help="concurrent connections (default: one per gunicorn worker, so "
        "latency is service time rather than time in a queue)",
    )
    parser.add_argument(
        "--data-sets", nargs="*", default=list(DATA_SETS), choices=list(DATA_SETS)
    )
    parser.add_argument("--scenarios", nargs="*", choices=ALL)
    parser.add_argument(
        "--generate-only", action="store_true", help="build the templates and stop"
    )
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1), 120)

    RESULTS.mkdir(exist_ok=True)
    ensure_wrk()
    if args.generate_only:
        for name in args.data_sets:
            ensure_template(name, *DATA_SETS[name][:2])
        return
    report = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration": args.duration,
        "connections": args.connections,
        "load_before": os.getloadavg()[0],
        "machine": machine(),
        "data_sets": {},
    }
    redis, redis_url = start_redis()
    report["cache"] = "redis" if redis_url else "locmem"
    try:
        for name in args.data_sets:
            report["data_sets"][name] = run_data_set(name, args, redis_url)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
    report["targets"] = targets(report)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    table = markdown(report)
    for stem in (f"bench-{stamp}", "latest"):
        (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
        (RESULTS / f"{stem}.md").write_text(table)
    print(table)  # noqa: T201
    log(f"written to {RESULTS / f'bench-{stamp}.md'} and .json")


if __name__ == "__main__":
    main()
