"""The verevening parameters per regio per year (DOMAIN.md: never hard-coded): the list of years,
a year's parameters, its voorschotten per gemeente (with a helper that splits a total over the
verdeelmodel), budgets per gemeente per functie, functie weights, and the verdeelmodel. Only a
regio-wide finance role edits; a gemeente's finance role sees."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from financien.forms import (
    BudgetGemeenteForm,
    FunctiegewichtenForm,
    JaarparametersForm,
    VerdeelmodelForm,
    VerdeelTotaalForm,
    VoorschottenForm,
    budgetten_opslaan,
)
from financien.models import Budget, Functiegewicht, Jaarparameters, Verdeelmodel, Vereveningsrun
from financien.services import aandelen_van, geldend_verdeelmodel, verdeelmodel_vastleggen
from financien.verevening import (
    STRATEGIEEN,
    GemeenteInvoer,
    VereveningFout,
    voorschotten_naar_verdeelmodel,
)
from financien.views.common import JaarMixin, bw_functies, bw_leden, mag_regio
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import Regio

VIEW = "financien.view_jaarparameters"
ADD = "financien.add_jaarparameters"
CHANGE = "financien.change_jaarparameters"


def jaar_url(parameters) -> str:
    return reverse("financien:jaar", args=[parameters.regio.code, parameters.jaar])


def regios_om_te_beheren(user):
    """The regio's whose parameters the user may add: regio-wide finance roles only."""
    return Regio.objects.visible_to(user, ADD).order_by("naam")


class JarenView(SearchSortMixin, ScopedViewMixin, ListView):
    """Every year with parameters of the regio's the user works for (a gemeente's role: the
    regio's its gemeente is a member of), newest first."""

    model = Jaarparameters
    capability = VIEW
    paginate_by = 25
    template_name = "financien/jaren.html"
    context_object_name = "jaren"
    sortable = {"regio": "regio__naam", "jaar": "jaar"}
    default_sort = "-jaar"

    def filter_queryset(self, queryset):
        queryset = queryset.select_related("regio")
        regio = self.request.GET.get("regio", "")
        if regio:
            queryset = queryset.filter(regio__code=regio)
        return queryset

    def get_context_data(self, **kwargs):
        zichtbaar = Jaarparameters.objects.visible_to(self.request.user, VIEW)
        regios = Regio.objects.filter(pk__in=zichtbaar.values("regio")).order_by("naam")
        context = super().get_context_data(
            regios=regios,
            gekozen_regio=self.request.GET.get("regio", ""),
            mag_toevoegen=regios_om_te_beheren(self.request.user).exists(),
            importregios=Regio.objects.visible_to(self.request.user, "financien.add_kostenregel"),
            **kwargs,
        )
        runs = Vereveningsrun.objects.visible_to(self.request.user, "financien.view_vereveningsrun")
        laatste = {}
        for run in runs.filter(
            regio__in=[p.regio_id for p in context["jaren"]],
            jaar__in=[p.jaar for p in context["jaren"]],
        ).order_by("regio", "jaar", "-gestart_op", "-pk"):
            laatste.setdefault((run.regio_id, run.jaar), run)
        for p in context["jaren"]:
            p.laatste_run = laatste.get((p.regio_id, p.jaar))
        return context


