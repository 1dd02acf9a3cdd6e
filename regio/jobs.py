"""Long jobs: every run is a JobRun row with status and progress the UI polls.

A job is a function ``fn(ctx, **parameters)`` registered with ``@job(...)``; it becomes a Celery
task that marks the run bezig, lets the function report progress and attach result files through
``ctx``, and marks it gereed or mislukt. ``start_job`` creates the row and enqueues the task once
the transaction commits. A redelivered task (acks_late after a worker died) whose run already
finished does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from regio.models import JobResultaat, JobRun, Notificatie
from regio.query import regio_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobDefinitie:
    soort: str
    naam: str
    capability: str
    task: object


JOBS: dict[str, JobDefinitie] = {}


class JobContext:
    def __init__(self, run: JobRun):
        self.run = run

    def progress(self, voortgang: int, stap: str = ""):
        voortgang = max(0, min(100, int(voortgang)))
        JobRun.objects.filter(pk=self.run.pk).update(voortgang=voortgang, stap=stap[:200])
        self.run.voortgang, self.run.stap = voortgang, stap

    def scoped(self, model, capability: str):
        """The rows of ``model`` this run may read: the scope of whoever started it for
        ``capability``, or, for a run without a starter (a schedule), its own regio/gemeente."""
        queryset = model._default_manager.all()
        if self.run.gestart_door_id:
            return queryset.visible_to(self.run.gestart_door, capability)
        return queryset.within(regio_scope(self.run.regio_id, self.run.gemeente_id))

    def add_file(self, naam: str, content: bytes, content_type: str) -> JobResultaat:
        """Store a result file. A task redelivered after its worker died makes its files again:
        a file of the same name replaces the earlier one, so a run never holds it twice."""
        for oud in JobResultaat.objects.filter(jobrun=self.run, naam=naam):
            oud.bestand.delete(save=False)
            oud.delete()
        resultaat = JobResultaat(
            jobrun=self.run, naam=naam, content_type=content_type,
            sha256=hashlib.sha256(content).hexdigest(),
        )  # fmt: skip
        resultaat.bestand.save(naam, ContentFile(content), save=True)
        return resultaat


def job(soort: str, naam: str, capability: str):
    """Register ``fn(ctx, **parameters)`` as job ``soort``; its runs are visible per capability."""

    def register(fn):
        @shared_task(name=f"jobs.{soort}", bind=True, acks_late=True)
        def run_job(task, jobrun_id: int):
            run = JobRun.objects.select_related("gestart_door").filter(pk=jobrun_id).first()
            if run is None or run.klaar:
                return
            JobRun.objects.filter(pk=run.pk).update(
                status=JobRun.Status.BEZIG,
                gestart_op=timezone.now(),
                celery_task_id=task.request.id or "",
            )
            ctx = JobContext(run)
            try:
                resultaat = fn(ctx, **run.parameters) or {}
            except Exception as exc:
                log.exception("Job %s #%s mislukt", soort, run.pk)
                fout = te_lang_melding() if isinstance(exc, SoftTimeLimitExceeded) else str(exc)
                with transaction.atomic():
                    JobRun.objects.filter(pk=run.pk).update(
                        status=JobRun.Status.MISLUKT, fout=fout[:2000], afgerond_op=timezone.now()
                    )
                    meld_klaar(run, JobRun.Status.MISLUKT)
                raise
            with transaction.atomic():
                JobRun.objects.filter(pk=run.pk).update(
                    status=JobRun.Status.GEREED,
                    voortgang=100,
                    stap="",
                    resultaat=resultaat,
                    afgerond_op=timezone.now(),
                )
                meld_klaar(run, JobRun.Status.GEREED)

        JOBS[soort] = JobDefinitie(soort, naam, capability, run_job)
        fn.definitie = JOBS[soort]
        return fn

    return register


def meld_klaar(run: JobRun, status: str) -> None:
    """Whoever started the run hears that it finished (once per run: the key)."""
    from regio.notificaties import meld

    if run.gestart_door is None:
        return
    naam = run.naam
    gereed = status == JobRun.Status.GEREED
    meld(
        [run.gestart_door],
        soort=Notificatie.Soort.TAAK_GEREED if gereed else Notificatie.Soort.TAAK_MISLUKT,
        tekst=f"{naam}: {'gereed' if gereed else 'mislukt'}.",
        url=reverse("regio:jobrun-detail", args=[run.pk]),
        sleutel=f"jobrun:{run.pk}",
    )


def start_job(soort: str, *, user=None, regio=None, gemeente=None, **parameters) -> JobRun:
    """Create the JobRun and enqueue it after commit; the caller has checked the capability."""
    from regio import audit

    definitie = JOBS[soort]
    run = JobRun.objects.create(
        soort=soort, parameters=parameters, regio=regio, gemeente=gemeente, gestart_door=user
    )
    audit.record("job", objects=[run], actor=user, toelichting={"soort": soort})
    transaction.on_commit(lambda: definitie.task.delay(run.pk))
    return run


def te_lang_melding() -> str:
    minuten = settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
    return f"Afgebroken: de taak liep langer dan de tijdslimiet van {minuten} minuten."


@shared_task(name="jobs.vastgelopen_afsluiten")
def vastgelopen_afsluiten() -> int:
    """Marks runs failed that no worker will finish: busy past the hard time limit (the worker
    killed the task, or died and the redelivery failed too), or queued for a day. Scheduled every
    few minutes (PeriodicTask of migration regio 0009); a late redelivery of such a run finds it
    finished and does nothing."""
    nu = timezone.now()
    grens = nu - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    with transaction.atomic():
        vast = Q(status=JobRun.Status.BEZIG, gestart_op__lt=grens)
        oud = Q(status=JobRun.Status.WACHTRIJ, aangemaakt_op__lt=nu - datetime.timedelta(days=1))
        runs = list(
            JobRun.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(vast | oud)
            .select_related("gestart_door")
            .order_by("pk")
        )
        bezig = JobRun.objects.filter(
            pk__in=[r.pk for r in runs if r.status == JobRun.Status.BEZIG]
        ).update(status=JobRun.Status.MISLUKT, fout=te_lang_melding(), afgerond_op=nu)
        wachtrij = JobRun.objects.filter(
            pk__in=[r.pk for r in runs if r.status == JobRun.Status.WACHTRIJ]
        ).update(
            status=JobRun.Status.MISLUKT,
            fout="Afgebroken: de taak is na een dag nog niet door een worker opgepakt.",
            afgerond_op=nu,
        )
        for run in runs:
            meld_klaar(run, JobRun.Status.MISLUKT)
    if bezig or wachtrij:
        log.warning("Vastgelopen taken afgesloten: %s bezig, %s in de wachtrij", bezig, wachtrij)
    return bezig + wachtrij
