"""``manage.py quickstart``: one command from a fresh clone to a running portal."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.demo import DemoSummary
from portal.management.commands import quickstart
from projects.models import Project


@pytest.fixture
def demo_from_rows(db, demo_rows, monkeypatch):
    """Quickstart's ``load_demo`` writes the rows the session captured from the
    real loader instead of loading them again: the tests about the account and
    the address need the demo there, not its cost (a second each).
    ``test_quickstart_loads_the_demo_content`` runs the real loader."""

    def write_rows() -> DemoSummary:
        if not Project.objects.exists():
            demo_rows.restore()
        return DemoSummary()

    monkeypatch.setattr("portal.management.commands.load_demo.load_demo", write_rows)


def run_quickstart(*args) -> str:
    out = StringIO()
    call_command("quickstart", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_quickstart_creates_editor_and_prints_password_and_admin_url(demo_from_rows):
    output = run_quickstart("--no-serve")

    editor = get_user_model().objects.get(username="editor")
    assert editor.is_superuser
    assert editor.check_password(printed_password(output))
    assert "http://127.0.0.1:8000/admin/" in output


def test_quickstart_loads_the_demo_content(db):
    run_quickstart("--no-serve")

    assert Project.objects.published().filter(slug="snuba").exists()


def test_second_quickstart_creates_no_other_account(demo_from_rows):
    run_quickstart("--no-serve")

    output = run_quickstart("--no-serve")

    assert get_user_model().objects.count() == 1
    assert "password:" not in output


def test_quickstart_creates_no_editor_when_a_superuser_exists(
    demo_from_rows, django_user_model
):
    django_user_model.objects.create_superuser("admin", password="x")

    output = run_quickstart("--no-serve")

    assert not django_user_model.objects.filter(username="editor").exists()
    assert "password:" not in output


def test_quickstart_password_is_random(demo_from_rows, django_user_model):
    first = printed_password(run_quickstart("--no-serve"))
    django_user_model.objects.all().delete()

    second = printed_password(run_quickstart("--no-serve"))

    assert first != second
    assert len(second) >= 16


def test_quickstart_refuses_to_run_in_production(db, settings, django_user_model):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        run_quickstart("--no-serve")

    assert not django_user_model.objects.exists()


def test_quickstart_admin_url_follows_the_given_address(demo_from_rows):
    output = run_quickstart("127.0.0.1:8765", "--no-serve")

    assert "http://127.0.0.1:8765/admin/" in output


def test_quickstart_rejects_a_malformed_address(db):
    with pytest.raises(CommandError, match="not a port"):
        run_quickstart("localhost:http", "--no-serve")


def test_quickstart_serves_on_the_given_address_without_reloader(
    demo_from_rows, monkeypatch
):
    calls = []
    real_call_command = quickstart.call_command

    def recording_call_command(name, *args, **options):
        if name == "runserver":
            calls.append((args, options))
            return None
        return real_call_command(name, *args, **options)

    monkeypatch.setattr(quickstart, "call_command", recording_call_command)

    run_quickstart("127.0.0.1:8765")

    assert calls == [(("127.0.0.1:8765",), {"use_reloader": False})]
