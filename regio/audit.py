"""The audit log: one place that writes it (BIO 8.15).

Who did what to which object, with result, origin and time; never a BSN or a secret. The view,
viewset and admin mixins call ``record`` for reads of personal data (one row per request listing
the objects shown) and for every change; login and failed login come from the auth signals. The
table is append-only: a database trigger refuses UPDATE and DELETE, and ``regio.audit_seal``
seals the rows into a hash chain afterwards.

Each row also lists the pseudonymous keys (``toegang.Client``) of the persons the objects belong
to, so the privacy officer can ask "who looked at this client" without a BSN in the log.
``CLIENT_PATHS`` says per model how to reach that key; a test fails when a model with personal
data is missing from it.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import ValidationError

_current_request: ContextVar = ContextVar("regiozorg_audit_request", default=None)
_current_clients: ContextVar = ContextVar("regiozorg_audit_clients", default=())

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


@cache
def _proxies(instelling: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in instelling)


def _vertrouwd(adres, proxies) -> bool:
    return any(adres in netwerk for netwerk in proxies)


def client_ip(request) -> str | None:
    """Where a request came from: REMOTE_ADDR, unless that is one of our own reverse proxies
    (``REGIOZORG_TRUSTED_PROXIES``); then the X-Forwarded-For hops are read from the right, past
    our proxies, up to the first address that is not ours: the client as our outermost proxy saw
    it. Hops further left are whatever the client claimed; from anyone else the header is
    ignored, or a client could forge its origin in the audit log and dodge the login lock, which
    counts per address."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = _proxies(tuple(settings.REGIOZORG_TRUSTED_PROXIES))
    try:
        adres = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if not _vertrouwd(adres, proxies):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            adres = ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage our proxy passed on: the last address we can vouch for
        if not _vertrouwd(adres, proxies):
            break
    return str(adres)


def scrub(text: str) -> str:
    """Mask anything shaped like a BSN (9 digits) before it reaches the audit log."""
    return _DIGITS9.sub("*********", text or "")


def object_label(obj_or_model) -> str:
    meta = obj_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


# Model label → lookup path from that model to the pseudonymous client key (``toegang.Client``'s
# primary key). "pk": the object's key *is* the client's. A path through a reverse relation lists
# every client under the object (a declaratie, a vernietigingslijst).
CLIENT_PATHS: dict[str, str] = {
    "toegang.client": "pk",
    "toegang.persoon": "pk",
    "toegang.dossier": "client_id",
    "toegang.dossieruserobjectpermission": "content_object__client_id",
    "toegang.dossiergroupobjectpermission": "content_object__client_id",
    "toegang.adres": "persoon_id",
    "toegang.relatie": "persoon_id",
    "toegang.melding": "dossier__client_id",
    "toegang.aanvraag": "dossier__client_id",
    "toegang.opschorting": "dossier__client_id",
    "toegang.document": "dossier__client_id",
    "toegang.beschikking": "dossier__client_id",
    "toegang.beschiktproduct": "client_id",
    "toegang.bezwaar": "dossier__client_id",
    "toegang.verzuimherstel": "dossier__client_id",
    "toegang.bezwaaruitstel": "dossier__client_id",
    "toegang.toewijzing": "beschikt_product__client_id",
    "toegang.aanmelding": "client_id",
    "toegang.wachtlijstgebeurtenis": "client_id",
    "toegang.plaatsing": "aanmelding__client_id",
    "toegang.zorgbeweging": "client_id",
    "toegang.trajectplan": "plaatsing__aanmelding__client_id",
    "toegang.trajectdoel": "trajectplan__plaatsing__aanmelding__client_id",
    "toegang.evaluatie": "trajectplan__plaatsing__aanmelding__client_id",
    "toegang.wachtstatusbericht": "aanmelding__client_id",
    "toegang.zorgperiode": "toewijzing__beschikt_product__client_id",
    "toegang.verzoek": "dossier__client_id",
    "toegang.declaratie": "regels__toewijzing__beschikt_product__client_id",
    "toegang.declaratieregel": "toewijzing__beschikt_product__client_id",
    "toegang.uitgaandbericht": "client_id",
    "toegang.verwijderverzoek": "client_id",
    "toegang.vernietigingslijst": "regels__dossier__client_id",
    "toegang.vernietigingsregel": "dossier__client_id",
    "financien.kostenregel": "client_id",
    "financien.eerstebwstart": "pk",
}

