"""Logs operators can follow: every line of one request carries its request id, also in the Celery
tasks that request started, and in production each line is one JSON object. No log line holds a
BSN: anything shaped like one is masked before it is written, whatever logged it.

- ``RequestIdMiddleware``: the request id (a sane ``X-Request-ID`` from the proxy, else a new one)
  for the request's lines, and back in the response's ``X-Request-ID``;
- ``RequestIdFilter``: puts ``request_id`` on every record and masks BSNs (on the handler, so it
  sees the lines of every logger);
- ``JsonFormatter``: ``{"tijd", "niveau", "logger", "bericht", "request_id"[, "fout"]}``;
- two Celery signals carry the id from the request that queues a task into the task's lines.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

from regio.audit import scrub

_request_id: ContextVar[str | None] = ContextVar("regiozorg_request_id", default=None)
_GELDIG = re.compile(r"[A-Za-z0-9._-]{8,64}")
HEADER = "request_id"


def huidige_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        gegeven = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = gegeven if _GELDIG.fullmatch(gegeven) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        bericht = record.getMessage()
        veilig = scrub(bericht)
        if veilig != bericht:
            record.msg, record.args = veilig, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        regel = {
            "tijd": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "niveau": record.levelname,
            "logger": record.name,
            "bericht": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get() or "-",
        }
        if record.exc_info:
            regel["fout"] = scrub(self.formatException(record.exc_info))
        return json.dumps(regel, ensure_ascii=False)


@before_task_publish.connect
def _geef_mee(headers=None, **kwargs):
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


@task_prerun.connect
def _neem_over(task=None, **kwargs):
    request_id = getattr(task.request, HEADER, None) if task is not None else None
    task.request._regiozorg_token = _request_id.set(request_id or uuid.uuid4().hex)


@task_postrun.connect
def _ruim_op(task=None, **kwargs):
    token = getattr(task.request, "_regiozorg_token", None) if task is not None else None
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context (an eager task): leave it
            pass
