"""Jobs of the finance workplace (Celery autodiscovers this module).

``financien.taakgericht`` as a job: for a regio and a month, every taakgericht contract that runs
that month gets its budget allocated to its clients (``financien.taakgericht.toerekenen``), with
progress per contract. Rerunning is harmless: each contract-month replaces its own lines.

A contract allocated on zorgperioden also gets the earlier months of every year whose verevening
is not vastgesteld recomputed (``taakgericht.herberekenen``): starts and stops are reported late
and corrected. ``taakgericht_maandelijks`` is the monthly schedule (celery beat, the
PeriodicTask made by migration financien 0004): on the 2nd it starts the job of the previous
month for every regio with a taakgericht contract running then, as a system run without a
starter.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from celery import shared_task
from django.utils import timezone

from financien import taakgericht
from inkoop.models import Bekostiging, Contract
from regio.jobs import JobContext, job, start_job
from regio.models import JobRun, Regio

SOORT = "financien.taakgericht"
CAPABILITY = "financien.add_kostenregel"
MAANDELIJKS_TASK_NAME = "financien.taakgericht_maandelijks"


@job(SOORT, "Taakgerichte toerekening", capability=CAPABILITY)
def taakgericht_toerekenen(ctx: JobContext, regio_id: int, maand: str):
    """Allocate ``maand`` (YYYY-MM) for every taakgericht contract of the regio running then.
    Only someone holding the capability for the regio itself (not one gemeente) may: the lines
    cover every gemeente of the regio."""
    jaar, nummer = taakgericht.parse_maand(maand)
    regio = ctx.scoped(Regio, CAPABILITY).get(pk=regio_id)
    contracten = list(taakgericht.lopende_contracten(regio, jaar, nummer))
    ctx.progress(5, f"{len(contracten)} taakgerichte contracten")
    uitkomsten, herberekend = [], []
    for index, contract in enumerate(contracten, start=1):
        uitkomst = taakgericht.toerekenen(contract, jaar, nummer, user=ctx.run.gestart_door)
        uitkomsten.append({"kenmerk": contract.kenmerk, **uitkomst.als_dict()})
        # Allocated on zorgperioden: late starts and stops and corrections move earlier months
        # until the year's verevening is vastgesteld.
        for eerder in taakgericht.herberekenen(contract, jaar, nummer, user=ctx.run.gestart_door):
            herberekend.append({"kenmerk": contract.kenmerk, **eerder.als_dict()})
        ctx.progress(
            5 + 90 * index // len(contracten), f"Contract {index} van {len(contracten)} toegerekend"
        )
    return {
        "regio": regio.code,
        "maand": maand,
        "contracten": uitkomsten,
        "herberekend": herberekend,
        "clienten_per_basis": clienten_per_basis(uitkomsten),
        "toegerekend": str(sum((Decimal(u["toegerekend"]) for u in uitkomsten), Decimal("0.00"))),
        "opmerkingen": [o for u in uitkomsten for o in u["opmerkingen"]],
    }


def clienten_per_basis(uitkomsten) -> dict[str, int]:
    """How many clients the month allocated on each basis (zorgperioden, toewijzingen)."""
    telling: dict[str, int] = {}
    for u in uitkomsten:
        telling[u["basis"]] = telling.get(u["basis"], 0) + u["clienten"]
    return dict(sorted(telling.items()))


def vorige_maand(peildatum: datetime.date) -> str:
    eerste = peildatum.replace(day=1) - datetime.timedelta(days=1)
    return f"{eerste:%Y-%m}"


def start_maandtoerekeningen(peildatum: datetime.date | None = None) -> list[int]:
    """Start the job for the month before ``peildatum`` for every regio with a taakgericht
    contract running then; a regio that already has a scheduled run for that month (a
    redelivered task) gets none again."""
    maand = vorige_maand(peildatum or timezone.localdate())
    jaar, nummer = taakgericht.parse_maand(maand)
    begin, einde = taakgericht.maandgrenzen(jaar, nummer)
    regio_ids = (
        Contract.objects.filter(
            bekostiging=Bekostiging.TAAKGERICHT,
            begin__lte=einde,
            looptijd_einde__gte=begin,
        )
        .values_list("regio_id", flat=True)
        .distinct()
    )
    gestart = []
    for regio in Regio.objects.filter(pk__in=regio_ids).order_by("code"):
        bestaat = JobRun.objects.filter(
            soort=SOORT, regio=regio, gestart_door__isnull=True, parameters__maand=maand
        ).exists()
        if not bestaat:
            gestart.append(start_job(SOORT, regio=regio, regio_id=regio.pk, maand=maand).pk)
    return gestart


@shared_task(name=MAANDELIJKS_TASK_NAME, acks_late=True)
def taakgericht_maandelijks(peildatum: str | None = None) -> list[int]:
    """Celery beat entry point (the 2nd of the month); ``peildatum`` (ISO) only for reruns and
    tests."""
    return start_maandtoerekeningen(datetime.date.fromisoformat(peildatum) if peildatum else None)


from financien import verevening_tasks  # noqa: F401,E402  (registers the verevening job)
