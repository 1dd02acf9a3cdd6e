"""Regie (seed 000 §9): trajectplannen with goals and evaluations, the worklist of evaluations due,
and quality signals to RISB."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from inkoop.kwaliteit import signalen as ks
from inkoop.models import Aanbieder, Kwaliteitssignaal, Locatie
from regio import audit
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import Regio
from regio.query import mag
from toegang.models import Evaluatie, Plaatsing, Trajectdoel, Trajectplan
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import regie as rs
from toegang.wachtlijst.forms import (
    EvaluatieFilterForm,
    EvaluatiePlanForm,
    EvaluatieVastleggenForm,
    KwaliteitssignaalForm,
    TrajectdoelForm,
    TrajectplanForm,
)

VIEW_PLAN = "toegang.view_trajectplan"
ADD_PLAN = "toegang.add_trajectplan"
CHANGE_PLAN = "toegang.change_trajectplan"
ADD_DOEL = "toegang.add_trajectdoel"
CHANGE_DOEL = "toegang.change_trajectdoel"
VIEW_EVALUATIE = "toegang.view_evaluatie"
ADD_EVALUATIE = "toegang.add_evaluatie"
CHANGE_EVALUATIE = "toegang.change_evaluatie"
VIEW_SIGNAAL = "inkoop.view_kwaliteitssignaal"

PLAATSING_RELATED = (
    "aanmelding__regio",
    "aanmelding__dossier__client__persoon",
    "locatie__aanbieder",
)


def vandaag() -> datetime.date:
    return datetime.date.today()


def naam_van(plaatsing: Plaatsing) -> str:
    persoon = getattr(plaatsing.aanmelding.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


def signalen_over(user, plaatsing: Plaatsing):
    """The quality signals the user may see about the plaatsing's aanbieder in its regio. A
    signal is about the care, not the client, so it is not tied to the plaatsing itself."""
    return (
        Kwaliteitssignaal.objects.visible_to(user, VIEW_SIGNAAL)
        .filter(regio_id=plaatsing.aanmelding.regio_id, aanbieder_id=plaatsing.locatie.aanbieder_id)
        .select_related("locatie")
        .order_by("-gemeld_op", "-pk")
    )


# --- the aanmelding's detail page -------------------------------------------------------------


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_regie.html``): per
    placed plaatsing the plan (or a link to make one), the next evaluation and the signals."""
    plaatsingen = list(
        Plaatsing.objects.visible_to(user, VIEW_PLAN)
        .filter(
            aanmelding=aanmelding,
            status__in=(Plaatsing.Status.GEPLAATST, Plaatsing.Status.BEEINDIGD),
        )
        .select_related(*PLAATSING_RELATED)
        .order_by("-geplaatst_op", "-pk")
    )
    if not plaatsingen:
        return {}
    pks = [p.pk for p in plaatsingen]
    plannen = {
        t.plaatsing_id: t
        for t in Trajectplan.objects.visible_to(user, VIEW_PLAN).filter(plaatsing__in=pks)
    }
    kan_opstellen = set(
        Plaatsing.objects.visible_to(user, ADD_PLAN)
        .filter(pk__in=pks, status=Plaatsing.Status.GEPLAATST)
        .values_list("pk", flat=True)
    )
    kan_melden = ks.mag_melden(user, aanmelding.regio)
    peildatum = vandaag()
    trajecten = []
    for p in plaatsingen:
        plan = plannen.get(p.pk)
        volgende = None
        if plan is not None:
            volgende = (
                Evaluatie.objects.visible_to(user, VIEW_EVALUATIE)
                .filter(trajectplan=plan, uitgevoerd_op__isnull=True)
                .order_by("gepland_op", "pk")
                .first()
            )
        trajecten.append(
            {
                "plaatsing": p,
                "plan": plan,
                "volgende": volgende,
                "te_laat": volgende is not None and rs.te_laat(volgende, peildatum),
                "kan_opstellen": plan is None and p.pk in kan_opstellen,
                "kan_melden": kan_melden and p.status == Plaatsing.Status.GEPLAATST,
                "signalen": list(signalen_over(user, p)[:5]),
            }
        )
    return {"regie_trajecten": trajecten}


# --- shared -----------------------------------------------------------------------------------


