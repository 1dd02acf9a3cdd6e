"""Verzoeken of aanbieders (WMO315 om toewijzing, WMO317 om wijziging) in the consulent's
werkvoorraad: the list (open ones first), a verzoek's detail with the requested products and
whether a beschikking covers each, honouring (after a confirmation page) and refusing with a
reason (WJ759)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from regio.forms import fouten_op_formulier
from regio.iwmo import choices, codelijst
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente
from toegang.models import Toewijzing, Verzoek
from toegang.termijnen import plus_werkdagen
from toegang.toewijzingen.services import omvang_tekst
from toegang.toewijzingen.verzoeken import (
    afwijzen,
    catalogus_producten,
    dekkend_product,
    honoreren,
    in_onderzoek,
    koppel,
    weigering_koppelen,
    zonder_dossier_per_aanbieder,
)
from toegang.werkvoorraad.views import TolerantePaginaMixin

VIEW = "toegang.view_verzoek"
CHANGE = "toegang.change_verzoek"
STATUS_FILTERS = {"": "Open", "alle": "Alle", **{s.value: s.label for s in Verzoek.Status}}


def naam(verzoek: Verzoek) -> str:
    if verzoek.dossier is None:  # unlinked: the name as the aanbieder sent it
        return f"{verzoek.naam or 'naam niet gestuurd'} (zonder dossier)"
    persoon = getattr(verzoek.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


def producten_van(verzoek: Verzoek, *, dekking: bool) -> list[dict]:
    """The requested products as a consulent reads them: catalogue names, omvang and (while the
    verzoek is open) the beschikt product that would be assigned."""
    rijen = []
    for p in verzoek.producten:
        ingang = datetime.date.fromisoformat(p["ingangsdatum"])
        catalogus = catalogus_producten(
            verzoek.gemeente, p["productcategorie"], p.get("productcode") or "", ingang
        )
        bp = dekkend_product(verzoek.dossier, p) if dekking and verzoek.dossier else None
        rijen.append(
            {
                **p,
                "ingangsdatum": ingang,
                "einddatum": datetime.date.fromisoformat(p["einddatum"])
                if p.get("einddatum")
                else None,
                "namen": ", ".join(product.naam for product in catalogus),
                "omvang": omvang_tekst(p.get("volume"), p.get("eenheid"), p.get("frequentie")),
                "beschikt_product": bp,
            }
        )
    return rijen


class VerzoekListView(TolerantePaginaMixin, SearchSortMixin, ScopedViewMixin, ListView):
    """Verzoeken of aanbieders to the user's gemeenten; the open ones (oldest first) by default."""

    model = Verzoek
    capability = VIEW
    paginate_by = 50
    template_name = "toegang/toewijzingen/verzoek_list.html"
    search_fields = (
        "referentie__icontains",
        "aanbieder__naam__icontains",
        "dossier__client__persoon__geslachtsnaam__icontains",
        "naam__icontains",
    )
    sortable = {
        "ontvangen": "ontvangen_op",
        "aanbieder": "aanbieder__naam",
        "gemeente": "gemeente__naam",
        "termijn": "antwoord_uiterlijk",
    }
    default_sort = "ontvangen_op"

    def status(self) -> str:
        waarde = self.request.GET.get("status", "")
        return waarde if waarde in STATUS_FILTERS else ""

    def filter_queryset(self, queryset):
        status = self.status()
        if status == "":
            queryset = queryset.filter(status=Verzoek.Status.INGEDIEND)
        elif status != "alle":
            queryset = queryset.filter(status=status)
        return queryset.select_related(
            "aanbieder", "gemeente", "toewijzing", "dossier__client__persoon"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            tab="verzoeken", aantal_mijn=None,
            statusfilters=STATUS_FILTERS.items(),
            gekozen_status=self.status(), vandaag=timezone.localdate(), **kwargs,
        )  # fmt: skip
        for verzoek in context["object_list"]:
            verzoek.client_naam = naam(verzoek)
            # OP274/OP346: the answer term runs until a toewijzing or a WMO319 ("in onderzoek"
            # too); shown while it runs, marked when it has passed or is one workday away.
            verzoek.termijn = (
                verzoek.antwoord_uiterlijk
                if verzoek.status == Verzoek.Status.INGEDIEND and verzoek.in_onderzoek_op is None
                else None
            )
            verzoek.termijn_bijna = verzoek.termijn is not None and verzoek.termijn <= (
                plus_werkdagen(context["vandaag"], 1)
            )
        return context


