"""CPU time per request of the site's pages built for the request, in process,
against the plain Django list of ``bench/plain/`` on the same database.

    uv run python bench/page_cpu_bench.py [--requests 200] [--repeat 3]

Needs the database ``bench/http_bench.py`` seeds (``portal_httpbench``, 10,000
projects; another with ``DATABASE_URL``) and Redis at ``127.0.0.1:6379``
(database 12, emptied first) as the cache, as production has. Each project
runs in a process of its own (one process holds one set of settings: the
portal's production settings, the plain project's), through Django's test
client, so every middleware runs; every request adds a random parameter, so no
page cache can answer it ("uncached", as ``http_bench.py``'s rows of that
name). Prints, per page, the best of ``--repeat`` rounds of the CPU
milliseconds per request (``time.process_time``: this process's work, not the
database's nor Redis's), the wall-clock milliseconds of the same round, the
SQL queries per request, and the ratio of ``plain list``'s CPU time to the
page's (above 1: the page costs less than the plain list). Prints figures;
asserts nothing.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_httpbench"
)
REDIS_URL = "redis://127.0.0.1:6379/12"

# (label, path): the labels of http_bench.py.
PORTAL_PAGES = [
    ("home", "/"),
    ("directory", "/projects/"),
    ("project detail", "/projects/project-5000/"),
    ("search", "/search/?q=number+5000"),
]
PLAIN_PAGES = [("plain list", "/projects/")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="a label of the portal's pages")
    args = parser.parse_args()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": tempfile.mkdtemp(prefix="portal-bench-static-"),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": REDIS_URL,
        "PLAIN_REDIS_URL": REDIS_URL,
    }
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    # The production settings serve hashed static names from the manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
    )
    portal_pages = [page for page in PORTAL_PAGES if args.only in (None, page[0])]
    figures = {}
    for settings, pages in (
        ("bench.plain.settings", PLAIN_PAGES),
        ("bench.settings", portal_pages),
    ):
        output = subprocess.run(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--measure",
                json.dumps([pages, args.requests, args.repeat]),
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": settings},
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout
        figures.update(json.loads(output))
    plain = figures["plain list"]["cpu_ms"]
    print(
        f"{args.requests} requests per round, best of {args.repeat} rounds, "
        "every request with a random parameter (no page cache answers)\n"
    )
    header = f"{'page':20} {'CPU ms':>8} {'wall ms':>8} {'SQL':>4} {'x plain list':>13}"
    print(header)
    print("-" * len(header))
    for label, page in figures.items():
        print(
            f"{label:20} {page['cpu_ms']:8.2f} {page['wall_ms']:8.2f} "
            f"{page['queries']:4d} {plain / page['cpu_ms']:13.2f}"
        )


def measure(pages, requests, repeat):
    """Run in the project's own process: each page's best round."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    results = {}
    for label, path in pages:
        separator = "&" if "?" in path else "?"
        for n in range(5):  # settle imports, connections, per-process copies
            status = client.get(f"{path}{separator}_bust=warm{n}").status_code
            if status != 200:
                sys.exit(f"{path} answered {status}")
        # Counted by a wrapper: the request's start empties the query log.
        queries = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            client.get(f"{path}{separator}_bust=count")
        best = None
        for round_ in range(repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(requests):
                client.get(f"{path}{separator}_bust={round_}-{n}")
            cpu = (time.process_time() - cpu) * 1000 / requests
            wall = (time.perf_counter() - wall) * 1000 / requests
            if best is None or cpu < best[0]:
                best = (cpu, wall)
        results[label] = {
            "cpu_ms": best[0],
            "wall_ms": best[1],
            "queries": len(queries),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(*json.loads(sys.argv[2]))
    else:
        main()