class RegieObjectMixin(ScopedViewMixin, SingleObjectMixin):
    """One scoped object (plaatsing, plan, goal, evaluation) fetched once; 404 outside scope."""

    related: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().select_related(*self.related)

    def obj(self):
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def plaatsing(self) -> Plaatsing:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        self.obj()
        plaatsing = self.plaatsing()
        return super().get_context_data(plaatsing=plaatsing, naam=naam_van(plaatsing), **kwargs)


class RegieFormMixin:
    """A form page whose valid input goes to one service call (``bewaar(data)``, which returns
    where to go next) that may refuse with Dutch errors landing at the field. Put it before the
    object mixin in the bases: its ``form_valid`` replaces ScopedViewMixin's (the service
    audits), and ``terug_url`` comes from the object mixin."""

    template_name = "toegang/wachtlijst/regie_form.html"
    titel = ""
    knop = "Opslaan"
    uitleg = ""
    succes = "Opgeslagen."

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titel=self.titel, knop=self.knop, uitleg=self.uitleg, terug=self.terug_url(), **kwargs
        )

    def form_valid(self, form):
        try:
            volgende = self.bewaar(form.cleaned_data)
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.succes)
        return HttpResponseRedirect(volgende)


def plan_url(plan) -> str:
    return reverse("toegang:trajectplan_detail", args=[plan.pk])


# --- trajectplan ------------------------------------------------------------------------------


class PlaatsingRegieMixin(RegieObjectMixin):
    model = Plaatsing
    related = PLAATSING_RELATED
    context_object_name = "plaatsing_object"

    def plaatsing(self):
        return self.obj()


class TrajectplanCreateView(RegieFormMixin, PlaatsingRegieMixin, FormView):
    capability = ADD_PLAN
    form_class = TrajectplanForm
    titel = "Trajectplan opstellen"
    knop = "Trajectplan opslaan"
    uitleg = (
        "Het trajectplan maakt de Centrale Toegang samen met de cliënt en de aanbieder. De cliënt "
        "houdt zoveel mogelijk zelf de regie over de stappen; leg vast wanneer cliënt en "
        "aanbieder akkoord gaven."
    )
    succes = "Het trajectplan is opgesteld."

    def get(self, request, *args, **kwargs):
        weg = self.niet_mogelijk()
        return weg or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        weg = self.niet_mogelijk()
        return weg or super().post(request, *args, **kwargs)

    def niet_mogelijk(self):
        p = self.obj()
        bestaand = Trajectplan.objects.filter(plaatsing=p).first()
        if bestaand is not None:
            messages.warning(self.request, "Voor deze plaatsing is al een trajectplan.")
            if mag(self.request.user, VIEW_PLAN, bestaand):
                return HttpResponseRedirect(plan_url(bestaand))
            return HttpResponseRedirect(self.terug_url())
        if p.status != Plaatsing.Status.GEPLAATST:
            messages.error(self.request, "Een trajectplan kan alleen voor een geplaatste cliënt.")
            return HttpResponseRedirect(self.terug_url())
        return None

    def terug_url(self):
        return reverse("toegang:aanmelding_detail", args=[self.obj().aanmelding_id])

    def get_initial(self):
        peildatum = vandaag()
        voorstel = rs.voorgestelde_evaluatie(self.obj().geplaatst_op or peildatum)
        if voorstel <= peildatum:
            voorstel = rs.voorgestelde_evaluatie(peildatum)
        return {"opgesteld_op": peildatum, "eerste_evaluatie": voorstel}

    def bewaar(self, data):
        plan = rs.trajectplan_opstellen(
            self.obj(), self.request.user, data["opgesteld_op"],
            toelichting=data["toelichting"], client_akkoord_op=data["client_akkoord_op"],
            aanbieder_akkoord_op=data["aanbieder_akkoord_op"],
            eerste_evaluatie=data["eerste_evaluatie"],
        )  # fmt: skip
        return plan_url(plan)


class TrajectplanMixin(RegieObjectMixin):
    model = Trajectplan
    context_object_name = "plan"
    related = tuple(f"plaatsing__{r}" for r in PLAATSING_RELATED)

    def plaatsing(self):
        return self.obj().plaatsing

    def terug_url(self):
        return plan_url(self.obj())


