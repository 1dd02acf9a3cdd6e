"""Plaatsing: reserve, confirm, place (uitstroom geplaatst + toewijzing), lapse; capacity is
never overbooked, also not under 20 concurrent reservations."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from tests import scenarios
from tests.factories import UserFactory, grant, locatie
from tests.test_toegang_wachtlijst import VANDAAG, wachtend
from toegang.models import (
    Aanmelding,
    Plaatsing,
    Toewijzing,
    Wachtlijstgebeurtenis,
)
from toegang.wachtlijst import services as ws

D = datetime.date


@pytest.fixture
def opzet(refdata):
    return scenarios.wachtlijst()


def beschikking_voor(dossier, product, user):
    """A vastgestelde beschikking with one active toegekend product, running now."""
    return scenarios.zorgtraject(
        user, product, dossier=dossier, periode=scenarios.LOPEND
    ).beschikking


@pytest.mark.django_db
def test_reserve_confirm_place_makes_uitstroom_and_toewijzing(opzet):
    loc = locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw])
    a = wachtend(opzet, sinds=VANDAAG - datetime.timedelta(40))
    beschikking = beschikking_voor(a.dossier, opzet.bw, opzet.ct)
    ws.beschikking_koppelen(a, opzet.ct, beschikking)

    p = ws.reserveren(a, loc, opzet.ct, VANDAAG)
    a.refresh_from_db()
    assert (p.status, a.status, ws.vrij_op(loc, VANDAAG)) == ("gereserveerd", "gereserveerd", 1)
    assert ws.passende_locaties(a, VANDAAG)[0].vrij == 1
    p = ws.bevestigen(p, opzet.ct)
    assert p.status == "bevestigd"
    p, notitie = ws.plaatsen(p, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)

    assert notitie == ""
    assert p.status == "geplaatst" and p.geplaatst_op == VANDAAG
    t = Toewijzing.objects.get()
    assert p.toewijzing == t and t.aanbieder == opzet.aanbieder
    a.refresh_from_db()
    assert (a.status, a.uitstroomreden, a.uitstroom_op) == ("geplaatst", "geplaatst", VANDAAG)
    uit = Wachtlijstgebeurtenis.objects.get(soort="uitstroom")
    assert (uit.reden, uit.datum, uit.wachtend_sinds) == ("geplaatst", VANDAAG, a.wachtend_sinds)
    assert ws.vrij_op(loc, VANDAAG) == 1  # a placed client keeps the place


@pytest.mark.django_db
def test_place_without_beschikking_has_no_toewijzing_and_says_why(opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    p, notitie = ws.plaatsen(
        ws.reserveren(a, loc, opzet.ct, VANDAAG),
        opzet.ct,
        VANDAAG,
        crisis_reden=scenarios.CRISIS_REDEN,
    )
    # A crisis placement (issue 17 item 9): the toewijzing follows the beschikking.
    assert p.toewijzing is None and "Crisisplaatsing" in notitie
    assert p.beschikken_uiterlijk is not None
    assert Toewijzing.objects.count() == 0


@pytest.mark.django_db
def test_lapse_frees_the_place_and_the_client_waits_again(opzet):
    loc = locatie(opzet.aanbieder, plaatsen=1, functies=[opzet.bw])
    a, b = wachtend(opzet), wachtend(opzet)
    p = ws.reserveren(a, loc, opzet.ct, VANDAAG)
    with pytest.raises(ws.GeenPlaats):
        ws.reserveren(b, loc, opzet.ct, VANDAAG)
    ws.vervallen(p, opzet.ct, VANDAAG)
    a.refresh_from_db()
    assert a.status == "wachtend" and ws.vrij_op(loc, VANDAAG) == 1
    assert ws.reserveren(b, loc, opzet.ct, VANDAAG).status == "gereserveerd"
    assert Wachtlijstgebeurtenis.objects.filter(soort="uitstroom").count() == 0


@pytest.mark.django_db
def test_reservation_refuses_unfit_or_excluded_locations(opzet):
    a = wachtend(opzet, huisdieren=True)
    zonder_dieren = locatie(opzet.aanbieder, functies=[opzet.bw])
    andere_functie = locatie(opzet.aanbieder, functies=[opzet.bt], huisdieren=True)
    for loc in (zonder_dieren, andere_functie):
        with pytest.raises(ValidationError):
            ws.reserveren(a, loc, opzet.ct, VANDAAG)
    assert Plaatsing.objects.count() == 0


@pytest.mark.django_db
def test_leaving_the_list_releases_a_reserved_place(opzet):
    loc = locatie(opzet.aanbieder, plaatsen=1, functies=[opzet.bw])
    a = wachtend(opzet)
    p = ws.reserveren(a, loc, opzet.ct, VANDAAG)
    ws.van_de_lijst(a, opzet.ct, "verhuisd", VANDAAG)
    p.refresh_from_db()
    assert p.status == "vervallen" and ws.vrij_op(loc, VANDAAG) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_reservations_on_three_places(refdata):
    opzet = scenarios.wachtlijst()
    loc = locatie(opzet.aanbieder, plaatsen=3, functies=[opzet.bw])
    aanmeldingen = [wachtend(opzet) for _ in range(20)]
    start = threading.Barrier(20)
    gelukt, geweigerd, anders = [], [], []

    def probeer(a):
        try:
            start.wait()
            ws.reserveren(a, loc, opzet.ct, VANDAAG)
            gelukt.append(a.pk)
        except ws.GeenPlaats as fout:
            geweigerd.append(" ".join(fout.messages))
        except Exception as fout:  # noqa: BLE001 - reported below
            anders.append(repr(fout))
        finally:
            connection.close()

    threads = [threading.Thread(target=probeer, args=(a,)) for a in aanmeldingen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert anders == []
    assert len(gelukt) == 3 and len(geweigerd) == 17
    assert all("geen vrije plaats meer" in tekst for tekst in geweigerd)
    assert Plaatsing.objects.filter(locatie=loc, status__in=Plaatsing.BEZET).count() == 3
    assert Aanmelding.objects.filter(status="gereserveerd").count() == 3


# --- screens ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_screens_reserve_confirm_place_and_lapse(opzet, client):
    loc = locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Eik")
    a = wachtend(opzet)
    client.force_login(opzet.ct)
    detail = reverse("toegang:aanmelding_detail", args=[a.pk])
    response = client.get(detail)
    assert [m.locatie for m in response.context["matches"]] == [loc]

    response = client.post(reverse("toegang:plaatsing_reserveren", args=[a.pk]), {"locatie": "x"})
    assert response.status_code == 302 and Plaatsing.objects.count() == 0
    response = client.post(
        reverse("toegang:plaatsing_reserveren", args=[a.pk]), {"locatie": loc.pk}
    )
    assert response.status_code == 302
    p = Plaatsing.objects.get()
    client.post(reverse("toegang:plaatsing_bevestigen", args=[p.pk]))
    p.refresh_from_db()
    assert p.status == "bevestigd"

    url = reverse("toegang:plaatsing_plaatsen", args=[p.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"datum": "kapot"}).status_code == 200
    p.refresh_from_db()
    assert p.status == "bevestigd"  # nothing happened before the valid POST
    # No beschikking: only a crisis placement with its reason (issue 17 item 9).
    response = client.post(url, {"datum": VANDAAG.isoformat()})
    assert response.status_code == 200 and "crisis_reden" in response.context["form"].errors
    p.refresh_from_db()
    assert p.status == "bevestigd"
    response = client.post(url, {"datum": VANDAAG.isoformat(), "crisis_reden": "Acuut."})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.crisis_reden) == ("geplaatst", "Acuut.")

    b = wachtend(opzet)
    client.post(reverse("toegang:plaatsing_reserveren", args=[b.pk]), {"locatie": loc.pk})
    q = Plaatsing.objects.get(aanmelding=b)
    url = reverse("toegang:plaatsing_vervallen", args=[q.pk])
    assert client.get(url).status_code == 200
    q.refresh_from_db()
    assert q.status == "gereserveerd"
    client.post(url, {"datum": VANDAAG.isoformat()})
    q.refresh_from_db()
    assert q.status == "vervallen"


@pytest.mark.django_db
def test_foreign_ct_gets_404_on_plaatsing_actions(opzet, client):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet)
    p = ws.reserveren(a, loc, opzet.ct, VANDAAG)
    groningen = UserFactory(username="ct-gron-p")
    grant(groningen, "centrale-toegang", regio="groningen")
    client.force_login(groningen)
    for url in (
        reverse("toegang:plaatsing_reserveren", args=[a.pk]),
        reverse("toegang:plaatsing_bevestigen", args=[p.pk]),
        reverse("toegang:plaatsing_plaatsen", args=[p.pk]),
        reverse("toegang:plaatsing_vervallen", args=[p.pk]),
    ):
        assert (
            client.post(url, {"locatie": loc.pk, "datum": VANDAAG.isoformat()}).status_code == 404
        )
    p.refresh_from_db()
    assert p.status == "gereserveerd"
    # A consulent may see but not change the list's placements.
    consulent = UserFactory(username="cons-p")
    grant(consulent, "consulent", gemeente="0307")
    client.force_login(consulent)
    assert client.get(reverse("toegang:aanmelding_detail", args=[a.pk])).status_code == 200
    response = client.post(
        reverse("toegang:plaatsing_vervallen", args=[p.pk]), {"datum": "2025-01-01"}
    )
    assert response.status_code in (403, 404)


@pytest.mark.django_db
def test_place_at_an_aanbieder_without_covering_contract_makes_no_toewijzing(opzet):
    from tests.factories import ContractFactory

    ander = ContractFactory(
        gemeenten=["0342"], percelen=[opzet.perceel], begin=D(2020, 1, 1),
        einde=VANDAAG + datetime.timedelta(400),
    ).aanbieder  # fmt: skip
    loc = locatie(ander, functies=[opzet.bw])
    a = wachtend(opzet, "0307")
    ws.beschikking_koppelen(a, opzet.ct, beschikking_voor(a.dossier, opzet.bw, opzet.ct))
    p, notitie = ws.plaatsen(
        ws.reserveren(a, loc, opzet.ct, VANDAAG),
        opzet.ct,
        VANDAAG,
        crisis_reden=scenarios.CRISIS_REDEN,
    )
    assert p.status == "geplaatst" and p.toewijzing is None
    assert "geen dekkend contract" in notitie
    assert Toewijzing.objects.count() == 0
