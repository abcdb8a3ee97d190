"""Whatever an editor or a client types, the expression check answers calmly."""

import string

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from licenses import spdx
from licenses.expressions import check_expression, license_ref

TOKENS = st.sampled_from(
    ["MIT", "Apache-2.0", "BUSL-1.1", "AND", "OR", "WITH", "(", ")", "+", "mit",
     "Classpath-exception-2.0", "LicenseRef-x", "DocumentRef-a:LicenseRef-b", " "]
)  # fmt: skip


def assert_answers(text):
    check = check_expression(text)
    assert check.valid == (not check.errors)
    if check.valid:
        assert check.normalized and check.license_ids
        # A normalised expression is a fixed point.
        assert check_expression(check.normalized).normalized == check.normalized
    else:
        assert all(isinstance(message, str) and message for message in check.errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_random_text_never_raises(text):
    assert_answers(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=12).map(" ".join))
def test_random_token_soup_never_raises(text):
    assert_answers(text)


def test_parser_crash_on_nested_refs_is_an_error_message():
    # license-expression raises a bare AssertionError on this one.
    check = check_expression("( ( ( mit DocumentRef-a:LicenseRef-b ( (")
    assert not check.valid and check.errors


# Expressions built by the SPDX 2.3 grammar from the bundled list, then mutated.
LICENSE_IDS = sorted(e.spdx_id for e in spdx.all_licenses())
EXCEPTION_IDS = sorted(e.spdx_id for e in spdx.all_exceptions())
IDSTRING = st.text(alphabet=string.ascii_letters + string.digits + "-.", min_size=1)


def _case(draw, text):
    return draw(st.sampled_from([text, text.lower(), text.upper()]))


@st.composite
def simple_expressions(draw):
    kind = draw(st.sampled_from(["id", "id+", "ref", "docref"]))
    if kind == "ref":
        return f"LicenseRef-{draw(IDSTRING)}"
    if kind == "docref":
        return f"DocumentRef-{draw(IDSTRING)}:LicenseRef-{draw(IDSTRING)}"
    spdx_id = _case(draw, draw(st.sampled_from(LICENSE_IDS)))
    return spdx_id + ("+" if kind == "id+" and not spdx_id.endswith("+") else "")


@st.composite
def terms(draw):
    simple = draw(simple_expressions())
    if draw(st.booleans()):
        return simple
    return f"{simple} {_case(draw, 'WITH')} {draw(st.sampled_from(EXCEPTION_IDS))}"


def compound_expressions(max_leaves=6):
    return st.recursive(
        terms(),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR", "and", "or"]), inner).map(
                " ".join
            ),
            inner.map(lambda text: f"({text})"),
        ),
        max_leaves=max_leaves,
    )


MUTATIONS = st.sampled_from(
    ["", " ", "(", ")", "+", ":", "-", "_", "/", "AND", "WITH", "OR", "NONE",
     "\u2010", "\u041c", "\uff2d", "\u00a0", "\x00", "\U0001f600", "LicenseRef-"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compound_expressions())
def test_every_expression_of_the_grammar_is_valid(text):
    check = check_expression(text)
    assert check.valid, (text, check.errors)
    for spdx_id in check.license_ids:
        assert spdx.lookup_any(spdx_id) or license_ref(spdx_id) == spdx_id
    again = check_expression(check.normalized)
    assert again.valid and again.normalized == check.normalized
    assert again.license_ids == check.license_ids


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compound_expressions(), st.data())
def test_mutated_expressions_never_raise(text, data):
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:where] + data.draw(MUTATIONS) + text[where + cut :]
    assert_answers(text)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.one_of(st.text(max_size=60), compound_expressions(3)))
def test_check_page_and_endpoint_never_fail(client, api_client, db, text):
    assume("\x00" not in text)  # refused by the form and the serializer alike
    page = client.get("/licenses/check/", {"expression": text})
    assert page.status_code == 200
    answer = api_client.get("/api/v1/expressions/validate/", {"expression": text})
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] == (not body["errors"])
