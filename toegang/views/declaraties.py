"""Declaraties of aanbieders (iWmo WMO323, P×Q) for the gemeente's and finance's roles: the
list (scoped: the gemeenten one may see; an aanbieder's users their own) with per-declaratie
counts, and one declaratie with the status and WJ001 retourcodes of every line."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import path
from django.views.generic import DetailView, ListView

from regio.iwmo import codelijst
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin

from ..models import Declaratie, Declaratieregel

VIEW = "toegang.view_declaratie"
VIEW_REGEL = "toegang.view_declaratieregel"
STATUSSEN = {"afgewezen": "Met afgewezen regels", "toegekend": "Geheel toegekend"}


class DeclaratieListView(SearchSortMixin, ScopedViewMixin, ListView):
    model = Declaratie
    capability = VIEW
    paginate_by = 25
    template_name = "toegang/declaratie_list.html"
    search_fields = ("nummer__icontains", "aanbieder__naam__icontains")
    sortable = {
        "ontvangen": "ontvangen_op",
        "nummer": "nummer",
        "aanbieder": "aanbieder__naam",
        "gemeente": "gemeente__naam",
    }
    default_sort = "-ontvangen_op"

    def filter_queryset(self, queryset):
        queryset = queryset.select_related("aanbieder", "gemeente").annotate(
            aantal_regels=Count("regels"),
            aantal_afgewezen=Count("regels", filter=Q(regels__status="afgewezen")),
            toegekend_debet=Sum(
                "regels__bedrag", filter=Q(regels__status="toegekend", regels__debet_credit="D")
            ),
            toegekend_credit=Sum(
                "regels__bedrag", filter=Q(regels__status="toegekend", regels__debet_credit="C")
            ),
        )
        status = self.request.GET.get("status", "")
        if status == "afgewezen":
            queryset = queryset.filter(aantal_afgewezen__gt=0)
        elif status == "toegekend":
            queryset = queryset.filter(aantal_afgewezen=0)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            statussen=STATUSSEN, status=self.request.GET.get("status", ""), **kwargs
        )
        for d in context["object_list"]:
            d.toegekend_bedrag = (d.toegekend_debet or 0) - (d.toegekend_credit or 0)
        return context


class DeclaratieDetailView(ScopedViewMixin, DetailView):
    model = Declaratie
    capability = VIEW
    template_name = "toegang/declaratie_detail.html"
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
