"""Sealing the audit log into a hash chain, and checking it (BIO 8.15: tamper evidence).

Writing a request's audit row stays one INSERT; a scheduled task (``audit.verzegelen``, every
``INTERVAL`` seconds) seals the rows afterwards, in batches of at most ``BATCH`` rows per
``AuditZegel``. The chain value after a row is ``sha256(previous chain value || canonical(row))``
(the previous value as its 64 hex characters, ``GENESIS`` before the first row); a seal keeps the
value after each of its rows and the value before its first row, so the seals form one chain
over every sealed row.

The chain runs in (xact, id) order: ``xact`` is the id of the transaction that wrote the row (a
database default, ``pg_current_xact_id()``). Ids alone would race: a transaction that took a
lower id can commit after one with a higher id was sealed, and its row would then sit inside a
sealed range. Transaction ids do not: once ``pg_snapshot_xmin(pg_current_snapshot())`` has passed
a transaction id, every transaction below it has ended, and a transaction that has not started
yet gets a higher id. So the sealer seals every row with ``xact`` below that bound, right away
and without locking the table against writers: a row is sealed within ``INTERVAL`` seconds of
its commit, unless a transaction that started writing before it is still open (a long job):
then it waits for that transaction, whose rows come first in the chain. A seal covers the
positions from just after the previous seal's last row to its own last row.

Rows written before ``xact`` existed have ``xact`` 0 and keep their id order (regio migration
0011): the chain sealed before goes on unchanged and the newer rows follow it.

``verifieer`` recomputes the chain from the rows in the same order and reports the first broken
link: a changed, deleted or added row, or a seal that was removed or does not follow on the
previous one. What a hash chain cannot show by itself is the removal of the newest seal together
with its rows; the verification therefore prints the newest chain value, which operators can
keep elsewhere.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
BATCH = 10_000
INTERVAL = 30  # seconds between two runs of the sealer (regio migration 0011 schedules it)
# pg_advisory_xact_lock key: two sealers never seal at once (the second waits, then finds the
# rows sealed). Any constant unique to this purpose; "AUDITZGL" as a 64-bit number.
LOCK_KEY = int.from_bytes(b"AUDITZGL", "big") & 0x7FFF_FFFF_FFFF_FFFF

COLUMNS = (
    "id",
    "tijdstip",
    "actor_id",
    "actor",
    "actie",
    "object_type",
    "object_ids",
    "client_ids",
    "resultaat",
    "herkomst",
    "pad",
    "toelichting",
    "xact",
)


def canonical(row: dict) -> bytes:
    """A deterministic byte string of every column of an audit row (a dict of ``COLUMNS``).
    ``xact`` counts only when it is not 0, so rows from before it existed keep their form (and
    the chain sealed over them its values)."""
    tijdstip = row["tijdstip"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values = [
        row["id"],
        tijdstip,
        row["actor_id"],
        row["actor"],
        row["actie"],
        row["object_type"],
        [str(i) for i in row["object_ids"] or []],
        [str(c) for c in row["client_ids"] or []],
        row["resultaat"],
        None if row["herkomst"] is None else str(row["herkomst"]),
        row["pad"],
        row["toelichting"],
    ]
    if row.get("xact"):
        values.append(row["xact"])
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def schakel(vorige: str, row: dict) -> str:
    return hashlib.sha256(vorige.encode("ascii") + canonical(row)).hexdigest()


def grens() -> int:
    """Every transaction with a lower id has ended, and no new one gets such an id: rows with a
    lower ``xact`` are all committed (or gone with their rollback) and can be sealed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            " + regio_audit_xact_basis()"
        )
        return cursor.fetchone()[0]


MARGE = 1_000_000  # transaction ids to spare when the base is raised


