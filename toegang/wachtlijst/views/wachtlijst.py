"""wachtlijst screens of the Centrale Toegang workplace: the list per regio (filters, waiting
days, norm badge, export), an aanmelding's detail (beoordeling, preferences, events, plaatsingen,
matching locations), op de wachtlijst zetten and van de lijst halen (a confirm form)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from inkoop.models import Aanbieder, Locatie
from regio import audit
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import Domein, Lidmaatschap, Regio
from toegang.models import (
    Aanmelding,
    Aanvraag,
    Beschikking,
    Dossier,
    Plaatsing,
    Wachtlijstgebeurtenis,
)
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import services as ws
from toegang.wachtlijst.forms import (
    AanmeldForm,
    BeoordelingForm,
    DatumForm,
    UitstroomForm,
    WachtlijstFilterForm,
)
from toegang.wachtlijst.views import bdvo, doorstroom, regie, wachtstatus
from toegang.wachtlijst.views.basis import AanmeldingMixin

VIEW = "toegang.view_aanmelding"
CHANGE = "toegang.change_aanmelding"


def vandaag() -> datetime.date:
    return datetime.date.today()


def naam(a: Aanmelding) -> str:
    persoon = getattr(a.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


def urgentie_rang():
    return Case(
        *(When(urgentie=u, then=Value(r)) for u, r in ws.URGENTIE_RANG.items()),
        output_field=IntegerField(),
    )


class WachtlijstView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """One list per regio the user keeps (or may see): crisis, urgent, regulier; then the
    longest waiting first."""

    model = Aanmelding
    capability = VIEW
    paginate_by = 25
    template_name = "toegang/wachtlijst/wachtlijst_list.html"
    search_fields = (
        "dossier__client__persoon__geslachtsnaam__icontains",
        "dossier__client__persoon__voornamen__icontains",
    )
    sortable = {"wachtend": "wachtend_sinds", "functie": "functie__naam"}
    export_filename = "wachtlijst"
    kolommen = [
        ("Cliënt", naam),
        ("Functie", lambda a: a.functie.naam if a.functie else ""),
        ("Arrangement", lambda a: a.arrangement),
        ("Urgentie", lambda a: a.get_urgentie_display()),
        (
            "Gemeente van herkomst",
            lambda a: a.gemeente_herkomst.naam if a.gemeente_herkomst else "",
        ),
        ("Status", lambda a: a.get_status_display()),
        ("Wachtend sinds", lambda a: a.wachtend_sinds),
        ("Wachtdagen", lambda a: ws.wachtdagen(a, vandaag())),
        ("Boven de norm", lambda a: "ja" if ws.boven_norm(a, vandaag()) else "nee"),
        ("Overbruggingszorg", lambda a: a.overbruggingszorg),
    ]

    def regios(self):
        scoped = Aanmelding.objects.visible_to(self.request.user, VIEW)
        return Regio.objects.filter(
            Q(pk__in=wachtlijst_regios(self.request.user, VIEW).values("pk"))
            | Q(pk__in=scoped.values("regio"))
        ).order_by("naam")

    def regio(self):
        if not hasattr(self, "_regio"):
            regios = list(self.regios())
            gekozen = self.request.GET.get("regio")
            self._regio = next((r for r in regios if r.code == gekozen), None) or (
                regios[0] if regios else None
            )
            self._regios = regios
        return self._regio

    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            regio = self.regio()
            data = self.request.GET.copy()
            if regio is not None:
                data["regio"] = regio.code
            self._filter_form = WachtlijstFilterForm(
                data, regios=self._regios, regio=regio, arrangementen=self.arrangementen()
            )
            self._filter_form.is_valid()
        return self._filter_form

    def arrangementen(self) -> bool:
        """Only aanmeldingen of an era whose catalogue had arrangementen carry one (issue 17:
        ``tijdvak``); without them the list has no arrangement column or filter."""
        if not hasattr(self, "_arrangementen"):
            regio = self.regio()
            self._arrangementen = regio is not None and (
                Aanmelding.objects.visible_to(self.request.user, VIEW)
                .filter(regio=regio, status__in=ws.OPEN, arrangement__isnull=False)
                .exists()
            )
        return self._arrangementen

    @property
    def export_columns(self):
        if self.arrangementen():
            return self.kolommen
        return [c for c in self.kolommen if c[0] != "Arrangement"]

    def filter_queryset(self, queryset):
        regio = self.regio()
        if regio is None:  # e.g. a contractpartner whose regio's list the CT keeps
            return queryset.none().annotate(urgentie_rang=urgentie_rang())
        f = self.filter_form().cleaned_data
        # The client's name by a second query for the page's rows only: joined here, every
        # aanmelding on the list would be joined to dossier, client and person before the sort.
        queryset = (
            queryset.filter(regio=regio)
            .select_related("regio", "functie", "gemeente_herkomst")
            .prefetch_related(
                Prefetch("dossier", queryset=Dossier.objects.select_related("client__persoon"))
            )
        )
        if f.get("status") == "aangemeld":
            queryset = queryset.filter(status=Aanmelding.Status.AANGEMELD)
        else:
            queryset = queryset.filter(status__in=ws.OP_DE_LIJST)
        if f.get("functie"):
            queryset = queryset.filter(functie=f["functie"])
        if f.get("arrangement"):
            queryset = queryset.filter(arrangement=f["arrangement"])
        if f.get("herkomst"):
            queryset = queryset.filter(gemeente_herkomst=f["herkomst"])
        if f.get("urgentie"):
            queryset = queryset.filter(urgentie=f["urgentie"])
        if f.get("boven_norm"):
            queryset = queryset.filter(
                status__in=ws.OP_DE_LIJST, wachtend_sinds__lt=ws.norm_grens(regio, vandaag())
            )
        return queryset.annotate(urgentie_rang=urgentie_rang())

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.GET.get("sort", "").removeprefix("-") not in self.sortable:
            queryset = queryset.order_by("urgentie_rang", "wachtend_sinds", "aangemeld_op", "pk")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            filter_form=self.filter_form(), regio=self.regio(),
            arrangementen=self.arrangementen(), **kwargs,
        )  # fmt: skip
        peildatum = vandaag()
        for a in context["object_list"]:
            a.wachtdagen = ws.wachtdagen(a, peildatum)
            a.boven_norm = ws.boven_norm(a, peildatum)
        regio = self.regio()
        if regio is not None:
            context["crisis_te_laat"] = ws.crisis_zonder_beschikking(
                Aanmelding.objects.visible_to(self.request.user, VIEW).filter(
                    regio=regio, status__in=(*ws.OPEN, Aanmelding.Status.GEPLAATST)
                ),
                peildatum,
            )  # fmt: skip
        return context


def regio_locaties(user, regio):
    """Locations of aanbieders contracted in ``regio`` that the user may see."""
    return (
        Locatie.objects.visible_to(user, "inkoop.view_locatie")
        .filter(aanbieder__contracten__regio=regio, actief=True)
        .select_related("aanbieder")
        .distinct()
        .order_by("aanbieder__naam", "naam")
    )


class AanmeldingDetailView(AanmeldingMixin, DetailView):
    capability = VIEW
    template_name = "toegang/wachtlijst/wachtlijst_detail.html"

    def get_context_data(self, **kwargs):
        a, user = self.object, self.request.user
        peildatum = vandaag()
        mag_wijzigen = Aanmelding.objects.visible_to(user, CHANGE).filter(pk=a.pk).exists()
        context = super().get_context_data(
            naam=naam(a),
            wachtdagen=ws.wachtdagen(a, peildatum),
            boven_norm=ws.boven_norm(a, peildatum),
            mag_wijzigen=mag_wijzigen,
            gebeurtenissen=Wachtlijstgebeurtenis.objects.visible_to(
                user, "toegang.view_wachtlijstgebeurtenis"
            )
            .filter(aanmelding=a)
            .select_related("functie", "gemeente_herkomst")
            .order_by("datum", "pk"),
            plaatsingen=Plaatsing.objects.visible_to(user, "toegang.view_plaatsing")
            .filter(aanmelding=a)
            .select_related("locatie__aanbieder", "toewijzing"),
            uitsluitingen=list(a.uitsluitingen.all()),
            # Where the regio lets its CT beschikken (regio.query.CT_BESCHIKKEN).
            mag_beschikken=Dossier.objects.visible_to(user, "toegang.add_beschikking")
            .filter(pk=a.dossier_id)
            .exists(),
            heeft_voorkeuren=any(getattr(a, v) for v in ws.VOORKEUREN[:6])
            or a.uitsluitingen.exists(),
            **kwargs,
        )
        # Placed on a beschikking of its own (not one the aanmelding named): the page says so.
        context["plaatsingsbeschikkingen"] = sorted(
            {p.beschikking_id for p in context["plaatsingen"] if p.beschikking_id}
        )
        if mag_wijzigen and a.status == Aanmelding.Status.WACHTEND:
            zichtbaar = set(regio_locaties(user, a.regio).values_list("pk", flat=True))
            context["matches"] = [
                m for m in ws.passende_locaties(a, peildatum) if m.locatie.pk in zichtbaar
            ]
            context["niet_passend"] = [
                u for u in ws.uitgesloten_locaties(a, peildatum) if u.locatie.pk in zichtbaar
            ]
        if mag_wijzigen and a.status == Aanmelding.Status.AANGEMELD:
            context["wachtlijst_form"] = DatumForm(initial={"datum": peildatum})
        for part in (doorstroom, bdvo, regie, wachtstatus):
            context.update(part.aanmelding_context(a, user))
        return context


class BeoordelenView(AanmeldingMixin, FormView):
    capability = CHANGE
    form_class = BeoordelingForm
    template_name = "toegang/wachtlijst/wachtlijst_beoordelen.html"

    def get_form_kwargs(self):
        a = self.aanmelding()
        locaties = regio_locaties(self.request.user, a.regio)
        aanbieders = Aanbieder.objects.visible_to(self.request.user, "inkoop.view_aanbieder")
        aanbieders = aanbieders.filter(pk__in=locaties.values("aanbieder")).order_by("naam")
        return {
            **super().get_form_kwargs(), "instance": a, "aanbieders": aanbieders,
            "locaties": Locatie.objects.filter(pk__in=locaties.values("pk")),
        }  # fmt: skip

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            # A fresh row: the bound ModelForm has already written into its instance, and the
            # service (locks, events) decides what is saved.
            ws.beoordelen(
                Aanmelding.objects.get(pk=self.aanmelding().pk), self.request.user,
                data["functie"], data.get("arrangement"), data["urgentie"], data["urgentie_reden"],
                data["gemeente_herkomst"], datum=vandaag(),
                uitsluitingen=list(data["uitsluitingen"]),
                **{k: data[k] for k in ws.VOORKEUREN},
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "De beoordeling is opgeslagen.")
        return HttpResponseRedirect(self.detail_url())


class OpWachtlijstView(AanmeldingMixin, FormView):
    capability = CHANGE
    form_class = DatumForm
    template_name = "toegang/wachtlijst/wachtlijst_actie.html"
    extra_context = {"titel": "Op de wachtlijst zetten", "knop": "Op de wachtlijst zetten"}

    def get_initial(self):
        return {"datum": vandaag()}

    def form_valid(self, form):
        try:
            ws.op_wachtlijst(self.aanmelding(), self.request.user, form.cleaned_data["datum"])
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "De cliënt staat op de wachtlijst.")
        return HttpResponseRedirect(self.detail_url())


class VanDeLijstView(AanmeldingMixin, FormView):
    """The confirmation page: a reason and a date, then the client leaves the list."""

    capability = CHANGE
    form_class = UitstroomForm
    template_name = "toegang/wachtlijst/wachtlijst_actie.html"
    extra_context = {
        "titel": "Van de wachtlijst halen",
        "knop": "Van de wachtlijst halen",
        "uitleg": "De cliënt gaat van de wachtlijst af; een gereserveerde plaats vervalt. "
        "Dit telt in de wachtlijstrapportage als uitstroom met de gekozen reden.",
    }

    def get_initial(self):
        return {"datum": vandaag()}

    def form_valid(self, form):
        try:
            ws.van_de_lijst(
                self.aanmelding(), self.request.user, form.cleaned_data["reden"],
                form.cleaned_data["datum"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "De cliënt is van de wachtlijst gehaald.")
        return HttpResponseRedirect(self.detail_url())


def regio_voor(dossier, datum):
    """The regio that keeps the waiting list for the dossier's verantwoordelijke gemeente."""
    lid = (
        Lidmaatschap.objects.active_on(datum)
        .filter(gemeente=dossier.verantwoordelijke_gemeente_id, domein=Domein.BESCHERMD_WONEN)
        .select_related("regio")
        .first()
    )
    return lid.regio if lid else None


