"""The iWmo WMO323 rules on a declaratie that are not a single line's own business: a prestatie
declared twice (TR389 against accepted lines, TR416 within one declaratie, OP366: credit it in
full first), VorigReferentieNummer twice (TR315), a debet credited in the same declaratie
(TR316), care more than five years old (TR335), the euro unit (CS339, CD087), a zero amount is
debet (CS325) and a toewijzing with accepted declaraties cannot be withdrawn (TR385, OP362).
Through the service, the JSON API and, for WMO323 rules, the XML import."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.test_iwmo_xml import BEGIN, VANDAAG, _maandeinde, bericht
from tests.test_iwmo_xml import bouw_opzet as bouw_xml_opzet
from tests.test_toegang_declaraties import (
    SOEST,
    URL,
    api,
    api_regel,
    bouw_opzet,
    codes,
    regel,
)
from toegang.models import Declaratie, Toewijzing
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer
from toegang.toewijzingen.services import Omvang, Wijziging, trek_in, vervang

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


@pytest.fixture
def xml(refdata):
    return bouw_xml_opzet()


def post(opzet, *regels, nummer="API-1"):
    body = {"gemeente": SOEST, "declaratieNummer": nummer, "regels": list(regels)}
    return api(opzet.systeem_a).post(URL, body, format="json")


def geweigerd(response, nummer="API-1") -> list[tuple[str, str]]:
    """(name, code) of every invalidParam of a 400; nothing was stored."""
    assert response.status_code == 400, response.json()
    assert not Declaratie.objects.filter(nummer=nummer).exists()
    return [(p["name"], p["code"]) for p in response.json()["invalidParams"]]


# --- a prestatie is declared once (TR389, TR416, OP366) -----------------------------------------


@pytest.mark.iwmo_regel("TR389", "OP366")
def test_a_second_debet_for_a_declared_prestatie_waits_for_a_full_credit(opzet):
    t = opzet.toewijzing()
    assert codes(opzet.declareer(regel(t, "R-1", volume="10"))) == [["0200"]]
    # Room is left in March (13.28), yet the prestatie was declared: 9389, not a volume check.
    assert codes(opzet.declareer(regel(t, "R-2", volume="1"))) == [["9389"]]
    # Another month, another prestatie.
    assert codes(opzet.declareer(regel(t, "R-3", maand=(2025, 4), volume="1"))) == [["0200"]]
    # A partial credit is not enough (OP366) ...
    assert codes(opzet.declareer(regel(t, "C-1", volume="4", dc="C", vorige="R-1"))) == [["0200"]]
    assert codes(opzet.declareer(regel(t, "R-4", volume="6"))) == [["9389"]]
    # ... the full one is, and then the corrected debet goes through the API too.
    assert codes(opzet.declareer(regel(t, "C-2", volume="6", dc="C", vorige="R-1"))) == [["0200"]]
    response = post(opzet, api_regel(t, "R-5", volume="12"), nummer="API-R5")
    assert response.status_code == 201, response.json()
    assert [c["code"] for c in response.json()["regels"][0]["retourcodes"]] == ["0200"]
    response = post(opzet, api_regel(t, "R-6", volume="1"), nummer="API-R6")
    [uitkomst] = response.json()["regels"]
    assert (uitkomst["status"], [c["code"] for c in uitkomst["retourcodes"]]) == (
        "afgewezen",
        ["9389"],
    )


@pytest.mark.iwmo_regel("TR389")
def test_a_credited_prestatie_is_not_reopened_by_another_aanbieders_credit(opzet):
    """The credit that counts names the debet's ReferentieNummer of the *same* aanbieder."""
    t_a = opzet.toewijzing()
    t_b = opzet.toewijzing(aanbieder=opzet.b)
    opzet.declareer(regel(t_a, "R-1", volume="5"))
    opzet.declareer(regel(t_b, "R-1", volume="5"), aanbieder=opzet.b)
    opzet.declareer(regel(t_b, "C-1", volume="5", dc="C", vorige="R-1"), aanbieder=opzet.b)
    assert codes(opzet.declareer(regel(t_a, "R-2", volume="5"))) == [["9389"]]
    assert codes(opzet.declareer(regel(t_b, "R-2", volume="5"), aanbieder=opzet.b)) == [["0200"]]


