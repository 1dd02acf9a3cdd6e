"""In-, door- and uitstroom of care (zorgbewegingen), direct placements outside the list,
buitenregionale plaatsing (reason + four eyes), and the monitoring screen."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse

from regio.models import AuditEntry
from tests import scenarios
from tests.factories import (
    PerceelFactory,
    ProductFactory,
    UserFactory,
    dossier_in,
    grant,
    locatie,
    regio,
)
from toegang.models import (
    Aanmelding,
    Plaatsing,
    Toewijzing,
    Wachtlijstgebeurtenis,
    Zorgbeweging,
)
from toegang.wachtlijst import doorstroom as ds
from toegang.wachtlijst import rapport as wachtlijstrapport
from toegang.wachtlijst import services as ws

D = datetime.date
VANDAAG = datetime.date.today()
GISTEREN = VANDAAG - datetime.timedelta(days=1)
JAN_10 = D(2024, 1, 10)
MAART = D(2024, 3, 1)


# --- setup: the shared waiting list (tests/scenarios.py) --------------------------------------


def bouw_opzet():
    """Regio Amersfoort with a BW perceel (BW, BT), one contracted aanbieder, and two CT
    members (four eyes)."""
    return scenarios.wachtlijst(
        ct="ct-door", collega=scenarios.Gebruiker("ct-door-2", "centrale-toegang")
    )


def beoordeeld(opzet, gemeente_code="0307", functie=None, aangemeld=JAN_10):
    """Assessed but not on the list."""
    return scenarios.aanmelding(
        opzet, gemeente_code, aangemeld_op=aangemeld, functie=functie or opzet.bw,
        urgentie="urgent",
    )  # fmt: skip


def wachtend(opzet, sinds=JAN_10, **kwargs):
    return ws.op_wachtlijst(beoordeeld(opzet, aangemeld=sinds, **kwargs), opzet.ct, sinds)


def geplaatst(opzet, loc, datum=MAART, sinds=JAN_10):
    return scenarios.plaatsing(opzet, wachtend(opzet, sinds=sinds), loc, datum)


def beschikking_voor(dossier, product, user):
    """A vastgestelde beschikking with one active toegekend product, running now."""
    return scenarios.zorgtraject(
        user, product, dossier=dossier, periode=scenarios.LOPEND
    ).beschikking


def goedgekeurd(opzet, a):
    a = ds.buitenregionaal_aanvragen(a, opzet.ct, "Veiligheid: weg uit de eigen wijk.")
    return ds.buitenregionaal_beoordelen(a, opzet.collega, True, "Akkoord.")


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


# --- instroom via the list ------------------------------------------------------------------


@pytest.mark.django_db
def test_plaatsen_records_instroom_via_the_list(opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    p = geplaatst(opzet, loc, datum=D(2024, 3, 1))
    (z,) = Zorgbeweging.objects.all()
    assert (z.soort, z.datum, z.via_wachtlijst, z.buitenregionaal, z.bestemming) == (
        "instroom", D(2024, 3, 1), True, False, ""
    )  # fmt: skip
    assert (z.plaatsing, z.aanmelding, z.regio, z.functie, z.aanbieder) == (
        p, p.aanmelding, opzet.regio, opzet.bw, opzet.aanbieder
    )  # fmt: skip
    assert z.gemeente_herkomst.code == "0307" and z.door == opzet.ct


# --- buitenregionaal ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_membership_is_the_bw_domein_on_the_date(opzet):
    # Nijkerk is a member for BW only (not begeleiding); Veenendaal left at the end of 2021.
    nijkerk = locatie(opzet.aanbieder, functies=[opzet.bw], gemeente_code="0267")
    veenendaal = locatie(opzet.aanbieder, functies=[opzet.bw], gemeente_code="0345")
    assert not ws.buiten_regio(nijkerk, opzet.regio, VANDAAG)
    assert not ws.buiten_regio(veenendaal, opzet.regio, D(2021, 12, 31))
    assert ws.buiten_regio(veenendaal, opzet.regio, D(2022, 1, 1))


@pytest.mark.django_db
def test_outside_the_regio_only_with_approval_matching_and_reserveren(opzet):
    binnen = locatie(opzet.aanbieder, functies=[opzet.bw], naam="Binnen")
    buiten = locatie(opzet.aanbieder, functies=[opzet.bw], naam="Buiten", gemeente_code="0345")
    a = wachtend(opzet)
    assert [m.locatie for m in ws.passende_locaties(a, VANDAAG)] == [binnen]
    assert a not in [k[0] for k in ws.passende_aanmeldingen(buiten, VANDAAG)]
    with pytest.raises(ValidationError) as fout:
        ws.reserveren(a, buiten, opzet.ct, VANDAAG)
    assert "buiten de regio" in " ".join(fout.value.message_dict["locatie"])
    assert Plaatsing.objects.count() == 0

    # A request alone is not enough.
    a = ds.buitenregionaal_aanvragen(a, opzet.ct, "Netwerk in Veenendaal.")
    assert [m.locatie for m in ws.passende_locaties(a, VANDAAG)] == [binnen]
    with pytest.raises(ValidationError):
        ws.reserveren(a, buiten, opzet.ct, VANDAAG)

    a = ds.buitenregionaal_beoordelen(a, opzet.collega, True, "Akkoord, netwerk telt.")
    assert a.buitenregionaal and a.buitenregionaal_status == "goedgekeurd"
    matches = {m.locatie: m for m in ws.passende_locaties(a, VANDAAG)}
    assert set(matches) == {binnen, buiten}
    assert "buiten de regio (goedgekeurd)" in matches[buiten].redenen
    assert "buiten de regio (goedgekeurd)" not in matches[binnen].redenen
    assert a in [k[0] for k in ws.passende_aanmeldingen(buiten, VANDAAG)]

    p = ws.reserveren(a, buiten, opzet.ct, VANDAAG)
    ws.plaatsen(p, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    z = Zorgbeweging.objects.get()
    assert z.buitenregionaal and z.via_wachtlijst


@pytest.mark.django_db
def test_four_eyes_reason_and_capability(opzet, django_user_model):
    a = wachtend(opzet)
    with pytest.raises(ValidationError) as fout:
        ds.buitenregionaal_aanvragen(a, opzet.ct, "   ")
    assert "reden" in fout.value.message_dict
    a = ds.buitenregionaal_aanvragen(a, opzet.ct, "Veiligheid.")
    assert (a.buitenregionaal_status, a.buitenregionaal_aangevraagd_door) == (
        "aangevraagd", opzet.ct
    )  # fmt: skip
    with pytest.raises(ValidationError, match="al gevraagd"):
        ds.buitenregionaal_aanvragen(a, opzet.collega, "Nog eens.")

    # The one who asked cannot approve: a Dutch error, not an IntegrityError.
    with pytest.raises(ValidationError) as fout:
        ds.buitenregionaal_beoordelen(a, opzet.ct, True, "Zelf akkoord.")
    assert "zelf aangevraagd" in " ".join(fout.value.messages)
    # Without the capability: refused (403); of another regio: not even found (404).
    consulent = UserFactory(username="cons-door")
    grant(consulent, "consulent", gemeente="0307")
    groningen = UserFactory(username="ct-gron-door")
    grant(groningen, "centrale-toegang", regio="groningen")
    with pytest.raises(PermissionDenied):
        ds.buitenregionaal_beoordelen(a, consulent, True, "Akkoord.")
    with pytest.raises(Http404):
        ds.buitenregionaal_beoordelen(a, groningen, True, "Akkoord.")
    with pytest.raises(ValidationError) as fout:
        ds.buitenregionaal_beoordelen(a, opzet.collega, False, "")
    assert "toelichting" in fout.value.message_dict
    a.refresh_from_db()
    assert a.buitenregionaal_status == "aangevraagd" and not a.buitenregionaal

    a = ds.buitenregionaal_beoordelen(a, opzet.collega, False, "Er is plek in de regio.")
    assert (a.buitenregionaal_status, a.buitenregionaal, a.buitenregionaal_beoordeeld_door) == (
        "afgewezen", False, opzet.collega
    )  # fmt: skip
    assert a.buitenregionaal_beoordeeld_op is not None
    # After a rejection a new request (with a new reason) may follow.
    a = ds.buitenregionaal_aanvragen(a, opzet.collega, "Nieuwe situatie.")
    a = ds.buitenregionaal_beoordelen(a, opzet.ct, True, "Akkoord.")
    assert a.buitenregionaal and a.buitenregionaal_beoordeeld_door == opzet.ct
    acties = AuditEntry.objects.filter(actie="change", object_type__icontains="aanmelding")
    assert acties.filter(toelichting__buitenregionaal="goedgekeurd").exists()
    assert acties.filter(toelichting__buitenregionaal="afgewezen").exists()


# --- direct placement ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_direct_placement_takes_a_place_and_leaves_the_list_history_alone(opzet):
    loc = locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw])
    wachtend(opzet, sinds=D(2024, 1, 10))
    a = beoordeeld(opzet, aangemeld=D(2024, 2, 1))
    a.route = Aanmelding.Route.LOKAAL_TEAM
    a.save(update_fields=["route"])
    ws.beschikking_koppelen(a, opzet.ct, beschikking_voor(a.dossier, opzet.bw, opzet.ct))
    voor = wachtlijstrapport.bereken(opzet.regio, D(2024, 1, 1), VANDAAG)
    events = Wachtlijstgebeurtenis.objects.count()
    vrij = ws.vrij_op(loc, VANDAAG)

    p, notitie = ds.direct_plaatsen(a, loc, opzet.ct, GISTEREN, crisis_reden=scenarios.CRISIS_REDEN)

    assert notitie == ""
    assert (p.status, p.geplaatst_op) == ("geplaatst", GISTEREN)
    assert p.toewijzing == Toewijzing.objects.get() and p.toewijzing.aanbieder == opzet.aanbieder
    a.refresh_from_db()
    assert (a.status, a.route, a.uitstroomreden) == ("geplaatst", "direct", "geplaatst")
    assert ws.vrij_op(loc, VANDAAG) == vrij - 1
    z = Zorgbeweging.objects.get(aanmelding=a)
    assert (z.soort, z.via_wachtlijst, z.datum, z.plaatsing) == ("instroom", False, GISTEREN, p)
    # No waiting-list event: the report is the same as before.
    assert Wachtlijstgebeurtenis.objects.count() == events
    assert not Wachtlijstgebeurtenis.objects.filter(aanmelding=a).exists()
    assert wachtlijstrapport.bereken(opzet.regio, D(2024, 1, 1), VANDAAG) == voor


@pytest.mark.django_db
def test_direct_placement_refusals(opzet):
    vol = locatie(opzet.aanbieder, plaatsen=1, functies=[opzet.bw], naam="Vol")
    buiten = locatie(opzet.aanbieder, functies=[opzet.bw], gemeente_code="0345")
    andere_functie = locatie(opzet.aanbieder, functies=[opzet.bt])
    ws.reserveren(wachtend(opzet), vol, opzet.ct, VANDAAG)  # the only place is reserved
    a = beoordeeld(opzet)
    with pytest.raises(ws.GeenPlaats, match="geen vrije plaats meer"):
        ds.direct_plaatsen(a, vol, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    for loc, veld in ((buiten, "locatie"), (andere_functie, "locatie")):
        with pytest.raises(ValidationError) as fout:
            ds.direct_plaatsen(a, loc, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
        assert veld in fout.value.message_dict
    ruim = locatie(opzet.aanbieder, functies=[opzet.bw])
    with pytest.raises(ValidationError) as fout:
        ds.direct_plaatsen(
            a,
            ruim,
            opzet.ct,
            VANDAAG + datetime.timedelta(days=1),
            crisis_reden=scenarios.CRISIS_REDEN,
        )
    assert "datum" in fout.value.message_dict
    # A waiting client is placed via the list; a client without functie is assessed first.
    with pytest.raises(ValidationError, match="via de wachtlijst"):
        ds.direct_plaatsen(
            wachtend(opzet), ruim, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN
        )
    zonder = ws.aanmelden(dossier_in("0307"), opzet.ct, opzet.regio, "crisis", D(2024, 1, 1))
    with pytest.raises(ValidationError) as fout:
        ds.direct_plaatsen(zonder, ruim, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    assert "functie" in fout.value.message_dict
    assert Plaatsing.objects.filter(status="geplaatst").count() == 0
    assert Zorgbeweging.objects.count() == 0
    # With approval a buitenregionale direct placement is recorded and flagged.
    a = goedgekeurd(opzet, a)
    p, _ = ds.direct_plaatsen(a, buiten, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    assert Zorgbeweging.objects.get(plaatsing=p).buitenregionaal
    a.refresh_from_db()
    assert a.route == "crisis"  # a crisis placement keeps its route (beschikking term)


@pytest.mark.django_db(transaction=True)
def test_direct_placements_and_reservations_at_once_never_overbook(refdata):
    opzet = bouw_opzet()
    loc = locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw])
    wachtenden = [wachtend(opzet) for _ in range(4)]
    directen = [beoordeeld(opzet) for _ in range(4)]
    start = threading.Barrier(8)
    gelukt, geweigerd, anders = [], [], []

    def probeer(actie):
        try:
            start.wait()
            actie()
            gelukt.append(1)
        except ws.GeenPlaats:
            geweigerd.append(1)
        except Exception as fout:  # noqa: BLE001 - reported below
            anders.append(repr(fout))
        finally:
            connection.close()

    acties = [lambda a=a: ws.reserveren(a, loc, opzet.ct, VANDAAG) for a in wachtenden] + [
        lambda a=a: ds.direct_plaatsen(
            a, loc, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN
        )
        for a in directen
    ]
    threads = [threading.Thread(target=probeer, args=(actie,)) for actie in acties]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert anders == []
    assert (len(gelukt), len(geweigerd)) == (2, 6)
    assert Plaatsing.objects.filter(locatie=loc, status__in=Plaatsing.BEZET).count() == 2


# --- doorstroom and uitstroom ------------------------------------------------------------------


@pytest.mark.django_db
def test_doorstroom_ends_the_placement_frees_the_place_and_ends_the_toewijzing(opzet):
    loc = locatie(opzet.aanbieder, plaatsen=1, functies=[opzet.bw])
    a = beoordeeld(opzet)
    ws.beschikking_koppelen(a, opzet.ct, beschikking_voor(a.dossier, opzet.bw, opzet.ct))
    geplaatst_op = VANDAAG - datetime.timedelta(days=10)
    p, _ = ds.direct_plaatsen(a, loc, opzet.ct, geplaatst_op, crisis_reden=scenarios.CRISIS_REDEN)
    t = p.toewijzing
    assert ws.vrij_op(loc, VANDAAG) == 0

    with pytest.raises(ValidationError) as fout:
        ds.beeindigen(p, opzet.ct, "doorstroom", geplaatst_op - datetime.timedelta(1),
                      "beschermd_thuis")  # fmt: skip
    assert "datum" in fout.value.message_dict
    with pytest.raises(ValidationError) as fout:
        ds.beeindigen(p, opzet.ct, "doorstroom", VANDAAG + datetime.timedelta(1),
                      "beschermd_thuis")  # fmt: skip
    assert "datum" in fout.value.message_dict
    with pytest.raises(ValidationError) as fout:
        ds.beeindigen(p, opzet.ct, "doorstroom", VANDAAG, "wlz")
    assert "bestemming" in fout.value.message_dict
    vreemd = ProductFactory(perceel=PerceelFactory(regio=regio("groningen")), code="x")
    with pytest.raises(ValidationError) as fout:
        ds.beeindigen(p, opzet.ct, "doorstroom", VANDAAG, "beschermd_thuis", vreemd)
    assert "naar_functie" in fout.value.message_dict
    p.refresh_from_db()
    assert p.status == "geplaatst" and Zorgbeweging.objects.count() == 1

    datum = VANDAAG - datetime.timedelta(days=2)
    z, notitie = ds.beeindigen(
        p, opzet.ct, "doorstroom", datum, "beschermd_thuis", opzet.bt, toelichting="Gaat goed."
    )
    p.refresh_from_db()
    assert (p.status, p.beeindigd_op) == ("beeindigd", datum)
    assert ws.vrij_op(loc, VANDAAG) == 1
    assert (z.soort, z.bestemming, z.naar_functie, z.functie, z.datum) == (
        "doorstroom", "beschermd_thuis", opzet.bt, opzet.bw, datum
    )  # fmt: skip
    assert (z.via_wachtlijst, z.aanbieder, z.toelichting) == (False, opzet.aanbieder, "Gaat goed.")
    t.refresh_from_db()
    assert (t.einddatum, t.reden_wijziging) == (datum, "05")
    assert str(t.nummer) in notitie
    with pytest.raises(ValidationError, match="lopende plaatsing"):
        ds.beeindigen(p, opzet.ct, "uitstroom", VANDAAG, "anders")


@pytest.mark.django_db
def test_uitstroom_overleden_uses_the_iwmo_reason(opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet, sinds=VANDAAG - datetime.timedelta(days=20))
    ws.beschikking_koppelen(a, opzet.ct, beschikking_voor(a.dossier, opzet.bw, opzet.ct))
    p, _ = ws.plaatsen(
        ws.reserveren(a, loc, opzet.ct, VANDAAG),
        opzet.ct,
        GISTEREN,
        crisis_reden=scenarios.CRISIS_REDEN,
    )
    z, _ = ds.beeindigen(p, opzet.ct, "uitstroom", VANDAAG, "overleden")
    assert (z.soort, z.bestemming, z.via_wachtlijst) == ("uitstroom", "overleden", True)
    p.toewijzing.refresh_from_db()
    assert (p.toewijzing.einddatum, p.toewijzing.reden_wijziging) == (VANDAAG, "02")


# --- monitoring ----------------------------------------------------------------------------------


def _monitoring_opzet(opzet):
    """A hand-made year: March two instroom via the list, April one direct, May a doorstroom
    to BT, June an uitstroom to the Wlz and a buitenregionale placement; 2023 and Groningen
    must not count."""
    loc = locatie(opzet.aanbieder, plaatsen=10, functies=[opzet.bw], naam="De Eik")
    buiten = locatie(opzet.aanbieder, functies=[opzet.bw], naam="Veense Hof",
                     gemeente_code="0345")  # fmt: skip
    p1 = geplaatst(opzet, loc, D(2024, 3, 4))
    p2 = geplaatst(opzet, loc, D(2024, 3, 20))
    p3, _ = ds.direct_plaatsen(
        beoordeeld(opzet), loc, opzet.ct, D(2024, 4, 2), crisis_reden=scenarios.CRISIS_REDEN
    )
    ds.beeindigen(p1, opzet.ct, "doorstroom", D(2024, 5, 6), "beschermd_thuis")
    ds.beeindigen(p2, opzet.ct, "uitstroom", D(2024, 6, 7), "wlz")
    a = goedgekeurd(opzet, wachtend(opzet))
    ws.plaatsen(
        ws.reserveren(a, buiten, opzet.ct, VANDAAG),
        opzet.ct,
        D(2024, 6, 10),
        crisis_reden=scenarios.CRISIS_REDEN,
    )
    geplaatst(opzet, loc, D(2023, 12, 30), sinds=D(2023, 11, 1))
    return p3


@pytest.mark.django_db
def test_monitoring_counts_a_hand_made_year(opzet, client):
    _monitoring_opzet(opzet)
    client.force_login(opzet.ct)
    url = reverse("toegang:zorgbewegingen")
    response = client.get(url, {"regio": "amersfoort", "jaar": "2024"})
    assert response.status_code == 200
    kolommen = [k for k, _ in response.context["kolommen"]]
    rijen = {
        (r["maand"], r["functie__naam"]): {k: r[k] for k in kolommen if r[k]}
        for r in response.context["rijen"]
    }
    assert rijen == {
        (3, "Beschermd wonen"): {"instroom_wachtlijst": 2},
        (4, "Beschermd wonen"): {"instroom_direct": 1},
        (5, "Beschermd wonen"): {"doorstroom_beschermd_thuis": 1},
        (6, "Beschermd wonen"): {"uitstroom_wlz": 1, "instroom_wachtlijst": 1},
    }
    totaal = dict(zip(kolommen, response.context["totaal"], strict=True))
    assert (totaal["instroom_wachtlijst"], totaal["instroom_direct"]) == (3, 1)
    (buiten,) = response.context["object_list"]
    assert (buiten.datum, buiten.gemeente_locatie) == (D(2024, 6, 10), "Veenendaal")
    assert buiten.aanmelding.buitenregionaal_reden.startswith("Veiligheid")
    html = response.content.decode()
    assert "Buitenregionale plaatsingen" in html and "Veense Hof" not in html

    csv = client.get(url, {"regio": "amersfoort", "jaar": "2024", "export": "csv",
                           "tabel": "bewegingen"}).content.decode("utf-8-sig")  # fmt: skip
    regels = csv.strip().splitlines()
    assert regels[0].startswith("maand;functie;instroom_wachtlijst;instroom_direct;")
    assert regels[1].startswith("2024-03;Beschermd wonen;2;0;")
    assert len(regels) == 5
    csv = client.get(url, {"regio": "amersfoort", "jaar": "2024", "export": "csv",
                           "tabel": "buitenregionaal"}).content.decode("utf-8-sig")  # fmt: skip
    regels = csv.strip().splitlines()
    assert regels[0] == "datum;functie;aanbieder;gemeente_locatie;reden"
    assert len(regels) == 2 and ";Veenendaal;Veiligheid" in regels[1]

    response = client.get(url, {"regio": "amersfoort", "jaar": "2023"})
    assert [r["maand"] for r in response.context["rijen"]] == [12]
    response = client.get(url, {"regio": "amersfoort", "jaar": "kapot"})
    assert response.status_code == 200 and response.context["jaar"] == VANDAAG.year


@pytest.mark.django_db
def test_monitoring_is_per_regio(opzet, client):
    _monitoring_opzet(opzet)
    groningen = UserFactory(username="ct-gron-mon")
    grant(groningen, "centrale-toegang", regio="groningen")
    client.force_login(groningen)
    url = reverse("toegang:zorgbewegingen")
    response = client.get(url, {"regio": "amersfoort", "jaar": "2024"})
    assert response.status_code == 200
    assert response.context["regio"].code == "groningen"
    assert response.context["rijen"] == [] and list(response.context["object_list"]) == []
    csv = client.get(url, {"regio": "amersfoort", "jaar": "2024", "export": "csv"})
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 1
    consulent = UserFactory(username="cons-mon")
    grant(consulent, "consulent", gemeente="0307")
    client.force_login(consulent)
    assert client.get(url).status_code == 403


# --- screens -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_screens_direct_placement_doorstroom_with_confirmation(opzet, client):
    loc = locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Linde")
    a = beoordeeld(opzet)
    client.force_login(opzet.ct)
    detail = reverse("toegang:aanmelding_detail", args=[a.pk])
    d = client.get(detail).context["doorstroom"]
    assert d["direct_plaatsen"] and d["lopende_plaatsing"] is None

    url = reverse("toegang:doorstroom_direct_plaatsen", args=[a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"locatie": "x", "datum": "kapot"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {
        "locatie", "datum"
    }  # fmt: skip
    datum = VANDAAG - datetime.timedelta(days=5)
    response = client.post(
        url, {"locatie": loc.pk, "datum": datum.isoformat(), "crisis_reden": "Acuut."}
    )
    assert response.status_code == 302
    p = Plaatsing.objects.get(aanmelding=a)
    assert p.status == "geplaatst"
    d = client.get(detail).context["doorstroom"]
    assert not d["direct_plaatsen"] and d["lopende_plaatsing"] == p
    assert [z.soort for z in d["bewegingen"]] == ["instroom"]

    url = reverse("toegang:plaatsing_doorstroom", args=[p.pk])
    assert client.get(url).status_code == 200
    gegevens = {"datum": VANDAAG.isoformat(), "bestemming": "begeleid_wonen",
                "naar_functie": "", "toelichting": "Eigen woning."}  # fmt: skip
    response = client.post(url, {**gegevens, "bestemming": "wlz", "actie": "controleer"})
    assert response.status_code == 200 and "bestemming" in response.context["form"].errors
    response = client.post(url, {**gegevens, "actie": "controleer"})
    assert response.status_code == 200 and response.context["bevestigen"]
    p.refresh_from_db()
    assert p.status == "geplaatst"  # the confirmation page changed nothing
    response = client.post(url, {**gegevens, "actie": "bevestig"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "beeindigd"
    z = Zorgbeweging.objects.get(soort="doorstroom")
    assert (z.bestemming, z.toelichting) == ("begeleid_wonen", "Eigen woning.")
    response = client.get(reverse("toegang:plaatsing_uitstroom", args=[p.pk]))
    assert response.status_code == 200 and not response.context["lopend"]


@pytest.mark.django_db
def test_screens_buitenregionaal_request_and_four_eyes(opzet, client):
    a = wachtend(opzet)
    client.force_login(opzet.ct)
    url = reverse("toegang:buitenregionaal_aanvragen", args=[a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reden": ""})
    assert response.status_code == 200 and "reden" in response.context["form"].errors
    assert client.post(url, {"reden": "Veiligheid."}).status_code == 302

    beoordelen = reverse("toegang:buitenregionaal_beoordelen", args=[a.pk])
    assert not client.get(reverse("toegang:aanmelding_detail", args=[a.pk])).context["doorstroom"][
        "buitenregionaal_beoordelen"
    ]
    response = client.post(beoordelen, {"besluit": "goedkeuren", "toelichting": "Ik mag dit."})
    assert response.status_code == 200
    assert "zelf aangevraagd" in " ".join(response.context["form"].non_field_errors())
    a.refresh_from_db()
    assert a.buitenregionaal_status == "aangevraagd"

    client.force_login(opzet.collega)
    detail = client.get(reverse("toegang:aanmelding_detail", args=[a.pk]))
    assert detail.context["doorstroom"]["buitenregionaal_beoordelen"]
    response = client.post(beoordelen, {"besluit": "goedkeuren", "toelichting": ""})
    assert response.status_code == 200 and "toelichting" in response.context["form"].errors
    response = client.post(beoordelen, {"besluit": "goedkeuren", "toelichting": "Akkoord."})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.buitenregionaal and a.buitenregionaal_beoordeeld_door == opzet.collega


@pytest.mark.django_db
def test_foreign_ct_gets_404_and_consulent_cannot_act(opzet, client):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    a = beoordeeld(opzet)
    b = wachtend(opzet)
    ds.buitenregionaal_aanvragen(b, opzet.ct, "Veiligheid.")
    p = geplaatst(opzet, loc, datum=GISTEREN, sinds=D(2024, 1, 10))
    groningen = UserFactory(username="ct-gron-scr")
    grant(groningen, "centrale-toegang", regio="groningen")
    urls = [
        reverse("toegang:doorstroom_direct_plaatsen", args=[a.pk]),
        reverse("toegang:buitenregionaal_aanvragen", args=[a.pk]),
        reverse("toegang:buitenregionaal_beoordelen", args=[b.pk]),
        reverse("toegang:plaatsing_doorstroom", args=[p.pk]),
        reverse("toegang:plaatsing_uitstroom", args=[p.pk]),
    ]
    data = {"locatie": loc.pk, "datum": VANDAAG.isoformat(), "reden": "x",
            "besluit": "goedkeuren", "toelichting": "x", "bestemming": "wlz",
            "actie": "bevestig"}  # fmt: skip
    client.force_login(groningen)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    consulent = UserFactory(username="cons-scr")
    grant(consulent, "consulent", gemeente="0307")
    client.force_login(consulent)
    assert client.get(reverse("toegang:aanmelding_detail", args=[a.pk])).status_code == 200
    for url in urls:
        assert client.post(url, data).status_code in (403, 404), url
    a.refresh_from_db()
    b.refresh_from_db()
    p.refresh_from_db()
    assert (a.status, b.buitenregionaal_status, p.status) == (
        "aangemeld", "aangevraagd", "geplaatst"
    )  # fmt: skip
    assert Zorgbeweging.objects.count() == 1


@pytest.mark.django_db
def test_monitoring_query_count_does_not_grow_with_the_rows(opzet, client):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    buiten = locatie(opzet.aanbieder, plaatsen=10, functies=[opzet.bw], gemeente_code="0345")
    binnen = locatie(opzet.aanbieder, plaatsen=10, functies=[opzet.bw])

    def erbij(aantal):
        for n in range(aantal):
            a = goedgekeurd(opzet, wachtend(opzet))
            p = ws.reserveren(a, buiten, opzet.ct, VANDAAG)
            ws.plaatsen(p, opzet.ct, D(2024, 2 + n, 3), crisis_reden=scenarios.CRISIS_REDEN)
            geplaatst(opzet, binnen, D(2024, 2 + n, 5))

    def tel():
        with CaptureQueriesContext(db) as queries:
            response = client.get(reverse("toegang:zorgbewegingen"), {"jaar": "2024"})
        assert response.status_code == 200
        return len(queries), len(response.context["object_list"]), len(response.context["rijen"])

    client.force_login(opzet.ct)
    erbij(1)
    een, *rijen = tel()
    assert rijen == [1, 1]
    erbij(3)
    meer, *rijen = tel()
    assert rijen == [4, 3] and meer == een
