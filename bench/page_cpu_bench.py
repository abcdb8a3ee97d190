"""CPU time per request of the site's pages and the API's list, in process,
against their plain Django counterparts of ``bench/plain/`` on the same database.

    uv run python bench/page_cpu_bench.py [--requests 200] [--repeat 3]
                                          [--only LABEL] [--code DIR]

Needs the database ``bench/http_bench.py`` seeds (``portal_httpbench``, 10,000
projects; another with ``DATABASE_URL``) and Redis at ``127.0.0.1:6379``
(database 12, emptied first) as the cache, as production has. Each project
runs in a process of its own (one process holds one set of settings: the
portal's production settings, the plain project's), through Django's test
client, so every middleware runs. Every request of an "uncached" row adds a
random parameter, so no page cache can answer it; a "cached" row repeats one
address (a first request fills the cache), as ``http_bench.py``'s rows of
those names. The API's rate limits are raised, as ``http_bench.py`` does: one
client makes every request. Prints, per page, the best of ``--repeat`` rounds
of the CPU milliseconds per request (``time.process_time``: this process's
work, not the database's nor Redis's), the wall-clock milliseconds of the same
round, the SQL queries per request, and the ratio of its plain counterpart's
CPU time to the page's (above 1: the page costs less than the plain one).
Prints figures; asserts nothing.
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

# The code measured: this checkout's, or another's (``--code``).
ROOT = Path(os.environ.get("BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_httpbench"
)
REDIS_URL = "redis://127.0.0.1:6379/12"

# (label, path, bust the cache?): the labels of http_bench.py.
PORTAL_PAGES = [
    ("home", "/", True),
    ("directory", "/projects/", True),
    ("project detail", "/projects/project-5000/", True),
    ("search", "/search/?q=number+5000", True),
    ("API list (50)", "/api/v1/projects/?page_size=50", True),
    ("API list (50, cached)", "/api/v1/projects/?page_size=50", False),
]
PLAIN_PAGES = [
    ("plain list", "/projects/", True),
    ("plain DRF list", "/api/projects/", True),
    ("plain cache_page", "/projects/cached/", False),
]
# Each portal page and the plain page doing the same work (as http_bench.py).
COUNTERPARTS = {
    "home": "plain list",
    "directory": "plain list",
    "project detail": "plain list",
    "search": "plain list",
    "API list (50)": "plain DRF list",
    "API list (50, cached)": "plain cache_page",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="a label of the portal's pages")
    parser.add_argument(
        "--code",
        type=Path,
        help="measure the code of another checkout (e.g. main's, for a "
        "before and after in one run) with this script's pages",
    )
    args = parser.parse_args()
    if args.code:
        global ROOT
        ROOT = args.code.resolve()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "BENCH_CODE": str(ROOT),
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": tempfile.mkdtemp(prefix="portal-bench-static-"),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        # One client makes every request: rate limits would answer 429s.
        "API_ANON_RATE": "1000000/min",
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
    plain_pages = [
        page
        for page in PLAIN_PAGES
        if args.only is None or page[0] == COUNTERPARTS.get(args.only)
    ]
    figures = {}
    for settings, pages in (
        ("bench.plain.settings", plain_pages),
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
    print(
        f"{args.requests} requests per round, best of {args.repeat} rounds; "
        "uncached rows with a random parameter on every request (no page cache "
        "answers), cached rows repeating one address\n"
    )
    header = (
        f"{'page':22} {'CPU ms':>8} {'wall ms':>8} {'SQL':>4} "
        f"{'x plain':>8}  {'plain counterpart'}"
    )
    print(header)
    print("-" * len(header))
    for label, page in figures.items():
        counterpart = COUNTERPARTS.get(label, label)
        ratio = figures[counterpart]["cpu_ms"] / page["cpu_ms"]
        print(
            f"{label:22} {page['cpu_ms']:8.2f} {page['wall_ms']:8.2f} "
            f"{page['queries']:4d} {ratio:8.2f}  {counterpart}"
        )


def measure(pages, requests, repeat):
    """Run in the project's own process: each page's best round."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    results = {}
    for label, path, bust in pages:
        separator = "&" if "?" in path else "?"

        def address(tag, path=path, separator=separator, bust=bust):
            # A cached row asks for the same address every time: the first
            # request fills the cache, the others are answered from it.
            return f"{path}{separator}_bust={tag}" if bust else path

        for n in range(5):  # settle imports, connections, per-process copies
            status = client.get(address(f"warm{n}")).status_code
            if status != 200:
                sys.exit(f"{path} answered {status}")
        # Counted by a wrapper: the request's start empties the query log.
        queries = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            client.get(address("count"))
        best = None
        for round_ in range(repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            for n in range(requests):
                client.get(address(f"{round_}-{n}"))
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
