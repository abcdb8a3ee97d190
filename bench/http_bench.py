"""HTTP benchmark of the production server against two reference views.

    uv run python bench/http_bench.py [--seconds 10] [--connections 16]
                                      [--workers 2] [--soak-seconds 60]

Seeds a scratch PostgreSQL database (``portal_httpbench`` on the local server)
with the demo content and 10,000 projects with two releases each, collects the
static files, starts gunicorn (production settings plus the reference views of
bench/urls.py) on 127.0.0.1 with Redis as the cache (database 14 of the local
server, emptied first), and drives it with wrk for a bounded time per page.
Prints, per page: requests/s, p50 and p99 latency, SQL queries per request and
the ratio to the constant view and to the plain JsonResponse of 50 rows; then
the workers' memory (RSS) and a soak run at 64 connections counting errors.
"Uncached" rows add a random query parameter to every request so that the page
cache cannot answer them (what is kept per content version and filters rather
than per address, e.g. the directory's facet counts, still is). Prints figures;
asserts nothing.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_httpbench"
BENCH_REDIS = "redis://127.0.0.1:6379/14"
COMPILED = [sysconfig.get_paths()["purelib"], "portal", "licenses", "projects", "bench"]
BUST = """
math.randomseed(os.time())
request = function()
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. separator .. "_bust=" .. math.random(1, 1e9))
end
"""

PAGES = [
    # (label, path, bust the cache?)
    ("constant view", "/bench/constant", False),
    ("plain JsonResponse (50)", "/bench/plain-json", False),
    ("home", "/", True),
    ("home (cached)", "/", False),
    ("directory", "/projects/", True),
    ("directory (cached)", "/projects/", False),
    ("project detail", "/projects/project-5000/", True),
    ("search", "/search/?q=number+5000", True),
    ("API list (50)", "/api/v1/projects/?page_size=50", True),
    ("API list (50, cached)", "/api/v1/projects/?page_size=50", False),
    ("API detail", "/api/v1/projects/project-5000/", True),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # One client, wrk, makes every request: rate limits would answer 429s.
        "API_ANON_RATE": "1000000/min",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": tempfile.mkdtemp(prefix="portal-bench-static-"),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(args.workers),
        "PORT": "8765",
    }
    if redis_ready(BENCH_REDIS):
        # The production-like shared cache: pages, facet counts and API
        # answers live in Redis, not in each worker's memory.
        env["REDIS_URL"] = BENCH_REDIS
    else:
        print(f"Redis is not answering at {BENCH_REDIS}: per-worker memory cache")
    os.environ.update(env)
    if not args.skip_seed:
        seed(args.rows)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    # As a deployment does (docs/deploy.md): bytecode compiled ahead, so workers
    # do not compile every module at start (time, and memory kept afterwards).
    run([sys.executable, "-m", "compileall", "-q", "-j", "0", *COMPILED], env)
    queries = count_queries()

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = "http://127.0.0.1:8765"
    try:
        wait_until_up(base)
        bust = Path(tempfile.mkdtemp()) / "bust.lua"
        bust.write_text(BUST)
        results = {}
        # The two reference views are measured first and again last: the
        # ratios divide by the mean of both, so a drift of the machine during
        # the run shows (compare the two) and weighs less.
        again = [(f"{label} (again)", path, bust_) for label, path, bust_ in PAGES[:2]]
        for label, path, busted in [*PAGES, *again]:
            wrk(base + path, 2, args.connections, bust if busted else None)  # warm up
            results[label] = wrk(
                base + path, args.seconds, args.connections, bust if busted else None
            )
        for label, _path, _busted in again:
            queries[label] = queries[label.removesuffix(" (again)")]
        print_table(results, queries, args)
        print(f"\nworker RSS: {worker_rss(server.pid)}")
        soak = wrk(base + "/projects/", args.soak_seconds, 64, bust)
        print(
            f"soak: 64 connections for {args.soak_seconds} s on the directory "
            f"(uncached): {soak['requests']} requests, {soak['errors']} errors, "
            f"{soak['non_2xx']} non-2xx"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def redis_ready(url) -> bool:
    """Whether Redis answers at ``url``; if so, empty its database (the
    benchmark's own, so every run starts cold)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=1)
        client.flushdb()
    except redis.RedisError:
        return False
    return True


def run(command, env):
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def seed(rows):
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(
        DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    from bench.import_bench import write_catalogue
    from portal.publishing.policy import SYSTEM
    from projects.imports import import_catalogue, read_file

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    path = write_catalogue(rows)
    report = import_catalogue(
        read_file(path.read_bytes(), "csv"), fmt="csv", user=SYSTEM
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # The steady state autovacuum keeps: statistics, and the GIN index's
        # pending list (every row just imported) merged into the index.
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded: {report.created} projects (+ demo content)", flush=True)


def count_queries():
    """SQL queries per request, measured in-process on the seeded database."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path, _busted in PAGES:
        client.get(path)  # settle lazy imports and one-time lookups
        with CaptureQueriesContext(connection) as captured:
            client.get(path + ("&" if "?" in path else "?") + "_bust=1")
        counts[label] = len(captured.captured_queries)
    return counts


def wait_until_up(base):
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")


def wrk(url, seconds, connections, script=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=True
    ).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(output, "50%"),
        "p99": latency(output, "99%"),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": sum(
            int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
        ),
        "non_2xx": int(
            (re.search(r"Non-2xx or 3xx responses: (\d+)", output) or [0, 0])[1]
        ),
    }


def latency(output, percentile):
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_rss(master_pid):
    """Each worker's resident memory (RSS), and in brackets what of it is its
    own (not shared with the master it was forked from, nor with the other
    workers: ``Private_Clean + Private_Dirty``)."""
    children = (
        Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    )
    sizes = []
    for pid in children:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()

        def kilobytes(name, rollup=rollup):
            return int(re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M).group(1))

        private = kilobytes("Private_Clean") + kilobytes("Private_Dirty")
        sizes.append(f"{kilobytes('Rss') / 1024:.0f} MB ({private / 1024:.0f} MB own)")
    return ", ".join(sizes) or "no workers"


def print_table(results, queries, args):
    def reference(label):
        return (results[label]["rps"] + results[f"{label} (again)"]["rps"]) / 2

    constant = reference("constant view")
    plain = reference("plain JsonResponse (50)")
    print(
        f"\n{args.workers} gunicorn workers, wrk {args.connections} connections, "
        f"{args.seconds} s per page (one run; compare ratios, not absolutes; "
        "ratios to the mean of each reference's two measurements)\n"
    )
    header = (
        f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4} "
        f"{'x constant':>10} {'x plain JSON':>12} {'non-2xx':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, figures in results.items():
        print(
            f"{label:32} {figures['rps']:8.0f} {figures['p50']:8.2f} "
            f"{figures['p99']:8.2f} {queries[label]:4d} "
            f"{figures['rps'] / constant:10.2f} {figures['rps'] / plain:12.2f} "
            f"{figures['non_2xx']:8d}"
        )


if __name__ == "__main__":
    main()
