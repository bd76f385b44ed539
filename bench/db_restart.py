"""Restart PostgreSQL under steady load and report how the site copes.

Starts gunicorn with cms.settings.production on a loopback port against its
own PostgreSQL database (migrated, seeded with seed_demo), sends a steady rate
of requests to both clinics for a fixed time, restarts the PostgreSQL cluster
once in the middle, and reports errors by second, the time from "database
back" to all requests succeeding again, and whether any page or revision was
lost. Only 127.0.0.1 is contacted; everything stops by itself.

The restart breaks every other connection to the same server for a few
seconds (other people's test runs included): run it deliberately, once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench_restart \\
        .venv/bin/python bench/db_restart.py
"""

import argparse
import http.client
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench_restart"
HOSTS = ("toronto.localhost:8000", "kelowna.localhost:8000")
REQUEST_TIMEOUT = 10
SETUP_LOG = RESULTS / "db_restart-setup.log"

# What "no content lost" means: the same pages, live state and revisions.
CONTENT_QUERIES = {
    "pages": "SELECT count(*) FROM wagtailcore_page",
    "live pages": "SELECT count(*) FROM wagtailcore_page WHERE live",
    "revisions": "SELECT count(*) FROM wagtailcore_revision",
    "fingerprint": (
        "SELECT md5(string_agg(concat_ws(':', id, url_path, live,"
        " live_revision_id, latest_revision_id), ',' ORDER BY id))"
        " FROM wagtailcore_page"
    ),
}


def log(message):
    sys.stdout.write(f"[{datetime.now():%H:%M:%S}] {message}\n")
    sys.stdout.flush()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--rate", type=float, default=20, help="requests/second")
    parser.add_argument(
        "--restart-at", type=float, help="seconds into the load (default: half-way)"
    )
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="a dry run of the harness that leaves PostgreSQL alone",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if args.restart_at is None:
        args.restart_at = args.duration / 2
    return args


def database_url():
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("Only a local PostgreSQL server: the script restarts it.")
    return url


def recreate_database(url):
    """A fresh database of this name (only this one), for a clean seed."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        sys.exit(f"Unexpected database name {name!r}")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def content_snapshot(url):
    with psycopg.connect(url, connect_timeout=5) as conn:
        return {
            label: conn.execute(sql).fetchone()[0]
            for label, sql in CONTENT_QUERIES.items()
        }


def page_paths(url):
    """Every live page's path, per clinic host, from the database."""
    sql = """
        SELECT s.hostname, s.port, p.url_path, root.url_path
        FROM wagtailcore_site s
        JOIN wagtailcore_page root ON root.id = s.root_page_id
        JOIN wagtailcore_page p
          ON p.path LIKE root.path || '%' AND p.live
        ORDER BY s.hostname, p.path
    """
    with psycopg.connect(url) as conn:
        rows = conn.execute(sql).fetchall()
    paths = []
    for hostname, port, url_path, root_path in rows:
        host = f"{hostname}:{port}"
        if host in HOSTS:
            paths.append((host, "/" + url_path[len(root_path) :]))
    # Not answered from any cache: a search and the API, both per clinic.
    for host in HOSTS:
        paths.append((host, "/search/?q=pain"))
        paths.append((host, "/api/v2/pages/?type=treatments.TreatmentPage"))
    return paths


def app_env(url):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="toronto.localhost,kelowna.localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT=str(RESULTS / "media"),
        # Every page from the database: a page cache would hide the outage.
        PAGE_CACHE_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args):
    """Run a management command, its output to the setup log."""
    log("manage.py " + " ".join(args))
    with SETUP_LOG.open("a") as output:
        subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
            [PYTHON, "manage.py", *args],
            cwd=PROJECT,
            env=env,
            check=True,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=600,
        )


def get(port, host, path):
    """(status or error name, seconds)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Host": host, "Connection": "close"})
        response = conn.getresponse()
        response.read()
        outcome = response.status
    except (OSError, http.client.HTTPException) as error:
        outcome = type(error).__name__
    finally:
        conn.close()
    return outcome, time.monotonic() - started


def wait_until_serving(port, deadline):
    while time.monotonic() < deadline:
        if get(port, HOSTS[0], "/")[0] == 200:
            return
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not serve the home page in time")


def wait_for_database(url, deadline):
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return time.monotonic()
        except psycopg.OperationalError:
            time.sleep(0.1)
    return None


def restart_postgresql(url, t0, events):
    """Restart the local cluster once; note when it went down and came back."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    command = [
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        version,
        "main",
        "restart",
    ]
    events["restart command"] = time.monotonic() - t0
    log("restarting PostgreSQL: " + " ".join(command))
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        command, capture_output=True, text=True, timeout=120, check=False
    )
    events["restart command returned"] = time.monotonic() - t0
    events["restart exit status"] = result.returncode
    back = wait_for_database(url, time.monotonic() + 60)
    events["database back"] = None if back is None else back - t0
    log(f"PostgreSQL back after restart (exit status {result.returncode})")


