"""What editors may write: no control characters, a limit on every text field,
and the same refusal, worded the same, through every door.

Rows saved before these rules may hold anything: feeds and badges still answer
valid XML, and ``manage.py check_content`` lists the rows to correct.
"""

import json
from xml.etree import ElementTree

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst

from licenses.models import Family, License
from portal.api.tokens import ApiToken
from portal.models import Section, SiteSettings, Statement
from portal.publishing.models import State
from portal.publishing.versioning import Versioned
from portal.text.hygiene import CHECKED_MODELS, TextHygieneValidator, xml_safe
from projects.models import Project, Release
from tests.helpers import run_queued_tasks

CONTENT_MODELS = [model for model in apps.get_models() if issubclass(model, Versioned)]
TEXT_FIELDS = [
    pytest.param(model, field, id=f"{model.__name__}.{field.name}")
    for model in CONTENT_MODELS
    for field in model._meta.concrete_fields
    if isinstance(field, models.CharField | models.TextField) and field.editable
]
MULTI_LINE_FIELDS = [
    p for p in TEXT_FIELDS if isinstance(p.values[1], models.TextField)
]


def refusals(field, value) -> list[str]:
    try:
        field.run_validators(value)
    except ValidationError as error:
        return error.messages
    return []


def test_every_content_model_follows_the_text_rules():
    assert {m.__name__ for m in CONTENT_MODELS} == {
        "Section",
        "Statement",
        "SiteSettings",
        "License",
        "Project",
        "Release",
        "LicenseChange",
        "Category",
        "Language",
    }
    assert set(CONTENT_MODELS) <= set(CHECKED_MODELS)


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS)
def test_every_text_field_refuses_a_control_character_naming_the_field(model, field):
    label = capfirst(field.verbose_name)

    assert (
        f"{label} contains a control character (U+0001) at position 3; remove it."
        in refusals(field, "ab\x01cd")
    )


NOT_TEXT = [
    ("\x00", "a control character"),
    ("\x1b", "a control character"),
    ("\x7f", "a control character"),
    ("\x85", "a control character"),
    ("\x9f", "a control character"),
    ("\ud800", "an unpaired surrogate"),
    ("\udfff", "an unpaired surrogate"),
    ("\ufdd0", "a noncharacter"),
    ("\ufffe", "a noncharacter"),
    ("\U0010ffff", "a noncharacter"),
]
BREAKS = [
    ("\t", "a tab"),
    ("\n", "a line break"),
    ("\r", "a line break"),
    ("\u2028", "a line separator"),
    ("\u2029", "a paragraph separator"),
]


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS)
def test_every_text_field_refuses_what_is_not_text(model, field):
    for char, what in NOT_TEXT:
        code = f"U+{ord(char):04X}"
        assert any(
            f"contains {what} ({code}) at position 1; remove it." in message
            for message in refusals(field, f"{char}x")
        ), code


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS)
def test_breaks_and_tabs_only_in_multi_line_fields(model, field):
    for char, what in BREAKS:
        messages = refusals(field, f"one{char}two")
        hygiene = [m for m in messages if " contains " in m]
        if isinstance(field, models.TextField):
            assert hygiene == []
        else:
            code = f"U+{ord(char):04X}"
            assert hygiene == [
                f"{capfirst(field.verbose_name)} contains {what} ({code}) at "
                "position 4; it is a single line: remove it."
            ]


@pytest.mark.parametrize(
    "text",
    [
        "Snuba \u2013 \u201cquoted\u201d caf\u00e9 \u65e5\u672c \U0001f680",
        "Zero\u200bwidth and no\u00a0break",
        "Line one\r\n\r\nParagraph two\twith a tab",
    ],
)
def test_ordinary_text_is_accepted(text):
    description = Project._meta.get_field("description")

    assert refusals(description, text) == []


