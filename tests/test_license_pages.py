"""Licenses that know what they mean, as a reader sees them: the license page
(rules, conversion terms, deprecated ids), the comparison and the expression check."""

import pytest
from django.utils import timezone

from licenses.models import Family, License
from portal.publishing.models import State
from tests.helpers import get_ok, main_of, make_busl_with_draft_change_license, parse

TOMORROW = timezone.timedelta(days=1)


@pytest.fixture
def licenses(make_license):
    apache = make_license(
        "Apache-2.0",
        name="Apache License 2.0",
        permissions=["commercial-use", "modifications", "patent-use"],
        conditions=["include-copyright", "document-changes"],
        limitations=["trademark-use", "liability", "warranty"],
    )
    mit = make_license(
        "MIT",
        name="MIT License",
        permissions=["commercial-use", "modifications"],
        conditions=["include-copyright"],
        limitations=["liability", "warranty"],
    )
    busl = make_license(
        "BUSL-1.1",
        name="Business Source License 1.1",
        family=Family.SOURCE_AVAILABLE,
        change_cap_months=48,
        permissions=["modifications"],
        conditions=["no-competing-use"],
    )
    fsl = make_license(
        "FSL-1.1-MIT",
        name="Functional Source License, MIT Future License",
        family=Family.SOURCE_AVAILABLE,
        change_license=mit,
        change_period_months=24,
    )
    return {"apache": apache, "mit": mit, "busl": busl, "fsl": fsl}


# ---------------------------------------------------------------- license page


def test_license_page_shows_its_rules_with_plain_labels(client, licenses):
    main = get_ok(client, "/licenses/Apache-2.0/").find("main")
    kinds = {
        div.find("h3").text: [li.text for li in div.find_all("li")]
        for div in main.find("div", "rules").elements()
    }
    assert kinds == {
        "Permissions": ["Commercial use", "Modification", "Patent use"],
        "Conditions": ["License and copyright notice", "State changes"],
        "Limitations": ["Trademark use", "Liability", "Warranty"],
    }


def test_license_without_rules_shows_no_rules_section(client, make_license):
    make_license("ISC")
    main = get_ok(client, "/licenses/ISC/").find("main")
    assert main.find_all("div", "rules") == []


def test_empty_rule_kind_says_none_listed(client, licenses):
    main = get_ok(client, "/licenses/BUSL-1.1/").find("main")
    limitations = main.find("div", "rules__kind--limitations")
    assert "None listed." in limitations.text


def test_license_page_states_the_conversion_terms_in_words(client, licenses):
    main = get_ok(client, "/licenses/BUSL-1.1/").find("main")
    terms = main.find("p", "conversion-terms__rule")
    assert terms.text == (
        "The licensor of each project chooses the change license and the change "
        "date, at the latest 48 months after each version's release (the "
        "license's cap)."
    )


def test_conversion_terms_without_a_cap(client, licenses):
    terms = get_ok(client, "/licenses/FSL-1.1-MIT/").find("p", "conversion-terms__rule")
    assert terms.text == (
        "Each version becomes MIT 24 months after its release; the license's text "
        "fixes both."
    )


def test_draft_change_license_is_named_but_not_linked(client, make_license):
    make_busl_with_draft_change_license(make_license)
    terms = get_ok(client, "/licenses/BUSL-1.1/").find("p", "conversion-terms__rule")
    assert terms.text.startswith("Each version becomes Apache-2.0 36 months")
    assert terms.hrefs() == []


def test_source_available_license_without_terms_says_so(client, make_license):
    make_license("Elastic-2.0", family=Family.SOURCE_AVAILABLE)
    main = get_ok(client, "/licenses/Elastic-2.0/").find("main")
    section = main.find("section", "conversion-terms")
    assert "No conversion terms are recorded" in section.text


def test_open_source_license_has_no_conversion_section(client, licenses):
    main = get_ok(client, "/licenses/MIT/").find("main")
    assert main.find_all("section", "conversion-terms") == []


def test_deprecated_license_is_flagged(client, licenses):
    License.objects.filter(spdx_id="MIT").update(deprecated=True)
    notice = get_ok(client, "/licenses/MIT/").find("div", "notice--warning")
    assert notice.text.startswith("Deprecated id:")
    assert "marks MIT as deprecated" in notice.text
    assert (
        get_ok(client, "/licenses/Apache-2.0/")
        .find("main")
        .find_all("div", "notice--warning")
        == []
    )


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("gpl-2.0+", "GPL-2.0-or-later"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("gpl-2.0-only", "GPL-2.0-only"),
    ],
)
def test_deprecated_id_redirects_to_the_canonical_page(
    client, make_license, asked, canonical
):
    make_license("GPL-2.0-or-later")
    make_license("GPL-2.0-only")
    response = client.get(f"/licenses/{asked}/")
    assert response.status_code == 301
    assert response["Location"] == f"/licenses/{canonical}/"


