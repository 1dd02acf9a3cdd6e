"""Verzoeken om toewijzing (WMO315) and om wijziging (WMO317): the checks on indienen (BSN with
elfproef and a known gemeente, catalogue, contract, omvang, unique referentie), the
gemeente's answer (honoured → toewijzing the aanbieder sees; without a covering beschikking
honouring says so; refused with a WJ759 reason; answered once), the API and the consulent's
screens."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.test import APIClient

from regio.models import AuditEntry
from tests import scenarios
from tests.factories import AanbiederFactory, valid_bsn
from tests.factories import aanbiedersysteem as systeem
from toegang.models import Toewijzing, Verzoek
from toegang.toewijzingen.services import Omvang
from toegang.toewijzingen.verzoeken import afwijzen, honoreren, indienen

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN = "0342", "0308"


FUNCTIE = {"productcategorie": "15", "ingangsdatum": "2025-03-01"}
UREN = {
    "productcategorie": "02", "productcode": "02R01", "volume": 4, "eenheid": "04",
    "frequentie": "2", "ingangsdatum": "2025-03-01", "einddatum": "2025-12-31",
}  # fmt: skip


def bouw_opzet():
    """Soest, regio Amersfoort: a taakgericht perceel (BW functie, categorie 15) and a P×Q
    perceel (begeleiding 02R01 per uur). Huize Eemland holds a contract for both; Zonder
    Contract holds none. The client has a dossier in Soest with both beschikt for 2025."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-verzoek", SOEST), product=dict(begeleiding=True),
        aanbieders=("Huize Eemland",), gemeenten=[SOEST, BAARN], systemen=("systeem-eemland",),
        baarn=scenarios.consulent_van("consulent-baarn", BAARN),
    )  # fmt: skip
    zonder = AanbiederFactory(naam="Zonder Contract")
    traject = aanbod.traject()
    bp_uren = aanbod.traject(
        aanbod.product, dossier=traject.dossier, omvang=Omvang(Decimal("10"), "04", "2")
    ).bp
    bsn = traject.dossier.client.persoon.bsn

    def vot(referentie="REF-1", producten=None, **kwargs):
        kwargs = {"bsn": bsn, "gemeente": SOEST, "user": aanbod.systeem, **kwargs}
        return indienen(
            kwargs.pop("aanbieder", aanbod.aanbieder), soort="toewijzing", referentie=referentie,
            producten=producten if producten is not None else [dict(FUNCTIE)], **kwargs,
        )  # fmt: skip

    def uren_toewijzing(volume=4):
        return aanbod.toewijzing(
            bp_uren, ingang=D(2025, 2, 1), omvang=Omvang(Decimal(volume), "04", "2")
        )

    def vow(toewijzing, referentie="VOW-1", producten=None, reden="1", **kwargs):
        return indienen(
            kwargs.pop("aanbieder", aanbod.aanbieder), soort="wijziging", referentie=referentie,
            producten=producten if producten is not None else [dict(UREN, volume=8)],
            user=kwargs.pop("user", aanbod.systeem), toewijzing=toewijzing, reden=reden,
        )  # fmt: skip

    return SimpleNamespace(
        consulent=aanbod.consulent, baarn=aanbod.baarn, zonder=zonder, systeem=aanbod.systeem,
        systeem_zonder=systeem(zonder, "systeem-zonder"), dossier=traject.dossier, bsn=bsn,
        bp=traject.bp, bp_uren=bp_uren, vot=vot, uren_toewijzing=uren_toewijzing, vow=vow,
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def fout_bij(exc, veld):
    return " ".join(exc.value.message_dict.get(veld, []))


# --- indienen ------------------------------------------------------------------------------------


def test_a_verzoek_om_toewijzing_is_stored_for_the_dossier(opzet):
    verzoek = opzet.vot(producten=[dict(FUNCTIE), dict(UREN)])
    assert (verzoek.soort, verzoek.status, verzoek.dossier, verzoek.gemeente.code) == (
        "toewijzing", "ingediend", opzet.dossier, SOEST,
    )  # fmt: skip
    assert verzoek.producten[0] == {
        "productcategorie": "15", "productcode": "", "volume": None, "eenheid": "",
        "frequentie": "", "ingangsdatum": "2025-03-01", "einddatum": None,
    }  # fmt: skip
    assert verzoek.producten[1]["volume"] == 4
    entry = AuditEntry.objects.get(actie="create", object_type="toegang.verzoek")
    assert entry.object_ids == [str(verzoek.pk)]
    # The BSN lookup was audited, and no audit row carries the BSN.
    for row in AuditEntry.objects.values("toelichting", "pad", "object_ids"):
        assert opzet.bsn not in str(row)


def test_the_bsn_passes_the_elfproef_and_the_gemeente_is_known(opzet):
    with pytest.raises(ValidationError) as exc:
        opzet.vot(bsn="123456789")
    assert "elfproef" in fout_bij(exc, "bsn")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(gemeente="9999")
    assert "CBS-code" in fout_bij(exc, "gemeente")
    assert not Verzoek.objects.exists()
    # Nobody, or known but not in Baarn: accepted all the same, unlinked
    # (tests/test_verzoek_zonder_dossier.py).
    assert opzet.vot("REF-O", bsn=valid_bsn(9000)).dossier is None
    assert opzet.vot("REF-B", gemeente=BAARN).dossier is None


@pytest.mark.iwmo_regel("OP296", "TR381")
def test_products_must_be_in_the_catalogue_and_under_contract(opzet):
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(UREN, productcode="02X99")])
    assert "geen product met productcategorie 02, productcode 02X99 in de catalogus" in fout_bij(
        exc, "producten.0.productcode"
    )
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(FUNCTIE), dict(FUNCTIE, productcategorie="99")])
    assert "WMO020" in fout_bij(exc, "producten.1.productcategorie")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(FUNCTIE, ingangsdatum="2022-06-01")])  # perceel begins 2023
    assert "geen product" in fout_bij(exc, "producten.0.productcategorie")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(aanbieder=opzet.zonder, user=opzet.systeem_zonder)
    assert "Zonder Contract heeft geen contract voor productcategorie 15" in fout_bij(
        exc, "producten.0.productcategorie"
    )
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[])
    assert "ten minste één product" in fout_bij(exc, "producten")
    assert not Verzoek.objects.exists()


