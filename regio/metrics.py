"""Prometheus metrics at ``/metrics``: requests by view and status with their latency, database
queries per request, Celery tasks by name and state, and the length of each Celery queue.

Labels hold only view names, methods, status codes, task names and queue names: never a path
(which can hold a BSN or an id), a user or a client. Behind gunicorn (several processes) and in a
Celery worker (prefork), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per pod: every
process writes its counts there and ``/metrics`` adds them up (prometheus_client's multiprocess
mode). A worker pod shows its own at ``REGIOZORG_WORKER_METRICS_PORT`` (README: Metrics).

``/metrics`` answers only with the bearer token ``REGIOZORG_METRICS_TOKEN``, or without it to a
request straight from an address in ``REGIOZORG_METRICS_NETWERKEN`` (default: this machine)
that did not come through a proxy; anyone else gets a 404, as for a page that does not exist."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from celery.signals import task_failure, task_postrun, task_prerun, task_retry, worker_ready
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

from regio.mixins import unscoped

VERZOEKEN = Counter(
    "regiozorg_http_requests",
    "HTTP requests by view, method and status",
    ["view", "method", "status"],
)
DUUR = Histogram(
    "regiozorg_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERIES = Counter("regiozorg_db_queries", "Database queries, by view", ["view"])
QUERY_TIJD = Counter(
    "regiozorg_db_query_seconds", "Time spent in database queries (sent and answered), by view",
    ["view"],
)  # fmt: skip
TAKEN = Counter("regiozorg_celery_tasks", "Celery tasks by name and state", ["task", "state"])

WACHTRIJEN = ("interactive", "batch")


def _view(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "onbekend") if match else "onbekend"


class MetricsMiddleware:
    """Counts every request under its view's name, with its time, its database queries and their
    time. With ``REGIOZORG_SERVER_TIMING`` on (the benchmark; off in production, where it would
    tell anyone how long the database took) the response says both in a ``Server-Timing``
    header: ``db`` the queries' time (the page's floor), ``app`` the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = [0, 0.0]  # how many, seconds

        def tel(execute, sql, params, many, context):
            begin = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries[0] += 1
                queries[1] += time.perf_counter() - begin

        begin = time.perf_counter()
        with connection.execute_wrapper(tel):
            response = self.get_response(request)
        duur = time.perf_counter() - begin
        view = _view(request)
        DUUR.labels(view).observe(duur)
        VERZOEKEN.labels(view, request.method, str(response.status_code)).inc()
        if queries[0]:
            QUERIES.labels(view).inc(queries[0])
            QUERY_TIJD.labels(view).inc(queries[1])
        if settings.REGIOZORG_SERVER_TIMING:
            response["Server-Timing"] = (
                f'db;dur={queries[1] * 1000:.2f};desc="{queries[0]} queries", '
                f"app;dur={duur * 1000:.2f}"
            )
        return response


class _Wachtrijen:
    """The number of tasks waiting in each Celery queue, read from the broker at scrape time."""

    def collect(self):
        gauge = GaugeMetricFamily(
            "regiozorg_celery_queue_length", "Tasks waiting in a Celery queue", labels=["queue"]
        )
        try:
            import redis

            client = redis.Redis.from_url(
                settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
            )
            try:
                for naam in WACHTRIJEN:
                    gauge.add_metric([naam], client.llen(naam))
            finally:
                client.close()
        except Exception:  # noqa: BLE001 - a broker away must not break the scrape
            return
        yield gauge


def _register() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _mag(request) -> bool:
    token = settings.REGIOZORG_METRICS_TOKEN
    gegeven = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(gegeven.encode(), f"Bearer {token}".encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False  # through a proxy: from outside, whatever the proxy's own address
    try:
        adres = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    netwerken = settings.REGIOZORG_METRICS_NETWERKEN
    return any(adres in ipaddress.ip_network(n, strict=False) for n in netwerken)


@never_cache
@unscoped("technical counts only; no data of any gemeente, and no path or user in a label")
def metrics(request):
    if not _mag(request):
        raise Http404
    registry = _register()
    inhoud = generate_latest(registry)
    wachtrijen = CollectorRegistry()
    wachtrijen.register(_Wachtrijen())
    inhoud += generate_latest(wachtrijen)
    return HttpResponse(inhoud, content_type=CONTENT_TYPE_LATEST)


@task_prerun.connect
def _gestart(task=None, **kwargs):
    if task is not None:
        TAKEN.labels(task.name, "started").inc()


@task_postrun.connect
def _klaar(task=None, state=None, **kwargs):
    if task is not None and state == "SUCCESS":
        TAKEN.labels(task.name, "succeeded").inc()


@task_failure.connect
def _mislukt(sender=None, **kwargs):
    if sender is not None:
        TAKEN.labels(sender.name, "failed").inc()


@task_retry.connect
def _opnieuw(sender=None, **kwargs):
    if sender is not None:
        TAKEN.labels(sender.name, "retried").inc()


@worker_ready.connect
def _worker_metrics(**kwargs):
    """A worker pod shows its tasks' counts on its own port (no web server in that pod)."""
    if settings.REGIOZORG_WORKER_METRICS_PORT:
        start_http_server(settings.REGIOZORG_WORKER_METRICS_PORT, registry=_register())
