"""`make bench`: timings on this machine, written to BENCHMARKS.md (machine, date, commit).

Runs against a throw-away embedded PostgreSQL (never the `make run` data). A first version
for issue 6: the waiting-list report for one regio over 24 months of history, and the
werkvoorraad page at 1,000 open cases; issue 10 grows it to national scale.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "BENCHMARKS.md"


def machine() -> str:
    cpu = "onbekend"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    geheugen = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        geheugen = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){geheugen}, {platform.system()} {platform.release()}"


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "onbekend"


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    """(median, max) wall-clock seconds over ``repeat`` runs after one warm-up run."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), max(runs)


def main() -> int:
    from config.embedded import create_database, ensure_runtime_dir, start_postgres

    ensure_runtime_dir()
    base = Path(tempfile.mkdtemp(prefix="regiozorg-bench-"))
    pg = start_postgres(base / "pg", cleanup_mode="delete")
    create_database(pg, "bench")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        POSTGRES_HOST=pg.host,
        POSTGRES_PORT=str(pg.port),
        POSTGRES_DB="bench",
    )
    import django
    from django.conf import settings

    settings.DATABASES["default"].update(HOST=pg.host, PORT=str(pg.port), NAME="bench")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = run_benchmarks()
    write(results)
    print(RESULT.read_text())
    return 0


def run_benchmarks() -> list[tuple[str, str, str]]:
    """(what, figure, goal) rows."""
    import random

    from inkoop import demo as inkoop_demo
    from regio import referentiedata
    from regio.models import Regio

    referentiedata.load()
    inkoop_demo.catalogus()
    rows = []

    from toegang import wachtlijst_demo, wachtlijstrapport

    started = time.perf_counter()
    wachtlijst_demo.geschiedenis(random.Random(20261127), regio_code="amersfoort", maanden=24)
    rows.append(("demo history: 24 months of waiting list, regio Amersfoort",
                 f"{time.perf_counter() - started:.2f} s", "—"))  # fmt: skip
    regio = Regio.objects.get(code="amersfoort")
    tot = datetime.date.today().replace(day=1)
    van = (tot - datetime.timedelta(days=730)).replace(day=1)
    median, slowest = timed(lambda: wachtlijstrapport.bereken(regio, van, tot))
    rows.append(("wachtlijstrapport, one regio, 24 months (median / max of 5)",
                 f"{median * 1000:.0f} ms / {slowest * 1000:.0f} ms", "< 2 s"))  # fmt: skip
    rows.append(werkvoorraad_1000())
    return rows


def werkvoorraad_1000() -> tuple[str, str, str]:
    """The consulent's werkvoorraad page with 1,000 open cases (page of 50), through the whole
    Django stack (test client, session, scoping, template)."""
    from django.test import Client

    from regio.models import Gemeente, Rol, Roltoekenning, User
    from toegang.models import Client as Clientsleutel
    from toegang.models import Dossier, Melding, Persoon, bsn_hash
    from toegang.validators import is_valid_bsn

    soest = Gemeente.objects.get(code="0342")
    user = User.objects.create_user("bench-consulent", password=None)
    Roltoekenning.objects.create(
        user=user, rol=Rol.objects.get(code="consulent"), gemeente=soest,
        begin=datetime.date(2020, 1, 1),
    )  # fmt: skip
    bsns = (str(n) for n in range(999_910_000, 999_999_999) if is_valid_bsn(str(n)))
    sleutels = Clientsleutel.objects.bulk_create([Clientsleutel() for _ in range(1000)])
    Persoon.objects.bulk_create(
        Persoon(client=c, bsn=(b := next(bsns)), bsn_hash=bsn_hash(b), geslachtsnaam=f"Bench{i}")
        for i, c in enumerate(sleutels)
    )
    dossiers = Dossier.objects.bulk_create(
        Dossier(client=c, verantwoordelijke_gemeente=soest, geopend_op=datetime.date(2026, 1, 5))
        for c in sleutels
    )
    vandaag = datetime.date.today()
    Melding.objects.bulk_create(
        Melding(dossier=d, ontvangen_op=vandaag - datetime.timedelta(days=20), hulpvraag="Hulp",
                consulent=user, volgende_termijn=vandaag + datetime.timedelta(days=i % 40))
        for i, d in enumerate(dossiers)
    )  # fmt: skip
    browser = Client()
    browser.force_login(user)

    def page():
        response = browser.get("/toegang/werkvoorraad/")
        assert response.status_code == 200

    median, slowest = timed(page, repeat=10)
    figure = f"{median * 1000:.0f} ms / {slowest * 1000:.0f} ms"
    return ("werkvoorraad page, 1,000 open cases (median / max of 10)", figure, "—")


def write(rows):
    now = datetime.datetime.now().astimezone()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (config/bench.py) on a throw-away PostgreSQL; wall-clock times.",
        "",
        f"- machine: {machine()}",
        f"- date: {now:%Y-%m-%d %H:%M %Z}",
        f"- commit: {commit()}",
        f"- python: {sys.version.split()[0]}",
        "",
        "| what | figure | goal |",
        "|---|---|---|",
        *[f"| {what} | {figure} | {goal} |" for what, figure, goal in rows],
        "",
    ]
    RESULT.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
