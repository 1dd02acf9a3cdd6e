"""Issue 17 items 8, 11 and 14: contract coverage before it is too late (seen at opstellen and
vaststellen, toewijzen offers who covers and says why not, a toewijzing capped at its contract's
end and stretched when an extension is used), the BDVO for one client (four eyes; it covers that
client only, also on the waiting list), and extension options used in order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inkoop.contracten.services import (
    bdvo_goedkeuren,
    bdvo_opstellen,
    tarief_voor,
    verlenging_besluiten,
)
from inkoop.models import Contract, Verlengingsoptie
from regio.models import AuditEntry
from tests import scenarios
from tests.factories import AanbiederFactory, LocatieFactory, UserFactory, grant
from tests.factories.regio import gemeente
from tests.test_api_toewijzingen import api, maak_sleutel
from toegang.models import Toewijzing
from toegang.toewijzingen.services import (
    aanbieders_met_contract,
    begrenzing,
    contractdekking,
    maak_toewijzing,
    niet_aangeboden,
)
from toegang.wachtlijst import doorstroom as ds
from toegang.wachtlijst import services as ws

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST = "0342"
VANDAAG = datetime.date.today()


def contractmanager(naam):
    user = UserFactory(username=naam)
    grant(user, "contractmanager", regio="amersfoort")
    return user


def bouw_aanbod():
    """Regio Amersfoort, a BW functie; Huize Eemland's contract runs 2023–2026 with one
    extension option of a year; De Brug Wonen's ended in 2025."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-dekking", SOEST), gemeenten=[SOEST]
    )
    eemland, brug = aanbod.contracten
    Verlengingsoptie.objects.create(
        contract=eemland, volgnummer=1, duur_maanden=12, besluit_uiterlijk=D(2026, 6, 30)
    )
    ende = D(2025, 12, 31)
    Contract.objects.filter(pk=brug.pk).update(einde=ende, looptijd_einde=ende)
    aanbod.eemland = eemland
    return aanbod


# --- item 8: coverage, cap and stretch --------------------------------------------------------


def test_a_2027_beschikking_is_assigned_until_the_contract_end_and_stretched(refdata):
    aanbod = bouw_aanbod()
    bp = aanbod.traject(periode=(D(2026, 1, 1), D(2027, 12, 31))).bp

    # Opstellen/vaststellen: who covers at the start, until when; the uncovered tail dated.
    dekking = contractdekking(bp)
    assert [c.aanbieder for c in dekking.contracten] == [aanbod.aanbieder]
    assert dekking.waarschuwing == ""
    assert "van 01-01-2027 tot en met 31-12-2027 dekt (nog) geen contract" in dekking.opmerking

    # Toewijzen offers who covers on the start and says why the other is not offered.
    assert list(aanbieders_met_contract([bp], datum=D(2026, 1, 1))) == [aanbod.aanbieder]
    assert niet_aangeboden(bp, D(2026, 1, 1)) == [
        (aanbod.ander, f"contract {aanbod.contracten[1].kenmerk} liep tot en met 31-12-2025")
    ]

    # The toewijzing is capped at the contract's end (the old code refused it).
    t = maak_toewijzing(aanbod.consulent, bp, aanbod.aanbieder, D(2026, 1, 1))
    assert (t.einddatum, t.contract_begrensd, t.contract) == (
        D(2026, 12, 31), True, aanbod.eemland,
    )  # fmt: skip
    assert "het einde van contract" in begrenzing(t)
    # A toewijzing that ends before the contract does is not capped and stays as it is.
    kort = aanbod.traject(periode=(D(2026, 1, 1), D(2026, 6, 30))).bp
    t_kort = maak_toewijzing(aanbod.consulent, kort, aanbod.aanbieder, D(2026, 1, 1))
    assert not t_kort.contract_begrensd
    voor = Toewijzing.objects.get(pk=t.pk).gewijzigd_op

    # The extension is used: the capped toewijzing runs on, same number, RedenWijziging 03.
    risb = contractmanager("risb-dekking")
    verlenging_besluiten(aanbod.eemland.verlengingsopties.get(), True, user=risb, op=D(2026, 6, 1))
    t.refresh_from_db()
    assert (t.nummer, t.einddatum, t.reden_wijziging, t.contract_begrensd) == (
        1, D(2027, 12, 31), "03", False,
    )  # fmt: skip
    assert t.gewijzigd_op > voor
    t_kort.refresh_from_db()
    assert (t_kort.einddatum, t_kort.reden_wijziging) == (D(2026, 6, 30), "")
    entry = AuditEntry.objects.filter(object_type="toegang.toewijzing", actie="change").get()
    assert entry.actor == "risb-dekking" and entry.object_ids == [str(t.pk)]
    assert entry.toelichting["einddatum"] == ["2026-12-31", "2027-12-31"]

    # The provider's system sees the new einddatum in its gewijzigdSinds feed.
    token = maak_sleutel(aanbod.aanbieder)[1]
    response = api(token).get("/api/v1/toewijzingen/", {"gewijzigdSinds": voor.isoformat()})
    assert response.status_code == 200, response.content
    rijen = {r["toewijzingNummer"]: r for r in response.json()["results"]}
    assert rijen[1]["einddatum"] == "2027-12-31"


