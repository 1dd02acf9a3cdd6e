"""A Celery worker in its own process for the kill-the-worker tests (tests/test_jobs_kill.py):
the project's app on the test database and broker (from the environment the test passes), on
its own queue so the session's in-thread worker never takes the task.

``JOBWORKER_PAUZE=module:function`` (or ``module:Class.method``) makes that function, when the
job reaches it, first touch ``JOBWORKER_SIGNAAL`` and then sleep, so the test knows the job is
mid-run and kills the process.
Production code has no hook for this: the patch lives here.
"""

import functools
import importlib
import os
import time

QUEUE = "kill-test"


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

    app.worker_main(
        ["worker", "-P", "solo", "-Q", QUEUE, "-l", "warning",
         "--without-heartbeat", "--without-mingle", "--without-gossip"]
    )  # fmt: skip


if __name__ == "__main__":
    main()
