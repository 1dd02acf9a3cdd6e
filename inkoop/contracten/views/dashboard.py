"""The regio's contract dashboard and its catalogue (RISB; the catalogue also for consulenten).

The dashboard shows what needs attention first and stays the same size whatever the size of the
regio: each table shows its first ``RIJEN`` rows in its useful order, cut in SQL, with the total
(counted in the same query by a window) and links to every row: ``?alles=<tabel>`` on the
dashboard itself, the export (CSV/XLSX, always every row) and the working list where one exists.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Window
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import DetailView

from inkoop.contracten.services import (
    HEEFT_BUDGETSIGNAAL,
    HOOGSTE_GEBRUIK_EERST,
    als_budgetgebruik,
    besluit_wat,
    besluiten_binnenkort,
    met_budgetgebruik,
    spreiding_tegen_verdeelmodel,
    verdeelsleutel,
)
from inkoop.models import Certificaat, Contract, Locatie, Melding, Product, Rapportage, Tarief
from regio.exports import FORMATS, export_response
from regio.mixins import ScopedViewMixin
from regio.models import Domein, Lidmaatschap, Regio

SIGNAAL_LABELS = {
    "drempel": "Signaaldrempel bereikt",
    "overschreden": "Bestedingsruimte overschreden",
}
BUDGET_LIJNEN = (70, 100)  # the budget signal's thresholds, drawn across the chart
RIJEN = 10  # rows per table on the dashboard; ?alles=<tabel> and the export give every row
GRAFIEK_CONTRACTEN = 12  # bars in the budget chart: the contracts with the highest share


@dataclass
class Tabel:
    """One table of the dashboard: the rows on the page (or every row), how many rows there are
    in all, and how a row reads in the export."""

    naam: str  # as in ?export= and ?alles=
    anker: str  # the heading's id on the page
    volgorde: str  # the order of the rows, in words
    kop: list[str]
    exportrij: Callable
    items: list
    totaal: int
    lijst: str = ""  # the working list with these rows, where one exists
    lijst_tekst: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ingekort(self) -> bool:
        return len(self.items) < self.totaal

    @property
    def rijen(self) -> list[list]:
        return [self.exportrij(item) for item in self.items]


def eerste(qs, limiet: int | None, **tellingen):
    """The first ``limiet`` rows of ``qs`` (all of them with None), how many rows ``qs`` has and,
    per keyword, how many of those match its Q: one query, the counts are windows over the whole
    result (evaluated before the LIMIT). With every row loaded the counts per keyword are None:
    the caller counts its rows itself."""
    if limiet is None:
        items = list(qs)
        return items, len(items), None
    vensters = {
        "dashboard_totaal": Window(Count("pk")),
        **{f"dashboard_{naam}": Window(Count("pk", filter=q)) for naam, q in tellingen.items()},
    }
    items = list(qs.annotate(**vensters)[:limiet])
    eerst = items[0] if items else None
    totaal = eerst.dashboard_totaal if eerst else 0
    return items, totaal, {n: getattr(eerst, f"dashboard_{n}") if eerst else 0 for n in tellingen}


class DashboardView(ScopedViewMixin, DetailView):
    """Budget use per contract, decisions due, reports overdue or waiting, quality signals and
    the spread of places over the gemeenten. Every table downloads whole as CSV or XLSX."""

    model = Regio
    capability = "inkoop.view_contract"
    slug_field = "code"
    template_name = "inkoop/contracten/dashboard.html"
    context_object_name = "regio"
    tabelnamen = ("budget", "besluiten", "wachtend", "te_laat", "certificaten", "meldingen",
                  "spreiding", "plaatsen")  # fmt: skip

    def jaar(self) -> int:
        """?jaar=, else (also for nonsense such as 99999) this year."""
        try:
            jaar = int(self.request.GET.get("jaar", ""))
        except ValueError:
            jaar = 0
        return jaar if 2000 <= jaar <= 2100 else datetime.date.today().year

    @cached_property
    def vandaag(self) -> datetime.date:
        return datetime.date.today()

    @cached_property
    def contracten(self):
        return Contract.objects.visible_to(self.request.user, "inkoop.view_contract").filter(
            regio=self.object
        )

    @cached_property
    def lopend(self):
        return self.contracten.lopend_op(self.vandaag)

    def tabel(self, naam: str, limiet: int | None = None) -> Tabel:
        """Table ``naam`` with its first ``limiet`` rows; every row with None (the export)."""
        return getattr(self, f"tabel_{naam}")(limiet)

    def tabellen(self, limiet: int | None = None, volledig: str = "") -> dict[str, Tabel]:
        """Every table: its first ``limiet`` rows (all of table ``volledig``); every row of every
        table with None."""
        return {
            naam: self.tabel(naam, None if naam == volledig else limiet) for naam in self.tabelnamen
        }

    def tabel_budget(self, limiet):
        jaar = self.jaar()
        in_jaar = self.contracten.filter(
            begin__lte=datetime.date(jaar, 12, 31), looptijd_einde__gte=datetime.date(jaar, 1, 1)
        ).select_related("aanbieder")
        qs = met_budgetgebruik(in_jaar, jaar).order_by(*HOOGSTE_GEBRUIK_EERST)
        # The chart shows the first GRAFIEK_CONTRACTEN contracts with a share: fetch enough rows.
        grafiek_limiet = None if limiet is None else max(limiet, GRAFIEK_CONTRACTEN)
        contracten, totaal, tellingen = eerste(qs, grafiek_limiet, signalen=HEEFT_BUDGETSIGNAAL)
        gebruik = [als_budgetgebruik(c, jaar) for c in contracten]
        if tellingen is None:
            tellingen = {"signalen": sum(1 for g in gebruik if g.signaal)}
        return Tabel(
            "budget", "budget", "hoogste percentage eerst",
            ["Contract", "Aanbieder", "Bestedingsruimte", "Besteed", "Percentage", "Signaal",
             "Gemeld door aanbieder", "Verschil"],
            lambda g: [g.contract.kenmerk, g.contract.aanbieder.naam, g.bestedingsruimte,
                       g.besteed, g.percentage, SIGNAAL_LABELS.get(g.signaal, ""), g.gemeld,
                       g.verschil],
            gebruik[:limiet] if limiet is not None else gebruik,
            totaal,
            extra={
                "signalen": tellingen["signalen"],
                "grafiek": [g for g in gebruik if g.percentage is not None][:GRAFIEK_CONTRACTEN],
            },
        )  # fmt: skip

    def tabel_besluiten(self, limiet):
        qs = besluiten_binnenkort(self.lopend.select_related("aanbieder"), self.vandaag)
        contracten, totaal, _ = eerste(qs, limiet)
        return Tabel(
            "besluiten", "besluiten", "eerstvolgende eerst",
            ["Datum", "Contract", "Aanbieder", "Wat"],
            lambda c: [c.besluit_datum, c.kenmerk, c.aanbieder.naam, besluit_wat(c)],
            contracten,
            totaal,
        )  # fmt: skip

    def tabel_wachtend(self, limiet):
        from inkoop.rapportages.services import wacht_op_beoordeling

        rapportages = Rapportage.objects.visible_to(
            self.request.user, "inkoop.view_rapportage"
        ).filter(contract__regio=self.object)
        qs = wacht_op_beoordeling(rapportages).select_related("contract__aanbieder")
        items, totaal, _ = eerste(qs, limiet)
        return Tabel(
            "wachtend", "wachtend", "langst wachtend eerst",
            ["Rapportage", "Aanbieder", "Status", "Ingediend op"],
            lambda r: [str(r), r.contract.aanbieder.naam, r.get_status_display(),
                       timezone.localtime(r.ingediend_op).date() if r.ingediend_op else None],
            items,
            totaal,
            lijst=reverse("inkoop:rapportage-list") + "?status=wacht&sort=ingediend",
            lijst_tekst="Naar de lijst met rapportages",
        )  # fmt: skip

    def tabel_te_laat(self, limiet):
        from inkoop.rapportages.services import te_laat

        qs = (
            te_laat(self.lopend, self.vandaag)
            .select_related("aanbieder")
            .order_by("aanbieder__naam", "kenmerk", "pk")
        )
        contracten, totaal, _ = eerste(qs, limiet)
        return Tabel(
            "te_laat", "te-laat", "op aanbieder",
            ["Contract", "Aanbieder"],
            lambda c: [c.kenmerk, c.aanbieder.naam],
            contracten,
            totaal,
        )  # fmt: skip

    def tabel_certificaten(self, limiet):
        from inkoop.kwaliteit.services import certificaten_die_verlopen

        qs = certificaten_die_verlopen(
            Certificaat.objects.visible_to(self.request.user, "inkoop.view_certificaat").filter(
                aanbieder__in=self.lopend.values("aanbieder")
            ),
            self.vandaag,
        ).select_related("aanbieder")
        items, totaal, _ = eerste(qs, limiet)
        return Tabel(
            "certificaten", "certificaten", "eerst verlopend eerst",
            ["Aanbieder", "Certificaat", "Geldig tot"],
            lambda c: [c.aanbieder.naam, c.soort, c.geldig_tot],
            items,
            totaal,
            lijst=reverse("inkoop:certificaat-list") + f"?signaal=aandacht&regio={self.object.pk}",
            lijst_tekst="Naar de lijst met certificaten",
        )  # fmt: skip

    def tabel_meldingen(self, limiet):
        qs = (
            Melding.objects.visible_to(self.request.user, "inkoop.view_melding")
            .filter(status=Melding.Status.OPEN, aanbieder__in=self.lopend.values("aanbieder"))
            .select_related("aanbieder")
            .order_by("datum", "pk")
        )
        items, totaal, _ = eerste(qs, limiet)
        return Tabel(
            "meldingen", "meldingen", "oudste eerst",
            ["Aanbieder", "Soort", "Datum"],
            lambda m: [m.aanbieder.naam, m.get_soort_display(), m.datum],
            items,
            totaal,
            lijst=reverse("inkoop:melding-list") + "?status=open",
            lijst_tekst="Naar de lijst met calamiteiten en incidenten",
        )  # fmt: skip

    @cached_property
    def locaties(self):
        """The user's locations in the regio's BW member gemeenten today."""
        leden = Lidmaatschap.objects.active_on(self.vandaag).filter(
            regio=self.object, domein=Domein.BESCHERMD_WONEN
        )
        return Locatie.objects.visible_to(self.request.user, "inkoop.view_locatie").filter(
            gemeente__in=leden.values("gemeente")
        )

    def tabel_spreiding(self, limiet):
        # One row per member gemeente: bounded by the regio, so never cut.
        from inkoop.locaties.services import plaatsen_per_gemeente

        user, regio, locaties = self.request.user, self.object, self.locaties
        spreiding = spreiding_tegen_verdeelmodel(
            plaatsen_per_gemeente(locaties, self.vandaag),
            verdeelsleutel(user, regio, self.jaar()),
        )
        return Tabel(
            "spreiding", "spreiding", "op gemeente",
            ["Gemeente", "Plaatsen", "Aandeel plaatsen (%)", "Verdeelmodel (%)",
             "Verschil (%-punt)", "Advies"],
            lambda r: [r.gemeente.naam, r.plaatsen, r.aandeel_plaatsen, r.aandeel_model,
                       r.verschil, r.advies],
            spreiding.regels,
            len(spreiding.regels),
            extra={"spreiding": spreiding},
        )  # fmt: skip

    def tabel_plaatsen(self, limiet):
        """The active locations whose aanbieder reports other free places than the placements
        leave (issue 17 item 12), largest difference first; with the regio's totals. Counted
        over every location of the regio (bounded by it); only numbers, no clients."""
        from inkoop.locaties.services import met_bezetting, met_plaatsen

        rijen = met_bezetting(
            met_plaatsen(
                self.locaties.filter(actief=True).select_related("aanbieder", "gemeente"),
                self.request.user,
                self.vandaag,
            ).order_by("naam", "pk"),
            self.vandaag,
        )
        bekend = [loc for loc in rijen if loc.bezetting is not None]
        afwijkend = sorted(
            (loc for loc in bekend if loc.bezetting.wijkt_af),
            key=lambda loc: -abs(loc.bezetting.gemeld - loc.bezetting.vrij),
        )  # stable: by name within the same difference
        totalen = {
            "plaatsen": sum(loc.plaatsen or 0 for loc in rijen),
            "bezet": sum(loc.bezetting.bezet for loc in bekend),
            "vrij": sum(loc.bezetting.vrij for loc in bekend),
            "gemeld": sum(loc.vrij for loc in rijen if loc.vrij is not None),
            "bekend": bool(bekend),
        }
        return Tabel(
            "plaatsen", "plaatsen", "grootste verschil eerst",
            ["Locatie", "Aanbieder", "Gemeente", "Plaatsen", "Bezet volgens plaatsingen",
             "Vrij volgens plaatsingen", "Vrij volgens aanbieder"],
            lambda loc: [loc.naam, loc.aanbieder.naam, loc.gemeente.naam, loc.plaatsen or 0,
                         loc.bezetting.bezet, loc.bezetting.vrij, loc.vrij],
            afwijkend[:limiet] if limiet is not None else afwijkend,
            len(afwijkend),
            lijst=reverse("inkoop:locatie-list"),
            lijst_tekst="Naar de lijst met locaties",
            extra={"totalen": totalen},
        )  # fmt: skip

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        naam, fmt = request.GET.get("export"), request.GET.get("formaat", "csv")
        if naam:
            if naam not in self.tabelnamen or fmt not in FORMATS:
                raise Http404
            tabel = self.tabel(naam)  # every row
            return export_response(
                fmt, f"{naam}-{self.object.code}", tabel.kop, tabel.rijen, request=request
            )
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tabellen = self.tabellen(RIJEN, volledig=self.request.GET.get("alles", ""))
        budget, spreiding = tabellen["budget"], tabellen["spreiding"].extra["spreiding"]
        grafiek = budget.extra["grafiek"]
        vandaag = datetime.date.today()
        context.update(
            jaar=self.jaar(),
            jaren=range(vandaag.year - 3, vandaag.year + 2),
            tabellen=tabellen,
            rijen_per_tabel=RIJEN,
            signalen=budget.extra["signalen"],
            spreiding=spreiding,
            budget_chart={
                "title": f"Besteding als % van de bestedingsruimte {self.jaar()}",
                "categories": [g.contract.kenmerk for g in grafiek],
                "series": {"Besteed (%)": [float(g.percentage) for g in grafiek]},
                "unit": "%",
                "lines": BUDGET_LIJNEN,
            },
            spreiding_chart={
                "title": "Aandeel in de plaatsen en in het verdeelmodel (%)",
                "categories": [r.gemeente.naam for r in spreiding.regels],
                "series": {
                    "Plaatsen (%)": [float(r.aandeel_plaatsen or 0) for r in spreiding.regels],
                    "Verdeelmodel (%)": [float(r.aandeel_model or 0) for r in spreiding.regels],
                },
                "unit": "%",
            },
        )
        return context


class CatalogusView(ScopedViewMixin, DetailView):
    """The regio's catalogue on a peildatum: percelen, products with iWmo codes and tariffs."""

    model = Regio
    capability = "inkoop.view_product"
    slug_field = "code"
    template_name = "inkoop/contracten/catalogus.html"
    context_object_name = "regio"

    def get_queryset(self):
        # Consulenten see the catalogue of the regio's their gemeente belongs to: a regio is
        # shown when the user may see at least one of its products.
        zichtbaar = Product.objects.visible_to(self.request.user, self.capability)
        return Regio.objects.filter(pk__in=zichtbaar.values("perceel__regio"))

    def peildatum(self) -> datetime.date:
        try:
            return datetime.date.fromisoformat(self.request.GET.get("peildatum", ""))
        except ValueError:
            return datetime.date.today()

    def get_context_data(self, **kwargs):
        user, peildatum = self.request.user, self.peildatum()
        producten = (
            Product.objects.visible_to(user, "inkoop.view_product")
            .filter(perceel__regio=self.object)
            .active_on(peildatum)
            .select_related("perceel")
            .order_by("perceel__naam", "naam")
        )
        tarieven = {
            t.product_id: t
            for t in Tarief.objects.visible_to(user, "inkoop.view_tarief")
            .filter(product__in=producten)
            .active_on(peildatum)
        }
        percelen = defaultdict(list)
        for product in producten:
            product.tarief = tarieven.get(product.pk)
            percelen[product.perceel].append(product)
        return super().get_context_data(peildatum=peildatum, percelen=dict(percelen), **kwargs)


urlpatterns = [
    path("regio/<slug:slug>/dashboard/", DashboardView.as_view(), name="dashboard"),
    path("regio/<slug:slug>/catalogus/", CatalogusView.as_view(), name="catalogus"),
]
