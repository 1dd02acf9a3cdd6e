"""The retour of a message as iWmo processes it (Processen WMO, IV028, TR342): a WMO305, WMO307
or WMO317 is processed only when wholly approved, a WMO315 per requested product, a WMO323 per
prestatie with a declaratie-antwoord (WMO325) that lists only the refused lines. One retour
(``toegang.toewijzingen.retour``) for the API's POSTs, ``GET /api/v1/berichten/{id}/`` and
``manage.py iwmo import``."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.test_iwmo_xml import (
    BEGIN,
    EIND,
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
from toegang.models import Declaratie, IngediendBericht, Verzoek, Zorgperiode
from toegang.toewijzingen.iwmo_xml.verwerken import verwerk

DAG = datetime.timedelta(days=1)


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def vot(bsn, *referenties):
    producten = [
        ("AangevraagdProduct", [
            ("ReferentieAanbieder", ref), ("Product", [("Categorie", "02"), ("Code", "02A01")]),
            ("ToewijzingIngangsdatum", (BEGIN + datetime.timedelta(days=10 * i)).isoformat()),
            ("ToewijzingEinddatum", (BEGIN + datetime.timedelta(days=10 * i + 9)).isoformat()),
            ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
            ("Verwijzer", [("Type", "01")]),
        ])
        for i, ref in enumerate(referenties)  # periods that do not overlap (TR386)
    ]  # fmt: skip
    return bericht("315", client_305(bsn, producten, "AangevraagdeProducten"))


# --- all or nothing: WMO305, WMO307 ------------------------------------------------------------


@pytest.mark.iwmo_regel("IV028", "IV032", "OP065")
def test_a_wmo305_with_one_refused_record_applies_nothing_and_says_which(opzet):
    eigen, tweede = opzet.toewijzing(), opzet.toewijzing(volume="2")
    van_ander = opzet.toewijzing(aanbieder=opzet.ander)
    inhoud = wmo305(
        opzet.bsn, start(eigen.nummer, BEGIN), start(van_ander.nummer, BEGIN),
        start(tweede.nummer, BEGIN), ident="START-7",
    )  # fmt: skip
    geldig("305", inhoud)
    uitkomst = verwerk(inhoud, user=opzet.systeem)

    assert not Zorgperiode.objects.exists()  # the good records are not applied either
    retour = uitkomst.retour
    assert (retour["bericht"], retour["status"]) == ("WMO306", "afgekeurd")
    header = retour["header"]
    assert header["berichtCode"] == "419" and header["retourCodes"] == ["0200"]
    assert (header["afzender"], header["ontvanger"]) == ("75009001", SOEST)  # as in the 305
    assert header["berichtIdentificatie"]["identificatie"] == "START-7"
    assert header["identificatieRetour"] == f"R{uitkomst.bericht.pk}"
    assert retour["client"]["retourCodes"] == ["0200"]
    producten = retour["client"]["startProducten"]
    assert [(p["toewijzingNummer"], p["retourCodes"]) for p in producten] == [
        (eigen.nummer, ["0200"]), (van_ander.nummer, ["9019"]), (tweede.nummer, ["0200"]),
    ]  # fmt: skip
    assert producten[1]["meldingen"] and "meldingen" not in producten[0]
    assert opzet.bsn not in json.dumps(retour)
    # kept for the aanbieder, with the same retour
    opgeslagen = IngediendBericht.objects.get()
    assert (opgeslagen.aanbieder, opgeslagen.berichttype, opgeslagen.bron) == (
        opzet.aanbieder, "305", "xml",
    )  # fmt: skip
    assert (opgeslagen.status, opgeslagen.retour, opgeslagen.identificatie) == (
        "afgekeurd", retour, "START-7",
    )  # fmt: skip


@pytest.mark.iwmo_regel("IV028", "OP065")
def test_a_wholly_approved_wmo305_is_processed_and_its_retour_is_the_header_only(opzet):
    eigen, tweede = opzet.toewijzing(), opzet.toewijzing(volume="2")
    uitkomst = verwerk(
        wmo305(opzet.bsn, start(eigen.nummer, BEGIN), start(tweede.nummer, BEGIN)),
        user=opzet.systeem,
    )  # fmt: skip
    assert Zorgperiode.objects.count() == 2
    assert uitkomst.retour["status"] == "goedgekeurd"
    assert "retourCodes" not in uitkomst.retour["header"] and "client" not in uitkomst.retour


@pytest.mark.iwmo_regel("OP033")
def test_a_correction_as_deletion_and_new_delivery_in_one_message(opzet):
    t = opzet.toewijzing()
    verwerk(wmo305(opzet.bsn, start(t.nummer, BEGIN)), user=opzet.systeem)
    later = BEGIN + 5 * DAG
    uitkomst = verwerk(
        wmo305(opzet.bsn, start(t.nummer, BEGIN, "3"), start(t.nummer, later), ident="2"),
        user=opzet.systeem,
    )  # fmt: skip
    assert uitkomst.retour["status"] == "goedgekeurd"
    assert list(
        Zorgperiode.objects.filter(verwijderd_op__isnull=True).values_list("begindatum", flat=True)
    ) == [later]


@pytest.mark.iwmo_regel("IV028")
def test_a_wmo307_with_one_refused_stop_stops_nothing(opzet):
    eerste, tweede = opzet.toewijzing(), opzet.toewijzing(volume="2")
    verwerk(
        wmo305(opzet.bsn, start(eerste.nummer, BEGIN), start(tweede.nummer, BEGIN)),
        user=opzet.systeem,
    )  # fmt: skip
    eind = BEGIN + 10 * DAG
    uitkomst = verwerk(
        wmo307(
            opzet.bsn, stop(eerste.nummer, BEGIN, eind),
            stop(tweede.nummer, BEGIN + DAG, eind),  # no start on that day
            ident="STOP-1",
        ),
        user=opzet.systeem,
    )  # fmt: skip
    assert not Zorgperiode.objects.filter(einddatum__isnull=False).exists()
    retour = uitkomst.retour
    assert (retour["bericht"], retour["status"]) == ("WMO308", "afgekeurd")
    stops = retour["client"]["stopProducten"]
    assert [s["retourCodes"] for s in stops] == [["0200"], ["9069"]]
    assert stops[0]["einddatum"] == eind.isoformat()


# --- per product: WMO315 -------------------------------------------------------------------------


def test_a_wmo315_is_answered_per_requested_product(opzet):
    # VOT-A for another client (an open verzoek for this one would refuse VOT-B, TR374)
    verwerk(vot(opzet.tweede.client.persoon.bsn, "VOT-A"), user=opzet.systeem)
    uitkomst = verwerk(vot(opzet.bsn, "VOT-A", "VOT-B"), user=opzet.systeem)  # VOT-A again
    retour = uitkomst.retour
    assert (retour["bericht"], retour["status"]) == ("WMO316", "deels")
    assert [
        (p["referentieAanbieder"], p["retourCodes"])
        for p in retour["client"]["aangevraagdeProducten"]
    ] == [("VOT-A", ["9347"]), ("VOT-B", ["0200"])]
    assert sorted(Verzoek.objects.values_list("referentie", flat=True)) == ["VOT-A", "VOT-B"]


# --- WMO323 → WMO325 -----------------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR342", "OP303", "OP304", "IV087", "IV088", "TR366", "TR367")
def test_the_declaratie_antwoord_lists_only_the_refused_lines(opzet):
    t = opzet.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(
        opzet.bsn,
        [prestatie("R1", t.nummer, *maand), prestatie("R2", 999999, *maand, volume=2)],
    )
    uitkomst = verwerk(inhoud, user=opzet.systeem)
    retour = uitkomst.retour
    assert (retour["bericht"], retour["status"]) == ("WMO325", "deels")
    assert retour["header"]["berichtCode"] == "485"
    antwoord = retour["declaratieAntwoord"]
    assert antwoord["declaratieNummer"] == "DECL1" and antwoord["retourCodes"] == ["0200"]
    assert antwoord["totaalIngediendBedrag"] == {"bedrag": 48000 + 12000, "debetCredit": "D"}
    assert antwoord["totaalToegekendBedrag"] == {"bedrag": 48000, "debetCredit": "D"}
    [afgewezen] = retour["prestaties"]  # R1 was approved: not listed
    assert afgewezen["referentieNummer"] == "R2" and afgewezen["retourCodes"] == ["9338"]
    # TR342: the refused lines explain the difference
    assert afgewezen["ingediendBedrag"]["bedrag"] == (
        antwoord["totaalIngediendBedrag"]["bedrag"] - antwoord["totaalToegekendBedrag"]["bedrag"]
    )
    assert Declaratie.objects.get().regels.count() == 2  # processed per line


@pytest.mark.iwmo_regel("TR342")
def test_a_declaratie_refused_whole_is_answered_with_nothing_toegekend(opzet):
    t = opzet.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(opzet.bsn, [prestatie("R1", t.nummer, *maand)])
    verwerk(inhoud, user=opzet.systeem)
    nog_eens = verwerk(inhoud, user=opzet.systeem).retour  # the same DeclaratieNummer
    assert nog_eens["status"] == "afgekeurd"
    assert nog_eens["declaratieAntwoord"]["retourCodes"] == ["9333"]
    assert nog_eens["declaratieAntwoord"]["totaalToegekendBedrag"]["bedrag"] == 0
    assert nog_eens["prestaties"] == []


@pytest.mark.iwmo_regel("TR342")
def test_a_declaratie_wholly_approved_lists_no_prestatie(opzet):
    t = opzet.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    retour = verwerk(wmo323(opzet.bsn, [prestatie("R1", t.nummer, *maand)]), user=opzet.systeem)
    assert retour.retour["status"] == "goedgekeurd" and retour.retour["prestaties"] == []


# --- the API: the retour in the answer to a POST, and GET later -------------------------------


@pytest.mark.iwmo_regel("OP090")
def test_get_of_an_imported_message_gives_the_same_retour_to_its_aanbieder_only(opzet):
    t = opzet.toewijzing()
    van_ander = opzet.toewijzing(aanbieder=opzet.ander)
    uitkomst = verwerk(
        wmo305(opzet.bsn, start(t.nummer, BEGIN), start(van_ander.nummer, BEGIN)),
        user=opzet.systeem,
    )  # fmt: skip
    url = f"/api/v1/berichten/{uitkomst.bericht.pk}/"
    response = api(opzet.systeem).get(url)
    assert response.status_code == 200, response.content
    assert response.json()["retour"] == uitkomst.retour
    assert response.json()["berichttype"] == "WMO305"
    assert api(opzet.systeem_ander).get(url).status_code == 404
    assert api(opzet.systeem_ander).get("/api/v1/berichten/").json()["results"] == []


def test_a_post_of_start_zorg_answers_its_retour_and_get_gives_it_again(opzet):
    t = opzet.toewijzing()
    client = api(opzet.systeem)
    body = {"toewijzingNummer": t.nummer, "gemeente": SOEST,
            "begindatum": BEGIN.isoformat(), "statusAanlevering": "1"}  # fmt: skip
    response = client.post("/api/v1/start-zorg/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["begindatum"] == BEGIN.isoformat()  # the existing fields stay
    assert data["retour"]["bericht"] == "WMO306" and data["retour"]["status"] == "goedgekeurd"
    assert data["retour"]["header"]["afzender"] == opzet.aanbieder.agb_code
    later = client.get(f"/api/v1/berichten/{data['bericht']}/")
    assert later.status_code == 200 and later.json()["retour"] == data["retour"]
    assert later.json()["bron"] == "api"

    stop_body = body | {"einddatum": (BEGIN + DAG).isoformat(), "redenBeeindiging": "02"}
    response = client.post("/api/v1/stop-zorg/", stop_body, format="json")
    assert response.status_code == 201 and response.json()["retour"]["bericht"] == "WMO308"


def test_a_post_of_a_declaratie_answers_the_declaratie_antwoord(opzet):
    t = opzet.toewijzing()
    eind = _maandeinde(BEGIN)
    regel = {"toewijzingNummer": t.nummer, "productcategorie": "02", "productcode": "02A01",
             "periodeBegin": BEGIN.isoformat(), "periodeEinde": eind.isoformat(),
             "volume": "8", "eenheid": "04", "bedrag": "480.00", "debetCredit": "D"}  # fmt: skip
    body = {"gemeente": SOEST, "declaratieNummer": "API-1", "regels": [
        regel | {"referentieNummer": "A1"},
        regel | {"referentieNummer": "A2", "toewijzingNummer": 999999, "bedrag": "120.00",
                 "volume": "2"},
    ]}  # fmt: skip
    client = api(opzet.systeem)
    response = client.post("/api/v1/declaraties/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [r["status"] for r in data["regels"]] == ["toegekend", "afgewezen"]  # as before
    retour = data["retour"]
    assert retour["bericht"] == "WMO325" and retour["status"] == "deels"
    assert [p["referentieNummer"] for p in retour["prestaties"]] == ["A2"]
    assert retour["declaratieAntwoord"]["totaalToegekendBedrag"]["bedrag"] == 48000
    later = client.get(f"/api/v1/berichten/{data['bericht']}/")
    assert later.json()["retour"] == retour
    # the same DeclaratieNummer again: refused whole, its declaratie-antwoord in the 400
    response = client.post("/api/v1/declaraties/", body, format="json")
    assert response.status_code == 400
    antwoord = response.json()["retour"]["declaratieAntwoord"]
    assert antwoord["retourCodes"] == ["9333"] and antwoord["totaalToegekendBedrag"]["bedrag"] == 0


def test_a_post_of_a_verzoek_answers_its_retour(opzet):
    body = {"referentieAanbieder": "API-VOT", "bsn": opzet.bsn, "gemeente": SOEST,
            "producten": [{"productcategorie": "02", "productcode": "02A01", "volume": 3,
                           "eenheid": "04", "frequentie": "2",
                           "ingangsdatum": BEGIN.isoformat(),
                           "einddatum": (EIND - DAG).isoformat()}]}  # fmt: skip
    response = api(opzet.systeem).post("/api/v1/verzoeken-om-toewijzing/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["retour"]["bericht"] == "WMO316"
    assert response.json()["referentieAanbieder"] == "API-VOT"
    response = api(opzet.systeem).post("/api/v1/verzoeken-om-toewijzing/", body, format="json")
    assert response.status_code == 400  # the same ReferentieAanbieder again
    [product] = response.json()["retour"]["client"]["aangevraagdeProducten"]
    assert product["retourCodes"] == ["9347"]


# --- manage.py iwmo import -------------------------------------------------------------------


@pytest.mark.iwmo_regel("IV028")
def test_the_import_command_prints_the_retour_as_json(opzet, tmp_path, capsys):
    eigen = opzet.toewijzing()
    van_ander = opzet.toewijzing(aanbieder=opzet.ander)
    bestand = tmp_path / "start.xml"
    bestand.write_bytes(
        wmo305(opzet.bsn, start(eigen.nummer, BEGIN), start(van_ander.nummer, BEGIN))
    )
    call_command("iwmo", "import", str(bestand), "--user", "systeem-eemland")
    uit = json.loads(capsys.readouterr().out)
    assert uit == IngediendBericht.objects.get().retour
    assert uit["bericht"] == "WMO306" and uit["status"] == "afgekeurd"
    assert [p["retourCodes"] for p in uit["client"]["startProducten"]] == [["0200"], ["9019"]]
    assert not Zorgperiode.objects.exists()


@pytest.mark.iwmo_regel("IV028")
def test_a_refused_post_answers_400_with_its_retour_and_keeps_nothing(opzet):
    t = opzet.toewijzing()
    client = api(opzet.systeem)
    body = {"toewijzingNummer": t.nummer, "gemeente": SOEST,
            "begindatum": BEGIN.isoformat(), "statusAanlevering": "1"}  # fmt: skip
    assert client.post("/api/v1/start-zorg/", body, format="json").status_code == 201
    response = client.post("/api/v1/start-zorg/", body, format="json")  # the same start again
    assert response.status_code == 400
    data = response.json()
    assert data["invalidParams"]  # the field errors, as before
    retour = data["retour"]
    assert (retour["bericht"], retour["status"]) == ("WMO306", "afgekeurd")
    [product] = retour["client"]["startProducten"]
    assert product["retourCodes"] == ["9074"] and product["meldingen"]
    assert IngediendBericht.objects.count() == 1  # only the accepted POST is kept
