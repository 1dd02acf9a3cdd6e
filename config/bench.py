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
    rows.extend(verevening_1m())
    return rows


def verevening_1m() -> list[tuple[str, str, str]]:
    """The verevening of regio Amersfoort over 1,000,000 generated kostenregels of 20,000
    clients (set-based INSERT … SELECT), against one hand-written SQL statement computing the
    same aggregates (T and N_g per gemeente)."""
    from decimal import Decimal

    from django.db import connection

    from financien import runs
    from financien.models import Jaarparameters
    from financien.services import verdeelmodel_vastleggen
    from regio.models import Gemeente, Regio

    regio = Regio.objects.get(code="amersfoort")
    aandelen = {"0307": "56.52", "0308": "6.35", "0313": "4.66", "0327": "7.45",
                "0267": "9.47", "0342": "12.08", "0351": "3.48"}  # fmt: skip
    gemeenten = {g.code: g for g in Gemeente.objects.filter(code__in=aandelen)}
    verdeelmodel_vastleggen(regio, 2026, {gemeenten[c]: Decimal(p) for c, p in aandelen.items()})
    Jaarparameters.objects.create(
        regio=regio, jaar=2026, peildatum_nieuw=datetime.date(2022, 1, 1),
        alpha=Decimal("0.5"), centrumgemeentebudget=Decimal("900000000.00"),
    )  # fmt: skip
    ids = "{" + ",".join(str(gemeenten[c].pk) for c in sorted(aandelen)) + "}"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE bench_client AS
            SELECT n, gen_random_uuid() AS id FROM generate_series(1, 20000) n;
            INSERT INTO toegang_client (id, aangemaakt_op) SELECT id, now() FROM bench_client;
            INSERT INTO financien_eerstebwstart
                (client_id, regio_id, gemeente_herkomst_id, datum, bron)
            SELECT id, %(regio)s, (%(ids)s::int[])[1 + n %% 7],
                   DATE '2012-01-01' + (n * 7919 %% 4000), 'conversie'
            FROM bench_client;
            INSERT INTO financien_kostenregel
                (regio_id, jaar, client_id, gemeente_herkomst_id, bron, referentie,
                 periode_begin, periode_einde, bedrag, vastgelegd_op)
            SELECT %(regio)s, 2026, c.id, (%(ids)s::int[])[1 + c.n %% 7], 'handmatig',
                   'bench-' || r, DATE '2026-01-01' + (r %% 365), DATE '2026-01-01' + (r %% 365),
                   100 + (r * 31 %% 90000) / 100.0, now()
            FROM generate_series(1, 1000000) r JOIN bench_client c ON c.n = 1 + r %% 20000;
            ANALYZE financien_kostenregel; ANALYZE financien_eerstebwstart;
            """,
            {"regio": regio.pk, "ids": ids},
        )
    genereren = time.perf_counter() - started
    hand = """
        SELECT k.gemeente_herkomst_id, SUM(k.bedrag),
               SUM(k.bedrag) FILTER (WHERE COALESCE(e.datum, k.periode_begin) >= %s)
        FROM financien_kostenregel k
        LEFT JOIN financien_eerstebwstart e ON e.client_id = k.client_id
        LEFT JOIN inkoop_product p ON p.id = k.functie_id
        WHERE k.regio_id = %s AND k.jaar = 2026
          AND (k.functie_id IS NULL OR p.domein = 'beschermd_wonen')
        GROUP BY 1
    """

    def handgeschreven():
        with connection.cursor() as cursor:
            cursor.execute(hand, [datetime.date(2022, 1, 1), regio.pk])
            return cursor.fetchall()

    sql, _ = timed(handgeschreven, repeat=3)
    run, _ = timed(lambda: runs.bereken_run(regio, 2026), repeat=3)
    return [
        ("verevening data: 1,000,000 kostenregels, 20,000 clients (generation)",
         f"{genereren:.1f} s", "—"),
        ("verevening run, one regio, 1,000,000 kostenregels (median of 3; job path: gather, "
         "compute, store)", f"{run:.2f} s", "< 3 s"),
        ("the same aggregate as one hand-written SQL statement (median of 3)", f"{sql:.2f} s",
         "—"),
        ("ratio verevening run / hand-written SQL", f"{run / sql:.2f}×", "≤ 1.5×"),
    ]  # fmt: skip


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
