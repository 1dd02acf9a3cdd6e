"""Kostenregels under taakgerichte bekostiging (DOMAIN.md "The verevening (risk equalisation)
model"): iWmo has no declaratie for a taakgerichte toewijzing, so a contract's budget is
allocated to its clients by client-days in care per functie times the functie's weight.

Per contract and month:

1. The month's budget: the contract's Bestedingsruimte for the year, spread over the days the
   contract runs in that year (for a contract running the whole year: budget × days in month /
   days in year), rounded to the cent by largest remainder over the twelve months (ties: the
   earlier month) so that the months add up to exactly the year's budget.
2. Client-days: one SQL query over the contract's toewijzingen (all but ingetrokken, i.e. sent
   in error) gives each toewijzing's days within the month ∩ the contract's running period, its
   functie and that functie's weight (``Functiegewicht`` of the regio and year; none: 1).
3. The month's budget is split over the toewijzingen by days × weight, to the cent by largest
   remainder (ties: the lower toewijzing id). Exact integer arithmetic; no floats.
4. One transaction replaces the month's taakgericht kostenregels of the contract (deterministic
   ``referentie`` ``tg-<contract>-<yyyy-mm>-<toewijzing>``, so a rerun gives the same lines and
   never doubles) and records an ``EersteBWStart`` (bron regiozorg, the first day of the
   earliest BW toewijzing) for each client in BW care this month who has none yet.

A month without client-days allocates nothing: its budget stays unallocated and the year's
total falls short of the budget by that much (the ``Toerekening`` says so in a remark).

DOMAIN.md states the split per contract and year; it is done per month (the year's budget first
spread over the months by days) so that the lines can be produced every month and a month once
allocated does not move when later months come in. Both agree when the caseload is even over
the year; otherwise a client-day in a busy month weighs less than one in a quiet month.

Client-days in care follow the contract's ``toerekeningsbasis`` (issue 17 item 6):

- *zorgperioden* (the default for new contracts): the days of the care as the aanbieder reported
  it (``toegang.Zorgperiode``, WMO305 start / WMO307 stop, deleted periods not counted), within
  the toewijzing. A provider that never reports a start gets nothing: with toewijzing periods it
  would pull budget its way. Starts and stops arrive late (OP272: within five working days) and
  are corrected, so the monthly job recomputes the earlier months of every year whose
  verevening is not yet vastgesteld (``herberekenen``); once it is, the year's toerekening is
  refused (``ToerekeningFout``).
- *toewijzingen*: the toewijzing's period, for contracts whose providers do not report care.

Each line keeps its basis (``Kostenregel.toerekeningsbasis``) and a verevening run stores how
many clients were allocated on which. The client is ``BeschiktProduct.client`` (the copy of
beschikking → dossier → client); the gemeente van herkomst is the toewijzing's gemeente, the
dossier's verantwoordelijke gemeente when it was made (DOMAIN.md: for a BW client placed
elsewhere that is the gemeente van herkomst). ``Dossier.gemeente_herkomst`` (the place of
residence before BW, possibly outside the regio and often empty) is not used. Lines are written
for every functie of the contract, begeleiding ones too, so that the lines add up to the budget;
the verevening counts only the BW-domein functies.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import NamedTuple

from django.db import connection, transaction

from financien import budget
from financien.models import (
    EersteBWStart,
    Functiegewicht,
    Jaarparameters,
    Kostenbron,
    Kostenregel,
    Vereveningsrun,
)
from financien.verevening import REKENCONTEXT, in_centen, in_euro
from financien.verevening import grootste_rest as verevening_grootste_rest
from inkoop.models import Bekostiging, Bestedingsruimte, Contract, Product, Toerekeningsbasis
from regio import audit
from regio.models import Domein
from regio.query import vereis
from toegang.models import BeschiktProduct, Toewijzing, Zorgperiode

# Weights have three decimals (Functiegewicht.gewicht): in thousandths they are integers.
GEWICHT_SCHAAL = 1000


class ToerekeningFout(ValueError):
    """A Dutch sentence explaining why a contract-month cannot be allocated."""


@dataclass(frozen=True)
class Regel:
    """One toewijzing's share of the month (before it is stored as a Kostenregel)."""

    toewijzing_id: int
    client_id: object
    gemeente_id: int
    functie_id: int
    aanbieder_id: int
    periode_begin: datetime.date
    periode_einde: datetime.date
    dagen: int
    gewicht: Decimal
    bedrag: Decimal