class VerzoekDetailView(ScopedViewMixin, DetailView):
    model = Verzoek
    capability = VIEW
    template_name = "toegang/toewijzingen/verzoek_detail.html"
    context_object_name = "verzoek"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "aanbieder", "gemeente", "toewijzing", "beantwoord_door",
                "dossier__client__persoon", "dossier__verantwoordelijke_gemeente",
            )
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        v, user = self.object, self.request.user
        open_ = v.status == Verzoek.Status.INGEDIEND
        mag = Verzoek.objects.visible_to(user, CHANGE).filter(pk=v.pk).exists()
        zonder_dossier = v.dossier_id is None
        return super().get_context_data(
            client=naam(v),
            zonder_dossier=zonder_dossier,
            producten=producten_van(v, dekking=open_),
            mag_beantwoorden=open_ and mag,
            mag_honoreren=open_ and mag and not zonder_dossier,
            weigering_koppelen=weigering_koppelen(v, user)
            if open_ and mag and zonder_dossier
            else None,
            mag_bericht=(not open_ or v.in_onderzoek_op is not None) and mag,
            mag_in_onderzoek=open_ and mag and v.in_onderzoek_op is None,
            toewijzingen=Toewijzing.objects.visible_to(user, "toegang.view_toewijzing")
            .filter(pk__in=v.nieuwe_toewijzingen.values("pk"))
            .order_by("nummer"),
            reden_verzoek=codelijst("WJ758_Reden_verzoek").get(v.reden, ""),
            vandaag=timezone.localdate(),
            **kwargs,
        )


class VerzoekAntwoordMixin(ScopedViewMixin, SingleObjectMixin):
    """An answer to a verzoek of the user's gemeenten; a foreign one answers 404, an answered
    one says so."""

    model = Verzoek
    capability = CHANGE
    context_object_name = "verzoek"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "gemeente", "dossier__client")

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def verzoek(self) -> Verzoek:
        if self.object is None:
            self.object = self.get_object()
        return self.object

    def get_context_data(self, **kwargs):
        v = self.verzoek()
        return super().get_context_data(
            open=v.status == Verzoek.Status.INGEDIEND, client=naam(v), **kwargs
        )

    def detail_url(self):
        return reverse("toegang:verzoek-detail", args=[self.verzoek().pk])


class HonorerenView(VerzoekAntwoordMixin, TemplateView):
    """Honour a verzoek: a confirmation page naming the beschikt product each requested product
    would be assigned under (or that none covers it); only the POST makes toewijzingen."""

    template_name = "toegang/toewijzingen/verzoek_honoreren.html"

    def get_context_data(self, **kwargs):
        v = self.verzoek()
        producten = producten_van(v, dekking=v.status == Verzoek.Status.INGEDIEND)
        return super().get_context_data(
            producten=producten,
            ongedekt=any(p["beschikt_product"] is None for p in producten),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        try:
            nieuw = honoreren(self.verzoek(), request.user)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(fouten=exc.messages))
        nummers = ", ".join(str(t.nummer) for t in nieuw)
        messages.success(request, f"Het verzoek is gehonoreerd: toewijzing {nummers}.")
        return HttpResponseRedirect(self.detail_url())


