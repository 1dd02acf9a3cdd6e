"""The verevening from the database: gather the inputs of a regio and year (one SQL aggregate over
the kostenregels per gemeente), compute them with ``financien.verevening`` (the same function the
scenario command uses), and store the outcome as a ``Vereveningsrun`` with its lines and a
snapshot of every input; then vaststellen by a second person, which supersedes the previous
vastgestelde run.

Reads go through the scoping layer: the run always covers the whole regio (a scope of the regio
itself), and only someone who holds the capability for the regio itself may start or vaststellen
one. ``bereken_runs`` computes several regio's at once, reading their costs in one statement.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from financien import scenario
from financien.models import (
    Jaarparameters,
    Kostenbron,
    Kostenregel,
    Verdeelmodel,
    VerdeelmodelAandeel,
    Vereveningsregel,
    Vereveningsrun,
    Voorschot,
)
from financien.services import geldende_verdeelmodellen
from financien.verevening import (
    GemeenteInvoer,
    Verevening,
    VereveningFout,
    VereveningInvoer,
    bereken,
)
from regio import audit
from regio.models import Domein, Regio
from regio.query import Scope, mag, vereis

START = "financien.add_vereveningsrun"
VASTSTELLEN = "financien.stel_verevening_vast"

# T and N_g per regio and gemeente van herkomst over the kostenregels of the year (the scoped
# queryset is the subquery ``{kosten}``), for any number of regio's in one statement. Only
# beschermd-wonen costs count: lines without a functie (pgb, handmatig) and lines of a functie in
# the BW domein. A client is new when the person's first BW start (EersteBWStart; else the line's
# own period) is on or after the regio's cut-over ``{peildatum}``: for one regio a parameter, for
# several the join ``{pd}`` with two arrays. (Joined for one regio too, the planner would re-read
# the one-row join for every line: 25% slower.) The clients without an EersteBWStart are counted
# and summed apart: they count as new only provisionally, and block vaststellen. They are
# counted by grouping on the client only where it has no start (NULL for every other line): a
# few more groups than gemeenten, summed per gemeente outside. (A COUNT(DISTINCT) over the lines
# made PostgreSQL sort every line of the country on disk: the runs of all regions took 6x the
# time of the same sums without it.)
SQL = """
SELECT regio_id, gemeente_herkomst_id, SUM(totaal), SUM(nieuw), COUNT(client_zonder_start),
       SUM(zonder_start_kosten)
