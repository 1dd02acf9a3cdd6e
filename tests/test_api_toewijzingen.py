"""GET /api/v1/toewijzingen/: what a provider system reads (and nothing more), scoped to its own
aanbieder through the same layer as the web, polled with gewijzigdSinds and a cursor."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from inkoop.apisleutels import services as sleutels
from regio.models import AuditEntry, Rol
from regio.roles import BEHEERDER
from tests import scenarios
from tests.factories import AdresFactory, UserFactory, ZorgperiodeFactory, dossier_in, grant
from toegang.models import Toewijzing
from toegang.toewijzingen.services import Omvang

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN = "0342", "0308"
URL = "/api/v1/toewijzingen/"


def maak_sleutel(aanbieder):
    """A credential for ``aanbieder`` made by a beheerder of regio Amersfoort; the token."""
    groep = Rol.objects.get(code=BEHEERDER).group
    groep.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inkoop",
            codename__in=["view_apisleutel", "add_apisleutel", "change_apisleutel"],
        )
    )
    beheerder = UserFactory(username="beheerder-api")
    grant(beheerder, BEHEERDER, regio="amersfoort")
    return sleutels.maak(aanbieder, "Systeem", beheerder)


def api(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def zet_gewijzigd(toewijzing, moment):
    Toewijzing.objects.filter(pk=toewijzing.pk).update(gewijzigd_op=moment)


def bouw_opzet():
    """Soest: a P×Q begeleiding product; aanbieder A (Huize Eemland) and B (De Brug) both
    contracted; a client with a BRP and a verblijfadres; toewijzing A1 (with a zorgperiode and
    a deleted one) and A2 at A, B1 at B (another client); a client in Baarn at A."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-api", SOEST, BAARN), functie=None,
        product=dict(begeleiding=True), aanbieders=("Huize Eemland", "De Brug"),
        gemeenten=[SOEST, BAARN],
    )  # fmt: skip
    a, b = aanbod.aanbieders
    dossier = dossier_in(
        SOEST, persoon__voornamen="Jan Pieter", persoon__geboortedatum=D(1980, 5, 17),
        persoon__telefoon="0612345678", persoon__email="jan@example.nl",
    )  # fmt: skip
    persoon = dossier.client.persoon
    for soort, straat in (("01", "Brpstraat"), ("02", "Postbus"), ("03", "Verblijfweg")):
        AdresFactory(persoon=persoon, soort=soort, straat=straat)
    omvang = Omvang(volume=Decimal("4"), eenheid="04", frequentie="2")
    van_februari = dict(vanaf=D(2025, 2, 1), omvang=omvang)
    a1 = aanbod.traject(aanbieder=a, dossier=dossier, tot=D(2025, 6, 30), **van_februari)
    a2 = aanbod.toewijzing(a1.bp, a, D(2025, 7, 1), None, omvang)
    ZorgperiodeFactory(
        toewijzing=a1.toewijzing, begindatum=D(2025, 2, 3), einddatum=D(2025, 3, 1),
        reden_beeindiging="02",
    )  # fmt: skip
    ZorgperiodeFactory(
        toewijzing=a1.toewijzing, begindatum=D(2025, 3, 10), verwijderd_op=timezone.now()
    )
    b1 = aanbod.traject(aanbieder=b, **van_februari)
    baarn = aanbod.traject(aanbieder=a, gemeente=BAARN, **van_februari)
    return SimpleNamespace(
        consulent=aanbod.consulent, product=aanbod.product, a=a, b=b, dossier=dossier,
        persoon=persoon, a1=a1.toewijzing, a2=a2, ander_dossier=b1.dossier, b1=b1.toewijzing,
        baarn=baarn.toewijzing, token_a=maak_sleutel(a)[1],
        token_b=sleutels.maak(b, "Systeem B", UserFactory(username="beheerder-api"))[1],
        zet_gewijzigd=zet_gewijzigd,
    )  # fmt: skip


@pytest.fixture
def o(refdata):
    return bouw_opzet()


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_aanbieder_sees_only_its_own_toewijzingen(o):
    response = api(o.token_a).get(URL)
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted([o.a1.pk, o.a2.pk, o.baarn.pk])
    response = api(o.token_b).get(URL)
    assert ids(response) == [o.b1.pk]


