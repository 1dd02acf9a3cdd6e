"""Every URL pattern of the project (from the resolver), and the ONE table that fills its kwargs
with the objects of a side of the world. A pattern whose kwarg or view the table cannot map is
unclassified: the matrix fails on it, so a new URL cannot slip by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from tests.isolation.world import JAAR, Side


class Unclassified(Exception):
    pass


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as the resolver joins it
    name: str  # the url name ("" when unnamed)
    callback: object

    @property
    def kwargs(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def model_admin(self):
        admin = getattr(self.callback, "model_admin", None)
        if admin is not None:
            return admin
        owner = getattr(self.callback, "__self__", None) or getattr(
            getattr(self.callback, "__wrapped__", None), "__self__", None
        )
        return owner if hasattr(owner, "model") and hasattr(owner, "admin_site") else None

    @property
    def model(self):
        if self.model_admin is not None:
            return self.model_admin.model
        view_class = self.view_class
        for attr in ("model", "queryset"):
            value = getattr(view_class, attr, None) if view_class else None
            if value is not None:
                return value if isinstance(value, type) else value.model
        return None

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("beheer/")

    @property
    def accepts_post(self) -> bool:
        """POST is tried on views that define a writing method; in the admin on the add,
        change, delete and password forms. Never on a logout (it would end the shared
        session of the role's client)."""
        if "logout" in self.name:
            return False
        if self.is_admin:
            return self.name.endswith(("_add", "_change", "_delete", "_password_change"))
        actions = getattr(self.callback, "actions", None)
        if actions is not None:  # a DRF viewset route
            return bool({"post", "put", "patch", "delete"} & set(actions))
        view_class = self.view_class
        if view_class is None:
            return False
        return any(hasattr(view_class, m) for m in ("post", "put", "patch", "delete"))

    def __str__(self):
        return self.route


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), namespace)
        elif isinstance(pattern, URLPattern):
            yield Route(prefix + str(pattern.pattern), pattern.name or "", pattern.callback)


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


# --- THE table ------------------------------------------------------------------------------
# pk / object_id of a view (or ModelAdmin) over model label -> the world object of that kind.
MODEL_OBJECTS = {
    "regio.Regio": "regio",
    "regio.Gemeente": "gemeente",
    "regio.Lidmaatschap": "lidmaatschap",
    "regio.User": "actor-ct",
    "regio.Roltoekenning": "roltoekenning",
    "regio.JobRun": "jobrun",
    "toegang.Client": "client",
    "toegang.Dossier": "dossier",
    "toegang.Melding": "melding",
    "toegang.Aanvraag": "aanvraag",
    "toegang.Document": "document",
    "toegang.Beschikking": "beschikking",
    "toegang.BeschiktProduct": "beschiktproduct",
    "toegang.Bezwaar": "bezwaar",
    "toegang.Toewijzing": "toewijzing",
    "toegang.Zorgperiode": "zorgperiode",
    "toegang.Verzoek": "verzoek",
    "toegang.Declaratie": "declaratie",
    "toegang.IngediendBericht": "ingediendbericht",
    "toegang.Aanmelding": "aanmelding",
    "toegang.Plaatsing": "plaatsing",
    "toegang.Trajectplan": "trajectplan",
    "toegang.Trajectdoel": "trajectdoel",
    "toegang.Evaluatie": "evaluatie",
    "toegang.Wachtstatusbericht": "wachtstatusbericht",
    "toegang.Verwijderverzoek": "verwijderverzoek",
    "toegang.Vernietigingslijst": "vernietigingslijst",
    "toegang.Vernietigingsregel": "vernietigingsregel",
    "inkoop.Aanbieder": "aanbieder",
    "inkoop.Perceel": "perceel",
    "inkoop.Product": "product",
    "inkoop.Contract": "contract",
    "inkoop.Locatie": "locatie",
    "inkoop.Capaciteit": "capaciteit",
    "inkoop.Certificaat": "certificaat",
    "inkoop.Melding": "inkoopmelding",
    "inkoop.Onderaanneming": "onderaanneming",
    "inkoop.Rapportage": "rapportage",
    "inkoop.Rapportageopmerking": "rapportageopmerking",
    "inkoop.Kwaliteitssignaal": "kwaliteitssignaal",
    "inkoop.ApiSleutel": "apisleutel",
    "financien.Verdeelmodel": "verdeelmodel",
    "financien.Jaarparameters": "jaarparameters",
    "financien.Vereveningsrun": "vereveningsrun",
    "otp_totp.TOTPDevice": "totpdevice",
    "otp_static.StaticDevice": "staticdevice",
}
# Global tables without any gemeente, regio or aanbieder (superuser-only admins): no foreign
# object exists; any id is requested.
GLOBAL_MODELS = {
    "regio.Rol",
    "regio.AuditEntry",
    "auth.Group",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.SolarSchedule",
    "django_celery_beat.ClockedSchedule",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}
