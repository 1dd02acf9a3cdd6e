"""The bench's embedded PostgreSQL cluster under var/bench/ (kept between runs) and its
databases, one per scale; ``bench_meta`` records what generated the data, so a run regenerates
only when the generator's source, the scale, the seed or the anchor month changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CLUSTER = ROOT / "var" / "bench" / "pg"
SETTINGS = "config.benchdata.settings"  # what the bench measures: gunicorn and its jobs


def bron_hash() -> str:
    """sha256 over the generator's source files."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        if path.name in {"generate.py", "copy.py"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def naam(scale: float) -> str:
    return "bench_" + f"{scale:g}".replace(".", "_")


def connect(pg, dbname: str):
    import psycopg2

    conn = psycopg2.connect(host=pg.host, port=pg.port, user="postgres", dbname=dbname)
    conn.autocommit = True
    return conn


def drop_create(pg, dbname: str):
    conn = connect(pg, "postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{dbname}"')
    finally:
        conn.close()


def exists(pg, dbname: str) -> bool:
    conn = connect(pg, "postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
            return cursor.fetchone() is not None
    finally:
        conn.close()


def lees_meta(pg, dbname: str) -> dict | None:
    if not exists(pg, dbname):
        return None
    conn = connect(pg, dbname)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_meta')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT value FROM bench_meta WHERE key = 'meta'")
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        conn.close()


def schrijf_meta(pg, dbname: str, meta: dict):
    conn = connect(pg, dbname)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb)"
            )
            cursor.execute(
                "INSERT INTO bench_meta VALUES ('meta', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [json.dumps(meta)],
            )
    finally:
        conn.close()


def django_omgeving(host: str, port: int, dbname: str, settings: str = SETTINGS) -> dict[str, str]:
    """The variables that point Django (this process or a subprocess) at ``dbname`` of the
    bench's cluster, with ``settings`` (the bench settings unless said otherwise)."""
    return {
        "DJANGO_SETTINGS_MODULE": settings,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_DB": dbname,
    }
