"""Issue 17 item 7: a contract's budget use from facts. A P×Q contract's spend is the sum of its
accepted declaratieregels (not the aanbieder's own report, which is shown beside it with the
difference); passing the signaaldrempel and 100% of the bestedingsruimte notifies the regio's
RISB-contractmanagers once per level and shows on the contract page, and never refuses a line
(iWmo has no retourcode for a contract cap). A taakgericht contract compares the budget
allocated so far with its bestedingsruimte; pgb is spent under no contract."""

import datetime
from decimal import Decimal

import pytest

from financien import budget
from financien.models import Kostenregel
from inkoop.contracten.services import budgetgebruik
from inkoop.models import Bestedingsruimte, Contract, Rapportage
from regio.models import Notificatie
from tests.factories import UserFactory, grant
from tests.test_toegang_declaraties import bouw_opzet, regel

pytestmark = pytest.mark.django_db
D = datetime.date


def test_accepted_declaraties_are_the_spend_and_signal_at_the_threshold_and_100(client, refdata):
    opzet = bouw_opzet()
    risb = UserFactory(username="risb-budget")
    grant(risb, "contractmanager", regio="amersfoort")
    elders = UserFactory(username="risb-elders")
    grant(elders, "contractmanager", regio="groningen")
    t = opzet.toewijzing()
    contract = t.contract
    Bestedingsruimte.objects.create(contract=contract, jaar=2025, bedrag=Decimal("1000.00"))
    # The aanbieder reports far less than was declared.
    Rapportage.objects.create(contract=contract, jaar=2025, kwartaal=1, status="ingediend",
                              uitgaven_tot_nu=Decimal("100.00"))  # fmt: skip

    eerste = opzet.declareer(regel(t, "R-1"))  # 781.30: 78.1 %, past the 70 % threshold
    assert eerste.regels.get().status == "toegekend"
    assert Kostenregel.objects.get().contract == contract
    g = budgetgebruik(Contract.objects.filter(pk=contract.pk), 2025)[0]
    assert (g.besteed, g.gemeld, g.verschil, g.percentage, g.signaal) == (
        Decimal("781.30"), Decimal("100.00"), Decimal("-681.30"), Decimal("78.1"), "drempel"
    )  # fmt: skip
    meldingen = list(Notificatie.objects.filter(user=risb))
    assert [m.sleutel for m in meldingen] == [f"bestedingsruimte:{contract.pk}:2025:drempel"]
    assert meldingen[0].tekst == (
        f"Contract {contract.kenmerk} ({opzet.a.naam}): de geaccepteerde declaraties 2025 zijn "
        "78,1% van de bestedingsruimte en passeren de drempel van 70%."
    )
    assert meldingen[0].url == f"/inkoop/contracten/{contract.pk}/"
    assert not Notificatie.objects.filter(user=elders).exists()

    # Past 100 %: signalled, not refused; the threshold is not notified twice.
    tweede = opzet.declareer(regel(t, "R-2", maand=(2025, 5)))
    assert tweede.regels.get().status == "toegekend"
    assert sorted(Notificatie.objects.filter(user=risb).values_list("sleutel", flat=True)) == [
        f"bestedingsruimte:{contract.pk}:2025:drempel",
        f"bestedingsruimte:{contract.pk}:2025:overschreden",
    ]
    g = budgetgebruik(Contract.objects.filter(pk=contract.pk), 2025)[0]
    assert (g.besteed, g.signaal) == (Decimal("1562.60"), "overschreden")

    client.force_login(risb)
    pagina = client.get(f"/inkoop/contracten/{contract.pk}/").content.decode()
    assert "Bestedingsruimte overschreden" in pagina
    assert "€ 1.562,60" in pagina and "€ 100,00" in pagina and "€ -1.462,60" in pagina


def test_a_taakgericht_contract_compares_the_allocated_budget_and_pgb_counts_nowhere(refdata):
    opzet = bouw_opzet()
    risb = UserFactory(username="risb-tg")
    grant(risb, "contractmanager", regio="amersfoort")
    t = opzet.toewijzing(opzet.functie)
    contract = t.contract
    Bestedingsruimte.objects.create(contract=contract, jaar=2025, bedrag=Decimal("1000.00"))
    regio, client_id = contract.regio, t.beschikt_product.client_id

    def regel_van(bron, bedrag, ref, **velden):
        return Kostenregel.objects.create(
            regio=regio, jaar=2025, client_id=client_id, gemeente_herkomst=t.gemeente,
            bron=bron, referentie=ref, periode_begin=D(2025, 3, 1),
            periode_einde=D(2025, 3, 31), bedrag=Decimal(bedrag), **velden,
        )  # fmt: skip

    regel_van("pgb", "5000.00", "pgb-1")  # no contract
    regel_van("taakgericht", "650.00", f"tg-{contract.pk}-2025-03-{t.pk}", contract=contract)
    assert budget.signaleren([contract.pk], 2025) == []
    g = budgetgebruik(Contract.objects.filter(pk=contract.pk), 2025)[0]
    assert (g.besteed, g.signaal) == (Decimal("650.00"), None)
    regel_van("taakgericht", "100.00", f"tg-{contract.pk}-2025-04-{t.pk}", contract=contract)
    budget.signaleren([contract.pk], 2025)
    melding = Notificatie.objects.get(user=risb)
    assert "het toegerekende budget 2025 is 75,0% van de bestedingsruimte" in melding.tekst
