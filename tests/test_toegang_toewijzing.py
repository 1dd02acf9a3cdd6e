"""Toewijzingen: contract coverage, periods, omvang per bekostiging, ToewijzingNummer (unique per
gemeente, never reused, also under concurrent creation), iWmo change semantics, and who sees
which toewijzing."""

import datetime
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from regio.iwmo import codelijst
from regio.models import AuditEntry, Gemeente
from tests import scenarios
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    UserFactory,
    dossier_in,
    grant,
)
from tests.factories import beschikt_product as beschikt
from toegang.models import Toewijzing, Toewijzingnummerreeks
from toegang.toewijzingen.services import (
    Omvang,
    Wijziging,
    maak_toewijzing,
    trek_in,
    vervang,
    volgend_nummer,
    wijzig_einddatum,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN, AMERSFOORT = "0342", "0308", "0307"


def bouw_opzet():
    """Regio Amersfoort: a taakgericht perceel with a BW functie and a P×Q perceel with a
    begeleiding product (eenheid uur); two aanbieders contracted for Soest, a consulent; a
    client in Soest with both beschikt for 2025 (the product 10 uur per week)."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-toewijzing", SOEST), product=dict(begeleiding=True),
        gemeenten=[SOEST],
    )  # fmt: skip
    traject = aanbod.traject()
    bp_pxq = aanbod.traject(
        aanbod.product, dossier=traject.dossier, omvang=Omvang(Decimal("10"), "04", "2")
    ).bp

    def toewijzing(bp=None, aanbieder=None, ingang=None, eind=None, omvang=None):
        return aanbod.toewijzing(bp or traject.bp, aanbieder, ingang or D(2025, 2, 1), eind, omvang)

    return SimpleNamespace(
        consulent=aanbod.consulent, taak=aanbod.taak, functie=aanbod.functie,
        aanbieder=aanbod.aanbieder, ander=aanbod.ander, dossier=traject.dossier, bp=traject.bp,
        bp_pxq=bp_pxq, toewijzing=toewijzing,
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def fout_bij(exc, veld):
    return " ".join(exc.value.message_dict.get(veld, []))


# --- contract and period -----------------------------------------------------------------------


def test_a_toewijzing_gets_number_contract_and_the_beschikte_period(opzet):
    t = opzet.toewijzing()
    assert (t.nummer, t.gemeente.code, t.status) == (1, SOEST, "actief")
    assert t.einddatum == D(2025, 12, 31)  # defaults to the beschikt product's end
    assert t.contract.aanbieder == opzet.aanbieder
    assert t.volume is None and t.eenheid == "" and t.frequentie == ""  # taakgericht
    entry = AuditEntry.objects.get(actie="create", object_type="toegang.toewijzing")
    assert entry.object_ids == [str(t.pk)] and entry.toelichting["nummer"] == 1


def test_refused_without_a_covering_contract(opzet):
    zonder = AanbiederFactory(naam="Zonder Contract")
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(aanbieder=zonder)
    assert "Zonder Contract heeft geen contract voor Beschermd wonen in gemeente Soest" in (
        fout_bij(exc, "aanbieder")
    )
    # A contract for another gemeente, or another perceel, does not cover it either.
    baarn = AanbiederFactory(naam="Alleen Baarn")
    ContractFactory(aanbieder=baarn, gemeenten=[BAARN], percelen=[opzet.taak])
    anders = AanbiederFactory(naam="Ander Perceel")
    ContractFactory(aanbieder=anders, gemeenten=[SOEST], percelen=[PerceelFactory()])
    for aanbieder in (baarn, anders):
        with pytest.raises(ValidationError) as exc:
            opzet.toewijzing(aanbieder=aanbieder)
        assert "geen contract" in fout_bij(exc, "aanbieder")
    assert not Toewijzing.objects.exists()
    assert not Toewijzingnummerreeks.objects.exists()  # no number was taken


def test_a_toewijzing_runs_at_most_until_its_contracts_end(opzet):
    """Issue 17 item 8: a beschikking longer than the contract's remaining term is normal; the
    toewijzing is capped at the contract's end (and runs on when it is extended)."""
    kort = AanbiederFactory(naam="Kort Contract")
    ContractFactory(
        aanbieder=kort, gemeenten=[SOEST], percelen=[opzet.taak], begin=D(2023, 1, 1),
        einde=D(2025, 6, 30), kenmerk="AMF-KORT",
    )  # fmt: skip
    t = opzet.toewijzing(aanbieder=kort)
    assert (t.contract.kenmerk, t.einddatum, t.contract_begrensd) == (
        "AMF-KORT", D(2025, 6, 30), True,
    )  # fmt: skip
    trek_in(opzet.consulent, t)
    t = opzet.toewijzing(aanbieder=kort, eind=D(2025, 5, 31))
    assert (t.einddatum, t.contract_begrensd) == (D(2025, 5, 31), False)


@pytest.mark.parametrize(
    "ingang, eind, veld, tekst",
    [
        (D(2024, 12, 31), None, "ingangsdatum", "vóór die van het beschikte product"),
        (D(2026, 1, 2), D(2026, 2, 1), "ingangsdatum", "na het einde van het beschikte product"),
        (D(2025, 2, 1), D(2026, 1, 31), "einddatum", "na het einde van het beschikte product"),
        (D(2025, 3, 1), D(2025, 2, 1), "einddatum", "vóór de ingangsdatum"),
    ],
)
def test_period_within_the_beschikt_product(opzet, ingang, eind, veld, tekst):
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(ingang=ingang, eind=eind)
    assert tekst in fout_bij(exc, veld)


def test_only_a_toegekend_active_product_of_a_vastgestelde_beschikking(opzet):
    concept = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                       opzet.consulent, status="concept")  # fmt: skip
    with pytest.raises(ValidationError, match="kan niet worden toegewezen"):
        opzet.toewijzing(bp=concept)
    bekend = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                      opzet.consulent, status="bekendgemaakt")  # fmt: skip
    assert opzet.toewijzing(bp=bekend).nummer == 1


