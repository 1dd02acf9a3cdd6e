import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"Missing migrations (exit {exc.code}):\n{out.getvalue()}")


@pytest.mark.slow(35)
@pytest.mark.django_db
def test_an_empty_database_migrates_from_zero():
    """``manage.py migrate`` on a new, empty database (as a fresh installation runs it) applies
    every migration of every app and leaves a table for every model."""
    instellingen = connection.settings_dict
    naam = f"leeg_{uuid.uuid4().hex[:8]}"
    beheer = psycopg2.connect(
        host=instellingen["HOST"], port=instellingen["PORT"], user=instellingen["USER"],
        dbname="postgres",
    )  # fmt: skip
    beheer.autocommit = True
    try:
        with beheer.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{naam}"')
        env = dict(os.environ, POSTGRES_DB=naam, DJANGO_SETTINGS_MODULE="config.settings.test")
        uitkomst = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert uitkomst.returncode == 0, uitkomst.stderr[-3000:]
        nieuw = psycopg2.connect(
            host=instellingen["HOST"], port=instellingen["PORT"], user=instellingen["USER"],
            dbname=naam,
        )  # fmt: skip
        try:
            with nieuw.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                tabellen = {rij[0] for rij in cursor.fetchall()}
                cursor.execute("SELECT count(*) FROM django_migrations")
                toegepast = cursor.fetchone()[0]
        finally:
            nieuw.close()
        modellen = {m._meta.db_table for m in apps.get_models() if m._meta.managed}
        assert modellen - tabellen == set()
        from django.db.migrations.loader import MigrationLoader

        assert toegepast == len(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    finally:
        with beheer.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')
        beheer.close()
