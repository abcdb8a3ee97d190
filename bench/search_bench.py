"""Benchmark: the site's search (``/search/?q=``) on 10,000 projects in PostgreSQL.

    uv run python bench/search_bench.py [--rows 10000] [--requests 200]
                                        [--database-url URL] [--skip-seed]

Creates (or empties) a scratch database, ``portal_searchbench`` on the local
server by default, migrates it (which builds the GIN index of the project search
vector), loads the demo content and imports ``--rows`` projects with a summary and
a description drawn from a small vocabulary, so that words match from one project
to about a tenth of the catalogue. Then shows the query plan of a project search
(the index must be used), and times ``--requests`` GETs of ``/search/?q=...``
through Django's test client, cycling through a mix of queries, with the server's
page cache off so that every request does the work. Prints the p50 and p99 server
time overall and per query, and the SQL queries per request. Goal: p50 under
15 ms. Prints figures; asserts nothing.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADJECTIVES = ["fast", "distributed", "lightweight", "secure", "embeddable", "minimal"]
NOUNS = ["queue", "proxy", "parser", "scheduler", "cache", "collector", "gateway"]
TOPICS = [
    "error tracking",
    "performance monitoring",
    "session replay",
    "release health",
    "crash reporting",
    "log ingestion",
    "uptime checks",
    "cron monitoring",
    "feature flags",
    "symbol servers",
    "profiling",
]
PLATFORMS = ["Kubernetes", "Android", "iOS", "browsers", "serverless functions"]
EXPRESSIONS = ["MIT", "Apache-2.0", "Apache-2.0 OR MIT", "BUSL-1.1"]
LANGUAGES = ["python", "rust", "go;typescript", "javascript"]

# (label, query): from one project to a tenth of the catalogue, names and words.
QUERIES = [
    ("one name", "Project 5000"),
    ("rare word", "build7321"),
    ("phrase", '"session replay"'),
    ("two words", "secure gateway"),
    ("common word", "profiling"),
    ("word in a name", "snuba"),
    ("no match", "zeppelin"),
    ("license id", "apache"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/portal_searchbench",
    )
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PAGE_CACHE_SECONDS"] = "0"  # every request does the work
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    if not args.skip_seed:
        from bench.import_bench import recreate_database

        recreate_database(args.database_url)

    import django

    django.setup()
    if not args.skip_seed:
        seed(args.rows)
    explain()
    run(args.requests)


def seed(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from portal.publishing.policy import SYSTEM
    from projects.imports import import_catalogue, read_file

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    path = write_catalogue(rows)
    start = time.perf_counter()
    report = import_catalogue(
        read_file(path.read_bytes(), "csv"), fmt="csv", user=SYSTEM
    )
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        # The steady state autovacuum keeps: statistics, and the GIN index's
        # pending list (every row just imported) merged into the index.
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded: {report.created} projects in {seconds:.0f} s (+ demo content)")


def write_catalogue(rows: int) -> Path:
    """A CSV catalogue whose descriptions mix a small vocabulary."""
    path = Path(tempfile.mkdtemp()) / "catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                *("slug", "name", "summary", "description", "license_expression"),
                *("languages", "state"),
            ]
        )
        for n in range(rows):
            adjective = ADJECTIVES[n % len(ADJECTIVES)]
            noun = NOUNS[n % len(NOUNS)]
            topic = TOPICS[n % len(TOPICS)]
            platform = PLATFORMS[n % len(PLATFORMS)]
            writer.writerow(
                [
                    f"project-{n}",
                    f"Project {n}",
                    f"A {adjective} {noun} for {topic}.",
                    f"Project {n} is a {adjective} {noun} that helps teams with "
                    f"{topic} on {platform}. It is built with care (build{n}) and "
                    f"documented in the **handbook**; see the "
                    f"[changelog](https://example.com/{n}) for what changed.",
                    EXPRESSIONS[n % len(EXPRESSIONS)],
                    LANGUAGES[n % len(LANGUAGES)],
                    "published",
                ]
            )
    return path


def explain() -> None:
    """The plan of the directory's project search: the GIN index must be used."""
    from portal.text.search import by_relevance
    from projects.models import Project
    from projects.search import matching_projects

    queryset = by_relevance(
        matching_projects(Project.objects.published(), '"session replay"')
    )[:21]
    plan = queryset.explain()
    used = "project_search_vector_gin" in plan
    print(f"\nquery plan of a project search (GIN index used: {used}):")
    print("  " + plan.replace("\n", "\n  "))


def run(requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for _label, query in QUERIES:  # warm up: imports, connections, plans
        client.get("/search/", {"q": query})
    timings: dict[str, list[float]] = {label: [] for label, _query in QUERIES}
    queries_per_request = set()
    for number in range(requests):
        label, query = QUERIES[number % len(QUERIES)]
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/search/", {"q": query})
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            sys.exit(f"/search/?q={query} answered {response.status_code}")
        timings[label].append(elapsed)
        queries_per_request.add(len(captured.captured_queries))
    every = sorted(t for values in timings.values() for t in values)
    print(
        f"\n/search/?q=... : {len(every)} requests, SQL queries per request: "
        f"{sorted(queries_per_request)}"
    )
    print(f"{'query':18} {'q':22} {'n':>4} {'p50 ms':>8} {'p99 ms':>8}")
    for label, query in QUERIES:
        values = sorted(timings[label])
        print(
            f"{label:18} {query:22} {len(values):4d} {percentile(values, 50):8.2f} "
            f"{percentile(values, 99):8.2f}"
        )
    print(
        f"{'all':18} {'':22} {len(every):4d} {percentile(every, 50):8.2f} "
        f"{percentile(every, 99):8.2f}   (mean {statistics.mean(every):.2f})"
    )


def percentile(values: list[float], p: int) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return float("nan")
    rank = max(1, round(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


if __name__ == "__main__":
    main()
