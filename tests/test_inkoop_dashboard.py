"""The contract dashboard at any scale: each table shows its first RIJEN rows in its useful order,
cut in SQL, with the total and links to every row; the export keeps every row and the signal
counts count every row, not only the shown ones (issue 10)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from financien.models import Kostenregel
from inkoop.contracten.services import besluit_wat, besluiten_binnenkort, budgetgebruik
from inkoop.contracten.views.dashboard import GRAFIEK_CONTRACTEN, RIJEN
from inkoop.models import Bestedingsruimte, Certificaat, Contract, Melding, Rapportage
from inkoop.models import Verlengingsoptie as Optie
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, gemeente, grant
from toegang.models import Client

pytestmark = pytest.mark.django_db
D = datetime.date
VANDAAG = datetime.date.today()
JAAR = VANDAAG.year
URL = "/inkoop/regio/amersfoort/dashboard/"


@pytest.fixture
def risb(client, refdata):
    user = UserFactory(username="risb-dashboard")
    grant(user, "contractmanager", regio="amersfoort")
    client.force_login(user)
    return user


def lopend_contract(kenmerk, **velden):
    """A contract of regio Amersfoort running today and for three more years."""
    return ContractFactory(kenmerk=kenmerk, einde=D(JAAR + 3, 12, 31), **velden)


def besteed(contract, bedrag, *, bron="declaratie", jaar=JAAR):
    """A booked cost of ``bedrag`` under ``contract`` (as an accepted declaratieregel makes it);
    a pgb line has no contract."""
    return Kostenregel.objects.create(
        regio=contract.regio, jaar=jaar, client=Client.objects.create(),
        gemeente_herkomst=gemeente("0307"), bron=bron,
        referentie=f"b{Kostenregel.objects.count()}", periode_begin=D(jaar, 1, 1),
        periode_einde=D(jaar, 1, 1), bedrag=Decimal(bedrag),
        contract=None if bron == "pgb" else contract,
    )  # fmt: skip


def export(client, tabel, **params):
    response = client.get(URL, {"jaar": JAAR, "export": tabel, "formaat": "csv", **params})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return rows[1:]


def test_a_long_table_shows_the_cap_the_total_and_where_the_rest_is(client, risb):
    contract = lopend_contract("AMF-WACHT")
    ingediend = datetime.datetime(JAAR - 3, 1, 1, 12, tzinfo=datetime.UTC)
    rapportages = []
    for i in range(RIJEN + 2):  # submitted one day after the other: the oldest waits longest
        jaar, kwartaal = JAAR - 3 + i // 4, i % 4 + 1
        rapportages.append(
            Rapportage.objects.create(
                contract=contract,
                jaar=jaar,
                kwartaal=kwartaal,
                status="ingediend" if i % 2 else "in_beoordeling",
                ingediend_op=ingediend + datetime.timedelta(days=i),
            )  # fmt: skip
        )
    Rapportage.objects.create(contract=contract, jaar=JAAR + 1, kwartaal=1, status="akkoord")
    namen = [str(r) for r in rapportages]

    response = client.get(URL, {"jaar": JAAR})
    page = response.content.decode()
    tabel = response.context["tabellen"]["wachtend"]
    assert [str(r) for r in tabel.items] == namen[:RIJEN] and tabel.totaal == RIJEN + 2
    assert all(naam in page for naam in namen[:RIJEN])
    assert namen[RIJEN] not in page and namen[RIJEN + 1] not in page
    assert f"{RIJEN} van {RIJEN + 2} getoond, langst wachtend eerst." in page
    assert f'href="?jaar={JAAR}&amp;alles=wachtend#wachtend">Alle {RIJEN + 2} tonen</a>' in page
    assert 'href="/inkoop/rapportages/?status=wacht&amp;sort=ingediend"' in page
    assert f'<p class="kpi">{RIJEN + 2}</p><p class="muted">wachten op beoordeling' in page

    # The export keeps every row, in the same order.
    assert [row[0] for row in export(client, "wachtend")] == namen

    # One click shows the whole table, and the way back.
    response = client.get(URL, {"jaar": JAAR, "alles": "wachtend"})
    page = response.content.decode()
    assert [str(r) for r in response.context["tabellen"]["wachtend"].items] == namen
    assert all(naam in page for naam in namen)
    assert f"Alle {RIJEN + 2} getoond" in page and f"Alleen de eerste {RIJEN} tonen" in page

    # An unknown table to show whole is ignored; an unknown export is not found.
    response = client.get(URL, {"jaar": JAAR, "alles": "onbekend"})
    assert (
        response.status_code == 200 and len(response.context["tabellen"]["wachtend"].items) == RIJEN
    )
    assert client.get(URL, {"export": "onbekend"}).status_code == 404


def test_budget_signals_count_every_contract_not_only_the_shown_ones(client, risb):
    signalen = RIJEN + 3
    for i in range(signalen):  # 70.0 % up to 130.0 %: every one signals
        contract = lopend_contract(f"AMF-S{i:02d}")
        Bestedingsruimte.objects.create(contract=contract, jaar=JAAR, bedrag=Decimal("1000.00"))
        besteed(contract, 700 + 50 * i)
    # No signal: below its own threshold; only the aanbieder's report is high (the facts
    # decide: pgb, a credit and another year do not count); no budget; a budget of 0.
    hoog = lopend_contract("AMF-HOOG", signaaldrempel=85)
    laag = lopend_contract("AMF-LAAG")
    concept = lopend_contract("AMF-CONCEPT")
    nul = lopend_contract("AMF-NUL")
    geen = lopend_contract("AMF-GEEN")
    for contract, bedrag in ((hoog, "1000.00"), (laag, "1000.00"), (concept, "1000.00"),
                             (nul, "0.00")):  # fmt: skip
        Bestedingsruimte.objects.create(contract=contract, jaar=JAAR, bedrag=Decimal(bedrag))
    for contract, bedrag in ((hoog, "849.99"), (laag, "699.99"), (nul, "5.00"), (geen, "5.00")):
        besteed(contract, bedrag)
    Rapportage.objects.create(contract=concept, jaar=JAAR, kwartaal=2, status="ingediend",
                              uitgaven_tot_nu=Decimal("2000.00"))  # fmt: skip
    besteed(concept, "900.00", bron="pgb")
    besteed(concept, "900.00", jaar=JAAR - 1)
    besteed(concept, "300.00")
    besteed(concept, "-250.00")
    alle = Contract.objects.filter(regio__code="amersfoort")

    response = client.get(URL, {"jaar": JAAR})
    page = response.content.decode()
    assert response.context["signalen"] == signalen
    assert f'<p class="kpi">{signalen}</p><p class="muted">contracten op of boven' in page
    tabel = response.context["tabellen"]["budget"]
    assert len(tabel.items) == RIJEN and tabel.totaal == alle.count()
    assert f"{RIJEN} van {alle.count()} getoond, hoogste percentage eerst." in page
    assert len(response.context["budget_chart"]["categories"]) == GRAFIEK_CONTRACTEN

    # The order cut in SQL is the order of every row by the rule: highest share shown first,
    # then kenmerk; contracts without a share last. The export has them all.
    verwacht = sorted(
        budgetgebruik(alle.order_by("kenmerk"), JAAR),
        key=lambda g: (g.percentage is None, -(g.percentage or 0), g.contract.kenmerk),
    )
    assert [g.contract.kenmerk for g in tabel.items] == [
        g.contract.kenmerk for g in verwacht[:RIJEN]
    ]
    rows = export(client, "budget")
    assert [row[0] for row in rows] == [g.contract.kenmerk for g in verwacht]
    assert sum(1 for row in rows if row[5]) == signalen == sum(1 for g in verwacht if g.signaal)
    assert {row[0]: row[4] for row in rows}["AMF-HOOG"] == "84,9"  # rounded down, no signal
    # With every row on the page the count is the same.
    response = client.get(URL, {"jaar": JAAR, "alles": "budget"})
    assert response.context["signalen"] == signalen
    assert len(response.context["tabellen"]["budget"].items) == alle.count()


def test_quality_totals_count_every_row(client, risb):
    contract = lopend_contract("AMF-KWALITEIT")
    aantal = RIJEN + 1
    for i in range(aantal):
        Certificaat.objects.create(aanbieder=contract.aanbieder, soort=f"HKZ-{i:02d}",
                                   geldig_tot=VANDAAG + datetime.timedelta(days=i))  # fmt: skip
        Melding.objects.create(aanbieder=contract.aanbieder, contract=contract,
                               soort="incident", datum=VANDAAG - datetime.timedelta(days=i),
                               omschrijving="Valpartij")  # fmt: skip
    Melding.objects.create(aanbieder=contract.aanbieder, soort="incident", datum=VANDAAG,
                           omschrijving="Afgehandeld", status="afgehandeld")  # fmt: skip
    # Another regio's aanbieder does not count.
    ander = AanbiederFactory()
    Certificaat.objects.create(aanbieder=ander, soort="HKZ", geldig_tot=VANDAAG)

    response = client.get(URL, {"jaar": JAAR})
    page = response.content.decode()
    tabellen = response.context["tabellen"]
    assert tabellen["certificaten"].totaal == tabellen["meldingen"].totaal == aantal
    assert len(tabellen["certificaten"].items) == len(tabellen["meldingen"].items) == RIJEN
    assert [c.soort for c in tabellen["certificaten"].items] == [
        f"HKZ-{i:02d}" for i in range(RIJEN)
    ]  # soonest lapsing first
    assert tabellen["meldingen"].items[0].datum == VANDAAG - datetime.timedelta(days=RIJEN)
    assert f'<p class="kpi">{aantal}</p>' in page and f"; {aantal} open calamiteiten" in page
    assert "/inkoop/meldingen/?status=open" in page
    assert len(export(client, "certificaten")) == len(export(client, "meldingen")) == aantal


def test_empty_dashboard_keeps_its_empty_states(client, risb):
    page = client.get(URL, {"jaar": JAAR}).content.decode()
    for leeg in (f"Geen contracten in {JAAR}.", "Geen besluiten in de komende 6 maanden.",
                 "Er wachten geen rapportages op beoordeling.", "Geen rapportages te laat.",
                 "Geen certificaten die binnen 90 dagen verlopen.",
                 "Geen open calamiteiten of incidenten."):  # fmt: skip
        assert leeg in page
    assert "getoond" not in page
    assert export(client, "budget") == []


@pytest.mark.parametrize("jaar", ["99999", "0", "-1", "abc", ""])
def test_nonsense_year_shows_this_year(client, risb, jaar):
    response = client.get(URL, {"jaar": jaar})
    assert response.status_code == 200 and response.context["jaar"] == JAAR
    assert client.get(URL, {"jaar": jaar, "export": "budget"}).status_code == 200


def test_besluiten_binnenkort_first_open_option_or_the_end_soonest_first(refdata):
    peil = D(2026, 1, 15)
    ContractFactory(kenmerk="AMF-EINDE", einde=D(2026, 5, 31))
    tweede = ContractFactory(kenmerk="AMF-TWEEDE", einde=D(2026, 12, 31))
    Optie.objects.create(contract=tweede, volgnummer=1, duur_maanden=12,
                         besluit_uiterlijk=D(2026, 3, 1), benut=False)  # fmt: skip
    Optie.objects.create(contract=tweede, volgnummer=2, duur_maanden=12,
                         besluit_uiterlijk=D(2026, 4, 1))  # fmt: skip
    eerst = ContractFactory(kenmerk="AMF-OPTIE", einde=D(2026, 6, 30))
    Optie.objects.create(contract=eerst, volgnummer=2, duur_maanden=12,
                         besluit_uiterlijk=D(2026, 3, 1))  # fmt: skip
    Optie.objects.create(contract=eerst, volgnummer=1, duur_maanden=12,
                         besluit_uiterlijk=D(2026, 2, 1))  # fmt: skip
    later = ContractFactory(kenmerk="AMF-LATER", einde=D(2027, 12, 31))
    Optie.objects.create(contract=later, volgnummer=1, duur_maanden=12,
                         besluit_uiterlijk=D(2026, 9, 1))  # fmt: skip
    ContractFactory(kenmerk="AMF-VOORBIJ", einde=D(2026, 1, 10))

    besluiten = besluiten_binnenkort(Contract.objects.all(), peil)
    assert [(c.besluit_datum, c.kenmerk, besluit_wat(c)) for c in besluiten] == [
        (D(2026, 2, 1), "AMF-OPTIE", "verlengingsbesluit 1"),
        (D(2026, 4, 1), "AMF-TWEEDE", "verlengingsbesluit 2"),
        (D(2026, 5, 31), "AMF-EINDE", "einde contract"),
    ]
    # The caller's scope is respected.
    assert not besluiten_binnenkort(Contract.objects.filter(kenmerk="AMF-LATER"), peil).exists()
