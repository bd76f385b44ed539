"""A database outage answers 503 with Retry-After and a plain page (JSON for
the API), logs it, leaks nothing, and the next request after it works."""

import json
import logging
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection

TORONTO = "toronto.localhost:8000"
# What a real outage says, including details that must never reach a visitor.
FAULT = (
    'connection to server at "10.0.0.5", port 5432 failed: '
    "FATAL: the database system is shutting down"
)


@contextmanager
def database_down(error=OperationalError):
    """Every query on the default connection fails, as in an outage."""

    def refuse(execute, sql, params, many, context):
        raise error(FAULT)

    with connection.execute_wrapper(refuse):
        yield


def assert_nothing_leaked(response):
    body = response.content.decode()
    for secret in ("10.0.0.5", "5432", "FATAL", "OperationalError", "Traceback"):
        assert secret not in body


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_pages_answer_503_with_a_plain_page(client, clinic_sites, caplog, error):
    with (
        caplog.at_level(logging.ERROR, logger="clinics.middleware"),
        database_down(error),
    ):
        response = client.get("/", HTTP_HOST=TORONTO)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    assert "Back in a moment" in response.content.decode()
    assert "Content-Security-Policy" in response
    assert_nothing_leaked(response)
    (record,) = [r for r in caplog.records if r.name == "clinics.middleware"]
    assert "503" in record.getMessage()
    assert "GET /" in record.getMessage()


def test_api_answers_503_in_json(client, clinic_sites):
    with database_down():
        response = client.get(
            "/api/v2/pages/?type=treatments.TreatmentPage",
            HTTP_HOST="kelowna.localhost:8000",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == {"message"}
    assert_nothing_leaked(response)


def test_the_next_request_after_the_outage_works(client, clinic_sites):
    with database_down():
        assert client.get("/", HTTP_HOST=TORONTO).status_code == 503
    assert client.get("/", HTTP_HOST=TORONTO).status_code == 200


def test_other_errors_stay_500(client, clinic_sites, monkeypatch):
    # Only database unavailability is a 503; a bug is still a 500.
    from home.models import HomePage

    def broken(self, request, *args, **kwargs):
        raise ValueError(FAULT)

    monkeypatch.setattr(HomePage, "serve", broken)
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST=TORONTO)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert_nothing_leaked(response)


def test_connections_are_health_checked_after_a_restart(settings):
    # A persistent connection killed by a PostgreSQL restart is replaced
    # before use (see bench/db_restart.py for the restart under load).
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0
