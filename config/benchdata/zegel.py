"""`make bench-zegel`: how long an audit row stays unsealed after its commit (issue 17, item 17).

On a throw-away database ``bench_zegel`` of the bench's cluster: short transactions commit one
audit row each, several per second, from two threads; a long job opens one transaction a while
after the start, writes a row every second for ``--lang`` seconds and commits; the sealer runs
every ``--interval`` seconds on a fixed schedule, as Celery beat runs ``audit.verzegelen``. Each
thread has its own connection. Per row the window is the time from its commit (the writer's
clock after COMMIT returned) to the commit of the seal that holds it. The figures go to the
section "Audit seal window" of BENCHMARKS.md (kept by `make bench`).

    python -m config.benchdata.zegel                 # interval 30 s, 210 s, long job 120 s
    python -m config.benchdata.zegel --interval 5 --duur 60 --lang 30
"""

from __future__ import annotations

import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time

from config.bench import RESULT, ROOT, commit, machine

INTERVAL = 30  # regio.audit_seal.INTERVAL (not imported: Django is set up in the child only)

KOP = "## Audit seal window"


def meet(interval: float, duur: float, lang: float, lang_start: float) -> dict:
    """Runs the scenario in this process (Django set up, database migrated)."""
    from django.db import connections, transaction

    from regio import audit, audit_seal
    from regio.models import AuditZegel

    gecommit: dict[int, tuple[float, str]] = {}  # row id → (commit time, kind)
    gezegeld: dict[int, float] = {}  # row id → commit time of its seal
    stop, schrijvers_klaar = threading.Event(), threading.Event()
    lang_open = threading.Event()
    lock = threading.Lock()
    start = time.time()

    def schrijf(soort):
        return audit.record("view", object_type="toegang.dossier", object_ids=[soort], actor=None)

    def kort(seed):
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                with transaction.atomic():
                    row = schrijf("kort")
                soort = "kort, terwijl de lange taak open is" if lang_open.is_set() else "kort"
                with lock:
                    gecommit[row.pk] = (time.time(), soort)
                time.sleep(rng.uniform(0.1, 0.4))
        finally:
            connections.close_all()

    def lange_taak():
        try:
            time.sleep(lang_start)
            ids = []
            with transaction.atomic():
                lang_open.set()
                einde = time.time() + lang
                while time.time() < einde:
                    ids.append(schrijf("lang").pk)
                    time.sleep(1)
            lang_open.clear()
            klaar = time.time()
            with lock:
                for pk in ids:
                    gecommit[pk] = (klaar, "lange taak")
        finally:
            connections.close_all()

    def zegelaar():
        gezien = 0
        try:
            k = 1
            while True:
                volgende = start + k * interval
                time.sleep(max(0.0, volgende - time.time()))
                audit_seal.verzegel()
                klaar = time.time()
                for zegel in AuditZegel.objects.filter(pk__gt=gezien).order_by("pk"):
                    gezien = zegel.pk
                    for pk in zegel.regel_ids:
                        gezegeld[pk] = klaar
                k += 1
                if schrijvers_klaar.is_set() and set(gecommit) <= set(gezegeld):
                    return
        finally:
            connections.close_all()

    schrijvers = [threading.Thread(target=kort, args=(i,)) for i in range(2)]
    schrijvers.append(threading.Thread(target=lange_taak))
    verzegelaar = threading.Thread(target=zegelaar)
    for t in [*schrijvers, verzegelaar]:
        t.start()
    time.sleep(duur)
    stop.set()
    for t in schrijvers:
        t.join()
    schrijvers_klaar.set()
    verzegelaar.join()

    per_soort: dict[str, list[float]] = {}
    for pk, (tijd, soort) in gecommit.items():
        per_soort.setdefault(soort, []).append(gezegeld[pk] - tijd)
        per_soort.setdefault("alle regels", []).append(gezegeld[pk] - tijd)
    return {
        soort: {
            "n": len(w),
            "p50": statistics.median(w),
            "p95": statistics.quantiles(w, n=20)[-1] if len(w) > 1 else w[0],
            "max": max(w),
        }
        for soort, w in per_soort.items()
    }


