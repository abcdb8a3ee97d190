"""The admin's import and export pages for the catalogue."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Project

IMPORT = reverse("admin:projects_project_import")
GOOD = b"slug,name,summary,license_expression\nsnuba,Snuba,A store.,mit\n"
BAD = b"slug,name,summary,license_expression\nsnuba,Snuba,A store.,Apache-2.0 ORR MIT\n"


def upload(content, name="catalogue.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_changelist_links_import_and_export(admin_client, db):
    page = admin_client.get(reverse("admin:projects_project_changelist")).content
    assert IMPORT.encode() in page
    assert reverse("admin:projects_project_export", args=["csv"]).encode() in page


def test_dry_run_lists_errors_by_row_and_writes_nothing(admin_client, make_license):
    make_license("MIT")
    response = admin_client.post(IMPORT, {"file": upload(BAD), "dry_run": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "line 2" in html and "license_expression" in html and "ORR" in html
    assert "nothing was written" in html
    assert not Project.objects.exists()


def test_import_answers_each_line_of_odd_expressions(admin_client, db):
    content = (
        b"slug,name,summary,license_expression\n"
        b"a,A,One.,MIT OR LicenseRef-Commercial\n"
        b"b,B,Two.,GPL 2.0\n"
    )
    response = admin_client.post(IMPORT, {"file": upload(content), "dry_run": "on"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "line 3" in html and "an id has no spaces" in html
    assert "line 2" not in html


def test_dry_run_of_a_good_file_says_what_would_happen(admin_client, make_license):
    make_license("MIT")
    response = admin_client.post(IMPORT, {"file": upload(GOOD), "dry_run": "on"})
    assert "1 project(s) would be created" in response.content.decode()
    assert not Project.objects.exists()


def test_real_import_creates_and_records_the_editor(admin_client, make_license):
    make_license("MIT")
    response = admin_client.post(IMPORT, {"file": upload(GOOD)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:projects_project_changelist"
    )
    assert "1 project(s) were created" in response.content.decode()
    project = Project.objects.get(slug="snuba")
    assert project.license_expression == "MIT"
    assert project.history.first().history_user.username == "admin"


def test_unreadable_or_wrong_files_come_back_with_a_reason(admin_client, db):
    wrong = admin_client.post(IMPORT, {"file": upload(b"x", "catalogue.xlsx")})
    broken = admin_client.post(IMPORT, {"file": upload(b"{", "catalogue.json")})
    assert "Choose a .csv or .json file." in wrong.content.decode()
    assert "The JSON is malformed" in broken.content.decode()


def test_deeply_nested_json_comes_back_with_a_reason(admin_client, db):
    # It was a RecursionError: the admin's HTML 500 page.
    response = admin_client.post(
        IMPORT, {"file": upload(b"[" * 100_000, "catalogue.json"), "dry_run": "on"}
    )

    assert response.status_code == 200
    assert "The JSON nests deeper than 32 levels." in response.content.decode()


def test_export_downloads_the_catalogue(admin_client, make_project):
    make_project("Snuba", slug="snuba")
    response = admin_client.get(reverse("admin:projects_project_export", args=["json"]))
    assert response["Content-Disposition"] == 'attachment; filename="catalogue.json"'
    data = json.loads(response.content)
    assert [p["slug"] for p in data["projects"]] == ["snuba"]
    csv = admin_client.get(reverse("admin:projects_project_export", args=["csv"]))
    assert csv.content.decode().splitlines()[0].startswith("slug,name,summary")


def test_import_needs_the_right_to_add_and_change(client, django_user_model, db):
    user = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(user)
    assert client.get(IMPORT).status_code == 403
