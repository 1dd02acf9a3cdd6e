"""Eras on the waiting list (issue 17 item 16): an aanmelding follows the catalogue of its own
date. Regio Amersfoort's arrangementen 1-3 belong to the BW contracts until 2022 (seed 000);
the 2023 perceel has functies whose intensity varies with the client (seed 004)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from demo import inkoop as inkoop_demo
from inkoop.models import Aanbieder, Locatie, Product
from tests import scenarios
from tests.factories import gemeente
from toegang.models import Aanmelding
from toegang.wachtlijst import services as ws
from toegang.wachtlijst.forms import BeoordelingForm

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def wereld(refdata):
    inkoop_demo.catalogus()
    # The CT of regio Amersfoort on the real catalogue (no scenario perceel of its own).
    wereld = scenarios.wachtlijst(contract=False)
    Product.objects.filter(perceel=wereld.perceel).delete()
    return wereld


def functie(code):
    return Product.objects.get(perceel__regio__code="amersfoort", code=code)


def aangemeld(wereld, op):
    return scenarios.aanmelding(wereld, "0307", aangemeld_op=op)


def beoordeling_form(a):
    return BeoordelingForm(
        instance=a, aanbieders=Aanbieder.objects.none(), locaties=Locatie.objects.none()
    )


def beoordeel(wereld, a, functie, arrangement):
    return ws.beoordelen(a, wereld.ct, functie, arrangement, "regulier", "", gemeente("0307"))


def test_a_2026_aanmelding_has_no_arrangement(wereld, client):
    a = aangemeld(wereld, D(2026, 10, 5))
    with pytest.raises(ValidationError) as fout:
        beoordeel(wereld, a, functie("beschermd-wonen"), 2)
    assert "kent geen arrangementen" in fout.value.message_dict["arrangement"][0]
    a = beoordeel(wereld, a, functie("beschermd-wonen"), None)
    a = ws.op_wachtlijst(a, wereld.ct, D(2026, 10, 6))
    client.force_login(wereld.ct)
    detail = client.get(reverse("toegang:aanmelding_detail", args=[a.pk])).content.decode()
    assert "Beschermd wonen" in detail and "arrangement" not in detail.lower()
    lijst = client.get(reverse("toegang:wachtlijst")).content.decode()
    assert "Beschermd wonen" in lijst and "Arr." not in lijst and 'name="arrangement"' not in lijst
    # The assessment form offers the functies of 2026 and no arrangement.
    form = BeoordelingForm(
        instance=a, aanbieders=Aanbieder.objects.none(), locaties=Locatie.objects.none()
    )
    assert "arrangement" not in form.fields
    assert {p.code for p in form.fields["functie"].queryset} == {
        "beschermd-thuis", "vinger-aan-de-pols", "stabilisatie-en-observatie", "beschermd-wonen",
    }  # fmt: skip


def test_a_2021_aanmelding_is_assessed_on_the_arrangementen(wereld, client):
    a = aangemeld(wereld, D(2021, 3, 1))
    form = BeoordelingForm(
        instance=a, aanbieders=Aanbieder.objects.none(), locaties=Locatie.objects.none()
    )
    assert "arrangement" in form.fields
    assert {p.code for p in form.fields["functie"].queryset} == {
        "arrangement-1", "arrangement-2", "arrangement-3",
    }  # fmt: skip
    with pytest.raises(ValidationError) as fout:
        beoordeel(wereld, a, functie("beschermd-wonen"), None)  # a 2023 functie
    assert "catalogus van 01-03-2021" in fout.value.message_dict["functie"][0]
    a = beoordeel(wereld, a, functie("arrangement-2"), 2)
    a = ws.op_wachtlijst(a, wereld.ct, D(2021, 3, 2))
    assert (a.functie.code, a.arrangement) == ("arrangement-2", 2)
    client.force_login(wereld.ct)
    lijst = client.get(reverse("toegang:wachtlijst")).content.decode()
    assert "Arr." in lijst and 'name="arrangement"' in lijst
    # Still waiting in 2023, the CT moves the client to a functie of the new catalogue.
    a = ws.functie_wijzigen(a, wereld.ct, functie("beschermd-wonen"), D(2023, 1, 2))
    assert a.functie.code == "beschermd-wonen"


def test_the_data_migration_clears_arrangementen_outside_their_era(wereld):
    oud = beoordeel(wereld, aangemeld(wereld, D(2022, 6, 1)), functie("arrangement-1"), 1)
    nieuw = beoordeel(wereld, aangemeld(wereld, D(2026, 10, 5)), functie("beschermd-wonen"), None)
    Aanmelding.objects.filter(pk=nieuw.pk).update(arrangement=2)  # as the old demo data did
    importlib.import_module("toegang.migrations.0022_arrangement_alleen_in_zijn_tijdvak").wis(
        apps, None
    )
    oud.refresh_from_db(), nieuw.refresh_from_db()
    assert (oud.arrangement, nieuw.arrangement) == (1, None)
