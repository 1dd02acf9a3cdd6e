from regio.query import ScopedQuerySet


class DossierQuerySet(ScopedQuerySet):
    """A dossier is scoped by its verantwoordelijke gemeente (DOMAIN.md), not where the client
    lives now; single dossiers can be granted to a user with django-guardian (a move)."""

    scope_paths = {"gemeente": "verantwoordelijke_gemeente"}
    object_permission_model = "toegang.DossierUserObjectPermission"


class PerDossierQuerySet(ScopedQuerySet):
    """Rows that belong to one dossier (meldingen, beschikkingen, documents...): scoped by the
    dossier's verantwoordelijke gemeente, like the dossier itself."""

    scope_paths = {"gemeente": "dossier__verantwoordelijke_gemeente"}


class BeschiktProductQuerySet(ScopedQuerySet):
    scope_paths = {"gemeente": "beschikking__dossier__verantwoordelijke_gemeente"}


class ToewijzingQuerySet(ScopedQuerySet):
    """A toewijzing: the gemeente's roles, and the aanbieder it is assigned to."""

    scope_paths = {
        "gemeente": "beschikt_product__beschikking__dossier__verantwoordelijke_gemeente",
        "aanbieder": "aanbieder",
    }


class PersoonQuerySet(ScopedQuerySet):
    """A person's details are visible where one of their dossiers is. ``client_path`` leads to
    the Client (a Persoon's primary key is its client's)."""

    client_path = "client"

    def scope_condition(self, scope):
        from django.db.models import Exists, OuterRef, Q

        from .models import Dossier

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
    """The regional waiting list: the CT (or contractpartner) of the regio, and the lokaal team
    of the dossier's verantwoordelijke gemeente (who registered the client)."""

    scope_paths = {"regio": "regio", "gemeente": "dossier__verantwoordelijke_gemeente"}


class PerAanmeldingQuerySet(ScopedQuerySet):
    scope_paths = {
        "regio": "aanmelding__regio",
        "gemeente": "aanmelding__dossier__verantwoordelijke_gemeente",
    }