class TrajectplanDetailView(TrajectplanMixin, DetailView):
    capability = VIEW_PLAN
    template_name = "toegang/wachtlijst/regie_trajectplan.html"

    def get_context_data(self, **kwargs):
        plan, user = self.obj(), self.request.user
        peildatum = vandaag()
        evaluaties = list(
            Evaluatie.objects.visible_to(user, VIEW_EVALUATIE)
            .filter(trajectplan=plan)
            .select_related("uitgevoerd_door")
            .order_by("gepland_op", "pk")
        )
        for e in evaluaties:
            e.te_laat = rs.te_laat(e, peildatum)
        lopend = plan.plaatsing.status == Plaatsing.Status.GEPLAATST
        return super().get_context_data(
            doelen=Trajectdoel.objects.visible_to(user, "toegang.view_trajectdoel")
            .filter(trajectplan=plan)
            .order_by("pk"),
            evaluaties=evaluaties,
            lopend=lopend,
            mag_wijzigen=mag(user, CHANGE_PLAN, plan),
            mag_doel_toevoegen=mag(user, ADD_DOEL, plan),
            mag_doel_wijzigen=mag(user, CHANGE_DOEL, plan),
            mag_evaluatie_plannen=lopend and mag(user, ADD_EVALUATIE, plan),
            mag_evalueren=mag(user, CHANGE_EVALUATIE, plan),
            mag_melden=lopend and ks.mag_melden(user, plan.plaatsing.aanmelding.regio),
            signalen=signalen_over(user, plan.plaatsing)[:20],
            **kwargs,
        )


class TrajectplanWijzigenView(RegieFormMixin, TrajectplanMixin, FormView):
    capability = CHANGE_PLAN
    form_class = TrajectplanForm
    titel = "Trajectplan wijzigen"
    succes = "Het trajectplan is gewijzigd."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "nieuw": False}

    def get_initial(self):
        plan = self.obj()
        return {
            "opgesteld_op": plan.opgesteld_op,
            "client_akkoord_op": plan.client_akkoord_op,
            "aanbieder_akkoord_op": plan.aanbieder_akkoord_op,
            "toelichting": plan.toelichting,
        }

    def bewaar(self, data):
        plan = rs.trajectplan_wijzigen(
            self.obj(), self.request.user, data["opgesteld_op"],
            toelichting=data["toelichting"], client_akkoord_op=data["client_akkoord_op"],
            aanbieder_akkoord_op=data["aanbieder_akkoord_op"],
        )  # fmt: skip
        return plan_url(plan)


class DoelToevoegenView(RegieFormMixin, TrajectplanMixin, FormView):
    capability = ADD_DOEL
    form_class = TrajectdoelForm
    titel = "Doel toevoegen"
    knop = "Doel toevoegen"
    succes = "Het doel is toegevoegd."

    def bewaar(self, data):
        rs.doel_toevoegen(
            self.obj(), self.request.user, data["leefgebied"], data["omschrijving"],
            data["streefdatum"], data["status"],
        )  # fmt: skip
        return self.terug_url()


class EvaluatiePlannenView(RegieFormMixin, TrajectplanMixin, FormView):
    capability = ADD_EVALUATIE
    form_class = EvaluatiePlanForm
    titel = "Evaluatie plannen"
    knop = "Evaluatie plannen"
    succes = "De evaluatie is gepland."

    def get_initial(self):
        laatste = self.obj().evaluaties.order_by("-gepland_op").first()
        basis = max(laatste.gepland_op, vandaag()) if laatste else vandaag()
        return {"gepland_op": rs.voorgestelde_evaluatie(basis)}

    def bewaar(self, data):
        rs.evaluatie_plannen(self.obj(), self.request.user, data["gepland_op"])
        return self.terug_url()


class DoelWijzigenView(RegieFormMixin, RegieObjectMixin, FormView):
    model = Trajectdoel
    capability = CHANGE_DOEL
    form_class = TrajectdoelForm
    context_object_name = "doel"
    related = tuple(f"trajectplan__plaatsing__{r}" for r in PLAATSING_RELATED)
    titel = "Doel wijzigen"
    succes = "Het doel is gewijzigd."

    def plaatsing(self):
        return self.obj().trajectplan.plaatsing

    def terug_url(self):
        return plan_url(self.obj().trajectplan)

    def get_initial(self):
        d = self.obj()
        return {
            "leefgebied": d.leefgebied,
            "omschrijving": d.omschrijving,
            "streefdatum": d.streefdatum,
            "status": d.status,
        }

    def bewaar(self, data):
        rs.doel_wijzigen(
            self.obj(), self.request.user, data["leefgebied"], data["omschrijving"],
            data["streefdatum"], data["status"],
        )  # fmt: skip
        return self.terug_url()


