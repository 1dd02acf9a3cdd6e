"""The scoping layer: who may see which rows, per capability.

Every scoped model's QuerySet derives from ``ScopedQuerySet`` and so has
``visible_to(user, capability)``. The scope of a capability is the set of gemeenten, regio's and
aanbieders where the user holds an active Roltoekenning whose rol grants *that* capability —
never the union of all of a person's roles. A regio-wide toekenning covers the gemeenten that are
members of the regio today. Views, viewsets, the admin, jobs and reports all go through here
(``regio.mixins``); nothing filters by gemeente by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.fields import DateRangeField
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from regio import replica


class DateRange(models.Func):
    """PostgreSQL daterange(lower, upper, bounds); NULL bounds are unbounded."""

    function = "DATERANGE"
    output_field = DateRangeField()


@dataclass(frozen=True)
class Scope:
    gemeente_ids: frozenset[int] = frozenset()
    regio_ids: frozenset[int] = frozenset()
    aanbieder_ids: frozenset[int] = frozenset()
    # Regio's whose Centrale Toegang may act on the dossiers registered with it (an aanmelding
    # in that regio), not on every dossier of its gemeenten: see ``CT_BESCHIKKEN``.
    ct_regio_ids: frozenset[int] = frozenset()

    def ids(self, kind: str) -> frozenset[int]:
        return getattr(self, f"{kind}_ids")

    @property
    def empty(self) -> bool:
        return not (self.gemeente_ids or self.regio_ids or self.aanbieder_ids or self.ct_regio_ids)


EMPTY_SCOPE = Scope()


def split_capability(capability: str) -> tuple[str, str]:
    app_label, _, codename = capability.partition(".")
    if not codename:
        raise ValueError(f"Capability must be 'app_label.codename', got {capability!r}")
    return app_label, codename


def _cache(user, naam: str) -> dict:
    """A per-request cache on the user object. Through getattr/setattr, so that request.user (a
    lazy object) and the User it wraps, which the permission backends get, share it."""
    cache = getattr(user, naam, None)
    if cache is None:
        cache = {}
        setattr(user, naam, cache)
    return cache


def toekenningen(user, on: datetime.date | None = None) -> tuple[tuple, ...]:
    """The user's active role grants on ``on`` as (gemeente, regio, aanbieder, capability) rows,
    one query per request: cached on the user object, where ``scope_for`` and the permission
    backend (``regio.roles.RolBackend``) both read them."""
    on = on or datetime.date.today()
    cache = _cache(user, "_regiozorg_toekenningen")
    if on not in cache:
        from regio.models import Roltoekenning

        rows = (
            Roltoekenning.objects.active_on(on)
            .filter(user=user, rol__group__permissions__isnull=False)
            .values_list(
                "gemeente_id",
                "regio_id",
                "aanbieder_id",
                "rol__group__permissions__content_type__app_label",
                "rol__group__permissions__codename",
            )
            .distinct()
        )
        cache[on] = tuple((g, r, a, f"{app}.{code}") for g, r, a, app, code in rows)
    return cache[on]


def capabilities(user, on: datetime.date | None = None) -> frozenset[str]:
    """Every capability the user holds somewhere on ``on`` (the permission backend's answer),
    derived once per request from ``toekenningen``."""
    on = on or datetime.date.today()
    cache = _cache(user, "_regiozorg_capabilities")
    if on not in cache:
        cache[on] = frozenset(capability for _, _, _, capability in toekenningen(user, on))
    return cache[on]


def _leden(user, regios: frozenset[int], on: datetime.date) -> dict[int, set[int]]:
    """{regio: its member gemeenten on ``on``} for every regio the user holds a grant in, in one
    query per request (cached beside the grants)."""
    cache = _cache(user, "_regiozorg_leden")
    if on not in cache:
        from regio.models import Lidmaatschap

        leden: dict[int, set[int]] = {r: set() for r in regios}
        rows = Lidmaatschap.objects.active_on(on).filter(regio_id__in=regios)
        for regio_id, gemeente_id in rows.values_list("regio_id", "gemeente_id"):
            leden[regio_id].add(gemeente_id)
        cache[on] = leden
    return cache[on]


# Where a regio chose so (``Regio.ct_beschikt``, seed 000 §9 and seed 003) its Centrale Toegang
# beschikt: whoever keeps the regio's waiting list (a regio-wide ``regio.manage_wachtlijst``
# grant) holds these capabilities for the dossiers registered with that CT. Which functies it
# may grant (the BW domain) is decided in ``toegang.beschikkingen.producten``.
CT_MARKER = "regio.manage_wachtlijst"
CT_BESCHIKKEN = frozenset(
    {
        "toegang.view_beschikking",
        "toegang.add_beschikking",
        "toegang.change_beschikking",
        "toegang.accordeer_beschikking",
        "toegang.view_beschiktproduct",
    }
)


def _ct_regios(user, on: datetime.date) -> frozenset[int]:
    """The regio's where ``user`` keeps the waiting list and the regio lets its CT beschikken."""
    cache = _cache(user, "_regiozorg_ct_regios")
    if on not in cache:
        regios = {r for _, r, _, cap in toekenningen(user, on) if r and cap == CT_MARKER}
        if regios:
            from regio.models import Regio

            regios = set(
                Regio.objects.filter(pk__in=regios, ct_beschikt=True).values_list("pk", flat=True)
            )
        cache[on] = frozenset(regios)
    return cache[on]


def scope_for(user, capability: str, on: datetime.date | None = None) -> Scope:
    """The gemeenten, regio's and aanbieders where ``user`` holds ``capability`` on ``on``.

    Built from ``toekenningen``: within one request, every capability together costs one query
    for the grants and, when a grant covers a regio, one for the regio's members.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    split_capability(capability)
    on = on or datetime.date.today()
    cache = _cache(user, "_regiozorg_scope_cache")
    if (capability, on) in cache:
        return cache[capability, on]
    rows = [(g, r, a) for g, r, a, cap in toekenningen(user, on) if cap == capability]
    gemeenten = {g for g, _, _ in rows if g}
    regios = {r for _, r, _ in rows if r}
    aanbieders = {a for _, _, a in rows if a}
    if regios:
        alle_regios = frozenset(r for _, r, _, _ in toekenningen(user, on) if r)
        leden = _leden(user, alle_regios, on)
        for regio_id in regios:
            gemeenten |= leden[regio_id]
    ct_regios = _ct_regios(user, on) if capability in CT_BESCHIKKEN else frozenset()
    scope = Scope(frozenset(gemeenten), frozenset(regios), frozenset(aanbieders), ct_regios)
    cache[capability, on] = scope
    return scope


def mag(user, capability: str, obj) -> bool:
    """Whether ``user`` holds ``capability`` for this one object (its scope, not anywhere)."""
    manager = type(obj)._default_manager
    return manager.visible_to(user, capability).filter(pk=obj.pk).exists()


WEIGERING = "U heeft geen rol die dit hier mag."


def vereis(
    user, capability: str, obj, melding: str = "", *, zichtbaar: str | None = None,
    openbaar: bool = False,
) -> None:  # fmt: skip
    """The one check a service that changes ``obj`` makes of its caller (the acting ``user``).

    - ``user`` holds ``capability`` for ``obj`` (its scope, ``mag``): go on.
    - ``user`` may not even see ``obj`` (under ``zichtbaar``; by default the model's own view
      capability): ``Http404``, as a scoped view or endpoint answers, so its existence stays
      secret. Not for an ``openbaar`` object (a Gemeente or Regio: the tenants themselves are
      public knowledge).
    - otherwise ``PermissionDenied`` with ``melding``: the user may see ``obj`` but not do this
      to it (403 in a view, problem+json 403 in the API).
    - ``user`` None is a system caller (a scheduled job, a management command, the iWmo XML
      import) that vouches for itself. Services reachable from a request take ``user`` without
      a default, so no entry point gets this by forgetting to pass one.
    """
    if user is None or mag(user, capability, obj):
        return
    if not openbaar:
        meta = type(obj)._meta
        zichtbaar = zichtbaar or f"{meta.app_label}.view_{meta.model_name}"
        if zichtbaar == capability or not mag(user, zichtbaar, obj):
            raise Http404
    raise PermissionDenied(melding or WEIGERING)


def vereis_namens(user, capability: str, aanbieder, melding: str = "") -> None:
    """For what an aanbieder's system does as that aanbieder (a declaratie, a verzoek, an iWmo
    message): ``user`` holds ``capability`` for the aanbieder itself, not merely for a gemeente
    it has a contract with. ``user`` None: a system caller, as in ``vereis``."""
    if user is not None and aanbieder.pk not in scope_for(user, capability).aanbieder_ids:
        raise PermissionDenied(melding or "U handelt niet namens deze aanbieder.")


def regio_scope(regio_id: int | None, gemeente_id: int | None = None, on=None) -> Scope:
    """The scope of work done for a regio (or one gemeente) without a user, e.g. a scheduled
    report: the regio itself and the gemeenten that are its members on ``on``."""
    from regio.models import Lidmaatschap

    gemeenten = {gemeente_id} if gemeente_id else set()
    if regio_id:
        gemeenten |= set(
            Lidmaatschap.objects.active_on(on or datetime.date.today())
            .filter(regio_id=regio_id)
            .values_list("gemeente_id", flat=True)
        )
    return Scope(frozenset(gemeenten), frozenset({regio_id} if regio_id else ()))


class ScopedQuerySet(models.QuerySet):
    """Base of every scoped QuerySet.

    ``scope_paths`` maps a scope kind (``gemeente``, ``regio``, ``aanbieder``) to the lookup path
    of the row's owner of that kind; a row is visible when any of its owners is in the user's
    scope for the capability. ``object_permission_model`` names a django-guardian direct-FK
    model (``content_object`` → this model) whose grants add single objects to the scope.
    """

    scope_paths: dict[str, str] = {}
    object_permission_model: str | None = None

    def visible_to(self, user, capability: str):
        condition = self.scope_condition(scope_for(user, capability))
        grants = self.grant_condition(user, capability)
        if grants is not None:
            condition = condition | grants if condition is not None else grants
        return self.none() if condition is None else self.filter(condition)

    def within(self, scope: Scope):
        """The rows inside an explicit scope (system jobs without a user: ``regio_scope``)."""
        condition = self.scope_condition(scope)
        return self.none() if condition is None else self.filter(condition)

    def scope_condition(self, scope: Scope) -> Q | None:
        condition = None
        for kind, path in self.scope_paths.items():
            ids = scope.ids(kind)
            if ids:
                q = Q(**{f"{path}__in": sorted(ids)})
                condition = q if condition is None else condition | q
        return condition

    def grant_condition(self, user, capability: str) -> Q | None:
        if not self.object_permission_model or not getattr(user, "is_authenticated", False):
            return None
        from django.apps import apps

        perm_model = apps.get_model(self.object_permission_model)
        app_label, codename = split_capability(capability)
        grants = perm_model.objects.filter(
            user=user,
            permission__codename=codename,
            permission__content_type__app_label=app_label,
        )
        if replica.actief():
            # A query for the read replica carries the grants as ids read from the primary: a
            # revoked one must not live on in a lagging replica (regio.replica).
            return Q(pk__in=list(grants.values_list("content_object_id", flat=True)))
        return Q(Exists(grants.filter(content_object=OuterRef("pk"))))


class RegioWideQuerySet(ScopedQuerySet):
    """Rows that belong to a regio and are shown to the regio's roles and to the roles of its
    member gemeenten (a catalogue, for example). ``regio_path`` leads to the Regio."""

    regio_path = "regio"

    def scope_condition(self, scope: Scope) -> Q | None:
        from regio.models import Lidmaatschap

        condition = None
        if scope.regio_ids:
            condition = Q(**{f"{self.regio_path}__in": sorted(scope.regio_ids)})
        if scope.gemeente_ids:
            leden = Lidmaatschap.objects.active_on(datetime.date.today()).filter(
                gemeente_id__in=sorted(scope.gemeente_ids)
            )
            if replica.actief():
                # For the read replica: the memberships as ids read from the primary.
                regios = sorted(set(leden.values_list("regio_id", flat=True)))
                member = Q(**{f"{self.regio_path}__in": regios})
            else:
                member = Q(Exists(leden.filter(regio=OuterRef(self.regio_path))))
            condition = member if condition is None else condition | member
        return condition


class ActiveOnQuerySetMixin:
    """Rows with an inclusive [begin, einde] period (NULL = unbounded)."""

    def active_on(self, on: datetime.date):
        return self.filter(Q(begin__isnull=True) | Q(begin__lte=on)).filter(
            Q(einde__isnull=True) | Q(einde__gte=on)
        )


class GemeenteQuerySet(ScopedQuerySet):
    scope_paths = {"gemeente": "pk"}


class LidmaatschapQuerySet(ActiveOnQuerySetMixin, ScopedQuerySet):
    scope_paths = {"regio": "regio"}


class RoltoekenningQuerySet(ActiveOnQuerySetMixin, ScopedQuerySet):
    scope_paths = {"gemeente": "gemeente", "regio": "regio"}


class JobRunQuerySet(ScopedQuerySet):
    scope_paths = {"gemeente": "gemeente", "regio": "regio"}

    def visible_to(self, user, capability: str):
        # Whoever started a run always sees its progress and result.
        own = self.filter(gestart_door=user) if getattr(user, "is_authenticated", False) else None
        scoped = super().visible_to(user, capability)
        return scoped | own if own is not None else scoped


class RegioQuerySet(ScopedQuerySet):
    """A regio: its own roles only. (An aanbieder's users reach what they need of a regio
    through their contracts; the contractpartner that keeps a waiting list through
    ``toegang.query.wachtlijst_regios``.)"""

    scope_paths = {"regio": "pk"}


class UserQuerySet(ScopedQuerySet):
    """Users are visible to a beheerder when they hold a role inside the beheerder's scope."""

    def scope_condition(self, scope: Scope) -> Q | None:
        from regio.models import Roltoekenning

        if not (scope.gemeente_ids or scope.regio_ids):
            return None
        inside = Roltoekenning.objects.filter(user=OuterRef("pk")).filter(
            Q(gemeente_id__in=sorted(scope.gemeente_ids)) | Q(regio_id__in=sorted(scope.regio_ids))
        )
        return Q(Exists(inside))