@pytest.mark.iwmo_regel("TR416")
def test_the_same_prestatie_twice_in_one_declaratie_refuses_it_whole(opzet):
    t = opzet.toewijzing()
    ander = opzet.toewijzing()
    # Another period or another toewijzing is another prestatie: accepted.
    response = post(
        opzet, api_regel(t, "R-1", volume="5"), api_regel(t, "R-2", maand=(2025, 4), volume="5"),
        api_regel(ander, "R-3", volume="5"), nummer="API-OK",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    mei = dict(maand=(2025, 5))
    response = post(opzet, api_regel(t, "R-4", **mei), api_regel(t, "R-5", **mei))
    assert geweigerd(response) == [("regels.1.periodeBegin", "0001")]
    assert "Regel 0" in response.json()["invalidParams"][0]["reason"]


@pytest.mark.iwmo_regel("TR416")
def test_xml_the_same_prestatie_twice_in_one_message_is_0001(xml):
    t = xml.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(xml.bsn, [prestatie("R1", t.nummer, *maand), prestatie("R2", t.nummer, *maand)])
    [uitkomst] = importeer(inhoud, user=xml.systeem)
    assert uitkomst["retourcodes"] == ["0001"]
    assert "TR416" in " ".join(uitkomst["meldingen"])
    assert not Declaratie.objects.exists()


# --- VorigReferentieNummer (TR315, TR316) -------------------------------------------------------


@pytest.mark.iwmo_regel("TR315")
def test_a_vorig_referentienummer_twice_in_one_declaratie_refuses_it_whole(opzet):
    t = opzet.toewijzing()
    opzet.declareer(regel(t, "R-1", volume="10"))
    response = post(
        opzet, api_regel(t, "C-1", volume="2", dc="C", vorige="R-1"),
        api_regel(t, "C-2", volume="2", dc="C", vorige="R-1"),
    )  # fmt: skip
    assert geweigerd(response) == [("regels.1.vorigReferentieNummer", "0001")]


@pytest.mark.iwmo_regel("TR316")
def test_a_debet_credited_in_the_same_declaratie_refuses_it_whole(opzet):
    t = opzet.toewijzing()
    response = post(
        opzet, api_regel(t, "R-1", volume="10"),
        api_regel(t, "C-1", volume="10", dc="C", vorige="R-1"),
    )  # fmt: skip
    assert geweigerd(response) == [("regels.1.vorigReferentieNummer", "0001")]


@pytest.mark.iwmo_regel("TR315", "TR316")
def test_xml_vorig_referentienummer_rules_are_0001(xml):
    t = xml.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(xml.bsn, [prestatie("R1", t.nummer, *maand)], nummer="DEB")
    assert importeer(inhoud, user=xml.systeem)[0]["retourcodes"] == ["0200"]
    dubbel = [
        prestatie("C1", t.nummer, *maand, volume=1, vorige="R1", dc="C"),
        prestatie("C2", t.nummer, *maand, volume=1, vorige="R1", dc="C"),
    ]
    [uitkomst] = importeer(wmo323(xml.bsn, dubbel, nummer="CR"), user=xml.systeem)
    assert uitkomst["retourcodes"] == ["0001"] and "TR315" in " ".join(uitkomst["meldingen"])
    volgende = _maandeinde(BEGIN) + datetime.timedelta(days=1)
    april = (volgende, _maandeinde(volgende))
    zelfde = [
        prestatie("R2", t.nummer, *april),
        prestatie("C3", t.nummer, *april, vorige="R2", dc="C"),
    ]
    inhoud = wmo323(xml.bsn, zelfde, nummer="ZELFDE", periode=(BEGIN, april[1]))
    [uitkomst] = importeer(inhoud, user=xml.systeem)
    assert uitkomst["retourcodes"] == ["0001"] and "TR316" in " ".join(uitkomst["meldingen"])
    assert Declaratie.objects.count() == 1


# --- care more than five years old (TR335) ------------------------------------------------------


@pytest.mark.iwmo_regel("TR335")
def test_care_ended_more_than_five_years_before_the_dagtekening_is_refused(opzet):
    t = opzet.toewijzing()
    with pytest.raises(ValidationError) as exc:
        opzet_indienen(opzet, regel(t, "OUD", maand=(2025, 3)), dagtekening=D(2030, 4, 1))
    assert exc.value.error_dict["regels.0.periode_einde"][0].code == "0001"
    # Five years to the day is still in time (the line is then judged on its own).
    d = opzet_indienen(opzet, regel(t, "NET", maand=(2025, 3)), dagtekening=D(2030, 3, 31))
    assert codes(d) == [["0200"]]
    # The API's dagtekening is the day it receives the declaratie.
    vandaag = datetime.date.today()
    oud = vandaag.replace(year=vandaag.year - 6, month=1, day=1)
    response = post(opzet, api_regel(t, "API-OUD", maand=(oud.year, 1)))
    assert geweigerd(response) == [("regels.0.periodeEinde", "0001")]


def opzet_indienen(opzet, *regels, dagtekening):
    from toegang.toewijzingen.declaraties import indienen

    nummer = f"T{Declaratie.objects.count() + 1}"
    return indienen(
        opzet.a, gemeente=SOEST, nummer=nummer, regels=list(regels), user=opzet.systeem_a,
        dagtekening=dagtekening,
    )  # fmt: skip


@pytest.mark.iwmo_regel("TR335")
def test_xml_uses_the_declaratie_dagtekening_for_tr335(xml):
    t = xml.toewijzing()
    # More than five years before the dagtekening, yet not before 2021 (CS100 refuses that first).
    oud = (VANDAAG.replace(year=VANDAAG.year - 5, day=1) - datetime.timedelta(days=40)).replace(
        day=1
    )
    inhoud = wmo323(
        xml.bsn, [prestatie("R1", t.nummer, oud, _maandeinde(oud))],
        periode=(oud, _maandeinde(oud)),
    )  # fmt: skip
    [uitkomst] = importeer(inhoud, user=xml.systeem)
    assert uitkomst["retourcodes"] == ["0001"] and "TR335" in " ".join(uitkomst["meldingen"])


# --- the euro unit and a zero amount (CS339, CD087, CS325) --------------------------------------


@pytest.mark.iwmo_regel("CS339", "CD087")
def test_euro_lines_carry_no_tariff_and_an_amount_equal_to_the_volume(opzet):
    t = opzet.toewijzing(opzet.euro, volume="500", eenheid="83", frequentie="4")
    ongelijk = api_regel(t, "E-1", volume="100", bedrag="99.99")
    assert geweigerd(post(opzet, ongelijk)) == [("regels.0.bedrag", "0001")]
    met_tarief = api_regel(t, "E-2", volume="100", bedrag="100")
    met_tarief["productTarief"] = "1.00"
    assert geweigerd(post(opzet, met_tarief)) == [("regels.0.productTarief", "0001")]
    response = post(opzet, api_regel(t, "E-3", volume="100", bedrag="100"))
    assert response.status_code == 201, response.json()


@pytest.mark.iwmo_regel("CD087")
def test_xml_product_tarief_is_required_unless_the_unit_is_euro(xml):
    t = xml.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(xml.bsn, [prestatie("R1", t.nummer, *maand, tarief=None, bedrag=48000)])
    with pytest.raises(OngeldigBericht) as exc:
        importeer(inhoud, user=xml.systeem)
    assert [f.element for f in exc.value.fouten] == ["ProductTarief"]
    assert not Declaratie.objects.exists()


@pytest.mark.iwmo_regel("CS325")
def test_a_zero_amount_is_a_debet(opzet):
    t = opzet.toewijzing()
    opzet.declareer(regel(t, "R-1", volume="10"))
    nul = api_regel(t, "C-1", volume="1", bedrag="0", dc="C", vorige="R-1")
    assert geweigerd(post(opzet, nul)) == [("regels.0.debetCredit", "0001")]


@pytest.mark.iwmo_regel("CS325")
def test_xml_a_zero_total_is_a_debet(xml):
    t = xml.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    body = [("Declaratie", [
        ("DeclaratieNummer", "NUL"),
        ("DeclaratiePeriode", [("Begindatum", maand[0].isoformat()),
                               ("Einddatum", maand[1].isoformat())]),
        ("DeclaratieDagtekening", VANDAAG.isoformat()),
        ("TotaalIngediendBedrag", [("TotaalBedrag", 0), ("DebetCredit", "C")]),
        ("Clienten", [("Client", [("Bsn", xml.bsn), ("Prestaties", [
            prestatie("R1", t.nummer, *maand, volume=1, tarief=0, bedrag=0),
        ])])]),
    ])]  # fmt: skip
    with pytest.raises(OngeldigBericht) as exc:
        importeer(bericht("323", body), user=xml.systeem)
    assert "TotaalIngediendBedrag" in [f.element for f in exc.value.fouten]
    assert "CS325" in " ".join(f.melding for f in exc.value.fouten)


# --- no withdrawal of a declared toewijzing (TR385, OP362) -------------------------------------


@pytest.mark.iwmo_regel("TR385", "OP362")
def test_a_toewijzing_with_accepted_declaraties_cannot_be_withdrawn(opzet, client):
    t = opzet.toewijzing()
    opzet.declareer(regel(t, "R-1", volume="10"))
    with pytest.raises(ValidationError) as exc:
        trek_in(opzet.consulent, t)
    assert exc.value.error_list[0].code == "9385"
    assert "Einddatum wijzigen" in exc.value.messages[0]
    t.refresh_from_db()
    assert t.status == Toewijzing.Status.ACTIEF
    # The consulent's page says why.
    client.force_login(opzet.consulent)
    response = client.post(reverse("toegang:toewijzing-intrekken", args=[t.pk]), follow=True)
    assert "TR385" in response.content.decode()
    t.refresh_from_db()
    assert t.status == Toewijzing.Status.ACTIEF
    # Credited in full, the toewijzing was never really used: it may be withdrawn.
    opzet.declareer(regel(t, "C-1", volume="10", dc="C", vorige="R-1"))
    assert trek_in(opzet.consulent, t).status == Toewijzing.Status.INGETROKKEN


@pytest.mark.iwmo_regel("OP345")
def test_a_change_from_a_past_day_may_not_make_declared_care_unlawful(opzet):
    """A toewijzing of 3 uur per week; March is declared and approved. Lowering the omvang from
    15 March would leave March's approved care without a toewijzing for the second half."""
    t = opzet.toewijzing()
    opzet.declareer(regel(t, "R-MRT", volume="13"))
    minder = Omvang(Decimal("2"), "04", "2")
    with pytest.raises(ValidationError) as exc:
        vervang(opzet.consulent, t, Wijziging(t.beschikt_product, t.aanbieder, D(2025, 3, 15),
                                              t.einddatum, minder, "05"))  # fmt: skip
    fout = " ".join(exc.value.message_dict["ingangsdatum"])
    assert "OP345" in fout and "31-03-2025" in fout
    t.refresh_from_db()
    assert t.status == Toewijzing.Status.ACTIEF and t.einddatum == D(2025, 12, 31)
    # From after the declared care the change is fine: the old toewijzing covers March.
    nieuw = vervang(opzet.consulent, t, Wijziging(t.beschikt_product, t.aanbieder, D(2025, 4, 1),
                                                  t.einddatum, minder, "05"))  # fmt: skip
    t.refresh_from_db()
    assert t.einddatum == D(2025, 3, 31) and nieuw.ingangsdatum == D(2025, 4, 1)


# --- helpers ----------------------------------------------------------------------------------


def prestatie(referentie, nummer, begin, einde, volume=8, tarief=6000, *, bedrag=None,
              vorige=None, dc="D"):  # fmt: skip
    """A WMO323 Prestatie (amounts in cents), optionally a credit of ``vorige``."""
    ref = [("ReferentieNummer", referentie)]
    if vorige:
        ref.append(("VorigReferentieNummer", vorige))
    return ("Prestatie", [
        ("ProductReferentie", ref),
        ("ToewijzingNummer", nummer), ("ProductCategorie", "02"), ("ProductCode", "02A01"),
        ("ProductPeriode", [("Begindatum", begin.isoformat()), ("Einddatum", einde.isoformat())]),
        ("GeleverdVolume", volume), ("Eenheid", "04"),
        *([("ProductTarief", tarief)] if tarief is not None else []),
        ("IngediendBedrag", [("Bedrag", volume * tarief if bedrag is None else bedrag),
                             ("DebetCredit", dc)]),
    ])  # fmt: skip


def wmo323(bsn, prestaties, *, nummer="DECL1", periode=None, dagtekening=None):
    """A WMO323 whose TotaalIngediendBedrag is the signed sum of its prestaties."""
    begin, einde = periode or (BEGIN, _maandeinde(BEGIN))
    som = 0
    for p in prestaties:
        bedrag = dict(dict(p[1])["IngediendBedrag"])
        som += int(bedrag["Bedrag"]) * (1 if bedrag["DebetCredit"] == "D" else -1)
    body = [("Declaratie", [
        ("DeclaratieNummer", nummer),
        ("DeclaratiePeriode", [("Begindatum", begin.isoformat()),
                               ("Einddatum", einde.isoformat())]),
        ("DeclaratieDagtekening", (dagtekening or VANDAAG).isoformat()),
        ("TotaalIngediendBedrag", [("TotaalBedrag", abs(som)),
                                   ("DebetCredit", "D" if som >= 0 else "C")]),
        ("Clienten", [("Client", [("Bsn", bsn), ("Prestaties", prestaties)])]),
    ])]  # fmt: skip
    return bericht("323", body)
