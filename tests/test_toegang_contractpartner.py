"""The contractpartner as list keeper (seed 004 §3.2.11): where the regio chose so, the
contractpartner's staff work in the Centrale Toegang screens, scoped to their contract."""

import datetime

import pytest
from django.urls import reverse

from inkoop.models import Product
from regio.jobs import JobContext
from regio.models import JobRun, Regio
from tests.factories import (
    ContractFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    dossier_in,
    gemeente,
    grant,
    regio,
)
from toegang.models import Aanmelding, Wachtlijstgebeurtenis
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import services as ws

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
VIEW = "toegang.view_aanmelding"


def aanmelding(regio_obj, ct, functie=None, gemeente_code="0307"):
    a = ws.aanmelden(
        dossier_in(gemeente_code),
        ct,
        regio_obj,
        Aanmelding.Route.CRISIS,
        aangemeld_op=D(2024, 1, 5),
    )
    if functie is None:
        return a
    a = ws.beoordelen(a, ct, functie, 1, "regulier", "", gemeente(gemeente_code))
    return ws.op_wachtlijst(a, ct, D(2024, 1, 10))


class Opzet:
    """Amersfoort lets its contractpartner keep the list for the BW perceel; a second perceel
    (begeleiding) has another contract; Groningen keeps its own list with a CT."""

    def __init__(self):
        self.regio = regio("amersfoort")
        Regio.objects.filter(pk=self.regio.pk).update(wachtlijstbeheer="contractpartner")
        self.regio.refresh_from_db()
        self.bw_perceel = PerceelFactory(regio=self.regio, begin=D(2020, 1, 1), code="bw")
        self.ander_perceel = PerceelFactory(regio=self.regio, begin=D(2020, 1, 1), code="ander")
        self.bw = ProductFactory(perceel=self.bw_perceel, naam="Beschermd wonen", code="bw")
        self.to = ProductFactory(perceel=self.ander_perceel, naam="Time-out", code="to")
        self.contract = ContractFactory(
            regio=self.regio, percelen=[self.bw_perceel], begin=D(2020, 1, 1),
            einde=VANDAAG + datetime.timedelta(400), wachtlijstbeheer=True,
        )  # fmt: skip
        self.partner = self.contract.aanbieder
        self.ct = UserFactory(username="ct-amf")
        grant(self.ct, "centrale-toegang", regio="amersfoort")
        self.medewerker = UserFactory(username="cp-medewerker")
        grant(self.medewerker, "wachtlijst-contractpartner", aanbieder=self.partner)
        self.op_bw = aanmelding(self.regio, self.ct, self.bw)
        self.op_to = aanmelding(self.regio, self.ct, self.to)
        self.nieuw = aanmelding(self.regio, self.ct)
        self.groningen = regio("groningen")
        ct_gr = UserFactory(username="ct-gr")
        grant(ct_gr, "centrale-toegang", regio="groningen")
        gr_bw = ProductFactory(
            perceel=PerceelFactory(regio=self.groningen, begin=D(2020, 1, 1), code="gbw"),
            naam="Beschermd wonen", code="gbw",
        )  # fmt: skip
        self.in_groningen = aanmelding(self.groningen, ct_gr, gr_bw, gemeente_code="0014")


@pytest.fixture
def opzet(refdata):
    return Opzet()


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
