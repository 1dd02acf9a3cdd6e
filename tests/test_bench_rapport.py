"""BENCHMARKS.md keeps the history of runs (config/bench.py): the goals must hold in consecutive
runs on one machine, which only the history shows; and the raised goals per list (issue 20)."""

import datetime

from config import bench
from config.benchdata.load import server_sql
from config.benchdata.measure import Lijst, Rij

NU = datetime.datetime(2026, 12, 7, 23, 0, tzinfo=datetime.UTC)


def lijst(naam, p50, p95, sql):
    return Lijst(naam, p50, p95, sql, 10, False)


def test_each_run_adds_a_line_and_keeps_the_earlier_ones():
    rows = [Rij("a", "1 ms", "p95 < 50 ms", True), Rij("b", "60 ms", "p95 < 50 ms", False)]
    meta = {
        "lijsten": [lijst("snel", 0.010, 0.020, 0.006), lijst("traag", 0.040, 0.060, 0.010)],
        "per_seconde": 81.4,
    }
    eerste = "\n".join(bench.runs_sectie("", rows, meta, 1.0, NU))
    assert eerste.count("| 2026-12-07 23:00 UTC |") == 1
    regel = eerste.splitlines()[-1]
    cellen = [c.strip() for c in regel.strip("|").split("|")]
    # goals missed; worst p95 of the lists; p95 < 35 ms and p50 ≤ 2× SQL: one list each
    assert cellen[3:8] == ["1 of 2", "60.0 ms", "1 of 2", "1 of 2", "81 req/s"]

    vorige = f"# Benchmarks\n\n{eerste}\n## Audit seal window\n\n| rows | n |\n"
    later = NU + datetime.timedelta(hours=1)
    tweede = bench.runs_sectie(vorige, rows, meta, 1.0, later)
    data = [r for r in tweede if r.startswith("| 2026")]
    assert [r[:22] for r in data] == ["| 2026-12-07 23:00 UTC", "| 2026-12-08 00:00 UTC"]
    assert not any("rows" in r for r in tweede)  # the next section is not taken along


def test_a_list_against_the_raised_goals():
    assert lijst("x", 0.020, 0.030, 0.010).tabelregel().endswith("| 2.0× | met | met |")
    assert (
        lijst("x", 0.030, 0.036, 0.010).tabelregel().endswith("| 3.0× | **missed** | **missed** |")
    )


def test_the_servers_sql_time_from_its_header():
    assert server_sql('db;dur=12.50;desc="14 queries", app;dur=40.10') == (0.0125, 14)
    assert server_sql("app;dur=40.1") is None
    assert server_sql(None) is None


def test_a_new_run_keeps_the_sections_written_by_hand(tmp_path, monkeypatch):
    resultaat = tmp_path / "BENCHMARKS.md"
    monkeypatch.setattr(bench, "RESULT", resultaat)
    resultaat.write_text(
        "# Benchmarks\n\n| what | figure |\n|---|---|\n| oud | 9 ms |\n\n"
        "## Audit seal window\n\nzegel: 30 s\n\n"
        "## Changes measured\n\n### {% url %}\n\nwerkvoorraad 78 → 66 ms\n"
    )
    bench.write([Rij("nieuw", "1 ms", "p95 < 50 ms", True)], {}, 1.0, 12.0)
    tekst = resultaat.read_text()
    assert "| nieuw | 1 ms |" in tekst and "| oud |" not in tekst
    assert "## Audit seal window\n\nzegel: 30 s" in tekst
    assert "## Changes measured\n\n### {% url %}\n\nwerkvoorraad 78 → 66 ms" in tekst
