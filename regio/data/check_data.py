"""Consistency checks for the reference data in this folder (standard library only).

Run: python3 regio/data/check_data.py   (exit code 0 = all checks pass)
"""

import csv
import datetime
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
BW, BG = "beschermd_wonen", "begeleiding"
PEILDATUM = datetime.date(2026, 1, 1)
MIN, MAX = datetime.date.min, datetime.date.max

errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def read(name):
    with open(HERE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def parse(value, default):
    if not value:
        return default
    return datetime.date.fromisoformat(value)


gemeenten = read("gemeenten.csv")
regios = read("regios.csv")
leden = read("lidmaatschappen.csv")

# gemeenten.csv
codes = [g["code"] for g in gemeenten]
check(len(codes) == len(set(codes)), "gemeenten.csv: duplicate codes")
check(all(re.fullmatch(r"\d{4}", c) for c in codes), "gemeenten.csv: code not 4 digits")
check(all(g["naam"] and g["provincie"] for g in gemeenten), "gemeenten.csv: empty naam/provincie")
gem = set(codes)
check("0345" in gem, "gemeenten.csv: Veenendaal 0345 missing")

# regios.csv
rcodes = [r["code"] for r in regios]
check(len(rcodes) == len(set(rcodes)), "regios.csv: duplicate codes")
check(
    all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c) and len(c) <= 50 for c in rcodes),
    "regios.csv: code is not a lowercase ASCII slug of at most 50 chars",
)
regio = {r["code"]: r for r in regios}
bw_regios = [r["code"] for r in regios if r["domein"] == BW]
check(len(bw_regios) == 43, f"regios.csv: {len(bw_regios)} beschermd_wonen regions, expected 43")
check(all(r["domein"] in (BW, BG) for r in regios), "regios.csv: unknown domein")
for r in regios:
    check(
        r["centrumgemeente"] in gem,
        f"regios.csv: centrumgemeente {r['centrumgemeente']} of {r['code']} unknown",
    )

# lidmaatschappen.csv
periods = defaultdict(list)  # (gemeente, domein) -> [(begin, einde, regio)]
for i, m in enumerate(leden, start=2):
    where = f"lidmaatschappen.csv line {i}"
    check(m["regio"] in regio, f"{where}: unknown regio {m['regio']}")
    check(m["gemeente"] in gem, f"{where}: unknown gemeente {m['gemeente']}")
    check(m["domein"] in (BW, BG), f"{where}: unknown domein {m['domein']}")
    check(m["bron"] in ("seed", "domain", "provincie"), f"{where}: unknown bron {m['bron']}")
    if m["domein"] == BW and m["regio"] in regio:
        check(regio[m["regio"]]["domein"] == BW, f"{where}: BW membership of a non-BW regio")
    try:
        begin, einde = parse(m["begin"], MIN), parse(m["einde"], MAX)
    except ValueError:
        errors.append(f"{where}: date not ISO")
        continue
    check(begin <= einde, f"{where}: einde before begin")
    periods[(m["gemeente"], m["domein"])].append((begin, einde, m["regio"]))

# no overlapping periods per gemeente per domein (begin/einde inclusive)
for (g, dom), ps in periods.items():
    ps.sort()
    for (_b1, e1, r1), (b2, _e2, r2) in zip(ps, ps[1:], strict=False):
        check(b2 > e1, f"overlap: {g} {dom} in {r1} and {r2}")


def regio_op(g, dom, day):
    return [r for b, e, r in periods.get((g, dom), []) if b <= day <= e]


# every gemeente in exactly one BW region on the peildatum (and on some earlier dates)
for day in (
    datetime.date(2020, 10, 29),
    datetime.date(2021, 12, 31),
    datetime.date(2022, 1, 1),
    PEILDATUM,
):
    for g in sorted(gem):
        rs = regio_op(g, BW, day)
        check(len(rs) == 1, f"{g} is in {len(rs)} BW regions on {day}: {rs}")

# every centrumgemeente is a member of its own region (in the region's domein) on the peildatum
for r in regios:
    check(
        r["code"] in regio_op(r["centrumgemeente"], r["domein"], PEILDATUM),
        f"centrumgemeente {r['centrumgemeente']} not a member of its own regio {r['code']}",
    )


# fixed facts from DOMAIN.md
def leden_op(rc, dom, day):
    return {
        g
        for (g, d), ps in periods.items()
        if d == dom
        for b, e, r in ps
        if r == rc and b <= day <= e
    }


amf = {"0307", "0308", "0313", "0327", "0267", "0342", "0351"}
check(leden_op("amersfoort", BW, PEILDATUM) == amf, "amersfoort BW members wrong")
check(
    leden_op("amersfoort", BW, datetime.date(2021, 12, 31)) == amf | {"0345"},
    "amersfoort BW 2021 wrong",
)
check(
    leden_op("amersfoort", BG, PEILDATUM) == amf - {"0267"}, "amersfoort begeleiding members wrong"
)
check(
    leden_op("amersfoort", BG, datetime.date(2021, 12, 31)) == amf - {"0267"},
    "amersfoort begeleiding 2021 wrong (Veenendaal was never a member for begeleiding)",
)
ede = [r["code"] for r in regios if r["centrumgemeente"] == "0228" and r["domein"] == BW]
check(
    len(ede) == 1 and regio_op("0345", BW, datetime.date(2022, 1, 1)) == ede,
    "Veenendaal not in Ede's region from 2022",
)
check(
    {"1895", "0037"} <= leden_op("groningen", BW, PEILDATUM),
    "Oldambt/Stadskanaal not in groningen BW",
)
check(
    leden_op("oldambt-stadskanaal", BG, PEILDATUM) == {"1895", "0037"},
    "oldambt-stadskanaal members wrong",
)
check(
    rcodes[-1] == "oldambt-stadskanaal", "oldambt-stadskanaal should be the last row of regios.csv"
)

if errors:
    print(f"{len(errors)} problem(s):")
    for e in errors[:50]:
        print(" -", e)
    sys.exit(1)
print(
    f"OK: {len(gemeenten)} gemeenten, {len(regios)} regio's ({len(bw_regios)} beschermd wonen), "
    f"{len(leden)} lidmaatschappen"
)
