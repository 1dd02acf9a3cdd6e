"""The read replica: heavy reads that tolerate a little lag, and nothing else, go there.

With ``POSTGRES_REPLICA_HOST`` set, the production settings add ``DATABASES["replica"]`` (a
streaming standby of the primary) and this router; without it there is neither, and everything
reads and writes the primary as before.

The primary stays the default for everything. A read goes to the replica only when the code
asks for it with ``lezen_van_replica()`` (report generation, list exports, dashboards'
aggregates), and even then only

- for the domain's data (``toegang``, ``inkoop``, ``financien``): never for ``regio`` (users,
  roles and grants, memberships, the tenants themselves, audit, jobs, notifications), auth,
  guardian's object permissions, sessions, axes, OTP devices, API keys or Celery's schedules, so
  a revoked grant or key never lives on in a lagging replica;
- outside an atomic block on the primary: a transaction that writes reads its own writes.

Writes always go to the primary (a standby refuses them anyway), migrations run only there.
The verevening never enters ``lezen_van_replica()``: it computes money from what it reads and
stores the result, so it reads the primary (``financien.runs``).

The scoping layer reads the grants from the primary as well: ``scope_for`` reads Roltoekenning
and Lidmaatschap (regio, so the primary), and where a scope is a subquery of the scoped query
(guardian's object permissions, a regio's members) ``regio.query`` evaluates it on the primary
first when ``actief()``, so the report query on the replica carries the grants as plain ids.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# The apps whose rows a report may read a little late.
LAG_TOEGESTAAN = frozenset({"toegang", "inkoop", "financien"})
# ...except these, which decide who may do what (guardian's object permissions are found by
# their base class, see ``_vers``).
ALTIJD_PRIMAIR = frozenset({"inkoop.apisleutel"})

_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "regiozorg_lezen_van_replica", default=False
)


@contextmanager
def lezen_van_replica():
    """Within this block the lag-tolerant reads (see the module) go to the replica, when there
    is one. For the read part of a report, export or dashboard only. Build the scoped querysets
    (``visible_to``, ``JobContext.scoped``) inside the block too: ``regio.query`` then reads
    the grants a subquery would hold from the primary first."""
    token = _replica.set(True)
    try:
        yield
    finally:
        _replica.reset(token)


def ingesteld() -> bool:
    return REPLICA in settings.DATABASES


def actief() -> bool:
    """Whether a read of lag-tolerant data would go to the replica now."""
    return _replica.get() and ingesteld() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


def _vers(model) -> bool:
    """Whether ``model``'s rows must be read fresh, from the primary."""
    meta = model._meta
    if meta.app_label not in LAG_TOEGESTAAN or meta.label_lower in ALTIJD_PRIMAIR:
        return True
    from guardian.models import BaseObjectPermission

    return issubclass(model, BaseObjectPermission)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry (production settings, only with a replica)."""

    def db_for_read(self, model, **hints):
        # Explicit, never None: a related object of a row read from the replica (a user, a
        # grant) must not follow that row to the replica.
        if actief() and not _vers(model):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