def basis_bijwerken(**kwargs) -> int | None:
    """Keeps ``xact`` increasing after a restore (pg_restore) into a younger cluster, whose
    transaction ids start below the ones already in the log: new rows would sort into the
    sealed ranges and never be sealed. Raises ``regio_audit_xact_basis()`` so the next
    transaction id lies above every ``xact`` in the log and every sealed position; returns the
    new base, or None when nothing had to change. Run while nothing writes: after every
    ``migrate`` (post_migrate; in the deployment the one-shot web-init migrates before web,
    worker and beat start), and by the sealer when it finds the log ahead of the cluster."""
    from regio.models import AuditEntry

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('regio_audit_xact_basis') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None  # migrated to before 0011
        cursor.execute("SELECT pg_current_xact_id()::text::bigint, regio_audit_xact_basis()")
        huidig, basis = cursor.fetchone()
        laatste = _laatste()
        hoogste = max(
            AuditEntry.objects.order_by("-xact").values_list("xact", flat=True).first() or 0,
            laatste.tot_xact if laatste else 0,
        )
        if huidig + basis > hoogste:
            return None
        nieuw = hoogste - huidig + MARGE
        cursor.execute(
            "CREATE OR REPLACE FUNCTION regio_audit_xact_basis() RETURNS bigint LANGUAGE sql "
            f"STABLE AS 'SELECT {int(nieuw)}::bigint'"
        )
    logger.warning(
        "Auditlog: transactie-id's van dit cluster liggen onder die in het log (hersteld in een "
        "nieuw cluster?); basis verhoogd van %s naar %s.",
        basis,
        nieuw,
    )
    return nieuw


def _positie(op: str, xact: int, id_: int) -> RawSQL:
    """A filter on the rows' position in the chain order, compared as a row value (the
    (xact, id) index answers it)."""
    assert op in {">", ">=", "<="}
    return RawSQL(f"(xact, id) {op} (%s, %s)", (xact, id_), output_field=BooleanField())


def _rows(*condities, **filters):
    from regio.models import AuditEntry

    return AuditEntry.objects.filter(*condities, **filters).order_by("xact", "id").values(*COLUMNS)


def _wachttijd(nu: datetime.datetime) -> datetime.datetime:
    """Rows recorded before this moment whose transaction has ended should be sealed by now."""
    return nu - datetime.timedelta(seconds=settings.REGIOZORG_AUDIT_ZEGEL_WACHTTIJD)


def _laatste():
    from regio.models import AuditZegel

    return AuditZegel.objects.order_by("-vanaf_xact", "-vanaf_id").first()


def verzegel(*, alles: bool = False, nu: datetime.datetime | None = None) -> int:
    """Seals the unsealed rows whose transaction has ended, in (xact, id) order; with ``alles``
    every row this transaction sees (also its own: for tests and a quiet system only, a row of
    a transaction still open would later seem inserted). Returns the number of rows sealed. Safe
    to run twice at once: the second waits and seals nothing."""
    from regio.models import AuditZegel

    nu = nu or timezone.now()
    totaal = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            laatste = _laatste()
            na = (laatste.tot_xact, laatste.tot_id) if laatste else (0, 0)
            begin = vorige = laatste.hash if laatste else GENESIS
            rows = _rows(_positie(">", *na))
            if not alles:
                bovengrens = grens()
                if bovengrens <= na[0]:  # the cluster is behind the log: restored elsewhere
                    basis_bijwerken()
                rows = rows.filter(xact__lt=bovengrens)
            ids, hashes, xact = [], [], na[0]
            for row in rows[:BATCH]:
                vorige = schakel(vorige, row)
                ids.append(row["id"])
                hashes.append(vorige)
                xact = row["xact"]
            if not ids:
                return totaal
            AuditZegel.objects.create(
                vanaf_xact=na[0],
                vanaf_id=na[1] + 1,
                tot_xact=xact,
                tot_id=ids[-1],
                regel_ids=ids,
                regel_hashes=hashes,
                vorige_hash=begin,
                hash=hashes[-1],
                gezegeld_op=nu,
            )
        totaal += len(ids)
        if len(ids) < BATCH:
            return totaal


@shared_task(name="audit.verzegelen")
def verzegelen() -> int:
    """Scheduled every 30 seconds (regio migration 0011). Not a JobRun: nobody waits for it."""
    return verzegel()


@dataclass
class Verificatie:
    regels: int = 0
    zegels: int = 0
    fout: str = ""
    regel_id: int | None = None
    zegel_id: int | None = None
    laatste_hash: str = GENESIS
    ongezegeld: int = 0  # rows of ended transactions, past the waiting time, not sealed yet

    @property
    def intact(self) -> bool:
        return not self.fout


