"""The waiting-list report (DOMAIN.md "The waiting-list report"), computed set-based in SQL.

Per month, functie and gemeente van herkomst: stand_begin, instroom, uitstroom per reason,
stand_eind, the waiting time of those placed (median and 90th percentile, continuous) and, of
those still waiting on the peildatum (the month's last day), the number over the regio's norm and
the longest wait. Only ``Wachtlijstgebeurtenis`` is read, through the scoping layer (its SQL is
compiled as a subquery), so a past month always gives the same numbers and no row outside the
scope counts. Both counts are cumulative over the events, so stand_begin + instroom - uitstroom
= stand_eind and a month's stand_begin is the previous month's stand_eind by construction.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from regio.query import Scope, regio_scope
from toegang.models import Uitstroomreden, Wachtlijstgebeurtenis

CAPABILITY = "toegang.view_wachtlijstgebeurtenis"
ONBEKEND = "onbekend"
REDENEN = [r.value for r in Uitstroomreden]  # geplaatst, ingetrokken, wlz, verhuisd, ...

KOLOMMEN = [
    "maand",
    "functie",
    "gemeente_herkomst",
    "stand_begin",
    "instroom",
    *(f"uitstroom_{reden}" for reden in REDENEN),
    "stand_eind",
    "wachttijd_mediaan_dagen",
    "wachttijd_p90_dagen",
    "aantal_boven_norm",
    "langste_wachttijd_dagen",
]

_REDEN_KOLOMMEN = ",\n".join(
    f"count(*) FILTER (WHERE ev.soort = 'uitstroom' AND ev.reden = '{reden}' "
    f"AND ev.datum >= mnd.begin) AS uitstroom_{reden}"
    for reden in REDENEN
)

SQL = f"""
WITH ev AS ({{events}}),
maanden AS (
    SELECT m::date AS begin, (m + interval '1 month' - interval '1 day')::date AS eind
    FROM generate_series(%s::date, %s::date, interval '1 month') AS m
),
groepen AS (
    SELECT DISTINCT functie_id, gemeente_herkomst_id FROM ev
    WHERE datum <= (SELECT max(eind) FROM maanden)
),
stromen AS (
    SELECT mnd.begin, g.functie_id, g.gemeente_herkomst_id,
        count(*) FILTER (WHERE ev.soort = 'instroom' AND ev.datum < mnd.begin)
          - count(*) FILTER (WHERE ev.soort = 'uitstroom' AND ev.datum < mnd.begin)
          AS stand_begin,
        count(*) FILTER (WHERE ev.soort = 'instroom' AND ev.datum >= mnd.begin) AS instroom,
        {_REDEN_KOLOMMEN},
        count(*) FILTER (WHERE ev.soort = 'uitstroom' AND ev.datum >= mnd.begin) AS uitstroom,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ev.datum - ev.wachtend_sinds)
          FILTER (WHERE ev.soort = 'uitstroom' AND ev.reden = 'geplaatst'
                  AND ev.datum >= mnd.begin) AS mediaan,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY ev.datum - ev.wachtend_sinds)
          FILTER (WHERE ev.soort = 'uitstroom' AND ev.reden = 'geplaatst'
                  AND ev.datum >= mnd.begin) AS p90
    FROM maanden mnd
    CROSS JOIN groepen g
    LEFT JOIN ev ON ev.functie_id = g.functie_id
        AND ev.gemeente_herkomst_id IS NOT DISTINCT FROM g.gemeente_herkomst_id
        AND ev.datum <= mnd.eind
    GROUP BY mnd.begin, g.functie_id, g.gemeente_herkomst_id
),
-- Who is still waiting on the peildatum, per aanmelding and group: more instroom than
-- uitstroom up to that day; the wait counts from the latest instroom's wachtend_sinds.
wachtend AS (
    SELECT mnd.begin, mnd.eind, ev.functie_id, ev.gemeente_herkomst_id,
        max(ev.wachtend_sinds) FILTER (WHERE ev.soort = 'instroom') AS sinds
    FROM maanden mnd
    JOIN ev ON ev.datum <= mnd.eind
    GROUP BY mnd.begin, mnd.eind, ev.aanmelding_id, ev.functie_id, ev.gemeente_herkomst_id
    HAVING count(*) FILTER (WHERE ev.soort = 'instroom')
         > count(*) FILTER (WHERE ev.soort = 'uitstroom')
),
wacht AS (
    SELECT begin, functie_id, gemeente_herkomst_id,
        count(*) FILTER (WHERE (sinds + make_interval(months => %s))::date < eind)
          AS boven_norm,
        max(eind - sinds) AS langste
    FROM wachtend
    GROUP BY begin, functie_id, gemeente_herkomst_id
)
SELECT to_char(s.begin, 'YYYY-MM'), p.code, coalesce(gm.code, '{ONBEKEND}'),
    s.stand_begin, s.instroom, {", ".join(f"s.uitstroom_{r}" for r in REDENEN)},
    s.stand_begin + s.instroom - s.uitstroom,
    s.mediaan, s.p90, coalesce(w.boven_norm, 0), w.langste
