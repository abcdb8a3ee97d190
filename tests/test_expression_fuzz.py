"""Whatever an editor or a client types, the expression check answers calmly."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licenses.expressions import check_expression

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
