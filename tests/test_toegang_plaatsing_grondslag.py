"""Issue 17 items 9 and 13: a placement rests on a vastgestelde beschikking, or is a crisis
placement with a reason whose beschikking must follow within the regio's werkdagen (a task on
the werkvoorraad of whoever beschikt, flagged and notified when overdue, closed with its
toewijzing when the beschikking arrives); doorstroom from stabilisatie en observatie to
beschermd wonen."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from regio.models import Notificatie
from tests import scenarios
from tests.factories import locatie
from toegang import termijnen
from toegang.models import Toewijzing, Zorgbeweging
from toegang.wachtlijst import crisis
from toegang.wachtlijst import doorstroom as ds
from toegang.wachtlijst import services as ws

VANDAAG = datetime.date.today()
SINDS = VANDAAG - datetime.timedelta(days=40)


@pytest.fixture
def opzet(refdata):
    return scenarios.wachtlijst(
        ct="ct-grond",
        consulent=scenarios.Gebruiker("cons-grond", "consulent", ("0307",)),
        baarn=scenarios.Gebruiker("cons-baarn", "consulent", ("0308",)),
    )


def wachtend(opzet, functie=None):
    a = scenarios.aanmelding(opzet, "0307", aangemeld_op=SINDS, functie=functie or opzet.bw)
    return ws.op_wachtlijst(a, opzet.ct, SINDS)


def beschikking_voor(dossier, product, user):
    return scenarios.zorgtraject(
        user, product, dossier=dossier, periode=scenarios.LOPEND
    ).beschikking


@pytest.mark.django_db
def test_plaatsen_without_a_beschikking_or_crisis_reason_is_refused(opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    p = ws.reserveren(a, loc, opzet.ct, VANDAAG)
    with pytest.raises(ValidationError) as fout:
        ws.plaatsen(p, opzet.ct, VANDAAG)
    assert "crisis_reden" in fout.value.message_dict
    p.refresh_from_db()
    assert p.status == "gereserveerd" and Toewijzing.objects.count() == 0
    with pytest.raises(ValidationError):
        ds.direct_plaatsen(
            scenarios.aanmelding(opzet, "0307", aangemeld_op=SINDS, functie=opzet.bw),
            loc, opzet.ct, VANDAAG,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_vastgestelde_beschikking_of_the_dossier_carries_the_placement_and_its_toewijzing(
    opzet,
):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    # Not linked to the aanmelding: the dossier's vastgestelde beschikking for the functie counts.
    beschikking = beschikking_voor(a.dossier, opzet.bw, opzet.ct)
    p, notitie = ws.plaatsen(ws.reserveren(a, loc, opzet.ct, VANDAAG), opzet.ct, VANDAAG)
    assert notitie == ""
    assert (p.beschikking, p.crisis_reden, p.beschikken_uiterlijk) == (beschikking, "", None)
    assert p.toewijzing.beschikt_product.beschikking == beschikking
    assert p.toewijzing.aanbieder == opzet.aanbieder
    assert not crisis.open_taken(type(p).objects.all()).exists()


@pytest.mark.django_db
def test_crisis_placement_is_a_task_for_whoever_beschikt_until_the_beschikking_follows(
    opzet, client
):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    geplaatst = VANDAAG - datetime.timedelta(days=14)
    p, notitie = ws.plaatsen(
        ws.reserveren(a, loc, opzet.ct, VANDAAG), opzet.ct, geplaatst,
        crisis_reden="Dakloos en in acuut gevaar.",
    )  # fmt: skip
    termijn = termijnen.plus_werkdagen(geplaatst, 5)
    assert (p.crisis_reden, p.beschikken_uiterlijk, p.toewijzing) == (
        "Dakloos en in acuut gevaar.", termijn, None
    )  # fmt: skip
    assert "Crisisplaatsing" in notitie

    # On the werkvoorraad of the lokaal team of the dossier's gemeente, flagged as overdue; not
    # on that of another gemeente's consulent, nor of the CT (which does not beschikken here).
    cons, baarn = opzet.gebruikers["consulent"], opzet.gebruikers["baarn"]
    url = reverse("toegang:werkvoorraad-crisisplaatsingen")
    client.force_login(cons)
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [p]
    assert "Te laat" in response.content.decode()
    client.force_login(baarn)
    assert list(client.get(url).context["object_list"]) == []
    assert crisis.open_taken(type(p).objects.visible_to(opzet.ct, crisis.BESCHIKKEN)).count() == 0

    # The daily run notifies who may beschikken, once.
    uitkomst = crisis.signaleren(VANDAAG)
    assert uitkomst["notificaties"] == 1
    (n,) = Notificatie.objects.filter(sleutel__startswith="crisisplaatsing:")
    assert n.user == cons and "uiterlijk" in n.tekst
    assert crisis.signaleren(VANDAAG)["notificaties"] == 0
    # Before the deadline nobody is told.
    Notificatie.objects.all().delete()
    assert crisis.signaleren(termijn)["notificaties"] == 0

    # The beschikking arrives: the task closes at once, and the daily run links it and makes the
    # toewijzing to the location's aanbieder.
    beschikking = beschikking_voor(a.dossier, opzet.bw, cons)
    client.force_login(cons)
    assert list(client.get(url).context["object_list"]) == []
    assert crisis.signaleren(VANDAAG)["gesloten"] == 1
    p.refresh_from_db()
    assert p.beschikking == beschikking
    assert p.toewijzing == Toewijzing.objects.get(aanbieder=opzet.aanbieder)


@pytest.mark.django_db
def test_one_click_on_the_aanmelding_makes_the_toewijzing_once_the_beschikking_is_there(
    opzet, client
):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    p = scenarios.plaatsing(opzet, a, loc, VANDAAG)
    client.force_login(opzet.ct)
    detail = client.get(reverse("toegang:aanmelding_detail", args=[a.pk]))
    assert "Beschikking verwerken" in detail.content.decode()
    knop = reverse("toegang:plaatsing_beschikking_verwerken", args=[p.pk])
    client.post(knop)
    p.refresh_from_db()
    assert p.beschikking is None  # nothing yet to process
    beschikking_voor(a.dossier, opzet.bw, opzet.ct)
    assert client.post(knop).status_code == 302
    p.refresh_from_db()
    assert p.beschikking is not None and p.toewijzing is not None


@pytest.mark.django_db
def test_doorstroom_from_stabilisatie_en_observatie_to_beschermd_wonen(refdata):
    opzet = scenarios.wachtlijst(
        ct="ct-so",
        functies={"so": "Stabilisatie en observatie / time-out", "bw": "Beschermd wonen"},
    )
    so, bw = opzet.functies["so"], opzet.functies["bw"]
    loc = locatie(opzet.aanbieder, functies=[so])
    a = scenarios.aanmelding(opzet, "0307", aangemeld_op=SINDS, functie=so)
    a = ws.op_wachtlijst(a, opzet.ct, SINDS)
    p = scenarios.plaatsing(opzet, a, loc, VANDAAG - datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as fout:
        ds.beeindigen(p, opzet.ct, "doorstroom", VANDAAG, "beschermd_wonen", so)
    assert "naar_functie" in fout.value.message_dict
    z, _ = ds.beeindigen(p, opzet.ct, "doorstroom", VANDAAG, "beschermd_wonen", bw)
    assert (z.soort, z.bestemming, z.functie, z.naar_functie) == (
        Zorgbeweging.Soort.DOORSTROOM, "beschermd_wonen", so, bw
    )  # fmt: skip
