"""Reference data shipped in regio/data/: the CBS gemeenten, the 43 BW regions (seed 003) plus
the begeleiding region Oldambt-Stadskanaal, and their memberships per domein over time.
Loading is idempotent: rows are matched on their natural keys and updated in place."""

import csv
import datetime
from pathlib import Path

from django.db import transaction

from regio.models import Gemeente, Lidmaatschap, Regio

DATA = Path(__file__).resolve().parent / "data"


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load() -> dict:
    existing = {g.code: g for g in Gemeente.objects.all()}
    new = []
    for row in _rows("gemeenten.csv"):
        gemeente = existing.get(row["code"])
        if gemeente is None:
            new.append(Gemeente(code=row["code"], naam=row["naam"], provincie=row["provincie"]))
        elif (gemeente.naam, gemeente.provincie) != (row["naam"], row["provincie"]):
            gemeente.naam, gemeente.provincie = row["naam"], row["provincie"]
            gemeente.save(update_fields=["naam", "provincie"])
    Gemeente.objects.bulk_create(new)
    gemeenten = {g.code: g for g in Gemeente.objects.all()}

    for row in _rows("regios.csv"):
        Regio.objects.update_or_create(
            code=row["code"],
            defaults={"naam": row["naam"], "centrumgemeente": gemeenten[row["centrumgemeente"]]},
        )
    regios = {r.code: r for r in Regio.objects.all()}

    have = set(Lidmaatschap.objects.values_list("regio__code", "gemeente__code", "domein", "begin"))
    leden = []
    for row in _rows("lidmaatschappen.csv"):
        key = (row["regio"], row["gemeente"], row["domein"], _date(row["begin"]))
        if key in have:
            continue
        leden.append(
            Lidmaatschap(
                regio=regios[row["regio"]],
                gemeente=gemeenten[row["gemeente"]],
                domein=row["domein"],
                begin=_date(row["begin"]),
                einde=_date(row["einde"]),
            )
        )
    Lidmaatschap.objects.bulk_create(leden)
    return {"gemeenten": len(new), "lidmaatschappen": len(leden)}
