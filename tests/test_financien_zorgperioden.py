"""Issue 17 item 6: the taakgerichte toerekening on the care as reported. A contract chooses its
basis (zorgperioden as reported by WMO305/307, or toewijzing periods); on zorgperioden a
provider that reports no start gets nothing, late starts and stops move earlier months when the
monthly job recomputes them, until the year's verevening is vastgesteld; each line and each
verevening run say on which basis how many clients were allocated."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from financien import runs, taakgericht
from financien.models import Kostenregel, Vereveningsrun
from financien.services import verdeelmodel_vastleggen
from financien.taakgericht import ToerekeningFout, toerekenen
from financien.tasks import SOORT, taakgericht_toerekenen
from inkoop.models import Contract
from regio.models import JobRun
from tests.factories import UserFactory, gemeente
from tests.test_financien_taakgericht import Opnemer, bouw_opzet
from toegang.toewijzingen.zorg import start_zorg, stop_zorg

pytestmark = pytest.mark.django_db
D = datetime.date


def maartregels(contract):
    return {
        r.referentie.rsplit("-", 1)[1]: (r.bedrag, r.periode_begin, r.periode_einde,
                                         r.toerekeningsbasis)
        for r in Kostenregel.objects.filter(referentie__startswith=f"tg-{contract.pk}-2025-03-")
    }  # fmt: skip


def test_care_periods_decide_the_days_and_late_reports_move_earlier_months(refdata):
    opzet = bouw_opzet()  # March 2025 has a budget of 31,000.00 under opzet.contract
    contract = opzet.contract
    assert Contract._meta.get_field("toerekeningsbasis").default == "zorgperioden"
    contract.toerekeningsbasis = "zorgperioden"
    contract.save(update_fields=["toerekeningsbasis"])
    a = opzet.toewijzing(opzet.bw, D(2024, 1, 1))
    b = opzet.toewijzing(opzet.bw, D(2025, 1, 1))  # its provider has not reported a start yet
    start_zorg(a, D(2025, 3, 11), user=None)

    uitkomst = toerekenen(contract, 2025, 3)
    # On toewijzing periods B would take 31 of the 52 days; on the care reported A takes all.
    assert maartregels(contract) == {
        str(a.pk): (Decimal("31000.00"), D(2025, 3, 11), D(2025, 3, 31), "zorgperioden")
    }
    assert (uitkomst.basis, uitkomst.clienten, uitkomst.clientdagen) == ("zorgperioden", 1, 21)

    # Reported late (OP272): A stopped on the 20th, B started on the 16th. The April job
    # recomputes March.
    stop_zorg(a, D(2025, 3, 11), D(2025, 3, 20), "19", user=None)
    start_zorg(b, D(2025, 3, 16), user=None)
    ctx = Opnemer(JobRun.objects.create(soort=SOORT, regio=opzet.regio))
    resultaat = taakgericht_toerekenen(ctx, regio_id=opzet.regio.pk, maand="2025-04")
    assert maartregels(contract) == {
        str(a.pk): (Decimal("11923.08"), D(2025, 3, 11), D(2025, 3, 20), "zorgperioden"),
        str(b.pk): (Decimal("19076.92"), D(2025, 3, 16), D(2025, 3, 31), "zorgperioden"),
    }
    # Every earlier month of a year whose verevening is open: 2024 and January to March 2025.
    assert [h["maand"] for h in resultaat["herberekend"] if h["kenmerk"] == contract.kenmerk] == [
        f"2024-{m:02d}" for m in range(1, 13)
    ] + ["2025-01", "2025-02", "2025-03"]
    # In April only B is in care; the other contract counts toewijzing periods.
    assert resultaat["clienten_per_basis"]["zorgperioden"] == 1

    # The verevening run says how many clients were allocated on which basis.
    verdeelmodel_vastleggen(
        opzet.regio, 2025, {gemeente("0342"): Decimal("100")}, bron="test", user=None
    )
    run = runs.bereken_run(opzet.regio, 2025)
    assert run.toerekening == {"zorgperioden": 2}

    # Once the year's verevening is vastgesteld, its months no longer move.
    Vereveningsrun.objects.create(
        regio=opzet.regio, jaar=2025, strategie="solidariteit", status="vastgesteld", invoer={},
        invoer_hash="x", totale_kosten=0, centrumgemeente_deel=0, restant=0,
        vastgesteld_door=UserFactory(username="fin-vast"), vastgesteld_op=timezone.now(),
    )  # fmt: skip
    start_zorg(a, D(2025, 3, 25), user=None)
    with pytest.raises(ToerekeningFout, match="De verevening 2025 is vastgesteld"):
        toerekenen(contract, 2025, 3)
    assert taakgericht.open_maanden(contract, 2026, 1) == []
    assert maartregels(contract)[str(a.pk)][0] == Decimal("11923.08")


def test_toewijzing_periods_remain_a_choice_and_are_not_recomputed(refdata):
    opzet = bouw_opzet()  # its contracts count toewijzing periods
    a = opzet.toewijzing(opzet.bw, D(2024, 1, 1))
    uitkomst = toerekenen(opzet.contract, 2025, 3)
    assert uitkomst.basis == "toewijzingen" and uitkomst.clientdagen == 31
    assert maartregels(opzet.contract)[str(a.pk)][3] == "toewijzingen"
    assert taakgericht.open_maanden(opzet.contract, 2025, 4) == []


@pytest.mark.iwmo_regel("OP377", "TR414")
def test_care_after_a_temporary_stop_is_not_counted_when_the_definitive_stop_follows(refdata):
    """A temporary stop (reden 20) on the 15th, the definitive stop (reden 23) on the 25th: the
    care was delivered up to the 15th only (the client did not come back)."""
    opzet = bouw_opzet()
    contract = opzet.contract
    contract.toerekeningsbasis = "zorgperioden"
    contract.save(update_fields=["toerekeningsbasis"])
    a = opzet.toewijzing(opzet.bw, D(2024, 1, 1))
    start_zorg(a, D(2025, 3, 11), user=None)
    stop_zorg(a, D(2025, 3, 11), D(2025, 3, 15), "20", user=None)
    stop_zorg(a, D(2025, 3, 11), D(2025, 3, 25), "23", user=None)
    uitkomst = toerekenen(contract, 2025, 3)
    assert uitkomst.clientdagen == 5
    assert maartregels(contract)[str(a.pk)][1:3] == (D(2025, 3, 11), D(2025, 3, 15))
