"""Fuzzed against its own schema: schemathesis (4.32) over every operation of the
OpenAPI schema the portal serves at ``/api/schema/``, in-process.

**Stateless**, ``test_every_operation``: one test per operation of the schema
(``schema.parametrize()``), each through schemathesis' three phases: the schema's
examples; its coverage cases (boundary values, each parameter missing or of the
wrong type, undeclared methods and media types, ``Authorization`` missing); and
Hypothesis fuzzing, valid and invalid data (``MAX_EXAMPLES`` cases per operation).
Reads are anonymous; writes carry the bearer token of a user who may add and
change projects and releases (``WriterToken``), except the cases that drop or
garble it on purpose, which must get a 401.

**Stateful**, ``test_linked_workflows``: scenarios of up to six steps chained by
the OpenAPI links schemathesis infers from the schema: a list to its items; a new
project (or one from the list) to its PUT, its PATCH and a new release; a release
to its PATCH. Cheap, so it runs: the links need no declaration and the scenarios
reuse this module's database and token.

**Checks**: ``call_and_validate()`` without ``checks`` runs every check
schemathesis registers (``test_every_check_runs`` keeps them all enabled): server
errors, status codes, content types, response headers and bodies against the
schema, invalid data rejected, valid data accepted, missing required headers,
undeclared methods (405 with ``Allow``), ``Allow`` itself, ignored auth, use after
free, resource availability, object-level authorization. Two are narrowed, not
dropped: ``positive_data_acceptance`` lets a schema-valid request be refused with
a 400 only when every parameter or field the error names is in ``BEYOND_SCHEMA``
(its valid values are rows of the database, or follow rules JSON Schema cannot
state exactly: a page beyond the last, an unknown slug or SPDX id, an SPDX
expression, a change date beyond the license's cap, a URL Django refuses), and
with a 412 only when the request sent a precondition (``If-Match``: any ETag but
the current one must be refused; ``If-Unmodified-Since``: a date before the
item's last change must be). Any other refusal of valid data still fails. Likewise
``negative_data_rejection`` takes a 412 to a precondition as the refusal of
invalid data it is: the precondition is evaluated before the content (RFC 9110,
13.2.1). Some checks
cannot find anything in this API, for good reasons, and pass without a word:
``use_after_free`` (the API deletes nothing); ``object_level_authorization``
(it compares identities, and there is one: readers are anonymous and a writer
reaches every project by design); ``ensure_resource_availability`` (it judges a
link only when the link supplies every parameter of its target, and each target
here also takes an optional conditional header: ``If-None-Match``, ``If-Match``).
That last one would otherwise object to "POST a project, then GET it", which the
contract answers with a 404: a new project is a draft, and a draft is invisible
to every reader (docs/api.md). ``max_response_time`` is not configured: timings
on a shared 2-core machine would be noise.

**Real keys, sometimes** (``flatmap_case``, ``with_demo_keys``): the schema can
only say "a string" for a slug, an SPDX id, a category or a license expression, so
random ones find nothing: a lookup is a 404, a write a 400. Half the valid cases
take keys of the demo content instead, so that real projects, releases and their
answers are checked too; coverage cases get a real address unless they are about
the path. Invalid cases are left as generated. One kind of generated case is
dropped (``filter_query``): an object as a query parameter's value, which no
query string can carry (the WSGI transport sends its Python ``repr()``, a valid
string, while the checks judge the object).

**The database**: the demo content (the rows ``load_demo`` writes, captured once
per session: ``demo_rows``) and the writer's token are written once for the
module, in a transaction rolled back after it. Each example,
and each stateful scenario, runs in a savepoint rolled back after it, so every
case meets the same demo content: Hypothesis replays and shrinks a failing
example, which only works when the same input meets the same state, and a fuzzed
write (a PATCH that unpublishes a demo project) cannot leave later cases fewer
rows. ``DjangoApp`` keeps Django from closing the connection (and so the test's
transaction) at the end of each request, as the test client does.

**The schema** is read from the view ``/api/schema/`` resolves to when the module
is imported: pytest needs the operations to collect one test each, and there is
no database at collection time (through the middleware, ``HttpCachingMiddleware``
would query it). ``test_the_fuzzed_schema_is_the_served_one`` checks that the
whole stack serves the same document. (``schemathesis.pytest.from_fixture``, which
loads it lazily, fails on pytest 9.2: it writes ``Function._nodeid``, which no
longer exists.) Requests then go through the whole Django stack, middleware
included, as WSGI. The rate limits are raised for the run: every request counts,
and a run sends thousands.

**Time**, the module's budget in the suite: ``MAX_EXAMPLES = 25`` fuzzed cases
per operation and 25 stateful scenarios cost about 35 s of one core on this
2-core machine (start-up included), which pytest-xdist shares between its
workers. Most of it is the coverage phase, whose size does not depend on
``MAX_EXAMPLES``: every operation still gets all three phases and the stateful
run. For a deeper run:
``FUZZ_EXAMPLES=500 uv run pytest tests/test_schemathesis.py`` (about 2.5 min).
"""

