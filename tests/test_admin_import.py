"""The admin's import and export pages for the catalogue: the import runs as a
background job (projects.import_jobs), whose page shows progress and the report."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from projects.import_jobs import ProgressWriter, import_jobs_prune
from projects.models import ImportJob, Language, Project
from tests.helpers import run_queued_tasks

IMPORT = reverse("admin:projects_project_import")
GOOD = b"slug,name,summary,license_expression\nsnuba,Snuba,A store.,mit\n"
BAD = b"slug,name,summary,license_expression\nsnuba,Snuba,A store.,Apache-2.0 ORR MIT\n"


def upload(content, name="catalogue.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def job_url(job):
    return reverse("admin:projects_project_import_job", args=[job.pk])


@pytest.fixture
def import_file(admin_client, django_capture_on_commit_callbacks):
    """Upload ``content`` on the import page; return the answer and the job."""

    def send(content, name="catalogue.csv", dry_run=True, client=admin_client):
        data = {"file": upload(content, name)}
        if dry_run:
            data["dry_run"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(IMPORT, data)
        return response, ImportJob.objects.order_by("-pk").first()

    return send


def test_changelist_links_import_and_export(admin_client, db):
    page = admin_client.get(reverse("admin:projects_project_changelist")).content
    assert IMPORT.encode() in page
    assert reverse("admin:projects_project_export", args=["csv"]).encode() in page


def test_upload_answers_at_once_with_the_queued_job(admin_client, import_file, db):
    response, job = import_file(GOOD)

    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert job.status == "queued" and job.dry_run and job.user.username == "admin"
    assert bytes(job.content) == GOOD
    page = admin_client.get(job_url(job)).content.decode()
    assert "Waiting in the queue" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'role="status"' in page


def test_dry_run_lists_errors_by_row_and_writes_nothing(
    admin_client, import_file, make_license
):
    make_license("MIT")
    _response, job = import_file(BAD)

    assert run_queued_tasks() == 1
    html = admin_client.get(job_url(job)).content.decode()
    assert "line 2" in html and "license_expression" in html and "ORR" in html
    assert "nothing was written" in html
    assert 'http-equiv="refresh"' not in html
    assert not Project.objects.exists()


def test_report_lists_every_error_of_every_row(admin_client, import_file, db):
    rows = "".join(
        f"p-{n},P {n},S.,Apache-2.0 ORR MIT,,https//bad\n" for n in range(300)
    )
    content = "slug,name,summary,license_expression,category,repository_url\n" + rows
    _response, job = import_file(content.encode())
    run_queued_tasks()

    job.refresh_from_db()
    assert job.status == "done" and job.rows_total == 300 and job.rows_done == 300
    assert job.error_count == len(job.errors) == 600
    html = admin_client.get(job_url(job)).content.decode()
    assert html.count("<td>repository_url</td>") == 300
    assert "line 301" in html and "600 error(s) in 300 row(s)" in html


def test_import_answers_each_line_of_odd_expressions(admin_client, import_file, db):
    content = (
        b"slug,name,summary,license_expression\n"
        b"a,A,One.,MIT OR LicenseRef-Commercial\n"
        b"b,B,Two.,GPL 2.0\n"
    )
    _response, job = import_file(content)
    run_queued_tasks()

    html = admin_client.get(job_url(job)).content.decode()
    assert "line 3" in html and "an id has no spaces" in html
    assert "line 2" not in html


def test_dry_run_then_run_for_real_reuses_the_stored_file(
    admin_client, import_file, make_license, django_capture_on_commit_callbacks
):
    make_license("MIT")
    _response, dry = import_file(GOOD)
    run_queued_tasks()
    page = admin_client.get(job_url(dry)).content.decode()
    assert "1 project(s) would be created" in page
    assert "Run for real" in page
    assert not Project.objects.exists()

    run = reverse("admin:projects_project_import_run", args=[dry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(run)
    real = ImportJob.objects.get(source=dry)
    assert response["Location"] == job_url(real)
    assert not real.dry_run and bytes(real.content) == GOOD
    assert run_queued_tasks() == 1

    page = admin_client.get(job_url(real)).content.decode()
    assert "1 project(s) were created" in page
    assert "Run for real" not in page
    project = Project.objects.get(slug="snuba")
    assert project.license_expression == "MIT"
    assert project.history.first().history_user.username == "admin"


def test_run_for_real_reads_the_catalogue_again(
    admin_client,
    import_file,
    make_license,
    make_project,
    django_capture_on_commit_callbacks,
):
    """What changed since the dry run counts: the real run checks every row
    against the catalogue as it is then."""
    make_license("MIT")
    _response, dry = import_file(GOOD)
    run_queued_tasks()
    make_project("Snuba", slug="snuba", summary="Older.")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:projects_project_import_run", args=[dry.pk]))
    run_queued_tasks()

    real = ImportJob.objects.get(source=dry)
    assert (real.status, real.created, real.updated) == ("done", 0, 1)
    assert Project.objects.get().summary == "A store."


def test_run_for_real_needs_a_post_and_a_finished_dry_run(
    admin_client, import_file, db
):
    _response, dry = import_file(GOOD)
    run = reverse("admin:projects_project_import_run", args=[dry.pk])
    assert admin_client.get(run).status_code == 405
    # Still queued: nothing to run for real yet.
    response = admin_client.post(run, follow=True)
    assert response.redirect_chain[-1][0] == job_url(dry)
    assert "Only a finished dry run can be run for real." in response.content.decode()
    assert not ImportJob.objects.filter(source=dry).exists()


def test_unreadable_or_wrong_files_come_back_with_a_reason(
    admin_client, import_file, db
):
    wrong, _job = import_file(b"x", "catalogue.xlsx")
    assert "Choose a .csv or .json file." in wrong.content.decode()

    _response, job = import_file(b"{", "catalogue.json")
    run_queued_tasks()
    page = admin_client.get(job_url(job))
    assert page.status_code == 200
    assert "The JSON is malformed" in page.content.decode()
    assert "Run for real" not in page.content.decode()


def test_a_file_over_the_limit_is_refused_with_the_limit(
    admin_client, import_file, settings, db
):
    settings.IMPORT_MAX_MB = 1
    response, job = import_file(GOOD + b"x" * (1024 * 1024), dry_run=False)
    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()
    assert job is None


def test_deeply_nested_json_comes_back_with_a_reason(admin_client, import_file, db):
    # It was a RecursionError: the admin's HTML 500 page.
    _response, job = import_file(b"[" * 100_000, "catalogue.json")
    run_queued_tasks()

    page = admin_client.get(job_url(job))
    assert page.status_code == 200
    assert "The JSON nests deeper than 32 levels." in page.content.decode()


def test_a_job_left_in_the_queue_warns_that_no_worker_runs(
    admin_client, import_file, db
):
    _response, job = import_file(GOOD)
    assert (
        "No worker seems to be running"
        not in admin_client.get(job_url(job)).content.decode()
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    page = admin_client.get(job_url(job)).content.decode()
    assert "No worker seems to be running" in page and "db_worker" in page


def test_running_job_page_shows_rows_done_and_errors_so_far(admin_client, db):
    job = ImportJob.objects.create(
        file_name="big.csv",
        format="csv",
        content=b"",
        dry_run=True,
        status="running",
        rows_total=100_000,
        rows_done=25_000,
        error_count=3,
    )
    page = admin_client.get(job_url(job)).content.decode()
    assert "25,000 of 100,000 rows done, 3 errors so far." in page
    assert 'max="100000" value="25000">25%</progress>' in page
    assert 'http-equiv="refresh"' in page


def test_a_job_left_running_by_a_stopped_worker_can_be_queued_again(
    admin_client, import_file, settings, django_capture_on_commit_callbacks, db
):
    _response, job = import_file(GOOD)
    # A worker took it, then was killed: "running", and no progress since.
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=long_ago, progress_at=long_ago, rows_total=1
    )
    page = admin_client.get(job_url(job)).content.decode()
    assert "the worker running this import has stopped" in page
    assert 'http-equiv="refresh"' not in page
    again_url = reverse("admin:projects_project_import_again", args=[job.pk])
    assert f'action="{again_url}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(again_url)

    again = ImportJob.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == job_url(again)
    assert (again.status, again.dry_run, bytes(again.content)) == ("queued", True, GOOD)
    job.refresh_from_db()
    assert job.status == "failed" and f"Queued again as import #{again.pk}" in (
        job.message
    )
    run_queued_tasks()
    again.refresh_from_db()
    assert (again.status, again.created) == ("done", 1)


def test_a_running_job_with_recent_progress_is_not_queued_again(
    admin_client, import_file, db
):
    _response, job = import_file(GOOD)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        started_at=timezone.now() - datetime.timedelta(hours=2),
        progress_at=timezone.now(),
    )
    assert "has stopped" not in admin_client.get(job_url(job)).content.decode()

    again_url = reverse("admin:projects_project_import_again", args=[job.pk])
    response = admin_client.post(again_url, follow=True)

    assert "Only an import that stopped can be queued again." in (
        response.content.decode()
    )
    assert ImportJob.objects.count() == 1
    assert admin_client.get(again_url).status_code == 405


def test_the_import_page_lists_recent_jobs(admin_client, import_file, db):
    _response, job = import_file(GOOD, name="mine.csv")
    page = admin_client.get(IMPORT).content.decode()
    assert job_url(job) in page and "mine.csv" in page


def test_old_finished_jobs_are_pruned(import_file, settings, db):
    settings.IMPORT_JOBS_KEEP_DAYS = 7
    import_file(GOOD)
    run_queued_tasks()
    _response, waiting = import_file(GOOD)
    long_ago = timezone.now() - datetime.timedelta(days=8)
    ImportJob.objects.update(created_at=long_ago)

    assert import_jobs_prune() == 1
    assert list(ImportJob.objects.all()) == [waiting]


def test_a_user_who_lost_the_right_to_import_imports_nothing(
    client, make_staff, make_license, django_capture_on_commit_callbacks
):
    make_license("MIT")
    editor = make_staff("ed", "Editor")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT, {"file": upload(GOOD)})
    editor.groups.clear()
    run_queued_tasks()

    job = ImportJob.objects.get()
    assert job.status == "failed" and "may no longer import" in job.message
    assert not Project.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_others_while_the_import_transaction_is_open(db):
    """The counters go through a connection of their own: another connection
    (another web process) reads them before the import's transaction ends."""
    job = ImportJob.objects.create(
        file_name="big.csv", format="csv", content=b"", dry_run=True, status="running"
    )
    if connection.vendor == "sqlite":
        # One writer at a time: the import holds the lock, so the writer does
        # not try (it would wait for the import's end); the counts show then.
        assert ProgressWriter(job.pk).connection is None
        return
    default = connections["default"]
    reader = type(default)(dict(default.settings_dict), "default")
    writer = ProgressWriter(job.pk, every=0)
    try:
        with transaction.atomic():
            # The import's writes, uncommitted while it runs.
            Language.objects.create(slug="cobol", name="COBOL")
            writer(500, 1000, 7)
            with reader.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done, error_count, progress_at IS NOT NULL "
                    "FROM projects_importjob WHERE id = %s",
                    [job.pk],
                )
                assert cursor.fetchone() == (500, 7, True)
                # ... while the import's own writes are not seen yet.
                cursor.execute(
                    "SELECT count(*) FROM projects_language WHERE slug = 'cobol'"
                )
                assert cursor.fetchone() == (0,)
    finally:
        writer.close()
        reader.close()


def test_export_downloads_the_catalogue(admin_client, make_project):
    make_project("Snuba", slug="snuba")
    response = admin_client.get(reverse("admin:projects_project_export", args=["json"]))
    assert response["Content-Disposition"] == 'attachment; filename="catalogue.json"'
    data = json.loads(response.content)
    assert [p["slug"] for p in data["projects"]] == ["snuba"]
    csv = admin_client.get(reverse("admin:projects_project_export", args=["csv"]))
    assert csv.content.decode().splitlines()[0].startswith("slug,name,summary")


def test_import_needs_the_right_to_add_and_change(
    client, django_user_model, admin_user, db
):
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    job = ImportJob.objects.create(
        user=admin_user, file_name="a.csv", format="csv", content=GOOD, dry_run=True
    )
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
    assert client.get(job_url(job)).status_code == 403
    run = reverse("admin:projects_project_import_run", args=[job.pk])
    assert client.post(run).status_code == 403