class JaarNieuwView(ScopedViewMixin, CreateView):
    model = Jaarparameters
    capability = ADD
    form_class = JaarparametersForm
    template_name = "financien/jaar_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not regios_om_te_beheren(request.user).exists():
            raise PermissionDenied("Alleen wie voor de hele regio werkt, legt parameters vast.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "regios": regios_om_te_beheren(self.request.user)}

    def get_initial(self):
        initial = super().get_initial()
        regio = regios_om_te_beheren(self.request.user).filter(
            code=self.request.GET.get("regio", "")
        )
        if regio:
            initial["regio"] = regio[0]
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(titel="Nieuw jaar: vereveningsparameters", **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"De parameters voor {self.object.jaar} zijn vastgelegd.")
        return response

    def get_success_url(self):
        return jaar_url(self.object)


class JaarDetailView(JaarMixin, DetailView):
    """A year at a glance: parameters, verdeelmodel (with its normalisation), voorschotten,
    budgets and weights, with the links to edit (regio-wide roles) and to the verevening."""

    capability = VIEW
    template_name = "financien/jaar_detail.html"

    def get_context_data(self, **kwargs):
        p, user = self.parameters(), self.request.user
        context = super().get_context_data(**kwargs)
        context.update(verdeelmodel_context(user, p))
        voorschotten = list(
            p.voorschotten.visible_to(user, "financien.view_voorschot").select_related("gemeente")
        )
        budgetten = list(
            Budget.objects.visible_to(user, "financien.view_budget")
            .filter(parameters=p)
            .select_related("gemeente", "functie")
        )
        context.update(
            mag_wijzigen=mag_regio(user, CHANGE, p.regio),
            strategie=STRATEGIEEN.get(p.strategie),
            voorschotten=voorschotten,
            voorschot_totaal=sum((v.bedrag for v in voorschotten), Decimal("0.00")),
            budgetten=budgetten,
            budget_totaal=sum((b.bedrag for b in budgetten), Decimal("0.00")),
            gewichten=list(
                Functiegewicht.objects.visible_to(user, "financien.view_functiegewicht")
                .filter(parameters=p)
                .select_related("functie")
            ),
        )
        return context


def verdeelmodel_context(user, parameters) -> dict:
    """The verdeelmodel that counts for the year (its own or the newest before it), its shares
    as entered and normalised, and the note when they were normalised."""
    model = geldend_verdeelmodel(
        Verdeelmodel.objects.visible_to(user, "financien.view_verdeelmodel").filter(
            regio=parameters.regio
        ),
        parameters.jaar,
    )
    if model is None:
        return {"verdeelmodel": None, "aandelen": [], "verdeelmodel_fout": ""}
    try:
        aandelen = aandelen_van(model)
    except ValidationError as exc:
        return {"verdeelmodel": model, "aandelen": [], "verdeelmodel_fout": " ".join(exc.messages)}
    rijen = [
        {"gemeente": g, "ingevoerd": p, "genormaliseerd": aandelen.fracties[g] * 100}
        for g, p in sorted(
            ((a.gemeente, a.percentage) for a in model.aandelen.select_related("gemeente")),
            key=lambda item: item[0].naam,
        )
    ]
    return {
        "verdeelmodel": model,
        "aandelen": rijen,
        "aandelen_som": aandelen.som,
        "genormaliseerd": aandelen.genormaliseerd,
        "verdeelmodel_fout": "",
    }


class JaarWijzigenView(JaarMixin, UpdateView):
    capability = CHANGE
    wijzig_capability = CHANGE
    form_class = JaarparametersForm
    template_name = "financien/jaar_form.html"

    def get_object(self, queryset=None):
        self.object = None
        return self.parameters()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titel=f"Parameters {self.object.regio.naam} {self.object.jaar} wijzigen", **kwargs
        )

    def form_valid(self, form):
        with transaction.atomic():
            Jaarparameters.objects.select_for_update().get(pk=self.object.pk)
            response = super().form_valid(form)
        messages.success(self.request, "De parameters zijn gewijzigd.")
        return response

    def get_success_url(self):
        return jaar_url(self.object)


class VoorschottenView(JaarMixin, FormView):
    """V_g per BW member gemeente of the year. "Verdelen" splits a total over the normalised
    verdeelmodel shares (largest remainder) into the form, to be checked and saved."""

    capability = "financien.change_voorschot"
    wijzig_capability = "financien.change_voorschot"
    template_name = "financien/voorschotten.html"

    def get_form(self, form_class=None):
        p = self.parameters()
        bedragen = dict(p.voorschotten.values_list("gemeente_id", "bedrag"))
        data = self.request.POST if "opslaan" in self.request.POST else None
        return VoorschottenForm(data, gemeenten=bw_leden(p.regio, p.jaar), bedragen=bedragen)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("verdeel_form", VerdeelTotaalForm(prefix="verdeel"))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if "verdelen" in request.POST:
            return self.verdelen()
        return super().post(request, *args, **kwargs)

    def verdelen(self):
        p = self.parameters()
        verdeel_form = VerdeelTotaalForm(self.request.POST, prefix="verdeel")
        gemeenten = list(bw_leden(p.regio, p.jaar))
        form = VoorschottenForm(gemeenten=gemeenten)
        if verdeel_form.is_valid():
            model = verdeelmodel_context(self.request.user, p)["verdeelmodel"]
            if model is None:
                verdeel_form.add_error(None, f"Er is geen verdeelmodel voor {p.jaar} of eerder.")
            else:
                aandelen = {
                    a.gemeente: a.percentage for a in model.aandelen.select_related("gemeente")
                }
                try:
                    verdeeld = voorschotten_naar_verdeelmodel(
                        [
                            GemeenteInvoer(g.code, g.naam, aandelen[g], Decimal("0"), Decimal("0"))
                            for g in sorted(aandelen, key=lambda g: (g.naam, g.code))
                        ],
                        verdeel_form.cleaned_data["totaal"],
                    )
                except VereveningFout as exc:
                    verdeel_form.add_error("totaal", str(exc))
                else:
                    per_code = {g.code: g.voorschot for g in verdeeld}
                    form = VoorschottenForm(
                        gemeenten=gemeenten,
                        bedragen={g.pk: per_code.get(g.code, Decimal("0.00")) for g in gemeenten},
                    )
                    messages.warning(
                        self.request,
                        "Het totaal is verdeeld naar het verdeelmodel. Controleer de bedragen en "
                        "klik op Opslaan.",
                    )
        return self.render_to_response(
            self.get_context_data(form=form, verdeel_form=verdeel_form, verdeeld=True)
        )

    def form_valid(self, form):
        form.save(self.parameters(), self.request.user)
        messages.success(self.request, "De voorschotten zijn opgeslagen.")
        return HttpResponseRedirect(jaar_url(self.object))