import copy
import hashlib
import json
import os
import random
import secrets

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import RequestFactory
from django.urls import resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, TestPhase
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from licenses.models import License
from portal.api.tokens import TOKEN_PREFIX, ApiToken
from portal.models import Section, Statement
from projects.models import Category, Language, Project, Release

# Fuzzed cases per operation, and stateful scenarios; for a deeper run:
# FUZZ_EXAMPLES=500 uv run pytest tests/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
STATEFUL_EXAMPLES = MAX_EXAMPLES

# Query parameters (reads) and body fields (writes) whose valid values depend on
# the database, or on rules JSON Schema cannot state exactly: for a value the
# schema admits, the API may answer a 400 naming them, as docs/api.md says.
BEYOND_SCHEMA = {
    "page": "a page beyond the last is a 400; the last page depends on the rows",
    "license": "an SPDX id of a published license",
    "category": "the slug of a category (a published project's, when filtering)",
    "language": "the slug of a language a published project uses",
    "languages": "slugs of existing languages",
    "section": "the slug of a published section",
    "project": "the slug of a published project",
    "version": "a published version of the project",
    "on": "a day on or after the version's release",
    "license_expression": "a valid SPDX expression of ids SPDX or the portal know",
    "change_date": "after the release date, within the license's change cap",
    # A grant's terms: what the licenses its expression names allow (a cap, a
    # fixed period, a change license required), and what its releases allow.
    "terms": "terms the project's releases allow",
    "terms.change_license": "an SPDX expression, required under BUSL-1.1",
    "terms.change_date": "none under a fixed period (FSL), not with months",
    "terms.change_after_months": "within the license's cap, not with a date",
    # Django's URL validation: http(s) or ftp(s), a host name with a top-level
    # domain... where "uri" admits any scheme ("projects:list").
    "repository_url": "a URL Django's URLValidator accepts",
    "homepage_url": "a URL Django's URLValidator accepts",
    "docs_url": "a URL Django's URLValidator accepts",
    # The text rules (portal.text.hygiene): no control characters, no Unicode
    # noncharacters or lone surrogates, no line breaks in one-line fields.
    **dict.fromkeys(
        (
            "name",
            "summary",
            "description",
            "licensor",
            "licensed_work",
            "additional_use_grant",
            # The same fields of a grant's terms, named with their object.
            "terms.licensor",
            "terms.licensed_work",
            "terms.additional_use_grant",
            "version",
        ),
        "text without control characters (README, 'What text is refused')",
    ),
}
SCHEMA_PATH = "/api/schema/"


def served_schema() -> dict:
    """The document ``/api/schema/`` serves, from the view the URL map routes it to."""
    request = RequestFactory().get(SCHEMA_PATH, {"format": "json"})
    match = resolve(request.path_info)
    response = match.func(request, *match.args, **match.kwargs)
    response.render()
    return json.loads(response.content)


