"""Bulk loading with PostgreSQL COPY (text format), streamed in chunks from Python rows.

``Tabel(Model)`` knows the model's concrete columns and their defaults; rows are given as
dicts of attnames (``gemeente_id``) and whatever is left out takes the field's default (NULL,
"" for a blank text field, the field's ``default``, a fixed timestamp for auto_now fields).
"""

from __future__ import annotations

import datetime
import io
import json
import time
import uuid
from decimal import Decimal

CHUNK = 100_000
NU = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        value = value.replace("\r", "\\r")
    return value


def tekst(value) -> str:
    """One value in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, int | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "{" + ",".join(_array_item(v) for v in value) + "}"
    if isinstance(value, dict):
        return _escape(json.dumps(value))
    return _escape(str(value))


def _array_item(value) -> str:
    if value is None:
        return "NULL"
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _default(field):
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return NU
    if field.has_default():
        default = field.default
        if callable(default):
            if default is uuid.uuid4:
                return None  # must be given per row
            value = default()
            if isinstance(value, datetime.datetime):
                return NU
            if isinstance(value, datetime.date):
                return NU.date()
            return value
        return default
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""
    return None


class Tabel:
    """COPY rows into one model's table (or an M2M through table)."""

    def __init__(self, model, cursor, *, kolommen: list[str] | None = None):
        self.model = model
        self.cursor = cursor
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields]
        if kolommen is not None:
            fields = [f for f in fields if f.attname in kolommen]
        self.fields = fields
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = [_default(f) for f in fields]
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0
        self.seconds = 0.0

    def add(self, row: dict):
        values = [
            row[name] if name in row else default
            for name, default in zip(self.attnames, self.defaults, strict=True)
        ]
        self.buffer.write("\t".join([tekst(v) for v in values]))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= CHUNK:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        started = time.perf_counter()
        self.buffer.seek(0)
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.copy_expert(f'COPY "{self.table}" ({cols}) FROM STDIN', self.buffer)
        self.count += self.pending
        self.pending = 0
        self.buffer = io.StringIO()
        self.seconds += time.perf_counter() - started

    def close(self) -> int:
        self.flush()
        return self.count


def reset_sequences(cursor, models):
    """Move each table's id sequence past the ids written by COPY."""
    for model in models:
        pk = model._meta.pk
        if pk.get_internal_type() not in {"AutoField", "BigAutoField"}:
            continue
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column}'), "
            f'COALESCE((SELECT MAX("{pk.column}") FROM "{table}"), 0) + 1, false)'
        )
