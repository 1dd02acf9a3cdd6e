from regio.query import RegioWideQuerySet, ScopedQuerySet


class VerdeelmodelQuerySet(RegioWideQuerySet):
    regio_path = "regio"


class VerdeelmodelAandeelQuerySet(RegioWideQuerySet):
    regio_path = "verdeelmodel__regio"


class RegioJaarQuerySet(RegioWideQuerySet):
    """Parameters and runs of a regio's verevening: the regio's roles and the roles of its member
    gemeenten (each gemeente sees the regional totals and every gemeente's line; DOMAIN.md)."""

    regio_path = "regio"


class PerJaarparametersQuerySet(RegioWideQuerySet):
    regio_path = "parameters__regio"


class VereveningsregelQuerySet(RegioWideQuerySet):
    regio_path = "run__regio"


class KostenregelQuerySet(ScopedQuerySet):
    """Costs per client: the regio's roles, and a gemeente's roles for its own clients (by
    gemeente van herkomst) — never another gemeente's clients."""

    scope_paths = {"regio": "regio", "gemeente": "gemeente_herkomst"}
