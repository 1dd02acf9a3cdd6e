"""The finance dashboard of a regio, or of one gemeente, for a year: budget against realised per
functie, a year-end prognosis, and the voorschot against the expected settlement of the latest
verevening run.

Realised costs are the kostenregels the user may see (``Kostenregel.objects.visible_to``): a
gemeente's role sees only its own clients (gemeente van herkomst), so it gets its own gemeente's
dashboard and no regio total. The prognosis extrapolates linearly: realised so far ÷ elapsed
months × 12, where the elapsed months are the whole calendar months of the year before today
(12 for a past year; none in January or for a future year: then no prognosis)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import path
from django.views.generic import TemplateView

from financien.models import Budget, Kostenregel, Vereveningsrun, Voorschot
from financien.views.common import bw_leden
from regio.mixins import ScopedViewMixin
from regio.models import Domein, Gemeente, Lidmaatschap, Regio
from regio.query import scope_for
from regio.replica import lezen_van_replica

VIEW = "financien.view_kostenregel"
CENT = Decimal("0.01")
NUL = Decimal("0.00")


def verstreken_maanden(jaar: int, vandaag: datetime.date) -> int:
    """Whole calendar months of ``jaar`` before ``vandaag``."""
    if jaar < vandaag.year:
        return 12
    if jaar > vandaag.year:
        return 0
    return vandaag.month - 1


def prognose(gerealiseerd: Decimal, maanden: int) -> Decimal | None:
    if maanden <= 0:
        return None
    return (gerealiseerd / maanden * 12).quantize(CENT)


def dashboard_regios(user):
    """The regio's the user's finance work covers: regio roles, and the regio's where a
    gemeente of the user's gemeente roles is a member for beschermd wonen."""
    scope = scope_for(user, VIEW)
    leden = Lidmaatschap.objects.active_on(datetime.date.today()).filter(
        domein=Domein.BESCHERMD_WONEN, gemeente_id__in=sorted(scope.gemeente_ids)
    )
    return Regio.objects.filter(
        Q(pk__in=sorted(scope.regio_ids)) | Q(pk__in=leden.values("regio"))
    ).order_by("naam")


