"""Costs from accepted declaratieregels (P×Q): what financien does when toegang accepts lines of
a declaratie (provided to the hook ``toegang.toewijzingen.declaraties.declaratieregels_toegekend``
by ``FinancienConfig.ready``, and so called inside the declaratie's own transaction).

Each line becomes a ``Kostenregel``: bron declaratie, the regio of the toewijzing's contract, the
period's year, the toewijzing's client and gemeente (as gemeente van herkomst), its product as
functie, negative for credit. Its ``referentie`` is ``<AGB-code>:<ReferentieNummer>`` because
kostenregels are unique per regio and ReferentieNummers only per aanbieder; the line itself is
kept as ``Kostenregel.declaratieregel``. A client of a BW product without an ``EersteBWStart``
gets one (``financien.eerste_start``). The line keeps the toewijzing's contract, and a contract
whose accepted declaraties pass its signaaldrempel or 100% of its bestedingsruimte is signalled
to RISB (``financien.budget``).
"""

from __future__ import annotations

from financien import budget
from financien.eerste_start import registreer_eerste_bw_start
from financien.models import Kostenbron, Kostenregel
from regio.models import Domein


def uit_declaratieregels(regels) -> list[Kostenregel]:
    """Book the accepted ``regels`` (Declaratieregels with their toewijzing, contract and beschikt
    product loaded) as kostenregels."""
    kosten, bw_clients, laatste_dag = [], set(), None
    for regel in regels:
        t = regel.toewijzing
        kosten.append(
            Kostenregel.objects.create(
                regio_id=t.contract.regio_id,
                jaar=regel.periode_begin.year,
                client_id=t.beschikt_product.client_id,
                gemeente_herkomst_id=t.gemeente_id,
                functie=t.beschikt_product.product,
                aanbieder_id=regel.aanbieder_id,
                bron=Kostenbron.DECLARATIE,
                referentie=f"{regel.aanbieder.agb_code}:{regel.referentie}",
                periode_begin=regel.periode_begin,
                periode_einde=regel.periode_einde,
                bedrag=regel.bedrag if regel.debet_credit == "D" else -regel.bedrag,
                declaratieregel=regel,
                contract_id=t.contract_id,
            )
        )
        if t.beschikt_product.product.domein == Domein.BESCHERMD_WONEN:
            bw_clients.add(t.beschikt_product.client_id)
            laatste_dag = max(laatste_dag or regel.periode_einde, regel.periode_einde)
    if bw_clients:
        registreer_eerste_bw_start(bw_clients, laatste_dag)
    # Spend against the contract's bestedingsruimte: a signal, never a refusal.
    per_jaar: dict[int, set[int]] = {}
    for k in kosten:
        per_jaar.setdefault(k.jaar, set()).add(k.contract_id)
    for jaar, contract_ids in sorted(per_jaar.items()):
        budget.signaleren(contract_ids, jaar)
    return kosten