FROM stromen s
JOIN inkoop_product p ON p.id = s.functie_id
LEFT JOIN regio_gemeente gm ON gm.id = s.gemeente_herkomst_id
LEFT JOIN wacht w ON w.begin = s.begin AND w.functie_id = s.functie_id
    AND w.gemeente_herkomst_id IS NOT DISTINCT FROM s.gemeente_herkomst_id
WHERE s.stand_begin <> 0 OR s.instroom <> 0 OR s.uitstroom <> 0
ORDER BY s.begin, p.code, coalesce(gm.code, '{ONBEKEND}')
"""


@dataclass(frozen=True)
class Regel:
    maand: str
    functie: str
    gemeente_herkomst: str
    stand_begin: int
    instroom: int
    uitstroom_geplaatst: int
    uitstroom_ingetrokken: int
    uitstroom_wlz: int
    uitstroom_verhuisd: int
    uitstroom_overleden: int
    uitstroom_anders: int
    stand_eind: int
    wachttijd_mediaan_dagen: float | None
    wachttijd_p90_dagen: float | None
    aantal_boven_norm: int
    langste_wachttijd_dagen: int | None

    @property
    def uitstroom(self) -> int:
        return sum(getattr(self, f"uitstroom_{reden}") for reden in REDENEN)

    def waarden(self) -> list:
        return [getattr(self, kolom) for kolom in KOLOMMEN]


@dataclass
class Rapport:
    regio: object
    maand: datetime.date  # the report month (first day)
    maanden: list[datetime.date]
    regels: list[Regel]
    gemaakt_op: datetime.datetime = field(default_factory=timezone.now)

    @property
    def maand_label(self) -> str:
        return f"{self.maand:%Y-%m}"

    @cached_property
    def functienamen(self) -> dict[str, str]:
        """Product code → its name in this regio's catalogue (a report reads as text)."""
        from inkoop.models import Product

        codes = {r.functie for r in self.regels}
        return dict(
            Product.objects.filter(code__in=codes, perceel__regio=self.regio)
            .order_by("code")
            .values_list("code", "naam")
        )

    @cached_property
    def gemeentenamen(self) -> dict[str, str]:
        """CBS code → the gemeente's name; a client without a known herkomst is 'onbekend'."""
        from regio.models import Gemeente

        codes = {r.gemeente_herkomst for r in self.regels}
        namen = dict(Gemeente.objects.filter(code__in=codes).values_list("code", "naam"))
        return {ONBEKEND: "Onbekend", **namen}

    def functienaam(self, code: str) -> str:
        return self.functienamen.get(code, code)

    def gemeentenaam(self, code: str) -> str:
        return self.gemeentenamen.get(code, code)

    def van_maand(self, maand: datetime.date | None = None) -> list[Regel]:
        label = f"{(maand or self.maand):%Y-%m}"
        return [r for r in self.regels if r.maand == label]


def parse_maand(waarde: str) -> datetime.date:
    """'2025-03' → 1 March 2025; a ValueError with a Dutch message otherwise."""
    try:
        jaar, maand = (int(deel) for deel in str(waarde).strip().split("-"))
        return datetime.date(jaar, maand, 1)
    except (TypeError, ValueError):
        raise ValueError(f"Ongeldige maand {waarde!r}: gebruik JJJJ-MM.") from None


