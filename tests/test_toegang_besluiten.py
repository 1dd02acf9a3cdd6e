"""Wijzigen and intrekken as besluiten of their own (issue 17, items 1 and 2): four eyes over
everyone who wrote, changed or submitted a concept; an intrekking heard, approved by another,
made known with a letter, taking effect only then (Awb 3:40); and the chain that rests on the
beschikking following it: the toewijzing shortened with a RedenWijziging, a new WMO301 and the
API feed, declaratie lines after the new end refused (9307/9308), the aanbieder's stop with
reden 36 accepted even when later, with a signal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree
from rest_framework.test import APIClient

from demo import inkoop as inkoop_demo
from regio.models import Gemeente
from tests.factories import AdresFactory, consulent, dossier_in
from tests.test_toegang_beschikking import concept, met_adres, regel, vers
from tests.test_toegang_declaraties import SOEST, api_regel, bouw_opzet
from toegang.beschikkingen import services
from toegang.models import Beschikking, Toewijzing, Zorgperiode
from toegang.toewijzingen.iwmo_xml.export import wmo301_berichten

pytestmark = pytest.mark.django_db

D = datetime.date
Status = Beschikking.Status


@pytest.fixture
def dossier(refdata):
    inkoop_demo.catalogus()
    return met_adres(dossier_in(SOEST))


@pytest.fixture
def soest_a(refdata):
    return consulent("consulent-soest-a", SOEST)


@pytest.fixture
def soest_b(refdata):
    return consulent("consulent-soest-b", SOEST)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- four eyes (item 2) -------------------------------------------------------------------------


def test_four_eyes_excludes_whoever_changed_or_submitted_the_concept(dossier, soest_a, soest_b):
    soest_c = consulent("consulent-soest-c", SOEST)
    soest_d = consulent("consulent-soest-d", SOEST)
    b = concept(dossier, soest_a)
    # Soest B changes A's concept, Soest C offers it for approval.
    services.bewaar_concept(
        b, soest_b, besluit="toekenning", motivering="Aangepast door B.",
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31), aanvraag=None,
        regels=[regel("begeleiding")],
    )  # fmt: skip
    services.dien_in(b, soest_c)
    for wie, wat in ((soest_a, "opgesteld"), (soest_b, "bewerkt"), (soest_c, "aangeboden")):
        assert "vaststellen" not in services.toegestane_acties(vers(b), wie)
        with pytest.raises(ValidationError) as exc:
            services.stel_vast(b, wie)
        assert exc.value.code == "vier_ogen" and wat in exc.value.messages[0]
    assert vers(b).status == Status.TER_ACCORDERING
    assert "vaststellen" in services.toegestane_acties(vers(b), soest_d)
    services.stel_vast(b, soest_d)
    b = vers(b)
    assert b.status == Status.VASTGESTELD and b.geaccordeerd_door == soest_d
    assert set(b.bewerkers.all()) == {soest_a, soest_b, soest_c}


def test_the_hearing_is_recorded_by_an_editor_who_then_may_not_approve(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    besluit = services.trek_in(
        b, soest_a, grond="2310-1b", motivering="Niet langer aangewezen.", per=D(2026, 12, 20)
    )
    assert besluit.ten_nadele
    with pytest.raises(ValidationError) as exc:
        services.dien_in(besluit, soest_a)
    assert "Awb 4:8" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.hoor(besluit, soest_b, gehoord_op=D(2026, 12, 1))
    assert "hoorverslag" in exc.value.message_dict
    services.hoor(besluit, soest_b, gehoord_op=D(2026, 12, 1), hoorverslag="Cliënt gehoord.")
    services.dien_in(besluit, soest_a)
    with pytest.raises(ValidationError):
        services.stel_vast(besluit, soest_b)  # B recorded the hearing: he changed the concept


def test_an_intrekking_takes_effect_no_earlier_than_it_is_made_known(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a, ingangsdatum=D(2026, 1, 1), einddatum=D(2027, 12, 31))
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    vandaag = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.trek_in(b, soest_a, grond="verzoek", motivering="x", per=D(2026, 6, 1))
    assert "Awb 3:40" in exc.value.message_dict["per"][0]
    # Drafted for today, made known later (here: frozen one day on): it takes effect then.
    besluit = services.trek_in(b, soest_a, grond="verzoek", motivering="Op verzoek.", per=vandaag)
    assert not besluit.ten_nadele  # the client asked for it: no hearing needed
    services.dien_in(besluit, soest_a)
    services.stel_vast(besluit, soest_b)
    assert services.werking_per(vers(besluit), vandaag + datetime.timedelta(days=3)) == (
        vandaag + datetime.timedelta(days=3)
    )
    services.maak_bekend(besluit, soest_a)
    besluit, b = vers(besluit), vers(b)
    assert besluit.in_werking_op == vandaag == b.ingetrokken_op
    assert besluit.brief is not None and besluit.status == Status.BEKENDGEMAAKT
    assert b.status == Status.INGETROKKEN


# --- the journey (item 1) -----------------------------------------------------------------------


@pytest.fixture
def keten(refdata):
    o = bouw_opzet()
    t = o.toewijzing(ingang=D(2026, 1, 1), eind=D(2026, 12, 31))
    AdresFactory(persoon=t.beschikt_product.client.persoon, soort="01")
    o.t = t
    o.tweede = consulent("consulent-soest-tweede", SOEST)
    return o


def test_journey_intrekking_ends_the_toewijzing_and_the_money(keten):
    t, systeem = keten.t, keten.systeem_a
    beschikking = t.beschikt_product.beschikking
    # The aanbieder starts care and declares September.
    start = {"toewijzingNummer": t.nummer, "gemeente": SOEST, "begindatum": "2026-01-05",
             "statusAanlevering": "1"}  # fmt: skip
    response = api(systeem).post("/api/v1/start-zorg/", start, format="json")
    assert response.status_code == 201, response.json()
    sept = api_regel(t, "R-SEP", maand=(2026, 9), volume="12", bedrag=str(12 * Decimal("60.10")))
    body = {"gemeente": SOEST, "declaratieNummer": "J-1", "regels": [sept]}
    response = api(systeem).post("/api/v1/declaraties/", body, format="json")
    assert response.json()["regels"][0]["status"] == "toegekend", response.json()

    # The consulent draws up the intrekking per 1 November (recorded why it works back), hears
    # the client, and a colleague approves; the letter is made and the besluit made known.
    voor = timezone.now()
    besluit = services.trek_in(
        beschikking, keten.consulent, grond="2310-1b", reden_wijziging="05", per=D(2026, 11, 1),
        motivering="De cliënt woont sinds 1 november in een Wlz-instelling.",
        terugwerkende_kracht="De verhuizing op 1 november werd pas later gemeld.",
    )  # fmt: skip
    assert Toewijzing.objects.get(pk=t.pk).einddatum == D(2026, 12, 31)  # a concept changes nothing
    services.hoor(besluit, keten.consulent, gehoord_op=D(2026, 12, 1), hoorverslag="Gebeld.")
    services.dien_in(besluit, keten.consulent)
    with pytest.raises(ValidationError):
        services.stel_vast(besluit, keten.consulent)  # four eyes
    services.stel_vast(besluit, keten.tweede)
    services.maak_bekend(besluit, keten.consulent)
    besluit = vers(besluit)
    assert besluit.in_werking_op == D(2026, 11, 1) and besluit.brief is not None
    assert vers(beschikking).status == Status.INGETROKKEN

    # The toewijzing ends the day before, same number, RedenWijziging 05.
    t = Toewijzing.objects.get(pk=t.pk)
    assert (t.status, t.einddatum, t.reden_wijziging) == (
        Toewijzing.Status.ACTIEF, D(2026, 10, 31), "05",
    )  # fmt: skip
    # The provider's feed and a new WMO301 carry the new einddatum.
    feed = api(systeem).get("/api/v1/toewijzingen/", {"gewijzigdSinds": voor.isoformat()})
    rijen = {r["toewijzingNummer"]: r for r in feed.json()["results"]}
    assert rijen[t.nummer]["einddatum"] == "2026-10-31"
    assert rijen[t.nummer]["redenWijziging"] == "05"
    berichten = wmo301_berichten(Gemeente.objects.get(code=SOEST), sinds=voor)
    assert len(berichten) == 1
    root = etree.fromstring(berichten[0][1])
    einde = [e.text for e in root.iter() if etree.QName(e).localname == "Einddatum"]
    reden = [e.text for e in root.iter() if etree.QName(e).localname == "RedenWijziging"]
    assert "2026-10-31" in einde and "05" in reden

    # A line for November is refused with its retourcodes; October still counts.
    nov = api_regel(t, "R-NOV", maand=(2026, 11), volume="12", bedrag=str(12 * Decimal("60.10")))
    okt = api_regel(t, "R-OKT", maand=(2026, 10), volume="13", bedrag=str(13 * Decimal("60.10")))
    body = {"gemeente": SOEST, "declaratieNummer": "J-2", "regels": [nov, okt]}
    response = api(systeem).post("/api/v1/declaraties/", body, format="json")
    regels = {r["referentieNummer"]: r for r in response.json()["regels"]}
    assert regels["R-OKT"]["status"] == "toegekend", regels["R-OKT"]
    assert regels["R-NOV"]["status"] == "afgewezen"
    assert {"9307", "9308"} <= {c["code"] for c in regels["R-NOV"]["retourcodes"]}

    # The aanbieder reports the stop, reden 36, later than the new end: accepted, signalled.
    stop = {**start, "einddatum": "2026-11-15", "redenBeeindiging": "36"}
    response = api(systeem).post("/api/v1/stop-zorg/", stop, format="json")
    assert response.status_code == 201, response.json()
    periode = Zorgperiode.objects.get(toewijzing=t)
    assert periode.reden_beeindiging == "36" and "na de einddatum" in periode.signaal


def test_a_stop_after_the_end_is_still_refused_when_the_gemeente_did_not_shorten(keten):
    t = keten.t
    start = {"toewijzingNummer": t.nummer, "gemeente": SOEST, "begindatum": "2026-01-05",
             "statusAanlevering": "1"}  # fmt: skip
    client = api(keten.systeem_a)
    assert client.post("/api/v1/start-zorg/", start, format="json").status_code == 201
    Toewijzing.objects.filter(pk=t.pk).update(einddatum=D(2026, 6, 30))
    stop = {**start, "einddatum": "2026-07-15", "redenBeeindiging": "19"}
    response = client.post("/api/v1/stop-zorg/", stop, format="json")
    assert response.status_code == 400


def test_a_wijziging_moves_the_toewijzing_and_shortens_it_once_made_known(keten):
    t = keten.t
    beschikking = t.beschikt_product.beschikking
    nieuw = services.wijzig(beschikking, keten.consulent, grond="2310-1b", reden_wijziging="05")
    bp = nieuw.producten.get()
    regels = [
        services.ProductRegel(
            product=bp.product, toegekend=True, ingangsdatum=bp.ingangsdatum,
            einddatum=D(2026, 12, 20), volume=bp.volume, eenheid=bp.eenheid,
            frequentie=bp.frequentie,
        )
    ]  # fmt: skip
    services.bewaar_concept(
        nieuw, keten.consulent, besluit="toekenning", motivering="Korter.",
        ingangsdatum=bp.ingangsdatum, einddatum=D(2026, 12, 20), aanvraag=None, regels=regels,
    )  # fmt: skip
    services.hoor(nieuw, keten.consulent, niet_gehoord_reden="De cliënt stemde schriftelijk in.")
    services.dien_in(nieuw, keten.consulent)
    services.stel_vast(nieuw, keten.tweede)
    assert Toewijzing.objects.get(pk=t.pk).einddatum == D(2026, 12, 31)  # not yet made known
    services.maak_bekend(nieuw, keten.consulent)
    t = Toewijzing.objects.get(pk=t.pk)
    assert (t.einddatum, t.reden_wijziging) == (D(2026, 12, 20), "05")
    assert t.beschikt_product.beschikking_id == nieuw.pk
    assert vers(beschikking).status == Status.GEWIJZIGD