@pytest.mark.parametrize(
    "asked",
    [
        "GPL-2.0+",  # canonical id not in the portal
        "LGPL-2.1+",  # ditto
        "MIT%20OR%20Apache-2.0",  # an expression, not an id
        "FSL-1.1-Apache-2.0",  # not on the SPDX list
        "x" * 600,
        "%3Cscript%3E",
        "MIT%00",
    ],
)
def test_unknown_or_malformed_ids_are_not_found(client, licenses, asked):
    assert client.get(f"/licenses/{asked}/").status_code == 404


def test_license_of_the_organisations_own_has_its_page(client, make_license):
    make_license("LicenseRef-Acme.Source-1.0", name="Acme Source License")
    main = get_ok(client, "/licenses/LicenseRef-Acme.Source-1.0/").find("main")
    assert main.find("h1").text == "Acme Source License"
    response = client.get("/licenses/licenseref-acme.source-1.0/")
    assert response["Location"] == "/licenses/LicenseRef-Acme.Source-1.0/"


def test_deprecated_id_of_a_draft_license_is_not_found(client, make_license):
    make_license("GPL-2.0-or-later", state=State.DRAFT)
    make_license("GPL-3.0-or-later", publish_at=timezone.now() + TOMORROW)
    assert client.get("/licenses/GPL-2.0+/").status_code == 404
    assert client.get("/licenses/GPL-3.0+/").status_code == 404


def test_stylesheet_prints_license_pages_without_navigation(client):
    response = client.get("/static/portal/site.css")
    css = b"".join(response.streaming_content).decode()
    print_rules = css[css.index("@media print") :]
    navigation = print_rules[: print_rules.index("display: none")]
    for selector in [".site-nav", ".skip-link", ".breadcrumb", ".filters"]:
        assert selector in navigation
    assert "break-inside: avoid" in print_rules


def test_license_page_queries_do_not_grow_with_terms_and_projects(
    client, django_assert_num_queries, licenses, make_project
):
    counter = iter(range(10_000))

    def grow():
        for _ in range(15):
            make_project(f"Project {next(counter)}", license_expression="BUSL-1.1")

    # Site settings, the license with its
    # change license, its projects.
    for _ in range(2):
        with django_assert_num_queries(3):
            assert client.get("/licenses/BUSL-1.1/").status_code == 200
        grow()


# ---------------------------------------------------------------- compare


def comparison(response) -> dict[str, list[str]]:
    """Row label -> the cells of that row, from the comparison table."""
    table = main_of(response).find("table", "comparison-table")
    rows = {}
    for row in table.find_all("tr"):
        cells = row.elements()
        if cells and cells[0].attrs.get("scope") == "row":
            rows[cells[0].text] = [cell.text for cell in cells[1:]]
    return rows


def test_license_list_links_to_the_comparison_and_the_check(client, licenses):
    hrefs = get_ok(client, "/licenses/").find("main").hrefs()
    assert "/licenses/compare/" in hrefs
    assert "/licenses/check/" in hrefs


def test_compare_form_offers_every_published_license_as_a_checkbox(
    client, licenses, make_license
):
    make_license("ISC", state=State.DRAFT)
    form = get_ok(client, "/licenses/compare/").find("form", "compare-form")
    assert form.attrs["method"] == "get"
    boxes = form.find_all("input", type="checkbox")
    assert [box.attrs["value"] for box in boxes] == [
        "Apache-2.0",
        "BUSL-1.1",
        "FSL-1.1-MIT",
        "MIT",
    ]
    assert all(box.attrs["name"] == "license" for box in boxes)
    assert form.find("legend").text.startswith("Licenses to compare")
    labels = [label for label in form.find_all("label") if label.find_all("input")]
    assert len(labels) == 4