class EvaluatieMixin(RegieObjectMixin):
    model = Evaluatie
    capability = CHANGE_EVALUATIE
    context_object_name = "evaluatie"
    related = tuple(f"trajectplan__plaatsing__{r}" for r in PLAATSING_RELATED)

    def plaatsing(self):
        return self.obj().trajectplan.plaatsing

    def terug_url(self):
        return plan_url(self.obj().trajectplan)

    def get(self, request, *args, **kwargs):
        if self.obj().uitgevoerd_op is not None:
            messages.error(request, "Deze evaluatie is al vastgelegd.")
            return HttpResponseRedirect(self.terug_url())
        return super().get(request, *args, **kwargs)


class EvaluatieVerzettenView(RegieFormMixin, EvaluatieMixin, FormView):
    form_class = EvaluatiePlanForm
    titel = "Evaluatie verzetten"
    succes = "De evaluatie is verzet."

    def get_initial(self):
        return {"gepland_op": self.obj().gepland_op}

    def bewaar(self, data):
        rs.evaluatie_verzetten(self.obj(), self.request.user, data["gepland_op"])
        return self.terug_url()


class EvaluatieVastleggenView(RegieFormMixin, EvaluatieMixin, FormView):
    form_class = EvaluatieVastleggenForm
    titel = "Evaluatie vastleggen"
    knop = "Evaluatie vastleggen"
    uitleg = (
        "Leg vast wat cliënt, aanbieder en Centrale Toegang samen hebben besproken. Plan meteen "
        "de volgende evaluatie, of laat die datum leeg."
    )
    succes = "De evaluatie is vastgelegd."

    def get_initial(self):
        e, peildatum = self.obj(), vandaag()
        gehouden = min(e.gepland_op, peildatum)
        initial = {"uitgevoerd_op": gehouden}
        if e.trajectplan.plaatsing.status == Plaatsing.Status.GEPLAATST:
            initial["volgende_op"] = rs.voorgestelde_evaluatie(gehouden)
        return initial

    def bewaar(self, data):
        _, volgende = rs.evaluatie_vastleggen(
            self.obj(), self.request.user, data["uitgevoerd_op"], data["uitkomst"],
            data["verslag"], volgende_op=data["volgende_op"],
        )  # fmt: skip
        if volgende is not None:
            self.succes = (
                f"De evaluatie is vastgelegd; de volgende staat op {volgende.gepland_op:%d-%m-%Y}."
            )
        return self.terug_url()


# --- kwaliteitssignaal ------------------------------------------------------------------------


class SignaalMeldenView(RegieFormMixin, PlaatsingRegieMixin, FormView):
    """The CT passes a signal about the aanbieder of a placed client to RISB (inkoop)."""

    capability = ks.MELDEN
    form_class = KwaliteitssignaalForm
    template_name = "toegang/wachtlijst/regie_signaal_form.html"
    titel = "Kwaliteitssignaal doorgeven aan RISB"
    knop = "Signaal doorgeven"
    succes = "Het kwaliteitssignaal is doorgegeven aan RISB."

    def controleer(self):
        # The plaatsing answers 404 outside the scope; inside it, only the regio's own roles
        # pass signals (the contractpartner's staff keep the list but are an aanbieder).
        if not ks.mag_melden(self.request.user, self.obj().aanmelding.regio):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        self.controleer()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.controleer()
        return super().post(request, *args, **kwargs)

    def terug_url(self):
        plan = Trajectplan.objects.visible_to(self.request.user, VIEW_PLAN).filter(
            plaatsing=self.obj()
        )
        plan = plan.first()
        if plan is not None:
            return plan_url(plan)
        return reverse("toegang:aanmelding_detail", args=[self.obj().aanmelding_id])

    def locaties(self):
        return Locatie.objects.visible_to(self.request.user, "inkoop.view_locatie").filter(
            aanbieder_id=self.obj().locatie.aanbieder_id
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "locaties": self.locaties().order_by("naam")}

    def get_initial(self):
        return {"locatie": self.obj().locatie_id}

    def get_context_data(self, **kwargs):
        p = self.obj()
        return super().get_context_data(
            aanbieder=p.locatie.aanbieder, regio=p.aanmelding.regio, **kwargs
        )

    def bewaar(self, data):
        p = self.obj()
        ks.melden(
            self.request.user, p.aanmelding.regio, p.locatie.aanbieder, data["onderwerp"],
            data["omschrijving"], locatie=data["locatie"],
        )  # fmt: skip
        return self.terug_url()


