"""`make run`'s launcher end to end: embedded PostgreSQL and Valkey, migrations, demo data,
worker, beat and web; the login page and /health/ answer 200; one SIGINT stops everything."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from config.embedded import free_port

ROOT = Path(__file__).resolve().parents[1]


def live_members(groups: set[int]) -> list[str]:
    """Processes (not zombies) in any of the given process groups: runserver's reloader child
    and Celery's pool processes are in their parent's group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp in groups and state != "Z":
            found.append(text[: text.rindex(")") + 1])
    return found


@pytest.mark.slow(200)
@pytest.mark.launcher
def test_make_run_launcher_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    env = dict(os.environ, PORT=str(port), REGIOZORG_VAR_DIR=str(tmp_path / "var"))
    # A developer's shell: none of the test session's database or broker variables.
    for name in ("DJANGO_SETTINGS_MODULE", "POSTGRES_HOST", "POSTGRES_PORT", "REDIS_URL"):
        env.pop(name, None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "config.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(launcher.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 300  # migrations from zero and the whole demo
        while time.monotonic() < deadline and launcher.poll() is None:
            if "Stoppen: Ctrl-C" in "".join(output):
                break
            time.sleep(0.2)
        text = "".join(output)
        assert f"regiozorg draait op http://127.0.0.1:{port}/" in text, text[-3000:]
        assert "Demo-logins" in text and "consulent-soest" in text and "ct-groningen" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=10) as r:
            health = json.loads(r.read())
            assert r.status == 200 and health["status"] == "ok", health
        # A manage.py command in a "second terminal" uses the same database without settings.
        second = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from toegang.models import Dossier; print(Dossier.objects.count())"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert int(second.stdout.strip().splitlines()[-1]) >= 210, second.stdout + second.stderr
        pids = json.loads((tmp_path / "var" / "run.json").read_text())["pids"]
        assert set(pids) == {"valkey", "worker", "beat", "web"}
        assert len(live_members(set(pids.values()))) > 4  # the web reloader, the worker pool
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGINT)
        launcher.wait(timeout=60)
        reader.join(timeout=10)
    text = "".join(output)
    assert launcher.returncode == 0, text[-2000:]
    assert "alles gestopt" in text
    time.sleep(0.5)
    assert live_members(set(pids.values())) == []
    assert not (tmp_path / "var" / "run.json").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
