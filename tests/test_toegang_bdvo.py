"""Issue 17 item 11, follow-up: the Centrale Toegang drafts a BDVO from a crisis or
buitenregionale aanmelding (the screen, who may, four eyes with RISB's approval on the contract
page), the placement can then choose that aanbieder, and a declaratie line on a BDVO toewijzing
is checked against the BDVO's own tariff."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from inkoop.contracten.services import bdvo_goedkeuren, bdvo_opstellen
from inkoop.models import Contract
from regio.models import AuditEntry
from tests import scenarios
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    LocatieFactory,
    UserFactory,
    grant,
    regio,
)
from tests.factories.inkoop import aanbiedersysteem
from tests.factories.regio import gemeente
from tests.test_toegang_declaraties import regel
from toegang.models import Aanmelding, Plaatsing
from toegang.toewijzingen.declaraties import bedrag_van, indienen
from toegang.toewijzingen.services import Omvang, maak_toewijzing
from toegang.wachtlijst import bdvo as wb
from toegang.wachtlijst import doorstroom as ds
from toegang.wachtlijst import services as ws

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
AMERSFOORT, SOEST = "0307", "0342"


def contractmanager(naam):
    user = UserFactory(username=naam)
    grant(user, "contractmanager", regio="amersfoort")
    return user


@pytest.fixture
def opzet(refdata):
    """Regio Amersfoort's waiting list with two CT members, and an aanbieder without any
    contract that has a location in Amersfoort and one in Ede (outside the regio)."""
    opzet = scenarios.wachtlijst(
        ct="ct-bdvo", collega=scenarios.Gebruiker("ct-bdvo-2", "centrale-toegang")
    )
    opzet.buiten = AanbiederFactory(naam="Zorg Zonder Contract")
    opzet.binnen_loc = LocatieFactory(
        aanbieder=opzet.buiten, functies=[opzet.bw], naam="Eemhuis", gemeente=AMERSFOORT
    )
    opzet.ede = LocatieFactory(
        aanbieder=opzet.buiten, functies=[opzet.bw], naam="Ede", gemeente="0228"
    )
    return opzet


def wachtend(opzet, **kwargs):
    a = scenarios.aanmelding(opzet, AMERSFOORT, functie=opzet.bw, urgentie="urgent", **kwargs)
    return ws.op_wachtlijst(a, opzet.ct, D(2024, 1, 10))


def formulier(opzet, **anders):
    return {
        "aanbieder": opzet.buiten.pk,
        "perceel": opzet.perceel.pk,
        "begin": (VANDAAG - datetime.timedelta(days=5)).isoformat(),
        "einde": (VANDAAG + datetime.timedelta(days=180)).isoformat(),
        "tarief": "245,50",
        "eenheid": "14",
        "kenmerk": "",
        **anders,
    }


def test_the_ct_drafts_a_bdvo_for_a_crisis_risb_approves_and_the_client_is_placed(opzet, client):
    a = wachtend(opzet)  # the crisis route (bemoeizorg)
    assert a.route == Aanmelding.Route.CRISIS
    detail = reverse("toegang:aanmelding_detail", args=[a.pk])
    url = reverse("toegang:aanmelding_bdvo", args=[a.pk])
    client.force_login(opzet.ct)
    assert url in client.get(detail).content.decode()
    # Without a regio contract the aanbieder is no choice yet.
    assert opzet.binnen_loc not in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]

    assert client.get(url).status_code == 200
    response = client.post(
        url, formulier(opzet, tarief="-1", einde=D(2020, 1, 1).isoformat(), eenheid="")
    )
    assert response.status_code == 200
    fouten = response.context["form"].errors
    assert "negatief" in fouten["tarief"][0]
    assert "eenheid" in fouten["eenheid"][0]
    response = client.post(url, formulier(opzet, einde=D(2020, 1, 1).isoformat()))
    assert response.status_code == 200
    assert "vóór de begindatum" in response.context["form"].errors["einde"][0]
    assert not Contract.objects.filter(soort="bdvo").exists()

    response = client.post(url, formulier(opzet))
    assert response.status_code == 302
    bdvo = Contract.objects.get(soort="bdvo")
    assert (bdvo.aanbieder, bdvo.regio, bdvo.bdvo_client, bdvo.bdvo_tarief, bdvo.bdvo_eenheid) == (
        opzet.buiten, opzet.regio, a.client_id, Decimal("245.50"), "14",
    )  # fmt: skip
    assert (bdvo.opgesteld_door, bdvo.goedgekeurd_op) == (opzet.ct, None)
    assert list(bdvo.gemeenten.all()) == [a.dossier.verantwoordelijke_gemeente]
    assert list(bdvo.percelen.all()) == [opzet.perceel]
    entry = AuditEntry.objects.filter(actie="create", object_type="inkoop.contract").latest("pk")
    assert (entry.actor, entry.toelichting) == ("ct-bdvo", {"bdvo": "opgesteld"})
    assert str(a.client_id) in [str(c) for c in entry.client_ids]
    pagina = client.get(detail).content.decode()
    assert bdvo.kenmerk in pagina and "wacht op goedkeuring door RISB" in pagina
    # Not approved: still no choice. The CT cannot approve it (RISB does).
    assert opzet.binnen_loc not in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]
    goedkeuren = reverse("inkoop:bdvo-goedkeuren", args=[bdvo.pk])
    assert client.post(goedkeuren).status_code in (403, 404)

    risb = contractmanager("risb-bdvo")
    client.force_login(risb)
    contractpagina = client.get(reverse("inkoop:contract-detail", args=[bdvo.pk]))
    assert "BDVO goedkeuren" in contractpagina.content.decode()
    assert client.post(goedkeuren).status_code == 302
    bdvo.refresh_from_db()
    assert bdvo.goedgekeurd_door == risb

    client.force_login(opzet.ct)
    response = client.get(detail)
    pagina = response.content.decode()
    assert "goedgekeurd" in pagina and "wacht op goedkeuring" not in pagina
    assert opzet.binnen_loc in [m.locatie for m in response.context["matches"]]
    response = client.post(
        reverse("toegang:plaatsing_reserveren", args=[a.pk]), {"locatie": opzet.binnen_loc.pk}
    )
    assert response.status_code == 302
    assert Plaatsing.objects.get(aanmelding=a).locatie == opzet.binnen_loc


def test_a_buitenregionale_aanmelding_only_once_approved(opzet, client):
    a = scenarios.aanmelding(opzet, AMERSFOORT, functie=opzet.bw, urgentie="urgent", route="direct")
    a = ws.op_wachtlijst(a, opzet.ct, D(2024, 1, 10))
    detail = reverse("toegang:aanmelding_detail", args=[a.pk])
    url = reverse("toegang:aanmelding_bdvo", args=[a.pk])
    client.force_login(opzet.ct)
    # Neither crisis nor approved to go outside the regio: no button, and the service refuses.
    assert not wb.bdvo_mogelijk(a)
    assert url not in client.get(detail).content.decode()
    response = client.post(url, formulier(opzet))
    assert response.status_code == 200
    assert "crisis" in " ".join(response.context["form"].non_field_errors())
    # Asked but not yet approved: still not.
    a = ds.buitenregionaal_aanvragen(a, opzet.ct, "Geen passende plek in de regio.")
    assert not wb.bdvo_mogelijk(a)
    a = ds.buitenregionaal_beoordelen(a, opzet.collega, True, "Akkoord.")
    assert url in client.get(detail).content.decode()
    # An aanbieder contracted only in another regio is not listed (isolation), but is named
    # by its AGB code (a public register).
    veendam = AanbiederFactory(naam="Zorg in Veendam")
    ContractFactory(aanbieder=veendam, regio=regio("groningen"), gemeenten=["0014"])
    daar = LocatieFactory(aanbieder=veendam, functies=[opzet.bw], naam="Veendam", gemeente="0765")
    assert "Zorg in Veendam" not in client.get(url).content.decode()
    response = client.post(url, formulier(opzet, aanbieder="", agb_code="12345678"))
    assert "geen aanbieder met deze AGB-code" in response.context["form"].errors["agb_code"][0]
    response = client.post(url, formulier(opzet, aanbieder=""))
    assert "Kies de aanbieder" in response.context["form"].errors["aanbieder"][0]
    per_agb = formulier(opzet, aanbieder="", agb_code=veendam.agb_code, kenmerk="BDVO-VD-1")
    assert client.post(url, per_agb).status_code == 302
    bdvo = Contract.objects.get(soort="bdvo")
    assert (bdvo.kenmerk, bdvo.aanbieder) == ("BDVO-VD-1", veendam)
    # The same draft again (same aanbieder, overlapping) and a kenmerk in use are refused.
    response = client.post(url, {**per_agb, "kenmerk": ""})
    assert "wacht al een BDVO" in response.context["form"].errors["aanbieder"][0]
    response = client.post(url, formulier(opzet, kenmerk="BDVO-VD-1"))
    assert "al een contract met dit kenmerk" in response.context["form"].errors["kenmerk"][0]
    assert Contract.objects.filter(soort="bdvo").count() == 1
    assert daar not in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]
    bdvo_goedkeuren(bdvo, contractmanager("risb-veendam"))
    assert daar in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]


def test_who_may_not_change_the_aanmelding_drafts_nothing(opzet, client):
    a = wachtend(opzet)
    url = reverse("toegang:aanmelding_bdvo", args=[a.pk])
    # A CT of another regio: the aanmelding does not exist for them.
    groningen = UserFactory(username="ct-groningen-bdvo")
    grant(groningen, "centrale-toegang", regio="groningen")
    client.force_login(groningen)
    assert client.get(url).status_code == 404
    assert client.post(url, formulier(opzet)).status_code == 404
    # The lokaal team sees the aanmelding but does not change it.
    consulent = UserFactory(username="consulent-bdvo")
    grant(consulent, "consulent", gemeente=AMERSFOORT)
    client.force_login(consulent)
    assert client.post(url, formulier(opzet)).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        wb.bdvo_voor_aanmelding(
            a, consulent, aanbieder=opzet.buiten, perceel=opzet.perceel, begin=VANDAAG,
            einde=VANDAAG, tarief=Decimal("1"), eenheid="14",
        )  # fmt: skip
    # RISB drafting directly still needs inkoop.add_contract; the CT does not hold it.
    with pytest.raises(PermissionDenied):
        bdvo_opstellen(
            opzet.ct, regio=opzet.regio, aanbieder=opzet.buiten, client_id=a.client_id,
            gemeente=gemeente(AMERSFOORT), perceel=opzet.perceel, begin=VANDAAG,
            einde=VANDAAG, tarief=Decimal("1"),
        )  # fmt: skip
    assert not Contract.objects.filter(soort="bdvo").exists()


def test_the_drafter_never_approves_even_holding_the_risb_role(opzet):
    a = wachtend(opzet)
    grant(opzet.ct, "contractmanager", regio="amersfoort")
    ct = type(opzet.ct).objects.get(pk=opzet.ct.pk)  # without the cached permissions
    bdvo = wb.bdvo_voor_aanmelding(
        a, ct, aanbieder=opzet.buiten, perceel=opzet.perceel, begin=VANDAAG,
        einde=VANDAAG + datetime.timedelta(days=30), tarief=Decimal("200"), eenheid="14",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="zelf opgesteld"):
        bdvo_goedkeuren(bdvo, ct)


# --- declaraties on a BDVO toewijzing -----------------------------------------------------------

CATALOGUS = Decimal("60.10")  # per uur
BDVO_TARIEF = Decimal("75.00")
JAN_1, DEC_31 = D(2025, 1, 1), D(2025, 12, 31)


def test_a_declaratie_on_a_bdvo_toewijzing_is_checked_against_the_bdvo_tariff(refdata):
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-bdvo-decl", SOEST), functie=None,
        product=dict(begeleiding=True, tarief=CATALOGUS), gemeenten=[SOEST],
        contract=dict(bekostiging="pxq"),
    )  # fmt: skip
    buiten = AanbiederFactory(naam="Begeleiding Elders")
    systeem = aanbiedersysteem(buiten, "systeem-elders")
    omvang = Omvang(Decimal("3"), "04", "2")
    traject = aanbod.traject(periode=(JAN_1, DEC_31), omvang=omvang)
    bdvo = bdvo_opstellen(
        contractmanager("risb-decl-1"), regio=aanbod.regio, aanbieder=buiten,
        client_id=traject.dossier.client_id, gemeente=gemeente(SOEST), perceel=aanbod.pxq,
        begin=JAN_1, einde=DEC_31, tarief=BDVO_TARIEF, eenheid="04",
    )  # fmt: skip
    bdvo_goedkeuren(bdvo, contractmanager("risb-decl-2"))
    t = maak_toewijzing(aanbod.consulent, traject.bp, buiten, JAN_1, None, omvang)
    assert t.contract == bdvo

    volume = Decimal("12")  # within 3 hours a week in every month
    declaratie = indienen(
        buiten, gemeente=SOEST, nummer="D-BDVO-1", user=systeem,
        regels=[
            regel(t, "R-1", volume=volume, maand=(2025, 3), bedrag=bedrag_van(volume, BDVO_TARIEF)),
            regel(t, "R-2", volume=volume, maand=(2025, 4), bedrag=bedrag_van(volume, CATALOGUS)),
            regel(t, "R-3", volume=volume, maand=(2025, 5), tarief=CATALOGUS,
                  bedrag=bedrag_van(volume, CATALOGUS)),
            regel(t, "R-4", volume=volume, maand=(2025, 6), tarief=BDVO_TARIEF,
                  bedrag=bedrag_van(volume, BDVO_TARIEF)),
        ],
    )  # fmt: skip
    uitkomst = [(r.referentie, r.retourcodes, r.tarief) for r in declaratie.regels.order_by("pk")]
    assert uitkomst == [
        ("R-1", ["0200"], BDVO_TARIEF),
        ("R-2", ["0611"], BDVO_TARIEF),
        ("R-3", ["0611"], BDVO_TARIEF),
        ("R-4", ["0200"], BDVO_TARIEF),
    ]
