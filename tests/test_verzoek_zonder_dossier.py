"""An API that gives nothing away (issue 19): no answer to an aanbieder's system depends on
whether a person has a dossier. A verzoek om toewijzing for a valid BSN without a dossier at the
gemeente is accepted like any other, stored unlinked (no dossier, no client), notified to the
consulenten, and answered by a consulent with a WMO319 or linked to a dossier after a melding.
Such verzoeken are rate limited per key, and the consulent sees per aanbieder how many it sent."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from regio.models import AuditEntry, Notificatie
from tests.factories import MeldingFactory, dossier_in, valid_bsn
from tests.test_iwmo_xml import (
    BEGIN,
    SOEST,
    _maandeinde,
    bericht,
    bouw_opzet,
    client_305,
    geldig,
    prestatie,
    start,
    stop,
    wmo305,
    wmo307,
    wmo323,
)
from toegang.models import Client, Dossier, Persoon, UitgaandBericht, Verzoek
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer
from toegang.toewijzingen.verzoeken import afwijzen, honoreren, indienen, koppel

pytestmark = pytest.mark.django_db

VOT = "/api/v1/verzoeken-om-toewijzing/"
UREN = {"productcategorie": "02", "productcode": "02A01", "volume": 3, "eenheid": "04",
        "frequentie": "2", "ingangsdatum": BEGIN.isoformat()}  # fmt: skip
ONBEKEND = valid_bsn(7001)


@pytest.fixture(autouse=True)
def _schone_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def opzet(refdata):
    o = bouw_opzet()
    o.eigen = o.toewijzing()  # Huize Eemland's own toewijzing, for opzet.bsn's client
    return o


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def vot(o, bsn, referentie="VOT-1", **kwargs):
    return indienen(
        o.aanbieder, soort="toewijzing", referentie=referentie, producten=[dict(UREN)],
        user=o.systeem, bsn=bsn, gemeente=SOEST, **kwargs,
    )  # fmt: skip


# --- the same answer for a known and an unknown person ------------------------------------------


def _aangevraagd(referentie):
    return ("AangevraagdProduct", [
        ("ReferentieAanbieder", referentie),
        ("Product", [("Categorie", "02"), ("Code", "02A01")]),
        ("ToewijzingIngangsdatum", BEGIN.isoformat()),
        ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
        ("Verwijzer", [("Type", "01")]),
    ])  # fmt: skip


def _xml(o, inhoud):
    try:
        return "verwerkt", importeer(inhoud, user=o.systeem)
    except OngeldigBericht as exc:
        return "geweigerd", [f.als_dict() for f in exc.fouten]


def _api(response):
    return response.status_code, response.json()


ENDPOINTS = {
    "api verzoek om toewijzing": lambda o, bsn, ref: _api(api(o.systeem).post(
        VOT, {"referentieAanbieder": ref, "bsn": bsn, "gemeente": SOEST, "producten": [UREN],
              "naam": {"geslachtsnaam": "Jansen"}}, format="json")),
    "api verzoek om toewijzing, product zonder contract": lambda o, bsn, ref: _api(
        api(o.systeem).post(VOT, {"referentieAanbieder": ref, "bsn": bsn, "gemeente": SOEST,
                                  "producten": [dict(UREN, productcode="02Z99")]},
                            format="json")),
    "api verzoek om toewijzing, ongeldig BSN-formaat": lambda o, bsn, ref: _api(
        api(o.systeem).post(VOT, {"referentieAanbieder": ref, "bsn": bsn, "gemeente": "99",
                                  "producten": [UREN]}, format="json")),
    "xml WMO315": lambda o, bsn, ref: _xml(o, bericht(
        "315", client_305(bsn, [_aangevraagd(ref)], "AangevraagdeProducten"), ident=ref)),
    "xml WMO305": lambda o, bsn, ref: _xml(o, wmo305(bsn, start(o.eigen.nummer, BEGIN))),
    "xml WMO307": lambda o, bsn, ref: _xml(
        o, wmo307(bsn, stop(o.eigen.nummer, BEGIN, BEGIN + datetime.timedelta(days=3)))),
    "xml WMO317": lambda o, bsn, ref: _xml(o, bericht("317", [("Client", [
        ("Bsn", bsn), ("Verzoek", [
            ("ReferentieAanbieder", ref), ("RedenVerzoek", "1"),
            ("TeWijzigenProducten", [("TeWijzigenProduct", [
                ("ToewijzingNummer", o.eigen.nummer),
                ("GewensteIngangsdatum", BEGIN.isoformat()),
            ])]),
        ])])], ident=ref)),
    "xml WMO323": lambda o, bsn, ref: _xml(o, wmo323(
        bsn, [prestatie(ref, o.eigen.nummer, BEGIN, _maandeinde(BEGIN))], nummer=ref)),
}  # fmt: skip


def _gemaskeerd(waarde, bsn, referentie):
    """The answer with what differs by construction masked: the BSN and the referentie sent,
    the new verzoek's id, the stored message's id and the moments of receipt."""
    if isinstance(waarde, dict):
        return {
            k: "…"
            if k in ("id", "ontvangenOp", "bericht", "identificatieRetour", "dagtekeningRetour")
            else _gemaskeerd(v, bsn, referentie)
            for k, v in waarde.items()
        }
    if isinstance(waarde, list):
        return [_gemaskeerd(v, bsn, referentie) for v in waarde]
    if isinstance(waarde, str):
        return re.sub(re.escape(referentie), "<REF>", waarde.replace(bsn, "<BSN>"))
    return waarde


@pytest.mark.iwmo_regel("OP079", "OP095", "UP003")
@pytest.mark.parametrize("bekend_in", ["dezelfde gemeente", "een andere gemeente"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_known_person_the_key_may_not_see_and_an_unknown_one_get_the_same_answer(
    opzet, endpoint, bekend_in
):
    bekend = opzet.tweede if bekend_in == "dezelfde gemeente" else dossier_in("0307")
    bsn_bekend = bekend.client.persoon.bsn
    dossiers, clienten = Dossier.objects.count(), Client.objects.count()

    antwoord_bekend = ENDPOINTS[endpoint](opzet, bsn_bekend, "REF-BEKEND")
    antwoord_onbekend = ENDPOINTS[endpoint](opzet, ONBEKEND, "REF-ONBEKEND")

    assert antwoord_bekend[0] == antwoord_onbekend[0]  # the status
    assert _gemaskeerd(antwoord_bekend[1], bsn_bekend, "REF-BEKEND") == _gemaskeerd(
        antwoord_onbekend[1], ONBEKEND, "REF-ONBEKEND"
    )
    # Nothing was made for the unknown person; no answer carries a BSN.
    assert (Dossier.objects.count(), Client.objects.count()) == (dossiers, clienten)
    assert not Persoon.objects.filter(bsn=ONBEKEND).exists()
    for _, body in (antwoord_bekend, antwoord_onbekend):
        assert bsn_bekend not in str(body) and ONBEKEND not in str(body)


# --- an unlinked verzoek ------------------------------------------------------------------------


@pytest.mark.iwmo_regel("OP079", "OP095")
def test_an_unknown_bsn_waits_unlinked_and_the_consulenten_hear_of_it(opzet):
    dossiers, clienten = Dossier.objects.count(), Client.objects.count()
    verzoek = vot(opzet, ONBEKEND, naam="J. de Vries", geboortedatum=datetime.date(1970, 2, 3))
    verzoek.refresh_from_db()
    assert verzoek.dossier is None and verzoek.zonder_dossier_ontvangen
    assert (verzoek.bsn, verzoek.naam, verzoek.geboortedatum) == (
        ONBEKEND, "J. de Vries", datetime.date(1970, 2, 3),
    )  # fmt: skip
    assert (Dossier.objects.count(), Client.objects.count()) == (dossiers, clienten)
    [melding] = Notificatie.objects.filter(user__username="consulent-iwmo")
    assert "zonder dossier" in melding.tekst and melding.soort == "verzoek"
    assert melding.url == f"/toegang/verzoeken/{verzoek.pk}/"
    for row in AuditEntry.objects.values("toelichting", "pad", "object_ids"):
        assert ONBEKEND not in str(row)

    # The XML import keeps the client as sent too.
    inhoud = bericht("315", client_305(valid_bsn(7002), [_aangevraagd("VOT-X")],
                                       "AangevraagdeProducten"))  # fmt: skip
    geldig("315", inhoud)
    assert importeer(inhoud, user=opzet.systeem)[0]["retourcodes"] == ["0200"]
    uit_xml = Verzoek.objects.get(referentie="VOT-X")
    assert (uit_xml.dossier, uit_xml.naam, uit_xml.geboortedatum, uit_xml.bron) == (
        None, "Jansen", datetime.date(1980, 5, 17), "xml",
    )  # fmt: skip


def test_the_consulent_refuses_an_unlinked_verzoek_with_a_wmo319(opzet, client):
    verzoek = vot(opzet, ONBEKEND, naam="J. de Vries")
    client.force_login(opzet.consulent)
    lijst = client.get("/toegang/verzoeken/").content.decode()
    assert "J. de Vries (zonder dossier)" in lijst
    detail = client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    assert "Aan geen dossier gekoppeld" in detail and ONBEKEND in detail
    assert "heeft geen dossier met het BSN van dit verzoek" in detail  # why no link yet
    assert "/honoreren/" not in detail and "/afwijzen/" in detail
    with pytest.raises(ValidationError, match="aan geen dossier gekoppeld"):
        honoreren(verzoek, opzet.consulent)

    weigering = {"reden_afwijzing": "7", "toelichting": "Onbekend bij de gemeente."}
    response = client.post(f"/toegang/verzoeken/{verzoek.pk}/afwijzen/", weigering)
    assert response.status_code == 302
    response = client.post(f"/toegang/verzoeken/{verzoek.pk}/antwoordbericht/")
    assert response.status_code == 200, response.content
    geldig("319", response.content)
    root = etree.fromstring(response.content)
    assert root.findtext(".//{*}VerzoekAntwoord") == "1"
    assert root.findtext(".//{*}RedenAfwijzingVerzoek") == "7"
    assert UitgaandBericht.objects.get(berichtcode="482").client is None
    # The aanbieder reads the answer through the API as for any verzoek.
    antwoord = api(opzet.systeem).get(f"{VOT}{verzoek.pk}/").json()
    assert (antwoord["status"], antwoord["redenAfwijzing"]) == ("afgewezen", "7")


def test_linked_to_a_dossier_after_a_melding_it_is_answered_as_any_verzoek(opzet, client):
    verzoek = vot(opzet, ONBEKEND)
    with pytest.raises(ValidationError, match="geen dossier met het BSN"):
        koppel(verzoek, opzet.consulent)
    # The person registers; the dossier alone is not enough, the melding is.
    dossier = dossier_in(SOEST, persoon__bsn=ONBEKEND)
    with pytest.raises(ValidationError, match="Registreer eerst een melding"):
        koppel(verzoek, opzet.consulent)
    MeldingFactory(dossier=dossier)
    with pytest.raises(PermissionDenied):
        koppel(verzoek, opzet.systeem)  # the aanbieder cannot link

    client.force_login(opzet.consulent)
    detail = client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    assert f"/toegang/verzoeken/{verzoek.pk}/koppelen/" in detail
    assert client.post(f"/toegang/verzoeken/{verzoek.pk}/koppelen/").status_code == 302
    verzoek.refresh_from_db()
    assert (verzoek.dossier, verzoek.gekoppeld_door) == (dossier, opzet.consulent)
    assert verzoek.zonder_dossier_ontvangen  # still counted for the aanbieder's overview
    # From now on the linked verzoek: honouring needs a beschikking in this dossier.
    with pytest.raises(ValidationError, match="Geen vastgestelde beschikking in dit dossier"):
        honoreren(verzoek, opzet.consulent)
    afwijzen(verzoek, opzet.consulent, "7")
    with pytest.raises(ValidationError, match="al beantwoord"):
        koppel(verzoek, opzet.consulent)


# --- rate limit and the overview per aanbieder ---------------------------------------------------


def test_verzoeken_om_toewijzing_are_rate_limited_per_key(opzet, settings):
    settings.REGIOZORG_API_VERZOEK_RATE = "2/hour"
    systeem = api(opzet.systeem)
    for i, bsn in enumerate((ONBEKEND, opzet.bsn)):  # known or not, each counts
        body = {"referentieAanbieder": f"R{i}", "bsn": bsn, "gemeente": SOEST,
                "producten": [UREN]}  # fmt: skip
        assert systeem.post(VOT, body, format="json").status_code == 201
    body = {"referentieAanbieder": "R9", "bsn": valid_bsn(7003), "gemeente": SOEST,
            "producten": [UREN]}  # fmt: skip
    response = systeem.post(VOT, body, format="json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert int(response["Retry-After"]) > 0
    assert response.json()["title"] == "Te veel verzoeken om toewijzing met deze API-sleutel."
    assert systeem.get(VOT).status_code == 200  # reading the answers is not limited by it
    assert (
        api(opzet.systeem_ander)
        .post(VOT, dict(body, referentieAanbieder="ANDER"), format="json")
        .status_code
        != 429
    )  # another key has its own budget
    assert Verzoek.objects.filter(aanbieder=opzet.aanbieder).count() == 2


def test_the_consulent_sees_per_aanbieder_how_many_unlinked_verzoeken_it_sent(opzet, client):
    for i in range(3):
        vot(opzet, valid_bsn(7100 + i), referentie=f"Z{i}")
    vot(opzet, opzet.bsn, referentie="MET-DOSSIER")
    oud = vot(opzet, valid_bsn(7200), referentie="OUD")
    Verzoek.objects.filter(pk=oud.pk).update(
        ontvangen_op=timezone.now() - datetime.timedelta(days=31)
    )
    afwijzen(Verzoek.objects.get(referentie="Z0"), opzet.consulent, "7")

    client.force_login(opzet.consulent)
    response = client.get("/toegang/verzoeken/zonder-dossier/")
    assert response.status_code == 200
    [rij] = response.context["rijen"]
    assert rij == {
        "aanbieder_id": opzet.aanbieder.pk, "aanbieder__naam": "Huize Eemland", "alle": 4,
        "zonder_dossier": 3, "open": 2, "gekoppeld": 0, "afgewezen": 1,
    }  # fmt: skip
    assert "Huize Eemland" in response.content.decode()
    assert (
        "/toegang/verzoeken/zonder-dossier/" in client.get("/toegang/verzoeken/").content.decode()
    )