class DashboardView(ScopedViewMixin, TemplateView):
    model = Kostenregel
    capability = VIEW
    template_name = "financien/dashboard.html"

    def keuze(self):
        """The regio, year and gemeente (None: the whole regio) asked for, within what the user
        may see; unknown values fall back to the first choice."""
        user = self.request.user
        vandaag = datetime.date.today()
        regios = dashboard_regios(user)
        regio = regios.filter(code=self.request.GET.get("regio", "")).first() or regios.first()
        try:
            jaar = int(self.request.GET.get("jaar", ""))
            if not 2015 <= jaar <= 2100:
                raise ValueError
        except ValueError:
            jaar = vandaag.year
        if regio is None:
            return regios, None, jaar, Gemeente.objects.none(), None, False
        scope = scope_for(user, VIEW)
        hele_regio = regio.pk in scope.regio_ids
        leden = bw_leden(regio, jaar)
        gemeenten = leden if hele_regio else leden.filter(pk__in=sorted(scope.gemeente_ids))
        gemeente = gemeenten.filter(code=self.request.GET.get("gemeente", "")).first()
        if gemeente is None and not hele_regio:
            gemeente = gemeenten.first()
        return regios, regio, jaar, gemeenten, gemeente, hele_regio

    def get_context_data(self, **kwargs):
        regios, regio, jaar, gemeenten, gemeente, hele_regio = self.keuze()
        context = super().get_context_data(
            regios=regios, regio=regio, jaar=jaar, gemeenten=gemeenten, gemeente=gemeente,
            hele_regio=hele_regio,
            jaren=range(datetime.date.today().year - 4, datetime.date.today().year + 2),
            **kwargs,
        )  # fmt: skip
        if regio is None or (gemeente is None and not hele_regio):
            return context
        context.update(self.cijfers(regio, jaar, gemeente))
        return context

    def cijfers(self, regio, jaar, gemeente) -> dict:
        user = self.request.user
        vandaag = datetime.date.today()
        maanden = verstreken_maanden(jaar, vandaag)
        # The sums over every kostenregel tolerate a little lag: from the read replica when
        # there is one (regio.replica). The verevening run below is read from the primary.
        with lezen_van_replica():
            kosten = Kostenregel.objects.visible_to(user, VIEW).filter(regio=regio, jaar=jaar)
            budgetten = Budget.objects.visible_to(user, "financien.view_budget").filter(
                parameters__regio=regio, parameters__jaar=jaar
            )
            if gemeente is not None:
                kosten = kosten.filter(gemeente_herkomst=gemeente)
                budgetten = budgetten.filter(gemeente=gemeente)
            rijen = {}
            for functie_id, naam, bedrag in (
                budgetten.order_by()
                .values_list("functie_id", "functie__naam")
                .annotate(Sum("bedrag"))
            ):
                rijen[functie_id] = {"functie": naam, "budget": bedrag, "gerealiseerd": NUL}
            for functie_id, naam, bedrag in (
                kosten.order_by().values_list("functie_id", "functie__naam").annotate(Sum("bedrag"))
            ):
                rij = rijen.setdefault(
                    functie_id,
                    {"functie": naam or "Zonder functie (pgb, handmatig)", "budget": None},
                )
                rij["gerealiseerd"] = bedrag
        for rij in rijen.values():
            rij["prognose"] = prognose(rij["gerealiseerd"], maanden)
            budget = rij["budget"]
            rij["percentage"] = (
                (rij["gerealiseerd"] * 100 / budget).quantize(Decimal("0.1")) if budget else None
            )
            rij["over"] = (
                rij["prognose"] is not None and budget is not None and rij["prognose"] > budget
            )
        rijen = sorted(rijen.values(), key=lambda r: (r["budget"] is None, r["functie"]))
        totaal_budget = sum((r["budget"] or NUL for r in rijen), NUL)
        totaal_gerealiseerd = sum((r["gerealiseerd"] for r in rijen), NUL)

        run = (
            Vereveningsrun.objects.visible_to(user, "financien.view_vereveningsrun")
            .filter(
                regio=regio,
                jaar=jaar,
                status__in=[Vereveningsrun.Status.CONCEPT, Vereveningsrun.Status.VASTGESTELD],
            )
            .order_by("-gestart_op", "-pk")
            .first()
        )
        regels = []
        if run is not None:
            regels = list(
                run.regels.visible_to(user, "financien.view_vereveningsregel")
                .select_related("gemeente")
                .order_by("gemeente__naam")
            )
            if gemeente is not None:
                regels = [r for r in regels if r.gemeente_id == gemeente.pk]
        voorschotten = Voorschot.objects.visible_to(user, "financien.view_voorschot").filter(
            parameters__regio=regio, parameters__jaar=jaar
        )
        if gemeente is not None:
            voorschotten = voorschotten.filter(gemeente=gemeente)
        return {
            "rijen": rijen,
            "totaal_budget": totaal_budget,
            "totaal_gerealiseerd": totaal_gerealiseerd,
            "totaal_prognose": prognose(totaal_gerealiseerd, maanden),
            "maanden": maanden,
            "run": run,
            "regels": regels,
            "regels_totaal": {
                "V": sum((r.voorschot for r in regels), NUL),
                "A": sum((r.toegerekend for r in regels), NUL),
                "D": sum((r.verrekening for r in regels), NUL),
            },
            "voorschot_totaal": voorschotten.aggregate(s=Sum("bedrag"))["s"],
            "chart": {
                "title": f"Budget en gerealiseerd per functie {jaar} (× € 1.000)",
                "categories": [r["functie"] for r in rijen],
                "series": {
                    "Budget": [float(r["budget"] or 0) / 1000 for r in rijen],
                    "Gerealiseerd": [float(max(r["gerealiseerd"], NUL)) / 1000 for r in rijen],
                },
            },
        }


urlpatterns = [path("dashboard/", DashboardView.as_view(), name="dashboard")]