FROM (
    SELECT k.regio_id, k.gemeente_herkomst_id,
           CASE WHEN e.client_id IS NULL THEN k.client_id END AS client_zonder_start,
           SUM(k.bedrag) AS totaal,
           COALESCE(SUM(k.bedrag) FILTER (
               WHERE COALESCE(e.datum, k.periode_begin) >= {peildatum}), 0) AS nieuw,
           COALESCE(SUM(k.bedrag) FILTER (WHERE e.client_id IS NULL), 0) AS zonder_start_kosten
    FROM ({kosten}) k
    {pd}
    LEFT JOIN financien_eerstebwstart e ON e.client_id = k.client_id
    LEFT JOIN inkoop_product p ON p.id = k.functie_id
    WHERE k.functie_id IS NULL OR p.domein = 'beschermd_wonen'
    GROUP BY 1, 2, 3
) per_gemeente_en_client_zonder_start
GROUP BY regio_id, gemeente_herkomst_id
"""
PD = "JOIN unnest(%s::bigint[], %s::date[]) AS pd (regio_id, peildatum) ON pd.regio_id = k.regio_id"


class Gemeentekosten(NamedTuple):
    """A gemeente's BW costs in the year: all, of new clients (those without a first start
    included), and the number and costs of the clients without an EersteBWStart."""

    totaal: Decimal
    nieuw: Decimal
    zonder_start: int = 0
    zonder_start_kosten: Decimal = Decimal("0.00")


def kosten_per_gemeente(
    peildata: dict[int, datetime.date], jaar: int
) -> dict[int, dict[int, Gemeentekosten]]:
    """{regio id: {gemeente id: Gemeentekosten}} in ``jaar`` for every regio in ``peildata``
    (regio id → its cut-over date for new clients), in one statement: the verevening of all
    regio's reads the kostenregels once, not once per regio."""
    regio_ids = sorted(peildata)
    kosten = (
        Kostenregel.objects.within(Scope(regio_ids=frozenset(regio_ids)))
        .filter(regio__in=regio_ids, jaar=jaar)
        .order_by()
        .values(
            "regio_id",
            "client_id",
            "gemeente_herkomst_id",
            "functie_id",
            "bedrag",
            "periode_begin",
        )  # fmt: skip
    )
    kosten_sql, params = kosten.query.sql_with_params()
    if len(regio_ids) == 1:
        sql = SQL.format(peildatum="%s::date", kosten=kosten_sql, pd="")
        params = [peildata[regio_ids[0]], *params]
    else:
        sql = SQL.format(peildatum="pd.peildatum", kosten=kosten_sql, pd=PD)
        params = [*params, regio_ids, [peildata[r] for r in regio_ids]]
    uitkomst: dict[int, dict[int, Gemeentekosten]] = {r: {} for r in regio_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner cannot tell that the client key is NULL on almost every line and expects
        # a group per line: it would sort them all. Hashing them gives a few hundred groups.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(sql, params)
        rijen = cursor.fetchall()
        cursor.execute("RESET enable_sort")
        for regio_id, gemeente_id, totaal, nieuw, zonder, zonder_kosten in rijen:
            uitkomst[regio_id][gemeente_id] = Gemeentekosten(
                Decimal(totaal), Decimal(nieuw), zonder, Decimal(zonder_kosten)
            )
    return uitkomst


def invoer_uit_database(regio, jaar: int) -> VereveningInvoer:
    """Every input of the verevening of ``regio`` for ``jaar`` as stored; VereveningFout with a
    Dutch sentence when something is missing."""
    return invoeren([regio], jaar)[0]


def invoeren(regios, jaar: int) -> list[VereveningInvoer]:
    """The inputs of several regio's for ``jaar``, in their order; the costs of all of them come
    from one statement (``kosten_per_gemeente``)."""
    return [invoer for invoer, _ in _invoeren_met_kosten(regios, jaar)]


def _invoeren_met_kosten(regios, jaar: int) -> list[tuple[VereveningInvoer, dict]]:
    """``invoeren`` with each regio's ``{gemeente id: Gemeentekosten}`` beside its input."""
    scope = Scope(regio_ids=frozenset(r.pk for r in regios))
    parameters = {
        p.regio_id: p
        for p in Jaarparameters.objects.within(scope).filter(regio__in=regios, jaar=jaar)
    }
    for regio in regios:
        if regio.pk not in parameters:
            raise VereveningFout(
                f"Er zijn geen vereveningsparameters voor {regio.naam} in {jaar}: leg eerst de "
                "peildatum, alpha en het centrumgemeentebudget vast."
            )
    modellen = geldende_verdeelmodellen(
        Verdeelmodel.objects.within(scope)
        .filter(regio__in=regios)
        .prefetch_related(
            Prefetch("aandelen", VerdeelmodelAandeel.objects.select_related("gemeente"))
        ),
        jaar,
    )
    voorschotten = defaultdict(dict)
    for regio_id, gemeente_id, bedrag in Voorschot.objects.filter(
        parameters__in=parameters.values()
    ).values_list("parameters__regio_id", "gemeente_id", "bedrag"):
        voorschotten[regio_id][gemeente_id] = bedrag
    kosten = kosten_per_gemeente({r: p.peildatum_nieuw for r, p in parameters.items()}, jaar)
    return [
        (
            _invoer(
                regio,
                jaar,
                parameters[regio.pk],
                modellen.get(regio.pk),
                voorschotten[regio.pk],
                kosten[regio.pk],
            ),
            kosten[regio.pk],
        )  # fmt: skip
        for regio in regios
    ]


def _invoer(regio, jaar: int, parameters, model, voorschotten, kosten) -> VereveningInvoer:
    if model is None:
        raise VereveningFout(f"Er is geen verdeelmodel voor {regio.naam} in of vóór {jaar}.")
    aandelen = {a.gemeente: a.percentage for a in model.aandelen.all()}
    zonder_aandeel = set(kosten) - {g.pk for g in aandelen}
    if zonder_aandeel:
        from regio.models import Gemeente

        namen = ", ".join(
            Gemeente.objects.filter(pk__in=zonder_aandeel)
            .order_by("naam")
            .values_list("naam", flat=True)
        )
        raise VereveningFout(
            f"Er zijn kosten van gemeenten zonder aandeel in het verdeelmodel {model.jaar}: "
            f"{namen}."
        )
    return VereveningInvoer(
        regio=regio.code,
        jaar=jaar,
        alpha=parameters.alpha,
        centrumgemeentebudget=parameters.centrumgemeentebudget,
        totale_kosten=sum((k.totaal for k in kosten.values()), Decimal("0.00")),
        gemeenten=tuple(
            GemeenteInvoer(
                code=g.code,
                naam=g.naam,
                aandeel=percentage,
                kosten_nieuw=kosten[g.pk].nieuw if g.pk in kosten else Decimal("0.00"),
                voorschot=voorschotten.get(g.pk, Decimal("0.00")),
            )
            for g, percentage in sorted(aandelen.items(), key=lambda item: item[0].naam)
        ),
        strategie=parameters.strategie,
        strategie_parameters=parameters.strategie_parameters,
    )


def _snapshot(invoer: VereveningInvoer) -> tuple[dict, str]:
    canoniek = scenario.invoer_als_json(invoer)
    return json.loads(canoniek), hashlib.sha256(canoniek.encode("utf-8")).hexdigest()


def mag_voor_regio(user, capability: str, regio) -> bool:
    """A verevening is the regio's business: only a regio-wide role may start or fix one (a
    Regio is in scope of the regio roles only, ``regio.query.RegioQuerySet``)."""
    return user is None or mag(user, capability, regio)


def bereken_run(regio, jaar: int, *, user=None, job=None) -> Vereveningsrun:
    """Compute and store a concept run. Everything is written in one transaction, so a worker
    killed halfway leaves nothing; a job that is retried returns the run it already made."""
    return bereken_runs([regio], jaar, user=user, job=job)[0]


@transaction.atomic
def bereken_runs(regios, jaar: int, *, user=None, job=None) -> list[Vereveningsrun]:
    """A concept run for each of ``regios`` (e.g. every regio at the end of a year), in one
    transaction: all of them or none. The costs of all regio's are one statement; each regio
    gets its own run, lines and audit row as if started alone. A job that is retried returns
    the runs it already made."""
    regios = list(regios)
    for regio in regios:
        vereis(
            user, START, regio, "Alleen wie voor de hele regio werkt, start een verevening.",
            openbaar=True,
        )  # fmt: skip
    if job is not None:
        bestaand = list(Vereveningsrun.objects.filter(job=job).order_by("pk"))
        if bestaand:
            return bestaand
    # One run at a time per regio and year: a second start waits for the first (locks taken in
    # one order, so two batches cannot deadlock).
    list(Regio.objects.select_for_update().filter(pk__in=[r.pk for r in regios]).order_by("pk"))
    toerekening = toerekening_per_basis(regios, jaar)
    return [
        _opslaan(regio, jaar, invoer, kosten, toerekening[regio.pk], user=user, job=job)
        for regio, (invoer, kosten) in zip(regios, _invoeren_met_kosten(regios, jaar), strict=True)
    ]


def _opslaan(
    regio, jaar: int, invoer: VereveningInvoer, kosten, toerekening, *, user, job
) -> Vereveningsrun:
    uitkomst = bereken(invoer)
    snapshot, invoer_hash = _snapshot(invoer)
    run = Vereveningsrun.objects.create(
        regio=regio, jaar=jaar, strategie=uitkomst.strategie, invoer=snapshot,
        invoer_hash=invoer_hash, totale_kosten=uitkomst.T, centrumgemeente_deel=uitkomst.C,
        restant=uitkomst.R, opmerkingen=list(uitkomst.opmerkingen), job=job, gestart_door=user,
        toerekening=toerekening,
    )  # fmt: skip
    gemeenten = {g.code: g for g in regio_gemeenten(invoer)}
    geen = Gemeentekosten(Decimal("0.00"), Decimal("0.00"))
    Vereveningsregel.objects.bulk_create(
        Vereveningsregel(
            run=run,
            gemeente=gemeenten[r.code],
            zonder_start_aantal=kosten.get(gemeenten[r.code].pk, geen).zonder_start,
            zonder_start_kosten=kosten.get(gemeenten[r.code].pk, geen).zonder_start_kosten,
            aandeel_verdeelmodel=r.s_g,
            kosten_nieuw=r.N_g,
            aandeel_nieuw=r.u_g,
            toegerekend=r.A_g,
            voorschot=r.V_g,
            verrekening=r.D_g,
        )  # fmt: skip
        for r in uitkomst.gemeenten
    )
    audit.record("create", objects=[run], actor=user, toelichting={"jaar": jaar})
    return run


def toerekening_per_basis(regios, jaar: int) -> dict[int, dict[str, int]]:
    """{regio id: {basis: clients}}: how many clients had taakgericht BW costs in ``jaar``
    allocated on each basis (zorgperioden, toewijzingen), from the kostenregels (a client on both
    counts under both); for all ``regios`` in one statement (each client and basis once, counted
    here: a COUNT(DISTINCT) per regio read the regio's lines again for each of them)."""
    ids = [r.pk for r in regios]
    paren = (
        Kostenregel.objects.within(Scope(regio_ids=frozenset(ids)))
        .filter(
            regio__in=ids,
            jaar=jaar,
            bron=Kostenbron.TAAKGERICHT,
            functie__domein=Domein.BESCHERMD_WONEN,
        )  # fmt: skip
        .exclude(toerekeningsbasis="")
        .order_by()
        .values_list("regio_id", "toerekeningsbasis", "client_id")
        .distinct()
    )
    tellingen: dict[int, Counter] = {pk: Counter() for pk in ids}
    for regio_id, basis, _client in paren:
        tellingen[regio_id][basis] += 1
    return {pk: dict(sorted(telling.items())) for pk, telling in tellingen.items()}


def regio_gemeenten(invoer: VereveningInvoer):
    from regio.models import Gemeente

    return Gemeente.objects.filter(code__in=[g.code for g in invoer.gemeenten])


WEIGERING_VASTSTELLEN = "Alleen wie voor de hele regio werkt, stelt een verevening vast."


def weigering_vaststellen(run: Vereveningsrun, user) -> str | None:
    """Why ``user`` may not vaststellen ``run`` now, or None when they may: the one answer the
    run page (is there a button?) and ``vaststellen`` (is it refused?) both ask. ``user`` None
    is the system."""
    if not mag_voor_regio(user, VASTSTELLEN, run.regio):
        return WEIGERING_VASTSTELLEN
    if run.status != Vereveningsrun.Status.CONCEPT:
        return "Alleen een concept kan worden vastgesteld."
    if user is not None and run.gestart_door_id is not None and run.gestart_door_id == user.pk:
        return "Een ander dan wie de run startte, stelt haar vast (vier ogen)."
    if not run.zonder_start_geteld:
        return (
            "Deze run is berekend voordat cliënten zonder eerste start beschermd wonen werden "
            "geteld. Bereken de run opnieuw en stel die vast."
        )
    zonder_start = zonder_eerste_start(run)
    if zonder_start.aantal:
        return zonder_start.weigering()
    return None


def jaar_voorbij(jaar: int, vandaag: datetime.date | None = None) -> bool:
    """Whether ``jaar`` has ended: its costs can still come in until it has."""
    return jaar < (vandaag or timezone.localdate()).year


@transaction.atomic
def vaststellen(run: Vereveningsrun, user, *, reden: str = "") -> Vereveningsrun:
    """Fix a concept run (by someone other than who started it); the previous vastgestelde run
    of the regio and year becomes 'vervangen' and points at this one. Before the year has ended
    its costs are not complete: then a ``reden`` is required, stored on the run and audited."""
    run = Vereveningsrun.objects.select_for_update().get(pk=run.pk)
    vereis(user, VASTSTELLEN, run.regio, WEIGERING_VASTSTELLEN, openbaar=True)
    if weigering := weigering_vaststellen(run, user):
        raise ValidationError(weigering)
    reden = (reden or "").strip()
    if not jaar_voorbij(run.jaar) and not reden:
        raise ValidationError(
            {
                "reden": f"Het jaar {run.jaar} is nog niet voorbij: de kosten zijn nog niet "
                "compleet. Geef de reden om nu al vast te stellen."
            }
        )
    vorige = list(
        Vereveningsrun.objects.select_for_update()
        .filter(regio=run.regio_id, jaar=run.jaar, status=Vereveningsrun.Status.VASTGESTELD)
        .exclude(pk=run.pk)
    )
    for oud in vorige:
        oud.status = Vereveningsrun.Status.VERVANGEN
        oud.vervangen_door = run
        oud.save(update_fields=["status", "vervangen_door"])
    run.status = Vereveningsrun.Status.VASTGESTELD
    run.vastgesteld_door = user
    run.vastgesteld_op = timezone.now()
    run.reden_voor_jaareinde = reden
    run.save(update_fields=["status", "vastgesteld_door", "vastgesteld_op", "reden_voor_jaareinde"])
    toelichting = {"status": "vastgesteld", "vervangt": [o.pk for o in vorige]}
    if reden:
        toelichting["reden_voor_jaareinde"] = reden
    audit.record("change", objects=[run, *vorige], actor=user, toelichting=toelichting)
    return run


@dataclass(frozen=True)
class ZonderEersteStart:
    """The clients of a run without an EersteBWStart (DOMAIN.md: new or existing is unknown):
    in total and per gemeente (name, number, costs), as stored with the run."""

    aantal: int
    kosten: Decimal
    per_gemeente: tuple[tuple[str, str, int, Decimal], ...]

    def weigering(self) -> str:
        return (
            f"Deze run telt {self.aantal} cliënt{'en' if self.aantal != 1 else ''} zonder "
            f"eerste start beschermd wonen (samen {_euro(self.kosten)}) voorlopig als nieuw. "
            "Leg hun eerste start vast met de conversie-import en bereken een nieuwe run; pas "
            "dan kan de verevening worden vastgesteld."
        )


def _euro(bedrag: Decimal) -> str:
    tekst = f"{bedrag:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {tekst}"


def zonder_eerste_start(run: Vereveningsrun) -> ZonderEersteStart:
    """What ``run`` stored about its clients without a first BW start (one query)."""
    rijen = [
        (code, naam, aantal, bedrag)
        for code, naam, aantal, bedrag in run.regels.filter(zonder_start_aantal__gt=0)
        .order_by("gemeente__naam", "gemeente__code")
        .values_list(
            "gemeente__code", "gemeente__naam", "zonder_start_aantal", "zonder_start_kosten"
        )
    ]
    return ZonderEersteStart(
        aantal=sum(r[2] for r in rijen),
        kosten=sum((r[3] for r in rijen), Decimal("0.00")),
        per_gemeente=tuple(rijen),
    )


def verevening_van(run: Vereveningsrun) -> Verevening:
    """The stored outcome of ``run`` (from its lines, not recomputed: a vastgestelde run reads
    the same next year, whatever the code does then)."""
    from financien.verevening import GemeenteVerevening

    ingevoerd = {g["code"]: Decimal(g["aandeel"]) for g in run.invoer["gemeenten"]}
    # Sorted in Python like the calculation (the database's collation may order names otherwise).
    regels = tuple(
        sorted(
            (
                GemeenteVerevening(
                    code=r.gemeente.code,
                    naam=r.gemeente.naam,
                    aandeel=ingevoerd[r.gemeente.code],
                    s_g=r.aandeel_verdeelmodel,
                    N_g=r.kosten_nieuw,
                    u_g=r.aandeel_nieuw,
                    A_g=r.toegerekend,
                    V_g=r.voorschot,
                    D_g=r.verrekening,
                )
                for r in run.regels.select_related("gemeente")
            ),
            key=lambda g: (g.naam, g.code),
        )
    )
    nul = Decimal("0.00")
    som = sum(ingevoerd.values(), Decimal("0"))
    return Verevening(
        regio=run.regio.code, jaar=run.jaar, strategie=run.strategie,
        alpha=Decimal(run.invoer["alpha"]), B_c=Decimal(run.invoer["centrumgemeentebudget"]),
        T=run.totale_kosten, C=run.centrumgemeente_deel, R=run.restant, aandelen_som=som,
        genormaliseerd=som != 100, gemeenten=regels,
        som_N=sum((r.N_g for r in regels), nul), som_A=sum((r.A_g for r in regels), nul),
        som_V=sum((r.V_g for r in regels), nul), som_D=sum((r.D_g for r in regels), nul),
        opmerkingen=tuple(run.opmerkingen),
    )  # fmt: skip


def als_csv(run: Vereveningsrun) -> str:
    """The scenario's CSV of the run; when clients without a first BW start are in it, a second
    table after an empty line lists them per gemeente (number and costs)."""
    tekst = scenario.als_csv(verevening_van(run))
    zonder = zonder_eerste_start(run)
    if not zonder.aantal:
        return tekst
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([])
    writer.writerow(["zonder_eerste_start_gemeente_code", "gemeente", "clienten", "kosten"])
    for code, naam, aantal, bedrag in zonder.per_gemeente:
        writer.writerow([code, naam, aantal, f"{bedrag:.2f}"])
    writer.writerow(["totaal", "", zonder.aantal, f"{zonder.kosten:.2f}"])
    return tekst + buffer.getvalue()


def als_tabel(run: Vereveningsrun) -> tuple[list[str], list[list]]:
    """The run as a person downloads it (``regio.exports``: CSV in Dutch Excel's dialect, XLSX
    with number cells): one row per gemeente and a total, shares as fractions, money with its
    two decimals; the clients without a first BW start follow after an empty row. ``als_csv``
    keeps the machine format of ``manage.py verevening``."""
    uitkomst = verevening_van(run)
    koppen = [
        "Gemeentecode", "Gemeente", "Aandeel verdeelmodel", "Aandeel nieuw", "Toegerekend",
        "Voorschot", "Verrekening",
    ]  # fmt: skip
    # Rounded as the machine CSV rounds them (scenario._rijen, _totaalrij), kept as numbers.
    with localcontext(scenario.REKENCONTEXT):
        machine = [*scenario._rijen(uitkomst), scenario._totaalrij(uitkomst)]
    rijen = [
        [
            m["gemeente_code"] or None, m["gemeente"] if m["gemeente_code"] else "Totaal",
            *(Decimal(m[k]) for k in scenario.KOLOMMEN[2:]),
        ]
        for m in machine
    ]  # fmt: skip
    zonder = zonder_eerste_start(run)
    if zonder.aantal:
        rijen += [[], ["Zonder eerste start: gemeentecode", "Gemeente", "Cliënten", "Kosten"]]
        rijen += [list(rij) for rij in zonder.per_gemeente]
        rijen.append([None, "Totaal", zonder.aantal, zonder.kosten])
    return koppen, rijen
