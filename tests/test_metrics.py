"""Prometheus metrics at /metrics (regio/metrics.py): what operators need, to whom may see it,
and never a BSN, a name or a path in a label."""

import re

import pytest
from celery import shared_task
from django.test import override_settings

from tests.factories import UserFactory, dossier_in, grant

pytestmark = pytest.mark.django_db


@shared_task(name="test.metrics_taak")
def een_taak():
    return 1


def waarde(tekst: str, naam: str, **labels) -> float:
    for regel in tekst.splitlines():
        if regel.startswith(naam + "{") and all(f'{k}="{v}"' in regel for k, v in labels.items()):
            return float(regel.rsplit(" ", 1)[1])
    return 0.0


def scrape(client, **extra):
    return client.get("/metrics", **extra)


def test_requests_by_view_and_status_with_time_and_queries_and_nothing_personal(client, refdata):
    user = UserFactory(username="metriek", first_name="Mette", last_name="Riek")
    grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342", persoon__geslachtsnaam="Geheimhouder")
    bsn = dossier.client.persoon.bsn
    client.force_login(user)
    voor = scrape(client).content.decode()
    view = "toegang:dossier-detail"
    assert client.get(f"/toegang/dossiers/{dossier.pk}/").status_code == 200
    client.get(f"/toegang/dossiers/?zoek={bsn}")
    client.get("/bestaat/niet/")
    na = scrape(client).content.decode()

    telling = dict(view=view, method="GET", status="200")
    assert waarde(na, "regiozorg_http_requests_total", **telling) == (
        waarde(voor, "regiozorg_http_requests_total", **telling) + 1
    )
    assert waarde(na, "regiozorg_http_requests_total", view="onbekend", status="404") >= 1
    assert waarde(na, "regiozorg_http_request_duration_seconds_count", view=view) >= 1
    assert waarde(na, "regiozorg_db_queries_total", view=view) > waarde(
        voor, "regiozorg_db_queries_total", view=view
    )
    assert waarde(na, "regiozorg_db_query_seconds_total", view=view) > waarde(
        voor, "regiozorg_db_query_seconds_total", view=view
    )
    assert "regiozorg_celery_queue_length" in na
    # A label holds a view's name, never a path, an id, a BSN or a name.
    assert bsn not in na and "Geheimhouder" not in na and "metriek" not in na
    assert f"/toegang/dossiers/{dossier.pk}" not in na
    labels = set(re.findall(r'view="([^"]*)"', na))
    # A view's name ("toegang:dossier-detail") or its function's dotted path: no path, no id.
    assert labels and all("/" not in v and not re.search(r"\d{4,}", v) for v in labels), labels


def test_celery_tasks_by_name_and_state(client, celery_worker_thread):
    een_taak.delay().get(timeout=30)
    tekst = scrape(client).content.decode()
    for state in ("started", "succeeded"):
        assert (
            waarde(tekst, "regiozorg_celery_tasks_total", task="test.metrics_taak", state=state)
            >= 1
        )


@override_settings(REGIOZORG_METRICS_TOKEN="geheim-token-voor-prometheus")
def test_only_from_inside_or_with_the_token(client):
    assert scrape(client).status_code == 200  # the test client is 127.0.0.1: this machine
    assert scrape(client, REMOTE_ADDR="203.0.113.5").status_code == 404
    # Through a proxy (an ingress) it is outside, whatever the proxy's own address.
    assert scrape(client, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    assert (
        scrape(client, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer fout").status_code
        == 404
    )
    met_token = scrape(
        client, REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer geheim-token-voor-prometheus"
    )
    assert met_token.status_code == 200 and met_token["Content-Type"].startswith("text/plain")


def test_server_timing_only_when_switched_on(client, refdata):
    """The benchmark reads each page's SQL time from the response (its floor); production does
    not tell anyone how long its database took."""
    from config.benchdata.load import server_sql

    user = UserFactory(username="timing")
    grant(user, "consulent", gemeente="0342")
    client.force_login(user)
    assert "Server-Timing" not in client.get("/toegang/werkvoorraad/")
    with override_settings(REGIOZORG_SERVER_TIMING=True):
        response = client.get("/toegang/werkvoorraad/")
    assert response.status_code == 200
    sql = server_sql(response["Server-Timing"])
    assert sql is not None
    seconden, queries = sql
    assert queries >= 3 and 0 < seconden < 60
    app = float(re.search(r"app;dur=([\d.]+)", response["Server-Timing"])[1]) / 1000
    assert app >= seconden
