"""Schemathesis over the whole committed API schema (openapi.yaml, which tests/test_openapi.py
keeps equal to the generated one): generated requests — valid and invalid — against the real
app and database, as an aanbieder's system with a real credential. No request may end in a 5xx
and no response may contradict the schema. Bounded examples per operation, to keep CI short."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application

SCHEMA = schemathesis.openapi.from_path(Path(__file__).resolve().parent.parent / "openapi.yaml")
SCHEMA.app = application

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_binnen_de_test():
    """The WSGI handler closes the database connection after each request (as in production);
    inside a test transaction that would close the test's own connection. Django's test client
    does the same as this."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(refdata, wsgi_binnen_de_test):
    from inkoop.apisleutels.services import maak
    from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant

    aanbieder = AanbiederFactory(naam="Schemathesis Zorg")
    ContractFactory(aanbieder=aanbieder)
    beheerder = UserFactory(username="beheer-schemathesis")
    grant(beheerder, "functioneel-beheerder", regio="amersfoort")
    return maak(aanbieder, "schemathesis", beheerder)[1]


@SCHEMA.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_every_generated_request_within_its_schema(case, token):
    # Every check but "schema-valid data is accepted": an opaque cursor or an id of another
    # aanbieder is schema-valid and rightly refused (400/404).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_found_by_schemathesis_an_offset_beyond_postgresql_range_is_not_a_500(token):
    """ISO 8601 allows a UTC offset such as +17:40; PostgreSQL does not (it was a 500)."""
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})
    antwoord = client.get("/api/v1/toewijzingen/", {"gewijzigdSinds": "0210-07-02T23:42:58+17:40"})
    assert antwoord.status_code == 200
    antwoord = client.get("/api/v1/toewijzingen/", {"gewijzigdSinds": "0001-01-01T00:00:00+05:00"})
    assert antwoord.status_code == 400 and antwoord["Content-Type"] == "application/problem+json"
