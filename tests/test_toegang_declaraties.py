"""Declaraties (iWmo WMO323 semantics, P×Q only): the structure check that refuses a declaratie
whole, every WJ001 retourcode of the line checks, the volume arithmetic per frequentie on
hand-computed months, the contract tariff, duplicate ReferentieNummers, credit rules, the
kostenregel of an accepted line, scoping (aanbieder A never declares on B's toewijzing), the API
and the web list, and two concurrent declaraties that cannot share the same room."""

import datetime
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from financien.models import EersteBWStart, Kostenregel
from inkoop.models import Tarief
from regio.models import AuditEntry, Regio
from tests import scenarios
from tests.factories import ContractFactory, PerceelFactory, ProductFactory, UserFactory, grant
from toegang.models import Declaratie, Declaratieregel
from toegang.toewijzingen.declaraties import bedrag_van, indienen
from toegang.toewijzingen.services import Omvang, trek_in

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN = "0342", "0308"
TARIEF = Decimal("60.10")  # per uur
JAN_1, DEC_31 = D(2025, 1, 1), D(2025, 12, 31)


def bouw_opzet():
    """Regio Amersfoort, gemeente Soest: a P×Q perceel with begeleiding (uur, € 60,10), a
    euro product (eenheid 83) and a BW product (etmaal, € 150,00); a taakgericht perceel with a
    functie. Aanbieders A and B contracted P×Q (A also taakgericht); each with an API user."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-declaratie", SOEST), functie=None,
        product=dict(begeleiding=True, tarief=TARIEF), gemeenten=[SOEST],
        contract=dict(bekostiging="pxq"), systemen=("systeem-a", "systeem-b"),
    )  # fmt: skip
    a, b = aanbod.aanbieders
    euro = ProductFactory(
        perceel=aanbod.pxq, naam="Budget begeleiding", soort="product", domein="begeleiding",
        productcategorie="07", productcode="07E01", eenheid="83",
    )  # fmt: skip
    bw = ProductFactory(
        perceel=aanbod.pxq, naam="Beschermd wonen", soort="product", domein="beschermd_wonen",
        productcategorie="15", productcode="15A01", eenheid="14", tarief=Decimal("150.00"),
    )  # fmt: skip
    functie = ProductFactory(perceel=PerceelFactory(), naam="Begeleiding (functie)")
    ContractFactory(aanbieder=a, gemeenten=[SOEST], percelen=[functie.perceel])
    nummers = iter(range(1, 10_000))

    def toewijzing(product=None, *, aanbieder=None, ingang=JAN_1,
                   eind=DEC_31, volume="3", eenheid="04", frequentie="2"):  # fmt: skip
        """A toewijzing for a new client (so beschikte producten never overlap)."""
        product = product or aanbod.product
        omvang = Omvang() if product == functie else Omvang(Decimal(volume), eenheid, frequentie)
        return aanbod.traject(
            product, aanbieder or a, periode=(ingang, eind), omvang=omvang, tot=eind
        ).toewijzing

    def declareer(*regels, aanbieder=None, user=None, nummer=None, gemeente=SOEST):
        aanbieder = aanbieder or a
        if user is None:
            user = aanbod.systeem if aanbieder == a else aanbod.systeem_ander
        return indienen(
            aanbieder, gemeente=gemeente, nummer=nummer or f"D{next(nummers)}",
            regels=list(regels), user=user,
        )  # fmt: skip

    return SimpleNamespace(
        consulent=aanbod.consulent, begeleiding=aanbod.product, euro=euro, bw=bw,
        functie=functie, a=a, b=b, systeem_a=aanbod.systeem, systeem_b=aanbod.systeem_ander,
        toewijzing=toewijzing, declareer=declareer,
    )  # fmt: skip


def regel(t, referentie, *, maand=(2025, 3), begin=None, einde=None, volume="13",
          bedrag=None, dc="D", vorige="", eenheid=None, categorie=None, code=None,
          tarief=None):  # fmt: skip
    """A line for toewijzing ``t`` over a whole month, bedrag = volume × € 60,10 by default."""
    import calendar

    jaar, m = maand
    begin = begin or D(jaar, m, 1)
    einde = einde or D(jaar, m, calendar.monthrange(jaar, m)[1])
    product = t.beschikt_product.product
    volume = Decimal(volume)
    r = {
        "referentie": referentie,
        "vorige_referentie": vorige,
        "toewijzingnummer": t.nummer,
        "productcategorie": categorie or product.productcategorie,
        "productcode": code or product.productcode,
        "periode_begin": begin,
        "periode_einde": einde,
        "volume": volume,
        "eenheid": eenheid or t.eenheid or "04",
        "bedrag": bedrag_van(volume, TARIEF) if bedrag is None else Decimal(bedrag),
        "debet_credit": dc,
    }
    if tarief is not None:
        r["tarief"] = Decimal(tarief)
    return r


def uitkomst(declaratie):
    return [(r.referentie, r.status, r.retourcodes) for r in declaratie.regels.order_by("pk")]


def codes(declaratie):
    return [r.retourcodes for r in declaratie.regels.order_by("pk")]


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


# --- an accepted line and its kostenregel ------------------------------------------------------


@pytest.mark.iwmo_regel("OP364")
def test_an_accepted_line_becomes_a_kostenregel(opzet):
    t = opzet.toewijzing()
    declaratie = opzet.declareer(regel(t, "R-1"))
    r = declaratie.regels.get()
    assert (r.status, r.retourcodes, r.tarief, r.bedrag) == (
        "toegekend",
        ["0200"],
        TARIEF,
        Decimal("781.30"),
    )  # 13 × 60,10
    k = r.kostenregel
    assert k == Kostenregel.objects.get()
    assert (k.bron, k.referentie, k.bedrag, k.jaar) == (
        "declaratie",
        f"{opzet.a.agb_code}:R-1",
        Decimal("781.30"),
        2025,
    )
    assert k.regio == Regio.objects.get(code="amersfoort")
    assert k.client_id == t.beschikt_product.client_id
    assert k.gemeente_herkomst.code == SOEST and k.functie == opzet.begeleiding
    assert k.aanbieder == opzet.a
    assert (k.periode_begin, k.periode_einde) == (D(2025, 3, 1), D(2025, 3, 31))
    assert not EersteBWStart.objects.exists()  # begeleiding is not BW
    entry = AuditEntry.objects.get(actie="create", object_type="toegang.declaratie")
    assert entry.toelichting["toegekend"] == 1 and entry.toelichting["afgewezen"] == 0


def test_refused_lines_get_no_kostenregel_and_the_others_still_do(opzet):
    t = opzet.toewijzing()
    declaratie = opzet.declareer(
        regel(t, "R-1"), regel(t, "R-2", maand=(2025, 4), volume="12", bedrag="1")
    )
    assert uitkomst(declaratie) == [
        ("R-1", "toegekend", ["0200"]),
        ("R-2", "afgewezen", ["0611"]),
    ]
    assert not Kostenregel.objects.filter(declaratieregel__referentie="R-2").exists()
    assert Kostenregel.objects.get().declaratieregel.referentie == "R-1"


def test_a_bw_product_records_the_first_bw_start(opzet):
    t = opzet.toewijzing(opzet.bw, ingang=D(2025, 2, 10), volume="1", eenheid="14", frequentie="1")
    # Per dag: 1 etmaal × the 19 days of February from the 10th.
    te_veel = regel(t, "BW-0", maand=(2025, 2), begin=D(2025, 2, 10), volume="20", bedrag="3000")
    goed = regel(t, "BW-1", maand=(2025, 2), begin=D(2025, 2, 10), volume="19", bedrag="2850")
    assert codes(opzet.declareer(te_veel)) == [["9321"]]
    assert not EersteBWStart.objects.exists()
    assert codes(opzet.declareer(goed)) == [["0200"]]
    start = EersteBWStart.objects.get()
    assert (start.client_id, start.datum, start.gemeente_herkomst.code, start.bron) == (
        t.beschikt_product.client_id,
        D(2025, 2, 10),
        SOEST,
        "regiozorg",
    )


# --- volume per frequentie ---------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR321", "IV077")
def test_weekly_volume_is_volume_times_days_in_month_over_seven(opzet):
    t = opzet.toewijzing(volume="3", frequentie="2")
    # March 2025: 3 × 31 / 7 = 13.2857… uur. (A month is declared once: a second debet for
    # it is 9389, TR389, so the room of a month is what one line may hold.)
    assert codes(opzet.declareer(regel(t, "W-1", volume="14"))) == [["9321"]]
    assert codes(opzet.declareer(regel(t, "W-3", volume="13.29"))) == [["9321"]]  # > 13.2857
    assert codes(opzet.declareer(regel(t, "W-4", volume="13.28"))) == [["0200"]]
    # February 2025: 3 × 28 / 7 = 12 exactly; the March line does not count there.
    assert codes(opzet.declareer(regel(t, "W-6", maand=(2025, 2), volume="12.01"))) == [["9321"]]
    assert codes(opzet.declareer(regel(t, "W-5", maand=(2025, 2), volume="12"))) == [["0200"]]


@pytest.mark.iwmo_regel("IV077", "IV078")
def test_weekly_volume_of_a_partial_month_counts_the_days_within_the_toewijzing(opzet):
    t = opzet.toewijzing(ingang=D(2025, 3, 10), volume="3", frequentie="2")
    # 22 days (10–31 March): 3 × 22 / 7 = 9.428…
    eerste = dict(maand=(2025, 3), begin=D(2025, 3, 10))
    assert codes(opzet.declareer(regel(t, "P-1", volume="9.43", **eerste))) == [["9321"]]
    assert codes(opzet.declareer(regel(t, "P-2", volume="9.42", **eerste))) == [["0200"]]


@pytest.mark.iwmo_regel("TR321", "IV078")
def test_monthly_volume_is_pro_rata_in_a_partial_month(opzet):
    t = opzet.toewijzing(ingang=D(2025, 4, 16), volume="10", frequentie="4")
    # April: 15 of 30 days → 10 × 15 / 30 = 5; May in full: 10.
    april = dict(maand=(2025, 4), begin=D(2025, 4, 16))
    assert codes(opzet.declareer(regel(t, "M-1", volume="5.01", **april))) == [["9321"]]
    assert codes(opzet.declareer(regel(t, "M-2", volume="5", **april))) == [["0200"]]
    # April is declared (TR389): another debet for it waits for a full credit of M-2.
    assert codes(opzet.declareer(regel(t, "M-3", volume="0.01", **april))) == [["9389"]]
    assert codes(opzet.declareer(regel(t, "M-4", maand=(2025, 5), volume="10.01"))) == [["9321"]]
    assert codes(opzet.declareer(regel(t, "M-5", maand=(2025, 5), volume="10"))) == [["0200"]]


@pytest.mark.iwmo_regel("TR322", "OP365")
def test_total_volume_is_what_remains_over_the_whole_toewijzing(opzet):
    t = opzet.toewijzing(volume="20", frequentie="6")
    assert codes(opzet.declareer(regel(t, "T-0", maand=(2025, 1), volume="21"))) == [["9321"]]
    uitslag = opzet.declareer(
        regel(t, "T-1", maand=(2025, 1), volume="12"),
        regel(t, "T-2", maand=(2025, 2), volume="8"),
        regel(
            t, "T-3", maand=(2025, 3), volume="0.5"
        ),  # the earlier lines of this declaratie count
    )
    assert codes(uitslag) == [["0200"], ["0200"], ["9322"]]


# --- tariff ------------------------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR346", "TR418", "IV081")
def test_amount_must_be_volume_times_the_contract_tariff_rounded_half_up(opzet):
    t = opzet.toewijzing()
    # 0.25 × 60.10 = 15.025 → 15.03 (half up).
    assert codes(opzet.declareer(regel(t, "B-1", volume="0.25", bedrag="15.02"))) == [["0611"]]
    assert codes(opzet.declareer(regel(t, "B-2", volume="0.25", bedrag="15.03"))) == [["0200"]]
    # A ProductTarief other than the contract's: 0611; the contract's with a wrong sum: 9346.
    assert codes(
        opzet.declareer(
            regel(t, "B-3", maand=(2025, 4), volume="12", tarief="61.00", bedrag="732.00")
        )
    ) == [["0611"]]
    assert codes(
        opzet.declareer(
            regel(t, "B-4", maand=(2025, 4), volume="12", tarief="60.10", bedrag="720.00")
        )
    ) == [["9346"]]
    assert codes(
        opzet.declareer(regel(t, "B-5", maand=(2025, 4), volume="12", tarief="60.10"))
    ) == [["0200"]]


def test_no_contract_tariff_on_the_date_refuses_the_line(opzet):
    t = opzet.toewijzing()
    Tarief.objects.filter(product=opzet.begeleiding).update(begin=D(2025, 4, 1))
    assert codes(opzet.declareer(regel(t, "N-1", maand=(2025, 3)))) == [["0611"]]
    assert codes(opzet.declareer(regel(t, "N-2", maand=(2025, 4), volume="12"))) == [["0200"]]


def test_euro_eenheid_has_no_tariff_check(opzet):
    t = opzet.toewijzing(opzet.euro, volume="500", eenheid="83", frequentie="4")
    declaratie = opzet.declareer(regel(t, "E-1", volume="400", bedrag="400.00"))
    r = declaratie.regels.get()
    assert (r.status, r.tarief, r.kostenregel.bedrag) == ("toegekend", None, Decimal("400.00"))
    e2 = regel(t, "E-2", maand=(2025, 4), volume="500.01", bedrag="500.01")
    assert codes(opzet.declareer(e2)) == [["9321"]]


# --- product, period and toewijzing ------------------------------------------------------------


@pytest.mark.iwmo_regel("TR339", "TR340", "TR341", "OP267", "OP302")
def test_product_and_eenheid_must_match_the_toewijzing(opzet):
    t = opzet.toewijzing()
    declaratie = opzet.declareer(
        regel(t, "X-1", categorie="03"),
        regel(t, "X-2", maand=(2025, 4), volume="12", code="02X99"),
        regel(t, "X-3", maand=(2025, 5), eenheid="01"),
    )
    assert codes(declaratie) == [["9339"], ["9340"], ["9341"]]


@pytest.mark.iwmo_regel("TR307", "TR308", "TR387", "TR388", "OP279", "OP368", "IV089")
def test_period_within_the_toewijzing_and_whole_months(opzet):
    t = opzet.toewijzing(ingang=D(2025, 3, 10), eind=D(2025, 6, 20), volume="10", frequentie="6")
    declaratie = opzet.declareer(
        regel(t, "Q-1", maand=(2025, 2), volume="1"),  # before the toewijzing
        regel(t, "Q-2", maand=(2025, 3), volume="1"),  # begins 1 March, before the 10th
        regel(t, "Q-3", maand=(2025, 3), begin=D(2025, 3, 10), volume="1"),
        regel(t, "Q-4", maand=(2025, 4), begin=D(2025, 4, 2), volume="1"),
        regel(t, "Q-5", maand=(2025, 5), einde=D(2025, 5, 30), volume="1"),
        regel(t, "Q-6", maand=(2025, 6), einde=D(2025, 6, 19), volume="1"),
        regel(t, "Q-7", maand=(2025, 6), einde=D(2025, 6, 20), volume="1"),
        regel(t, "Q-8", maand=(2025, 7), volume="1"),  # after it
    )
    assert codes(declaratie) == [
        ["9307", "9308"],
        ["9307"],
        ["0200"],
        ["9387"],
        ["9388"],
        ["0200"],  # the toewijzing ends in June: the period may end before the month does
        ["0200"],
        ["9307", "9308"],
    ]


@pytest.mark.iwmo_regel("TR338", "TR384")
def test_taakgericht_and_ingetrokken_toewijzingen_are_not_declared(opzet):
    taak = opzet.toewijzing(opzet.functie)
    assert taak.volume is None
    ingetrokken = opzet.toewijzing()
    trek_in(opzet.consulent, ingetrokken)
    r = regel(taak, "G-1")
    r.update(productcategorie="02", productcode="02R01", eenheid="04")
    declaratie = opzet.declareer(r, regel(ingetrokken, "G-2"))
    assert codes(declaratie) == [["9338"], ["9384"]]
    assert not Kostenregel.objects.exists()


@pytest.mark.iwmo_regel("TR338", "OP276")
def test_aanbieder_b_cannot_declare_on_a_toewijzing_of_a(opzet):
    t = opzet.toewijzing(aanbieder=opzet.a)
    declaratie = opzet.declareer(regel(t, "F-1"), aanbieder=opzet.b)
    r = declaratie.regels.get()
    # The same code as an unknown number: B learns nothing about A's toewijzing.
    assert (r.status, r.retourcodes, r.toewijzing) == ("afgewezen", ["9338"], None)
    onbekend = regel(t, "F-2")
    onbekend["toewijzingnummer"] = 999_999
    assert codes(opzet.declareer(onbekend, aanbieder=opzet.b)) == [["9338"]]
    # Another gemeente's number is not this declaratie's either.
    assert codes(opzet.declareer(regel(t, "F-3"), gemeente=BAARN)) == [["9338"]]
    assert not Kostenregel.objects.exists()
    # And B's system cannot declare in A's name.
    with pytest.raises(PermissionDenied):
        opzet.declareer(regel(t, "F-4"), aanbieder=opzet.a, user=opzet.systeem_b)


# --- duplicates and credit ---------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR314", "OP283")
def test_referentienummer_is_unique_per_aanbieder(opzet):
    t = opzet.toewijzing(volume="100", frequentie="6")
    assert codes(opzet.declareer(regel(t, "DUP", maand=(2025, 1), volume="1"))) == [["0200"]]
    later = opzet.declareer(regel(t, "DUP", maand=(2025, 2), volume="1"))
    assert codes(later) == [["8021"]]
    # Another aanbieder may use the same number (its kostenregel referentie differs).
    t_b = opzet.toewijzing(aanbieder=opzet.b, volume="100", frequentie="6")
    van_b = opzet.declareer(regel(t_b, "DUP", maand=(2025, 1), volume="1"), aanbieder=opzet.b)
    assert codes(van_b) == [["0200"]]
    assert Kostenregel.objects.filter(referentie__endswith=":DUP").count() == 2
    # A refused line's number may be sent again.
    assert codes(opzet.declareer(regel(t, "WEER", maand=(2025, 3), bedrag="1"))) == [["0611"]]
    assert codes(opzet.declareer(regel(t, "WEER", maand=(2025, 3), volume="1"))) == [["0200"]]


@pytest.mark.iwmo_regel("TR323", "TR390", "OP360", "IV091")
def test_credit_rules(opzet):
    t = opzet.toewijzing()
    opzet.declareer(
        regel(t, "DEB", volume="13"), regel(t, "AF", maand=(2025, 4), bedrag="1"),
        regel(t, "DEB-M", maand=(2025, 5), volume="5"),
    )  # fmt: skip
    credit = opzet.declareer(regel(t, "CR-1", volume="5", dc="C", vorige="DEB"))
    r = credit.regels.get()
    assert (r.status, r.kostenregel.bedrag) == ("toegekend", Decimal("-300.50"))  # 5 × 60,10
    # A partial credit does not reopen March (TR389, OP366).
    assert codes(opzet.declareer(regel(t, "DEB-2", volume="5"))) == [["9389"]]
    # One credit per debet in a declaratie (TR315): each in its own.
    for credit, code in [
        (regel(t, "CR-2", volume="9", dc="C", vorige="DEB"), "9390"),  # 8 remain of DEB
        (regel(t, "CR-3", volume="1", dc="C", vorige="ONBEKEND"), "8017"),
        (regel(t, "CR-4", maand=(2025, 4), volume="1", dc="C", vorige="DEB"), "8017"),  # period
        (regel(t, "CR-5", maand=(2025, 4), volume="1", dc="C", vorige="AF"), "8017"),  # refused
        (regel(t, "CR-6", maand=(2025, 5), volume="6", dc="C", vorige="DEB-M"), "8017"),  # > 5
        (regel(t, "CR-7", volume="8", dc="C", vorige="DEB"), "0200"),  # exactly the rest
    ]:
        assert codes(opzet.declareer(credit)) == [[code]], credit["referentie"]
    assert codes(opzet.declareer(regel(t, "CR-8", volume="0.01", dc="C", vorige="DEB"))) == [
        ["9390"]
    ]
    # DEB is credited in full: March may be declared again.
    assert codes(opzet.declareer(regel(t, "DEB-3", volume="5"))) == [["0200"]]
    totaal = sum(Kostenregel.objects.values_list("bedrag", flat=True))
    assert totaal == bedrag_van(Decimal("10"), TARIEF)  # DEB fully credited; DEB-M, DEB-3 stand


def test_a_credit_of_another_aanbieders_debet_is_unknown(opzet):
    t_a = opzet.toewijzing()
    opzet.declareer(regel(t_a, "DEB"))
    t_b = opzet.toewijzing(aanbieder=opzet.b)
    credit = opzet.declareer(regel(t_b, "CR", dc="C", vorige="DEB"), aanbieder=opzet.b)
    assert codes(credit) == [["8017"]]


# --- structure: refused whole, nothing stored --------------------------------------------------


def _structuur_gevallen():
    def zonder(veld):
        return lambda r: r.pop(veld)

    def zet(veld, waarde):
        return lambda r: r.update({veld: waarde})

    return [
        ("volume ontbreekt", zonder("volume"), "regels.1.volume"),
        ("referentie ontbreekt", zet("referentie", ""), "regels.1.referentie"),
        ("volume geen getal", zet("volume", "veel"), "regels.1.volume"),
        ("volume nul", zet("volume", "0"), "regels.1.volume"),
        ("drie decimalen", zet("bedrag", "1.005"), "regels.1.bedrag"),
        ("negatief bedrag", zet("bedrag", "-1"), "regels.1.bedrag"),
        ("datum onzin", zet("periode_begin", "31-03-2025"), "regels.1.periode_begin"),
        ("nummer tekst", zet("toewijzingnummer", "abc"), "regels.1.toewijzingnummer"),
        ("eenheid onbekend", zet("eenheid", "99"), "regels.1.eenheid"),
        ("debet/credit onbekend", zet("debet_credit", "X"), "regels.1.debet_credit"),
        ("twee maanden", zet("periode_einde", D(2025, 4, 30)), "regels.1.periode_einde"),
        ("einde voor begin", zet("periode_einde", D(2025, 2, 28)), "regels.1.periode_einde"),
        (
            "toekomst",
            lambda r: r.update(periode_begin=D(2099, 3, 1), periode_einde=D(2099, 3, 31)),
            "regels.1.periode_einde",
        ),
        (
            "credit zonder vorige",
            lambda r: r.update(debet_credit="C", vorige_referentie=""),
            "regels.1.vorige_referentie",
        ),
    ]


@pytest.mark.iwmo_regel("TR137", "TR319", "OP367", "CS337", "CD060")
@pytest.mark.parametrize(
    "wijzig,sleutel",
    [g[1:] for g in _structuur_gevallen()],
    ids=[g[0] for g in _structuur_gevallen()],
)
def test_a_malformed_line_refuses_the_whole_declaratie(opzet, wijzig, sleutel):
    t = opzet.toewijzing()
    goed, fout = regel(t, "S-1", maand=(2025, 2), volume="1"), regel(t, "S-2", volume="1")
    wijzig(fout)
    with pytest.raises(ValidationError) as exc:
        opzet.declareer(goed, fout)
    assert sleutel in exc.value.message_dict, exc.value.message_dict
    assert not (Declaratie.objects.exists() or Declaratieregel.objects.exists())
    assert not Kostenregel.objects.exists()


@pytest.mark.iwmo_regel("TR101", "TR333", "OP349")
def test_structure_of_the_declaratie_itself(opzet):
    t = opzet.toewijzing()
    for kwargs, sleutel in [
        ({"regels": []}, "regels"),
        ({"regels": [regel(t, "A"), regel(t, "A", maand=(2025, 4))]}, "regels.1.referentie"),
        ({"regels": ["geen object"]}, "regels.0"),
        ({"regels": [regel(t, "A")], "gemeente": "9999"}, "gemeente"),
        ({"regels": [regel(t, "A")], "nummer": ""}, "nummer"),
        ({"regels": [regel(t, "A")], "nummer": "X" * 13}, "nummer"),
    ]:
        args = {"gemeente": SOEST, "nummer": "D-1", **kwargs}
        with pytest.raises(ValidationError) as exc:
            indienen(opzet.a, user=opzet.systeem_a, **args)
        assert sleutel in exc.value.message_dict, (kwargs, exc.value.message_dict)
    assert not Declaratie.objects.exists()
    # A DeclaratieNummer is used once per aanbieder (another aanbieder may use it too).
    opzet.declareer(regel(t, "A"), nummer="D-1")
    with pytest.raises(ValidationError) as exc:
        opzet.declareer(regel(t, "B", maand=(2025, 4)), nummer="D-1")
    assert "nummer" in exc.value.message_dict
    assert Declaratie.objects.count() == 1 and Declaratieregel.objects.count() == 1
    opzet.declareer(regel(t, "B", maand=(2025, 4)), nummer="D-1", aanbieder=opzet.b)


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_declaraties_cannot_both_use_the_same_room(refdata):
    """Two connections declare 10 of the 13.28 uur of March at once: one is accepted, the other
    waits on the toewijzing's lock and then sees the first (March declared already: 9389)."""
    opzet = bouw_opzet()
    t = opzet.toewijzing()
    start = threading.Barrier(2)
    uitslagen, fouten = [], []

    def declareer(referentie):
        try:
            start.wait(timeout=10)
            d = opzet.declareer(regel(t, referentie, volume="10"), nummer=referentie)
            uitslagen.extend(codes(d))
        except Exception as exc:  # noqa: BLE001 - reported below
            fouten.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=declareer, args=(r,)) for r in ("C-1", "C-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not fouten, fouten
    assert sorted(uitslagen) == [["0200"], ["9389"]]
    assert Kostenregel.objects.count() == 1


# --- API ---------------------------------------------------------------------------------------


def api_regel(t, referentie, **kwargs):
    r = regel(t, referentie, **kwargs)
    return {
        "referentieNummer": r["referentie"],
        "vorigReferentieNummer": r["vorige_referentie"],
        "toewijzingNummer": r["toewijzingnummer"],
        "productcategorie": r["productcategorie"],
        "productcode": r["productcode"],
        "periodeBegin": r["periode_begin"].isoformat(),
        "periodeEinde": r["periode_einde"].isoformat(),
        "volume": str(r["volume"]),
        "eenheid": r["eenheid"],
        "bedrag": str(r["bedrag"]),
        "debetCredit": r["debet_credit"],
    }


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


URL = "/api/v1/declaraties/"


@pytest.mark.iwmo_regel("OP090x4")
def test_api_post_answers_201_with_the_outcome_per_line(opzet):
    t = opzet.toewijzing()
    body = {
        "gemeente": SOEST,
        "declaratieNummer": "API-1",
        "regels": [
            api_regel(t, "R-1"),
            api_regel(t, "R-2", maand=(2025, 4), volume="12", bedrag="1"),
        ],
    }
    response = api(opzet.systeem_a).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["declaratieNummer"], data["gemeente"], data["aanbieder"]) == (
        "API-1",
        SOEST,
        opzet.a.agb_code,
    )
    regels = {r["referentieNummer"]: r for r in data["regels"]}
    assert regels["R-1"]["status"] == "toegekend"
    assert regels["R-1"]["retourcodes"][0]["code"] == "0200"
    assert regels["R-1"]["productTarief"] == "60.10" and regels["R-1"]["bedrag"] == "781.30"
    assert regels["R-2"]["status"] == "afgewezen"
    assert regels["R-2"]["retourcodes"] == [
        {
            "code": "0611",
            "omschrijving": "Het ingediende tarief komt niet overeen met het contractuele tarief",
        }
    ]
    # GET: list and detail of one's own.
    lijst = api(opzet.systeem_a).get(URL).json()
    assert [d["declaratieNummer"] for d in lijst["results"]] == ["API-1"]
    assert api(opzet.systeem_a).get(f"{URL}{data['id']}/").json()["id"] == data["id"]


