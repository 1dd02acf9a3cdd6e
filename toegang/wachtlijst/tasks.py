"""The jobs of the waiting list. Imported from ``toegang.tasks`` (Celery autodiscovers only
``tasks`` modules).

- The waiting-list report as a job (a JobRun with progress, CSV and PDF as result files), and the
  monthly schedule (celery beat, the PeriodicTask made by migration toegang 0009) that starts it
  for every regio with a list, for the previous month, as a system run without a starter.
- The daily wachtstatus run (the PeriodicTask made by migration toegang 0012): every waiting
  client and their lokaal team hear at least every ``Regio.wachtstatus_interval_weken`` weeks
  how it stands, and a status change missed by the hook after it is sent the next morning.
  Idempotent (see ``wachtstatus``), so a redelivered task sends nothing twice.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from regio.exports import FORMATS, to_csv, to_xlsx
from regio.jobs import JobContext, job, start_job
from regio.models import JobRun, Regio
from regio.replica import lezen_van_replica
from toegang.models import Wachtlijstgebeurtenis
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import crisis
from toegang.wachtlijst import rapport as wachtlijstrapport
from toegang.wachtlijst import wachtstatus as wachtstatus_services

SOORT = "toegang.wachtlijstrapport"
CAPABILITY = wachtlijstrapport.CAPABILITY
MAANDELIJKS_TASK_NAME = "toegang.wachtlijstrapport_maandelijks"


@job(SOORT, "Wachtlijstrapportage", capability=CAPABILITY)
def wachtlijstrapportage(ctx: JobContext, regio_id: int, maand: str, maanden: int = 12):
    """Compute the report for ``maand`` (YYYY-MM) with the trend over ``maanden`` months."""
    ctx.progress(5, "Regio en gegevens ophalen")
    if ctx.run.gestart_door_id:
        # A regio role, or the contractpartner keeping the list (toegang.query).
        regio = wachtlijst_regios(ctx.run.gestart_door, CAPABILITY).get(pk=regio_id)
    else:
        regio = ctx.scoped(Regio, CAPABILITY).get(pk=regio_id)
    eerste = wachtlijstrapport.parse_maand(maand)
    ctx.progress(15, "Cijfers berekenen")
    # The report's reads may come from a lagging replica (regio.replica); the starter's grants,
    # the regio's members and the run itself are still read from the primary.
    with lezen_van_replica():
        scope = ctx.scoped(Wachtlijstgebeurtenis, CAPABILITY)
        rapport = wachtlijstrapport.rapport(regio, eerste, maanden, scope=scope)
        ctx.progress(50, "CSV en XLSX maken")
        koppen, rijen = wachtlijstrapport.als_tabel(rapport)
        ctx.progress(65, "PDF maken")
        pdf = wachtlijstrapport.als_pdf(rapport)
    naam = f"wachtlijstrapport-{regio.code}-{maand}"
    ctx.add_file(f"{naam}.csv", to_csv(koppen, rijen), FORMATS["csv"])
    ctx.add_file(f"{naam}.xlsx", to_xlsx(koppen, rijen, title="Wachtlijst"), FORMATS["xlsx"])
    ctx.add_file(f"{naam}.pdf", pdf, "application/pdf")
    ctx.progress(95, "Afronden")
    regels = rapport.van_maand()
    return {
        "maand": maand,
        "regels": len(rapport.regels),
        "stand_eind": sum(r.stand_eind for r in regels),
        "aantal_boven_norm": sum(r.aantal_boven_norm for r in regels),
    }


def vorige_maand(peildatum: datetime.date) -> str:
    return f"{wachtlijstrapport.plus_maanden(peildatum.replace(day=1), -1):%Y-%m}"


def start_maandrapporten(peildatum: datetime.date | None = None) -> list[int]:
    """Start the report for the month before ``peildatum`` for every regio with events; a regio
    that already has a scheduled run for that month (a redelivered task) gets none again."""
    maand = vorige_maand(peildatum or timezone.localdate())
    regio_ids = Wachtlijstgebeurtenis.objects.values_list("regio_id", flat=True).distinct()
    gestart = []
    for regio in Regio.objects.filter(pk__in=regio_ids).order_by("code"):
        bestaat = JobRun.objects.filter(
            soort=SOORT, regio=regio, gestart_door__isnull=True, parameters__maand=maand
        ).exists()
        if bestaat:
            continue
        run = start_job(SOORT, user=None, regio=regio, regio_id=regio.pk, maand=maand, maanden=12)
        gestart.append(run.pk)
    return gestart


@shared_task(name=MAANDELIJKS_TASK_NAME, acks_late=True)
def wachtlijstrapport_maandelijks(peildatum: str | None = None) -> list[int]:
    """Celery beat entry point (1st of the month); ``peildatum`` (ISO) only for reruns/tests."""
    return start_maandrapporten(datetime.date.fromisoformat(peildatum) if peildatum else None)


TASK_NAME = "toegang.wachtstatus_versturen"


@shared_task(name=TASK_NAME, acks_late=True)
def wachtstatus_versturen(peildatum: str | None = None) -> dict:
    """Celery beat entry point; ``peildatum`` (ISO date) only for reruns and tests."""
    return wachtstatus_services.versturen(
        datetime.date.fromisoformat(peildatum) if peildatum else None
    )


@shared_task(name=crisis.TASK_NAME, acks_late=True)
def crisisplaatsingen_signaleren(peildatum: str | None = None) -> dict:
    """Celery beat entry point (daily): crisis placements whose beschikking followed are closed,
    overdue ones notified (``toegang.wachtlijst.crisis``); ``peildatum`` only for reruns/tests."""
    return crisis.signaleren(datetime.date.fromisoformat(peildatum) if peildatum else None)
