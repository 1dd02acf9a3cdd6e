"""The catalogue's domain per functie and the reference data of the eras (issue 17 items 4, 15):
which gemeente may be granted a functie, whose costs enter the BW verevening, Veenendaal's
memberships and Oldambt-Stadskanaal's switch to the new contract on 2022-06-01. The data
migrations are run on rows as the earlier reference data left them."""

import datetime
import importlib
import random
from decimal import Decimal

import pytest
from django.apps import apps

from demo import inkoop as inkoop_demo
from financien.runs import kosten_per_gemeente
from inkoop.contracten.services import contracten_voor
from inkoop.models import Contract, Perceel, Product, Tarief
from regio.models import Domein, Lidmaatschap
from tests.factories.financien import client_met_start, kosten
from tests.factories.inkoop import ContractFactory
from tests.factories.regio import gemeente, regio
from toegang.beschikkingen.producten import ProductRegel, controleer_regels

pytestmark = pytest.mark.django_db
D = datetime.date
WBBW = "wmo-begeleiding-en-beschermd-wonen"


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()
    return {p.code: p for p in Product.objects.filter(perceel__regio__code="amersfoort")}


def migratie(app, naam):
    return importlib.import_module(f"{app}.migrations.{naam}")


def fouten(perceel, gemeente_code, product, begin, einde):
    regel = ProductRegel(product=product)
    controleer_regels(perceel, gemeente(gemeente_code), begin, einde, [regel])
    return regel.fouten


# --- item 4: the domain is a property of the functie ---------------------------------------------


def test_the_2023_functies_follow_omnv_in_their_domain(catalogus):
    domeinen = {code: catalogus[code].domein for code in (
        "begeleiding", "begeleid-wonen", "beschermd-thuis", "vinger-aan-de-pols",
        "stabilisatie-en-observatie", "beschermd-wonen",
    )}  # fmt: skip
    assert domeinen == {
        "begeleiding": Domein.BEGELEIDING,
        "begeleid-wonen": Domein.BEGELEIDING,
        "beschermd-thuis": Domein.BESCHERMD_WONEN,
        "vinger-aan-de-pols": Domein.BESCHERMD_WONEN,
        "stabilisatie-en-observatie": Domein.BESCHERMD_WONEN,
        "beschermd-wonen": Domein.BESCHERMD_WONEN,
    }


def test_nijkerk_is_granted_the_bw_functies_only(catalogus):
    perceel = Perceel.objects.get(code=WBBW)
    begin, einde = D(2024, 3, 1), D(2024, 12, 31)
    for code in ("stabilisatie-en-observatie", "vinger-aan-de-pols", "beschermd-thuis"):
        assert fouten(perceel, "0267", catalogus[code], begin, einde) == {}, code
    for code in ("begeleiding", "begeleid-wonen"):
        (melding,) = fouten(perceel, "0267", catalogus[code], begin, einde)["product"]
        assert "Nijkerk neemt" in melding and "(Begeleiding)" in melding
    # A contract covering Nijkerk covers it for time-out, not for begeleiding.
    contract = ContractFactory(percelen=[perceel], gemeenten=["0267"])
    so = catalogus["stabilisatie-en-observatie"]
    assert list(contracten_voor(gemeente("0267"), so, D(2024, 3, 1))) == [contract]
    assert not contracten_voor(gemeente("0267"), catalogus["begeleiding"], D(2024, 3, 1)).exists()


def test_costs_of_time_out_and_vinger_aan_de_pols_enter_the_bw_verevening(catalogus):
    amersfoort = regio("amersfoort")
    client = client_met_start(amersfoort, "0267", D(2024, 2, 1))
    kosten(
        amersfoort,
        client,
        "0267",
        "1000.00",
        D(2024, 2, 1),
        catalogus["stabilisatie-en-observatie"],
    )
    kosten(amersfoort, client, "0267", "200.00", D(2024, 3, 1), catalogus["vinger-aan-de-pols"])
    kosten(amersfoort, client, "0267", "50.00", D(2024, 3, 1), catalogus["beschermd-thuis"])
    kosten(amersfoort, client, "0267", "999.00", D(2024, 3, 1), catalogus["begeleiding"])
    per_gemeente = kosten_per_gemeente({amersfoort.pk: D(2022, 1, 1)}, 2024)[amersfoort.pk]
    nijkerk = per_gemeente[gemeente("0267").pk]
    assert (nijkerk.totaal, nijkerk.nieuw, nijkerk.zonder_start) == (
        Decimal("1250.00"), Decimal("1250.00"), 0,
    )  # fmt: skip


