"""Where a list page of the benchmark spends its time, in-process on the generated data (run
`make bench` once first): per page the median of its whole request through Django (test client,
every middleware) and of its SQL, and with ``--cprofile`` the functions that cost the most.

    python -m config.benchdata.profiel                      # every list page
    python -m config.benchdata.profiel dashboard --cprofile # pages whose name has "dashboard"
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.benchdata.profiel")
    parser.add_argument("naam", nargs="?", default="", help="part of a page's name")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("-n", type=int, default=60, help="requests per page")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="every query with its median time")
    parser.add_argument(
        "--sjablonen", action="store_true", help="time per template, without its includes"
    )
    parser.add_argument("--dump", metavar="PAD", help="write the raw cProfile stats there")
    args = parser.parse_args(argv)

    from config.bench import _start_cluster
    from config.benchdata import database

    pg = _start_cluster()
    dbname = database.naam(args.scale)
    meta = database.lees_meta(pg, dbname)
    if meta is None:
        print(f"no generated data in {dbname}: run `make bench` first", file=sys.stderr)
        return 1
    os.environ.update(database.django_omgeving(pg.host, pg.port, dbname))
    import datetime

    import django

    django.setup()
    from config.benchdata import measure

    ctx = measure.Context(
        scale=args.scale,
        anker=datetime.date.fromisoformat(meta["anker"]),
        api_tokens=meta["api_tokens"],
        pg_host=pg.host,
        pg_port=pg.port,
        dbname=dbname,
        quick=False,
        notities=[],
    )
    for verzoek in measure.verzoeken(ctx):
        if args.naam in verzoek.naam:
            meet(verzoek, args)
    return 0


def meet(verzoek, args) -> None:
    """One page: its median time, its SQL and (with --sql / --cprofile) where it goes."""
    from django.db import connection

    from config.benchdata.measure import in_proces

    client, headers = in_proces(verzoek)
    sql = [0.0]
    aantal = [0]
    per_query: dict[int, tuple[str, list[float]]] = {}

    def tel(execute, sql_tekst, *a):
        begin = time.perf_counter()
        try:
            return execute(sql_tekst, *a)
        finally:
            duur = time.perf_counter() - begin
            sql[0] += duur
            per_query.setdefault(aantal[0], (sql_tekst, []))[1].append(duur)
            aantal[0] += 1

    for _ in range(5):
        assert client.get(verzoek.pad, headers=headers).status_code == 200
    per_sjabloon = sjabloontijden() if args.sjablonen else None
    totaal, queries = [], []
    profiler = cProfile.Profile() if args.cprofile else None
    with connection.execute_wrapper(tel):
        for _ in range(args.n):
            sql[0], aantal[0] = 0.0, 0
            begin = time.perf_counter()
            if profiler:
                profiler.enable()
            client.get(verzoek.pad, headers=headers)
            if profiler:
                profiler.disable()
            totaal.append(time.perf_counter() - begin)
            queries.append(sql[0])
    p50, s50 = statistics.median(totaal), statistics.median(queries)
    print(
        f"{verzoek.naam}: p50 {p50 * 1000:.1f} ms, SQL {s50 * 1000:.1f} ms "
        f"({aantal[0]} queries), Python {(p50 - s50) * 1000:.1f} ms, {p50 / s50:.1f}× SQL",
        flush=True,
    )
    if args.sql:
        for i, (tekst, tijden) in sorted(per_query.items()):
            print(f"  {i:2} {statistics.median(tijden) * 1000:6.2f} ms  {tekst[:3000]}")
    if per_sjabloon is not None:
        for naam, duur in sorted(per_sjabloon.items(), key=lambda x: -x[1])[:25]:
            print(f"  {duur / args.n * 1000:7.2f} ms  {naam}")
    if profiler and args.dump:
        profiler.dump_stats(args.dump)
    if profiler:
        for sortering in ("tottime", "cumulative"):
            uit = io.StringIO()
            pstats.Stats(profiler, stream=uit).sort_stats(sortering).print_stats(args.top)
            print(uit.getvalue())


def sjabloontijden() -> dict[str, float]:
    """Time spent in each template per request, without the templates it includes or extends
    (Template._render is wrapped; the dict fills as requests render)."""
    from django.template.base import Template

    tijden: dict[str, float] = {}
    stapel: list[list] = []
    origineel = Template._render

    def _render(self, context):
        stapel.append([self.origin.template_name if self.origin else "?", 0.0])
        begin = time.perf_counter()
        try:
            return origineel(self, context)
        finally:
            naam, kinderen = stapel.pop()
            duur = time.perf_counter() - begin
            tijden[naam] = tijden.get(naam, 0.0) + duur - kinderen
            if stapel:
                stapel[-1][1] += duur

    Template._render = _render
    return tijden


if __name__ == "__main__":
    sys.exit(main())
