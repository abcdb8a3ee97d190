"""Shared fixtures: small factories for every public model, the demo content, and
what every test gets (an empty cache, a fast password hasher).

Each factory creates a *published* object unless told ``state="draft"``, so a test
says explicitly when it is about drafts. Helpers the tests call are in
``tests/helpers.py``.
"""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from licenses.models import License
from licenses.services import license_save
from portal.demo import load_demo
from portal.http import caching
from portal.models import Section, Statement
from portal.publishing.models import State
from projects.models import Category, Language, Project, Release
from projects.services import project_save
from tests.helpers import DemoRows, ensure_role_groups

_counter = itertools.count(1)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="Write the browser tests' screenshots to docs/screenshots (the "
        "README's pictures) instead of a temporary folder.",
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no page, content version or rate
    limit history left by another test (the cache outlives the test database)."""
    for each in (cache, caching.process_pages, caching.local_memo):
        each.clear()
    yield
    for each in (cache, caching.process_pages, caching.local_memo):
        each.clear()


@pytest.fixture(autouse=True)
def _content_changes_seen_at_once(monkeypatch, settings):
    """A test's own transaction never commits: record its content writes at once,
    as their commit would (``test_a_deletion_shows_once_committed`` turns this
    back on to prove the wait for the commit)."""
    monkeypatch.setattr(caching, "RECORD_AFTER_COMMIT", False)
    # Every request reads the shared cache, which each test empties.
    monkeypatch.setattr(caching.local_copy, "values", None)
    settings.CONTENT_VERSION_LOCAL_SECONDS = 0


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The Editor and Publisher groups, which a data migration creates. A
    transactional test (the browser tests, the migration test) empties every
    table when it ends, and the tests run in parallel in any order, so each test
    that uses the database finds them put back if they are gone."""
    if "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    ensure_role_groups()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """MD5 instead of PBKDF2 in every test: each user with a password would
    otherwise cost a tenth of a second of hashing. Tests check what a password
    lets a user do, never how it is stored."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        yield


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker):
    """What ``load_demo`` writes, loaded once per test session (per worker)."""
    with django_db_blocker.unblock():
        return DemoRows.capture(load_demo)


@pytest.fixture
def demo(db, demo_rows):
    """The demo content (``portal/demo``), as ``load_demo`` leaves it."""
    demo_rows.restore()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_license(db):
    def make(spdx_id="MIT", **fields):
        fields.setdefault("name", f"{spdx_id} license")
        fields.setdefault("state", State.PUBLISHED)
        return license_save(license_=License(spdx_id=spdx_id, **fields))

    return make


@pytest.fixture
def make_category(db):
    def make(name="SDK", **fields):
        fields.setdefault("slug", name.lower().replace(" ", "-"))
        return Category.objects.create(name=name, **fields)

    return make


@pytest.fixture
def make_language(db):
    def make(name="Python", **fields):
        fields.setdefault("slug", name.lower().replace(" ", "-"))
        return Language.objects.get_or_create(name=name, defaults=fields)[0]

    return make


@pytest.fixture
def make_project(db):
    def make(name=None, *, languages=(), terms=None, **fields):
        """``terms``: those of the project's grant (see ``project_save``)."""
        number = next(_counter)
        name = name or f"Project {number}"
        fields.setdefault("slug", f"{name.lower().replace(' ', '-')}")
        fields.setdefault("summary", f"Summary of {name}.")
        fields.setdefault("license_expression", "MIT")
        fields.setdefault("state", State.PUBLISHED)
        project = project_save(project=Project(name=name, **fields), terms=terms)
        if languages:
            project.languages.set(languages)
        return project

    return make


@pytest.fixture
def make_release(db):
    def make(project, version="1.0.0", **fields):
        fields.setdefault("released_on", datetime.date(2023, 11, 15))
        fields.setdefault("license_expression", project.license_expression)
        fields.setdefault("state", State.PUBLISHED)
        release = Release(project=project, version=version, **fields)
        release.full_clean()
        release.save()
        return release

    return make


@pytest.fixture
def make_section(db):
    def make(title="Goals", **fields):
        fields.setdefault("slug", title.lower().replace(" ", "-"))
        fields.setdefault("state", State.PUBLISHED)
        return Section.objects.create(title=title, **fields)

    return make


@pytest.fixture
def make_statement(db):
    def make(section, body="We believe in open source.", **fields):
        fields.setdefault("state", State.PUBLISHED)
        statement = Statement(section=section, body=body, **fields)
        statement.full_clean()
        statement.save()
        return statement

    return make


@pytest.fixture
def make_staff(db, django_user_model):
    """A staff user in the given role ("Editor", "Publisher": the groups the
    roles migration creates), or a superuser with ``role="superuser"``."""

    def make(username, role="Editor", **fields):
        user = django_user_model.objects.create_user(
            username, is_staff=True, is_superuser=role == "superuser", **fields
        )
        if role != "superuser":
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def login_as(make_staff):
    """A logged-in test client of its own for a new staff user in ``role``; two
    calls give two independent browsers."""

    def login(role="Editor", username=None):
        client = Client()
        client.user = make_staff(username or f"{role.lower()}-{next(_counter)}", role)
        client.force_login(client.user)
        return client

    return login