# (url name, kwarg) -> world object, where the view's model alone does not say which object.
ROUTE_OBJECTS = {
    ("wachtlijstrapport-detail", "pk"): "jobrun-wachtlijstrapport",
    ("voortgang", "pk"): "jobrun-verevening",
    ("voortgang-uitkomst", "pk"): "jobrun-verevening",
    ("jobrun-bestand", "bestand_id"): "jobresultaat",
    ("notificatie-gelezen", "pk"): "notificatie",
    ("notificatie-openen", "pk"): "notificatie",
    ("melding-create", "dossier_pk"): "dossier",
    ("document-upload", "dossier_pk"): "dossier",
    ("contractdocument-download", "document_pk"): "contractdocument",
    ("verlenging-besluit", "optie_pk"): "verlengingsoptie",
    ("capaciteit-create", "locatie_pk"): "locatie",
    ("vrije-plaatsen", "locatie_pk"): "locatie",
    ("onderaanneming-list", "contract_pk"): "contract",
    ("onderaanneming-create", "contract_pk"): "contract",
    ("apisleutel-list", "aanbieder_pk"): "aanbieder",
    ("apisleutel-create", "aanbieder_pk"): "aanbieder",
    ("verzoek-om-wijziging-detail", "pk"): "verzoek-wijziging",
    ("auth_user_password_change", "id"): "actor-ct",
    ("otp_totp_totpdevice_config", "pk"): "totpdevice",
    ("otp_totp_totpdevice_qrcode", "pk"): "totpdevice",
    ("client", "client"): "client",  # the privacy officer's audit trail of one client
    # Screens that act on an object in another state than the main one of its kind.
    ("beschikking-edit", "pk"): "beschikking-concept",
    ("beschikking-actie", "pk"): "beschikking-concept",
    ("plaatsing_reserveren", "pk"): "aanmelding-wachtend",
    ("wachtstatus_bijwerken", "pk"): "aanmelding-wachtend",
    ("aanmelding_op_wachtlijst", "pk"): "aanmelding-wachtend",
    ("aanmelding_van_de_lijst", "pk"): "aanmelding-wachtend",
    ("plaatsing_bevestigen", "pk"): "plaatsing-gereserveerd",
    ("plaatsing_vervallen", "pk"): "plaatsing-gereserveerd",
}
# kwargs that are codes, slugs or words rather than object ids: kwarg -> value from the side.
CODE_KWARGS = {
    "slug": lambda s: s["regio"].code,
    "regio": lambda s: s["regio"].code,
    "jaar": lambda s: JAAR,
    "gemeente": lambda s: s["gemeente"].code,
    "code": lambda s: s["gemeente"].code,  # API gemeente detail
    "format": lambda s: "json",
    "actie": lambda s: "indienen",  # on the concept beschikking
    "fmt": lambda s: "csv",
    "naar": lambda s: "ingediend",
    "app_label": lambda s: "toegang",
    "url": lambda s: "toegang/onbekend/",
    "content_type_id": lambda s: ContentType.objects.get_for_model(s["dossier"]).pk,
    "soort": lambda s: "toekenning",  # a kind of letter (toegang.Brieftekst)
    "blok": lambda s: "besluit",
}
# kwargs that address an object (the ones the matrix must see refused).
NOT_OBJECT_KWARGS = {"format", "app_label", "url", "actie", "fmt", "naar", "soort", "blok"}


def object_for(route: Route, kwarg: str, side: Side):
    key = ROUTE_OBJECTS.get((route.name, kwarg))
    if key is None and kwarg in {"pk", "object_id"}:
        model = route.model
        label = model._meta.label if model is not None else None
        if route.name == "view_on_site":
            label = "toegang.Dossier"
        if label in GLOBAL_MODELS:
            return "1"
        key = MODEL_OBJECTS.get(label)
    if key is None:
        raise Unclassified(f"unclassified URL: {route.route} (kwarg {kwarg!r})")
    return side[key].pk


def fill(route: Route, side: Side) -> dict:
    """The kwargs of ``route`` filled with ``side``'s objects; Unclassified when it cannot."""
    values = {}
    for kwarg in route.kwargs:
        if (route.name, kwarg) not in ROUTE_OBJECTS and kwarg in CODE_KWARGS:
            values[kwarg] = CODE_KWARGS[kwarg](side)
        else:
            values[kwarg] = object_for(route, kwarg, side)
    return values


def addresses_object(route: Route) -> bool:
    return any(k not in NOT_OBJECT_KWARGS for k in route.kwargs)


def url_of(route: Route, values: dict) -> str:
    path = route.route

    def sub(match):
        return str(values[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", sub, path)  # regex routes (the API router, admin)
    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
    return "/" + path
