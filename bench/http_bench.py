"""HTTP benchmark of the production server against plain Django, in one run.

    uv run python bench/http_bench.py [--seconds 10] [--connections 16]
                                      [--workers 2] [--soak-seconds 60]

Seeds a scratch PostgreSQL database (``portal_httpbench`` on the local server)
with the demo content and 10,000 projects with two releases each, collects the
static files, starts gunicorn (production settings plus the reference views of
bench/urls.py) on 127.0.0.1 with Redis as the cache (database 14 of the local
server, emptied first), and beside it a second gunicorn with the same number of
workers serving the plain project of bench/plain/ (``startproject``'s settings
and middleware, the same database, Redis database 13) on another port. wrk
drives each page for a bounded time: the plain pages first, the portal's, then
the plain pages again. Prints, per page: requests/s, p50 and p99 latency, SQL
queries per request, the ratio to the constant view and to the plain
JsonResponse of 50 rows, and the ratio of each portal page to its plain Django
counterpart; then the goals beside the figures, both servers'
worker memory (RSS) and a soak run at 64 connections counting errors.
"Uncached" rows add a random query parameter to every request so that the page
cache cannot answer them (what is kept per content version and filters rather
than per address, e.g. the directory's facet counts, still is). Prints figures;
asserts nothing.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_httpbench"
BENCH_REDIS = "redis://127.0.0.1:6379/14"
PLAIN_REDIS = "redis://127.0.0.1:6379/13"
PORTAL_PORT, PLAIN_PORT = 8765, 8766
COMPILED = ["portal", "licenses", "projects", "bench"]
# Both servers run from an environment with the production dependencies only,
# as docs/deploy.md installs them (uv sync --no-dev): the development ones
# (requests, pygments... which DRF imports when present) would weigh on the
# workers' memory.
SERVER_ENV = Path(tempfile.gettempdir()) / "portal-bench-server-env"
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

# The plain Django project (bench/plain/), served by its own gunicorn.
PLAIN_PAGES = [
    ("plain constant", "/constant", False),
    ("plain cache_page", "/projects/cached/", False),
    ("plain list", "/projects/", True),
    ("plain DRF list", "/api/projects/", True),
]

# Each portal page and the plain page doing the same work.
COUNTERPARTS = {
    "constant view": "plain constant",
    "home": "plain list",
    "home (cached)": "plain cache_page",
    "directory": "plain list",
    "directory (cached)": "plain cache_page",
    "project detail": "plain list",
    "search": "plain list",
    "API list (50)": "plain DRF list",
    "API list (50, cached)": "plain cache_page",
    "API detail": "plain DRF list",
}

# The performance goals: (goal, portal pages, plain page, lowest ratio).
RATIO_GOALS = [
    ("constant view >= 0.7x plain constant", ["constant view"], 0.7),
    (
        "pages from the page cache >= 0.8x plain cache_page",
        ["home (cached)", "directory (cached)", "API list (50, cached)"],
        0.8,
    ),
    (
        "directory, project page uncached >= 1.0x plain list",
        ["directory", "project detail"],
        1.0,
    ),
    ("API list uncached >= 1.0x plain DRF list", ["API list (50)"], 1.0),
]
RSS_GOAL_MB = 80


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
    if shutil.which("uv") is None:
        sys.exit("uv is needed: it builds the servers' production environment")

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
        "PORT": str(PORTAL_PORT),
    }
    # The production-like shared cache: pages, facet counts and API answers
    # live in Redis, not in each worker's memory; the plain project's
    # cache_page needs it too.
    if not (redis_ready(BENCH_REDIS) and redis_ready(PLAIN_REDIS)):
        sys.exit(f"Redis is needed at {BENCH_REDIS} and {PLAIN_REDIS}")
    env["REDIS_URL"] = BENCH_REDIS
    plain_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.plain.settings",
        "PORT": str(PLAIN_PORT),
        "PLAIN_REDIS_URL": PLAIN_REDIS,
    }
    os.environ.update(env)
    if not args.skip_seed:
        seed(args.rows)
    run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    # As a deployment does (docs/deploy.md): bytecode compiled ahead, so workers
    # do not compile every module at start (time, and memory kept afterwards).
    python = server_python()
    run([python, "-m", "compileall", "-q", "-j", "0", *COMPILED], env)
    queries = count_queries(PAGES)
    queries.update(plain_queries(plain_env))

    server = serve(python, "portal.wsgi", env)
    plain_server = serve(python, "bench.plain.wsgi", plain_env)
    base = f"http://127.0.0.1:{PORTAL_PORT}"
    plain_base = f"http://127.0.0.1:{PLAIN_PORT}"
    try:
        wait_until_up(base + "/healthz")
        wait_until_up(plain_base + "/constant")
        bust = Path(tempfile.mkdtemp()) / "bust.lua"
        bust.write_text(BUST)
        results = {}
        # The reference views are measured first and again last: the ratios
        # divide by the mean of both, so a drift of the machine during the run
        # shows (compare the two) and weighs less.
        plain = [(label, plain_base + path, b) for label, path, b in PLAIN_PAGES]
        portal = [(label, base + path, b) for label, path, b in PAGES]
        again = [
            (f"{label} (again)", address, busted)
            for label, address, busted in [*portal[:2], *plain]
        ]
        for label, address, busted in [*plain, *portal, *again]:
            script = bust if busted else None
            wrk(address, 2, args.connections, script)  # warm up
            results[label] = wrk(address, args.seconds, args.connections, script)
        for label, _address, _busted in again:
            queries[label] = queries[label.removesuffix(" (again)")]
        rss = {"portal": worker_rss(server.pid), "plain": worker_rss(plain_server.pid)}
        print_table(results, queries, args)
        print_goals(results, rss)
        soak = wrk(base + "/projects/", args.soak_seconds, 64, bust)
        print(
            f"\nsoak: 64 connections for {args.soak_seconds} s on the directory "
            f"(uncached): {soak['requests']} requests, {soak['errors']} errors, "
            f"{soak['non_2xx']} non-2xx"
        )
    finally:
        for process in (server, plain_server):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def server_python() -> str:
    """The Python of ``SERVER_ENV``, synced with the production dependencies
    and their bytecode (``uv sync --no-dev --compile-bytecode``)."""
    run(
        ["uv", "sync", "--no-dev", "--compile-bytecode", "--quiet"],
        {**os.environ, "UV_PROJECT_ENVIRONMENT": str(SERVER_ENV)},
    )
    return str(SERVER_ENV / "bin" / "python")


def serve(python, application, env):
    """gunicorn with gunicorn.conf.py (the same for both projects: workers,
    preloading, keep-alive) on the port ``env`` names."""
    return subprocess.Popen(  # noqa: S603
        [python, "-m", "gunicorn", application],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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


def count_queries(pages):
    """SQL queries per request, measured in-process on the seeded database."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for label, path, busted in pages:
        client.get(path)  # settle lazy imports and one-time lookups
        if busted:
            path += ("&" if "?" in path else "?") + "_bust=1"
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts[label] = len(captured.captured_queries)
    return counts


