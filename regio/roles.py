"""The roles of regiozorg as the users know them (DOMAIN.md "Who uses it").

Each role is a ``Rol`` row with a Django ``Group``; its capabilities are that group's
permissions, so a functioneel beheerder can see them in the admin. ``sync_roles`` (run after
every migrate) creates missing roles with their default capabilities and never takes away what a
beheerder added. ``RolBackend`` answers ``user.has_perm`` from the user's *active*
Roltoekenningen, so a role that ended no longer grants anything.
"""

from dataclasses import dataclass

from django.contrib.auth.backends import BaseBackend, ModelBackend


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
WACHTLIJST_CONTRACTPARTNER = "wachtlijst-contractpartner"
AANBIEDERSYSTEEM = "aanbiedersysteem"
PRIVACY = "privacyfunctionaris"

# Inkoop models, for the capability lists below.
_INKOOP_BEHEER = (
    "aanbieder", "contactpersoon", "perceel", "product", "tarief", "contract",
    "verlengingsoptie", "bestedingsruimte", "contractdocument", "onderaanneming", "locatie",
    "capaciteit", "certificaat", "melding",
)  # fmt: skip


def _caps(app: str, models, acts=("view", "add", "change")) -> tuple[str, ...]:
    return tuple(f"{app}.{act}_{model}" for model in models for act in acts)


# The waiting-list work of a Centrale Toegang, whether a regional team does it or (a setting per
# regio, seed 004 §3.2.11) the contractpartner's staff, scoped to their contract.
_WACHTLIJSTWERK = (
    "regio.manage_wachtlijst",
    "regio.view_regio",
    "regio.view_gemeente",
    "regio.view_jobrun",
    *_caps("toegang", ["aanmelding", "plaatsing", "trajectplan", "trajectdoel", "evaluatie"]),
    "toegang.keur_buitenregionaal_goed",
    "toegang.view_wachtlijstgebeurtenis",
    *_caps("toegang", ["zorgbeweging", "wachtstatusbericht"], ["view", "add"]),
    *_caps(
        "inkoop",
        ["aanbieder", "product", "contract", "locatie", "capaciteit", "vrijeplaatsenmelding"],
        ["view"],
    ),
)