def test_detail_of_another_aanbieders_toewijzing_is_404(o):
    assert api(o.token_a).get(f"{URL}{o.a1.pk}/").status_code == 200
    response = api(o.token_a).get(f"{URL}{o.b1.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert api(o.token_b).get(f"{URL}{o.a1.pk}/").status_code == 404


def test_body_has_what_the_provider_needs_and_no_more(o):
    body = api(o.token_a).get(f"{URL}{o.a1.pk}/").json()
    assert body["toewijzingNummer"] == o.a1.nummer
    assert body["gemeente"] == SOEST and body["status"] == "actief"
    assert body["product"] == {
        "productcategorie": "02", "productcode": "02R01", "omschrijving": "Begeleiding individueel"
    }  # fmt: skip
    assert (body["volume"], body["eenheid"], body["frequentie"]) == (4.0, "04", "2")
    assert (body["ingangsdatum"], body["einddatum"]) == ("2025-02-01", "2025-06-30")
    # The deleted zorgperiode is not there.
    assert body["zorgperioden"] == [
        {
            "begindatum": "2025-02-03",
            "einddatum": "2025-03-01",
            "redenBeeindiging": "02",
            "einddatumTijdelijkeStop": None,
        }
    ]
    client = body["client"]
    assert client["bsn"] == o.persoon.bsn
    assert client["naam"]["geslachtsnaam"] == o.persoon.geslachtsnaam
    assert client["naam"]["voorletters"] == "J.P."
    assert client["geboortedatum"] == "1980-05-17"
    assert client["zorgadres"]["straat"] == "Verblijfweg"  # where the care is delivered
    tekst = json.dumps(body)
    for niet in ("0612345678", "jan@example.nl", "Postbus", "Jan Pieter", "dossier"):
        assert niet not in tekst
    assert set(body) == {
        "id", "toewijzingNummer", "gemeente", "status", "redenWijziging", "ingangsdatum",
        "einddatum", "product", "volume", "eenheid", "frequentie", "zorgperioden", "client",
        "gewijzigdOp",
    }  # fmt: skip


def test_reads_are_audited_without_bsn(o):
    before = AuditEntry.objects.count()
    api(o.token_a).get(URL)
    entry = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.actie == "view" and entry.object_type == "toegang.toewijzing"
    assert sorted(entry.object_ids) == sorted(str(t.pk) for t in (o.a1, o.a2, o.baarn))
    assert o.persoon.bsn not in json.dumps([entry.pad, entry.toelichting, entry.object_ids])


def test_filters_gemeente_and_status(o):
    a = api(o.token_a)
    assert sorted(ids(a.get(URL, {"gemeente": BAARN}))) == [o.baarn.pk]
    Toewijzing.objects.filter(pk=o.a2.pk).update(status="beeindigd")
    assert ids(a.get(URL, {"status": "beeindigd"})) == [o.a2.pk]
    response = a.get(URL, {"status": "kapot"})
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "status"
    assert a.get(URL, {"gemeente": "34"}).status_code == 400


def test_gewijzigd_sinds_and_cursor_neither_miss_nor_repeat(o):
    a = api(o.token_a)
    t0 = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    # Two rows share one moment: the cursor tells them apart by id.
    o.zet_gewijzigd(o.a1, t0)
    o.zet_gewijzigd(o.a2, t0)
    o.zet_gewijzigd(o.baarn, t0 + datetime.timedelta(seconds=1))
    gezien = []
    response = a.get(URL, {"gewijzigdSinds": t0.isoformat(), "aantal": 1})
    while True:
        assert response.status_code == 200
        gezien += ids(response)
        volgende = response.json()["next"]
        if not volgende:
            break
        if len(gezien) == 1:
            # A row changes while the client pages: it moves behind the cursor, comes again.
            o.zet_gewijzigd(o.a1, t0 + datetime.timedelta(seconds=2))
        response = a.get(volgende)
    assert gezien == [o.a1.pk, o.a2.pk, o.baarn.pk, o.a1.pk]
    # Polling again from the newest moment seen gives only what changed since (inclusive).
    laatste = t0 + datetime.timedelta(seconds=2)
    assert ids(a.get(URL, {"gewijzigdSinds": laatste.isoformat()})) == [o.a1.pk]
    # An unencoded '+' of the offset arrives as a space and is understood.
    tekst = timezone.localtime(laatste).isoformat().replace("+", " ")
    assert ids(a.get(URL, {"gewijzigdSinds": tekst})) == [o.a1.pk]


def test_bad_query_parameters_answer_400(o):
    a = api(o.token_a)
    response = a.get(URL, {"gewijzigd_sinds": "2025-01-01T00:00:00Z"})
    assert response.status_code == 400
    body = response.json()
    assert body["invalidParams"] == [
        {"name": "gewijzigd_sinds", "code": "invalid", "reason": "Onbekende parameter."}
    ]
    assert a.get(URL, {"gewijzigdSinds": "gisteren"}).status_code == 400
    assert a.get(URL, {"cursor": "kapot"}).status_code == 400
    assert a.get(URL, {"aantal": "0"}).status_code == 400


def test_a_gemeente_user_uses_the_same_scoping(client, o):
    client.force_login(o.consulent)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4
    soester = UserFactory(username="alleen-soest")
    grant(soester, "consulent", gemeente=SOEST)
    client.force_login(soester)
    assert o.baarn.pk not in ids(client.get(URL))
    assert client.get(f"{URL}{o.baarn.pk}/").status_code == 404


def test_query_count_is_flat(o):
    a = api(o.token_a)
    a.get(URL)  # warm the credential's last use
    with CaptureQueriesContext(connection) as een:
        a.get(URL, {"gemeente": BAARN})
    with CaptureQueriesContext(connection) as drie:
        a.get(URL)
    assert len(drie) == len(een)