@dataclass
class Toerekening:
    """The outcome of allocating one contract's budget for one month."""

    contract_id: int
    jaar: int
    maand: int
    jaarbudget: Decimal
    maandbudget: Decimal
    toegerekend: Decimal
    clientdagen: int
    regels: list[Regel] = field(default_factory=list)
    eerste_bw_starts: int = 0
    opmerkingen: list[str] = field(default_factory=list)
    basis: str = Toerekeningsbasis.TOEWIJZINGEN

    @property
    def clienten(self) -> int:
        return len({r.client_id for r in self.regels})

    @property
    def niet_toegerekend(self) -> Decimal:
        return self.maandbudget - self.toegerekend

    def als_dict(self) -> dict:
        """JSON-safe summary (JobRun.resultaat, the command's output)."""
        return {
            "contract": self.contract_id,
            "maand": f"{self.jaar:04d}-{self.maand:02d}",
            "maandbudget": str(self.maandbudget),
            "toegerekend": str(self.toegerekend),
            "clientdagen": self.clientdagen,
            "regels": len(self.regels),
            "eerste_bw_starts": self.eerste_bw_starts,
            "basis": self.basis,
            "clienten": self.clienten,
            "opmerkingen": list(self.opmerkingen),
        }


# --- arithmetic --------------------------------------------------------------------------------


def grootste_rest(centen: int, gewichten: list[int]) -> list[int]:
    """Split ``centen`` over integer ``gewichten`` in proportion, every part a whole cent, the
    parts adding up to ``centen`` exactly: each gets the floor of its exact share, and the cents
    left go one each to the largest remainders; ties to the earlier position. All weights 0:
    nothing is split (all parts 0). The rounding is the verevening's
    (``financien.verevening.grootste_rest``), keyed by position."""
    totaal = sum(gewichten)
    if totaal <= 0 or centen <= 0:
        return [0] * len(gewichten)
    posities = [f"{i:09d}" for i in range(len(gewichten))]
    with localcontext(REKENCONTEXT):
        exact = {p: Decimal(centen * g) / totaal for p, g in zip(posities, gewichten, strict=True)}
    verdeeld = verevening_grootste_rest(centen, exact, {p: p for p in posities})
    return [verdeeld[p] for p in posities]


def maandgrenzen(jaar: int, maand: int) -> tuple[datetime.date, datetime.date]:
    return (
        datetime.date(jaar, maand, 1),
        datetime.date(jaar, maand, calendar.monthrange(jaar, maand)[1]),
    )


def _overlap(begin, einde, van, tot) -> int:
    """Days of [begin, einde] within [van, tot] (inclusive)."""
    begin, einde = max(begin, van), min(einde, tot)
    return max(0, (einde - begin).days + 1)


def maandbudgetten(contract: Contract, jaar: int, jaarbudget: Decimal) -> list[Decimal]:
    """The year's budget over its twelve months by the contract's running days in each month,
    to the cent by largest remainder (ties: the earlier month); the months add up to the budget
    exactly. A contract that does not run in ``jaar`` gets nothing."""
    dagen = [
        _overlap(contract.begin, contract.looptijd_einde, *maandgrenzen(jaar, maand))
        for maand in range(1, 13)
    ]
    return [in_euro(c) for c in grootste_rest(in_centen(jaarbudget), dagen)]


# --- the query -------------------------------------------------------------------------------

# Per toewijzing of the contract in [%(van)s, %(tot)s] (the month ∩ the contract's running
# period): its days there, the functie's weight for the regio and year, and the functie's
# domein. Ingetrokken toewijzingen were sent in error and never count.
CLIENTDAGEN_SQL = """
SELECT t.id, bp.client_id, t.gemeente_id, bp.product_id, t.aanbieder_id,
       GREATEST(t.ingangsdatum, %(van)s::date) AS periode_begin,
       LEAST(COALESCE(t.einddatum, %(tot)s::date), %(tot)s::date) AS periode_einde,
       LEAST(COALESCE(t.einddatum, %(tot)s::date), %(tot)s::date)
           - GREATEST(t.ingangsdatum, %(van)s::date) + 1 AS dagen,
       COALESCE(fg.gewicht, 1) AS gewicht,
       p.domein
FROM {toewijzing} t
JOIN {beschiktproduct} bp ON bp.id = t.beschikt_product_id
JOIN {product} p ON p.id = bp.product_id
LEFT JOIN {jaarparameters} jp ON jp.regio_id = %(regio)s AND jp.jaar = %(jaar)s
LEFT JOIN {functiegewicht} fg ON fg.parameters_id = jp.id AND fg.functie_id = bp.product_id
WHERE t.contract_id = %(contract)s
  AND t.status <> %(ingetrokken)s
  AND t.ingangsdatum <= %(tot)s::date
  AND (t.einddatum IS NULL OR t.einddatum >= %(van)s::date)
ORDER BY t.id
"""


