"""A contract's budget use from facts (issue 17 item 7): what is spent under a contract in a year
is the sum of its kostenregels, not what the aanbieder reports.

- P×Q: the accepted declaratieregels (each is a ``Kostenregel`` with bron declaratie and the
  toewijzing's contract; credit lines are negative, so corrections lower the spend).
- Taakgericht: the contract's budget is the cap itself; its "spend" is the budget allocated to
  clients so far (``financien.taakgericht``), compared with the bestedingsruimte.
- Pgb is not spent under a provider's contract: those lines have no contract.

Why here and not in inkoop: inkoop is below toegang and financien and cannot read declaraties or
kostenregels; the money is financien's. inkoop asks through the hook
``inkoop.contracten.services.besteding`` (an SQL expression per contract, so the RISB dashboard
still orders, counts and cuts in SQL), provided by ``FinancienConfig.ready``.

``signaleren`` runs in the transaction that books the costs (an accepted declaratie, a month's
toerekening): when a contract's spend passes its signaaldrempel (default 70%) or 100% of the
bestedingsruimte, each active RISB-contractmanager of the regio gets one ``regio.Notificatie``
per contract, year and level. It signals and never refuses: iWmo has no retourcode for a
contract cap, and the gemeente must pay for care delivered under a valid toewijzing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from financien.models import Kostenbron, Kostenregel
from inkoop.contracten.services import budget_signaal
from inkoop.models import Bekostiging, Bestedingsruimte, Contract
from regio import notificaties
from regio.models import Notificatie, Roltoekenning
from regio.roles import CONTRACTMANAGER

BRONNEN = (Kostenbron.DECLARATIE, Kostenbron.TAAKGERICHT)
GELD = DecimalField(max_digits=14, decimal_places=2)


def besteed_expressie(jaar: int):
    """The spend of the contract ``OuterRef("pk")`` in ``jaar``: 0.00 when nothing is booked."""
    som = (
        Kostenregel.objects.filter(contract=OuterRef("pk"), jaar=jaar, bron__in=BRONNEN)
        .order_by()
        .values("contract")
        .annotate(som=Sum("bedrag"))
        .values("som")
    )
    return Coalesce(Subquery(som, output_field=GELD), Value(Decimal("0.00")), output_field=GELD)


def besteed(contract_ids, jaar: int) -> dict[int, Decimal]:
    """{contract id: spend in ``jaar``} for the given contracts, in one query."""
    return dict(
        Contract.objects.filter(pk__in=list(contract_ids))
        .annotate(besteed=besteed_expressie(jaar))
        .values_list("pk", "besteed")
    )


def contractmanagers(regio_id: int, op: datetime.date):
    """The active users holding the RISB-contractmanager role for the regio on ``op``."""
    return (
        Roltoekenning.objects.active_on(op)
        .filter(rol__code=CONTRACTMANAGER, regio_id=regio_id, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )


def _procent(waarde: Decimal) -> str:
    return f"{waarde:.1f}".replace(".", ",")


def signaleren(contract_ids, jaar: int) -> list[Notificatie]:
    """Notify the regio's contract managers of every contract in ``contract_ids`` whose spend in
    ``jaar`` reached its signaaldrempel or 100% of its bestedingsruimte (once per level)."""
    contract_ids = sorted({pk for pk in contract_ids if pk is not None})
    if not contract_ids:
        return []
    ruimtes = dict(
        Bestedingsruimte.objects.filter(contract__in=contract_ids, jaar=jaar, bedrag__gt=0)
        .order_by()
        .values_list("contract", "bedrag")
    )
    if not ruimtes:
        return []
    uitgaven = besteed(list(ruimtes), jaar)
    vandaag = datetime.date.today()
    managers: dict[int, list] = {}
    meldingen = []
    for contract in Contract.objects.filter(pk__in=list(ruimtes)).select_related("aanbieder"):
        ruimte = ruimtes[contract.pk]
        percentage = uitgaven[contract.pk] * 100 / ruimte
        signaal = budget_signaal(percentage, contract.signaaldrempel)
        if signaal is None:
            continue
        niveaus = ["drempel"] + (["overschreden"] if signaal == "overschreden" else [])
        if contract.bekostiging == Bekostiging.TAAKGERICHT:
            wat, is_, passeert = "het toegerekende budget", "is", "passeert"
        else:
            wat, is_, passeert = "de geaccepteerde declaraties", "zijn", "passeren"
        for niveau in niveaus:
            grens = (
                "100%" if niveau == "overschreden" else f"de drempel van {contract.signaaldrempel}%"
            )
            tekst = (
                f"Contract {contract.kenmerk} ({contract.aanbieder.naam}): {wat} {jaar} {is_} "
                f"{_procent(percentage)}% van de bestedingsruimte en {passeert} {grens}."
            )
            if contract.regio_id not in managers:
                managers[contract.regio_id] = list(contractmanagers(contract.regio_id, vandaag))
            for toekenning in managers[contract.regio_id]:
                meldingen.append(
                    Notificatie(
                        user=toekenning.user,
                        tekst=tekst[:300],
                        url=reverse("inkoop:contract-detail", args=[contract.pk]),
                        sleutel=f"bestedingsruimte:{contract.pk}:{jaar}:{niveau}",
                    )
                )
    # The one notification service: a contractmanager who chose e-mail "direct" gets it too.
    notificaties.meld_rijen(meldingen)
    return meldingen