@pytest.mark.iwmo_regel("OP259", "OP261", "TR302")
def test_taakgericht_has_no_omvang_and_one_aanbieder_at_a_time(opzet):
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(omvang=Omvang(Decimal("3"), "04", "2"))
    assert "geen omvang" in fout_bij(exc, "volume")
    eerste = opzet.toewijzing()
    with pytest.raises(
        ValidationError, match=f"al toegewezen aan Huize Eemland .toewijzing {eerste.nummer}"
    ):
        opzet.toewijzing(aanbieder=opzet.ander, ingang=D(2025, 6, 1))


@pytest.mark.iwmo_regel("OP259")
def test_pxq_carries_omvang_not_more_than_beschikt(opzet):
    bp = opzet.bp_pxq
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(bp=bp)
    assert "Vul het volume in" in fout_bij(exc, "volume")
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(bp=bp, omvang=Omvang(Decimal("11"), "04", "2"))
    assert "Er kan nog 10 worden toegewezen" in fout_bij(exc, "volume")
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(bp=bp, omvang=Omvang(Decimal("4"), "01", "4"))
    assert fout_bij(exc, "eenheid") and fout_bij(exc, "frequentie")
    # Part to one aanbieder, the rest to another; more than the rest is refused.
    t = opzet.toewijzing(bp=bp, omvang=Omvang(Decimal("6"), "04", "2"))
    assert (t.volume, t.eenheid, t.frequentie) == (Decimal("6"), "04", "2")
    with pytest.raises(ValidationError) as exc:
        opzet.toewijzing(bp=bp, aanbieder=opzet.ander, omvang=Omvang(Decimal("5"), "04", "2"))
    assert "Er kan nog 4 worden toegewezen" in fout_bij(exc, "volume")
    assert opzet.toewijzing(bp=bp, aanbieder=opzet.ander, omvang=Omvang(Decimal("4"), "04", "2"))


# --- numbers and iWmo change semantics -----------------------------------------------------------


