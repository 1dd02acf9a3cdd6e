"""Sealing the audit log into a hash chain, and checking it (BIO 8.15: tamper evidence).

Writing a request's audit row stays one INSERT; a scheduled task (``audit.verzegelen``, every
five minutes) seals the rows afterwards, in id order, in batches of at most ``BATCH`` rows per
``AuditZegel``. The chain value after a row is ``sha256(previous chain value || canonical(row))``
(the previous value as its 64 hex characters, ``GENESIS`` before the first row); a seal keeps the
value after each of its rows and the value before its first row, so the seals form one chain
over every sealed row.

Rows are sealed only once they are older than ``REGIOZORG_AUDIT_ZEGEL_WACHTTIJD`` (longer than any
transaction can stay open), and only as an unbroken prefix in id order: a row committed late with
a lower id is never skipped, so every row inside a sealed range is in its seal. A seal covers the
ids from the previous seal's ``tot_id + 1`` to its own ``tot_id``.

``verifieer`` recomputes the chain from the rows and reports the first broken link: a changed,
deleted or added row, or a seal that was removed or does not follow on the previous one. What a
hash chain cannot show by itself is the removal of the newest seal together with its rows; the
verification therefore prints the newest chain value, which operators can keep elsewhere.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

GENESIS = "0" * 64
BATCH = 10_000
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
)


def canonical(row: dict) -> bytes:
    """A deterministic byte string of every column of an audit row (a dict of ``COLUMNS``)."""
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
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def schakel(vorige: str, row: dict) -> str:
    return hashlib.sha256(vorige.encode("ascii") + canonical(row)).hexdigest()


def _grens(nu: datetime.datetime) -> datetime.datetime:
    """Rows recorded before this moment are old enough to seal."""
    return nu - datetime.timedelta(seconds=settings.REGIOZORG_AUDIT_ZEGEL_WACHTTIJD)


def _rows(**filters):
    from regio.models import AuditEntry

    return AuditEntry.objects.filter(**filters).order_by("id").values(*COLUMNS)


def verzegel(*, alles: bool = False, nu: datetime.datetime | None = None) -> int:
    """Seals the unsealed rows older than the waiting time (all of them with ``alles``); returns
    the number of rows sealed. Safe to run twice at once: the second waits and seals nothing."""
    from regio.models import AuditZegel

    nu = nu or timezone.now()
    grens = nu if alles else _grens(nu)
    totaal = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            laatste = AuditZegel.objects.order_by("-vanaf_id").first()
            na_id = laatste.tot_id if laatste else 0
            begin = vorige = laatste.hash if laatste else GENESIS
            ids, hashes = [], []
            for row in _rows(id__gt=na_id)[:BATCH]:
                if row["tijdstip"] > grens:
                    break  # only an unbroken prefix in id order
                vorige = schakel(vorige, row)
                ids.append(row["id"])
                hashes.append(vorige)
            if not ids:
                return totaal
            AuditZegel.objects.create(
                vanaf_id=na_id + 1,
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
    """Scheduled every five minutes (regio migration 0010). Not a JobRun: nobody waits for it."""
    return verzegel()


@dataclass
class Verificatie:
    regels: int = 0
    zegels: int = 0
    fout: str = ""
    regel_id: int | None = None
    zegel_id: int | None = None
    laatste_hash: str = GENESIS
    ongezegeld: int = 0  # rows past the waiting time that are not sealed yet

    @property
    def intact(self) -> bool:
        return not self.fout


def zegelnaam(zegel) -> str:
    return f"zegel {zegel.pk} (regels {zegel.vanaf_id}–{zegel.tot_id})"


def verifieer(*, nu: datetime.datetime | None = None) -> Verificatie:
    """Walks every seal in order and recomputes the chain from the rows; stops at the first
    broken link and says which row or seal it is."""
    from regio.models import AuditZegel

    uitslag = Verificatie()
    vorige_hash, verwacht_vanaf, vorige_zegel = GENESIS, None, None

    def breuk(tekst, *, regel=None, zegel=None):
        uitslag.fout, uitslag.regel_id, uitslag.zegel_id = tekst, regel, zegel
        return uitslag

    for zegel in AuditZegel.objects.order_by("vanaf_id").iterator(chunk_size=20):
        naam = zegelnaam(zegel)
        if zegel.vorige_hash != vorige_hash or (
            verwacht_vanaf is not None and zegel.vanaf_id != verwacht_vanaf
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
            or zegel.regel_ids != sorted(set(zegel.regel_ids))
            or zegel.regel_ids[0] < zegel.vanaf_id
            or zegel.regel_ids[-1] != zegel.tot_id
            or zegel.hash != zegel.regel_hashes[-1]
        ):
            return breuk(f"{naam.capitalize()} is zelf gewijzigd: zijn inhoud klopt niet.",
                         zegel=zegel.pk)  # fmt: skip
        verzegeld = iter(zip(zegel.regel_ids, zegel.regel_hashes, strict=True))
        keten = vorige_hash
        volgende = next(verzegeld, None)
        for row in _rows(id__gte=zegel.vanaf_id, id__lte=zegel.tot_id).iterator(chunk_size=2000):
            if volgende is not None and volgende[0] < row["id"]:
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
            volgende = next(verzegeld, None)
        if volgende is not None:
            return breuk(
                f"Regel {volgende[0]} ontbreekt: verwijderd na het verzegelen ({naam}).",
                regel=volgende[0], zegel=zegel.pk,
            )  # fmt: skip
        uitslag.zegels += 1
        vorige_hash, verwacht_vanaf, vorige_zegel = zegel.hash, zegel.tot_id + 1, zegel
    uitslag.laatste_hash = vorige_hash
    grens = _grens(nu or timezone.now())
    uitslag.ongezegeld = _rows(id__gte=verwacht_vanaf or 0, tijdstip__lte=grens).count()
    return uitslag
