"""A JobRun driven by a real Celery worker (thread, real Valkey broker) reports progress."""

import time

import pytest

from regio.jobs import JobContext, job, start_job
from regio.models import JobRun, Regio
from tests.factories import UserFactory, grant
from tests.wachten import wait_for

SEEN_PROGRESS = []


@job("test.stappen", "Teststappen", capability="regio.view_jobrun")
def stappen(ctx: JobContext, stappen: int, pauze: float):
    for stap in range(1, stappen + 1):
        time.sleep(pauze)
        ctx.progress(stap * 100 // stappen, f"stap {stap} van {stappen}")
    ctx.add_file("uitkomst.txt", b"klaar", "text/plain")
    return {"stappen": stappen}


@job("test.faalt", "Faalt", capability="regio.view_jobrun")
def faalt(ctx: JobContext):
    ctx.progress(30, "halverwege")
    raise ValueError("bron ontbreekt")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_jobrun_reports_progress_from_a_real_worker(celery_worker_thread):
    run = start_job("test.stappen", stappen=5, pauze=0.3)
    seen = set()

    def finished():
        current = JobRun.objects.get(pk=run.pk)
        if current.status == JobRun.Status.BEZIG:
            seen.add(current.voortgang)
        return current if current.klaar else None

    done = wait_for(finished)
    assert done.status == JobRun.Status.GEREED
    assert done.voortgang == 100 and done.resultaat == {"stappen": 5}
    assert done.gestart_op and done.afgerond_op and done.celery_task_id
    assert len(seen - {0, 100}) >= 2, f"intermediate progress not observed: {seen}"
    assert [b.naam for b in done.bestanden.all()] == ["uitkomst.txt"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_failing_job_is_marked_mislukt_with_error(celery_worker_thread):
    run = start_job("test.faalt")
    done = wait_for(lambda: (r := JobRun.objects.get(pk=run.pk)).klaar and r)
    assert done.status == JobRun.Status.MISLUKT
    assert "bron ontbreekt" in done.fout and done.voortgang == 30


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_ledenoverzicht_from_the_ui_with_status_and_download(client, refdata, celery_worker_thread):
    user = UserFactory(username="risb-job")
    grant(user, "contractmanager", regio="amersfoort")
    client.force_login(user)
    response = client.post("/regio/amersfoort/ledenoverzicht/")
    run = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/taken/{run.pk}/"
    assert run.regio == Regio.objects.get(code="amersfoort") and run.gestart_door == user
    status = wait_for(lambda: (s := client.get(f"/taken/{run.pk}/status/").json())["klaar"] and s)
    assert status["status"] == "gereed" and status["voortgang"] == 100
    # The regio page lists the job by what it does, not by its key.
    regio_pagina = client.get("/regio/amersfoort/").content.decode()
    assert run.naam in regio_pagina and run.naam != run.soort
    assert f"{run.soort} —" not in regio_pagina
    download = client.get(status["bestanden"][0]["url"])
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "0342;Soest" in body and "0345;Veenendaal;;31-12-2021" in body  # dd-mm-jjjj
    # Another regio's user neither sees the run nor downloads its file.
    other = UserFactory(username="risb-gron")
    grant(other, "contractmanager", regio="groningen")
    client.force_login(other)
    assert client.get(f"/taken/{run.pk}/status/").status_code == 404
    assert client.get(status["bestanden"][0]["url"]).status_code == 404
    assert client.post("/regio/amersfoort/ledenoverzicht/").status_code == 404


@pytest.mark.django_db
def test_finished_run_is_not_run_again():
    """acks_late may redeliver a task; a finished run stays as it was."""
    run = JobRun.objects.create(
        soort="test.stappen",
        status=JobRun.Status.GEREED,
        voortgang=100,
        parameters={"stappen": 1, "pauze": 0},
    )
    stappen.definitie.task.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == JobRun.Status.GEREED and not run.bestanden.exists()


@pytest.mark.django_db
def test_job_reads_through_the_starters_scope(refdata):
    from regio.jobs import JobContext

    amersfoort, groningen = (
        Regio.objects.get(code="amersfoort"),
        Regio.objects.get(code="groningen"),
    )
    user = UserFactory(username="risb-scope")
    grant(user, "contractmanager", regio="amersfoort")
    started = JobContext(JobRun.objects.create(soort="x", gestart_door=user))
    assert list(started.scoped(Regio, "regio.view_regio")) == [amersfoort]
    # A scheduled run (no starter) is confined to its own regio.
    scheduled = JobContext(JobRun.objects.create(soort="x", regio=groningen))
    assert list(scheduled.scoped(Regio, "regio.view_regio")) == [groningen]
    from regio.models import Gemeente

    codes = set(scheduled.scoped(Gemeente, "regio.view_gemeente").values_list("code", flat=True))
    assert "0037" in codes and "0342" not in codes


@pytest.mark.django_db
def test_a_run_stuck_past_its_time_limit_is_marked_failed_with_the_reason(client, refdata):
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from regio.jobs import vastgelopen_afsluiten
    from regio.models import JobRun, Regio

    regio = Regio.objects.get(code="amersfoort")
    user = UserFactory(username="risb-vast")
    grant(user, "contractmanager", regio="amersfoort")
    limiet = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    vast = JobRun.objects.create(soort="regio.ledenoverzicht", regio=regio, gestart_door=user)
    JobRun.objects.filter(pk=vast.pk).update(
        status="bezig", gestart_op=timezone.now() - limiet - datetime.timedelta(minutes=5)
    )
    nog_binnen = JobRun.objects.create(soort="regio.ledenoverzicht", regio=regio)
    JobRun.objects.filter(pk=nog_binnen.pk).update(
        status="bezig", gestart_op=timezone.now() - limiet + datetime.timedelta(minutes=5)
    )
    assert vastgelopen_afsluiten() == 1
    vast.refresh_from_db()
    nog_binnen.refresh_from_db()
    assert vast.status == "mislukt" and "tijdslimiet" in vast.fout and vast.afgerond_op
    assert nog_binnen.status == "bezig"
    client.force_login(user)
    status = client.get(f"/taken/{vast.pk}/status/").json()
    assert status["status"] == "mislukt" and "tijdslimiet" in status["fout"]
