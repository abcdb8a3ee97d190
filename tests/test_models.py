"""Model validation: bad input is refused with a message on the field at fault.

``full_clean()`` is what the admin, the services and the importers run, so these
rules hold at every door that writes.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from licenses.expressions import check_expression
from licenses.models import License
from licenses.suggestions import suggest_ids
from portal.models import Section, Statement
from portal.publishing.models import State
from projects.models import Category, Language, Project, Release
from projects.services import project_link_licenses, project_save


def errors_of(instance) -> dict[str, list[str]]:
    """The field -> messages that ``full_clean()`` raises (it must raise)."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def project(**fields):
    fields.setdefault("name", "Snuba")
    fields.setdefault("slug", "snuba")
    fields.setdefault("summary", "A store.")
    fields.setdefault("license_expression", "MIT")
    return Project(**fields)


# Slugs and URLs


@pytest.mark.parametrize("slug", ["has space", "slash/es", "ünïcode?", "dot.ted", ""])
@pytest.mark.parametrize(
    "make",
    [
        lambda slug: project(slug=slug),
        lambda slug: Section(title="Goals", slug=slug),
        lambda slug: Category(name="SDK", slug=slug),
        lambda slug: Language(name="Python", slug=slug),
    ],
    ids=["project", "section", "category", "language"],
)
def test_invalid_slug_is_refused(db, make, slug):
    assert "slug" in errors_of(make(slug))


def test_duplicate_project_slug_is_refused(make_project):
    make_project("Snuba")

    assert "slug" in errors_of(project(name="Snuba again", slug="snuba"))


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "github.com/example/snuba",
        "javascript:alert(1)",
        "http://",
        "https://exa mple.com",
    ],
)
@pytest.mark.parametrize("field", ["repository_url", "homepage_url", "docs_url"])
def test_malformed_project_url_is_refused(db, field, url):
    assert field in errors_of(project(**{field: url}))


def test_malformed_license_text_url_is_refused(db):
    license_ = License(spdx_id="MIT", name="MIT", text_url="javascript:alert(1)")

    assert "text_url" in errors_of(license_)


# SPDX ids of licenses


def test_duplicate_spdx_id_is_refused(make_license):
    make_license("MIT")

    errors = errors_of(License(spdx_id="MIT", name="MIT again"))

    assert "A license with this SPDX id already exists." in str(errors)


def test_spdx_id_differing_only_in_case_is_a_duplicate(make_license):
    make_license("MIT")

    errors = errors_of(License(spdx_id="mit", name="MIT again"))

    assert "A license with this SPDX id already exists." in str(errors)


def test_spdx_id_letter_case_is_corrected(make_license):
    assert make_license("apache-2.0").spdx_id == "Apache-2.0"
    assert make_license("bUsL-1.1").spdx_id == "BUSL-1.1"


def test_deprecated_spdx_id_keeps_its_own_id_and_flags(make_license):
    license_ = make_license("gpl-2.0+")

    assert license_.spdx_id == "GPL-2.0+"
    assert license_.deprecated and license_.fsf_libre


def test_organisation_own_license_ref_is_accepted(make_license):
    assert make_license("LicenseRef-Acme-1.0").spdx_id == "LicenseRef-Acme-1.0"


def test_spdx_id_that_is_not_one_suggests_the_nearest(db):
    errors = errors_of(License(spdx_id="Apache-2", name="Apache"))

    (message,) = errors["spdx_id"]
    assert "'Apache-2' is not an SPDX license id" in message
    assert "Did you mean" in message
    assert "Apache-2.0" in message


@pytest.mark.parametrize("spdx_id", ["Apache-2.0 OR MIT", "no such license at all"])
def test_spdx_id_must_be_a_single_license(db, spdx_id):
    assert "is not an SPDX license id" in str(
        errors_of(License(spdx_id=spdx_id, name="x"))["spdx_id"]
    )


# License expressions


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("Apache-2.0 ORR MIT", "'ORR' at position 12 is not a known SPDX license id"),
        ("Apache-2.0 OR", "'OR' at position 12 must have a license id on each side."),
        ("OR MIT", "'OR' at position 1 must have a license id on each side."),
        (
            "(MIT OR Apache-2.0) AND",
            "'AND' at position 21 must have a license id on each side.",
        ),
        ("(MIT", "The parentheses are not balanced"),
        ("MIT)", "The parentheses are not balanced"),
        ("(AND MIT)", "'AND' at position 2 must have a license id on each side."),
        ("( OR MIT", "The parentheses are not balanced"),
        # A valid LicenseRef is not blamed for the parentheses around it.
        ("((MIT LicenseRef-Acme", "The parentheses are not balanced"),
        ("MIT/Apache-2.0", "'/' at position 4 is not part of an SPDX expression"),
        ("MIT MIT", "'MIT' at position 5 must be joined to what comes before it"),
        (
            "MIT WITH Apache-2.0",
            "'Apache-2.0' at position 10 is a license, not an exception",
        ),
        (
            "MIT AND LLVM-exception",
            "'LLVM-exception' at position 9 is a license exception",
        ),
        ("Apahce-2.0", "Did you mean 'Apache-2.0'"),
    ],
)
def test_bad_expression_is_explained(expression, message):
    check = check_expression(expression)

    assert not check.valid
    assert message in " ".join(check.errors)