class AanmeldenView(ScopedViewMixin, SingleObjectMixin, FormView):
    """The lokaal team registers the client of a dossier with the regio's Centrale Toegang."""

    model = Dossier
    capability = "toegang.add_aanmelding"
    context_object_name = "dossier"
    form_class = AanmeldForm
    template_name = "toegang/wachtlijst/wachtlijst_aanmelden.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def dossier(self):
        if self.object is None:
            self.object = self.get_object()
        return self.object

    def get_initial(self):
        return {"aangemeld_op": vandaag(), "route": Aanmelding.Route.LOKAAL_TEAM}

    def get_form_kwargs(self):
        dossier, user = self.dossier(), self.request.user
        return {
            **super().get_form_kwargs(),
            "aanvragen": Aanvraag.objects.visible_to(user, "toegang.view_aanvraag").filter(
                dossier=dossier
            ),
            "beschikkingen": Beschikking.objects.visible_to(
                user, "toegang.view_beschikking"
            ).filter(dossier=dossier),
        }

    def get_context_data(self, **kwargs):
        dossier = self.dossier()
        return super().get_context_data(
            regio=regio_voor(dossier, vandaag()), naam=naam_van(dossier), **kwargs
        )

    def form_valid(self, form):
        dossier = self.dossier()
        regio = regio_voor(dossier, form.cleaned_data["aangemeld_op"])
        if regio is None:
            form.add_error(
                None, "De gemeente van dit dossier hoort bij geen regio voor beschermd wonen."
            )
            return self.form_invalid(form)
        try:
            aanmelding = ws.aanmelden(
                dossier, self.request.user, regio, form.cleaned_data["route"],
                form.cleaned_data["aangemeld_op"], aanvraag=form.cleaned_data["aanvraag"],
                beschikking=form.cleaned_data["beschikking"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, f"De cliënt is aangemeld bij de Centrale Toegang {regio.naam}."
        )
        return HttpResponseRedirect(reverse("toegang:aanmelding_detail", args=[aanmelding.pk]))


def naam_van(dossier) -> str:
    persoon = getattr(dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


class LocatieMatchView(ScopedViewMixin, DetailView):
    """For a location with a free place: the waiting clients who fit it best."""

    model = Locatie
    capability = "inkoop.view_locatie"
    template_name = "toegang/wachtlijst/wachtlijst_locatie.html"
    context_object_name = "locatie"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "gemeente")

    def get_context_data(self, **kwargs):
        peildatum = vandaag()
        aanmeldingen = Aanmelding.objects.visible_to(self.request.user, CHANGE)
        kandidaten = ws.passende_aanmeldingen(self.object, peildatum, aanmeldingen)
        # These are persons: the read is audited like the list.
        if kandidaten:
            audit.record(
                "view", objects=[k[0] for k in kandidaten],
                object_type=audit.object_label(Aanmelding), request=self.request,
            )  # fmt: skip
        for a, _, _ in kandidaten:
            a.wachtdagen = ws.wachtdagen(a, peildatum)
        return super().get_context_data(
            vrij=ws.vrij_op(self.object, peildatum), kandidaten=kandidaten, **kwargs
        )


urlpatterns = [
    path(
        "wachtlijst/aanmelden/<int:pk>/",
        AanmeldenView.as_view(),
        name="aanmelding_create",
    ),
    path(
        "wachtlijst/locaties/<int:pk>/",
        LocatieMatchView.as_view(),
        name="wachtlijst_locatie",
    ),
    path("wachtlijst/", WachtlijstView.as_view(), name="wachtlijst"),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/",
        AanmeldingDetailView.as_view(),
        name="aanmelding_detail",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/beoordelen/",
        BeoordelenView.as_view(),
        name="aanmelding_beoordelen",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/op-wachtlijst/",
        OpWachtlijstView.as_view(),
        name="aanmelding_op_wachtlijst",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/van-de-lijst/",
        VanDeLijstView.as_view(),
        name="aanmelding_van_de_lijst",
    ),
]
