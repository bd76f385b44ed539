"""Admin login is rate limited (django-axes) and failures are logged without
the password."""

import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-staple"
WRONG = "Tr0ub4dor&3-wrong-guess"
LOGIN = "/admin/login/"


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser(
        "operator", "operator@example.com", PASSWORD
    )


def log_in(client, password, username="operator"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


def is_logged_in(client):
    return client.get("/admin/").status_code == 200


def test_locked_out_after_the_limit_even_with_the_right_password(client, operator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in(client, WRONG)
        assert response.status_code == 200  # the login form again, with an error
    # The failure that reaches the limit is already refused.
    assert log_in(client, WRONG).status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "too many login attempts" in response.content.decode()
    assert not is_logged_in(client)


def test_a_lockout_does_not_reach_other_users(client, operator):
    get_user_model().objects.create_superuser("colleague", "c@example.com", PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 429
    assert log_in(client, PASSWORD, username="colleague").status_code == 302


def test_login_below_the_limit_works_and_resets_the_count(client, operator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, WRONG)
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert is_logged_in(client)
    assert not AccessAttempt.objects.filter(username="operator").exists()
    client.logout()
    # A fresh count: the limit minus one more failures still allow a login.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, WRONG)
    assert log_in(client, PASSWORD).status_code == 302


def test_each_failure_is_logged_without_the_password(client, operator, caplog):
    with caplog.at_level(logging.INFO):
        log_in(client, WRONG)
        log_in(client, WRONG)
    failures = [
        record
        for record in caplog.records
        if record.levelno >= logging.WARNING and "login failure" in record.getMessage()
    ]
    assert len(failures) == 2
    assert 'username: "operator"' in failures[0].getMessage()
    assert 'ip_address: "127.0.0.1"' in failures[0].getMessage()
    for record in caplog.records:
        assert WRONG not in record.getMessage()
    # Nor in what axes keeps in the database.
    attempt = AccessAttempt.objects.get(username="operator")
    assert attempt.failures_since_start == 2
    assert WRONG not in attempt.post_data
    assert "password=****" in attempt.post_data


def test_force_login_is_unaffected(client, operator):
    client.force_login(operator)
    assert is_logged_in(client)
