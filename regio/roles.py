"""The roles of regiozorg as the users know them (DOMAIN.md "Who uses it").

Each role is a ``Rol`` row with a Django ``Group``; its capabilities are that group's
permissions, so a functioneel beheerder can see them in the admin. ``sync_roles`` (run after
every migrate) creates missing roles with their default capabilities and never takes away what a
beheerder added. ``RolBackend`` answers ``user.has_perm`` from the user's *active*
Roltoekenningen, so a role that ended no longer grants anything.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.backends import BaseBackend


@dataclass(frozen=True)
class RolDefinitie:
    code: str
    naam: str
    scope: str
    capabilities: tuple[str, ...]


CONSULENT = "consulent"
CENTRALE_TOEGANG = "centrale-toegang"
CONTRACTMANAGER = "contractmanager"
FINANCIEN = "financien"
BEHEERDER = "functioneel-beheerder"
AANBIEDER = "aanbieder"

ROLLEN: tuple[RolDefinitie, ...] = (
    RolDefinitie(
        CONSULENT,
        "Consulent lokaal team",
        "gemeente",
        (
            "toegang.view_dossier",
            "toegang.add_dossier",
            "toegang.change_dossier",
            "regio.view_gemeente",
        ),
    ),
    RolDefinitie(
        CENTRALE_TOEGANG,
        "Centrale Toegang",
        "regio",
        ("regio.manage_wachtlijst", "regio.view_regio", "regio.view_gemeente", "regio.view_jobrun"),
    ),
    RolDefinitie(
        CONTRACTMANAGER,
        "RISB-contractmanager",
        "regio",
        (
            "regio.view_aggregates",
            "regio.view_regio",
            "regio.view_gemeente",
            "regio.view_jobrun",
            "inkoop.view_aanbieder",
            "inkoop.add_aanbieder",
            "inkoop.change_aanbieder",
        ),
    ),
    RolDefinitie(
        FINANCIEN,
        "Financieel / beleidsmedewerker",
        "gemeente_of_regio",
        ("regio.view_aggregates", "regio.view_regio", "regio.view_gemeente", "regio.view_jobrun"),
    ),
    RolDefinitie(
        BEHEERDER,
        "Functioneel beheerder",
        "regio",
        (
            "regio.beheer_regio",
            "regio.view_regio",
            "regio.view_gemeente",
            "regio.view_lidmaatschap",
            "regio.add_lidmaatschap",
            "regio.change_lidmaatschap",
            "regio.view_user",
            "regio.add_user",
            "regio.change_user",
            "regio.view_roltoekenning",
            "regio.add_roltoekenning",
            "regio.change_roltoekenning",
            "regio.delete_roltoekenning",
            "regio.view_jobrun",
            "inkoop.view_aanbieder",
        ),
    ),
    RolDefinitie(AANBIEDER, "Aanbieder", "aanbieder", ("inkoop.view_aanbieder",)),
)


def sync_roles(using="default", **kwargs):
    """Create the roles and their groups; give a new role its default capabilities."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Roles use permissions of apps migrated after regio: make sure they all exist.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    from .models import Rol

    for definitie in ROLLEN:
        rol = Rol.objects.filter(code=definitie.code).first()
        if rol is not None:
            continue
        group, _ = Group.objects.get_or_create(name=f"Rol: {definitie.naam}")
        rol = Rol.objects.create(
            code=definitie.code, naam=definitie.naam, scope=definitie.scope, group=group
        )
        perms = []
        for capability in definitie.capabilities:
            app_label, codename = capability.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)


class RolBackend(BaseBackend):
    """Permissions from the groups of the user's active Roltoekenningen."""

    def get_group_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cache_name = "_regiozorg_rol_perm_cache"
        if not hasattr(user_obj, cache_name):
            from django.contrib.auth.models import Permission

            from .models import Roltoekenning

            actief = Roltoekenning.objects.active_on(datetime.date.today()).filter(user=user_obj)
            perms = Permission.objects.filter(group__rol__toekenningen__in=actief).values_list(
                "content_type__app_label", "codename"
            )
            setattr(user_obj, cache_name, {f"{app}.{code}" for app, code in perms})
        return getattr(user_obj, cache_name)

    def get_all_permissions(self, user_obj, obj=None):
        return self.get_group_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