# Models that hold no data of a person (checked by the same test: say so, or give a path).
# An IngediendBericht keeps a message's retour: codes, toewijzing numbers and the header, by
# design no BSN or name (toegang.toewijzingen.retour); the care it reports is reached through
# the toewijzing's own rows, which are audited per client.
GEEN_CLIENT: frozenset[str] = frozenset(
    {"toegang.toewijzingnummerreeks", "toegang.brieftekst", "toegang.ingediendbericht"}
)


def _as_pk(model, value):
    try:
        return model._meta.pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return None


def _as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def clients_of(object_type: str, object_ids=(), objects=()) -> list[uuid.UUID]:
    """The client keys of the objects: read from the objects where the path is one attribute,
    else one values_list query over the primary keys. Unknown types and bad ids give nothing."""
    path = CLIENT_PATHS.get(object_type)
    if not path or not (objects or object_ids):
        return []
    if path == "pk" and not objects:
        found = {_as_uuid(i) for i in object_ids}
    elif objects and "__" not in path:
        found = {_as_uuid(o.pk if path == "pk" else getattr(o, path, None)) for o in objects}
    else:
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            return []
        pks = {_as_pk(model, o.pk) for o in objects} or {_as_pk(model, i) for i in object_ids}
        pks.discard(None)
        if not pks:
            return []
        rows = model._base_manager.filter(pk__in=pks).values_list(path, flat=True).distinct()
        found = {_as_uuid(c) for c in rows}
    found.discard(None)
    return sorted(found)


@contextmanager
def voor_clienten(client_ids):
    """Rows recorded inside this block that name no client of their own name these (e.g. the
    export row that ``regio.exports.export_response`` writes for a list of one client)."""
    token = _current_clients.set(tuple(client_ids))
    try:
        yield
    finally:
        _current_clients.reset(token)


def record(
    actie: str,
    *,
    objects=(),
    object_type: str = "",
    object_ids=None,
    client_ids=None,
    resultaat: str = "ok",
    actor=None,
    request=None,
    toelichting: dict | None = None,
):
    from regio.models import AuditEntry

    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    objects = list(objects)
    if objects and not object_type:
        object_type = object_label(objects[0])
    ids = [str(o.pk) for o in objects] if object_ids is None else [str(i) for i in object_ids]
    if client_ids is None:
        client_ids = clients_of(object_type, ids, objects if object_ids is None else ())
        client_ids = client_ids or sorted({c for c in map(_as_uuid, _current_clients.get()) if c})
    else:
        client_ids = sorted({c for c in map(_as_uuid, client_ids) if c is not None})
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
        client_ids=client_ids,
    )


# --- who did it, by name -------------------------------------------------------------------------


def met_namen(regels, *, getypt: bool = False) -> list:
    """Names the person of each audit row as colleagues know them (``User.naam``, never the
    username), with one query for all rows: ``regel.door`` is the name of the user ``actor_id``
    points at; for a user deleted since, the username the row recorded then; "" for the system.
    With ``getypt``, a failed login (no actor) is named by the username that was typed when it
    is a user's, else by what was typed."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    regels = list(regels)
    ids = {r.actor_id for r in regels if r.actor_id}
    getypte = set()
    if getypt:
        getypte = {r.toelichting.get("gebruikersnaam") for r in regels if not r.actor_id}
        getypte -= {None, ""}
    users = (
        list(get_user_model().objects.filter(Q(pk__in=ids) | Q(username__in=getypte)))
        if ids or getypte
        else []
    )
    per_id = {u.pk: u.naam for u in users}
    per_gebruikersnaam = {u.username: u.naam for u in users}
    for regel in regels:
        if regel.actor_id:
            regel.door = per_id.get(regel.actor_id) or regel.actor
        elif getypt:
            typed = regel.toelichting.get("gebruikersnaam", "")
            regel.door = per_gebruikersnaam.get(typed, typed)
        else:
            regel.door = regel.actor
    return regels


def actor_naam():
    """The actor of an audit row by name, as an SQL expression to search and sort on: the full
    name of the user ``actor_id`` points at, else the username the row recorded."""
    from django.contrib.auth import get_user_model
    from django.db.models import CharField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce, Concat, NullIf, Trim

    naam = (
        get_user_model()
        .objects.filter(pk=OuterRef("actor_id"))
        .annotate(n=NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")))
        .values("n")[:1]
    )
    return Coalesce(Subquery(naam), "actor", output_field=CharField())


def _on_login(sender, request, user, **kwargs):
    record("login", actor=user, request=request, object_type="regio.user", object_ids=[user.pk])


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, request=request)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (masked if it looks like a BSN); the password never. A
    # refusal without a username (the OIDC callback) is recorded by regio.oidc with its reason.
    if "username" not in credentials:
        return
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