def test_the_data_migration_moves_existing_functies_to_the_bw_domain(catalogus):
    Product.objects.filter(code__in=["vinger-aan-de-pols", "stabilisatie-en-observatie"]).update(
        domein=Domein.BEGELEIDING
    )
    # A hand-made catalogue: another code, matched by its name.
    perceel = Perceel.objects.get(code=WBBW)
    eigen = Product.objects.create(
        perceel=perceel, code="time-out", naam="Time-out", soort="functie",
        domein=Domein.BEGELEIDING, productcategorie="04", begin=D(2023, 1, 1),
    )  # fmt: skip
    oldambt = Product.objects.get(code="kortdurend-verblijf")  # another regio: left alone
    migratie("inkoop", "0008_functie_domein_volgens_omnv").domein_bij_functie(apps, None)
    domein = dict(Product.objects.values_list("pk", "domein"))
    assert domein[catalogus["vinger-aan-de-pols"].pk] == Domein.BESCHERMD_WONEN
    assert domein[catalogus["stabilisatie-en-observatie"].pk] == Domein.BESCHERMD_WONEN
    assert domein[eigen.pk] == Domein.BESCHERMD_WONEN
    assert domein[catalogus["begeleiding"].pk] == Domein.BEGELEIDING
    assert domein[catalogus["begeleid-wonen"].pk] == Domein.BEGELEIDING
    assert domein[oldambt.pk] == Domein.BEGELEIDING


# --- item 15: reference data ------------------------------------------------------------------


def begeleiding_leden(on):
    return set(
        Lidmaatschap.objects.active_on(on)
        .filter(regio__code="amersfoort", domein=Domein.BEGELEIDING)
        .values_list("gemeente__code", flat=True)
    )


def test_veenendaal_was_never_a_begeleiding_member(refdata):
    zes = {"0307", "0308", "0313", "0327", "0342", "0351"}
    assert begeleiding_leden(D(2020, 6, 1)) == zes
    assert begeleiding_leden(D(2021, 12, 31)) == zes
    # Still a BW member until it left for Ede's region.
    veenendaal = Lidmaatschap.objects.filter(gemeente__code="0345", regio__code="amersfoort")
    assert list(veenendaal.values_list("domein", "einde")) == [
        (Domein.BESCHERMD_WONEN, D(2021, 12, 31))
    ]


def test_the_data_migration_removes_veenendaals_begeleiding_membership(refdata):
    Lidmaatschap.objects.create(
        regio=regio("amersfoort"), gemeente=gemeente("0345"), domein=Domein.BEGELEIDING,
        einde=D(2021, 12, 31),
    )  # fmt: skip
    migratie("regio", "0011_veenendaal_nooit_begeleiding").verwijder(apps, None)
    assert "0345" not in begeleiding_leden(D(2020, 6, 1))
    assert (
        Lidmaatschap.objects.filter(gemeente__code="0345", domein=Domein.BESCHERMD_WONEN).count()
        == 2
    )  # Amersfoort until 2021, Vallei-regio from 2022


@pytest.fixture
def oldambt(refdata):
    inkoop_demo.catalogus()
    inkoop_demo.aanbieders_en_contracten(random.Random(1))


def os_codes(on):
    return set(
        Product.objects.active_on(on)
        .filter(perceel__regio__code="oldambt-stadskanaal")
        .values_list("code", flat=True)
    )


OUD = {"bi-b", "bi-s", "bg-b", "bg-s", "kv"}
NIEUW = {"begeleiding-individueel-regulier", "begeleiding-individueel-plus", "begeleiding-groep",
         "kortdurend-verblijf"}  # fmt: skip


