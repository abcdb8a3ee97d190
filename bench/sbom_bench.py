"""Time building the SBOMs of the whole catalogue (``projects.sbom``) cold, as
after a publish: reading the rows, then the CycloneDX and the SPDX document.

    uv run python bench/sbom_bench.py [--repeat 3]

Needs the database ``bench/http_bench.py`` seeds (``portal_httpbench``, 10,000
projects); only reads it. Prints the best and median time of each step, the
queries and the size of each document. Prints figures; asserts nothing.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_httpbench"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.sbom import cyclonedx_document, read_catalogue, spdx_document

    options = {
        "site_url": "https://opensource.example.org/",
        "moment": datetime.datetime.now(datetime.UTC).replace(microsecond=0),
        "serial": uuid.uuid4(),
    }
    steps = {
        "read": read_catalogue,
        "cyclonedx": lambda catalogue: cyclonedx_document(catalogue, **options),
        "spdx": lambda catalogue: spdx_document(catalogue, **options),
    }
    times = {name: [] for name in steps}
    for _ in range(args.repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            catalogue = read_catalogue()
        times["read"].append(time.perf_counter() - start)
        documents = {}
        for name in ("cyclonedx", "spdx"):
            start = time.perf_counter()
            documents[name] = steps[name](catalogue)
            times[name].append(time.perf_counter() - start)
    releases = sum(len(project.public_releases) for project in catalogue.projects)
    print(f"{len(catalogue.projects)} published projects, {releases} releases")
    for name, measured in times.items():
        size = ""
        if name in documents:
            size = f", {len(json.dumps(documents[name])) / 1e6:.1f} MB"
        print(
            f"{name:10} best {min(measured) * 1000:8.0f} ms, "
            f"median {statistics.median(measured) * 1000:8.0f} ms{size}"
        )
    print(f"{len(captured.captured_queries)} queries:")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:90]}")


if __name__ == "__main__":
    main()
