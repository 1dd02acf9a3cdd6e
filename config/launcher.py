"""`make run`: embedded PostgreSQL and Valkey, migrations, demo data, Celery worker and beat,
and the web server — one Ctrl-C stops them all.

Each child runs in its own process group so that stopping it also stops its children (runserver's
autoreloader, Celery's pool). PostgreSQL daemonizes and is stopped with pg_ctl. The addresses go
to var/run.json, which the dev settings read, so `manage.py` in a second terminal uses the same
database and broker.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from config.embedded import create_database, free_port, start_postgres, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
# REGIOZORG_VAR_DIR moves the data (tests run a launcher of their own beside a developer's).
VAR = Path(os.environ.get("REGIOZORG_VAR_DIR") or ROOT / "var").resolve()
RUN_FILE = VAR / "run.json"
PY = sys.executable


class Health:
    def __init__(self, ok: bool, detail: str = ""):
        self.ok, self.detail = ok, detail

    def __bool__(self):
        return self.ok


def wait_for_health(port: int, timeout: float) -> Health:
    """Wait until /health/ answers 200 (database, broker and a worker all ready)."""
    deadline = time.monotonic() + timeout
    detail = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as r:
                return Health(r.status == 200)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
        except OSError as exc:
            detail = str(exc)
        time.sleep(0.5)
    return Health(False, detail)


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Launcher:
    def __init__(self):
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False
        self.pg = None

    def on_signal(self, signum, frame):
        self.stopping = True

    def spawn(self, name: str, cmd: list[str], env: dict):
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        self.procs.append((name, process))
        return process

    def write_run_file(self, redis_url: str):
        RUN_FILE.write_text(
            json.dumps(
                {
                    "pg_host": self.pg.host,
                    "pg_port": self.pg.port,
                    "redis_url": redis_url,
                    "pids": {name: process.pid for name, process in self.procs},
                },
                indent=2,
            )
        )

    def manage(self, env: dict, *args: str):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)
        started = time.monotonic()
        VAR.mkdir(parents=True, exist_ok=True)
        web_port = int(os.environ.get("PORT", "8000"))
        if port_in_use(web_port):
            print(
                f"regiozorg: poort {web_port} is al in gebruik; kies een andere: PORT=8001 make run"
            )
            return 1
        failed = False
        try:
            print("regiozorg: PostgreSQL starten (var/pg) …", flush=True)
            self.pg = start_postgres(VAR / "pg", cleanup_mode="stop")
            create_database(self.pg, "regiozorg")

            valkey_port = int(os.environ.get("VALKEY_PORT", "0")) or free_port()
            from config.embedded import valkey_command

            self.spawn("valkey", valkey_command(valkey_port, VAR / "valkey"), dict(os.environ))
            wait_for_port(valkey_port)
            redis_url = f"redis://127.0.0.1:{valkey_port}/0"
            self.write_run_file(redis_url)
            env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev")
            for name in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "REDIS_URL"):
                env.pop(name, None)  # the dev settings take these from the run file

            print("regiozorg: migraties en demodata …", flush=True)
            self.manage(env, "migrate", "--noinput", "-v", "0")
            self.manage(env, "demo")

            celery = [PY, "-m", "celery", "-A", "config"]
            self.spawn(
                "worker",
                # One worker on both queues here; in production each queue has its own workers.
                [*celery, "worker", "-l", "warning", "-P", "prefork", "-c", "2",
                 "-Q", "interactive,batch"],
                env,
            )  # fmt: skip
            self.spawn("beat", [*celery, "beat", "-l", "warning"], env)
            self.spawn("web", [PY, "manage.py", "runserver", f"127.0.0.1:{web_port}"], env)
            wait_for_port(web_port, timeout=30)
            self.write_run_file(redis_url)
            healthy = wait_for_health(web_port, timeout=60)
            self.banner(web_port, time.monotonic() - started)
            if not healthy:
                print(f"regiozorg: let op, /health/ is nog niet in orde: {healthy.detail}")
            while not self.stopping and all(p.poll() is None for _, p in self.procs):
                time.sleep(0.3)
            for name, process in self.procs:
                if process.poll() is not None and not self.stopping:
                    print(f"regiozorg: {name} is gestopt (code {process.returncode}); alles stopt.")
                    failed = True
        except subprocess.CalledProcessError as exc:
            print(
                f"regiozorg: {' '.join(map(str, exc.cmd[1:3]))} mislukte (code {exc.returncode})."
            )
            return 1
        finally:
            self.stop_all()
        return 1 if failed else 0

    def stop_all(self):
        print("\nregiozorg: stoppen …", flush=True)
        for _, process in reversed(self.procs):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for _, process in reversed(self.procs):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.pg is not None:
            self.pg.stop()
        RUN_FILE.unlink(missing_ok=True)
        print("regiozorg: alles gestopt.", flush=True)

    @staticmethod
    def banner(port: int, seconds: float):
        from demo.gebruikers import DEMO_USERS

        print(f"\nregiozorg draait op http://127.0.0.1:{port}/  (gestart in {seconds:.1f} s)")
        print("Demo-logins (wachtwoord: demo):")
        for username, description in DEMO_USERS:
            print(f"  {username:<24} {description}")
        print("Stoppen: Ctrl-C\n", flush=True)


if __name__ == "__main__":
    sys.exit(Launcher().run())