# The same rows from the care as reported: per toewijzing the days of its non-deleted
# zorgperioden within the toewijzing and [%(van)s, %(tot)s] (periods of one toewijzing never
# overlap, so the days add up); the line's period runs from the first to the last such day. A
# period whose definitive stop followed a temporary one was delivered up to the temporary stop.
ZORGDAGEN_SQL = """
SELECT t.id, bp.client_id, t.gemeente_id, bp.product_id, t.aanbieder_id,
       MIN(z.van) AS periode_begin, MAX(z.tot) AS periode_einde, SUM(z.tot - z.van + 1) AS dagen,
       COALESCE(fg.gewicht, 1) AS gewicht,
       p.domein
FROM {toewijzing} t
JOIN {beschiktproduct} bp ON bp.id = t.beschikt_product_id
JOIN {product} p ON p.id = bp.product_id
JOIN LATERAL (
    SELECT GREATEST(zp.begindatum, t.ingangsdatum, %(van)s::date) AS van,
           LEAST(COALESCE(zp.einddatum_tijdelijke_stop, zp.einddatum, %(tot)s::date),
                 COALESCE(t.einddatum, %(tot)s::date),
                 %(tot)s::date) AS tot
    FROM {zorgperiode} zp
    WHERE zp.toewijzing_id = t.id AND zp.verwijderd_op IS NULL
) z ON z.van <= z.tot
LEFT JOIN {jaarparameters} jp ON jp.regio_id = %(regio)s AND jp.jaar = %(jaar)s
LEFT JOIN {functiegewicht} fg ON fg.parameters_id = jp.id AND fg.functie_id = bp.product_id
WHERE t.contract_id = %(contract)s
  AND t.status <> %(ingetrokken)s
  AND t.ingangsdatum <= %(tot)s::date
  AND (t.einddatum IS NULL OR t.einddatum >= %(van)s::date)
GROUP BY t.id, bp.client_id, t.gemeente_id, bp.product_id, t.aanbieder_id, fg.gewicht, p.domein
ORDER BY t.id
"""


def tabellen() -> dict[str, str]:
    """The quoted table names the set-based SQL of the finance app uses."""
    qn = connection.ops.quote_name
    return {
        "toewijzing": qn(Toewijzing._meta.db_table),
        "beschiktproduct": qn(BeschiktProduct._meta.db_table),
        "product": qn(Product._meta.db_table),
        "contract": qn(Contract._meta.db_table),
        "jaarparameters": qn(Jaarparameters._meta.db_table),
        "functiegewicht": qn(Functiegewicht._meta.db_table),
        "eerste": qn(EersteBWStart._meta.db_table),
        "zorgperiode": qn(Zorgperiode._meta.db_table),
    }


class Clientdagen(NamedTuple):
    """One row of CLIENTDAGEN_SQL."""

    toewijzing_id: int
    client_id: object
    gemeente_id: int
    functie_id: int
    aanbieder_id: int
    periode_begin: datetime.date
    periode_einde: datetime.date
    dagen: int
    gewicht: Decimal
    domein: str


def clientdagen(
    contract: Contract, jaar: int, van: datetime.date, tot: datetime.date
) -> list[Clientdagen]:
    """The toewijzingen of ``contract`` in [van, tot] with their days and weight, by the
    contract's toerekeningsbasis (one query)."""
    sql = (
        ZORGDAGEN_SQL
        if contract.toerekeningsbasis == Toerekeningsbasis.ZORGPERIODEN
        else CLIENTDAGEN_SQL
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(**tabellen()),
            {
                "van": van,
                "tot": tot,
                "regio": contract.regio_id,
                "jaar": jaar,
                "contract": contract.pk,
                "ingetrokken": Toewijzing.Status.INGETROKKEN,
            },
        )
        return [Clientdagen(*rij) for rij in cursor.fetchall()]