class AfwijzingForm(forms.Form):
    reden_afwijzing = forms.ChoiceField(
        label="Reden van afwijzing",
        choices=[("", "Kies een reden"), *choices("WJ759_Reden_afwijzing_verzoek")],
        help_text="iWmo-codelijst WJ759; de aanbieder ziet deze reden.",
        error_messages={"required": "Kies een reden van afwijzing."},
    )
    verantwoordelijke_gemeente = forms.ModelChoiceField(
        label="Verantwoordelijke gemeente",
        queryset=Gemeente.objects.order_by("naam"),
        required=False,
        empty_label="Kies een gemeente",
        help_text="Alleen bij woonplaatsbeginsel (8): de gemeente die wel verantwoordelijk is; "
        "de aanbieder ziet haar in het antwoord.",
    )
    toelichting = forms.CharField(
        label="Toelichting",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AfwijzenView(VerzoekAntwoordMixin, FormView):
    form_class = AfwijzingForm
    template_name = "toegang/toewijzingen/verzoek_afwijzen.html"

    def get(self, request, *args, **kwargs):
        self.verzoek()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.verzoek()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            afwijzen(
                self.verzoek(),
                self.request.user,
                data["reden_afwijzing"],
                data["toelichting"],
                data["verantwoordelijke_gemeente"],
            )
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Het verzoek is afgewezen.")
        return HttpResponseRedirect(self.detail_url())


class KoppelView(VerzoekAntwoordMixin, View):
    """Link an unlinked verzoek om toewijzing to the dossier of the person with its BSN (POST
    only; the detail page shows the button or why it cannot be done yet)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            koppel(self.verzoek(), request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Het verzoek is aan het dossier van de cliënt gekoppeld.")
        return HttpResponseRedirect(self.detail_url())


class InOnderzoekView(VerzoekAntwoordMixin, View):
    """Answer "aanvraag in onderzoek" (WMO319 VerzoekAntwoord 2) before the final answer, once
    (POST only); the WMO319 is then downloaded from the detail page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            in_onderzoek(self.verzoek(), request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                "Het verzoek is in onderzoek. Stuur de aanbieder het antwoord (WMO319) en "
                "honoreer of wijs het verzoek later af.",
            )
        return HttpResponseRedirect(self.detail_url())


class ZonderDossierView(ScopedViewMixin, TemplateView):
    """Per aanbieder, how many verzoeken om toewijzing to the user's gemeenten arrived without a
    dossier in the last 30 days (and what became of them): a key that tries BSNs shows here."""

    model = Verzoek
    capability = VIEW
    template_name = "toegang/toewijzingen/verzoek_zonder_dossier.html"
    dagen = 30

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rijen=zonder_dossier_per_aanbieder(self.request.user, dagen=self.dagen),
            dagen=self.dagen, **kwargs,
        )  # fmt: skip


class AntwoordBerichtView(ScopedViewMixin, SingleObjectMixin, View):
    """The gemeente's answer as an iWmo message to send to the aanbieder (POST: each download
    is a new message with its own BerichtIdentificatie): a refused verzoek → WMO319, an
    honoured one → WMO301 with the new toewijzingen."""

    model = Verzoek
    capability = CHANGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from regio import audit
        from toegang.toewijzingen.iwmo_xml import antwoord

        verzoek = self.get_object()
        if verzoek.status == Verzoek.Status.INGEDIEND and verzoek.in_onderzoek_op is None:
            messages.error(request, "Beantwoord het verzoek eerst.")
            return HttpResponseRedirect(reverse("toegang:verzoek-detail", args=[verzoek.pk]))
        try:
            naam, inhoud = antwoord(verzoek)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("toegang:verzoek-detail", args=[verzoek.pk]))
        audit.record("export", objects=[verzoek], actor=request.user, toelichting={"bestand": naam})
        response = HttpResponse(inhoud, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{naam}"'
        return response


urlpatterns = [
    path("verzoeken/", VerzoekListView.as_view(), name="verzoeken"),
    path("verzoeken/zonder-dossier/", ZonderDossierView.as_view(), name="verzoeken-zonder-dossier"),
    path("verzoeken/<int:pk>/", VerzoekDetailView.as_view(), name="verzoek-detail"),
    path("verzoeken/<int:pk>/koppelen/", KoppelView.as_view(), name="verzoek-koppelen"),
    path("verzoeken/<int:pk>/honoreren/", HonorerenView.as_view(), name="verzoek-honoreren"),
    path("verzoeken/<int:pk>/afwijzen/", AfwijzenView.as_view(), name="verzoek-afwijzen"),
    path(
        "verzoeken/<int:pk>/in-onderzoek/", InOnderzoekView.as_view(), name="verzoek-in-onderzoek"
    ),
    path(
        "verzoeken/<int:pk>/antwoordbericht/",
        AntwoordBerichtView.as_view(),
        name="verzoek-antwoordbericht",
    ),
]