@pytest.mark.parametrize(("model", "field"), MULTI_LINE_FIELDS)
def test_every_multi_line_field_has_a_limit_checked_by_the_model(model, field):
    limit = field.max_length

    assert limit is not None
    assert refusals(field, "x" * limit) == []
    assert refusals(field, "x" * (limit + 1)) == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_a_project_description_holds_up_to_50000_characters(make_project):
    project = make_project("Snuba", description="x" * 50_000)
    project.description += "x"

    with pytest.raises(ValidationError) as refused:
        project.full_clean()

    assert refused.value.message_dict["description"] == [
        "Ensure this value has at most 50000 characters (it has 50001)."
    ]


def test_the_rule_is_recorded_in_the_migrations():
    # makemigrations --check in CI fails if the models and migrations differ;
    # this says what they hold.
    field = Project._meta.get_field("name")

    _name, _path, _args, kwargs = field.deconstruct()
    assert TextHygieneValidator("name") in kwargs["validators"]


# The same refusal through every door (reproduction 5)

MESSAGE = "Name contains a control character (U+0001) at position 3; remove it."


def test_admin_refuses_a_control_character_in_a_statement_title(
    admin_client, make_section
):
    response = admin_client.post(
        reverse("admin:portal_statement_add"),
        {
            "section": make_section().pk,
            "kind": Statement.Kind.FAQ,
            "title": "Wh\x01y?",
            "body": "Because.",
            "position": "0",
            "state": State.DRAFT,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [
        "Title contains a control character (U+0001) at position 3; remove it."
    ]
    assert not Statement.objects.exists()


def test_admin_refuses_a_control_character_in_a_project_name(admin_client, db):
    License.objects.create(spdx_id="MIT", name="MIT License")
    form = {
        "name": "Sn\x01uba",
        "slug": "snuba",
        "summary": "A store.",
        "description": "",
        "license_expression": "MIT",
        "status": Project.Status.ACTIVE,
        "position": "0",
        "state": State.DRAFT,
    }
    for inline in ("releases", "license_changes"):
        form |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}

    response = admin_client.post(reverse("admin:projects_project_add"), form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [MESSAGE]
    assert not Project.objects.exists()


@pytest.fixture
def project_token(django_user_model, db):
    License.objects.create(spdx_id="MIT", name="MIT License")
    user = django_user_model.objects.create_user("sync")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="projects",
            codename__in=["add_project", "change_project"],
        )
    )
    _token, secret = ApiToken.issue(name="sync", user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_refuses_a_control_character_in_a_project_name(api_client, project_token):
    response = api_client.post(
        "/api/v1/projects/",
        {
            "slug": "snuba",
            "name": "Sn\x01uba",
            "summary": "A store.",
            "license_expression": "MIT",
        },
        format="json",
        **project_token,
    )

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [MESSAGE]
    assert not Project.objects.exists()


def test_api_refuses_a_line_break_in_a_project_summary_on_update(
    api_client, project_token, make_project
):
    make_project("Snuba", slug="snuba")

    response = api_client.patch(
        "/api/v1/projects/snuba/",
        {"summary": "One\nTwo"},
        format="json",
        **project_token,
    )

    assert response.status_code == 400
    assert response.json()["errors"]["summary"] == [
        "Summary contains a line break (U+000A) at position 4; it is a single "
        "line: remove it."
    ]


def test_import_refuses_a_control_character_in_a_project_name(
    admin_client, db, django_capture_on_commit_callbacks
):
    License.objects.create(spdx_id="MIT", name="MIT License")
    rows = [
        {
            "slug": "snuba",
            "name": "Sn\x01uba",
            "summary": "A store.",
            "license_expression": "MIT",
        }
    ]
    upload = SimpleUploadedFile(
        "catalogue.json", json.dumps(rows).encode(), content_type="application/json"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:projects_project_import"), {"file": upload}
        )
    run_queued_tasks()  # the import runs as a background job

    report = admin_client.get(response["Location"])
    assert MESSAGE in report.content.decode()
    assert not Project.objects.exists()


# Rows saved before the rules: feeds and badges still answer valid XML


BROKEN = "Bad\x01\x08\x0b\x1f\ufffe\uffff row"


def parse_xml(response):
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


@pytest.fixture
def old_rows(make_license, make_project, make_release, make_section, make_statement):
    """Published content with characters XML forbids, stored as an old version
    of the portal could, behind the validation's back."""
    apache = make_license("Apache-2.0")
    make_license(
        "BUSL-1.1",
        family=Family.SOURCE_AVAILABLE,
        change_license=apache,
        change_period_months=36,
        change_cap_months=48,
    )
    project = make_project("Sentry", slug="sentry", license_expression="BUSL-1.1")
    make_release(project, "23.11.0")
    statement = make_statement(make_section(), title="Why?", kind="faq")
    Project.objects.filter(pk=project.pk).update(
        name=BROKEN,
        summary=BROKEN,
        license_expression=f"BUSL-1.1 {BROKEN}",
    )
    Release.objects.update(version=BROKEN, license_expression=BROKEN)
    Statement.objects.filter(pk=statement.pk).update(
        title=BROKEN, body=BROKEN, body_html=f"<p>{BROKEN}</p>"
    )
    Section.objects.update(title=BROKEN)
    SiteSettings(organisation_name=BROKEN).save()
    return project


@pytest.mark.parametrize(
    "url", ["/projects/feed.atom", "/conversions/feed.atom", "/statements/feed.atom"]
)
def test_feeds_answer_valid_xml_whatever_old_rows_hold(client, old_rows, url):
    feed = parse_xml(client.get(url))

    text = ElementTree.tostring(feed, encoding="unicode")
    assert "Bad\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd row" in text
    assert feed.findall("{http://www.w3.org/2005/Atom}entry")


def test_badge_answers_valid_xml_whatever_old_rows_hold(client, old_rows):
    badge = parse_xml(client.get("/projects/sentry/badge.svg"))

    title = badge.find("{http://www.w3.org/2000/svg}title").text
    assert "Bad\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd row" in title


def test_xml_safe_replaces_only_what_xml_forbids():
    kept = "tab\tline\ncr\r é \x85 \u2028 \U0001f680"

    assert xml_safe(kept) == kept
    assert xml_safe("a\x00b\ud800c\uffff") == "a\ufffdb\ufffdc\ufffd"
    assert xml_safe(None) is None


# Stored rows that break the rules are listed


def test_check_content_lists_stored_rows_that_break_the_rules(
    make_project, make_section, capsys
):
    project = make_project("Snuba", slug="snuba", description="*Fast*.")
    section = make_section("Goals")
    Project.objects.filter(pk=project.pk).update(name="Sn\x01uba")
    Section.objects.filter(pk=section.pk).update(
        title="Our\ngoals", intro="y" * 5001, intro_html=""
    )

    with pytest.raises(CommandError) as failed:
        call_command("check_content")

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"portal.Section {section.pk} title: Title contains a line break (U+000A) "
        "at position 4; it is a single line: remove it.",
        f"portal.Section {section.pk} intro: Ensure this value has at most 5000 "
        "characters (it has 5001).",
        f"portal.Section {section.pk} intro_html: not the rendering of intro as it "
        "is now; check_content --render stores it.",
        f"projects.Project {project.pk} name: {MESSAGE}",
    ]
    assert str(failed.value).startswith("4 stored values break the text rules")


def test_check_content_exits_with_status_1_when_a_row_breaks_the_rules(make_project):
    project = make_project("Snuba")
    Project.objects.filter(pk=project.pk).update(summary="\x07")

    with pytest.raises(CommandError) as failed:
        call_command("check_content")

    assert failed.value.returncode == 1


def test_check_content_render_stores_the_html_again(make_section, capsys):
    make_section("Goals", intro="*Open*.")
    Section.objects.update(intro="**Free**.")

    call_command("check_content", "--render")

    assert Section.objects.get().intro_html == "<p><strong>Free</strong>.</p>"
    assert "No stored value breaks the text rules." in capsys.readouterr().out


def test_check_content_is_quiet_about_good_content(make_project, capsys):
    make_project("Snuba", description="# Title\n\nText\twith a tab.\r\n")

    call_command("check_content")

    assert capsys.readouterr().out == "No stored value breaks the text rules.\n"