# --- the worklist ------------------------------------------------------------------------------


def naam_evaluatie(e: Evaluatie) -> str:
    return naam_van(e.trajectplan.plaatsing)


class EvaluatiesView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """Evaluations due in the user's scope (overdue first, then by date), and the placed clients
    who have no trajectplan yet."""

    model = Evaluatie
    capability = VIEW_EVALUATIE
    paginate_by = 25
    template_name = "toegang/wachtlijst/regie_evaluaties.html"
    search_fields = (
        "trajectplan__plaatsing__aanmelding__dossier__client__persoon__geslachtsnaam__icontains",
        "trajectplan__plaatsing__aanmelding__dossier__client__persoon__voornamen__icontains",
    )
    sortable = {
        "gepland": "gepland_op",
        "aanbieder": "trajectplan__plaatsing__locatie__aanbieder__naam",
    }
    export_filename = "evaluaties"

    @property
    def peildatum(self):
        return vandaag()

    @property
    def export_columns(self):
        peildatum = self.peildatum
        return [
            ("Cliënt", naam_evaluatie),
            ("Regio", lambda e: e.trajectplan.plaatsing.aanmelding.regio.naam),
            ("Aanbieder", lambda e: e.trajectplan.plaatsing.locatie.aanbieder.naam),
            ("Locatie", lambda e: e.trajectplan.plaatsing.locatie.naam),
            ("Geplaatst op", lambda e: e.trajectplan.plaatsing.geplaatst_op),
            ("Gepland op", lambda e: e.gepland_op),
            ("Te laat", lambda e: "ja" if rs.te_laat(e, peildatum) else "nee"),
        ]

    def basis(self):
        return Evaluatie.objects.visible_to(self.request.user, self.capability)

    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            user = self.request.user
            basis = self.basis()
            regios = Regio.objects.filter(
                Q(pk__in=wachtlijst_regios(user, self.capability).values("pk"))
                | Q(pk__in=basis.values("trajectplan__plaatsing__aanmelding__regio"))
            ).order_by("naam")
            aanbieders = Aanbieder.objects.filter(
                pk__in=basis.values("trajectplan__plaatsing__locatie__aanbieder")
            ).order_by("naam")
            self._filter_form = EvaluatieFilterForm(
                self.request.GET, regios=regios, aanbieders=aanbieders
            )
            self._filter_form.is_valid()
        return self._filter_form

    def filters(self) -> dict:
        return self.filter_form().cleaned_data

    def filter_queryset(self, queryset):
        f = self.filters()
        queryset = rs.open_evaluaties(queryset, self.peildatum).select_related(
            "trajectplan__plaatsing__aanmelding__regio",
            "trajectplan__plaatsing__aanmelding__dossier__client__persoon",
            "trajectplan__plaatsing__locatie__aanbieder",
        )
        if f.get("regio"):
            queryset = queryset.filter(trajectplan__plaatsing__aanmelding__regio=f["regio"])
        if f.get("aanbieder"):
            queryset = queryset.filter(trajectplan__plaatsing__locatie__aanbieder=f["aanbieder"])
        if f.get("termijn") == "te_laat":
            queryset = queryset.filter(gepland_op__lt=self.peildatum)
        elif f.get("termijn") == "binnen_30":
            queryset = queryset.filter(
                gepland_op__gte=self.peildatum,
                gepland_op__lte=self.peildatum + datetime.timedelta(days=rs.BINNENKORT_DAGEN),
            )
        return queryset

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.GET.get("sort", "").removeprefix("-") not in self.sortable:
            queryset = queryset.order_by("te_laat_rang", "gepland_op", "pk")
        return queryset

    def zonder_plan(self):
        f, user = self.filters(), self.request.user
        plaatsingen = rs.zonder_plan(
            Plaatsing.objects.visible_to(user, VIEW_PLAN).select_related(*PLAATSING_RELATED)
        )
        if f.get("regio"):
            plaatsingen = plaatsingen.filter(aanmelding__regio=f["regio"])
        if f.get("aanbieder"):
            plaatsingen = plaatsingen.filter(locatie__aanbieder=f["aanbieder"])
        zoek = (f.get("q") or "").strip()
        if zoek:
            plaatsingen = plaatsingen.filter(
                Q(aanmelding__dossier__client__persoon__geslachtsnaam__icontains=zoek)
                | Q(aanmelding__dossier__client__persoon__voornamen__icontains=zoek)
            )
        return plaatsingen

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter_form=self.filter_form(), **kwargs)
        user, peildatum = self.request.user, self.peildatum
        rijen = list(context["object_list"])
        for e in rijen:
            e.te_laat = rs.te_laat(e, peildatum)
        kan_vastleggen = set(
            Evaluatie.objects.visible_to(user, CHANGE_EVALUATIE)
            .filter(pk__in=[e.pk for e in rijen])
            .values_list("pk", flat=True)
        )
        for e in rijen:
            e.kan_vastleggen = e.pk in kan_vastleggen
            e.kan_melden = ks.mag_melden(user, e.trajectplan.plaatsing.aanmelding.regio)
        pagina = Paginator(self.zonder_plan(), 25).get_page(self.request.GET.get("plan_page"))
        zonder = list(pagina.object_list)
        kan_opstellen = set(
            Plaatsing.objects.visible_to(user, ADD_PLAN)
            .filter(pk__in=[p.pk for p in zonder])
            .values_list("pk", flat=True)
        )
        for p in zonder:
            p.naam = naam_van(p)
            p.kan_opstellen = p.pk in kan_opstellen
        # Client names are shown: the read is audited like any list of persons.
        getoond = [e.trajectplan.plaatsing for e in rijen] + zonder
        if getoond:
            audit.record(
                "view", objects=getoond, object_type=audit.object_label(Plaatsing),
                request=self.request,
            )  # fmt: skip
        params = self.request.GET.copy()
        params.pop("plan_page", None)
        params.pop("export", None)
        context.update(
            object_list=rijen,
            zonder_plan=zonder,
            zonder_plan_pagina=pagina,
            zonder_plan_query=params.urlencode(),
            gefilterd=any(self.request.GET.get(k) for k in ("q", "regio", "aanbieder", "termijn")),
            binnenkort_dagen=rs.BINNENKORT_DAGEN,
        )
        return context


