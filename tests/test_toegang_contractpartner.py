"""The contractpartner as list keeper (seed 004 §3.2.11): where the regio chose so, the
contractpartner's staff work in the Centrale Toegang screens, scoped to their contract."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from inkoop.models import Product
from regio.jobs import JobContext
from regio.models import JobRun, Regio
from tests import scenarios
from tests.factories import PerceelFactory, ProductFactory, UserFactory, gebruiker, grant
from toegang.models import Aanmelding, Wachtlijstgebeurtenis
from toegang.query import wachtlijst_regios

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
VIEW = "toegang.view_aanmelding"


def aanmelding(wereld, functie=None, gemeente_code="0307"):
    """Aangemeld on 5 January 2024; with a functie also assessed and on the list from the 10th."""
    return scenarios.aanmelding(
        wereld, gemeente_code, aangemeld_op=D(2024, 1, 5), functie=functie,
        wachtend_sinds=D(2024, 1, 10) if functie else None,
    )  # fmt: skip


def bouw_opzet():
    """Amersfoort lets its contractpartner keep the list for the BW perceel; a second perceel
    (begeleiding) has another contract; Groningen keeps its own list with a CT."""
    amersfoort = scenarios.wachtlijst(
        ct="ct-amf", functies={"bw": "Beschermd wonen"}, perceel=dict(code="bw"),
        contract=dict(wachtlijstbeheer=True),
    )  # fmt: skip
    Regio.objects.filter(pk=amersfoort.regio.pk).update(wachtlijstbeheer="contractpartner")
    amersfoort.regio.refresh_from_db()
    ander_perceel = PerceelFactory(regio=amersfoort.regio, begin=D(2020, 1, 1), code="ander")
    to = ProductFactory(perceel=ander_perceel, naam="Time-out", code="to")
    groningen = scenarios.wachtlijst(
        "groningen", ct="ct-gr", functies={"gbw": "Beschermd wonen"}, perceel=dict(code="gbw"),
        contract=False,
    )  # fmt: skip
    return SimpleNamespace(
        regio=amersfoort.regio, bw=amersfoort.bw, contract=amersfoort.contract,
        partner=amersfoort.aanbieder, ct=amersfoort.ct,
        medewerker=gebruiker(
            "cp-medewerker", "wachtlijst-contractpartner", aanbieder=amersfoort.aanbieder
        ),
        op_bw=aanmelding(amersfoort, amersfoort.bw), op_to=aanmelding(amersfoort, to),
        nieuw=aanmelding(amersfoort),
        in_groningen=aanmelding(groningen, groningen.functies["gbw"], gemeente_code="0014"),
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def zichtbaar(user, model=Aanmelding, capability=VIEW):
    return set(model.objects.visible_to(user, capability).values_list("pk", flat=True))


def test_contractpartner_sees_the_list_of_its_contract_only(opzet):
    assert zichtbaar(opzet.medewerker) == {opzet.op_bw.pk, opzet.nieuw.pk}
    # The regional CT still sees the whole list of its regio.
    assert zichtbaar(opzet.ct) == {opzet.op_bw.pk, opzet.op_to.pk, opzet.nieuw.pk}
    events = zichtbaar(
        opzet.medewerker, Wachtlijstgebeurtenis, "toegang.view_wachtlijstgebeurtenis"
    )
    assert events == set(
        Wachtlijstgebeurtenis.objects.filter(aanmelding=opzet.op_bw).values_list("pk", flat=True)
    )
    assert list(wachtlijst_regios(opzet.medewerker, VIEW)) == [opzet.regio]


def test_nothing_when_the_regio_keeps_its_own_list_or_the_contract_ended(opzet):
    Regio.objects.filter(pk=opzet.regio.pk).update(wachtlijstbeheer="centrale_toegang")
    assert zichtbaar(opzet.medewerker) == set()
    assert list(wachtlijst_regios(opzet.medewerker, VIEW)) == []
    Regio.objects.filter(pk=opzet.regio.pk).update(wachtlijstbeheer="contractpartner")
    type(opzet.contract).objects.filter(pk=opzet.contract.pk).update(
        einde=D(2022, 12, 31), looptijd_einde=D(2022, 12, 31)
    )
    assert zichtbaar(opzet.medewerker) == set()


def test_the_aanbieder_role_itself_sees_no_waiting_list(opzet):
    gewoon = UserFactory(username="aanbieder-medewerker")
    grant(gewoon, "aanbieder", aanbieder=opzet.partner)
    assert zichtbaar(gewoon) == set()
    assert zichtbaar(gewoon, capability="toegang.view_plaatsing") == set()


def test_contractpartner_works_in_the_same_screens(opzet, client):
    client.force_login(opzet.medewerker)
    lijst = client.get(reverse("toegang:wachtlijst"))
    assert lijst.status_code == 200
    assert [a.pk for a in lijst.context["object_list"]] == [opzet.op_bw.pk]
    assert (
        client.get(reverse("toegang:aanmelding_detail", args=[opzet.op_bw.pk])).status_code == 200
    )
    assert (
        client.get(reverse("toegang:aanmelding_detail", args=[opzet.op_to.pk])).status_code == 404
    )
    assert (
        client.get(reverse("toegang:aanmelding_detail", args=[opzet.in_groningen.pk])).status_code
        == 404
    )
    # It may change what it keeps: assess the new aanmelding.
    beoordelen = client.get(reverse("toegang:aanmelding_beoordelen", args=[opzet.nieuw.pk]))
    assert beoordelen.status_code == 200
    assert Product.objects.filter(pk=opzet.bw.pk).exists()


def test_contractpartner_makes_the_report_of_its_contract(opzet):
    from toegang.wachtlijst import rapport as wachtlijstrapport
    from toegang.wachtlijst.tasks import wachtlijstrapportage

    run = JobRun.objects.create(
        soort="toegang.wachtlijstrapport", regio=opzet.regio, gestart_door=opzet.medewerker,
        parameters={"regio_id": opzet.regio.pk, "maand": "2024-01"},
    )  # fmt: skip
    uitkomst = wachtlijstrapportage(JobContext(run), regio_id=opzet.regio.pk, maand="2024-01")
    assert uitkomst["stand_eind"] == 1  # the BW client of its contract, not the time-out one
    regio_ct = wachtlijstrapport.rapport(opzet.regio, D(2024, 1, 1), 1, scope=opzet.ct)
    assert sum(r.stand_eind for r in regio_ct.van_maand()) == 2