@pytest.mark.iwmo_regel("TR375", "TR411", "TR412", "CD095", "IV042")
def test_omvang_per_bekostiging_and_dates(opzet):
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(FUNCTIE, volume=3, eenheid="04", frequentie="2")])
    assert "taakgerichte bekostiging" in fout_bij(exc, "producten.0.volume")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(UREN, volume=None)])
    assert "volume, eenheid en frequentie" in fout_bij(exc, "producten.0.volume")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(UREN, einddatum="2025-02-01", eenheid="77")])
    assert "vóór de ingangsdatum" in fout_bij(exc, "producten.0.einddatum")
    assert "WJ756" in fout_bij(exc, "producten.0.eenheid")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(producten=[dict(FUNCTIE, ingangsdatum="1-3-2025")])
    assert "JJJJ-MM-DD" in fout_bij(exc, "producten.0.ingangsdatum")


@pytest.mark.iwmo_regel("TR347", "OP361")
def test_the_referentie_is_unique_per_aanbieder(opzet):
    opzet.vot(referentie="R-7")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(referentie="R-7")
    assert "al gebruikt" in fout_bij(exc, "referentie")
    with pytest.raises(ValidationError) as exc:
        opzet.vot(referentie="")
    assert "1 tot 36 tekens" in fout_bij(exc, "referentie")


def test_only_the_aanbieders_own_system_submits(opzet):
    with pytest.raises(PermissionDenied):
        opzet.vot(user=opzet.systeem_zonder)