@pytest.mark.iwmo_regel("TR332", "OP275")
def test_numbers_are_per_gemeente(opzet):
    grant(opzet.consulent, "consulent", gemeente=BAARN)
    ContractFactory(aanbieder=opzet.aanbieder, gemeenten=[BAARN], percelen=[opzet.taak])
    baarn = beschikt(dossier_in(BAARN), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                     opzet.consulent)  # fmt: skip
    assert opzet.toewijzing().nummer == 1
    assert opzet.toewijzing(bp=baarn).nummer == 1
    tweede = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                      opzet.consulent)  # fmt: skip
    assert opzet.toewijzing(bp=tweede).nummer == 2


@pytest.mark.iwmo_regel("OP033x1", "IV099")
def test_an_einddatum_change_keeps_the_number(opzet):
    t = opzet.toewijzing()
    gewijzigd = wijzig_einddatum(opzet.consulent, t, D(2025, 9, 30), "05")
    assert (gewijzigd.pk, gewijzigd.nummer) == (t.pk, t.nummer)
    assert (gewijzigd.einddatum, gewijzigd.reden_wijziging, gewijzigd.status) == (
        D(2025, 9, 30), "05", "actief",
    )  # fmt: skip
    assert Toewijzing.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        wijzig_einddatum(opzet.consulent, t, D(2026, 3, 31), "04")
    assert "na het einde van het beschikte product" in fout_bij(exc, "einddatum")
    with pytest.raises(ValidationError):
        wijzig_einddatum(opzet.consulent, t, D(2025, 10, 31), "13")  # 13 is for withdrawal


@pytest.mark.iwmo_regel("OP257", "IV066")
def test_another_change_ends_the_old_and_makes_a_new_number(opzet):
    oud = opzet.toewijzing()
    w = Wijziging(opzet.bp, opzet.ander, D(2025, 5, 1), D(2025, 12, 31), Omvang(), "09")
    nieuw = vervang(opzet.consulent, oud, w)
    oud.refresh_from_db()
    assert nieuw.nummer == oud.nummer + 1
    assert (nieuw.vorige, nieuw.aanbieder, nieuw.ingangsdatum) == (oud, opzet.ander, D(2025, 5, 1))
    assert (oud.status, oud.einddatum, oud.reden_wijziging) == ("beeindigd", D(2025, 4, 30), "09")
    assert oud.nummer == 1  # the old number stays with the old toewijzing


def test_a_change_of_omvang_is_a_new_toewijzing_too(opzet):
    oud = opzet.toewijzing(bp=opzet.bp_pxq, omvang=Omvang(Decimal("6"), "04", "2"))
    w = Wijziging(opzet.bp_pxq, opzet.aanbieder, D(2025, 7, 1), D(2025, 12, 31),
                  Omvang(Decimal("10"), "04", "2"), "14")  # fmt: skip
    nieuw = vervang(opzet.consulent, oud, w)
    oud.refresh_from_db()
    assert nieuw.nummer != oud.nummer and nieuw.volume == Decimal("10")
    assert oud.status == "beeindigd" and oud.einddatum == D(2025, 6, 30)


def test_a_change_from_the_start_withdraws_the_old(opzet):
    oud = opzet.toewijzing()
    w = Wijziging(opzet.bp, opzet.ander, oud.ingangsdatum, oud.einddatum, Omvang(), "14")
    nieuw = vervang(opzet.consulent, oud, w)
    oud.refresh_from_db()
    assert (oud.status, oud.reden_wijziging, oud.einddatum) == (
        "ingetrokken",
        "13",
        oud.ingangsdatum,
    )
    assert nieuw.vorige == oud and nieuw.nummer == 2


def test_a_change_of_only_the_einddatum_is_not_a_new_toewijzing(opzet):
    oud = opzet.toewijzing()
    w = Wijziging(opzet.bp, opzet.aanbieder, oud.ingangsdatum, D(2025, 8, 31), Omvang(), "05")
    with pytest.raises(ValidationError, match="Einddatum wijzigen"):
        vervang(opzet.consulent, oud, w)
    assert Toewijzing.objects.count() == 1