def test_expression_typo_of_an_operator_suggests_the_operator():
    check = check_expression("Apache-2.0 ORR MIT")

    assert check.errors == (
        "'ORR' at position 12 is not a known SPDX license id. "
        "Did you mean the operator 'OR'?",
    )


def test_long_specific_id_suggests_its_true_name_first():
    check = check_expression("FSL-1.1-Apache-2.0")

    assert check.suggestions["FSL-1.1-Apache-2.0"][0] == "FSL-1.1-ALv2"
    assert "Did you mean 'FSL-1.1-ALv2'" in check.errors[0]


def test_valid_license_ref_is_not_blamed_for_the_parentheses_around_it():
    check = check_expression("((MIT LicenseRef-Acme")

    assert check.errors == (
        "The parentheses are not balanced. The '(' at position 2 is never closed.",
    )


def test_suggestions_for_nothing_are_empty():
    assert suggest_ids("") == []
    assert suggest_ids("   ") == []


@pytest.mark.parametrize("expression", ["", "   ", None])
def test_empty_expression_is_refused(expression):
    assert check_expression(expression).errors == ("Enter a license expression.",)


def test_ten_kilobytes_of_junk_is_refused_quickly():
    junk = "junk (( OR )) " * 730

    check = check_expression(junk)

    assert len(junk) > 10_000
    assert check.errors == ("A license expression has at most 500 characters.",)


def test_junk_under_the_limit_names_no_more_than_a_short_token():
    check = check_expression("x" * 499)

    assert not check.valid
    assert all(len(error) < 200 for error in check.errors)


@pytest.mark.parametrize(
    ("expression", "normalized"),
    [
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("apache-2.0 or mit", "Apache-2.0 OR MIT"),
        (
            "  MIT   AND  (apache-2.0 or bsd-3-clause) ",
            "MIT AND (Apache-2.0 OR BSD-3-Clause)",
        ),
        ("apache-2.0 with llvm-exception", "Apache-2.0 WITH LLVM-exception"),
        ("LicenseRef-Acme OR mit", "LicenseRef-Acme OR MIT"),
        ("busl-1.1", "BUSL-1.1"),
    ],
)
def test_expression_is_normalised(expression, normalized):
    check = check_expression(expression)

    assert check.valid, check.errors
    assert check.normalized == normalized


@pytest.mark.parametrize("model", ["project", "release"])
def test_expression_is_normalised_on_clean(make_project, model):
    instance = project(license_expression="apache-2.0 or mit")
    if model == "release":
        instance = Release(
            project=make_project("Relay"),
            version="1.0.0",
            released_on=datetime.date(2024, 1, 1),
            license_expression="apache-2.0 or mit",
        )

    instance.full_clean()

    assert instance.license_expression == "Apache-2.0 OR MIT"


@pytest.mark.parametrize(
    "expression", ["Apache-2.0 ORR MIT", "Apache-2.0 OR", "(MIT", "", "x" * 10_000]
)
def test_bad_project_expression_is_an_error_on_the_field(db, expression):
    errors = errors_of(project(license_expression=expression))

    assert list(errors) == ["license_expression"]


def test_bad_release_expression_is_an_error_on_the_field(make_project):
    release = Release(
        project=make_project("Relay"),
        version="1.0.0",
        released_on=datetime.date(2024, 1, 1),
        license_expression="FSL-1.1-Apache-2.0",
    )

    (message,) = errors_of(release)["license_expression"]
    assert "Did you mean 'FSL-1.1-ALv2'" in message


# Licenses linked from the expression


def test_project_is_linked_to_the_licenses_its_expression_names(
    make_license, make_project
):
    apache = make_license("Apache-2.0")
    make_license("MIT")
    busl = make_license("BUSL-1.1", state=State.DRAFT)

    relay = make_project("Relay", license_expression="busl-1.1 or apache-2.0")

    assert relay.license_expression == "BUSL-1.1 OR Apache-2.0"
    assert set(relay.licenses.all()) == {apache, busl}


