"""Two Celery queues, each with its own workers: what someone waits for ("interactive") never
waits behind a long verevening or monthly report ("batch")."""

import threading

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker

from config.celery import app

GESTART = threading.Event()
LOSLATEN = threading.Event()


@shared_task(name="jobs.test.wachtrij_lang")
def lang_werk():
    """Stands for a verevening: runs until the test lets it go."""
    GESTART.set()
    LOSLATEN.wait(60)
    return "lang klaar"


@shared_task(name="test.wachtrij_kort")
def kort_werk():
    return "kort klaar"


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
def test_a_small_task_finishes_while_a_long_batch_job_runs():
    GESTART.clear()
    LOSLATEN.clear()
    with (
        start_worker(app, pool="solo", perform_ping_check=False, queues=["batch"]),
        start_worker(app, pool="solo", perform_ping_check=False, queues=["interactive"]),
    ):
        lang = lang_werk.delay()
        try:
            assert GESTART.wait(30), "the batch worker did not take the long job"
            kort = kort_werk.delay()
            assert kort.get(timeout=30) == "kort klaar"
            assert not lang.ready()  # the long one is still running
        finally:
            LOSLATEN.set()
        assert lang.get(timeout=30) == "lang klaar"