def plus_maanden(maand: datetime.date, aantal: int) -> datetime.date:
    index = maand.year * 12 + maand.month - 1 + aantal
    return datetime.date(index // 12, index % 12 + 1, 1)


def _gebeurtenissen(regio, scope) -> QuerySet:
    if isinstance(scope, QuerySet):
        queryset = scope
    elif isinstance(scope, Scope):
        queryset = Wachtlijstgebeurtenis.objects.within(scope)
    elif scope is None:
        queryset = Wachtlijstgebeurtenis.objects.within(regio_scope(regio.pk))
    else:  # a user
        queryset = Wachtlijstgebeurtenis.objects.visible_to(scope, CAPABILITY)
    return (
        queryset.filter(regio=regio)
        .order_by()
        .values(
            "aanmelding_id",
            "functie_id",
            "gemeente_herkomst_id",
            "soort",
            "reden",
            "datum",
            "wachtend_sinds",
        )
    )


def bereken(regio, maand_van: datetime.date, maand_tot: datetime.date, scope=None) -> list[Regel]:
    """The report rows for the months ``maand_van`` to ``maand_tot`` (inclusive; any day in the
    month will do). ``scope``: a user (read with the report capability), a ``regio.query.Scope``
    (a scheduled run), a Wachtlijstgebeurtenis queryset already scoped, or None (the regio's own
    scope, for the management command)."""
    maand_van, maand_tot = maand_van.replace(day=1), maand_tot.replace(day=1)
    if maand_tot < maand_van:
        raise ValueError("De eindmaand ligt voor de beginmaand.")
    gebeurtenissen = _gebeurtenissen(regio, scope)
    events_sql, events_params = gebeurtenissen.query.sql_with_params()
    sql = SQL.replace("{events}", events_sql)
    params = [*events_params, maand_van, maand_tot, int(regio.wachtlijst_norm_maanden)]
    # The database the events' queryset reads from: the replica under lezen_van_replica().
    with connections[gebeurtenissen.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Regel(*row) for row in rows]


def rapport(regio, maand: datetime.date, maanden: int = 12, scope=None) -> Rapport:
    """The report for ``maand`` with the ``maanden`` months up to it (for the trend)."""
    maand = maand.replace(day=1)
    maanden = max(1, int(maanden))
    reeks = [plus_maanden(maand, n) for n in range(-maanden + 1, 1)]
    return Rapport(regio, maand, reeks, bereken(regio, reeks[0], maand, scope))


def _getal(waarde) -> str:
    if waarde is None:
        return ""
    if isinstance(waarde, float):
        return f"{waarde:g}"
    return str(waarde)


def als_csv(rapport: Rapport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(KOLOMMEN)
    for regel in rapport.regels:
        writer.writerow([_getal(w) for w in regel.waarden()])
    return buffer.getvalue()


TABELKOPPEN = [
    "Maand", "Functie", "Productcode", "Gemeente van herkomst", "Gemeentecode", "Stand begin",
    "Instroom", *(f"Uitstroom {reden}" for reden in REDENEN), "Stand eind",
    "Wachttijd mediaan (dagen)", "Wachttijd p90 (dagen)", "Boven norm",
    "Langste wachttijd (dagen)",
]  # fmt: skip


def als_tabel(rapport: Rapport) -> tuple[list[str], list[list]]:
    """The report as a person downloads it (regio.exports: Dutch CSV, XLSX): names beside the
    codes, numbers as numbers. ``als_csv`` keeps the machine format of the command."""
    rijen = []
    for regel in rapport.regels:
        maand, functie, herkomst, *getallen = regel.waarden()
        rijen.append(
            [
                maand, rapport.functienaam(functie), functie, rapport.gemeentenaam(herkomst),
                None if herkomst == ONBEKEND else herkomst, *getallen,
            ]
        )  # fmt: skip
    return TABELKOPPEN, rijen


def trend(rapport: Rapport) -> tuple[list[str], dict[str, list[int]]]:
    """stand_eind per month per functie (summed over the gemeenten van herkomst)."""
    labels = [f"{m:%Y-%m}" for m in rapport.maanden]
    functies = sorted({r.functie for r in rapport.regels})
    reeksen = {f: [0] * len(labels) for f in functies}
    positie = {label: i for i, label in enumerate(labels)}
    for regel in rapport.regels:
        reeksen[regel.functie][positie[regel.maand]] += regel.stand_eind
    return labels, reeksen


def als_pdf(rapport: Rapport) -> bytes:
    from regio.charts import bar_chart
    from regio.pdf import render_pdf

    labels, reeksen = trend(rapport)
    chart = bar_chart(
        [label[2:] for label in labels],
        {rapport.functienaam(code): waarden for code, waarden in reeksen.items()},
        title="Stand van de wachtlijst aan het eind van de maand, per functie",
        width=720,
        height=280,
    )
    regels = rapport.van_maand()
    totaal = {
        kolom: sum(getattr(r, kolom) for r in regels)
        for kolom in KOLOMMEN[3:12] + ["aantal_boven_norm"]
    }
    return render_pdf(
        "toegang/wachtlijst/wachtlijstrapport_pdf.html",
        {
            "rapport": rapport,
            "regels": [
                (rapport.functienaam(r.functie), rapport.gemeentenaam(r.gemeente_herkomst), r)
                for r in regels
            ],
            "totaal": totaal,
            "chart": chart,
            "kolommen": KOLOMMEN,
        },
    )