def test_api_malformed_declaratie_is_problem_json_named_in_api_terms(opzet):
    t = opzet.toewijzing()
    twee_maanden = api_regel(t, "R-2", maand=(2025, 4))
    twee_maanden["periodeEinde"] = "2025-05-31"
    body = {"gemeente": SOEST, "declaratieNummer": "API-2",
            "regels": [api_regel(t, "R-1"), twee_maanden]}  # fmt: skip
    response = api(opzet.systeem_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    namen = [p["name"] for p in response.json()["invalidParams"]]
    assert namen == ["regels.1.periodeEinde"]
    # A field DRF checks already: its own names too.
    body["regels"] = [api_regel(t, "R-1")]
    body["regels"][0]["volume"] = "veel"
    response = api(opzet.systeem_a).post(URL, body, format="json")
    assert [p["name"] for p in response.json()["invalidParams"]] == ["regels.0.volume"]
    # A DeclaratieNummer used before.
    body["regels"] = [api_regel(t, "R-1")]
    assert api(opzet.systeem_a).post(URL, body, format="json").status_code == 201
    response = api(opzet.systeem_a).post(URL, body, format="json")
    assert [p["name"] for p in response.json()["invalidParams"]] == ["declaratieNummer"]
    assert Declaratie.objects.count() == 1


def test_api_scoping_other_aanbieder_and_gemeente_roles(opzet):
    t = opzet.toewijzing()
    body = {"gemeente": SOEST, "declaratieNummer": "API-3", "regels": [api_regel(t, "R-1")]}
    eigen = api(opzet.systeem_a).post(URL, body, format="json").json()
    # B: its line on A's toewijzing is refused like an unknown number; A's declaratie is 404.
    vreemd = api(opzet.systeem_b).post(URL, body, format="json")
    assert vreemd.status_code == 201
    assert vreemd.json()["regels"][0]["retourcodes"][0]["code"] == "9338"
    assert api(opzet.systeem_b).get(f"{URL}{eigen['id']}/").status_code == 404
    assert [d["id"] for d in api(opzet.systeem_b).get(URL).json()["results"]] == [
        vreemd.json()["id"]
    ]
    # The gemeente's consulent sees both; one of Baarn none; neither may POST.
    ids = {d["id"] for d in api(opzet.consulent).get(URL).json()["results"]}
    assert ids == {eigen["id"], vreemd.json()["id"]}
    baarn = UserFactory(username="consulent-baarn")
    grant(baarn, "consulent", gemeente=BAARN)
    assert api(baarn).get(URL).json()["results"] == []
    assert api(baarn).get(f"{URL}{eigen['id']}/").status_code == 404
    body["declaratieNummer"] = "API-4"
    assert api(opzet.consulent).post(URL, body, format="json").status_code == 403
    assert api(opzet.systeem_a).get(URL, {"gemeente": SOEST}).status_code == 400


def test_api_idempotent_replay(opzet):
    t = opzet.toewijzing()
    body = {"gemeente": SOEST, "declaratieNummer": "API-5", "regels": [api_regel(t, "R-1")]}
    client = api(opzet.systeem_a)
    eerste = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    tweede = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (eerste.status_code, tweede.status_code) == (201, 201)
    assert tweede.json() == eerste.json() and tweede["Idempotent-Replayed"] == "true"
    body["declaratieNummer"] = "API-6"
    assert client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 409
    assert Declaratie.objects.count() == 1 and Kostenregel.objects.count() == 1


# --- web -----------------------------------------------------------------------------------------


def test_web_list_and_detail_are_scoped(opzet, client):
    t = opzet.toewijzing()
    declaratie = opzet.declareer(
        regel(t, "R-1"), regel(t, "R-2", maand=(2025, 4), volume="12", bedrag="1")
    )
    client.force_login(opzet.consulent)
    lijst = client.get(reverse("toegang:declaratie-list"))
    assert lijst.status_code == 200 and declaratie.nummer in lijst.content.decode()
    rij = lijst.context["object_list"][0]  # two lines, one refused, the other's amount granted
    assert (rij.aantal_regels, rij.aantal_afgewezen, str(rij.toegekend_bedrag)) == (2, 1, "781.30")
    assert "781,30" in lijst.content.decode()
    afgewezen = client.get(reverse("toegang:declaratie-list"), {"status": "afgewezen"})
    assert declaratie.nummer in afgewezen.content.decode()
    geheel = client.get(reverse("toegang:declaratie-list"), {"status": "toegekend", "sort": "x"})
    assert "Geen declaraties gevonden" in geheel.content.decode()
    detail = client.get(reverse("toegang:declaratie-detail", args=[declaratie.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "R-2" in html and "0611" in html and "Afgewezen" in html and "781,30" in html
    baarn = UserFactory(username="consulent-baarn-web")
    grant(baarn, "consulent", gemeente=BAARN)
    client.force_login(baarn)
    assert client.get(reverse("toegang:declaratie-detail", args=[declaratie.pk])).status_code == 404
    leeg = client.get(reverse("toegang:declaratie-list"))
    assert "Er zijn nog geen declaraties" in leeg.content.decode()


# --- the link between a line and its kostenregel, across the migration that moved it ----------


@pytest.mark.slow(35)
@pytest.mark.django_db(transaction=True)
def test_the_migration_that_moved_the_kostenregel_link_keeps_every_link(opzet):
    """financien 0006/0007 and toegang 0019 moved the link from the declaratieregel (toegang
    pointing up at financien) to the kostenregel: backwards every link returns to the old column,
    forwards every one comes back, nothing lost or crossed."""
    t = opzet.toewijzing()
    declaratie = opzet.declareer(regel(t, "R-1"), regel(t, "R-2", maand=(2025, 4), volume="12"))
    paren = sorted(declaratie.regels.values_list("pk", "kostenregel__pk"))
    assert len(paren) == 2 and all(k for _, k in paren)
    executor = MigrationExecutor(connection)
    laatste = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(
            [("financien", "0005_kostenregel_dekkende_index"),
             ("toegang", "0018_toewijzing_aanbieder_gewijzigd")]
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, kostenregel_id FROM toegang_declaratieregel ORDER BY id")
            assert cursor.fetchall() == paren
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(laatste)
    assert sorted(Declaratieregel.objects.values_list("pk", "kostenregel__pk")) == paren