class BudgettenView(JaarMixin, DetailView):
    """The budgets per gemeente per functie of the year: one group of fields per gemeente."""

    capability = "financien.change_budget"
    wijzig_capability = "financien.change_budget"
    template_name = "financien/budgetten.html"

    def forms(self, data=None):
        p = self.parameters()
        functies = list(bw_functies(p.regio, p.jaar))
        bedragen = {
            (b.gemeente_id, b.functie_id): b.bedrag for b in Budget.objects.filter(parameters=p)
        }
        return [
            BudgetGemeenteForm(data, gemeente=g, functies=functies, bedragen=bedragen)
            for g in bw_leden(p.regio, p.jaar)
        ], functies

    def get(self, request, *args, **kwargs):
        forms, functies = self.forms()
        self.object = self.parameters()
        return self.render_to_response(self.get_context_data(forms=forms, functies=functies))

    def post(self, request, *args, **kwargs):
        forms, functies = self.forms(request.POST)
        self.object = self.parameters()
        if not all([f.is_valid() for f in forms]):
            return self.render_to_response(
                self.get_context_data(forms=forms, functies=functies, fouten=True)
            )
        budgetten_opslaan(self.object, forms, request.user)
        messages.success(request, "De budgetten zijn opgeslagen.")
        return HttpResponseRedirect(jaar_url(self.object))


class FunctiegewichtenView(JaarMixin, FormView):
    capability = "financien.change_functiegewicht"
    wijzig_capability = "financien.change_functiegewicht"
    template_name = "financien/functiegewichten.html"

    def get_form(self, form_class=None):
        p = self.parameters()
        return FunctiegewichtenForm(
            self.request.POST if self.request.method == "POST" else None,
            functies=bw_functies(p.regio, p.jaar),
            gewichten=dict(p.functiegewichten.values_list("functie_id", "gewicht")),
        )

    def form_valid(self, form):
        form.save(self.parameters(), self.request.user)
        messages.success(self.request, "De functiegewichten zijn opgeslagen.")
        return HttpResponseRedirect(jaar_url(self.object))


class VerdeelmodelView(JaarMixin, FormView):
    """The verdeelmodel shares of this year (``verdeelmodel_vastleggen``): within 0.05
    percentage point of 100 they are normalised, further off is refused."""

    capability = "financien.change_verdeelmodel"
    wijzig_capability = "financien.change_verdeelmodel"
    template_name = "financien/verdeelmodel_form.html"

    def get_form(self, form_class=None):
        p = self.parameters()
        model = verdeelmodel_context(self.request.user, p)["verdeelmodel"]
        percentages = dict(model.aandelen.values_list("gemeente_id", "percentage")) if model else {}
        form = VerdeelmodelForm(
            self.request.POST if self.request.method == "POST" else None,
            gemeenten=bw_leden(p.regio, p.jaar),
            percentages=percentages,
        )
        if model is not None and model.jaar == p.jaar:
            form.fields["bron"].initial = model.bron
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(verdeelmodel_context(self.request.user, self.object))
        return context

    def form_valid(self, form):
        p = self.parameters()
        try:
            verdeelmodel_vastleggen(
                p.regio, p.jaar, form.percentages(), user=self.request.user,
                bron=form.cleaned_data["bron"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Het verdeelmodel {p.jaar} is opgeslagen.")
        return HttpResponseRedirect(jaar_url(p))


JAAR = "jaren/<slug:regio>/<int:jaar>/"

urlpatterns = [
    path("", JarenView.as_view(), name="jaren"),
    path("jaren/nieuw/", JaarNieuwView.as_view(), name="jaar-nieuw"),
    path(JAAR, JaarDetailView.as_view(), name="jaar"),
    path(f"{JAAR}wijzigen/", JaarWijzigenView.as_view(), name="jaar-wijzigen"),
    path(f"{JAAR}voorschotten/", VoorschottenView.as_view(), name="voorschotten"),
    path(f"{JAAR}budgetten/", BudgettenView.as_view(), name="budgetten"),
    path(f"{JAAR}functiegewichten/", FunctiegewichtenView.as_view(), name="functiegewichten"),
    path(f"{JAAR}verdeelmodel/", VerdeelmodelView.as_view(), name="verdeelmodel"),
]
