"""The taakgerichte toerekening (DOMAIN.md "The verevening (risk equalisation) model"): a
taakgericht contract's budget allocated to its clients by client-days in care × the functie's
weight, per month, to the cent; rerunnable; as a job in a real worker and on a monthly beat
schedule; and from the command line."""

import datetime
import io
import itertools
import random
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from financien import taakgericht
from financien.models import EersteBWStart, Kostenregel
from financien.taakgericht import ToerekeningFout, maandbudgetten, toerekenen
from financien.tasks import (
    MAANDELIJKS_TASK_NAME,
    SOORT,
    start_maandtoerekeningen,
    taakgericht_toerekenen,
)
from inkoop.models import Bestedingsruimte
from regio.jobs import JobContext, start_job
from regio.models import Gemeente, JobRun
from tests import scenarios
from tests.factories import (
    BestedingsruimteFactory,
    ContractFactory,
    JaarparametersFactory,
    ProductFactory,
    ToewijzingFactory,
    UserFactory,
    grant,
)
from tests.wachten import wait_for
from toegang.models import Toewijzing

D = datetime.date
SOEST, BAARN, AMERSFOORT, LEUSDEN = "0342", "0308", "0307", "0327"
NUMMERS = itertools.count(1)


# --- setup: the shared zorgaanbod (tests/scenarios.py) -----------------------------------------


