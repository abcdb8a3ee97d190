"""Screenshots of the editors' workflow in the admin, for the README's "Editing".

A publisher logs in to the demo content, opens the project list (states, the
workflow actions, import/export), a project's change form (state, schedule,
Markdown preview), its history and the comparison of two versions, the review
queue on the admin index with an editor's change of a published project, that
change against the live version, and the report of a dry-run import, as
``admin-*.png`` in a temporary folder (``docs/screenshots`` with ``--screenshots``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.publishing.revisions import revision_submit
from projects.import_jobs import import_job_create, import_job_run
from projects.models import Project

PASSWORD = "a long enough password for the publisher"


def test_screenshots_of_the_admin_workflow(page, demo, screenshots):
    publisher = get_user_model().objects.create_user(
        "publisher", password=PASSWORD, is_staff=True
    )
    # Created by a migration, but a transactional test before this one may have
    # flushed it: give the publisher the same rights directly if so.
    group = Group.objects.filter(name="Publisher").first()
    if group is not None:
        publisher.groups.add(group)
    else:
        publisher.is_superuser = True
        publisher.save()
    snuba = Project.objects.get(slug="snuba")
    snuba.summary = "Search and aggregation of event data on ClickHouse."
    snuba.save()
    editor = get_user_model().objects.create_user(
        "editor", first_name="Eda", last_name="Editor", is_staff=True
    )
    relay = Project.objects.get(slug="relay")
    relay.summary = "The service that receives, filters and forwards events."
    assert revision_submit(
        user=editor, instance=relay, reason="Says what Relay filters."
    )
    relay.refresh_from_db()
    job = import_job_create(
        user=publisher,
        file_name="catalogue.csv",
        content=(
            b"slug,name,summary,license_expression,state\n"
            b"snuba,Snuba,A store.,Apache-2.0,published\n"
            b"new-tool,New tool,A tool.,GPLv3,draft\n"
        ),
        fmt="csv",
        dry_run=True,
    )
    import_job_run(job_id=job.pk)

    page.goto(demo + "/admin/login/")
    page.fill("input[name=username]", "publisher")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    history = page.context.request.get(
        demo + f"/admin/projects/project/{snuba.pk}/history/"
    )
    assert history.ok
    records = list(
        snuba.history.order_by("history_id").values_list("history_id", flat=True)
    )
    shots = {
        "admin-project-list": "/admin/projects/project/",
        "admin-project-form": f"/admin/projects/project/{snuba.pk}/change/",
        "admin-history": f"/admin/projects/project/{snuba.pk}/history/",
        "admin-compare": (
            f"/admin/projects/project/{snuba.pk}/history/compare/"
            f"?from={records[0]}&to={records[-1]}"
        ),
        "admin-import": "/admin/projects/project/import/",
        "admin-import-report": f"/admin/projects/project/import/{job.pk}/",
        "admin-review-queue": "/admin/",
        "admin-review": f"/admin/projects/project/{relay.pk}/revision/",
    }
    for name, path in shots.items():
        response = page.goto(demo + path)
        assert response.status == 200, path
        target = screenshots / f"{name}.png"
        page.screenshot(path=str(target), full_page=name != "admin-project-form")
        assert target.stat().st_size > 10_000, target
