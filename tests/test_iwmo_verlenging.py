"""Verlenging of a toewijzing by stretching its einddatum (iWmo OP380, IV093, IV013): the case
"Van Toewijzing naar Verlengen Toewijzing via Oprekken Einddatum" of the Casusbeschrijvingen
3.2, played with a Wmo product of our catalogue (begeleiding 02R01, 3 uur per week) through the
toewijzing service and the WMO301 export, and each condition that makes the verlenging a new
toewijzing instead."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time
from lxml import etree

from regio.models import Gemeente
from tests import scenarios
from tests.factories import AdresFactory
from toegang.models import Toewijzing
from toegang.toewijzingen import zorg
from toegang.toewijzingen.iwmo_xml.export import wmo301_berichten
from toegang.toewijzingen.iwmo_xml.schema import schema
from toegang.toewijzingen.services import (
    Omvang,
    maak_toewijzing,
    waarom_niet_oprekken,
    wijzig_einddatum,
)
from toegang.toewijzingen.verzoeken import honoreren, indienen

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST = "0342"
JAAR_2023 = (D(2023, 1, 1), D(2023, 12, 31))
DRIE_UUR_PER_WEEK = Omvang(Decimal("3"), "04", "2")


def bouw_opzet(omvang=DRIE_UUR_PER_WEEK):
    """Soest: a P×Q perceel with begeleiding (02R01, per uur), Huize Eemland under contract
    (2023-2026) and its system; a client beschikt for 2023 with ``omvang``."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-verlenging", SOEST), functie=None,
        product=dict(begeleiding=True), aanbieders=(dict(naam="Huize Eemland",
                                                         agb_code="75009001"),),
        gemeenten=[SOEST], systemen=("systeem-eemland",),
    )  # fmt: skip
    traject = aanbod.traject(aanbod.product, periode=JAAR_2023, omvang=omvang)
    AdresFactory(persoon=traject.dossier.client.persoon)  # a WMO301 needs an address (TR061)
    return SimpleNamespace(
        consulent=aanbod.consulent, aanbieder=aanbod.aanbieder, systeem=aanbod.systeem,
        bp=traject.bp, soest=Gemeente.objects.get(code=SOEST),
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def toewijzing_tot_juli(opzet, omvang=DRIE_UUR_PER_WEEK):
    """Stap 1 of the case: on 01-01-2023 the gemeente assigns 3 uur per week until 30-06-2023."""
    with freeze_time("2023-01-01 09:00"):
        return maak_toewijzing(
            opzet.consulent, opzet.bp, opzet.aanbieder, D(2023, 1, 1), D(2023, 6, 30), omvang
        )


def wmo301(opzet, sinds, peildatum):
    """The one WMO301 message with the changes since ``sinds``, checked against its XSD, as
    {ToewijzingNummer: {element: text}}."""
    [(_, inhoud)] = wmo301_berichten(opzet.soest, sinds=sinds, peildatum=peildatum)
    xsd = schema("301")
    assert xsd.validate(etree.fromstring(inhoud)), [str(e) for e in xsd.error_log]
    producten = {}
    for el in etree.fromstring(inhoud).iter("{*}ToegewezenProduct"):
        velden = {etree.QName(kind).localname: kind.text for kind in el.iter() if kind is not el}
        producten[velden["ToewijzingNummer"]] = velden
    return producten


# --- the case: verlenging by stretching the einddatum -------------------------------------------


@pytest.mark.iwmo_regel("OP380", "IV093", "IV013", "OP033x1")
def test_case_verlenging_stretches_the_einddatum_of_the_existing_toewijzing(opzet):
    t = toewijzing_tot_juli(opzet)
    # Stap 2: the aanbieder starts on 05-01-2023.
    with freeze_time("2023-01-06 10:00"):
        zorg.start_zorg(t, D(2023, 1, 5), user=opzet.systeem)
    # Stap 3 and 4: medio april the representative asks to go on; on 10-05-2023 the gemeente
    # agrees: the volume and the frequentie (per week) stay, the einddatum has not passed.
    with freeze_time("2023-05-10 14:30"):
        moment = timezone.now()
        assert waarom_niet_oprekken(t) == ""
        verlengd = wijzig_einddatum(opzet.consulent, t, D(2023, 12, 31), "04")
        assert (verlengd.pk, verlengd.nummer) == (t.pk, t.nummer)
        assert (verlengd.ingangsdatum, verlengd.einddatum, verlengd.reden_wijziging) == (
            D(2023, 1, 1), D(2023, 12, 31), "04",
        )  # fmt: skip
        assert Toewijzing.objects.count() == 1
        # The care goes on under the same toewijzing: no new start is needed.
        assert [z.begindatum for z in verlengd.zorgperioden.all()] == [D(2023, 1, 5)]

        bericht = wmo301(opzet, moment, D(2023, 5, 10))
    assert list(bericht) == [str(t.nummer)]
    product = bericht[str(t.nummer)]
    assert product["Toewijzingsdatum"] == "2023-05-10"  # IV013: dated when it was changed
    assert (product["Ingangsdatum"], product["Einddatum"], product["RedenWijziging"]) == (
        "2023-01-01", "2023-12-31", "04",
    )  # fmt: skip
    assert (product["Volume"], product["Eenheid"], product["Frequentie"]) == ("3", "04", "2")
    assert (product["Categorie"], product["Code"]) == ("02", "02R01")


def vraag_verlenging(opzet, t, referentie="VOW-1", **wens):
    """A verzoek om wijziging (WMO317) of ``t`` asking it to run until 31-12-2023."""
    product = {
        "productcategorie": "02", "productcode": "02R01", "volume": 3, "eenheid": "04",
        "frequentie": "2", "ingangsdatum": "2023-01-01", "einddatum": "2023-12-31", **wens,
    }  # fmt: skip
    return indienen(
        opzet.aanbieder, soort="wijziging", referentie=referentie, producten=[product],
        user=opzet.systeem, toewijzing=t, reden="1",
    )  # fmt: skip


@pytest.mark.iwmo_regel("OP380", "IV093")
def test_a_verlenging_asked_by_the_aanbieder_stretches_with_reden_12(opzet):
    t = toewijzing_tot_juli(opzet)
    with freeze_time("2023-05-10 14:30"):
        moment = timezone.now()
        [verlengd] = honoreren(vraag_verlenging(opzet, t), opzet.consulent)
        bericht = wmo301(opzet, moment, D(2023, 5, 10))
    assert (verlengd.pk, verlengd.einddatum, verlengd.reden_wijziging) == (
        t.pk, D(2023, 12, 31), "12",
    )  # fmt: skip
    product = bericht[str(t.nummer)]
    assert (product["Einddatum"], product["RedenWijziging"], product["ReferentieAanbieder"]) == (
        "2023-12-31", "12", "VOW-1",
    )  # fmt: skip


@pytest.mark.iwmo_regel("OP380")
def test_the_reden_fits_the_direction_of_the_change(opzet):
    t = toewijzing_tot_juli(opzet)
    with freeze_time("2023-05-10"):
        with pytest.raises(ValidationError) as exc:
            wijzig_einddatum(opzet.consulent, t, D(2023, 12, 31), "05")  # verkorting
        assert "04 is voor een verlenging" in " ".join(exc.value.message_dict["reden_wijziging"])
        with pytest.raises(ValidationError):
            wijzig_einddatum(opzet.consulent, t, D(2023, 3, 31), "04")  # a shortening
    t.refresh_from_db()
    assert (t.einddatum, t.reden_wijziging) == (D(2023, 6, 30), "")


# --- the conditions that make a verlenging a new toewijzing -------------------------------------


JUNI_30 = D(2023, 6, 30)


def assert_opgevolgd(oud, nieuw, *, einddatum=JUNI_30):
    """``oud`` ended on its unchanged einddatum; ``nieuw`` is a new toewijzing from the next day
    until 31-12-2023 with the same omvang and no RedenWijziging (IV093)."""
    oud.refresh_from_db()
    assert (oud.status, oud.einddatum, oud.reden_wijziging) == ("beeindigd", einddatum, "")
    assert nieuw.pk != oud.pk and nieuw.nummer == oud.nummer + 1 and nieuw.vorige == oud
    assert (nieuw.ingangsdatum, nieuw.einddatum, nieuw.reden_wijziging) == (
        einddatum + datetime.timedelta(days=1), D(2023, 12, 31), "",
    )  # fmt: skip
    assert (nieuw.volume, nieuw.eenheid, nieuw.frequentie) == (
        oud.volume, oud.eenheid, oud.frequentie,
    )  # fmt: skip


@pytest.mark.iwmo_regel("OP380", "IV093")
def test_after_the_einddatum_has_passed_the_verlenging_is_a_new_toewijzing(opzet):
    t = toewijzing_tot_juli(opzet)
    with freeze_time("2023-07-10 11:00"):
        moment = timezone.now()
        assert "30-06-2023 is al verstreken" in waarom_niet_oprekken(t)
        nieuw = wijzig_einddatum(opzet.consulent, t, D(2023, 12, 31), "04")
        bericht = wmo301(opzet, moment, D(2023, 7, 10))
    assert_opgevolgd(t, nieuw)
    # The aanbieder receives the new toewijzing, without a RedenWijziging.
    product = bericht[str(nieuw.nummer)]
    assert (product["Ingangsdatum"], product["Einddatum"], product["Toewijzingsdatum"]) == (
        "2023-07-01", "2023-12-31", "2023-07-10",
    )  # fmt: skip
    assert "RedenWijziging" not in product
    # The ended one is not changed any more.
    with pytest.raises(ValidationError, match="beëindigd en kan niet meer"):
        wijzig_einddatum(opzet.consulent, t, D(2023, 9, 30), "04")


@pytest.mark.iwmo_regel("OP380", "IV093")
def test_a_verlenging_asked_after_the_einddatum_is_a_new_toewijzing_for_the_verzoek(opzet):
    t = toewijzing_tot_juli(opzet)
    with freeze_time("2023-07-10 11:00"):
        moment = timezone.now()
        [nieuw] = honoreren(vraag_verlenging(opzet, t), opzet.consulent)
        bericht = wmo301(opzet, moment, D(2023, 7, 10))
    assert_opgevolgd(t, nieuw)
    assert bericht[str(nieuw.nummer)]["ReferentieAanbieder"] == "VOW-1"


@pytest.mark.iwmo_regel("OP380")
def test_a_total_within_the_period_is_never_stretched(refdata):
    """Frequentie 6 (totaal binnen geldigheidsduur toewijzing): 78 uur for the half year are
    not 78 uur for the whole year, so the verlenging is a new toewijzing."""
    totaal = Omvang(Decimal("78"), "04", "6")
    opzet = bouw_opzet(omvang=totaal)
    t = toewijzing_tot_juli(opzet, omvang=totaal)
    with freeze_time("2023-05-10"):
        assert "totaal binnen de geldigheidsduur" in waarom_niet_oprekken(t)
        nieuw = wijzig_einddatum(opzet.consulent, t, D(2023, 12, 31), "04")
    assert_opgevolgd(t, nieuw)
    # A shortening of such a toewijzing keeps its number.
    with freeze_time("2023-05-10"):
        korter = wijzig_einddatum(opzet.consulent, nieuw, D(2023, 9, 30), "05")
    assert (korter.pk, korter.einddatum) == (nieuw.pk, D(2023, 9, 30))


@pytest.mark.iwmo_regel("OP380", "IV093", "OP257")
def test_a_verlenging_with_another_volume_or_frequentie_is_a_new_toewijzing(refdata):
    """The beschikking leaves the frequentie open; the aanbieder asks to go on from 01-06-2023
    with 4 uur per week, or with 13 uur per maand: the toewijzing ends on 31-05-2023 and a new
    one follows (IV093, voorbeeld 1, product F)."""
    opzet = bouw_opzet(omvang=Omvang())
    for referentie, wens in [
        ("VOW-V", {"volume": 4}),
        ("VOW-F", {"volume": 13, "frequentie": "4"}),
    ]:
        t = toewijzing_tot_juli(opzet)
        with freeze_time("2023-05-10"):
            verzoek = vraag_verlenging(opzet, t, referentie, ingangsdatum="2023-06-01", **wens)
            [nieuw] = honoreren(verzoek, opzet.consulent)
        t.refresh_from_db()
        assert (t.status, t.einddatum, t.reden_wijziging) == ("beeindigd", D(2023, 5, 31), "12")
        assert (nieuw.vorige, nieuw.ingangsdatum, nieuw.einddatum) == (
            t, D(2023, 6, 1), D(2023, 12, 31),
        )  # fmt: skip
        assert (nieuw.volume, nieuw.frequentie) == (
            Decimal(wens["volume"]),
            wens.get("frequentie", "2"),
        )


@pytest.mark.iwmo_regel("OP380")
def test_the_einddatum_screen_says_when_a_verlenging_becomes_a_new_toewijzing(opzet, client):
    t = toewijzing_tot_juli(opzet)
    client.force_login(opzet.consulent)
    url = f"/toegang/toewijzingen/{t.pk}/einddatum/"
    with freeze_time("2023-05-10"):
        assert "wordt een nieuwe toewijzing" not in client.get(url).content.decode()
    with freeze_time("2023-07-10"):
        html = client.get(url).content.decode()
        assert "wordt een nieuwe toewijzing, want de einddatum 30-06-2023 is al verstreken" in html
        response = client.post(url, {"einddatum": "2023-12-31", "reden_wijziging": "04"})
    nieuw = Toewijzing.objects.get(vorige=t)
    assert response.status_code == 302 and response.url.endswith(f"/{nieuw.pk}/")
    with freeze_time("2023-07-10"):
        html = client.get(response.url).content.decode()
    assert f"de verlenging is nieuwe toewijzing {nieuw.nummer}" in html
