"""Time the philosophy page's licenses in use (``portal.views.licenses_in_use``)
on the HTTP benchmark's database, built cold (as after a publish): each
license's count of published projects and its first eight.

    uv run python bench/license_usage_bench.py [--repeat 20]

Needs the database ``bench/http_bench.py`` seeds (``portal_httpbench``, 10,000
projects). Prints the best and median time and the SQL queries with their
time. Prints figures; asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_httpbench"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.views import licenses_in_use
    from projects.models import Project

    def build():
        return [
            (license_.spdx_id, license_.project_count, len(license_.listed_projects))
            for license_ in licenses_in_use()
        ]

    build()  # settle imports and connections
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            usage = build()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{Project.objects.count()} projects; per license (id, count, listed):")
    print(f"  {usage}")
    print(
        f"best {min(times):.1f} ms, median {statistics.median(times):.1f} ms, "
        f"{len(captured.captured_queries)} queries:"
    )
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:90]}")


if __name__ == "__main__":
    main()
