"""Login protection (django-axes): after repeated failed admin logins for one user
name from one address, that pair is refused with a clear message and 429 for a
cool-off time; other users and other addresses are not affected.
"""

import datetime
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import F
from django.test import Client

from portal.admin.login_protection import client_ip_address

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"
WRONG = "not the password"


@pytest.fixture(autouse=True)
def no_attempts_left_over(db):
    """Each test starts and ends with no failed attempt on record."""
    reset()
    yield
    reset()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", password=PASSWORD, is_staff=True
    )


def log_in(client, username="alice", password=WRONG, address="192.0.2.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_until_locked(client, **kwargs):
    return [
        log_in(client, **kwargs).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]


def test_the_defaults_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_a_wrong_password_is_just_refused_at_first(client, alice):
    response = log_in(client)

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_after_the_limit_the_login_is_locked_with_a_message_and_429(client, alice):
    statuses = fail_until_locked(client)

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = log_in(client, password=PASSWORD)  # even the right password
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert "After 5 failed logins, logins as “alice” from your address are paused." in (
        html.replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    assert "Try again in 15 minutes." in html
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_and_address(client, alice, django_user_model):
    django_user_model.objects.create_user("bob", password=PASSWORD, is_staff=True)
    fail_until_locked(client)

    # Another user from the same address, the same user from elsewhere: fine.
    assert log_in(Client(), "bob", PASSWORD).status_code == 302
    assert log_in(Client(), password=PASSWORD, address="198.51.100.7").status_code == (
        302
    )
    assert log_in(Client(), password=PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cool_off(client, alice):
    fail_until_locked(client)
    assert log_in(client, password=PASSWORD).status_code == 429

    # The cool-off passes (axes reads its own clock: the attempts age instead).
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time")
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )

    assert log_in(client, password=PASSWORD).status_code == 302


def test_a_successful_login_clears_the_count(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client)
    assert log_in(Client(), password=PASSWORD).status_code == 302

    assert log_in(client).status_code == 200  # counting from zero again
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_an_administrator_can_lift_the_lock(client, alice):
    fail_until_locked(client)

    reset(username="alice")

    assert log_in(client, password=PASSWORD).status_code == 302


def test_client_login_in_tests_still_works(client, alice):
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_behind_proxies_the_address_is_the_one_the_outer_proxy_saw(settings):
    request = SimpleNamespace(
        META={
            "REMOTE_ADDR": "10.0.0.2",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7, 10.0.0.1",
        }
    )

    settings.AXES_NUM_PROXIES = 0
    assert client_ip_address(request) == "10.0.0.2"
    settings.AXES_NUM_PROXIES = 2
    # The client may have written the left-most address itself; not trusted.
    assert client_ip_address(request) == "198.51.100.7"


def test_the_limit_and_cool_off_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_COOLOFF_MINUTES": "60",
    }

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.split() == ["3", "1:00:00"]
