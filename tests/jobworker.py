"""A Celery worker in its own process, for the tests that kill one (tests/test_jobs_kill.py) or
keep one busy (tests/test_celery_wachtrijen.py): the project's app on the test database and
broker (from the environment ``start`` passes), on queues the session's in-thread worker never
takes a task from — its own queue, or the production queues on a broker database of its own.

``JOBWORKER_PAUZE=module:function`` (or ``module:Class.method``) makes that function, when the
job reaches it, first touch ``JOBWORKER_SIGNAAL`` and then sleep, so the test knows the job is
mid-run and kills the process (or shows what else goes on meanwhile).
``JOBWORKER_QUEUES`` (comma-separated) are the queues the worker consumes; ``QUEUE`` if unset.
Production code has no hook for this: the patch lives here.
"""

import functools
import importlib
import os
import signal
import subprocess
import sys
import time

QUEUE = "kill-test"


def start(signaal, *, pauze: str | None = None, queues=(QUEUE,), broker_url: str | None = None,
          **omgeving: str) -> subprocess.Popen:  # fmt: skip
    """Start a worker process (its own process group) on ``queues``; ``broker_url`` replaces
    the session's broker and result backend, ``omgeving`` adds environment variables."""
    from django.conf import settings
    from django.db import connection

    env = dict(
        os.environ,
        POSTGRES_DB=connection.settings_dict["NAME"],
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        JOBWORKER_SIGNAAL=str(signaal),
        JOBWORKER_QUEUES=",".join(queues),
        **omgeving,
    )
    env.pop("JOBWORKER_PAUZE", None)
    if pauze:
        env["JOBWORKER_PAUZE"] = pauze
    if broker_url:
        env["REDIS_URL"] = broker_url
    return subprocess.Popen(
        [sys.executable, "-m", "tests.jobworker"],
        cwd=settings.BASE_DIR, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(proces: subprocess.Popen, sig=signal.SIGTERM):
    """End the worker's process group (SIGKILL if it takes longer than 15 s)."""
    if proces.poll() is None:
        os.killpg(proces.pid, sig)
    try:
        proces.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proces.pid, signal.SIGKILL)
        proces.wait()


def _pauzeer(pad: str, signaal: str):
    module_naam, _, attribuut = pad.partition(":")
    eigenaar = importlib.import_module(module_naam)
    *weg, attribuut = attribuut.split(".")  # "Klasse.methode" works too
    for naam in weg:
        eigenaar = getattr(eigenaar, naam)
    origineel = getattr(eigenaar, attribuut)

    @functools.wraps(origineel)
    def traag(*args, **kwargs):
        with open(signaal, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(600)
        return origineel(*args, **kwargs)

    setattr(eigenaar, attribuut, traag)


def main():
    import django

    django.setup()
    if os.environ.get("JOBWORKER_PAUZE"):
        _pauzeer(os.environ["JOBWORKER_PAUZE"], os.environ["JOBWORKER_SIGNAAL"])
    from config.celery import app

    queues = os.environ.get("JOBWORKER_QUEUES") or QUEUE
    app.worker_main(
        ["worker", "-P", "solo", "-Q", queues, "-n", f"jobworker-{queues.replace(',', '-')}@%h",
         "-l", "warning", "--without-heartbeat", "--without-mingle", "--without-gossip"]
    )  # fmt: skip


if __name__ == "__main__":
    main()
