from regio.query import ScopedQuerySet


class DossierQuerySet(ScopedQuerySet):
    """A dossier is scoped by its verantwoordelijke gemeente (DOMAIN.md), not where the client
    lives now; single dossiers can be granted to a user with django-guardian (a move)."""

    scope_paths = {"gemeente": "verantwoordelijke_gemeente"}
    object_permission_model = "toegang.DossierUserObjectPermission"
