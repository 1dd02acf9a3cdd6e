"""The audit log: one place that writes it (BIO 8.15).

Who did what to which object, with result, origin and time; never a BSN or a secret. The view,
viewset and admin mixins call ``record`` for reads of personal data (one row per request listing
the objects shown) and for every change; login and failed login come from the auth signals. The
table is append-only: a database trigger refuses UPDATE and DELETE.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from django.contrib.auth import signals as auth_signals

_current_request: ContextVar = ContextVar("regiozorg_audit_request", default=None)

_DIGITS9 = re.compile(r"\b\d{9}\b")


class AuditContextMiddleware:
    """Makes the current request (actor and origin) available to ``record`` anywhere below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the reverse proxy of the deployment, the first hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR") or None


def scrub(text: str) -> str:
    """Mask anything shaped like a BSN (9 digits) before it reaches the audit log."""
    return _DIGITS9.sub("*********", text or "")


def object_label(obj_or_model) -> str:
    meta = obj_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def record(
    actie: str,
    *,
    objects=(),
    object_type: str = "",
    object_ids=None,
    resultaat: str = "ok",
    actor=None,
    request=None,
    toelichting: dict | None = None,
):
    from .models import AuditEntry

    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    objects = list(objects)
    if objects and not object_type:
        object_type = object_label(objects[0])
    ids = [str(o.pk) for o in objects] if object_ids is None else [str(i) for i in object_ids]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actie=actie,
        actor_id=actor.pk if authenticated else None,
        actor=scrub(actor.get_username()) if authenticated else "",
        object_type=object_type,
        object_ids=ids,
        resultaat=resultaat,
        herkomst=client_ip(request),
        pad=scrub(request.path)[:300] if request is not None else "",
        toelichting=toelichting or {},
    )


def _on_login(sender, request, user, **kwargs):
    record("login", actor=user, request=request, object_type="regio.user", object_ids=[user.pk])


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, request=request)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (masked if it looks like a BSN); the password never.
    username = scrub(str(credentials.get("username", "")))[:150]
    record(
        "login_failed",
        request=request,
        resultaat="denied",
        toelichting={"gebruikersnaam": username},
    )


def connect_auth_signals():
    auth_signals.user_logged_in.connect(_on_login, dispatch_uid="regiozorg_audit_login")
    auth_signals.user_logged_out.connect(_on_logout, dispatch_uid="regiozorg_audit_logout")
    auth_signals.user_login_failed.connect(
        _on_login_failed, dispatch_uid="regiozorg_audit_login_failed"
    )
