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
    real loader instead of loading them again: the tests about the accounts and
    the address need the demo there, not its cost (a second each).
    ``test_quickstart_loads_the_demo_content`` runs the real loader."""

    def write_rows() -> DemoSummary:
        if not Project.objects.exists():
            demo_rows.restore()
        return DemoSummary()

    monkeypatch.setattr("portal.management.commands.quickstart.load_demo", write_rows)


@pytest.fixture(autouse=True)
def _no_worker_process(monkeypatch):
    """The worker quickstart starts beside the server is a stand-in here: no
    test leaves a real ``db_worker`` running."""

    class Worker:
        def __init__(self, command):
            pass

        def terminate(self):
            pass

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(quickstart.subprocess, "Popen", Worker)


def run_quickstart(*args) -> str:
    out = StringIO()
    call_command("quickstart", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str, username: str) -> str:
    match = re.search(rf"^  {username} +password: (\S+)", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def test_quickstart_creates_an_editor_and_a_publisher_with_printed_passwords(
    demo_from_rows,
):
    output = run_quickstart("--no-serve")

    users = get_user_model().objects
    editor = users.get(username="editor")
    publisher = users.get(username="publisher")
    assert editor.check_password(printed_password(output, "editor"))
    assert publisher.check_password(printed_password(output, "publisher"))
    assert "http://127.0.0.1:8000/admin/" in output


def test_quickstart_accounts_have_their_roles_and_are_not_superusers(demo_from_rows):
    run_quickstart("--no-serve")

    users = get_user_model().objects
    editor = users.get(username="editor")
    publisher = users.get(username="publisher")
    assert [g.name for g in editor.groups.all()] == ["Editor"]
    assert [g.name for g in publisher.groups.all()] == ["Publisher"]
    assert editor.is_staff and publisher.is_staff
    assert not editor.is_superuser and not publisher.is_superuser
    assert not editor.has_perm("projects.publish_project")
    assert publisher.has_perm("projects.publish_project")


def test_quickstart_says_how_to_reset_a_lost_password(demo_from_rows):
    output = run_quickstart("--no-serve")

    assert "manage.py changepassword editor" in output


def test_quickstart_output_is_a_few_lines(db):
    output = run_quickstart("--no-serve")

    assert len(output.splitlines()) <= 8, output
    assert "Applying" not in output
    # The test database is migrated already: one line all the same.
    assert re.search(r"^Database: up to date\.$", output, re.MULTILINE)
    assert re.search(r"^Demo content: \d+ rows created", output, re.MULTILINE)


def test_quickstart_loads_the_demo_content(db):
    run_quickstart("--no-serve")

    assert Project.objects.published().filter(slug="snuba").exists()


def test_second_quickstart_creates_no_other_account(demo_from_rows):
    run_quickstart("--no-serve")

    output = run_quickstart("--no-serve")

    assert get_user_model().objects.count() == 2
    assert "password:" not in output
    assert "Demo content: up to date." in output


def test_quickstart_keeps_an_existing_account(demo_from_rows, django_user_model):
    django_user_model.objects.create_superuser("editor", password="kept")

    output = run_quickstart("--no-serve")

    assert django_user_model.objects.get(username="editor").check_password("kept")
    assert not re.search(r"^  editor +password", output, re.MULTILINE)
    assert printed_password(output, "publisher")


def test_quickstart_passwords_are_random(demo_from_rows, django_user_model):
    output = run_quickstart("--no-serve")
    first = printed_password(output, "editor")
    django_user_model.objects.all().delete()

    second = printed_password(run_quickstart("--no-serve"), "editor")

    assert first != second
    assert first != printed_password(output, "publisher")
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


def test_quickstart_runs_a_worker_beside_the_server_and_stops_it_with_it(
    demo_from_rows, monkeypatch
):
    events = []

    class Worker:
        def __init__(self, command):
            events.append(("start", command[1:]))

        def terminate(self):
            events.append(("stop", None))

        def wait(self, timeout=None):
            return 0

    real_call_command = quickstart.call_command

    def recording_call_command(name, *args, **options):
        if name == "runserver":
            events.append(("serve", None))
            return None
        return real_call_command(name, *args, **options)

    monkeypatch.setattr(quickstart.subprocess, "Popen", Worker)
    monkeypatch.setattr(quickstart, "call_command", recording_call_command)

    output = run_quickstart("127.0.0.1:8765")

    assert [name for name, _args in events] == ["start", "serve", "stop"]
    assert events[0][1][-1] == "db_worker"
    assert events[0][1][0].endswith("manage.py")
    assert "db_worker" in output and "stops with it" in output