@pytest.mark.iwmo_regel("TR351")
def test_a_verzoek_om_wijziging_names_an_own_active_toewijzing_and_a_reason(opzet):
    t = opzet.uren_toewijzing()
    verzoek = opzet.vow(t)
    assert (verzoek.soort, verzoek.toewijzing, verzoek.reden, verzoek.dossier) == (
        "wijziging", t, "1", opzet.dossier,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        opzet.vow(t, referentie="VOW-2", reden="9")
    assert "WJ758" in fout_bij(exc, "reden")
    with pytest.raises(ValidationError) as exc:
        opzet.vow(t, referentie="VOW-3", producten=[dict(UREN), dict(UREN)])
    assert "precies één product" in fout_bij(exc, "producten")
    with pytest.raises(ValidationError) as exc:
        opzet.vow(t, referentie="VOW-4", aanbieder=opzet.zonder, user=opzet.systeem_zonder)
    assert "van deze aanbieder" in fout_bij(exc, "toewijzing")


# --- the gemeente's answer -----------------------------------------------------------------------


@pytest.mark.iwmo_regel("OP344", "OP348")
def test_honoured_the_aanbieder_gets_the_toewijzingen(opzet):
    verzoek = opzet.vot(producten=[dict(FUNCTIE), dict(UREN)])
    nieuw = honoreren(verzoek, opzet.consulent)
    assert [t.beschikt_product for t in nieuw] == [opzet.bp, opzet.bp_uren]
    functie, uren = nieuw
    assert (functie.ingangsdatum, functie.einddatum, functie.volume) == (
        D(2025, 3, 1), D(2025, 12, 31), None,
    )  # fmt: skip
    assert (uren.volume, uren.eenheid, uren.frequentie) == (Decimal("4"), "04", "2")
    verzoek.refresh_from_db()
    assert (verzoek.status, verzoek.beantwoord_door) == ("gehonoreerd", opzet.consulent)
    assert set(verzoek.nieuwe_toewijzingen.all()) == set(nieuw)
    zichtbaar = Toewijzing.objects.visible_to(opzet.systeem, "toegang.view_toewijzing")
    assert set(zichtbaar) == set(nieuw)


def test_honouring_without_a_covering_beschikking_says_so(opzet):
    verzoek = opzet.vot(producten=[dict(FUNCTIE), dict(UREN, einddatum="2026-03-31")])
    with pytest.raises(ValidationError) as exc:
        honoreren(verzoek, opzet.consulent)
    melding = fout_bij(exc, "producten.1")
    assert "Geen vastgestelde beschikking in dit dossier dekt productcategorie 02" in melding
    assert "Stel eerst een beschikking vast" in melding
    assert not fout_bij(exc, "producten.0")
    verzoek.refresh_from_db()
    assert verzoek.status == "ingediend"
    assert not Toewijzing.objects.exists()  # all or nothing


@pytest.mark.iwmo_regel("OP344", "TR359", "CD085")
def test_refused_with_a_reason_and_answered_once(opzet):
    verzoek = opzet.vot()
    with pytest.raises(ValidationError) as exc:
        afwijzen(verzoek, opzet.consulent, "")
    assert "WJ759" in fout_bij(exc, "reden_afwijzing")
    afwijzen(verzoek, opzet.consulent, "4", "  Past niet in het perceel.  ")
    verzoek.refresh_from_db()
    assert (verzoek.status, verzoek.reden_afwijzing, verzoek.toelichting_antwoord) == (
        "afgewezen", "4", "Past niet in het perceel.",
    )  # fmt: skip
    for antwoord in (lambda: honoreren(verzoek, opzet.consulent),
                     lambda: afwijzen(verzoek, opzet.consulent, "1")):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            antwoord()
        assert "al beantwoord: afgewezen" in " ".join(exc.value.messages)
    assert not Toewijzing.objects.exists()
    tweede = opzet.vot(referentie="REF-2")
    honoreren(tweede, opzet.consulent)
    with pytest.raises(ValidationError):
        honoreren(tweede, opzet.consulent)
    assert Toewijzing.objects.count() == 1


def test_only_a_consulent_of_the_gemeente_answers(opzet):
    verzoek = opzet.vot()
    # The aanbieder's own system sees its verzoek but cannot answer it (403); a consulent of
    # another gemeente does not even find it (404).
    for user, weigering in ((opzet.systeem, PermissionDenied), (opzet.baarn, Http404)):
        with pytest.raises(weigering):
            honoreren(verzoek, user)
        with pytest.raises(weigering):
            afwijzen(verzoek, user, "1")


@pytest.mark.iwmo_regel("OP257", "IV066")
def test_a_verzoek_om_wijziging_honoured_makes_a_new_version(opzet):
    oud = opzet.uren_toewijzing(volume=4)
    honoreren(opzet.vow(oud), opzet.consulent)
    oud.refresh_from_db()
    nieuw = Toewijzing.objects.get(vorige=oud)
    assert (oud.status, oud.einddatum, oud.reden_wijziging) == ("beeindigd", D(2025, 2, 28), "12")
    assert (nieuw.volume, nieuw.ingangsdatum, nieuw.nummer != oud.nummer) == (
        Decimal("8"), D(2025, 3, 1), True,
    )  # fmt: skip


def test_a_verzoek_om_wijziging_of_only_the_einddatum_keeps_the_number(opzet):
    oud = opzet.uren_toewijzing(volume=4)
    wens = dict(UREN, volume=4, ingangsdatum="2025-02-01", einddatum="2025-09-30")
    [t] = honoreren(opzet.vow(oud, producten=[wens]), opzet.consulent)
    assert (t.pk, t.einddatum, t.reden_wijziging) == (oud.pk, D(2025, 9, 30), "12")


# --- API -----------------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def invalid(response):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return {p["name"]: p["reason"] for p in response.json()["invalidParams"]}


def vot_body(opzet, **kwargs):
    return {"referentieAanbieder": "API-1", "bsn": opzet.bsn, "gemeente": SOEST,
            "producten": [FUNCTIE], **kwargs}  # fmt: skip


def test_api_verzoek_om_toewijzing_and_its_answer(opzet, client):
    systeem = api(opzet.systeem)
    response = systeem.post("/api/v1/verzoeken-om-toewijzing/", vot_body(opzet), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert "bsn" not in data and opzet.bsn not in response.content.decode()
    assert (data["referentieAanbieder"], data["gemeente"], data["status"]) == (
        "API-1", SOEST, "ingediend",
    )  # fmt: skip
    assert data["producten"][0]["productcategorie"] == "15" and data["toewijzingen"] == []

    # The consulent honours it in the web UI; the aanbieder sees the answer and the number.
    client.force_login(opzet.consulent)
    response = client.post(f"/toegang/verzoeken/{data['id']}/honoreren/")
    assert response.status_code == 302
    t = Toewijzing.objects.get()
    antwoord = systeem.get(f"/api/v1/verzoeken-om-toewijzing/{data['id']}/").json()
    assert (antwoord["status"], antwoord["toewijzingen"]) == ("gehonoreerd", [t.nummer])
    assert antwoord["beantwoordOp"] is not None
    lijst = systeem.get("/api/v1/verzoeken-om-toewijzing/?status=gehonoreerd").json()
    assert [v["id"] for v in lijst["results"]] == [data["id"]]
    assert systeem.get("/api/v1/verzoeken-om-toewijzing/?status=ingediend").json()["count"] == 0
    assert "staat" in invalid(systeem.get("/api/v1/verzoeken-om-toewijzing/?staat=x"))


def test_api_refusals_name_the_field(opzet):
    systeem = api(opzet.systeem)
    pad = "/api/v1/verzoeken-om-toewijzing/"
    assert (
        "elfproef"
        in invalid(systeem.post(pad, vot_body(opzet, bsn="123456789"), format="json"))["bsn"]
    )
    fouten = invalid(
        systeem.post(
            pad, vot_body(opzet, producten=[dict(UREN, productcode="02X99")]), format="json"
        )
    )
    assert "geen product" in fouten["producten.0.productcode"]
    leeg = invalid(systeem.post(pad, vot_body(opzet, producten=[]), format="json"))
    assert leeg == {"producten": "Vraag ten minste één product aan."}
    assert systeem.post(pad, vot_body(opzet), format="json").status_code == 201
    assert (
        "al gebruikt"
        in invalid(systeem.post(pad, vot_body(opzet), format="json"))["referentieAanbieder"]
    )


def test_api_verzoek_om_wijziging(opzet):
    t = opzet.uren_toewijzing()
    body = {"referentieAanbieder": "W-1", "toewijzingNummer": t.nummer, "gemeente": SOEST,
            "redenVerzoek": "2", "producten": [dict(UREN, volume=6)]}  # fmt: skip
    pad = "/api/v1/verzoeken-om-wijziging/"
    assert (
        "WJ758"
        in invalid(api(opzet.systeem).post(pad, {**body, "redenVerzoek": "7"}, format="json"))[
            "redenVerzoek"
        ]
    )
    response = api(opzet.systeem).post(pad, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["toewijzingNummer"], data["redenVerzoek"], data["status"]) == (
        t.nummer, "2", "ingediend",
    )  # fmt: skip
    # The wijziging is not listed as a verzoek om toewijzing, and vice versa.
    assert api(opzet.systeem).get("/api/v1/verzoeken-om-toewijzing/").json()["count"] == 0

    afwijzen(Verzoek.objects.get(pk=data["id"]), opzet.consulent, "2", "Geen budget.")
    antwoord = api(opzet.systeem).get(f"{pad}{data['id']}/").json()
    assert (antwoord["status"], antwoord["redenAfwijzing"], antwoord["toelichting"]) == (
        "afgewezen", "2", "Geen budget.",
    )  # fmt: skip


def test_api_another_aanbieder_gets_404(opzet):
    t = opzet.uren_toewijzing()
    verzoek = opzet.vot()
    ander = api(opzet.systeem_zonder)
    body = {"referentieAanbieder": "W-9", "toewijzingNummer": t.nummer, "gemeente": SOEST,
            "redenVerzoek": "1", "producten": [UREN]}  # fmt: skip
    response = ander.post("/api/v1/verzoeken-om-wijziging/", body, format="json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert ander.get(f"/api/v1/verzoeken-om-toewijzing/{verzoek.pk}/").status_code == 404
    assert ander.get("/api/v1/verzoeken-om-toewijzing/").json()["count"] == 0
    assert Verzoek.objects.count() == 1


# --- the consulent's screens ---------------------------------------------------------------------


def test_werkvoorraad_links_to_the_open_verzoeken(opzet, client):
    opzet.vot()
    client.force_login(opzet.consulent)
    html = client.get("/toegang/werkvoorraad/").content.decode()
    assert "Verzoeken van aanbieders (1)" in html
    html = client.get("/toegang/verzoeken/").content.decode()
    assert "Huize Eemland" in html and "REF-1" in html
    assert opzet.dossier.client.persoon.geslachtsnaam in html
    client.force_login(opzet.baarn)
    assert "REF-1" not in client.get("/toegang/verzoeken/").content.decode()


def test_detail_honour_confirmation_and_refusal_form(opzet, client):
    verzoek = opzet.vot(producten=[dict(UREN, einddatum="2026-03-31")])
    client.force_login(opzet.consulent)
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    assert "Begeleiding individueel" in html and "4 uur per week" in html
    assert "Geen beschikking dekt dit product" in html
    assert " style=" not in html and "<script>" not in html  # strict CSP
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/honoreren/").content.decode()
    assert "stel eerst een beschikking vast" in html and "Verzoek honoreren</button>" not in html
    response = client.post(f"/toegang/verzoeken/{verzoek.pk}/honoreren/")
    assert (
        response.status_code == 200
        and "Het verzoek is niet gehonoreerd" in response.content.decode()
    )

    response = client.post(f"/toegang/verzoeken/{verzoek.pk}/afwijzen/", {"reden_afwijzing": ""})
    assert "Kies een reden van afwijzing." in response.content.decode()
    response = client.post(
        f"/toegang/verzoeken/{verzoek.pk}/afwijzen/",
        {"reden_afwijzing": "7", "toelichting": "Zorginhoudelijk niet passend."},
    )
    assert response.status_code == 302
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    assert "7 Zorginhoudelijke afkeur" in html and "Zorginhoudelijk niet passend." in html
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/afwijzen/").content.decode()
    assert "al beantwoord" in html


def test_another_gemeente_gets_404(opzet, client):
    verzoek = opzet.vot()
    client.force_login(opzet.baarn)
    for pad in ("", "honoreren/", "afwijzen/"):
        assert client.get(f"/toegang/verzoeken/{verzoek.pk}/{pad}").status_code == 404
    assert client.post(f"/toegang/verzoeken/{verzoek.pk}/honoreren/").status_code == 404
    verzoek.refresh_from_db()
    assert verzoek.status == "ingediend"


def test_lists_use_the_same_number_of_queries_for_1_and_more_rows(opzet, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    systeem = api(opzet.systeem)
    client.force_login(opzet.consulent)

    def tel():
        with CaptureQueriesContext(connection) as api_ctx:
            assert systeem.get("/api/v1/verzoeken-om-toewijzing/").status_code == 200
        with CaptureQueriesContext(connection) as web_ctx:
            assert client.get("/toegang/verzoeken/?status=alle").status_code == 200
        return len(api_ctx.captured_queries), len(web_ctx.captured_queries)

    honoreren(opzet.vot(referentie="Q-0"), opzet.consulent)
    tel()  # warm the caches (content types, sessions)
    een = tel()
    for i in range(1, 6):
        afwijzen(opzet.vot(referentie=f"Q-{i}"), opzet.consulent, "6")  # stapeling
    opzet.vot(referentie="Q-open")
    assert tel() == een


@pytest.mark.django_db(transaction=True)
def test_answered_once_when_consulenten_answer_at_the_same_moment(refdata):
    import threading

    from django.db import connection

    opzet = bouw_opzet()
    verzoek = opzet.vot()
    start = threading.Barrier(4)
    gelukt, fouten = [], []

    def antwoord(actie):
        try:
            start.wait(timeout=10)
            if actie == "honoreren":
                honoreren(verzoek, opzet.consulent)
            else:
                afwijzen(verzoek, opzet.consulent, "2")
            gelukt.append(actie)
        except ValidationError as exc:
            fouten.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=antwoord, args=(actie,))
        for actie in ("honoreren", "afwijzen", "honoreren", "afwijzen")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(gelukt) == 1 and len(fouten) == 3
    assert all("al beantwoord" in f for f in fouten)
    verzoek.refresh_from_db()
    assert verzoek.status == {"honoreren": "gehonoreerd", "afwijzen": "afgewezen"}[gelukt[0]]
    assert Toewijzing.objects.count() == (1 if gelukt == ["honoreren"] else 0)


def test_honour_a_verzoek_om_wijziging_on_screen(opzet, client):
    oud = opzet.uren_toewijzing(volume=4)
    verzoek = opzet.vow(oud)
    client.force_login(opzet.consulent)
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    assert f"Toewijzing {oud.nummer}" in html and "1 Verandering clientsituatie" in html
    html = client.get(f"/toegang/verzoeken/{verzoek.pk}/honoreren/").content.decode()
    assert f"nieuwe versie van toewijzing {oud.nummer}" in html
    assert "Verzoek honoreren</button>" in html
    response = client.post(f"/toegang/verzoeken/{verzoek.pk}/honoreren/", follow=True)
    nieuw = Toewijzing.objects.get(vorige=oud)
    assert f"Het verzoek is gehonoreerd: toewijzing {nieuw.nummer}." in response.content.decode()


def test_the_answer_downloads_as_an_iwmo_message_valid_against_its_schema(opzet, client):
    from toegang.toewijzingen.iwmo_xml import valideer

    verzoek = opzet.vot()
    client.force_login(opzet.consulent)
    pad = f"/toegang/verzoeken/{verzoek.pk}/antwoordbericht/"
    assert client.post(pad).status_code == 302  # not answered yet
    afwijzen(verzoek, opzet.consulent, "4")
    assert "WMO319" in client.get(f"/toegang/verzoeken/{verzoek.pk}/").content.decode()
    response = client.post(pad)
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"].startswith('attachment; filename="WMO319_')
    assert valideer(response.content) == ("319", [])
    client.force_login(opzet.baarn)
    assert client.post(pad).status_code == 404