urlpatterns = [
    path("regie/evaluaties/", EvaluatiesView.as_view(), name="evaluaties"),
    path(
        "regie/plaatsingen/<int:pk>/trajectplan/",
        TrajectplanCreateView.as_view(),
        name="trajectplan_create",
    ),
    path(
        "regie/plaatsingen/<int:pk>/signaal/",
        SignaalMeldenView.as_view(),
        name="kwaliteitssignaal_melden",
    ),
    path(
        "regie/trajectplannen/<int:pk>/",
        TrajectplanDetailView.as_view(),
        name="trajectplan_detail",
    ),
    path(
        "regie/trajectplannen/<int:pk>/wijzigen/",
        TrajectplanWijzigenView.as_view(),
        name="trajectplan_wijzigen",
    ),
    path(
        "regie/trajectplannen/<int:pk>/doelen/nieuw/",
        DoelToevoegenView.as_view(),
        name="trajectdoel_create",
    ),
    path(
        "regie/trajectplannen/<int:pk>/evaluaties/nieuw/",
        EvaluatiePlannenView.as_view(),
        name="evaluatie_create",
    ),
    path(
        "regie/doelen/<int:pk>/wijzigen/", DoelWijzigenView.as_view(), name="trajectdoel_wijzigen"
    ),
    path(
        "regie/evaluaties/<int:pk>/verzetten/",
        EvaluatieVerzettenView.as_view(),
        name="evaluatie_verzetten",
    ),
    path(
        "regie/evaluaties/<int:pk>/vastleggen/",
        EvaluatieVastleggenView.as_view(),
        name="evaluatie_vastleggen",
    ),
]