def drive(port, paths, duration, rate, restart_at, url):
    """Send requests at a steady rate; restart PostgreSQL once on the way
    (restart_at None: never)."""
    results = []  # (second, outcome, latency)
    lock = threading.Lock()
    events = {}
    t0 = time.monotonic()

    def one(index, scheduled):
        host, path = paths[index % len(paths)]
        outcome, latency = get(port, host, path)
        with lock:
            results.append((int(scheduled), outcome, latency))

    restarter = None
    if restart_at is not None:
        restarter = threading.Timer(restart_at, restart_postgresql, (url, t0, events))
        restarter.daemon = True
    # Enough threads that a slow phase does not lower the offered rate.
    with ThreadPoolExecutor(max_workers=int(rate * REQUEST_TIMEOUT) + 4) as pool:
        if restarter:
            restarter.start()
        total = int(duration * rate)
        for index in range(total):
            scheduled = index / rate
            delay = t0 + scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, index, scheduled)
        if restarter:
            restarter.join(timeout=120)
    return results, events


def is_ok(outcome):
    return isinstance(outcome, int) and outcome < 400


def report(args, results, events, before, after, started_at):
    by_second = defaultdict(Counter)
    for second, outcome, _ in results:
        by_second[second]["sent"] += 1
        by_second[second]["ok" if is_ok(outcome) else str(outcome)] += 1
    kinds = sorted({k for c in by_second.values() for k in c} - {"sent", "ok"})
    restart = (
        "no PostgreSQL restart (dry run)"
        if args.no_restart
        else f"PostgreSQL restarted at {args.restart_at:g} s"
    )
    lines = [
        f"Run {started_at:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores:"
        f" {args.duration} s at {args.rate:g} req/s to 127.0.0.1:{args.port},"
        f" gunicorn {args.workers} workers x {args.threads} threads, {restart}.",
        "",
        "Events (seconds from the start of the load):",
    ]
    for name, value in events.items():
        shown = f"{value:.1f}" if isinstance(value, float) else value
        lines.append(f"  {name}: {shown}")
    failures = sorted(s for s, outcome, _ in results if not is_ok(outcome))
    back = events.get("database back")
    lines.append("")
    lines.append(f"Requests: {len(results)}, failed: {len(failures)}")
    if failures:
        lines.append(f"Failures between {failures[0]} s and {failures[-1]} s")
    if back is not None:
        late = [s for s in failures if s >= back]
        recovery = (late[-1] + 1 - back) if late else 0.0
        lines.append(
            f"Database back to all requests succeeding: {max(recovery, 0):.1f} s"
            " (to the end of the last second with a failure)"
        )
    latencies = sorted(latency for _, _, latency in results)
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        lines.append(f"Latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    lines += ["", "Seconds with any failure (others: all requests succeeded):", ""]
    header = ["second", "sent", "ok", *kinds]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for second in sorted(by_second):
        counts = by_second[second]
        if counts["ok"] == counts["sent"]:
            continue
        row = [second, counts["sent"], counts["ok"], *(counts[k] for k in kinds)]
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "Content before and after:", ""]
    for label in CONTENT_QUERIES:
        same = "same" if before[label] == after[label] else "DIFFERENT"
        lines.append(f"  {label}: {before[label]} -> {after[label]} ({same})")
    return "\n".join(lines), before == after


def main():
    args = parse_args()
    url = database_url()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = app_env(url)
    started_at = datetime.now(UTC)

    SETUP_LOG.unlink(missing_ok=True)
    recreate_database(url)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    paths = page_paths(url)
    before = content_snapshot(url)

    server_log = RESULTS / "db_restart-gunicorn.log"
    with server_log.open("w") as log_file:
        server = subprocess.Popen(  # noqa: S603 (our gunicorn, fixed arguments)
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "cms.wsgi",
                f"--bind=127.0.0.1:{args.port}",
                f"--workers={args.workers}",
                f"--threads={args.threads}",
                "--timeout=30",
            ],
            cwd=PROJECT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(args.port, time.monotonic() + 60)
            bad = [
                (host, path, status)
                for host, path in paths
                if (status := get(args.port, host, path)[0]) != 200
            ]
            if bad:
                raise RuntimeError(f"Not every URL answers 200 before the run: {bad}")
            log(f"{len(paths)} URLs, {args.rate:g} req/s for {args.duration} s")
            restart_at = None if args.no_restart else args.restart_at
            results, events = drive(
                args.port, paths, args.duration, args.rate, restart_at, url
            )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    after = content_snapshot(url)
    text, intact = report(args, results, events, before, after, started_at)
    out = RESULTS / f"db_restart-{started_at:%Y%m%dT%H%M%S}.txt"
    out.write_text(text + "\n")
    sys.stdout.write(text + "\n")
    log(f"report saved to {out.relative_to(PROJECT)}; server log in {server_log.name}")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