def test_a_refused_change_leaves_everything_as_it_was(opzet):
    oud = opzet.toewijzing()
    zonder = AanbiederFactory(naam="Zonder Contract")
    w = Wijziging(opzet.bp, zonder, D(2025, 5, 1), D(2025, 12, 31), Omvang(), "09")
    with pytest.raises(ValidationError):
        vervang(opzet.consulent, oud, w)
    oud.refresh_from_db()
    assert (oud.status, oud.einddatum) == ("actief", D(2025, 12, 31))
    assert Toewijzingnummerreeks.objects.get().laatste == 1


@pytest.mark.iwmo_regel("TR332", "TR384", "CS335")
def test_withdrawal_and_numbers_are_never_reused(opzet):
    t = opzet.toewijzing()
    trek_in(opzet.consulent, t)
    t.refresh_from_db()
    assert (t.status, t.reden_wijziging, t.einddatum) == ("ingetrokken", "13", t.ingangsdatum)
    with pytest.raises(ValidationError, match="kan niet meer"):
        trek_in(opzet.consulent, t)
    assert opzet.toewijzing().nummer == 2  # not 1 again
    # The series, not the highest number in the table, decides: a gap is never filled.
    Toewijzingnummerreeks.objects.filter(gemeente__code=SOEST).update(laatste=10)
    tweede = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                      opzet.consulent)  # fmt: skip
    assert opzet.toewijzing(bp=tweede).nummer == 11


@pytest.mark.django_db(transaction=True)
def test_numbers_unique_under_concurrent_creation(refdata):
    """Eight connections create toewijzingen at once for a gemeente without a series row yet
    (the row itself is created under contention), and take bare numbers at once: no number
    twice, no gap."""
    opzet = bouw_opzet()
    producten = [opzet.bp] + [
        beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                 opzet.consulent)
        for _ in range(7)
    ]  # fmt: skip
    start = threading.Barrier(len(producten))
    nummers, fouten = [], []

    def maak(bp):
        try:
            start.wait(timeout=10)
            nummers.append(opzet.toewijzing(bp=bp).nummer)
        except Exception as exc:  # noqa: BLE001 - reported below
            fouten.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=maak, args=(bp,)) for bp in producten]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not fouten, fouten
    assert sorted(nummers) == list(range(1, 9))
    assert sorted(Toewijzing.objects.values_list("nummer", flat=True)) == list(range(1, 9))

    baarn = Gemeente.objects.get(code=BAARN)
    start = threading.Barrier(6)
    genomen = []

    def neem():
        try:
            start.wait(timeout=10)
            for _ in range(5):
                with transaction.atomic():
                    genomen.append(volgend_nummer(baarn))
        except Exception as exc:  # noqa: BLE001
            fouten.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=neem) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not fouten, fouten
    assert sorted(genomen) == list(range(1, 31))
    assert Toewijzingnummerreeks.objects.get(gemeente=baarn).laatste == 30


# --- who sees what -------------------------------------------------------------------------------


def test_the_services_ask_the_scoping_layer_too(opzet):
    """A consulent of Baarn does not even find Soest's products and toewijzingen (404)."""
    from django.http import Http404

    baarn = UserFactory(username="consulent-baarn-svc")
    grant(baarn, "consulent", gemeente=BAARN)
    with pytest.raises(Http404):
        maak_toewijzing(baarn, opzet.bp, opzet.aanbieder, D(2025, 2, 1))
    t = opzet.toewijzing()
    with pytest.raises(Http404):
        trek_in(baarn, t)
    with pytest.raises(Http404):
        wijzig_einddatum(baarn, t, D(2025, 6, 30), "05")
    t.refresh_from_db()
    assert (t.status, t.einddatum) == ("actief", D(2025, 12, 31))


