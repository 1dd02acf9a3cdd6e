"""Health as JSON, 200 when all is well, else 503:

- ``/health/``: database, broker and a worker ping (the operator's and compose's view);
- ``/health/live/``: the process answers (a Kubernetes liveness probe: restart only a web pod
  that hangs, never all of them because the database is away);
- ``/health/ready/``: database and broker reachable (a readiness probe: take a pod out of the
  load balancer while it cannot serve; a worker being away does not make a web pod unready)."""

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from regio.mixins import unscoped


def _check(fn):
    started = time.monotonic()
    try:
        detail = fn()
        return {"ok": True, "ms": round((time.monotonic() - started) * 1000), **(detail or {})}
    except Exception as exc:  # a health check reports every failure, whatever its kind
        return {"ok": False, "error": type(exc).__name__, "detail": str(exc)[:200]}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker():
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()


def _worker():
    # The project's Celery app (config.celery), which config/__init__.py makes the current one.
    from celery import current_app

    replies = current_app.control.ping(timeout=1.0)
    if not replies:
        raise RuntimeError("geen worker antwoordde op ping")
    return {"workers": sorted(name for reply in replies for name in reply)}


def _antwoord(checks: dict) -> JsonResponse:
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fout", "checks": checks}, status=200 if healthy else 503
    )


@never_cache
@unscoped("technical status only; no data of any gemeente")
def health(request):
    checks = {"database": _check(_database), "broker": _check(_broker)}
    checks["worker"] = (
        _check(_worker) if checks["broker"]["ok"] else {"ok": False, "error": "broker down"}
    )
    return _antwoord(checks)


@never_cache
@unscoped("technical status only; no data of any gemeente")
def live(request):
    return _antwoord({})


@never_cache
@unscoped("technical status only; no data of any gemeente")
def ready(request):
    return _antwoord({"database": _check(_database), "broker": _check(_broker)})


class SondeMiddleware:
    """Answers the Kubernetes probes before anything else: the kubelet calls the pod's own
    address over plain HTTP, which ALLOWED_HOSTS and the HTTPS redirect would refuse, and a
    probe needs no session. Only these two paths; everything else passes on."""

    PADEN = {"/health/live/": live, "/health/ready/": ready}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sonde = self.PADEN.get(request.path_info)
        if sonde is not None and request.method in ("GET", "HEAD"):
            return sonde(request)
        return self.get_response(request)