def test_ids_the_portal_has_no_record_of_are_not_linked(make_license, make_project):
    mit = make_license("MIT")

    relay = make_project("Relay", license_expression="MIT AND GPL-3.0-only")

    assert list(relay.licenses.all()) == [mit]
    assert relay.license_expression == "MIT AND GPL-3.0-only"


def test_changing_the_expression_relinks(make_license, make_project):
    mit = make_license("MIT")
    apache = make_license("Apache-2.0")
    relay = make_project("Relay", license_expression="MIT")

    relay.license_expression = "Apache-2.0"
    project_save(project=relay)

    assert list(relay.licenses.all()) == [apache]
    assert list(mit.projects.all()) == []


def test_linking_ignores_the_letter_case_of_stored_ids(make_license, make_project):
    license_ = make_license("LicenseRef-Acme")
    relay = make_project("Relay", license_expression="LicenseRef-Acme")

    assert project_link_licenses(project=relay) == [license_]


def test_project_save_refuses_an_invalid_project_and_saves_nothing(make_license):
    make_license("MIT")

    with pytest.raises(ValidationError):
        project_save(project=project(license_expression="MIT ORR"))

    assert not Project.objects.exists()


# Statements


def statement(section, **fields):
    fields.setdefault("body", "Words.")
    return Statement(section=section, **fields)


def test_quote_needs_an_attribution(make_section):
    errors = errors_of(statement(make_section(), kind=Statement.Kind.QUOTE))

    assert errors == {"attribution_name": ["A quote needs the name of who said it."]}


def test_only_quotes_have_an_attribution(make_section):
    errors = errors_of(statement(make_section(), attribution_name="Someone"))

    assert errors == {"attribution_name": ["Only quotes have an attribution."]}


def test_faq_needs_its_question_as_title(make_section):
    errors = errors_of(statement(make_section(), kind=Statement.Kind.FAQ))

    assert errors == {"title": ["A question and answer needs the question as title."]}


def test_comparison_needs_both_titles(make_section):
    errors = errors_of(statement(make_section(), kind=Statement.Kind.COMPARISON))

    assert errors == {
        "title": ["A comparison needs the open side's title."],
        "contrast_title": ["A comparison needs the proprietary side's title."],
    }


def test_comparison_without_contrast_title_is_refused(make_section):
    errors = errors_of(
        statement(
            make_section(),
            kind=Statement.Kind.COMPARISON,
            title="Open",
            contrast_body="Closed.",
        )
    )

    assert errors == {
        "contrast_title": ["A comparison needs the proprietary side's title."]
    }


def test_only_comparisons_have_a_contrast_side(make_section):
    errors = errors_of(statement(make_section(), contrast_title="Closed"))

    assert errors == {"contrast_title": ["Only comparisons have a contrast side."]}


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": Statement.Kind.PARAGRAPH},
        {"kind": Statement.Kind.GOAL},
        {"kind": Statement.Kind.QUOTE, "attribution_name": "David Cramer"},
        {"kind": Statement.Kind.FAQ, "title": "Why?"},
        {
            "kind": Statement.Kind.COMPARISON,
            "title": "Open",
            "contrast_title": "Proprietary",
        },
    ],
)
def test_valid_statements_are_accepted(make_section, fields):
    statement(make_section(), **fields).full_clean()


# Releases


def test_duplicate_release_version_per_project_is_refused(make_project, make_release):
    snuba = make_project("Snuba")
    make_release(snuba, "1.0.0")

    errors = errors_of(
        Release(
            project=snuba,
            version="1.0.0",
            released_on=datetime.date(2024, 1, 1),
            license_expression="MIT",
        )
    )

    assert "This project already has this version." in str(errors)


def test_same_version_in_two_projects_is_fine(make_project, make_release):
    make_release(make_project("Snuba"), "1.0.0")

    make_release(make_project("Relay"), "1.0.0")


# The publishing rule, instance side and queryset side agree


@pytest.mark.parametrize(
    ("state", "offset", "visible"),
    [
        (State.PUBLISHED, None, True),
        (State.PUBLISHED, -1, True),
        (State.PUBLISHED, 1, False),
        (State.DRAFT, None, False),
        (State.DRAFT, -1, False),
    ],
)
def test_is_published_agrees_with_published(make_license, state, offset, visible):
    now = timezone.now()
    publish_at = None if offset is None else now + datetime.timedelta(days=offset)
    license_ = make_license("MIT", state=state, publish_at=publish_at)

    assert license_.is_published(now) is visible
    assert License.objects.published(now).filter(pk=license_.pk).exists() is visible


def test_release_of_a_draft_project_is_not_published(make_project, make_release):
    release = make_release(make_project("Snuba", state=State.DRAFT))

    assert not release.is_published()
    assert not Release.objects.published().exists()
