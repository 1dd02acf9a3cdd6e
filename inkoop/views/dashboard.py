"""The regio's contract dashboard and its catalogue (RISB; the catalogue also for consulenten)."""

import datetime
from collections import defaultdict

from django.http import Http404
from django.urls import path
from django.views.generic import DetailView

from financien.models import Verdeelmodel
from financien.services import geldend_verdeelmodel
from regio.exports import FORMATS, export_response
from regio.mixins import ScopedViewMixin
from regio.models import Domein, Lidmaatschap, Regio

from ..models import Certificaat, Contract, Locatie, Melding, Product, Rapportage, Tarief
from ..services import besluiten_binnenkort, budgetgebruik, spreiding_tegen_verdeelmodel

SIGNAAL_LABELS = {
    "drempel": "Signaaldrempel bereikt",
    "overschreden": "Bestedingsruimte overschreden",
}


class DashboardView(ScopedViewMixin, DetailView):
    """Budget use per contract, decisions due, reports overdue or waiting, and the spread of
    places over the gemeenten. Every table downloads as CSV or XLSX."""

    model = Regio
    capability = "inkoop.view_contract"
    slug_field = "code"
    template_name = "inkoop/dashboard.html"
    context_object_name = "regio"

    def jaar(self) -> int:
        try:
            return int(self.request.GET.get("jaar", ""))
        except ValueError:
            return datetime.date.today().year

    def tabellen(self) -> dict:
        from ..locatie_services import plaatsen_per_gemeente
        from ..rapportage_services import te_laat, wacht_op_beoordeling

        user, regio, jaar = self.request.user, self.object, self.jaar()
        vandaag = datetime.date.today()
        contracts = Contract.objects.visible_to(user, "inkoop.view_contract").filter(regio=regio)
        in_jaar = contracts.filter(
            begin__lte=datetime.date(jaar, 12, 31), looptijd_einde__gte=datetime.date(jaar, 1, 1)
        ).select_related("aanbieder")
        gebruik = sorted(
            budgetgebruik(in_jaar.order_by("kenmerk"), jaar),
            key=lambda g: (g.percentage is None, -(g.percentage or 0), g.contract.kenmerk),
        )
        lopend = contracts.lopend_op(vandaag).select_related("aanbieder")
        rapportages = Rapportage.objects.visible_to(user, "inkoop.view_rapportage").filter(
            contract__regio=regio
        )
        leden = Lidmaatschap.objects.active_on(vandaag).filter(
            regio=regio, domein=Domein.BESCHERMD_WONEN
        )
        locaties = Locatie.objects.visible_to(user, "inkoop.view_locatie").filter(
            gemeente__in=leden.values("gemeente")
        )
        plaatsen = plaatsen_per_gemeente(locaties, vandaag)
        spreiding = spreiding_tegen_verdeelmodel(
            plaatsen,
            geldend_verdeelmodel(
                Verdeelmodel.objects.visible_to(user, "financien.view_verdeelmodel").filter(
                    regio=regio
                ),
                jaar,
            ),
        )
        from ..kwaliteit_services import certificaten_die_verlopen

        certificaten = certificaten_die_verlopen(
            Certificaat.objects.visible_to(user, "inkoop.view_certificaat")
            .filter(aanbieder__contracten__in=lopend)
            .distinct(),
            vandaag,
        ).select_related("aanbieder")
        meldingen = (
            Melding.objects.visible_to(user, "inkoop.view_melding")
            .filter(status=Melding.Status.OPEN, aanbieder__contracten__in=lopend)
            .distinct()
        )
        return {
            "certificaten": (
                ["Aanbieder", "Certificaat", "Geldig tot"],
                [[c.aanbieder.naam, c.soort, c.geldig_tot] for c in certificaten],
                None,
            ),
            "meldingen": (
                ["Aanbieder", "Soort", "Datum"],
                [
                    [m.aanbieder.naam, m.get_soort_display(), m.datum]
                    for m in meldingen.select_related("aanbieder").order_by("datum")
                ],  # fmt: skip
                None,
            ),
            "budget": (
                ["Contract", "Aanbieder", "Bestedingsruimte", "Besteed", "Percentage", "Signaal"],
                [
                    [
                        g.contract.kenmerk,
                        g.contract.aanbieder.naam,
                        g.bestedingsruimte,
                        g.besteed,
                        g.percentage,
                        SIGNAAL_LABELS.get(g.signaal, ""),
                    ]
                    for g in gebruik
                ],  # fmt: skip
                gebruik,
            ),
            "besluiten": (
                ["Datum", "Contract", "Aanbieder", "Wat"],
                [
                    [d, c.kenmerk, c.aanbieder.naam, wat]
                    for d, c, wat in besluiten_binnenkort(lopend, vandaag)
                ],  # fmt: skip
                None,
            ),
            "te_laat": (
                ["Contract", "Aanbieder"],
                [[c.kenmerk, c.aanbieder.naam] for c in te_laat(lopend, vandaag)],
                None,
            ),
            "wachtend": (
                ["Rapportage", "Aanbieder", "Status", "Ingediend op"],
                [
                    [
                        str(r),
                        r.contract.aanbieder.naam,
                        r.get_status_display(),
                        r.ingediend_op.date() if r.ingediend_op else None,
                    ]
                    for r in wacht_op_beoordeling(rapportages).select_related("contract__aanbieder")
                ],  # fmt: skip
                None,
            ),
            "spreiding": (
                [
                    "Gemeente",
                    "Plaatsen",
                    "Aandeel plaatsen (%)",
                    "Verdeelmodel (%)",
                    "Verschil (%-punt)",
                    "Advies",
                ],  # fmt: skip
                [
                    [
                        r.gemeente.naam,
                        r.plaatsen,
                        r.aandeel_plaatsen,
                        r.aandeel_model,
                        r.verschil,
                        r.advies,
                    ]
                    for r in spreiding.regels
                ],  # fmt: skip
                spreiding,
            ),
        }

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        tabel, fmt = request.GET.get("export"), request.GET.get("formaat", "csv")
        if tabel:
            tabellen = self.tabellen()
            if tabel not in tabellen or fmt not in FORMATS:
                raise Http404
            headers, rows, _ = tabellen[tabel]
            name = f"{tabel}-{self.object.code}"
            return export_response(fmt, name, headers, rows, request=request)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tabellen = self.tabellen()
        gebruik = tabellen["budget"][2]
        met_budget = [g for g in gebruik if g.percentage is not None][:12]
        context.update(
            jaar=self.jaar(),
            jaren=range(datetime.date.today().year - 3, datetime.date.today().year + 2),
            gebruik=gebruik,
            signalen=sum(1 for g in gebruik if g.signaal),
            besluiten=tabellen["besluiten"][1],
            te_laat=tabellen["te_laat"][1],
            wachtend=tabellen["wachtend"][1],
            spreiding=tabellen["spreiding"][2],
            certificaten=tabellen["certificaten"][1],
            meldingen=tabellen["meldingen"][1],
            budget_chart={
                "title": f"Besteding als % van de bestedingsruimte {self.jaar()}",
                "categories": [g.contract.kenmerk for g in met_budget],
                "series": {"Besteed (%)": [float(g.percentage) for g in met_budget]},
                "unit": "%",
            },
            spreiding_chart={
                "title": "Aandeel in de plaatsen en in het verdeelmodel (%)",
                "categories": [r.gemeente.naam for r in tabellen["spreiding"][2].regels],
                "series": {
                    "Plaatsen (%)": [
                        float(r.aandeel_plaatsen or 0) for r in tabellen["spreiding"][2].regels
                    ],
                    "Verdeelmodel (%)": [
                        float(r.aandeel_model or 0) for r in tabellen["spreiding"][2].regels
                    ],
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
    template_name = "inkoop/catalogus.html"
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
