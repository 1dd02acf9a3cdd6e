from regio.query import ScopedQuerySet


class AanbiederQuerySet(ScopedQuerySet):
    """Aanbieders are regional: visible in the regio's where they hold a role or (later) a
    contract; an aanbieder's own users see their own record."""

    scope_paths = {"aanbieder": "pk"}