def test_the_beschikking_pages_warn_where_no_contract_covers(client, refdata):
    aanbod = bouw_aanbod()
    gedekt = aanbod.traject(periode=(D(2026, 1, 1), D(2027, 12, 31)), status="concept")
    ongedekt = aanbod.traject(periode=(D(2028, 1, 1), D(2028, 12, 31)), status="concept")
    assert "Geen contract dekt Beschermd wonen voor gemeente Soest op 01-01-2028" in (
        contractdekking(ongedekt.bp).waarschuwing
    )
    client.force_login(aanbod.consulent)
    for url in (
        f"/toegang/beschikkingen/{gedekt.beschikking.pk}/",
        f"/toegang/beschikkingen/{gedekt.beschikking.pk}/bewerken/",
    ):
        html = client.get(url).content.decode()
        assert "Contractdekking" in html and aanbod.eemland.kenmerk in html, url
        assert "tot en met 31-12-2026" in html
    html = client.get(f"/toegang/beschikkingen/{ongedekt.beschikking.pk}/").content.decode()
    assert "Geen contract dekt Beschermd wonen voor gemeente Soest op 01-01-2028" in html


# --- item 14: extension options in order ------------------------------------------------------


def test_extension_options_in_order_declining_closes_later_and_late_needs_a_reason(refdata):
    aanbod = bouw_aanbod()
    contract = aanbod.eemland
    tweede = Verlengingsoptie.objects.create(
        contract=contract, volgnummer=2, duur_maanden=12, besluit_uiterlijk=D(2027, 6, 30)
    )
    eerste = contract.verlengingsopties.get(volgnummer=1)
    risb = contractmanager("risb-volgorde")

    with pytest.raises(ValidationError, match="besluit eerst over verlenging 1"):
        verlenging_besluiten(tweede, True, user=risb, op=D(2026, 5, 1))
    # After the deadline the decision needs a recorded reason, at the field.
    with pytest.raises(ValidationError) as fout:
        verlenging_besluiten(eerste, False, user=risb, op=D(2026, 7, 1))
    assert "uiterlijk 30-06-2026" in " ".join(fout.value.message_dict["reden"])
    contract = verlenging_besluiten(
        eerste, False, user=risb, op=D(2026, 7, 1), reden="Raadsbesluit kwam later."
    )
    assert contract.looptijd_einde == D(2026, 12, 31)
    eerste.refresh_from_db()
    tweede.refresh_from_db()
    assert (eerste.benut, eerste.toelichting, eerste.besloten_door) == (
        False, "Raadsbesluit kwam later.", risb,
    )  # fmt: skip
    assert (tweede.benut, tweede.vervallen) == (False, True)  # declining closed the later one
    entry = AuditEntry.objects.get(object_type="inkoop.contract", actie="change")
    assert entry.toelichting["na_uiterlijke_datum"] == "Raadsbesluit kwam later."
    assert entry.toelichting["vervallen"] == [2]
    with pytest.raises(ValidationError, match="vervallen"):
        verlenging_besluiten(tweede, True, user=risb, op=D(2026, 7, 1))
    with pytest.raises(ValidationError, match="al besloten"):
        verlenging_besluiten(eerste, True, user=risb, op=D(2026, 7, 1), reden="Toch wel.")


def test_the_extension_page_asks_the_reason_when_late(client, refdata):
    aanbod = bouw_aanbod()
    optie = aanbod.eemland.verlengingsopties.get()
    Verlengingsoptie.objects.filter(pk=optie.pk).update(
        besluit_uiterlijk=VANDAAG - datetime.timedelta(days=1)
    )
    client.force_login(contractmanager("risb-pagina"))
    url = f"/inkoop/contracten/{aanbod.eemland.pk}/verlengingen/{optie.pk}/"
    response = client.post(url, {"benut": "ja", "reden": ""})
    assert response.status_code == 200
    assert "leg vast waarom" in response.content.decode()
    optie.refresh_from_db()
    assert optie.benut is None
    response = client.post(url, {"benut": "ja", "reden": "Evaluatie liep uit."})
    assert response.status_code == 302
    optie.refresh_from_db()
    assert (optie.benut, optie.toelichting) == (True, "Evaluatie liep uit.")


# --- item 11: the BDVO ------------------------------------------------------------------------


