"""Two Celery queues, each with its own workers: what someone waits for ("interactive") never
waits behind a long verevening or monthly report ("batch"). Every task is routed to one of them
(tests/test_deployment.py and tests/test_kubernetes.py show each queue has its own workers), and
with one worker per queue the small jobs (an export, the notification digest) finish while a
long one is still running.

The workers of that last test are processes of their own (tests/jobworker.py): celery's
in-process test worker would stop the session's worker too. They consume the production queues
on a broker database of their own, which the session's worker does not read, and the test sends
the tasks there without naming a queue, so the production routes decide.
"""

import json
import signal

import pytest
import redis
from django.conf import settings

from config.celery import app
from regio.jobs import JOBS
from regio.models import JobRun
from tests import jobworker
from tests.factories import UserFactory
from tests.test_jobs_kill import ledenoverzicht, verevening
from tests.wachten import wait_for


def wachtrij(naam: str) -> str:
    return app.amqp.router.route({}, naam)["queue"].name


INTERACTIEVE_JOBS = {"jobs.regio.ledenoverzicht", "jobs.vastgelopen_afsluiten"}


def verwacht(naam: str) -> str:
    if naam.startswith("jobs."):
        return "interactive" if naam in INTERACTIEVE_JOBS else "batch"
    return "batch" if naam.startswith(("toegang.", "financien.")) else "interactive"


def test_every_task_has_its_queue():
    app.loader.import_default_modules()
    eigen = {n for n in app.tasks if not n.startswith(("celery.", "test."))}
    assert len(eigen) > 15
    assert {n: wachtrij(n) for n in eigen} == {n: verwacht(n) for n in eigen}
    assert wachtrij("jobs.financien.verevening") == "batch"
    assert wachtrij("jobs.toegang.wachtlijstrapport") == "batch"
    assert wachtrij("jobs.regio.ledenoverzicht") == "interactive"
    assert wachtrij("audit.verzegelen") == "interactive"
    assert wachtrij("regio.notificaties_samenvatting") == "interactive"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_small_job_finishes_while_a_long_batch_job_runs(refdata, tmp_path):
    app.loader.import_default_modules()
    user = UserFactory(username="wachtrijen")
    regio, lang_parameters = verevening(user)
    _, klein_parameters = ledenoverzicht(user)
    lang = JobRun.objects.create(
        soort="financien.verevening", parameters=lang_parameters, regio=regio, gestart_door=user
    )
    klein = JobRun.objects.create(
        soort="regio.ledenoverzicht", parameters=klein_parameters, regio=regio, gestart_door=user
    )
    # The session's broker is database 0 of the test Valkey; these workers get one of their own.
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/1"
    signaal = tmp_path / "gepauzeerd"
    mail = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    workers = [
        jobworker.start(signaal, queues=["batch"], broker_url=broker,
                        pauze="financien.runs:regio_gemeenten", **mail),
    ]  # fmt: skip
    try:
        with app.connection_for_write(broker) as verbinding:
            JOBS["financien.verevening"].task.apply_async((lang.pk,), connection=verbinding)
            wait_for(signaal.exists, timeout=60)  # mid-run, and it stays there

            JOBS["regio.ledenoverzicht"].task.apply_async((klein.pk,), connection=verbinding)
            samenvatting = app.tasks["regio.notificaties_samenvatting"].apply_async(
                connection=verbinding
            )
        # Only the batch worker runs, and it is busy: the small jobs wait in their own queue.
        wachtrijen = redis.Redis.from_url(broker)
        assert wachtrijen.llen("interactive") == 2
        assert JobRun.objects.get(pk=klein.pk).status == JobRun.Status.WACHTRIJ

        workers.append(jobworker.start(signaal, queues=["interactive"], broker_url=broker, **mail))
        wait_for(lambda: JobRun.objects.get(pk=klein.pk).klaar, timeout=60)
        klein.refresh_from_db()
        assert klein.status == JobRun.Status.GEREED, klein.fout
        assert klein.bestanden.get().naam == "ledenoverzicht.csv"
        # The notification digest too (its result in the workers' result backend).
        uitkomst = wait_for(lambda: wachtrijen.get(f"celery-task-meta-{samenvatting.id}"), 60)
        assert json.loads(uitkomst)["status"] == "SUCCESS"

        lang.refresh_from_db()
        assert lang.status == JobRun.Status.BEZIG and workers[0].poll() is None
    finally:
        for proces in workers:
            jobworker.stop(proces, signal.SIGKILL)
        redis.Redis.from_url(broker).flushdb()
