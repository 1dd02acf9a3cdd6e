"""Inkoop core: validation, the effective-dated catalogue, tariffs, contracts and their scope."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from demo import inkoop as inkoop_demo
from inkoop.contracten.services import contracten_voor, tarief_op, verlenging_besluiten
from inkoop.models import Aanbieder, Contract, Perceel, Product, Tarief, Verlengingsoptie
from regio.models import AuditEntry, Gemeente, Regio
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()
    return {p.code: p for p in Product.objects.all()}


def gemeente(code):
    return Gemeente.objects.get(code=code)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agb_code", "1234567", "Een AGB-code bestaat uit precies 8 cijfers."),
        ("agb_code", "1234567a", "Een AGB-code bestaat uit precies 8 cijfers."),
        ("kvk_nummer", "1234567", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("postcode", "0123 AB", "Vul een postcode in als 1234 AB (hoofdletters)."),
    ],
)
def test_aanbieder_validation_has_dutch_messages(field, value, message):
    aanbieder = Aanbieder(**{"naam": "Test", "agb_code": "12345678", field: value})
    with pytest.raises(ValidationError) as exc:
        aanbieder.full_clean()
    assert exc.value.message_dict[field] == [message]


def test_valid_aanbieder_passes():
    Aanbieder(
        naam="Test", agb_code="12345678", kvk_nummer="87654321", postcode="3811 AB"
    ).full_clean()


def test_productcategorie_must_be_in_the_iwmo_code_list(catalogus):
    product = catalogus["begeleiding"]
    product.productcategorie = "99"
    with pytest.raises(ValidationError, match="geen iWmo-productcategorie"):
        product.full_clean()


def test_pxq_product_needs_an_eenheid(catalogus):
    product = catalogus["bi-b"]
    product.eenheid = ""
    with pytest.raises(ValidationError, match="eenheid nodig"):
        product.full_clean()


def test_tariff_periods_never_overlap(catalogus):
    product = catalogus["begeleiding-individueel-regulier"]
    overlapping = Tarief(product=product, begin=D(2024, 6, 1), einde=D(2024, 12, 31), bedrag=1)
    with pytest.raises(ValidationError, match="al een tarief"):
        overlapping.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        overlapping.save()
    # Adjacent is fine: a new tariff after the last one ends.
    last = product.tarieven.order_by("-begin").first()
    last.einde = D(2026, 12, 31)
    last.save()
    Tarief.objects.create(product=product, begin=D(2027, 1, 1), bedrag=Decimal("73.00"))


def test_tariff_on_a_date(catalogus):
    product = catalogus["begeleiding-individueel-regulier"]
    assert tarief_op(product, D(2023, 12, 31)).bedrag == Decimal("64.80")
    assert tarief_op(product, D(2024, 1, 1)).bedrag == Decimal("67.30")
    assert tarief_op(product, D(2022, 5, 31)) is None  # the new products start 2022-06-01


def test_catalogue_changes_at_the_2022_2023_boundary(catalogus):
    def codes(regio, on):
        return set(
            Product.objects.active_on(on)
            .filter(perceel__regio__code=regio)
            .values_list("code", flat=True)
        )

    old = {f"interventieniveau-{n}" for n in range(1, 5)} | {
        f"arrangement-{n}" for n in range(1, 4)
    }
    functies = {"begeleiding", "beschermd-thuis", "vinger-aan-de-pols", "begeleid-wonen",
                "stabilisatie-en-observatie", "beschermd-wonen"}  # fmt: skip
    assert codes("amersfoort", D(2022, 12, 31)) == old
    assert codes("amersfoort", D(2023, 1, 1)) == functies
    # Oldambt-Stadskanaal switched earlier (seed 002): new contract from 2022-06-01.
    assert codes("oldambt-stadskanaal", D(2022, 5, 31)) == {"bi-b", "bi-s", "bg-b", "bg-s", "kv"}
    assert codes("oldambt-stadskanaal", D(2022, 6, 1)) == {
        "begeleiding-individueel-regulier", "begeleiding-individueel-plus",
        "begeleiding-groep", "kortdurend-verblijf",
    }  # fmt: skip
    assert catalogus["begeleiding-individueel-plus"].max_duur_maanden == 6


@pytest.fixture
def wbbw_contract(catalogus):
    perceel = Perceel.objects.get(code="wmo-begeleiding-en-beschermd-wonen")
    contract = ContractFactory(
        percelen=[perceel],
        gemeenten=["0307", "0308", "0313", "0327", "0267", "0342", "0351"],
        begin=D(2023, 1, 1),
        einde=D(2026, 12, 31),
    )
    Verlengingsoptie.objects.create(
        contract=contract, volgnummer=1, duur_maanden=24, besluit_uiterlijk=D(2026, 6, 30)
    )
    return contract


def test_which_contracts_cover_a_gemeente_for_a_product_on_a_date(catalogus, wbbw_contract):
    bw, begeleiding = catalogus["beschermd-wonen"], catalogus["begeleiding"]
    soest, nijkerk = gemeente("0342"), gemeente("0267")
    assert list(contracten_voor(soest, bw, D(2023, 1, 1))) == [wbbw_contract]
    assert list(contracten_voor(soest, bw, D(2026, 12, 31))) == [wbbw_contract]
    assert not contracten_voor(soest, bw, D(2022, 12, 31)).exists()  # product not yet valid
    assert not contracten_voor(soest, bw, D(2027, 1, 1)).exists()  # contract ended
    # Nijkerk is in the regio for BW and BT only, not for begeleiding.
    assert list(contracten_voor(nijkerk, bw, D(2024, 5, 1))) == [wbbw_contract]
    assert not contracten_voor(nijkerk, begeleiding, D(2024, 5, 1)).exists()
    # A gemeente the contract does not cover.
    assert not contracten_voor(gemeente("0014"), bw, D(2024, 5, 1)).exists()


def test_an_extension_used_moves_the_end_and_is_audited(catalogus, wbbw_contract):
    bw, soest = catalogus["beschermd-wonen"], gemeente("0342")
    risb = UserFactory(username="risb-verlenging")
    grant(risb, "contractmanager", regio="amersfoort")  # decides on the regio's contracts
    optie = wbbw_contract.verlengingsopties.get()
    contract = verlenging_besluiten(optie, True, user=risb, op=D(2026, 6, 1))
    assert contract.looptijd_einde == D(2028, 12, 31)
    assert list(contracten_voor(soest, bw, D(2028, 12, 31))) == [wbbw_contract]
    assert not contracten_voor(soest, bw, D(2029, 1, 1)).exists()
    entry = AuditEntry.objects.get(actie="change", object_type="inkoop.contract")
    assert entry.actor == "risb-verlenging" and entry.toelichting == {
        "verlenging": 1,
        "benut": True,
    }
    # A decision is final (issue 17 item 14): it is not taken back.
    with pytest.raises(ValidationError, match="al besloten"):
        verlenging_besluiten(optie, False, user=risb, op=D(2026, 6, 1))


def test_old_contracts_cover_veenendaal_until_2021(catalogus):
    inkoop_demo.aanbieders_en_contracten(random.Random(1))
    arrangement = catalogus["arrangement-2"]
    veenendaal = gemeente("0345")
    assert contracten_voor(veenendaal, arrangement, D(2021, 12, 31)).count() == 28
    assert not contracten_voor(veenendaal, arrangement, D(2022, 1, 1)).exists()
    assert contracten_voor(gemeente("0342"), arrangement, D(2022, 6, 1)).count() == 28


def test_contract_scope_per_role(refdata):
    amersfoort_contract = ContractFactory()
    groningen_contract = ContractFactory(
        regio=Regio.objects.get(code="groningen"), gemeenten=["0014"]
    )
    risb = UserFactory(username="risb-a")
    grant(risb, "contractmanager", regio="amersfoort")
    risb_groningen = UserFactory(username="risb-g")
    grant(risb_groningen, "contractmanager", regio="groningen")
    consulent = UserFactory(username="c-soest-contract")
    grant(consulent, "consulent", gemeente="0342")
    eigen = UserFactory(username="aanbieder-x")
    grant(eigen, "aanbieder", aanbieder=amersfoort_contract.aanbieder)

    def visible(user):
        return set(Contract.objects.visible_to(user, "inkoop.view_contract"))

    assert visible(risb) == {amersfoort_contract}
    assert visible(risb_groningen) == {groningen_contract}
    assert visible(consulent) == {amersfoort_contract}  # it covers Soest
    assert visible(eigen) == {amersfoort_contract}
    # Aanbieders are visible where they hold a contract.
    assert set(Aanbieder.objects.visible_to(risb, "inkoop.view_aanbieder")) == {
        amersfoort_contract.aanbieder
    }
    assert groningen_contract.aanbieder not in Aanbieder.objects.visible_to(
        risb, "inkoop.view_aanbieder"
    )
    # A newly registered aanbieder without any contract can be found by every regio's RISB,
    # not by a consulent or another aanbieder.
    nieuw = AanbiederFactory()
    assert nieuw in Aanbieder.objects.visible_to(risb, "inkoop.view_aanbieder")
    assert nieuw in Aanbieder.objects.visible_to(risb_groningen, "inkoop.view_aanbieder")
    assert nieuw not in Aanbieder.objects.visible_to(consulent, "inkoop.view_aanbieder")
    assert set(Aanbieder.objects.visible_to(eigen, "inkoop.view_aanbieder")) == {
        amersfoort_contract.aanbieder
    }


def test_role_defaults_reach_existing_roles_once():
    from django.contrib.auth.models import Permission

    from regio import roles
    from regio.models import Rol

    consulent = Rol.objects.get(code="consulent")
    view_contract = Permission.objects.get(codename="view_contract")
    consulent.group.permissions.remove(view_contract)  # a beheerder took it away
    roles.sync_roles()
    assert not consulent.group.permissions.filter(pk=view_contract.pk).exists()

    extended = roles.RolDefinitie(
        roles.CONSULENT, "Consulent lokaal team", "gemeente",
        (*roles.ROLLEN[0].capabilities, "inkoop.view_locatie"),
    )  # fmt: skip
    original = roles.ROLLEN
    roles.ROLLEN = (extended, *original[1:])
    try:
        roles.sync_roles()
    finally:
        roles.ROLLEN = original
    assert consulent.group.permissions.filter(codename="view_locatie").exists()
    assert not consulent.group.permissions.filter(pk=view_contract.pk).exists()