class DjangoApp:
    """Django's WSGI application, as the test client runs it: a request does not
    close the database connection, which holds the test's transaction."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


DOCUMENT = served_schema()
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))
schema.app = DjangoApp()


# The writer's token. Known before the database exists, because schemathesis
# builds its coverage cases when it collects the tests; ``demo_writer`` stores it.
WRITER_SECRET = f"{TOKEN_PREFIX}_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


@schema.auth(refresh_interval=None).apply_to(method=["POST", "PUT", "PATCH"])
class WriterToken:
    """Writes carry the writer's token (unless a case drops it on purpose, to
    see it refused); reads are anonymous."""

    def get(self, case, context):
        return WRITER_SECRET

    def set(self, case, data, context):
        if case.headers is None:
            case.headers = {}
        case.headers["Authorization"] = f"Bearer {data}"


@pytest.fixture(scope="module")
def demo_writer(demo_rows, django_db_blocker):
    """The demo content and a writer's token, for the whole module, rolled back
    after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_rows.restore()
        user = get_user_model().objects.create_user("fuzzer")
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="projects",
                codename__in=[
                    "add_project",
                    "change_project",
                    "add_release",
                    "change_release",
                ],
            )
        )
        token = ApiToken.objects.create(
            name="schemathesis",
            user=user,
            prefix=WRITER_SECRET.split("_")[1],
            key_hash=hashlib.sha256(WRITER_SECRET.encode()).hexdigest(),
        )
        assert ApiToken.authenticate(WRITER_SECRET) == token
        DEMO.update(demo_keys())
        yield
        DEMO.clear()
        transaction.set_rollback(True)


