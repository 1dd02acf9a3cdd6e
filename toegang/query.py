from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from regio.query import Scope, ScopedQuerySet


class CTDossierMixin:
    """Rows of a dossier that the Centrale Toegang of a regio may reach where that regio lets
    its CT beschikken (``regio.query.CT_BESCHIKKEN``): the dossiers with an aanmelding in that
    regio. ``dossier_path`` leads from the row to its dossier."""

    dossier_path = "dossier"

    def scope_condition(self, scope: Scope):
        condition = super().scope_condition(scope)
        if not scope.ct_regio_ids:
            return condition
        aanmeldingen = apps.get_model("toegang", "Aanmelding").objects.filter(
            dossier=OuterRef(self.dossier_path), regio__in=sorted(scope.ct_regio_ids)
        )
        ct = Q(Exists(aanmeldingen))
        return ct if condition is None else condition | ct


class DossierQuerySet(CTDossierMixin, ScopedQuerySet):
    """A dossier is scoped by its verantwoordelijke gemeente (DOMAIN.md), not where the client
    lives now; single dossiers can be granted to a user with django-guardian (a move)."""

    scope_paths = {"gemeente": "verantwoordelijke_gemeente"}
    object_permission_model = "toegang.DossierUserObjectPermission"
    dossier_path = "pk"


class PerDossierQuerySet(CTDossierMixin, ScopedQuerySet):
    """Rows that belong to one dossier (meldingen, beschikkingen, documents...): scoped by the
    dossier's verantwoordelijke gemeente, like the dossier itself."""

    scope_paths = {"gemeente": "dossier__verantwoordelijke_gemeente"}


class MeldingQuerySet(ScopedQuerySet):
    """Meldingen: scoped like their dossier, through the copy of its gemeente that the database
    keeps on the melding (one index range per gemeente for the werkvoorraad)."""

    scope_paths = {"gemeente": "gemeente"}


class BeschiktProductQuerySet(CTDossierMixin, ScopedQuerySet):
    scope_paths = {"gemeente": "beschikking__dossier__verantwoordelijke_gemeente"}
    dossier_path = "beschikking__dossier"


class ToewijzingQuerySet(ScopedQuerySet):
    """A toewijzing: the gemeente's roles, and the aanbieder it is assigned to."""

    scope_paths = {
        "gemeente": "beschikt_product__beschikking__dossier__verantwoordelijke_gemeente",
        "aanbieder": "aanbieder",
    }


class ToewijzingDeelQuerySet(ScopedQuerySet):
    """What belongs to one toewijzing (zorgperioden): its gemeente's roles and its aanbieder."""

    scope_paths = {
        "gemeente": "toewijzing__" + ToewijzingQuerySet.scope_paths["gemeente"],
        "aanbieder": "toewijzing__aanbieder",
    }


class VerzoekQuerySet(ScopedQuerySet):
    """A verzoek or declaratie of an aanbieder to a gemeente: that gemeente's roles and the
    aanbieder."""

    scope_paths = {"gemeente": "gemeente", "aanbieder": "aanbieder"}


class GemeenteEigenQuerySet(ScopedQuerySet):
    """Rows a gemeente owns itself (a verwijderverzoek, a vernietigingslijst): its own roles."""

    scope_paths = {"gemeente": "gemeente"}


class DeclaratieQuerySet(VerzoekQuerySet):
    pass


class DeclaratieregelQuerySet(ScopedQuerySet):
    scope_paths = {"gemeente": "declaratie__gemeente", "aanbieder": "aanbieder"}


class PersoonQuerySet(ScopedQuerySet):
    """A person's details are visible where one of their dossiers is. ``client_path`` leads to
    the Client (a Persoon's primary key is its client's)."""

    client_path = "client"

    def scope_condition(self, scope):
        from django.db.models import Exists, OuterRef, Q

        from toegang.models import Dossier

        if not scope.gemeente_ids:
            return None
        dossiers = Dossier.objects.filter(
            client=OuterRef(self.client_path),
            verantwoordelijke_gemeente_id__in=sorted(scope.gemeente_ids),
        )
        return Q(Exists(dossiers))


class PersoonsgegevenQuerySet(PersoonQuerySet):
    """Addresses and relations of a person."""

    client_path = "persoon"


class WachtlijstQuerySet(ScopedQuerySet):
    """The regional waiting list and what hangs under an aanmelding (events, plaatsingen,
    trajectplannen, wachtstatusberichten; ``aanmelding_prefix`` leads to the Aanmelding).

    Visible to the Centrale Toegang of the regio, to the lokaal team of the dossier's
    verantwoordelijke gemeente (who registered the client), and — where the regio has the
    contractpartner keep the list (seed 004 §3.2.11) — to the contractpartner's staff for the
    aanmeldingen under their contract: a running contract marked ``wachtlijstbeheer`` in that
    regio whose percelen include the aanmelding's functie (not yet assessed: any such contract).
    """

    aanmelding_prefix = ""

    def scope_condition(self, scope):
        from django.db.models import Q

        p = self.aanmelding_prefix
        condition = None
        if scope.regio_ids:
            condition = Q(**{f"{p}regio__in": sorted(scope.regio_ids)})
        if scope.gemeente_ids:
            q = Q(**{f"{p}dossier_gemeente__in": sorted(scope.gemeente_ids)})
            condition = q if condition is None else condition | q
        if scope.aanbieder_ids:
            q = contractpartner_condition(scope.aanbieder_ids, p)
            condition = q if condition is None else condition | q
        return condition


def wachtlijst_contracten(aanbieder_ids, on=None):
    """Running contracts under which these aanbieders keep a regio's waiting list."""
    import datetime

    from inkoop.models import Contract

    return Contract.objects.lopend_op(on or datetime.date.today()).filter(
        wachtlijstbeheer=True,
        aanbieder_id__in=sorted(aanbieder_ids),
        regio__wachtlijstbeheer="contractpartner",
    )


def contractpartner_condition(aanbieder_ids, prefix=""):
    from django.db.models import Exists, OuterRef, Q

    contracten = wachtlijst_contracten(aanbieder_ids).filter(regio=OuterRef(f"{prefix}regio"))
    return Q(Exists(contracten.filter(percelen=OuterRef(f"{prefix}functie__perceel")))) | Q(
        Q(**{f"{prefix}functie__isnull": True}), Exists(contracten)
    )


def wachtlijst_regios(user, capability):
    """The regio's whose waiting list ``user`` works on with ``capability``: those of a regio
    role, and those where the user's aanbieder keeps the list under contract."""
    from django.db.models import Q

    from regio.models import Regio
    from regio.query import scope_for

    scope = scope_for(user, capability)
    condition = Q(pk__in=sorted(scope.regio_ids))
    if scope.aanbieder_ids:
        condition |= Q(pk__in=wachtlijst_contracten(scope.aanbieder_ids).values("regio"))
    return Regio.objects.filter(condition).order_by("naam")


class PerAanmeldingQuerySet(WachtlijstQuerySet):
    aanmelding_prefix = "aanmelding__"


class PerPlaatsingQuerySet(WachtlijstQuerySet):
    """Trajectplannen (and the like) of a plaatsing."""

    aanmelding_prefix = "plaatsing__aanmelding__"


class PerTrajectplanQuerySet(WachtlijstQuerySet):
    """Goals and evaluations of a trajectplan."""

    aanmelding_prefix = "trajectplan__plaatsing__aanmelding__"