def plain_queries(plain_env):
    """The plain pages' SQL queries per request, counted in a process of the
    plain project's own (one process holds one set of settings)."""
    output = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--count-plain-queries"],
        cwd=ROOT,
        env=plain_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def wait_until_up(address):
    for _ in range(200):
        try:
            with urllib.request.urlopen(address, timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the server at {address} did not start")


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
    """Each worker's resident memory (RSS) and what of it is its own (not shared
    with the master it was forked from, nor with the other workers:
    ``Private_Clean + Private_Dirty``), in MB."""
    children = (
        Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    )
    sizes = []
    for pid in children:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()

        def kilobytes(name, rollup=rollup):
            return int(re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M).group(1))

        private = kilobytes("Private_Clean") + kilobytes("Private_Dirty")
        sizes.append((kilobytes("Rss") / 1024, private / 1024))
    return sizes


def describe_rss(sizes):
    return ", ".join(f"{rss:.0f} MB ({own:.0f} MB own)" for rss, own in sizes) or (
        "no workers"
    )


def mean_rps(results, label):
    """Requests/s of a page, the mean of both measurements of a reference."""
    again = results.get(f"{label} (again)")
    if again is None:
        return results[label]["rps"]
    return (results[label]["rps"] + again["rps"]) / 2


def print_table(results, queries, args):
    constant = mean_rps(results, "constant view")
    plain_json = mean_rps(results, "plain JsonResponse (50)")
    print(
        f"\n{args.workers} gunicorn workers each (portal, plain Django), wrk "
        f"{args.connections} connections, {args.seconds} s per page (one run; "
        "compare ratios, not absolutes; ratios to the mean of each reference's "
        "two measurements)\n"
    )
    header = (
        f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'SQL':>4} "
        f"{'x constant':>10} {'x plain JSON':>12} {'x plain Django':>30} "
        f"{'non-2xx':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, figures in results.items():
        counterpart = COUNTERPARTS.get(label.removesuffix(" (again)"))
        versus = (
            f"{figures['rps'] / mean_rps(results, counterpart):.2f} ({counterpart})"
            if counterpart
            else "-"
        )
        print(
            f"{label:32} {figures['rps']:8.0f} {figures['p50']:8.2f} "
            f"{figures['p99']:8.2f} {queries[label]:4d} "
            f"{figures['rps'] / constant:10.2f} {figures['rps'] / plain_json:12.2f} "
            f"{versus:>30} {figures['non_2xx']:8d}"
        )


def print_goals(results, rss):
    """The performance goals beside this run's figures."""
    print("\ngoal                                                   measured")
    print("-" * 78)
    for goal, pages, lowest in RATIO_GOALS:
        ratios = []
        for page in pages:
            counterpart = COUNTERPARTS[page]
            ratios.append(results[page]["rps"] / mean_rps(results, counterpart))
        measured = ", ".join(
            f"{page} {ratio:.2f}x" for page, ratio in zip(pages, ratios, strict=True)
        )
        verdict = "met" if min(ratios) >= lowest else "MISSED"
        print(f"{goal:54} {measured} [{verdict}]")
    largest = max((size for size, _own in rss["portal"]), default=0)
    verdict = "met" if largest <= RSS_GOAL_MB else "MISSED"
    print(
        f"{f'worker RSS <= {RSS_GOAL_MB} MB':54} portal {describe_rss(rss['portal'])}"
        f"; plain {describe_rss(rss['plain'])} [{verdict}]"
    )
    print(
        f"{'search p50 under 15 ms, queries per request constant':54} "
        "not measured here: bench/search_bench.py; counts pinned by the tests"
    )


def count_plain_queries():
    """Run in the plain project's process: print its pages' query counts."""
    print(json.dumps(count_queries(PLAIN_PAGES)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--count-plain-queries"]:
        count_plain_queries()
    else:
        main()
