"""Declaraties of aanbieders (iWmo WMO323, P×Q) for the gemeente's and finance's roles: the
list (scoped: the gemeenten one may see; an aanbieder's users their own) with per-declaratie
counts, and one declaratie with the status and WJ001 retourcodes of every line."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import path
from django.views.generic import DetailView, ListView

from regio.exports import ExportableListMixin
from regio.iwmo import codelijst
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from toegang.models import Declaratie, Declaratieregel

VIEW = "toegang.view_declaratie"
VIEW_REGEL = "toegang.view_declaratieregel"
STATUSSEN = {"afgewezen": "Met afgewezen regels", "toegekend": "Geheel toegekend"}


class DeclaratieListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    model = Declaratie
    capability = VIEW
    paginate_by = 25
    template_name = "toegang/toewijzingen/declaratie_list.html"
    search_fields = ("nummer__icontains", "aanbieder__naam__icontains")
    sortable = {
        "ontvangen": "ontvangen_op",
        "nummer": "nummer",
        "aanbieder": "aanbieder__naam",
        "gemeente": "gemeente__naam",
    }
    default_sort = "-ontvangen_op"
    export_filename = "declaraties"
    export_columns = [
        ("DeclaratieNummer", lambda d: d.nummer),
        ("Aanbieder", lambda d: d.aanbieder.naam),
        ("AGB-code", lambda d: d.aanbieder.agb_code),
        ("Gemeente", lambda d: d.gemeente.naam),
        ("Ontvangen", lambda d: d.ontvangen_op),
        ("Regels", lambda d: d.aantal_regels),
        ("Afgewezen regels", lambda d: d.aantal_afgewezen),
        ("Toegekend bedrag", lambda d: d.toegekend_bedrag),
    ]

    def filter_queryset(self, queryset):
        # Per-row subqueries rather than a join with GROUP BY: the page's 25 rows are picked
        # first and only their lines are counted, and the pagination's COUNT joins nothing.
        regels = Declaratieregel.objects.filter(declaratie=OuterRef("pk")).order_by()
        per_declaratie = regels.values("declaratie")
        afgewezen = regels.filter(status="afgewezen")

        def totaal(rijen, aggregaat, veld):
            return Coalesce(
                Subquery(rijen.annotate(x=aggregaat).values("x")), Value(0), output_field=veld
            )

        queryset = queryset.select_related("aanbieder", "gemeente").annotate(
            aantal_regels=totaal(per_declaratie, Count("pk"), IntegerField()),
            aantal_afgewezen=totaal(afgewezen.values("declaratie"), Count("pk"), IntegerField()),
            toegekend_bedrag=totaal(
                per_declaratie.filter(status="toegekend"),
                Sum(
                    Case(
                        When(debet_credit="C", then=-F("bedrag")),
                        default=F("bedrag"),
                    )
                ),
                DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        status = self.request.GET.get("status", "")
        if status == "afgewezen":
            queryset = queryset.filter(Exists(afgewezen))
        elif status == "toegekend":
            queryset = queryset.exclude(Exists(afgewezen))
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statussen=STATUSSEN, status=self.request.GET.get("status", ""), **kwargs
        )


class DeclaratieDetailView(ScopedViewMixin, DetailView):
    model = Declaratie
    capability = VIEW
    template_name = "toegang/toewijzingen/declaratie_detail.html"
    context_object_name = "declaratie"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "gemeente")

    def get_context_data(self, **kwargs):
        namen = codelijst("WJ001_Retourcode")
        regels = list(
            Declaratieregel.objects.visible_to(self.request.user, VIEW_REGEL)
            .filter(declaratie=self.object)
            .select_related("kostenregel")
            .order_by("pk")
        )
        for regel in regels:
            regel.codes = [(c, namen.get(c, "")) for c in regel.retourcodes]
        toegekend = [r for r in regels if r.status == Declaratieregel.Status.TOEGEKEND]
        totaal = sum((r.bedrag if r.debet_credit == "D" else -r.bedrag for r in toegekend), 0)
        return super().get_context_data(
            regels=regels,
            aantal_toegekend=len(toegekend),
            aantal_afgewezen=len(regels) - len(toegekend),
            toegekend_bedrag=totaal,
            **kwargs,
        )


urlpatterns = [
    path("declaraties/", DeclaratieListView.as_view(), name="declaratie-list"),
    path("declaraties/<int:pk>/", DeclaratieDetailView.as_view(), name="declaratie-detail"),
]