def test_compare_puts_the_chosen_licenses_side_by_side(client, licenses):
    response = client.get("/licenses/compare/?license=MIT&license=BUSL-1.1")
    assert response.status_code == 200
    table = main_of(response).find("table", "comparison-table")
    assert table.find("caption")
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers == [
        "Property",
        "MIT MIT License",
        "BUSL-1.1 Business Source License 1.1",
    ]
    rows = comparison(response)
    assert rows["Family"] == ["Permissive", "Source-available"]
    assert rows["OSI approved"] == ["Yes", "No"]
    assert rows["FSF libre"] == ["Yes", "No"]
    # Each kind of rule answers in its own words: a limitation is a
    # restriction, never a "Yes".
    assert rows["Commercial use"] == ["Permitted", "Not granted"]
    assert rows["Modification"] == ["Permitted", "Permitted"]
    assert rows["No competing commercial offering"] == ["Not required", "Required"]
    assert rows["Liability"] == ["Limited", "Not limited"]
    assert "Patent use" not in rows  # neither license lists it
    # BUSL-1.1's text fixes its cap only: each project's terms do the rest.
    assert rows["Change license"] == ["Not source-available", "Named by each project"]
    assert rows["Change period"] == ["Not source-available", "Chosen by each project"]
    assert rows["Cap"] == [
        "Not source-available",
        "at the latest 48 months after release",
    ]
    groups = [th.text for th in table.find_all("th", scope="colgroup")]
    assert [group.split(" ")[0] for group in groups] == [
        "Permissions",
        "Conditions",
        "Limitations",
        "Conversion",
    ]


def test_compare_checks_the_chosen_boxes_whatever_the_spelling(client, licenses):
    response = client.get("/licenses/compare/?license=mit&license=busl-1.1")
    checked = [
        box.attrs["value"]
        for box in main_of(response).find_all("input", type="checkbox")
        if "checked" in box.attrs
    ]
    assert checked == ["BUSL-1.1", "MIT"]
    assert list(comparison(response)["Family"]) == ["Permissive", "Source-available"]


def test_compare_lists_unknown_ids_and_compares_the_rest(
    client, licenses, make_license
):
    make_license("ISC", state=State.DRAFT)
    response = client.get(
        "/licenses/compare/?license=MIT&license=NOPE&license=ISC&license=%3Cb%3E"
    )
    assert response.status_code == 200
    notice = main_of(response).find("div", "notice--error")
    assert "Not licenses of this portal: “NOPE”, “ISC”, “<b>”." in notice.text
    assert comparison(response)["Family"] == ["Permissive"]


@pytest.mark.parametrize(
    "query",
    [
        "license=",
        "license=" + "x" * 5000,
        "license=MIT&license=MIT",
        "foo=bar",
        "license=%00",
        "&".join(f"license=id-{n}" for n in range(200)),
    ],
)
def test_compare_never_fails_on_odd_input(client, licenses, query):
    assert client.get(f"/licenses/compare/?{query}").status_code == 200


def test_compare_without_choice_invites_to_choose(client, licenses):
    main = get_ok(client, "/licenses/compare/").find("main")
    assert main.find_all("table") == []
    assert "tick two or more licenses" in main.find("div", "empty").text


def test_compare_links_a_draft_change_license_not(client, make_license):
    make_busl_with_draft_change_license(make_license)
    response = client.get("/licenses/compare/?license=BUSL-1.1")
    assert comparison(response)["Change license"] == ["Apache-2.0"]
    assert "/licenses/Apache-2.0/" not in main_of(response).hrefs()


def test_compare_queries_do_not_grow(
    client, django_assert_num_queries, licenses, make_license
):
    url = "/licenses/compare/?license=MIT&license=BUSL-1.1&license=Apache-2.0"
    # Site settings, the published
    # licenses with their change licenses.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    for spdx_id in ["ISC", "BSD-3-Clause", "GPL-3.0-only", "MPL-2.0", "Zlib"]:
        make_license(spdx_id)
    with django_assert_num_queries(2):
        assert client.get(url + "&license=ISC&license=MPL-2.0").status_code == 200


# ---------------------------------------------------------------- check


def check_page(client, expression):
    response = client.get("/licenses/check/", {"expression": expression})
    assert response.status_code == 200
    return main_of(response)


def test_check_form_is_labelled_and_keeps_the_expression(client, db):
    main = check_page(client, "MIT OR Apache-2.0")
    form = main.find("form")
    assert form.attrs["method"] == "get"
    field = form.find("input", name="expression")
    assert field.attrs["value"] == "MIT OR Apache-2.0"
    assert form.find("label").attrs["for"] == field.attrs["id"]


def table_rows(section) -> dict:
    """The rows of the section's table: the first cell's text -> the others'."""
    return {
        row.elements()[0].text: [cell.text for cell in row.elements()[1:]]
        for row in section.find("tbody").find_all("tr")
    }


def test_check_page_before_any_expression_shows_only_the_form(client, db):
    main = get_ok(client, "/licenses/check/").find("main")
    assert main.find("form")
    assert main.find_all("section", "check-result") == []