# --- the service -------------------------------------------------------------------------------


def referentie_prefix(contract_id: int, jaar: int, maand: int) -> str:
    return f"tg-{contract_id}-{jaar:04d}-{maand:02d}-"


def _geld(bedrag: Decimal) -> str:
    return f"€ {bedrag:.2f}".replace(".", ",")


def toerekenen(contract: Contract, jaar: int, maand: int, *, user=None) -> Toerekening:
    """Allocate ``contract``'s budget of ``jaar`` for ``maand`` to its clients and store the
    month's taakgericht kostenregels (replacing those of an earlier run), in one transaction.
    ToerekeningFout when the contract is not taakgericht or the month does not exist. ``user`` is
    who started the job (a regio-wide finance role) or None for the monthly schedule."""
    vereis(
        user, "financien.add_kostenregel", contract.regio,
        "Alleen wie voor de hele regio werkt, rekent kosten toe.", openbaar=True,
    )  # fmt: skip
    if not 1 <= int(maand) <= 12 or not 2000 <= int(jaar) <= 9999:
        raise ToerekeningFout(f"Ongeldige maand {jaar}-{maand}: gebruik JJJJ-MM.")
    jaar, maand = int(jaar), int(maand)
    begin, einde = maandgrenzen(jaar, maand)
    with transaction.atomic():
        # The row lock makes two runs of the same contract (job and command) take turns.
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.bekostiging != Bekostiging.TAAKGERICHT:
            raise ToerekeningFout(
                f"Contract {contract.kenmerk} is niet taakgericht bekostigd: de kosten komen "
                "uit declaraties."
            )
        if verevening_vastgesteld(contract.regio_id, jaar):
            raise ToerekeningFout(
                f"De verevening {jaar} is vastgesteld: de taakgerichte toerekening van {jaar} "
                "verandert niet meer."
            )
        ruimte = Bestedingsruimte.objects.filter(contract=contract, jaar=jaar).first()
        jaarbudget = ruimte.bedrag if ruimte else Decimal("0.00")
        maandbudget = maandbudgetten(contract, jaar, jaarbudget)[maand - 1]
        uitkomst = Toerekening(
            contract_id=contract.pk, jaar=jaar, maand=maand, jaarbudget=jaarbudget,
            maandbudget=maandbudget, toegerekend=Decimal("0.00"), clientdagen=0,
            basis=contract.toerekeningsbasis,
        )  # fmt: skip
        van, tot = max(begin, contract.begin), min(einde, contract.looptijd_einde)
        rijen = clientdagen(contract, jaar, van, tot) if van <= tot else []
        if ruimte is None:
            uitkomst.opmerkingen.append(
                f"Contract {contract.kenmerk} heeft geen bestedingsruimte voor {jaar}: "
                f"er is niets toegerekend over {jaar}-{maand:02d}."
            )
        elif van > tot:
            uitkomst.opmerkingen.append(
                f"Contract {contract.kenmerk} loopt niet in {jaar}-{maand:02d}."
            )
        elif not rijen and maandbudget > 0:
            uitkomst.opmerkingen.append(
                f"Geen cliëntdagen onder contract {contract.kenmerk} in {jaar}-{maand:02d}: "
                f"het maandbudget van {_geld(maandbudget)} is niet toegerekend; het jaartotaal "
                "blijft daardoor onder de bestedingsruimte."
            )
        # Without a Bestedingsruimte there is nothing to allocate: no lines (not lines of 0).
        toe_te_rekenen = rijen if ruimte else []
        gewichten = [rij.dagen * int(rij.gewicht * GEWICHT_SCHAAL) for rij in toe_te_rekenen]
        bedragen = grootste_rest(in_centen(maandbudget), gewichten)
        prefix = referentie_prefix(contract.pk, jaar, maand)
        for rij, centen in zip(toe_te_rekenen, bedragen, strict=True):
            uitkomst.regels.append(
                Regel(
                    toewijzing_id=rij.toewijzing_id,
                    client_id=rij.client_id,
                    gemeente_id=rij.gemeente_id,
                    functie_id=rij.functie_id,
                    aanbieder_id=rij.aanbieder_id,
                    periode_begin=rij.periode_begin,
                    periode_einde=rij.periode_einde,
                    dagen=rij.dagen,
                    gewicht=Decimal(rij.gewicht),
                    bedrag=in_euro(centen),
                )  # fmt: skip
            )
        uitkomst.clientdagen = sum(r.dagen for r in uitkomst.regels)
        uitkomst.toegerekend = in_euro(sum(bedragen))

        verwijderd, _ = Kostenregel.objects.filter(
            regio_id=contract.regio_id,
            bron=Kostenbron.TAAKGERICHT,
            referentie__startswith=prefix,
        ).delete()
        Kostenregel.objects.bulk_create(
            Kostenregel(
                regio_id=contract.regio_id,
                jaar=jaar,
                client_id=r.client_id,
                gemeente_herkomst_id=r.gemeente_id,
                functie_id=r.functie_id,
                aanbieder_id=r.aanbieder_id,
                bron=Kostenbron.TAAKGERICHT,
                contract_id=contract.pk,
                toerekeningsbasis=contract.toerekeningsbasis,
                referentie=f"{prefix}{r.toewijzing_id}",
                periode_begin=r.periode_begin,
                periode_einde=r.periode_einde,
                bedrag=r.bedrag,
            )  # fmt: skip
            for r in uitkomst.regels
        )
        from financien.eerste_start import registreer_eerste_bw_start

        uitkomst.eerste_bw_starts = registreer_eerste_bw_start(
            {r.client_id for r in rijen if r.domein == Domein.BESCHERMD_WONEN}, tot
        )
        # The allocated budget against the cap: a signal to RISB at the threshold and 100%.
        budget.signaleren([contract.pk], jaar)
        audit.record(
            "create",
            objects=[contract],
            actor=user,
            toelichting={
                "taakgerichte_toerekening": f"{jaar:04d}-{maand:02d}",
                "regels": len(uitkomst.regels),
                "vervangen": verwijderd,
                "toegerekend": str(uitkomst.toegerekend),
                "basis": uitkomst.basis,
            },
        )
    return uitkomst


