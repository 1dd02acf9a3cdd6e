"""Retention as jobs: the monthly proposal of destruction lists and carrying out an approved one.

``bewaartermijnen_maandelijks`` (celery beat, the PeriodicTask made by migration toegang 0015)
starts one system run of ``toegang.bewaartermijnen`` per gemeente with dossiers; each makes or
refreshes that gemeente's list "Ter goedkeuring" (idempotent). ``toegang.vernietigen`` carries
out an approved list with progress, started by the privacy officer who approved it; a run
redelivered after its worker died skips what is already destroyed.

Imported from ``toegang.tasks`` (Celery autodiscovers only ``tasks`` modules).
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from regio.jobs import JobContext, job, start_job
from regio.models import Gemeente, JobRun
from toegang.models import Dossier, Vernietigingslijst
from toegang.privacy import bewaren as bewaren_services

SOORT_LIJSTEN = "toegang.bewaartermijnen"
SOORT_VERNIETIGEN = "toegang.vernietigen"
CAPABILITY = "toegang.view_vernietigingslijst"
CAPABILITY_UITVOEREN = "toegang.keur_vernietiging_goed"
MAANDELIJKS_TASK_NAME = "toegang.bewaartermijnen_maandelijks"


@job(SOORT_LIJSTEN, "Vernietigingslijst opstellen", capability=CAPABILITY)
def vernietigingslijst_opstellen(ctx: JobContext, gemeente_id: int, peildatum: str):
    """The gemeente's dossiers past retention on ``peildatum`` onto its list."""
    ctx.progress(10, "Bewaartermijnen berekenen")
    gemeente = ctx.scoped(Gemeente, CAPABILITY).get(pk=gemeente_id)
    dossiers = ctx.scoped(Dossier, CAPABILITY).filter(verantwoordelijke_gemeente=gemeente)
    lijst = bewaren_services.lijst_bijwerken(
        gemeente, dossiers, datetime.date.fromisoformat(peildatum)
    )
    ctx.progress(95, "Afronden")
    if lijst is None:
        return {"lijst": None, "regels": 0}
    return {"lijst": lijst.pk, "regels": lijst.regels.count(), "status": lijst.status}


@job(SOORT_VERNIETIGEN, "Vernietigingslijst uitvoeren", capability=CAPABILITY_UITVOEREN)
def vernietigingslijst_uitvoeren(ctx: JobContext, lijst_id: int):
    ctx.progress(2, "Lijst ophalen")
    lijst = ctx.scoped(Vernietigingslijst, CAPABILITY_UITVOEREN).get(pk=lijst_id)

    def voortgang(n, totaal):
        ctx.progress(2 + 96 * n // max(totaal, 1), f"Dossier {n} van {totaal} vernietigd")

    return bewaren_services.lijst_uitvoeren(lijst, user=ctx.run.gestart_door, voortgang=voortgang)


def lopende_uitvoering(lijst: Vernietigingslijst) -> JobRun | None:
    return (
        JobRun.objects.filter(
            soort=SOORT_VERNIETIGEN,
            parameters__lijst_id=lijst.pk,
            status__in=(JobRun.Status.WACHTRIJ, JobRun.Status.BEZIG),
        )
        .order_by("-pk")
        .first()
    )


def start_uitvoering(lijst: Vernietigingslijst, user) -> JobRun:
    """Start carrying out an approved list, once: a run already queued or busy is returned."""
    from django.core.exceptions import ValidationError

    if lijst.status != Vernietigingslijst.Status.GOEDGEKEURD:
        raise ValidationError("Alleen een goedgekeurde lijst kan worden uitgevoerd.")
    return lopende_uitvoering(lijst) or start_job(
        SOORT_VERNIETIGEN, user=user, gemeente=lijst.gemeente, lijst_id=lijst.pk
    )


def start_lijsten(peildatum: datetime.date | None = None) -> list[int]:
    """Start the list job for every gemeente with undestroyed dossiers; a gemeente that already
    has a scheduled run for this peildatum (a redelivered task) gets none again."""
    peildatum = peildatum or timezone.localdate()
    gemeente_ids = (
        Dossier.objects.filter(vernietigd_op__isnull=True)
        .values_list("verantwoordelijke_gemeente_id", flat=True)
        .distinct()
    )
    gestart = []
    for gemeente in Gemeente.objects.filter(pk__in=gemeente_ids).order_by("code"):
        bestaat = JobRun.objects.filter(
            soort=SOORT_LIJSTEN, gemeente=gemeente, gestart_door__isnull=True,
            parameters__peildatum=peildatum.isoformat(),
        ).exists()  # fmt: skip
        if bestaat:
            continue
        run = start_job(
            SOORT_LIJSTEN, user=None, gemeente=gemeente, gemeente_id=gemeente.pk,
            peildatum=peildatum.isoformat(),
        )  # fmt: skip
        gestart.append(run.pk)
    return gestart


@shared_task(name=MAANDELIJKS_TASK_NAME, acks_late=True)
def bewaartermijnen_maandelijks(peildatum: str | None = None) -> list[int]:
    """Celery beat entry point (monthly); ``peildatum`` (ISO) only for reruns and tests."""
    return start_lijsten(datetime.date.fromisoformat(peildatum) if peildatum else None)