def assert_overgang_juni_2022(looptijd_einde):
    assert os_codes(D(2022, 5, 31)) == OUD
    assert os_codes(D(2022, 6, 1)) == NIEUW
    assert Perceel.objects.get(code="begeleiding-2019").einde == D(2022, 5, 31)
    assert Perceel.objects.get(code="begeleiding-2023").begin == D(2022, 6, 1)
    regulier = Product.objects.get(code="begeleiding-individueel-regulier")
    assert Tarief.objects.active_on(D(2022, 6, 1)).get(product=regulier).bedrag == Decimal("64.80")
    assert not Tarief.objects.active_on(D(2022, 6, 1)).filter(product__code="bi-b").exists()
    oud = Contract.objects.get(kenmerk="OS-2019-01")
    assert (oud.einde, oud.looptijd_einde) == (D(2022, 5, 31), D(2022, 5, 31))
    nieuw = Contract.objects.get(kenmerk="OS-2023-01")
    assert (nieuw.begin, nieuw.einde) == (D(2022, 6, 1), D(2026, 5, 31))  # 4 years
    opties = list(nieuw.verlengingsopties.values_list("duur_maanden", "besluit_uiterlijk"))
    assert opties == [(12, D(2025, 11, 30)), (12, D(2026, 11, 30))]  # 2 x 1
    assert nieuw.looptijd_einde == looptijd_einde
    stadskanaal = gemeente("0037")
    bi_b, regulier = Product.objects.get(code="bi-b"), regulier
    assert contracten_voor(stadskanaal, bi_b, D(2022, 5, 31)).count() == 5
    assert not contracten_voor(stadskanaal, bi_b, D(2022, 6, 1)).exists()
    assert contracten_voor(stadskanaal, regulier, D(2022, 6, 1)).count() == 5


def test_oldambt_stadskanaal_switches_to_the_new_contract_on_1_june_2022(oldambt):
    # No extension decided yet: the demo's contractmanager takes them in a later step
    # (demo.inkoop.verlengingen, tests/test_demo_kalender.py).
    assert_overgang_juni_2022(looptijd_einde=D(2026, 5, 31))


def test_the_data_migration_moves_oldambt_stadskanaal_to_june_2022(oldambt):
    # The rows as the earlier reference data made them: the switch on 2023-01-01.
    oud = Product.objects.filter(code__in=OUD)
    nieuw = Product.objects.filter(code__in=NIEUW)
    Tarief.objects.filter(product__in=oud, einde=D(2022, 5, 31)).update(einde=D(2022, 12, 31))
    oud.update(einde=D(2022, 12, 31))
    Perceel.objects.filter(code="begeleiding-2019").update(einde=D(2022, 12, 31))
    Tarief.objects.filter(product__in=nieuw, begin=D(2022, 6, 1)).update(begin=D(2023, 1, 1))
    Perceel.objects.filter(code="begeleiding-2023").update(begin=D(2023, 1, 1))
    nieuw.update(begin=D(2023, 1, 1))
    Contract.objects.filter(kenmerk__startswith="OS-2019").update(
        einde=D(2022, 12, 31), looptijd_einde=D(2022, 12, 31)
    )
    Contract.objects.filter(kenmerk__startswith="OS-2023").update(
        begin=D(2023, 1, 1), einde=D(2025, 12, 31), looptijd_einde=D(2026, 12, 31)
    )
    for volgnummer, besluit in ((1, D(2025, 6, 30)), (2, D(2026, 6, 30))):
        apps.get_model("inkoop", "Verlengingsoptie").objects.filter(
            contract__kenmerk__startswith="OS-2023", volgnummer=volgnummer
        ).update(besluit_uiterlijk=besluit)
    # As the earlier reference data had it: the first extension used.
    apps.get_model("inkoop", "Verlengingsoptie").objects.filter(
        contract__kenmerk__startswith="OS-2023", volgnummer=1
    ).update(benut=True)
    # One contract whose end someone already decided by hand keeps it.
    Contract.objects.filter(kenmerk="OS-2023-05").update(einde=D(2026, 8, 31))
    assert os_codes(D(2022, 6, 1)) == OUD

    migratie("inkoop", "0009_oldambt_stadskanaal_overgang_juni_2022").overgang(apps, None)

    assert_overgang_juni_2022(looptijd_einde=D(2027, 5, 31))  # the first extension was used
    eigen = Contract.objects.get(kenmerk="OS-2023-05")
    assert (eigen.begin, eigen.einde) == (D(2022, 6, 1), D(2026, 8, 31))