def verevening_vastgesteld(regio_id: int, jaar: int) -> bool:
    """The regio's verevening of ``jaar`` is vastgesteld: its costs no longer move."""
    return Vereveningsrun.objects.filter(
        regio_id=regio_id, jaar=jaar, status=Vereveningsrun.Status.VASTGESTELD
    ).exists()


def open_maanden(contract: Contract, jaar: int, maand: int) -> list[tuple[int, int]]:
    """The months before ``jaar``-``maand`` that a contract allocated on zorgperioden recomputes
    (late starts and stops, corrections): those of this year and the previous one whose
    verevening is not vastgesteld, within the contract's running period."""
    if contract.toerekeningsbasis != Toerekeningsbasis.ZORGPERIODEN:
        return []
    maanden = []
    for j in (jaar - 1, jaar):
        if verevening_vastgesteld(contract.regio_id, j):
            continue
        for m in range(1, 13):
            begin, einde = maandgrenzen(j, m)
            if (
                (j, m) < (jaar, maand)
                and contract.begin <= einde
                and contract.looptijd_einde >= begin
            ):
                maanden.append((j, m))
    return maanden


def herberekenen(contract: Contract, jaar: int, maand: int, *, user=None) -> list[Toerekening]:
    """Recompute the open months before ``jaar``-``maand`` of a contract allocated on
    zorgperioden (``open_maanden``); each replaces its own lines."""
    return [toerekenen(contract, j, m, user=user) for j, m in open_maanden(contract, jaar, maand)]


def lopende_contracten(regio, jaar: int, maand: int):
    """The regio's taakgericht contracts that run (including extensions used) in the month."""
    begin, einde = maandgrenzen(jaar, maand)
    return Contract.objects.filter(
        regio=regio,
        bekostiging=Bekostiging.TAAKGERICHT,
        begin__lte=einde,
        looptijd_einde__gte=begin,
    ).order_by("kenmerk", "pk")


def parse_maand(waarde: str) -> tuple[int, int]:
    """'2025-03' → (2025, 3); ToerekeningFout with a Dutch message otherwise."""
    try:
        jaar_tekst, maand_tekst = str(waarde).strip().split("-")
        if len(jaar_tekst) != 4:
            raise ValueError
        jaar, maand = int(jaar_tekst), int(maand_tekst)
        datetime.date(jaar, maand, 1)
    except (TypeError, ValueError):
        raise ToerekeningFout(f"Ongeldige maand {waarde!r}: gebruik JJJJ-MM.") from None
    return jaar, maand
