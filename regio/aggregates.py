"""Small-cell suppression: roles without dossier access (RISB, finance) never see a count of
fewer than ``DREMPEL`` clients, in pages or exports (DOMAIN.md "Who uses it")."""

DREMPEL = 5
ONDERDRUKT = "<5"


def suppress(count: int | None, threshold: int = DREMPEL):
    """The count itself, or '<5' when 1..threshold-1 clients could be recognised in it."""
    if count is None:
        return None
    return ONDERDRUKT if 0 < count < threshold else count
