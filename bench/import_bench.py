"""Benchmark: import 10,000 projects (two releases each) into PostgreSQL.

    uv run python bench/import_bench.py [--rows 10000] [--database-url URL] [--task]
                                        [--dry-run-only]

Creates (or empties) a scratch database, ``portal_bench`` on the local server by
default, migrates it, writes a CSV catalogue, then prints how long the first
import (all rows created), a re-import of the same file (all unchanged) and a dry
run take, in wall time and in this process's CPU time (steadier than the wall
time on a shared machine; the database's own work is not in it). Goal: 10,000
rows in under 30 s. Prints figures; asserts nothing.

With ``--task``, each import goes the admin's way instead: an import job is
stored and queued, and a ``manage.py db_worker --batch`` process runs it; the
figures are then the time from queueing to the report (the worker's start
included), the import's own time, and the worker process's peak resident memory.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--task",
        action="store_true",
        help="Import through an import job run by a db_worker process.",
    )
    parser.add_argument(
        "--dry-run-only",
        action="store_true",
        help="Only a dry run of the file (every row new): the quickest look at a "
        "large file's time and memory.",
    )
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/portal_bench",
    )
    args = parser.parse_args()
    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed_licenses()
    path = write_catalogue(args.rows)
    size = path.stat().st_size / 1e6
    print(f"catalogue: {args.rows} rows, {size:.1f} MB CSV, 2 releases per project")
    runs = [
        ("first import (all created)", {}),
        ("re-import (all unchanged)", {}),
        ("dry run (all unchanged)", {"dry_run": True}),
    ]
    if args.dry_run_only:
        runs = [("dry run (all new)", {"dry_run": True})]
    for label, options in runs:
        if args.task:
            timed_job(label, path, args.rows, **options)
            continue
        seconds, cpu, report = timed_import(path, **options)
        print(
            f"{label:28} {seconds:6.1f} s  {args.rows / seconds:7.0f} rows/s  "
            f"(CPU {cpu:5.1f} s, {args.rows / cpu:5.0f} rows/CPU s)  "
            f"created={report.created} updated={report.updated} "
            f"unchanged={report.unchanged} errors={len(report.errors)}"
        )


def recreate_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed_licenses():
    from licenses.models import Family, License

    apache = License(spdx_id="Apache-2.0", state="published")
    apache.full_clean()
    apache.save()
    for spdx_id in ["MIT", "BSD-3-Clause"]:
        license_ = License(spdx_id=spdx_id, state="published")
        license_.full_clean()
        license_.save()
    busl = License(
        spdx_id="BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
        state="published",
    )
    busl.full_clean()
    busl.save()


def write_catalogue(rows: int) -> Path:
    expressions = ["MIT", "Apache-2.0", "Apache-2.0 OR MIT", "BUSL-1.1"]
    languages = ["python", "rust", "go;typescript", "javascript"]
    lines = [
        "slug,name,summary,license_expression,languages,state,releases,"
        "change_license,change_after_months"
    ]
    for n in range(rows):
        expression = expressions[n % 4]
        releases = (
            f"1.{n % 7}.0|2023-0{1 + n % 9}-15|{expression};"
            f"2.0.0|2024-0{1 + n % 9}-15|{expression}"
        )
        lines.append(
            f"project-{n},Project {n},Sample project number {n}.,{expression},"
            f"{languages[n % 4]},published,{releases},"
            + ("Apache-2.0,36" if expression == "BUSL-1.1" else ",")
        )
    path = Path(tempfile.mkdtemp()) / "catalogue.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def publisher():
    from django.contrib.auth.models import Group, User

    user, created = User.objects.get_or_create(username="bench-publisher")
    if created:
        user.groups.add(Group.objects.get(name="Publisher"))
    return user


def timed_job(label: str, path: Path, rows: int, dry_run: bool = False) -> None:
    """One import as the admin runs it: a job, queued, run by a worker process
    (whose peak resident memory the kernel reports when it exits)."""
    import subprocess

    from projects.import_jobs import import_job_create

    start = time.perf_counter()
    job = import_job_create(
        user=publisher(),
        file_name=path.name,
        content=path.read_bytes(),
        fmt="csv",
        dry_run=dry_run,
    )
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch"],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    _pid, _status, usage = os.wait4(worker.pid, 0)
    seconds = time.perf_counter() - start
    job.refresh_from_db()
    running = (job.finished_at - job.started_at).total_seconds()
    print(
        f"{label:28} {seconds:6.1f} s queued to report, {running:6.1f} s import  "
        f"{rows / running:7.0f} rows/s  worker peak RSS {usage.ru_maxrss / 1024:5.0f} "
        f"MB  {job.status} created={job.created} updated={job.updated} "
        f"unchanged={job.unchanged} errors={job.error_count}"
    )


def timed_import(path: Path, **options):
    """One import as a Publisher, as an editor would run it from the admin: the
    publish policy is asked for every row."""
    from projects.imports import import_catalogue, read_file

    user = publisher()
    start, cpu = time.perf_counter(), time.process_time()
    rows = read_file(path.read_bytes(), "csv")
    report = import_catalogue(rows, fmt="csv", user=user, **options)
    return time.perf_counter() - start, time.process_time() - cpu, report


if __name__ == "__main__":
    main()