def in_dit_proces(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(meet(args.interval, args.duur, args.lang, args.lang_start)))
    return 0


def schrijf_sectie(uitslag: dict, args, seconden: float):
    now = datetime.datetime.now().astimezone()
    volgorde = ["alle regels", "kort", "kort, terwijl de lange taak open is", "lange taak"]
    lines = [
        KOP,
        "",
        "Written by `make bench-zegel` (config/benchdata/zegel.py): seconds from an audit row's "
        "commit to the commit of the seal that holds it, on a throw-away database.",
        "",
        f"- machine: {machine()}",
        f"- date: {now:%Y-%m-%d %H:%M %Z}",
        f"- commit: {commit()}",
        f"- scenario: sealer every {args.interval:g} s"
        f"{' (as scheduled)' if args.interval == INTERVAL else ''}; two writers committing "
        f"one row per short transaction (every 0.1–0.4 s); a long job opening its transaction at "
        f"{args.lang_start:g} s, writing a row every second for {args.lang:g} s, then committing; "
        f"{args.duur:g} s of writing, {seconden:.0f} s in all",
        "",
        "| rows | n | p50 | p95 | worst |",
        "|---|---|---|---|---|",
    ]
    for soort in volgorde:
        if soort in uitslag:
            r = uitslag[soort]
            lines.append(
                f"| {soort} | {r['n']} | {r['p50']:.1f} s | {r['p95']:.1f} s | {r['max']:.1f} s |"
            )
    lines += [
        "",
        "A row is sealed at the first run of the sealer after its transaction and every "
        "transaction that started writing before it have ended: up to one interval after its "
        "commit, plus, while an older transaction is still open, the rest of that transaction. "
        "The worst case is therefore the longest writing transaction plus one interval (a job "
        "at its hard time limit, `CELERY_TASK_TIME_LIMIT`, plus 30 s); before issue 17 every "
        "row waited 70 to 75 minutes.",
        "",
    ]
    bestaand = RESULT.read_text() if RESULT.exists() else "# Benchmarks\n"
    RESULT.write_text(vervang_sectie(bestaand, "\n".join(lines)))


def sectie(tekst: str, kop: str = KOP) -> str:
    """The section ``kop`` of BENCHMARKS.md (by default "Audit seal window"; '' when absent), up
    to the next second-level heading."""
    if kop not in tekst:
        return ""
    rest = tekst[tekst.index(kop) :]
    einde = rest.find("\n## ", len(kop))
    return rest if einde < 0 else rest[: einde + 1]


def vervang_sectie(tekst: str, nieuw: str) -> str:
    oud = sectie(tekst)
    if oud:
        return tekst.replace(oud, nieuw)
    return tekst.rstrip("\n") + "\n\n" + nieuw


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m config.benchdata.zegel")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between sealings")
    parser.add_argument("--duur", type=float, default=210.0, help="seconds of writing")
    parser.add_argument("--lang", type=float, default=120.0, help="seconds the long job writes")
    parser.add_argument("--lang-start", type=float, default=30.0, help="when the long job starts")
    parser.add_argument("--hier", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.hier:
        return in_dit_proces(args)

    from config.bench import _start_cluster
    from config.benchdata.database import drop_create

    pg = _start_cluster()
    drop_create(pg, "bench_zegel")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "POSTGRES_HOST": pg.host,
        "POSTGRES_PORT": str(pg.port),
        "POSTGRES_DB": "bench_zegel",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "config.benchdata.zegel", "--hier", *(argv or sys.argv[1:])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stderr[-4000:], file=sys.stderr)
        return 1
    uitslag = json.loads(result.stdout.strip().splitlines()[-1])
    schrijf_sectie(uitslag, args, time.perf_counter() - started)
    print(sectie(RESULT.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
