"""An admin that helps: help text on every field, a Markdown preview by the site's
own renderer, a character counter for summaries, autocomplete where related rows
are chosen, "view on site" for what is public, search and ordering that fit.
"""

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from licenses.models import License
from portal.models import Section, Statement
from portal.publishing.models import State
from projects.models import Category, Language, Project, Release
from tests.helpers import CONTENT_MODELS

PREVIEW_URL = "/admin/markdown-preview/"


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def editable_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and field.editable
    ]


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_every_field_an_editor_touches_has_help_text(model):
    missing = [field.name for field in editable_fields(model) if not field.help_text]

    assert missing == []


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_help_texts_hold_no_markup(model):
    # The admin shows help texts as HTML: "/projects/<slug>/" would lose "<slug>".
    marked = [
        field.name
        for field in editable_fields(model)
        if "<" in str(field.help_text) or ">" in str(field.help_text)
    ]

    assert marked == []


def test_the_slug_help_text_shows_an_example_address(login_as, db):
    page = login_as("Editor").get(admin_url(Project, "add")).content.decode()

    assert "for /projects/snuba/" in page


# Markdown preview


def test_the_preview_renders_markdown_as_the_site_does(login_as, db):
    editor = login_as("Editor")

    response = editor.post(PREVIEW_URL, {"text": "**Open** <script>alert(1)</script>"})

    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>Open</strong>" in html
    assert "<script" not in html


def test_the_preview_drops_dangerous_links(login_as, db):
    response = login_as("Editor").post(
        PREVIEW_URL, {"text": "[x](javascript:alert(1)) <a onclick='x()'>y</a>"}
    )

    html = response.json()["html"]
    assert "javascript:" not in html
    assert "onclick" not in html


def test_the_preview_is_for_staff_only(client, db, django_user_model):
    assert client.post(PREVIEW_URL, {"text": "x"}).status_code == 302
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.post(PREVIEW_URL, {"text": "x"}).status_code == 302


def test_the_preview_is_csrf_protected_and_post_only(make_staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("alice"))

    assert browser.post(PREVIEW_URL, {"text": "x"}).status_code == 403
    assert browser.get(PREVIEW_URL).status_code == 405


def test_the_preview_refuses_huge_texts(login_as, db):
    response = login_as("Editor").post(PREVIEW_URL, {"text": "x" * 100_001})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Project, ["description"]),
        (License, ["summary"]),
        (Section, ["intro"]),
        (Statement, ["body", "contrast_body"]),
    ],
)
def test_markdown_fields_get_the_preview_and_its_script(login_as, db, model, fields):
    response = login_as("Publisher").get(admin_url(model, "add"))

    form = response.context["adminform"].form
    for name in fields:
        assert form.fields[name].widget.attrs["data-markdown-preview"] == PREVIEW_URL
    html = response.content.decode()
    assert "/static/portal-admin/markdown-preview.js" in html
    assert "/static/portal-admin/char-counter.js" in html


def test_inline_markdown_fields_get_the_preview_too(login_as, make_section):
    section = make_section()

    response = login_as("Editor").get(admin_url(Section, "change", section.pk))

    assert f'data-markdown-preview="{PREVIEW_URL}"' in response.content.decode()
    assert 'name="statements-__prefix__-body"' in response.content.decode()


@pytest.mark.parametrize("model", [Project, License])
def test_summaries_get_a_character_counter(login_as, db, model):
    response = login_as("Publisher").get(admin_url(model, "add"))

    widget = response.context["adminform"].form.fields["summary"].widget
    assert "data-char-counter" in widget.attrs


def test_the_project_summary_counter_knows_the_limit(login_as, db):
    html = login_as("Editor").get(admin_url(Project, "add")).content.decode()

    assert 'maxlength="300"' in html
    assert "data-char-counter" in html


@pytest.mark.parametrize(
    "path",
    [
        "portal-admin/markdown-preview.js",
        "portal-admin/char-counter.js",
        "portal-admin/editing.css",
    ],
)
def test_the_editing_aids_are_static_files(client, path):
    assert finders.find(path)
    assert client.get(f"/static/{path}").status_code == 200


# Autocomplete, view on site, search, ordering


def test_related_rows_are_chosen_with_autocomplete():
    assert set(admin.site._registry[Project].autocomplete_fields) >= {
        "category",
        "languages",
    }
    assert admin.site._registry[License].autocomplete_fields == ["change_license"]
    assert admin.site._registry[Release].autocomplete_fields == ["project"]


@pytest.mark.parametrize(
    ("model", "field", "term", "expected"),
    [
        (Project, "languages", "pyt", "Python"),
        (License, "change_license", "apa", "Apache-2.0"),
    ],
)
def test_the_autocomplete_answers(
    login_as, make_license, make_language, model, field, term, expected
):
    make_license("Apache-2.0")
    make_language("Python")

    response = login_as("Editor").get(
        "/admin/autocomplete/",
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
            "term": term,
        },
    )

    assert response.status_code == 200
    assert any(expected in r["text"] for r in response.json()["results"])


def test_view_on_site_is_offered_for_what_is_public(login_as, make_project):
    public = make_project("Snuba")
    draft = make_project("Relay", state=State.DRAFT)
    editor = login_as("Editor")

    public_page = editor.get(admin_url(Project, "change", public.pk))
    draft_page = editor.get(admin_url(Project, "change", draft.pk))

    assert public_page.context["has_absolute_url"]
    assert "View on site" in public_page.content.decode()
    assert not draft_page.context["has_absolute_url"]
    assert "View on site" not in draft_page.content.decode()


@pytest.mark.parametrize(
    ("model", "url"),
    [
        (Release, "/projects/snuba/"),
        (Category, "/projects/?category=sdk"),
        (Language, "/projects/?language=python"),
    ],
)
def test_view_on_site_leads_to_the_public_page(
    login_as, make_project, make_release, make_category, make_language, model, url
):
    snuba = make_project(
        "Snuba", category=make_category("SDK"), languages=[make_language("Python")]
    )
    make_release(snuba)
    obj = model.objects.get()

    response = login_as("Editor").get(admin_url(model, "change", obj.pk))

    assert admin.site._registry[model].get_view_on_site_url(obj) == url
    assert response.context["has_absolute_url"]


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Project, {"name", "summary", "description"}),
        (License, {"spdx_id", "name", "summary"}),
        (Section, {"title", "intro"}),
        (Statement, {"title", "body"}),
        (Release, {"project__name", "version"}),
        (Category, {"name"}),
        (Language, {"name"}),
    ],
)
def test_lists_search_the_text_editors_remember(model, fields):
    assert fields <= set(admin.site._registry[model].search_fields)


def test_search_finds_a_project_by_its_description(login_as, make_project):
    make_project("Snuba", description="A columnar store.")
    make_project("Relay")

    response = login_as("Editor").get(
        admin_url(Project, "changelist"), {"q": "columnar"}
    )

    assert [p.name for p in response.context["cl"].result_list] == ["Snuba"]


@pytest.mark.parametrize("model", [Section, License, Project, Category, Statement])
def test_positioned_lists_are_ordered_and_edited_by_position(model):
    model_admin = admin.site._registry[model]

    assert "position" in model_admin.list_editable
    ordering = model_admin.get_ordering(None) or model._meta.ordering
    assert any("position" in str(key) for key in ordering)


def test_the_project_list_follows_the_position(login_as, make_project):
    make_project("Alpha", position=2)
    make_project("Beta", position=1)

    response = login_as("Editor").get(admin_url(Project, "changelist"))

    assert [p.name for p in response.context["cl"].result_list] == ["Beta", "Alpha"]