def zegelnaam(zegel) -> str:
    return f"zegel {zegel.pk} (regels {zegel.vanaf_id}–{zegel.tot_id})"


def verifieer(*, nu: datetime.datetime | None = None) -> Verificatie:
    """Walks every seal in order and recomputes the chain from the rows, in the sealer's
    (xact, id) order; stops at the first broken link and says which row or seal it is."""
    from regio.models import AuditZegel

    uitslag = Verificatie()
    vorige_hash, verwacht_vanaf, vorige_zegel = GENESIS, None, None

    def breuk(tekst, *, regel=None, zegel=None):
        uitslag.fout, uitslag.regel_id, uitslag.zegel_id = tekst, regel, zegel
        return uitslag

    zegels = AuditZegel.objects.order_by("vanaf_xact", "vanaf_id")
    for zegel in zegels.iterator(chunk_size=20):
        naam = zegelnaam(zegel)
        if zegel.vorige_hash != vorige_hash or (
            verwacht_vanaf is not None and (zegel.vanaf_xact, zegel.vanaf_id) != verwacht_vanaf
        ):
            if vorige_zegel is None:
                waar = "het begin van het auditlog"
            else:
                waar = zegelnaam(vorige_zegel)
            return breuk(
                f"De keten is gebroken bij {naam}: die sluit niet aan op {waar}. "
                "Er is een zegel verwijderd of gewijzigd.",
                zegel=zegel.pk,
            )
        if (
            not zegel.regel_ids
            or len(zegel.regel_ids) != len(zegel.regel_hashes)
            or len(set(zegel.regel_ids)) != len(zegel.regel_ids)
            or zegel.regel_ids[-1] != zegel.tot_id
            or zegel.hash != zegel.regel_hashes[-1]
        ):
            return breuk(f"{naam.capitalize()} is zelf gewijzigd: zijn inhoud klopt niet.",
                         zegel=zegel.pk)  # fmt: skip
        nog = set(zegel.regel_ids)  # the seal's rows not met yet
        verzegeld = iter(zip(zegel.regel_ids, zegel.regel_hashes, strict=True))
        keten = vorige_hash
        volgende = next(verzegeld, None)
        rows = _rows(
            _positie(">=", zegel.vanaf_xact, zegel.vanaf_id),
            _positie("<=", zegel.tot_xact, zegel.tot_id),
        )
        for row in rows.iterator(chunk_size=2000):
            if volgende is not None and volgende[0] != row["id"] and row["id"] in nog:
                return breuk(
                    f"Regel {volgende[0]} ontbreekt: verwijderd na het verzegelen ({naam}).",
                    regel=volgende[0], zegel=zegel.pk,
                )  # fmt: skip
            if volgende is None or volgende[0] != row["id"]:
                return breuk(
                    f"Regel {row['id']} staat binnen het bereik van {naam} maar is niet "
                    "verzegeld: toegevoegd na het verzegelen.",
                    regel=row["id"], zegel=zegel.pk,
                )  # fmt: skip
            keten = schakel(keten, row)
            if keten != volgende[1]:
                return breuk(
                    f"Regel {row['id']} is gewijzigd na het verzegelen ({naam}).",
                    regel=row["id"], zegel=zegel.pk,
                )  # fmt: skip
            uitslag.regels += 1
            nog.discard(row["id"])
            volgende = next(verzegeld, None)
        if volgende is not None:
            return breuk(
                f"Regel {volgende[0]} ontbreekt: verwijderd na het verzegelen ({naam}).",
                regel=volgende[0], zegel=zegel.pk,
            )  # fmt: skip
        uitslag.zegels += 1
        vorige_hash, vorige_zegel = zegel.hash, zegel
        verwacht_vanaf = (zegel.tot_xact, zegel.tot_id + 1)
    uitslag.laatste_hash = vorige_hash
    na = (vorige_zegel.tot_xact, vorige_zegel.tot_id) if vorige_zegel else (0, 0)
    uitslag.ongezegeld = _rows(
        _positie(">", *na), xact__lt=grens(), tijdstip__lte=_wachttijd(nu or timezone.now())
    ).count()
    return uitslag