def test_a_bdvo_covers_its_one_client_after_four_eyes(refdata):
    aanbod = bouw_aanbod()
    buiten = AanbiederFactory(naam="Buiten de Regio Zorg")
    traject = aanbod.traject(periode=(D(2026, 1, 1), D(2026, 12, 31)))
    ander = aanbod.traject(periode=(D(2026, 1, 1), D(2026, 12, 31)))
    opsteller, collega = contractmanager("risb-bdvo-1"), contractmanager("risb-bdvo-2")

    bdvo = bdvo_opstellen(
        opsteller, regio=aanbod.regio, aanbieder=buiten, client_id=traject.dossier.client_id,
        gemeente=gemeente(SOEST), perceel=aanbod.taak, begin=D(2026, 1, 1), einde=D(2026, 12, 31),
        tarief=Decimal("245.00"), eenheid="14",
    )  # fmt: skip
    assert bdvo.soort == "bdvo" and bdvo.goedgekeurd_op is None
    # Not approved yet: it covers nothing.
    with pytest.raises(ValidationError) as fout:
        maak_toewijzing(aanbod.consulent, traject.bp, buiten, D(2026, 1, 1))
    assert "geen contract" in " ".join(fout.value.message_dict["aanbieder"])
    # Four eyes: the drafter does not approve it; the database refuses it too.
    with pytest.raises(ValidationError, match="zelf opgesteld"):
        bdvo_goedkeuren(bdvo, opsteller)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=bdvo.pk).update(goedgekeurd_door=opsteller)
    bdvo = bdvo_goedkeuren(bdvo, collega)
    assert bdvo.goedgekeurd_door == collega

    t = maak_toewijzing(aanbod.consulent, traject.bp, buiten, D(2026, 1, 1))
    assert (t.contract, t.einddatum) == (bdvo, D(2026, 12, 31))
    assert tarief_voor(t.contract, traject.bp.product, D(2026, 3, 1)) == Decimal("245.00")
    assert buiten in aanbieders_met_contract([traject.bp], datum=D(2026, 1, 1))
    # Another client is not covered by it, and is not offered the provider.
    with pytest.raises(ValidationError):
        maak_toewijzing(aanbod.consulent, ander.bp, buiten, D(2026, 1, 1))
    assert buiten not in aanbieders_met_contract([ander.bp], datum=D(2026, 1, 1))
    assert buiten not in [a for a, _ in niet_aangeboden(ander.bp, D(2026, 1, 1))]


def test_a_bdvo_opens_a_buitenregionale_placement_for_that_client_only(refdata):
    opzet = scenarios.wachtlijst(
        ct="ct-bdvo", collega=scenarios.Gebruiker("ct-bdvo-2", "centrale-toegang")
    )
    buiten = AanbiederFactory(naam="Zorg in Ede")
    ede = LocatieFactory(aanbieder=buiten, functies=[opzet.bw], naam="Ede", gemeente="0228")
    a = scenarios.aanmelding(opzet, "0307", functie=opzet.bw, urgentie="urgent")
    a = ws.op_wachtlijst(a, opzet.ct, D(2024, 1, 10))
    b = ws.op_wachtlijst(
        scenarios.aanmelding(opzet, "0307", functie=opzet.bw, urgentie="urgent"),
        opzet.ct,
        D(2024, 1, 10),
    )
    a = ds.buitenregionaal_aanvragen(a, opzet.ct, "Geen passende plek in de regio.")
    a = ds.buitenregionaal_beoordelen(a, opzet.collega, True, "Akkoord.")
    b = ds.buitenregionaal_aanvragen(b, opzet.ct, "Idem.")
    b = ds.buitenregionaal_beoordelen(b, opzet.collega, True, "Akkoord.")
    # Without a regio contract or BDVO the provider is no choice (today's rule).
    assert ede not in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]

    opsteller, collega = contractmanager("risb-bdvo-a"), contractmanager("risb-bdvo-b")
    bdvo = bdvo_opstellen(
        opsteller, regio=opzet.regio, aanbieder=buiten, client_id=a.client_id,
        gemeente=gemeente("0307"), perceel=opzet.perceel, begin=VANDAAG - datetime.timedelta(5),
        einde=VANDAAG + datetime.timedelta(180), tarief=Decimal("250.00"),
    )  # fmt: skip
    assert ede not in ws.gecontracteerde_locaties(opzet.regio, opzet.bw, VANDAAG, a.client_id)
    bdvo_goedkeuren(bdvo, collega)
    assert ede in ws.gecontracteerde_locaties(opzet.regio, opzet.bw, VANDAAG, a.client_id)
    assert ede in [m.locatie for m in ws.passende_locaties(a, VANDAAG)]
    # The other client (also approved to go outside the regio) does not get this BDVO.
    assert ede not in [m.locatie for m in ws.passende_locaties(b, VANDAAG)]
    assert [k[0] for k in ws.passende_aanmeldingen(ede, VANDAAG)] == [a]
    assert ede not in ws.gecontracteerde_locaties(opzet.regio, opzet.bw, VANDAAG)
    ws.reserveren(a, ede, opzet.ct, VANDAAG)
    with pytest.raises(ValidationError):
        ws.reserveren(b, ede, opzet.ct, VANDAAG)