def test_valid_expression_is_normalised_and_its_licenses_named(client, licenses):
    main = check_page(client, "apache-2.0 or gpl-2.0+ with classpath-exception-2.0")
    result = main.find("section", "check-result")
    assert result.find("h2").text == "Valid expression"
    assert result.find("dd").text == (
        "Apache-2.0 OR GPL-2.0-or-later WITH Classpath-exception-2.0"
    )
    rows = table_rows(result)
    assert rows["Apache-2.0"] == ["Apache License 2.0", "Permissive", "Yes"]
    assert rows["GPL-2.0-or-later"] == [
        "GNU General Public License v2.0 or later",
        "Not in the portal",
        "Yes",  # from the SPDX list, as the API says
    ]
    assert rows["Classpath-exception-2.0"][0] == "A license exception"
    assert result.hrefs() == ["/licenses/Apache-2.0/"]


def test_check_names_a_source_available_license_of_the_portal(client, licenses):
    result = check_page(client, "BUSL-1.1 OR LicenseRef-Acme").find(
        "section", "check-result"
    )
    rows = table_rows(result)
    assert rows["BUSL-1.1"] == ["Business Source License 1.1", "Source-available", "No"]
    assert rows["LicenseRef-Acme"] == [
        "Not on the SPDX list",
        "Not in the portal",
        "Unknown",
    ]


def test_check_does_not_link_a_draft_license(client, make_license):
    make_license("MIT", state=State.DRAFT)
    result = check_page(client, "MIT").find("section", "check-result")
    assert result.hrefs() == []
    assert "Not in the portal" in result.text


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("Apache-2.0 ORR MIT", "Did you mean the operator 'OR'?"),
        ("Apache-2.0 OR", "'OR' at position 12 must have a license id on each side."),
        ("(MIT", "The parentheses are not balanced"),
        ("", "Enter a license expression."),
        ("   ", "Enter a license expression."),
        ("x" * 10_240, "at most 500 characters"),
        ("MIT <script>alert(1)</script>", ""),
        ("Apache-2.0 WITH MIT", "is a license, not an exception"),
        ("MIT Apache-2.0", "must be joined"),
        ("FSL-1.1-Apache-2.0", "Did you mean 'FSL-1.1-ALv2'"),
        ("\u00e9\u00e8 AND \U0001f600", ""),
    ],
)
def test_malformed_expression_shows_messages_not_a_500(
    client, licenses, expression, message
):
    main = check_page(client, expression)
    result = main.find("section", "check-result")
    assert result.find("h2").text == "Not a valid expression"
    errors = [li.text for li in result.find("ul", "check-errors").find_all("li")]
    assert errors
    assert any(message in error for error in errors)
    assert main.find_all("script") == []


def test_null_character_is_refused_by_the_form(client, db):
    main = check_page(client, "MIT\x00")
    assert "Null characters are not allowed." in main.find("ul", "errorlist").text


def test_suggestion_links_check_the_corrected_expression(client, licenses):
    result = check_page(client, "FSL-1.1-Apache-2.0 OR MIT").find(
        "section", "check-result"
    )
    suggestions = result.find("ul", "check-suggestions")
    links = {a.text: a.attrs["href"] for a in suggestions.find_all("a")}
    assert links["FSL-1.1-ALv2 OR MIT"] == (
        "/licenses/check/?expression=FSL-1.1-ALv2+OR+MIT"
    )
    follow = check_page(client, "FSL-1.1-ALv2 OR MIT").find("section", "check-result")
    assert follow.find("h2").text == "Valid expression"


def test_operator_typo_offers_no_license_instead(client, licenses):
    result = check_page(client, "Apache-2.0 ORR MIT").find("section", "check-result")
    assert result.find_all("ul", "check-suggestions") == []


def test_check_queries_do_not_grow(
    client, django_assert_num_queries, licenses, make_license
):
    # Site settings only, before
    # anything is checked or when nothing is valid; the site settings are then
    # kept until the content changes.
    with django_assert_num_queries(1):
        assert client.get("/licenses/check/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/licenses/check/?expression=MIT+ORR").status_code == 200
    # Plus one for the portal's records of the licenses named.
    url = "/licenses/check/?expression=MIT+AND+Apache-2.0+AND+ISC+AND+Zlib"
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    for spdx_id in ["ISC", "Zlib"]:
        make_license(spdx_id)
    with django_assert_num_queries(2):
        response = client.get(url)
    assert parse(response).find("section", "check-result").hrefs() == [
        "/licenses/MIT/",
        "/licenses/Apache-2.0/",
        "/licenses/ISC/",
        "/licenses/Zlib/",
    ]