def test_aanbieder_sees_only_its_own_toewijzingen(client, opzet):
    eigen = opzet.toewijzing()
    ander = opzet.toewijzing(bp=opzet.bp_pxq, aanbieder=opzet.ander,
                             omvang=Omvang(Decimal("5"), "04", "2"))  # fmt: skip
    user = UserFactory(username="aanbieder-eemland")
    grant(user, "aanbieder", aanbieder=opzet.aanbieder)
    assert list(Toewijzing.objects.visible_to(user, "toegang.view_toewijzing")) == [eigen]
    client.force_login(user)
    html = client.get("/toegang/toewijzingen/").content.decode()
    assert f"/toegang/toewijzingen/{eigen.pk}/" in html
    assert f"/toegang/toewijzingen/{ander.pk}/" not in html and "De Brug Wonen" not in html
    naam = opzet.dossier.client.persoon.geslachtsnaam
    assert naam not in html  # the aanbieder sees its toewijzing, not the gemeente's dossier
    assert client.get(f"/toegang/toewijzingen/{eigen.pk}/").status_code == 200
    assert client.get(f"/toegang/toewijzingen/{ander.pk}/").status_code == 404
    assert client.get(f"/toegang/toewijzingen/{eigen.pk}/einddatum/").status_code == 404
    assert client.get(f"/toegang/dossiers/{opzet.dossier.pk}/toewijzingen/").status_code == 404
    csv = client.get("/toegang/toewijzingen/?export=csv").content.decode("utf-8-sig")
    assert "Huize Eemland" in csv and "De Brug Wonen" not in csv and naam not in csv


def test_bw_client_of_soest_placed_in_amersfoort(client, opzet):
    persoon = opzet.dossier.client.persoon
    persoon.gemeente_woonplaats = Gemeente.objects.get(code=AMERSFOORT)
    persoon.save()
    t = opzet.toewijzing()
    amersfoort = UserFactory(username="consulent-amersfoort")
    grant(amersfoort, "consulent", gemeente=AMERSFOORT)
    assert t in Toewijzing.objects.visible_to(opzet.consulent, "toegang.view_toewijzing")
    assert t not in Toewijzing.objects.visible_to(amersfoort, "toegang.view_toewijzing")
    client.force_login(amersfoort)
    assert client.get(f"/toegang/toewijzingen/{t.pk}/").status_code == 404
    assert client.get(f"/toegang/dossiers/{opzet.dossier.pk}/").status_code == 404
    assert (
        f"/toegang/toewijzingen/{t.pk}/"
        not in client.get("/toegang/toewijzingen/").content.decode()
    )
    client.force_login(opzet.consulent)
    assert client.get(f"/toegang/toewijzingen/{t.pk}/").status_code == 200
    assert persoon.naam in client.get("/toegang/toewijzingen/").content.decode()


# --- screens -------------------------------------------------------------------------------------


def test_create_through_the_form(client, opzet):
    client.force_login(opzet.consulent)
    url = f"/toegang/beschikte-producten/{opzet.bp.pk}/toewijzen/"
    html = client.get(url).content.decode()
    assert "Huize Eemland" in html and 'name="volume"' not in html  # taakgericht
    response = client.post(url, {"aanbieder": opzet.aanbieder.pk, "ingangsdatum": "2025-02-01"})
    t = Toewijzing.objects.get()
    assert response["Location"] == f"/toegang/toewijzingen/{t.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Toewijzing 1" in page and "Geen: taakgerichte bekostiging" in page
    # The dossier page lists it on the timeline and offers the P×Q product for assignment.
    dossier = client.get(f"/toegang/dossiers/{opzet.dossier.pk}/").content.decode()
    assert f"/toegang/toewijzingen/{t.pk}/" in dossier
    assert f"/toegang/beschikte-producten/{opzet.bp_pxq.pk}/toewijzen/" in dossier


