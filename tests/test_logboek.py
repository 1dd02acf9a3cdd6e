"""Logs operators can follow (regio/logboek.py): one request id on every line of a request and
of the tasks it queues, JSON lines in production, and never a BSN in a line."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.http import HttpResponse

from regio.logboek import JsonFormatter, RequestIdFilter, RequestIdMiddleware, huidige_request_id
from tests.omgeving import subprocess_omgeving

ROOT = Path(__file__).resolve().parents[1]


@shared_task(name="test.logboek_request_id")
def request_id_in_taak():
    logging.getLogger("regiozorg.test").warning("in de taak")
    return huidige_request_id()


class Opvanger(logging.Handler):
    def __init__(self):
        super().__init__()
        self.regels = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        self.regels.append(json.loads(self.format(record)))


@pytest.fixture
def opvanger():
    handler = Opvanger()
    logger = logging.getLogger("regiozorg.test")
    # Whatever another test or a worker's logging setup left behind: this logger writes.
    vorig = (logger.level, logger.disabled, logging.root.manager.disable)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    logging.disable(logging.NOTSET)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(vorig[0])
    logger.disabled = vorig[1]
    logging.disable(vorig[2])


def test_every_line_of_a_request_carries_its_id_and_no_bsn(rf, opvanger):
    def view(request):
        logging.getLogger("regiozorg.test").warning("Zoek op BSN %s mislukt", "123456782")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(rf.get("/"))
    (regel,) = opvanger.regels
    assert regel["request_id"] == response["X-Request-ID"] and len(regel["request_id"]) == 32
    assert "123456782" not in json.dumps(regel) and "*********" in regel["bericht"]
    assert {"tijd", "niveau", "logger", "bericht"} <= regel.keys()
    # The proxy's id is kept when it is sane, replaced when it is not.
    eigen = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c21"))
    assert eigen["X-Request-ID"] == "lb-7f3a9c21" == opvanger.regels[-1]["request_id"]
    vreemd = RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="<script>\n"))
    assert vreemd["X-Request-ID"] != "<script>\n"
    assert huidige_request_id() is None  # nothing leaks into the next request


@pytest.mark.worker
def test_a_task_queued_by_a_request_logs_with_the_requests_id(rf, celery_worker_thread):
    def view(request):
        resultaat = request_id_in_taak.delay()
        return HttpResponse(resultaat.get(timeout=30))

    response = RequestIdMiddleware(view)(rf.get("/"))
    assert response.content.decode() == response["X-Request-ID"]


def test_production_logs_are_json():
    script = (
        "import os, logging; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; "
        "import django; django.setup(); "
        "logging.getLogger('regiozorg').warning('BSN 123456782 gezocht')"
    )
    env = subprocess_omgeving()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    regel = json.loads(result.stderr.strip().splitlines()[-1])
    assert regel["niveau"] == "WARNING" and regel["request_id"] == "-"
    assert regel["bericht"] == "BSN ********* gezocht"
