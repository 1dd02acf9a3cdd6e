"""Errors people can act on, in Dutch (issue 19): every error body of /api/ is scanned for DRF's
English defaults (parse errors, "No Toewijzing matches the given query", "Date has wrong
format", "This field is required."); a wrong date says what is wrong with it; a body over the
limit answers 413 problem+json; the 415 title has no placeholder; each kind of error has one
problem ``type`` whatever the method or where it was raised."""

import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from rest_framework.test import APIClient

from inkoop.apisleutels import services as sleutels
from regio.models import Rol
from regio.roles import BEHEERDER
from tests import scenarios
from tests.factories import UserFactory, grant
from toegang.toewijzingen.services import Omvang

pytestmark = pytest.mark.django_db

SOEST = "0342"
START = "/api/v1/start-zorg/"
TOEWIJZINGEN = "/api/v1/toewijzingen/"
PROBLEEM = "https://regiozorg.nl/problemen/"

# Words of DRF's and Django's English messages; none belongs in a Dutch error text.
ENGELS = re.compile(
    r"\b(the|this|field|required|valid|invalid|not found|no \w+ matches|query|parse|expected|"
    r"ensure|format|formats|must|unsupported|allowed|credentials|permission|request|error|"
    r"throttled|media type|instead|object)\b",
    re.I,
)


def teksten(body: dict) -> list[str]:
    """Every text a person reads in a problem body: title, detail and each reason."""
    uit = [body.get("title", ""), body.get("detail", "")]
    uit += [param["reason"] for param in body.get("invalidParams", [])]
    return [tekst for tekst in uit if tekst]


def nederlands(response, status_code: int) -> dict:
    """The problem+json body of ``response``, its texts free of English and placeholders."""
    assert response.status_code == status_code, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status_code and body["type"] == PROBLEEM + body["code"]
    for tekst in teksten(body):
        assert not ENGELS.search(tekst), tekst
        assert "{" not in tekst, tekst
    return body


def redenen(body: dict) -> dict[str, str]:
    return {param["name"]: param["reason"] for param in body["invalidParams"]}


@pytest.fixture
def o(refdata):
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-fouten", SOEST), functie=None,
        product=dict(begeleiding=True), aanbieders=("Huize Eemland",), gemeenten=[SOEST],
    )  # fmt: skip
    traject = aanbod.traject(aanbieder=aanbod.aanbieder, omvang=Omvang(Decimal("4"), "04", "2"))
    Rol.objects.get(code=BEHEERDER).group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inkoop",
            codename__in=["view_apisleutel", "add_apisleutel", "change_apisleutel"],
        )
    )
    beheerder = UserFactory(username="beheerder-fouten")
    grant(beheerder, BEHEERDER, regio="amersfoort")
    _, token = sleutels.maak(aanbod.aanbieder, "Systeem", beheerder)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client, traject.toewijzing


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(START, data=data, content_type=content_type)


def test_404_is_one_kind_whatever_raised_it(o):
    client, _ = o
    onbekend = nederlands(client.get(f"{TOEWIJZINGEN}999999/"), 404)
    geen_route = nederlands(client.get("/api/v1/bestaat-niet/"), 404)
    assert onbekend["type"] == geen_route["type"] == PROBLEEM + "not_found"
    assert onbekend["title"] == "Niet gevonden."
    assert "Toewijzing" not in onbekend["detail"]  # not Django's "No Toewijzing matches ..."


def test_a_body_that_is_no_json_says_where(o):
    client, _ = o
    body = nederlands(post(client, '{"toewijzingNummer": 1,'), 400)
    assert body["code"] == "parse_error"
    assert body["title"] == "De body is geen geldige JSON."
    assert "regel 1, kolom" in body["detail"]


def test_field_errors_are_dutch(o):
    client, t = o
    leeg = redenen(nederlands(post(client, {}), 400))
    assert leeg["toewijzingNummer"] == "Dit veld is verplicht."
    assert leeg["begindatum"] == "Dit veld is verplicht."
    fout = redenen(
        nederlands(
            post(
                client,
                {
                    "toewijzingNummer": "abc",
                    "gemeente": SOEST,
                    "begindatum": "2025-03-01",
                    "statusAanlevering": "9",
                },
            ),
            400,
        )  # fmt: skip
    )
    assert fout["toewijzingNummer"] == "Geef een geheel getal."
    assert fout["statusAanlevering"].startswith("StatusAanlevering 9 is niet toegestaan")
    null = redenen(nederlands(post(client, {"toewijzingNummer": None}), 400))
    assert null["toewijzingNummer"].startswith("Dit veld mag niet null zijn")


@pytest.mark.parametrize(
    "waarde, reden",
    [
        ("2025-02-30", "30 februari 2025 bestaat niet; geef een bestaande datum."),
        ("2025-02-29", "29 februari 2025 bestaat niet; geef een bestaande datum."),
        ("2025-13-01", "Maand 13 bestaat niet; geef een datum als JJJJ-MM-DD."),
        ("01-03-2025", "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01."),
        ("gisteren", "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01."),
    ],
)
def test_a_wrong_date_says_what_is_wrong_with_it(o, waarde, reden):
    client, t = o
    body = {"toewijzingNummer": t.nummer, "gemeente": SOEST, "begindatum": waarde,
            "statusAanlevering": "1"}  # fmt: skip
    assert redenen(nederlands(post(client, body), 400))["begindatum"] == reden


def test_unsupported_media_type_has_no_placeholder(o):
    client, _ = o
    body = nederlands(post(client, "toewijzingNummer=1", content_type="text/plain"), 415)
    assert body["title"] == "Dit mediatype wordt niet ondersteund."
    assert (
        body["detail"]
        == 'Het mediatype "text/plain" wordt niet ondersteund; stuur application/json.'
    )


@override_settings(API_MAX_BODY_BYTES=1000)
def test_a_body_over_the_limit_answers_413_problem_json(o):
    client, t = o
    groot = {"toewijzingNummer": t.nummer, "gemeente": SOEST, "opvulling": "x" * 2000}
    body = nederlands(post(client, groot), 413)
    assert body["code"] == "request_too_large"
    assert "1000 bytes" in body["detail"]


def test_method_authentication_and_permission_are_dutch(o):
    client, _ = o
    body = nederlands(client.delete(TOEWIJZINGEN), 405)
    assert body["detail"] == "De methode DELETE is op deze URL niet toegestaan."
    anoniem = nederlands(APIClient().get(TOEWIJZINGEN), 401)
    assert anoniem["detail"].startswith("Stuur een API-sleutel mee")
    onbekend = APIClient()
    onbekend.credentials(HTTP_AUTHORIZATION="Bearer rz_nietsxx_onzin")
    nederlands(onbekend.get(TOEWIJZINGEN), 401)


def test_query_parameter_errors_are_dutch(o):
    client, _ = o
    nederlands(client.get(TOEWIJZINGEN, {"gewijzigdSinds": "gisteren"}), 400)
    nederlands(client.get(TOEWIJZINGEN, {"onbekend": "1"}), 400)
    nederlands(client.get(TOEWIJZINGEN, {"cursor": "onzin"}), 400)