def test_create_form_shows_the_service_refusal_at_the_field(client, opzet):
    client.force_login(opzet.consulent)
    url = f"/toegang/beschikte-producten/{opzet.bp_pxq.pk}/toewijzen/"
    response = client.post(
        url, {"aanbieder": opzet.aanbieder.pk, "ingangsdatum": "2025-02-01", "volume": "12",
              "eenheid": "04", "frequentie": "2"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Er kan nog 10 worden toegewezen" in response.content.decode()
    assert not Toewijzing.objects.exists()


def test_create_for_a_foreign_or_unassignable_product(client, opzet):
    baarn = UserFactory(username="consulent-baarn")
    grant(baarn, "consulent", gemeente=BAARN)
    client.force_login(baarn)
    url = f"/toegang/beschikte-producten/{opzet.bp.pk}/toewijzen/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"aanbieder": opzet.aanbieder.pk}).status_code == 404
    concept = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                       opzet.consulent, status="concept")  # fmt: skip
    client.force_login(opzet.consulent)
    url = f"/toegang/beschikte-producten/{concept.pk}/toewijzen/"
    assert "kan niet worden toegewezen" in client.get(url).content.decode()
    client.post(url, {"aanbieder": opzet.aanbieder.pk, "ingangsdatum": "2025-02-01"})
    assert not Toewijzing.objects.exists()


def test_change_screens_confirm_before_acting(client, opzet):
    t = opzet.toewijzing()
    client.force_login(opzet.consulent)
    url = f"/toegang/toewijzingen/{t.pk}/wijzigen/"
    assert client.get(url).status_code == 200
    data = {
        "beschikt_product": opzet.bp.pk, "aanbieder": opzet.ander.pk,
        "ingangsdatum": "2025-06-01", "einddatum": "2025-12-31", "reden_wijziging": "09",
    }  # fmt: skip
    html = client.post(url, {**data, "actie": "controleer"}).content.decode()
    assert "Wijziging bevestigen" in html and "beëindigd</strong> per 31 mei 2025" in html
    assert Toewijzing.objects.count() == 1
    response = client.post(url, {**data, "actie": "bevestig"})
    nieuw = Toewijzing.objects.get(vorige=t)
    assert response["Location"] == f"/toegang/toewijzingen/{nieuw.pk}/"
    t.refresh_from_db()
    assert t.status == "beeindigd" and nieuw.nummer == 2
    # The old one can no longer be changed.
    assert "kan niet meer worden gewijzigd" in client.get(url).content.decode()


def test_einddatum_and_intrekken_screens(client, opzet):
    t = opzet.toewijzing()
    client.force_login(opzet.consulent)
    url = f"/toegang/toewijzingen/{t.pk}/einddatum/"
    response = client.post(url, {"einddatum": "2025-10-31", "reden_wijziging": "05"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.nummer, t.einddatum, t.reden_wijziging) == (1, D(2025, 10, 31), "05")
    response = client.post(url, {"einddatum": "2026-06-30", "reden_wijziging": "04"})
    assert "na het einde van het beschikte product" in response.content.decode()

    url = f"/toegang/toewijzingen/{t.pk}/intrekken/"
    assert "ten onrechte" in client.get(url).content.decode()
    t.refresh_from_db()
    assert t.status == "actief"  # a GET changes nothing
    assert client.post(url).status_code == 302
    t.refresh_from_db()
    assert (t.status, t.reden_wijziging) == ("ingetrokken", "13")


def test_list_filters_search_and_export(client, opzet):
    eerste = opzet.toewijzing()
    tweede = opzet.toewijzing(bp=opzet.bp_pxq, aanbieder=opzet.ander,
                              omvang=Omvang(Decimal("5"), "04", "2"))  # fmt: skip
    trek_in(opzet.consulent, eerste)
    opzet.dossier.client.persoon.geslachtsnaam = "Verbeek"  # no digits: ?q=2 is a nummer
    opzet.dossier.client.persoon.save()
    client.force_login(opzet.consulent)

    def getoond(query):
        html = client.get("/toegang/toewijzingen/" + query).content.decode()
        return {t.pk for t in (eerste, tweede) if f"/toegang/toewijzingen/{t.pk}/" in html}

    assert getoond("") == {eerste.pk, tweede.pk}
    assert getoond("?status=ingetrokken") == {eerste.pk}
    assert getoond(f"?aanbieder={opzet.ander.pk}") == {tweede.pk}
    assert getoond(f"?q={tweede.nummer}") == {tweede.pk}
    assert getoond("?q=Brug") == {tweede.pk}
    naam = opzet.dossier.client.persoon.geslachtsnaam
    assert getoond(f"?q={naam}") == {eerste.pk, tweede.pk}
    response = client.get("/toegang/toewijzingen/?export=csv&status=actief")
    assert response["Content-Type"].startswith("text/csv")
    regels = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(regels) == 2 and regels[1].startswith(f"{tweede.nummer};Soest;De Brug Wonen")
    assert naam in regels[1]
    xlsx = client.get("/toegang/toewijzingen/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_list_query_count_is_flat(client, opzet):
    client.force_login(opzet.consulent)
    opzet.toewijzing()
    with CaptureQueriesContext(connection) as een:
        client.get("/toegang/toewijzingen/")
    for _ in range(10):
        bp = beschikt(dossier_in(SOEST), opzet.functie, D(2025, 1, 1), D(2025, 12, 31),
                      opzet.consulent)  # fmt: skip
        opzet.toewijzing(bp=bp)
    with CaptureQueriesContext(connection) as elf:
        client.get("/toegang/toewijzingen/")
    assert len(elf) == len(een)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_assign_and_change_with_confirmation(page, live_server, refdata):
    from playwright.sync_api import expect

    from tests.browser import collect_csp_violations, login

    opzet = bouw_opzet()
    violations = collect_csp_violations(page)
    login(page, live_server, opzet.consulent.username)
    page.goto(f"{live_server.url}/toegang/dossiers/{opzet.dossier.pk}/")
    page.locator(f'a[href="/toegang/beschikte-producten/{opzet.bp_pxq.pk}/toewijzen/"]').click()
    expect(page.get_by_role("heading", name="Begeleiding individueel toewijzen")).to_be_visible()
    page.get_by_label("Aanbieder").select_option(label="Huize Eemland")
    page.get_by_label("Ingangsdatum").fill("2025-02-01")
    page.get_by_label("Volume").fill("8")
    page.get_by_role("button", name="Toewijzen").click()
    expect(page.get_by_role("heading", name="Toewijzing 1")).to_be_visible()
    expect(page.get_by_text("8 uur per week")).to_be_visible()

    page.get_by_role("link", name="Andere wijziging").click()
    page.get_by_label("Aanbieder").select_option(label="De Brug Wonen")
    page.get_by_label("Ingangsdatum").fill("2025-07-01")
    page.get_by_label("Reden van de wijziging").select_option("09")
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_text("beëindigd per 30 juni 2025")).to_be_visible()
    assert Toewijzing.objects.count() == 1
    page.get_by_role("button", name="Wijziging bevestigen").click()
    expect(page.get_by_role("heading", name="Toewijzing 2")).to_be_visible()
    expect(page.get_by_role("link", name="Toewijzing 1")).to_be_visible()

    page.goto(f"{live_server.url}/toegang/toewijzingen/")
    expect(
        page.get_by_role("cell", name="Beëindigd — Overstap naar andere aanbieder (09)")
    ).to_be_visible()
    assert violations == []


def test_codes_read_as_names_on_the_toewijzing_pages(client, opzet):
    """A consulent reads what a reden or productcategorie means, not only its iWmo code."""
    t = wijzig_einddatum(opzet.consulent, opzet.toewijzing(), D(2025, 9, 30), "05")
    client.force_login(opzet.consulent)
    categorie = t.beschikt_product.product.productcategorie
    naam = codelijst("WMO020_Productcategorie")[categorie]
    lijst = client.get("/toegang/toewijzingen/").content.decode()
    assert codelijst("WMO002_Reden_wijziging_toewijzing")["05"] in lijst
    detail = client.get(f"/toegang/toewijzingen/{t.pk}/").content.decode()
    assert f'{naam} <span class="muted">({categorie})</span>' in detail
