"""Two Celery queues, each with its own workers: what someone waits for ("interactive") never
waits behind a long verevening or monthly report ("batch"). Every task is routed to one of them
(tests/test_deployment.py and tests/test_kubernetes.py show each queue has its own workers)."""

from config.celery import app


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