ROLLEN: tuple[RolDefinitie, ...] = (
    RolDefinitie(
        CONSULENT,
        "Consulent lokaal team",
        "gemeente",
        (
            "toegang.view_dossier",
            "toegang.add_dossier",
            "toegang.change_dossier",
            *_caps(
                "toegang",
                [
                    "persoon",
                    "adres",
                    "relatie",
                    "melding",
                    "aanvraag",
                    "opschorting",
                    "document",
                    "beschikking",
                    "beschiktproduct",
                    "bezwaar",
                    "toewijzing",
                ],
            ),  # fmt: skip
            "toegang.accordeer_beschikking",
            "toegang.view_aanmelding",
            "toegang.add_aanmelding",
            "toegang.view_plaatsing",
            "toegang.view_wachtstatusbericht",
            *_caps("toegang", ["trajectplan", "trajectdoel", "evaluatie"], ["view"]),
            *_caps("toegang", ["verzoek"], ["view", "change"]),
            *_caps("toegang", ["zorgperiode", "declaratie", "declaratieregel"], ["view"]),
            "regio.view_gemeente",
            *_caps("inkoop", ["aanbieder", "product", "tarief", "contract"], ["view"]),
        ),
    ),
    RolDefinitie(
        CENTRALE_TOEGANG,
        "Centrale Toegang",
        "regio",
        # Regie: the regio's own CT passes quality signals about aanbieders to RISB.
        (*_WACHTLIJSTWERK, *_caps("inkoop", ["kwaliteitssignaal"], ["view", "add"])),
    ),
    RolDefinitie(
        WACHTLIJST_CONTRACTPARTNER,
        "Wachtlijstbeheer door de contractpartner",
        "aanbieder",
        _WACHTLIJSTWERK,
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
            *_caps("inkoop", _INKOOP_BEHEER),
            *_caps(
                "inkoop",
                ["vrijeplaatsenmelding", "rapportage", "rapportageregel", "rapportagestap"],
                ["view"],
            ),
            "inkoop.beoordeel_rapportage",
            "inkoop.handel_melding_af",
            "inkoop.keur_bdvo_goed",
            *_caps("inkoop", ["kwaliteitssignaal"], ["view", "change"]),
            "inkoop.handel_kwaliteitssignaal_af",
            "financien.view_verdeelmodel",
            "financien.view_verdeelmodelaandeel",
            "inkoop.view_rapportageopmerking",
            "inkoop.add_rapportageopmerking",
            "inkoop.change_rapportageopmerking",
        ),
    ),
    RolDefinitie(
        FINANCIEN,
        "Financieel / beleidsmedewerker",
        "gemeente_of_regio",
        (
            "regio.view_aggregates",
            "regio.view_regio",
            "regio.view_gemeente",
            "regio.view_jobrun",
            *_caps("inkoop", ["contract", "bestedingsruimte", "rapportage"], ["view"]),
            *_caps("financien", ["verdeelmodel", "verdeelmodelaandeel"]),
            *_caps(
                "financien",
                ["jaarparameters", "voorschot", "budget", "functiegewicht", "kostenregel"],
            ),
            *_caps("financien", ["eerstebwstart", "vereveningsregel"], ["view", "add"]),
            *_caps("financien", ["vereveningsrun"]),
            "financien.stel_verevening_vast",
            *_caps("toegang", ["declaratie", "declaratieregel"], ["view"]),
        ),
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
            *_caps("inkoop", ["aanbieder", "perceel", "product", "tarief"]),
            # API credentials of the aanbieders contracted in the regio (inkoop.ApiSleutel).
            *_caps("inkoop", ["apisleutel"]),
            # The letter texts of the regio's gemeenten (toegang.Brieftekst; a new version each).
            *_caps("toegang", ["brieftekst"], ["view", "add"]),
        ),
    ),
    RolDefinitie(
        PRIVACY,
        "Privacyfunctionaris",
        "gemeente_of_regio",
        # BIO 8.15 and the AVG: who looked at a client's dossier (the audit log, by client), the
        # erasure requests, and the approval of the destruction of dossiers past retention.
        (
            "regio.view_gemeente",
            "regio.view_auditentry",
            *_caps("toegang", ["verwijderverzoek", "vernietigingslijst"]),
            "toegang.view_vernietigingsregel",
            "toegang.change_vernietigingsregel",
            "toegang.keur_vernietiging_goed",
        ),
    ),
    RolDefinitie(
        AANBIEDER,
        "Aanbieder",
        "aanbieder",
        (
            *_caps(
                "inkoop",
                [
                    "aanbieder",
                    "contactpersoon",
                    "contract",
                    "bestedingsruimte",
                    "onderaanneming",
                    "capaciteit",
                    "rapportagestap",
                    "rapportageopmerking",
                    "product",
                ],
                ["view"],
            ),  # fmt: skip
            *_caps(
                "inkoop", ["locatie", "certificaat", "melding", "rapportage", "rapportageregel"]
            ),
            "inkoop.view_vrijeplaatsenmelding",
            "inkoop.add_vrijeplaatsenmelding",
            "inkoop.dien_rapportage_in",
            "toegang.view_toewijzing",
        ),
    ),
    RolDefinitie(
        AANBIEDERSYSTEEM,
        "Aanbiedersysteem (API)",
        "aanbieder",
        (
            # The credential of an aanbieder's system (inkoop.ApiSleutel): its own toewijzingen,
            # start/stop of care, verzoeken, declaraties, free places and reports.
            "toegang.view_toewijzing",
            *_caps("toegang", ["zorgperiode", "verzoek", "declaratie"], ["view", "add"]),
            "toegang.view_declaratieregel",
            "toegang.view_ingediendbericht",  # the retour of what it submitted
            *_caps(
                "inkoop", ["aanbieder", "contract", "product", "locatie", "capaciteit"], ["view"]
            ),
            *_caps("inkoop", ["vrijeplaatsenmelding"], ["view", "add"]),
            *_caps("inkoop", ["rapportage", "rapportageregel"]),
            "inkoop.dien_rapportage_in",
        ),
    ),
)


def sync_roles(using="default", **kwargs):
    """Create the roles and their groups, and grant each default capability once.

    A capability added to ``ROLLEN`` in a later release reaches existing installations; one a
    beheerder took away stays away (``Rol.standaard_toegekend`` remembers what was granted).
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Roles use permissions of apps migrated after regio: make sure they all exist.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    from regio.models import Rol

    for definitie in ROLLEN:
        rol = Rol.objects.filter(code=definitie.code).first()
        if rol is None:
            group, _ = Group.objects.get_or_create(name=f"Rol: {definitie.naam}")
            rol = Rol.objects.create(
                code=definitie.code, naam=definitie.naam, scope=definitie.scope, group=group
            )
        nieuw = [c for c in definitie.capabilities if c not in rol.standaard_toegekend]
        if not nieuw:
            continue
        for capability in nieuw:
            app_label, codename = capability.split(".")
            rol.group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        rol.standaard_toegekend = [*rol.standaard_toegekend, *nieuw]
        rol.save(update_fields=["standaard_toegekend"])


class AlleenRollen:
    """For a login backend built on django.contrib.auth's ModelBackend: none of its permissions.
    A capability comes only from a role (``RolBackend``). Django's own user permissions and
    groups are offered nowhere (not in the admin either), so reading them would cost two queries
    on every request and could only ever add a grant outside the roles. A superuser keeps every
    permission (``User.has_perm`` answers that before asking any backend)."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()


class WachtwoordBackend(AlleenRollen, ModelBackend):
    """Login with username and password."""


class RolBackend(BaseBackend):
    """Permissions from the groups of the user's active Roltoekenningen."""

    def get_group_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        from regio.query import capabilities

        return capabilities(user_obj)

    def get_all_permissions(self, user_obj, obj=None):
        return self.get_group_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