def bouw_opzet(jaar=2025, budget="365000.00"):
    """Regio Amersfoort 2025: a taakgericht perceel with a BW functie (weight 2.5) and a
    begeleiding functie (no weight: 1); contract ``contract`` with a budget of 365,000.00 for
    2025 (so every month's budget is its days × 1,000.00); a second taakgericht contract and a
    P×Q contract of other aanbieders."""
    aanbod = scenarios.zorgaanbod(
        scenarios.Gebruiker(f"consulent-tg-{next(NUMMERS)}", None),
        functie=dict(naam="Beschermd wonen", productcategorie="15"),
    )  # fmt: skip
    contract, ander = aanbod.contracten
    # These hand-computed scenarios count toewijzing periods (test_financien_zorgperioden.py
    # counts the care as reported).
    for c in aanbod.contracten:
        c.toerekeningsbasis = "toewijzingen"
        c.save(update_fields=["toerekeningsbasis"])
    beg = ProductFactory(
        perceel=aanbod.taak, naam="Begeleiding", domein="begeleiding", productcategorie="02"
    )
    BestedingsruimteFactory(contract=contract, jaar=jaar, bedrag=Decimal(budget))
    BestedingsruimteFactory(contract=ander, jaar=jaar, bedrag=Decimal("3650.00"))
    parameters = JaarparametersFactory(jaar=jaar, gewichten={aanbod.functie: "2.5"})
    pxq = scenarios.zorgaanbod(
        functie=None, aanbieders=("Stichting Anker",),
        product=dict(soort="product", domein="beschermd_wonen", productcategorie="14",
                     productcode="15A01", eenheid="14"),
        contract=dict(bekostiging="pxq", bestedingsruimte={jaar: "5000.00"}),
    )  # fmt: skip

    def toewijzing(functie, ingang, eind=None, *, gemeente=SOEST, contract=None,
                   status="actief", dossier=None):  # fmt: skip
        """Stored directly, with a number of its own and any status."""
        bp = aanbod.traject(functie, dossier=dossier, gemeente=gemeente, periode=(ingang, eind)).bp
        return ToewijzingFactory(
            beschikt_product=bp, contract=contract or aanbod.contracten[0], nummer=next(NUMMERS),
            status=status,
        )  # fmt: skip

    return SimpleNamespace(
        regio=aanbod.regio, user=aanbod.consulent, perceel=aanbod.taak, bw=aanbod.functie,
        beg=beg, aanbieder=aanbod.aanbieder, contract=contract, parameters=parameters,
        ander=ander, pxq_perceel=pxq.pxq, pxq_product=pxq.product, pxq=pxq.contracten[0],
        toewijzing=toewijzing,
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


class Jaar:
    """The hand-computed scenario of 2025 under ``opzet.contract``:

    A  BW           Soest       2024-01-01 → open          (the whole year)
    B  begeleiding  Baarn       2025-03-11 → open
    C  BW           Soest       2024-06-01 → 2025-03-10
    D  begeleiding  Amersfoort  2025-03-16 → 2025-03-20
    E  BW           Leusden     2025-07-15 → 2025-09-02
    and, not counting: F (ingetrokken), G (another contract), H (the P×Q contract).
    """

    def __init__(self, o):
        self.A = o.toewijzing(o.bw, D(2024, 1, 1))
        self.B = o.toewijzing(o.beg, D(2025, 3, 11), gemeente=BAARN)
        self.C = o.toewijzing(o.bw, D(2024, 6, 1), D(2025, 3, 10))
        self.D = o.toewijzing(o.beg, D(2025, 3, 16), D(2025, 3, 20), gemeente=AMERSFOORT)
        self.E = o.toewijzing(o.bw, D(2025, 7, 15), D(2025, 9, 2), gemeente=LEUSDEN)
        self.F = o.toewijzing(o.bw, D(2025, 3, 1), status="ingetrokken")
        self.G = o.toewijzing(o.bw, D(2025, 1, 1), contract=o.ander)
        self.H = o.toewijzing(o.pxq_product, D(2025, 1, 1), contract=o.pxq)


def regels(contract, **filters):
    return Kostenregel.objects.filter(
        referentie__startswith=f"tg-{contract.pk}-", **filters
    ).order_by("referentie")


def som(queryset) -> Decimal:
    return sum((r.bedrag for r in queryset), Decimal("0.00"))


def referentie(contract, maand, toewijzing):
    return f"tg-{contract.pk}-2025-{maand:02d}-{toewijzing.pk}"


# --- arithmetic --------------------------------------------------------------------------------


def test_largest_remainder_adds_up_and_breaks_ties_by_position():
    assert taakgericht.grootste_rest(10000, [1, 1, 1]) == [3334, 3333, 3333]
    assert taakgericht.grootste_rest(10000, [70, 14]) == [8333, 1667]
    assert taakgericht.grootste_rest(5, [0, 0]) == [0, 0]
    rng = random.Random(7)
    for _ in range(200):
        gewichten = [rng.randint(0, 10_000) for _ in range(rng.randint(1, 30))]
        centen = rng.randint(0, 10**9)
        delen = taakgericht.grootste_rest(centen, gewichten)
        if sum(gewichten):
            assert sum(delen) == centen
            for deel, gewicht in zip(delen, gewichten, strict=True):
                assert abs(Fraction(deel) - Fraction(centen * gewicht, sum(gewichten))) < 1


@pytest.mark.django_db
def test_month_budgets_follow_the_days_and_add_up_to_the_year(refdata):
    contract = ContractFactory(begin=D(2023, 1, 1), einde=D(2026, 12, 31))
    budget = Decimal("1000000.01")  # 2024 is a leap year: 366 days
    maanden = maandbudgetten(contract, 2024, budget)
    assert sum(maanden) == budget
    # Exact cents: 31-day months 8,469,945.44, February 7,923,497.35, 30-day months
    # 8,196,721.39; 5 cents left go to the 31-day months with the largest remainders, earliest
    # first: January, March, May, July, August.
    assert maanden[0] == maanden[2] == maanden[7] == Decimal("84699.46")
    assert maanden[9] == maanden[11] == Decimal("84699.45") and maanden[1] == Decimal("79234.97")
    # A contract that starts on 1 July spreads the year's budget over its own months only.
    halfjaar = ContractFactory(begin=D(2024, 7, 1), einde=D(2026, 12, 31))
    maanden = maandbudgetten(halfjaar, 2024, Decimal("184.00"))
    assert maanden[:6] == [Decimal("0.00")] * 6 and maanden[6] == Decimal("31.00")
    assert sum(maanden) == Decimal("184.00")


# --- the hand-computed scenario ---------------------------------------------------------------


@pytest.mark.django_db
def test_march_by_hand(opzet):
    """March 2025: budget 31,000.00. Weighted days: A 31 × 2.5 = 77.5, B 21 × 1, C 10 × 2.5 =
    25, D 5 × 1; total 128.5. Exact cents: A 1,869,649.805, B 506,614.786, C 603,112.840,
    D 120,622.568; the floors leave 3 cents, which go to C, A and B (largest remainders)."""
    jaar = Jaar(opzet)
    uitkomst = toerekenen(opzet.contract, 2025, 3)
    assert uitkomst.maandbudget == uitkomst.toegerekend == Decimal("31000.00")
    assert uitkomst.clientdagen == 31 + 21 + 10 + 5 and not uitkomst.opmerkingen
    soest = Gemeente.objects.get(code=SOEST)
    verwacht = {
        jaar.A: (Decimal("18696.50"), D(2025, 3, 1), D(2025, 3, 31), opzet.bw, SOEST),
        jaar.B: (Decimal("5066.15"), D(2025, 3, 11), D(2025, 3, 31), opzet.beg, BAARN),
        jaar.C: (Decimal("6031.13"), D(2025, 3, 1), D(2025, 3, 10), opzet.bw, SOEST),
        jaar.D: (Decimal("1206.22"), D(2025, 3, 16), D(2025, 3, 20), opzet.beg, AMERSFOORT),
    }
    lijnen = {r.referentie: r for r in regels(opzet.contract)}
    assert set(lijnen) == {referentie(opzet.contract, 3, t) for t in verwacht}
    for t, (bedrag, begin, einde, functie, gemeente) in verwacht.items():
        r = lijnen[referentie(opzet.contract, 3, t)]
        assert (r.bedrag, r.periode_begin, r.periode_einde) == (bedrag, begin, einde)
        assert r.functie == functie and r.gemeente_herkomst.code == gemeente
        assert r.client_id == t.beschikt_product.beschikking.dossier.client_id
        assert (r.aanbieder, r.regio, r.jaar, r.bron) == (
            opzet.aanbieder, opzet.regio, 2025, "taakgericht",
        )  # fmt: skip
    assert soest == lijnen[referentie(opzet.contract, 3, jaar.A)].gemeente_herkomst


@pytest.mark.django_db
def test_weighting_by_hand_within_a_one_month_contract(opzet):
    """A contract running only in February 2025 with a budget of 100.00: all of it is February's.
    BW 28 days × 2.5 = 70, begeleiding 14 days × 1 = 14: 10,000 cents × 70/84 = 8,333.33 and
    × 14/84 = 1,666.67; the odd cent goes to the larger remainder (begeleiding)."""
    kort = ContractFactory(
        aanbieder=opzet.aanbieder, percelen=[opzet.perceel],
        begin=D(2025, 2, 1), einde=D(2025, 2, 28), toerekeningsbasis="toewijzingen",
    )  # fmt: skip
    Bestedingsruimte.objects.create(contract=kort, jaar=2025, bedrag=Decimal("100.00"))
    bw = opzet.toewijzing(opzet.bw, D(2025, 2, 1), D(2025, 2, 28), contract=kort)
    beg = opzet.toewijzing(opzet.beg, D(2025, 2, 15), D(2025, 2, 28), contract=kort)
    assert maandbudgetten(kort, 2025, Decimal("100.00"))[1] == Decimal("100.00")
    toerekenen(kort, 2025, 2)
    bedragen = dict(regels(kort).values_list("referentie", "bedrag"))
    assert bedragen == {
        f"tg-{kort.pk}-2025-02-{bw.pk}": Decimal("83.33"),
        f"tg-{kort.pk}-2025-02-{beg.pk}": Decimal("16.67"),
    }
    # Equal shares: the toewijzing with the lower id gets the odd cent.
    drie = ContractFactory(
        aanbieder=opzet.aanbieder, percelen=[opzet.perceel],
        begin=D(2025, 2, 1), einde=D(2025, 2, 28), toerekeningsbasis="toewijzingen",
    )  # fmt: skip
    Bestedingsruimte.objects.create(contract=drie, jaar=2025, bedrag=Decimal("100.00"))
    gelijk = [opzet.toewijzing(opzet.bw, D(2025, 2, 1), contract=drie) for _ in range(3)]
    toerekenen(drie, 2025, 2)
    assert [regels(drie).get(referentie__endswith=f"-{t.pk}").bedrag for t in gelijk] == [
        Decimal("33.34"), Decimal("33.33"), Decimal("33.33"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_whole_year_is_allocated_to_the_cent(opzet):
    jaar = Jaar(opzet)
    for maand in range(1, 13):
        uitkomst = toerekenen(opzet.contract, 2025, maand)
        assert uitkomst.toegerekend == uitkomst.maandbudget and not uitkomst.opmerkingen
        assert som(regels(opzet.contract, periode_begin__month=maand)) == uitkomst.maandbudget
    assert som(regels(opzet.contract)) == Decimal("365000.00")
    # January: A and C only, 31 days each, both BW: the budget halves.
    januari = dict(
        regels(opzet.contract, periode_begin__month=1).values_list("referentie", "bedrag")
    )
    assert januari == {
        referentie(opzet.contract, 1, jaar.A): Decimal("15500.00"),
        referentie(opzet.contract, 1, jaar.C): Decimal("15500.00"),
    }
    # The ingetrokken toewijzing, another contract's and the P×Q contract's never count.
    for t in (jaar.F, jaar.G, jaar.H):
        assert not Kostenregel.objects.filter(referentie__endswith=f"-{t.pk}").exists()
    assert not Kostenregel.objects.filter(referentie__startswith=f"tg-{opzet.ander.pk}-").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("seed", "budget"), [(1, "1000000.01"), (2, "987654.32")])
def test_a_generated_year_is_allocated_to_the_cent(refdata, seed, budget):
    """Clients starting and stopping mid-month in a leap year, two functies with different
    weights: the lines add up to the budget, each month to its budget, and each line is its
    exact share (days counted here, independently of the SQL) within a cent."""
    opzet = bouw_opzet(jaar=2024, budget=budget)
    rng = random.Random(seed)
    toewijzingen = [opzet.toewijzing(opzet.beg, D(2023, 12, 20))]  # in care every month
    for _ in range(14):
        begin = D(2023, 10, 1) + datetime.timedelta(days=rng.randint(0, 450))
        einde = None if rng.random() < 0.3 else begin + datetime.timedelta(rng.randint(0, 200))
        functie = rng.choice([opzet.bw, opzet.beg])
        toewijzingen.append(opzet.toewijzing(functie, begin, einde))
    gewicht = {opzet.bw.pk: Fraction(5, 2), opzet.beg.pk: Fraction(1)}
    budgetten = maandbudgetten(opzet.contract, 2024, Decimal(budget))
    for maand in range(1, 13):
        toerekenen(opzet.contract, 2024, maand)
        begin, einde = taakgericht.maandgrenzen(2024, maand)
        dagen = {
            t.pk: max(0, (min(t.einddatum or einde, einde) - max(t.ingangsdatum, begin)).days + 1)
            for t in toewijzingen
        }
        gewogen = {t.pk: dagen[t.pk] * gewicht[t.beschikt_product.product_id] for t in toewijzingen}
        lijnen = {
            int(r.referentie.rsplit("-", 1)[1]): r
            for r in Kostenregel.objects.filter(
                referentie__startswith=f"tg-{opzet.contract.pk}-2024-{maand:02d}-"
            )
        }
        assert set(lijnen) == {pk for pk, d in dagen.items() if d}
        assert som(lijnen.values()) == budgetten[maand - 1]
        for pk, lijn in lijnen.items():
            exact = Fraction(budgetten[maand - 1]) * gewogen[pk] / sum(gewogen.values())
            assert abs(Fraction(lijn.bedrag) - exact) < Fraction(1, 100)
            assert (lijn.periode_einde - lijn.periode_begin).days + 1 == dagen[pk]
    assert som(regels(opzet.contract)) == Decimal(budget)


# --- reruns, exclusions, remarks -------------------------------------------------------------


@pytest.mark.django_db
def test_a_rerun_gives_identical_lines_and_no_duplicates(opzet):
    jaar = Jaar(opzet)
    velden = ("referentie", "client_id", "gemeente_herkomst_id", "functie_id", "aanbieder_id",
              "periode_begin", "periode_einde", "bedrag", "jaar")  # fmt: skip
    toerekenen(opzet.contract, 2025, 3)
    eerst = list(regels(opzet.contract).values_list(*velden))
    toerekenen(opzet.contract, 2025, 3)
    assert list(regels(opzet.contract).values_list(*velden)) == eerst and len(eerst) == 4
    # A toewijzing withdrawn afterwards: the rerun replaces the month, still to the cent.
    Toewijzing.objects.filter(pk=jaar.D.pk).update(status="ingetrokken")
    toerekenen(opzet.contract, 2025, 3)
    assert regels(opzet.contract).count() == 3
    assert som(regels(opzet.contract)) == Decimal("31000.00")
    assert not regels(opzet.contract, referentie__endswith=f"-{jaar.D.pk}").exists()
    # Other months and other contracts are untouched by a month's rerun.
    toerekenen(opzet.contract, 2025, 4)
    toerekenen(opzet.ander, 2025, 3)
    april, ander = regels(opzet.contract, periode_begin__month=4).count(), regels(opzet.ander)
    toerekenen(opzet.contract, 2025, 3)
    assert regels(opzet.contract, periode_begin__month=4).count() == april == 2
    assert som(ander) == Decimal("310.00")  # 3,650.00 / 365 × 31 days: its own budget


@pytest.mark.django_db
def test_a_pxq_contract_is_refused(opzet):
    with pytest.raises(ToerekeningFout, match="niet taakgericht"):
        toerekenen(opzet.pxq, 2025, 3)
    assert list(taakgericht.lopende_contracten(opzet.regio, 2025, 3)) == sorted(
        [opzet.contract, opzet.ander], key=lambda c: c.kenmerk
    )
    with pytest.raises(ToerekeningFout, match="JJJJ-MM"):
        toerekenen(opzet.contract, 2025, 13)


@pytest.mark.django_db
def test_a_month_without_client_days_allocates_nothing_and_says_so(opzet):
    opzet.toewijzing(opzet.bw, D(2025, 3, 1), D(2025, 12, 31))
    uitkomst = toerekenen(opzet.contract, 2025, 2)
    assert uitkomst.toegerekend == Decimal("0.00") and uitkomst.maandbudget == Decimal("28000.00")
    assert uitkomst.niet_toegerekend == Decimal("28000.00") and not uitkomst.regels
    assert "Geen cliëntdagen" in uitkomst.opmerkingen[0] and "28000,00" in uitkomst.opmerkingen[0]
    for maand in range(1, 13):
        toerekenen(opzet.contract, 2025, maand)
    # January and February had nobody in care: the year falls short by their budgets.
    assert som(regels(opzet.contract)) == Decimal("365000.00") - Decimal("59000.00")


@pytest.mark.django_db
def test_without_bestedingsruimte_nothing_is_allocated(opzet):
    Bestedingsruimte.objects.filter(contract=opzet.contract).delete()
    opzet.toewijzing(opzet.bw, D(2025, 1, 1))
    uitkomst = toerekenen(opzet.contract, 2025, 3)
    assert not uitkomst.regels and not regels(opzet.contract).exists()
    assert "geen bestedingsruimte" in uitkomst.opmerkingen[0]


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_toewijzingen(opzet):
    for _ in range(5):
        opzet.toewijzing(opzet.bw, D(2025, 3, 4))
    toerekenen(opzet.contract, 2025, 3)
    with CaptureQueriesContext(connection) as vijf:
        toerekenen(opzet.contract, 2025, 3)
    for _ in range(45):
        opzet.toewijzing(opzet.beg, D(2025, 2, 1), D(2025, 3, 20))
    with CaptureQueriesContext(connection) as vijftig:
        uitkomst = toerekenen(opzet.contract, 2025, 3)
    assert len(uitkomst.regels) == 50 and uitkomst.toegerekend == Decimal("31000.00")
    assert len(vijftig) == len(vijf)


@pytest.mark.django_db
def test_first_bw_start_is_recorded_for_bw_clients_without_one(opzet):
    jaar = Jaar(opzet)
    client_a = jaar.A.beschikt_product.client
    EersteBWStart.objects.create(
        client=client_a, regio=opzet.regio, gemeente_herkomst=Gemeente.objects.get(code=SOEST),
        datum=D(2019, 5, 1), bron="conversie",
    )  # fmt: skip
    uitkomst = toerekenen(opzet.contract, 2025, 3)
    assert uitkomst.eerste_bw_starts == 1
    # C: BW since 2024-06-01 (before the month); B and D have begeleiding only; A had one.
    c = EersteBWStart.objects.get(client=jaar.C.beschikt_product.client)
    assert (c.datum, c.bron, c.regio, c.aanbieder) == (
        D(2024, 6, 1), "regiozorg", opzet.regio, opzet.aanbieder,
    )  # fmt: skip
    assert c.gemeente_herkomst.code == SOEST
    assert EersteBWStart.objects.get(client=client_a).datum == D(2019, 5, 1)
    for t in (jaar.B, jaar.D, jaar.E):
        assert not EersteBWStart.objects.filter(client=t.beschikt_product.client).exists()
    toerekenen(opzet.contract, 2025, 7)  # E starts in July
    assert EersteBWStart.objects.get(client=jaar.E.beschikt_product.client).datum == D(2025, 7, 15)
    assert toerekenen(opzet.contract, 2025, 7).eerste_bw_starts == 0


# --- the job, the schedule and the command ----------------------------------------------------


class Opnemer(JobContext):
    def __init__(self, run):
        super().__init__(run)
        self.stappen = []

    def progress(self, voortgang, stap=""):
        self.stappen.append(voortgang)
        super().progress(voortgang, stap)


@pytest.mark.django_db
def test_the_job_reports_progress_per_contract_and_skips_pxq(opzet):
    Jaar(opzet)
    ctx = Opnemer(JobRun.objects.create(soort=SOORT, regio=opzet.regio))
    resultaat = taakgericht_toerekenen(ctx, regio_id=opzet.regio.pk, maand="2025-03")
    assert ctx.stappen == [5, 50, 95]
    assert [c["kenmerk"] for c in resultaat["contracten"]] == sorted(
        [opzet.contract.kenmerk, opzet.ander.kenmerk]
    )
    assert resultaat["toegerekend"] == "31310.00"  # 31,000.00 + the other contract's 310.00
    assert not Kostenregel.objects.filter(referentie__startswith=f"tg-{opzet.pxq.pk}-").exists()


@pytest.mark.django_db
def test_a_finance_user_of_one_gemeente_cannot_run_the_regio(opzet):
    Jaar(opzet)
    user = UserFactory(username="financien-soest")
    grant(user, "financien", gemeente=SOEST)
    run = JobRun.objects.create(
        soort=SOORT, regio=opzet.regio, gestart_door=user,
        parameters={"regio_id": opzet.regio.pk, "maand": "2025-03"},
    )  # fmt: skip
    taakgericht_toerekenen.definitie.task.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == JobRun.Status.MISLUKT and not Kostenregel.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_job_in_a_real_worker(refdata, celery_worker_thread):
    opzet = bouw_opzet()
    Jaar(opzet)
    user = UserFactory(username="financien-regio")
    grant(user, "financien", regio="amersfoort")
    run = start_job(SOORT, user=user, regio=opzet.regio, regio_id=opzet.regio.pk, maand="2025-03")
    done = wait_for(lambda: (r := JobRun.objects.get(pk=run.pk)).klaar and r, timeout=30)
    assert done.status == JobRun.Status.GEREED, done.fout
    assert done.voortgang == 100 and done.celery_task_id
    assert done.resultaat["maand"] == "2025-03" and len(done.resultaat["contracten"]) == 2
    assert (
        som(regels(opzet.contract)) == Decimal("31000.00") and regels(opzet.contract).count() == 4
    )
    # Idempotent: a second run leaves the same lines.
    again = start_job(SOORT, user=user, regio=opzet.regio, regio_id=opzet.regio.pk, maand="2025-03")
    wait_for(lambda: JobRun.objects.get(pk=again.pk).klaar, timeout=30)
    assert regels(opzet.contract).count() == 4
    assert som(regels(opzet.contract)) == Decimal("31000.00")


@pytest.mark.django_db
def test_the_monthly_schedule_exists_and_starts_one_system_run_per_regio(opzet, beat_schema):
    from django_celery_beat.models import PeriodicTask

    taak = PeriodicTask.objects.get(task=MAANDELIJKS_TASK_NAME)
    assert taak.enabled and taak.crontab.day_of_month == "2" and taak.crontab.hour == "4"
    assert taak.crontab.minute == "0" and str(taak.crontab.timezone) == "Europe/Amsterdam"
    gestart = start_maandtoerekeningen(D(2025, 4, 2))
    run = JobRun.objects.get(pk__in=gestart)
    assert run.soort == SOORT and run.regio == opzet.regio and run.gestart_door is None
    assert run.parameters == {"regio_id": opzet.regio.pk, "maand": "2025-03"}
    assert start_maandtoerekeningen(D(2025, 4, 2)) == []  # a redelivered task starts nothing
    assert start_maandtoerekeningen(D(2027, 4, 2)) == []  # no contract runs in March 2027


@pytest.mark.django_db
def test_the_command(opzet):
    Jaar(opzet)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "taakgericht_toerekenen", "--regio", "amersfoort", "--maand", "2025-03",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert f"{opzet.contract.kenmerk}: maandbudget 31000.00, toegerekend 31000.00" in out.getvalue()
    assert "4 toewijzingen (67 cliëntdagen)" in out.getvalue()
    assert som(regels(opzet.contract)) == Decimal("31000.00")
    with pytest.raises(CommandError, match="Ongeldige maand"):
        call_command("taakgericht_toerekenen", "--regio", "amersfoort", "--maand", "2025-13")
    with pytest.raises(CommandError, match="Onbekende regio"):
        call_command("taakgericht_toerekenen", "--regio", "nergens", "--maand", "2025-03")