@pytest.fixture
def fuzzed_portal(db, demo_writer, settings):
    """The database of ``demo_writer``, and rate limits no fuzzer reaches."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min", "user": "1000000/min"},
    }


# ------------------------------------------------------ real keys, sometimes

DEMO = {}  # the demo content's keys, filled by ``demo_writer``


def demo_keys() -> dict:
    def values(queryset, field):
        return sorted({str(value) for value in queryset.values_list(field, flat=True)})

    published = Project.objects.published()
    return {
        "projects": values(Project.objects.all(), "slug"),
        "published_projects": values(published, "slug"),
        "releases": sorted(Release.objects.values_list("project__slug", "version")),
        "licenses": values(License.objects.published(), "spdx_id"),
        "sections": values(Section.objects.published(), "slug"),
        "statements": values(Statement.objects.published(), "pk"),
        "categories": values(Category.objects.all(), "slug"),
        "used_categories": values(published.exclude(category=None), "category__slug"),
        "languages": values(Language.objects.all(), "slug"),
        "used_languages": values(published, "languages__slug"),
        "expressions": values(Project.objects.all(), "license_expression"),
    }


QUERY_KEYS = {
    "license": "licenses",
    "category": "used_categories",
    "language": "used_languages",
    "section": "sections",
    "project": "published_projects",
}


def with_demo_keys(case, rnd, *, path=True, query=True, body=True):
    """``case`` with keys of the demo content where the schema can only say "a
    string": path parameters, filter values, a body's category, languages and
    license expression."""
    if path:
        path = case.operation.path
        parameters = dict(case.path_parameters or {})
        if "{version}" in path:
            parameters["slug"], parameters["version"] = rnd.choice(DEMO["releases"])
        elif path.startswith("/api/v1/projects/{slug}/"):
            parameters["slug"] = rnd.choice(DEMO["projects"])
        elif path == "/api/v1/sections/{slug}/":
            parameters["slug"] = rnd.choice(DEMO["sections"])
        elif path == "/api/v1/licenses/{spdx_id}/":
            parameters["spdx_id"] = rnd.choice(DEMO["licenses"])
        elif path == "/api/v1/statements/{id}/":
            parameters["id"] = rnd.choice(DEMO["statements"])
        case.path_parameters = parameters
    if query and isinstance(case.query, dict):
        case.query = {
            name: rnd.choice(DEMO[QUERY_KEYS[name]])
            if name in QUERY_KEYS and value not in (None, "")
            else value
            for name, value in case.query.items()
        }
    if body and isinstance(case.body, dict):
        body = dict(case.body)
        if body.get("category") is not None:
            body["category"] = rnd.choice(DEMO["categories"])
        if "languages" in body:
            body["languages"] = rnd.sample(DEMO["languages"], rnd.randint(0, 2))
        if "license_expression" in body:
            body["license_expression"] = rnd.choice(DEMO["expressions"])
        case.body = body
    return case


@schema.hook
def flatmap_case(context, case):
    """Half of the schema-valid cases use keys that exist: without them a lookup
    is almost always a 404 and a write a 400, and the answers to real requests
    (a project's page of releases, a new project) would go unchecked. Cases
    meant to be invalid are left as generated."""
    if not DEMO or case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    phase = case.meta.phase.name
    return st.one_of(
        st.just(case),
        st.randoms(use_true_random=False).map(
            # In the stateful phase, links give the path.
            lambda rnd: with_demo_keys(case, rnd, path=phase != TestPhase.STATEFUL)
        ),
    )


@schema.hook
def filter_query(context, query):
    """No object as a query parameter's value: a query string cannot carry one,
    and the WSGI transport would send its Python ``repr()`` (a valid string)
    while the checks judge the object."""
    return not any(
        isinstance(value, dict) and value for value in (query or {}).values()
    )


# ------------------------------------------------------------------ checks


def sent_a_precondition(response) -> bool:
    headers = response.request.headers
    return "If-Match" in headers or "If-Unmodified-Since" in headers


def positive_data_acceptance_unless_beyond_schema(ctx, response, case):
    """``positive_data_acceptance``, except for a 400 that only names parameters
    or fields of ``BEYOND_SCHEMA``, and a 412 to a precondition."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 400:
            named = set(json.loads(response.content)["errors"])
            if named and named <= BEYOND_SCHEMA.keys():
                return None
        if response.status_code == 412 and sent_a_precondition(response):
            return None  # a version that is not current: the write must be refused
        raise


def negative_data_rejection_or_precondition_failed(ctx, response, case):
    """``negative_data_rejection``, except for a 412 to a precondition: a
    precondition is evaluated before the request's content (RFC 9110, 13.2.1),
    so invalid data sent with an ETag that is not current is refused with 412,
    a refusal all the same."""
    if response.status_code == 412 and sent_a_precondition(response):
        return None
    return negative_data_rejection(ctx, response, case)


CHECK_ARGUMENTS = {
    "excluded_checks": [positive_data_acceptance, negative_data_rejection],
    "additional_checks": [
        positive_data_acceptance_unless_beyond_schema,
        negative_data_rejection_or_precondition_failed,
    ],
}


def in_savepoint(call):
    """Run ``call`` in a savepoint rolled back after it."""
    with transaction.atomic():
        try:
            return call()
        finally:
            transaction.set_rollback(True)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    # ``fuzzed_portal`` (the raised rates) is meant to last the whole test;
    # the database state each example sees is reset by ``in_savepoint``.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_every_operation(case, fuzzed_portal):
    coverage = case.meta.phase.data if case.meta else None
    if (
        isinstance(coverage, CoveragePhaseData)
        and coverage.parameter_location != ParameterLocation.PATH
    ):
        # Coverage cases are built when the tests are collected, before there is
        # a database (and ``flatmap_case`` does not see them): their addresses
        # name nothing, and a write would be a 404 before its body is read. Give
        # them a real key, unless the case is about the path.
        rnd = random.Random(coverage.description)  # noqa: S311 - not a secret
        with_demo_keys(case, rnd, query=False, body=False)
    in_savepoint(lambda: case.call_and_validate(**CHECK_ARGUMENTS))


# ----------------------------------------------------------------- stateful


def test_linked_workflows(fuzzed_portal):
    workflow = schema.as_state_machine()

    class Workflow(workflow):
        def setup(self):
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
                **CHECK_ARGUMENTS,
            )

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            deadline=None,
            # Generating a step's data may be slow on a loaded machine; it is not
            # what the test is about.
            suppress_health_check=[HealthCheck.too_slow],
            stateful_step_count=6,
        )
    )


# -------------------------------------------------------------- the harness


def test_every_check_runs():
    """Every check schemathesis registers is enabled, so ``call_and_validate()``
    runs it; the two narrowed are replaced, not dropped."""
    load_all_checks()
    config = schema.config.checks_config_for()
    names = set(CHECKS.get_all_names())

    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
        "object_level_authorization",
    } <= names
    assert all(config.get_by_name(name=name).enabled for name in names)
    narrowed = CHECK_ARGUMENTS["additional_checks"]
    assert CHECK_ARGUMENTS["excluded_checks"] == [
        positive_data_acceptance,
        negative_data_rejection,
    ]
    assert narrowed == [
        positive_data_acceptance_unless_beyond_schema,
        negative_data_rejection_or_precondition_failed,
    ]


def test_the_fuzzed_schema_is_the_served_one(api_client, db):
    served = api_client.get(SCHEMA_PATH, {"format": "json"})

    assert served.status_code == 200
    assert served.json() == DOCUMENT
