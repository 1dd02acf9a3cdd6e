"""Test services: a throw-away PostgreSQL cluster and Valkey server per pytest session, a real
Celery worker (thread, the project's app and broker) for the tests that need one, and Debian's
Chromium for Playwright."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; Django must allow DB calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_services = {}


def _xdist_controller(config):
    """The pytest-xdist controller only hands out tests; its workers each start their own
    services (a cluster and a broker per worker keeps them as isolated as a serial run)."""
    return not hasattr(config, "workerinput") and bool(config.getoption("numprocesses", None))


def pytest_configure(config):
    if _xdist_controller(config):
        return
    from django.conf import settings

    from config.embedded import free_port, start_postgres, start_valkey

    base = Path(tempfile.mkdtemp(prefix="regiozorg-test-"))
    _services["base"] = base
    pg = start_postgres(base / "pg", cleanup_mode="delete")
    _services["pg"] = pg
    port = free_port()
    _services["valkey"] = start_valkey(port, base / "valkey")
    url = f"redis://127.0.0.1:{port}/0"

    settings.DATABASES["default"].update(HOST=pg.host, PORT=str(pg.port), NAME="regiozorg")
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = settings.REDIS_URL = url
    settings.MEDIA_ROOT = base / "media"
    os.environ.update(POSTGRES_HOST=pg.host, POSTGRES_PORT=str(pg.port), REDIS_URL=url)

    from config.celery import app

    app.conf.update(broker_url=url, result_backend=url)


@pytest.hookimpl(trylast=True)  # after pytest-django's order (database tests, transactional ones)
def pytest_collection_modifyitems(config, items):
    """The slow tests (marker ``slow(seconds)``) first, the slowest first, each followed by a
    quick one. ``make test`` hands the workers one test at a time in this order (``--dist load
    --maxschedchunk 1``; a worker holds the test it runs and the next): no long test waits
    behind another, and no worker ends the run alone on one while the others sit idle."""
    slow = sorted(
        (item for item in items if item.get_closest_marker("slow")),
        key=lambda item: -item.get_closest_marker("slow").args[0],
    )
    if not slow:
        return
    quick = iter([item for item in items if not item.get_closest_marker("slow")])
    ordered = []
    for item in slow:
        ordered.append(item)
        if (volgende := next(quick, None)) is not None:
            ordered.append(volgende)
    items[:] = ordered + list(quick)


def pytest_unconfigure(config):
    valkey = _services.pop("valkey", None)
    if valkey is not None:
        valkey.terminate()
        valkey.wait(timeout=10)
    pg = _services.pop("pg", None)
    if pg is not None:
        pg.stop()
    base = _services.pop("base", None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def refdata(db):
    """Gemeenten, regio's and lidmaatschappen from regio/data (transactional tests flush them)."""
    from regio import referentiedata
    from regio.models import Regio

    if not Regio.objects.exists():
        referentiedata.load()


@pytest.fixture(scope="session")
def celery_worker_thread():
    """A real Celery worker in a thread: the project's app, the real Valkey broker. Tests that
    use it must be ``django_db(transaction=True)``: the worker only sees committed rows."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10,
        queues=["interactive", "batch"],
    ):  # fmt: skip
        yield app


def _beat_modellen():
    from django.apps import apps

    return list(apps.get_app_config("django_celery_beat").get_models())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, and a copy of the beat schedule its data migrations wrote: a
    transactional test flushes every table, and tests run in no fixed order per worker
    (``make test`` hands them out one at a time), so ``beat_schema`` puts it back."""
    from django.core import serializers

    with django_db_blocker.unblock():
        rijen = [rij for model in _beat_modellen() for rij in model.objects.order_by("pk")]
        _services["beat"] = serializers.serialize("json", rijen)


@pytest.fixture
def beat_schema(db):
    """The beat schedule as ``migrate`` wrote it (the periodic tasks the data migrations plan),
    also after a transactional test in this worker flushed it."""
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection
    from django_celery_beat.models import PeriodicTask

    if PeriodicTask.objects.exists():
        return
    for rij in serializers.deserialize("json", _services["beat"]):
        rij.save()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), _beat_modellen()):
            cursor.execute(sql)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
