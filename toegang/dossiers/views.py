"""Dossiers and clients: the dossier list and page (with the timeline), finding a client by BSN
(POST only) or name (GET), registering a client, and editing the person's iWmo details,
addresses, relaties and the gemeente van herkomst."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from regio import audit
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from toegang.dossiers.forms import (
    AdresFormSet,
    BrpAdresForm,
    BsnZoekForm,
    HerkomstForm,
    NaamZoekForm,
    NieuwDossierForm,
    PersoonForm,
    RelatieFormSet,
)
from toegang.dossiers.services import (
    gemeenten_voor_nieuw_dossier,
    lijkt_op_bsn,
    open_dossier,
    registreer_client,
    sla_adressen_op,
    sla_relaties_op,
    wijzig_herkomst,
    wijzig_persoon,
    zoek_op_bsn,
)
from toegang.models import (
    Aanvraag,
    Adres,
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Document,
    Dossier,
    Melding,
    Persoon,
    Relatie,
    Toewijzing,
)
from toegang.toewijzingen.services import omvang_tekst, toewijsbaar


def optional_url(name: str, *args) -> str | None:
    """The URL of ``name``, or None while that screen does not exist (yet): the dossier page
    links to the screens of other modules without breaking when one is missing."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _naam(dossier) -> str:
    persoon = getattr(dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


class DossierListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """The consulent's dossiers: only those of the gemeenten where the user is consulent."""

    model = Dossier
    capability = "toegang.view_dossier"
    paginate_by = 25
    template_name = "toegang/dossiers/dossier_list.html"
    search_fields = (
        "client__persoon__geslachtsnaam__icontains",
        "client__persoon__voornamen__icontains",
    )
    sortable = {
        "geopend": "geopend_op",
        "-geopend": "-geopend_op",
        "gemeente": "verantwoordelijke_gemeente__naam",
        "naam": "client__persoon__geslachtsnaam",
    }
    default_sort = "-geopend_op"
    export_filename = "dossiers"
    export_columns = [
        ("Dossier", lambda d: d.pk),
        ("Cliënt", _naam),
        ("Gemeente", lambda d: d.verantwoordelijke_gemeente.naam),
        ("Herkomst", lambda d: d.gemeente_herkomst.naam if d.gemeente_herkomst else "Onbekend"),
        ("Status", lambda d: d.get_status_display()),
        ("Geopend op", lambda d: d.geopend_op),
    ]

    def filter_queryset(self, queryset):
        queryset = queryset.select_related(
            "verantwoordelijke_gemeente", "gemeente_herkomst", "client__persoon"
        )
        status = self.request.GET.get("status")
        return queryset.filter(status=status) if status in Dossier.Status.values else queryset

    def get_queryset(self):
        queryset = super().get_queryset()
        if lijkt_op_bsn(self.request.GET.get("q", "")):
            # Never search on a BSN that came in a URL; the BSN search is a POST form.
            return queryset.none()
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            statussen=Dossier.Status.choices, status=self.request.GET.get("status", ""), **kwargs
        )
        if lijkt_op_bsn(context.get("zoek", "")):
            context.update(zoek="", bsn_in_url=True)
        context["mag_registreren"] = self.request.user.has_perm("toegang.add_dossier")
        return context


# --- the dossier page --------------------------------------------------------------------------


@dataclass
class Gebeurtenis:
    """One line of the dossier's timeline."""

    datum: datetime.date
    soort: str
    titel: str
    status: str = ""
    toelichting: str = ""
    url: str | None = None
    producten: list | None = None
    volgorde: int = 0


def _dag(moment) -> datetime.date | None:
    if moment is None:
        return None
    return moment.date() if isinstance(moment, datetime.datetime) else moment


def tijdlijn(user, dossier: Dossier) -> list[Gebeurtenis]:
    """Meldingen, aanvragen, beschikkingen (with status), toewijzingen, bezwaren and documents of
    ``dossier`` that ``user`` may see, newest first. Each kind comes through ``visible_to``."""
    regels: list[Gebeurtenis] = []
    for melding in Melding.objects.visible_to(user, "toegang.view_melding").filter(dossier=dossier):
        regels.append(
            Gebeurtenis(
                melding.ontvangen_op, "Melding", "Melding ontvangen",
                status=melding.get_status_display(),
                toelichting="Spoed (tijdelijke voorziening)" if melding.urgent else "",
                url=optional_url("toegang:melding-detail", melding.pk),
            )
        )  # fmt: skip
    for aanvraag in Aanvraag.objects.visible_to(user, "toegang.view_aanvraag").filter(
        dossier=dossier
    ):
        regels.append(
            Gebeurtenis(
                aanvraag.ontvangen_op, "Aanvraag", "Aanvraag ontvangen",
                url=optional_url("toegang:melding-detail", aanvraag.melding_id), volgorde=1,
            )
        )  # fmt: skip
    # Toewijzen only where the user may for this product (its scope), not anywhere.
    toewijsbaar_voor_user = (
        set(
            BeschiktProduct.objects.visible_to(user, "toegang.add_toewijzing")
            .filter(beschikking__dossier=dossier)
            .values_list("pk", flat=True)
        )
        if user.has_perm("toegang.add_toewijzing")
        else set()
    )
    beschikkingen = (
        Beschikking.objects.visible_to(user, "toegang.view_beschikking")
        .filter(dossier=dossier)
        .select_related("perceel")
        .prefetch_related("producten__product")
    )
    for beschikking in beschikkingen:
        datum = (
            beschikking.bekendgemaakt_op
            or _dag(beschikking.vastgesteld_op)
            or _dag(beschikking.aangemaakt_op)
        )
        producten = [
            {
                "product": bp,
                "omvang": omvang_tekst(bp.volume, bp.eenheid, bp.frequentie),
                "toewijzen_url": reverse("toegang:toewijzing-create", args=[bp.pk])
                if bp.pk in toewijsbaar_voor_user and toewijsbaar(bp)
                else None,
            }
            for bp in beschikking.producten.all()
        ]
        periode = f"vanaf {beschikking.ingangsdatum:%d-%m-%Y}"
        if beschikking.einddatum:
            periode += f" tot en met {beschikking.einddatum:%d-%m-%Y}"
        regels.append(
            Gebeurtenis(
                datum, "Beschikking",
                f"Beschikking {beschikking.perceel.naam}: {beschikking.get_besluit_display()}",
                status=beschikking.get_status_display(), toelichting=periode,
                url=optional_url("toegang:beschikking-detail", beschikking.pk),
                producten=producten, volgorde=2,
            )
        )  # fmt: skip
    toewijzingen = (
        Toewijzing.objects.visible_to(user, "toegang.view_toewijzing")
        .filter(beschikt_product__beschikking__dossier=dossier)
        .select_related("aanbieder", "beschikt_product__product")
    )
    for t in toewijzingen:
        periode = f"{t.ingangsdatum:%d-%m-%Y} tot en met " + (
            f"{t.einddatum:%d-%m-%Y}" if t.einddatum else "onbepaalde tijd"
        )
        regels.append(
            Gebeurtenis(
                _dag(t.aangemaakt_op), "Toewijzing",
                f"Toewijzing {t.nummer}: {t.beschikt_product.product.naam} aan {t.aanbieder.naam}",
                status=t.get_status_display(), toelichting=periode,
                url=reverse("toegang:toewijzing-detail", args=[t.pk]), volgorde=3,
            )
        )  # fmt: skip
    for bezwaar in Bezwaar.objects.visible_to(user, "toegang.view_bezwaar").filter(dossier=dossier):
        regels.append(
            Gebeurtenis(
                bezwaar.ontvangen_op, "Bezwaar", "Bezwaar ontvangen",
                status=bezwaar.get_uitkomst_display() or "In behandeling",
                toelichting="" if bezwaar.tijdig else "Buiten de termijn ontvangen",
                url=optional_url("toegang:bezwaar-detail", bezwaar.pk)
                or optional_url("toegang:beschikking-detail", bezwaar.beschikking_id),
                volgorde=4,
            )
        )  # fmt: skip
    for document in Document.objects.visible_to(user, "toegang.view_document").filter(
        dossier=dossier
    ):
        regels.append(
            Gebeurtenis(
                _dag(document.aangemaakt_op), "Document", document.naam,
                status=document.get_soort_display(),
                url=optional_url("toegang:document-download", document.pk), volgorde=5,
            )
        )  # fmt: skip
    regels.sort(key=lambda g: (g.datum or datetime.date.min, g.volgorde), reverse=True)
    return regels


def dossier_heeft(user, dossier: Dossier, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` for this dossier (through the scoping layer)."""
    return Dossier.objects.visible_to(user, capability).filter(pk=dossier.pk).exists()


class DossierDetailView(ScopedViewMixin, DetailView):
    model = Dossier
    capability = "toegang.view_dossier"
    template_name = "toegang/dossiers/dossier_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("verantwoordelijke_gemeente", "gemeente_herkomst", "client")
        )

    def get_context_data(self, **kwargs):
        user, dossier = self.request.user, self.object
        persoon = (
            Persoon.objects.visible_to(user, "toegang.view_persoon")
            .filter(client_id=dossier.client_id)
            .select_related("gemeente_woonplaats")
            .first()
        )
        adressen = relaties = []
        if persoon is not None:
            adressen = list(
                Adres.objects.visible_to(user, "toegang.view_adres").filter(persoon=persoon)
            )
            relaties = list(
                Relatie.objects.visible_to(user, "toegang.view_relatie").filter(persoon=persoon)
            )
        return super().get_context_data(
            persoon=persoon,
            adressen=adressen,
            relaties=relaties,
            postontvanger=next((r for r in relaties if r.ontvangt_post), None),
            tijdlijn=tijdlijn(user, dossier),
            mag_persoon_wijzigen=persoon is not None
            and dossier_heeft(user, dossier, "toegang.change_persoon"),
            mag_adressen_wijzigen=persoon is not None
            and dossier_heeft(user, dossier, "toegang.change_adres"),
            mag_relaties_wijzigen=persoon is not None
            and dossier_heeft(user, dossier, "toegang.change_relatie"),
            mag_dossier_wijzigen=dossier_heeft(user, dossier, "toegang.change_dossier"),
            toewijzingen_url=reverse("toegang:dossier-toewijzingen", args=[dossier.pk])
            if user.has_perm("toegang.view_toewijzing")
            else None,
            melding_url=optional_url("toegang:melding-create", dossier.pk)
            if dossier_heeft(user, dossier, "toegang.add_melding")
            else None,
            beschikking_url=optional_url("toegang:beschikking-create", dossier.pk)
            if dossier_heeft(user, dossier, "toegang.add_beschikking")
            else None,
            document_url=optional_url("toegang:document-upload", dossier.pk)
            if dossier_heeft(user, dossier, "toegang.add_document")
            else None,
            **kwargs,
        )


# --- finding and registering a client ----------------------------------------------------------


class ClientZoekView(ScopedViewMixin, TemplateView):
    """Find a client: by BSN through a POST form only (a BSN never travels in a URL), by name
    through GET. A BSN search tells a consulent without a dossier of their own only that the
    person is known; registering opens a dossier at the consulent's gemeente."""

    model = Dossier
    capability = "toegang.view_dossier"
    template_name = "toegang/dossiers/client_zoek.html"

    def get(self, request, *args, **kwargs):
        naam_form = NaamZoekForm(request.GET or None)
        context = {"naam_form": naam_form, "bsn_form": BsnZoekForm()}
        if naam_form.is_bound and naam_form.is_valid():
            naam = naam_form.cleaned_data["naam"].strip()
            if lijkt_op_bsn(naam) or any(lijkt_op_bsn(v) for v in request.GET.values()):
                # Does nothing with it: a BSN in a URL is already one too many.
                context.update(naam_form=NaamZoekForm(), bsn_in_url=True, naam_resultaten=None)
            elif naam:
                context["naam_resultaten"] = self.zoek_op_naam(
                    naam, naam_form.cleaned_data["geboortedatum"]
                )
        return self.render_to_response(self.get_context_data(**context))

    def zoek_op_naam(self, naam: str, geboortedatum):
        dossiers = (
            Dossier.objects.visible_to(self.request.user, "toegang.view_dossier")
            .filter(client__persoon__geslachtsnaam__icontains=naam)
            .select_related("verantwoordelijke_gemeente", "client__persoon")
            .order_by("client__persoon__geslachtsnaam", "pk")
        )
        if geboortedatum:
            dossiers = dossiers.filter(client__persoon__geboortedatum=geboortedatum)
        gevonden = list(dossiers[:50])
        if gevonden:
            audit.record("view", objects=gevonden, object_type="toegang.dossier")
        return gevonden

    def post(self, request, *args, **kwargs):
        bsn_form = BsnZoekForm(request.POST)
        context = {"naam_form": NaamZoekForm(), "bsn_form": bsn_form}
        if bsn_form.is_valid():
            bsn = bsn_form.cleaned_data["bsn"]
            resultaat = zoek_op_bsn(request.user, bsn)
            context["resultaat"] = resultaat
            gemeenten = gemeenten_voor_nieuw_dossier(request.user)
            if resultaat.gevonden:
                ids = [g.pk for g in resultaat.open_in]
                if ids:
                    context["dossier_form"] = NieuwDossierForm(
                        initial={"bsn": bsn}, gemeenten=gemeenten.filter(pk__in=ids)
                    )
            elif gemeenten.exists() and request.user.has_perm("toegang.add_persoon"):
                context.update(registratie_forms(initial_bsn=bsn, gemeenten=gemeenten))
        return self.render_to_response(self.get_context_data(**context))


def registratie_forms(*, gemeenten, data=None, initial_bsn=None) -> dict:
    return {
        "dossier_form": NieuwDossierForm(
            data, initial={"bsn": initial_bsn} if initial_bsn else None, gemeenten=gemeenten
        ),
        "persoon_form": PersoonForm(data, prefix="persoon"),
        "adres_form": BrpAdresForm(data, prefix="adres"),
    }


class ClientRegistreerView(ScopedViewMixin, TemplateView):
    """POST only: register a new person with a dossier, or open a dossier for a person who is
    already known (the person is reused; their details are not overwritten)."""

    model = Dossier
    capability = "toegang.add_dossier"
    template_name = "toegang/dossiers/client_registreer.html"

    def get(self, request, *args, **kwargs):
        return redirect("toegang:client-zoek")

    def post(self, request, *args, **kwargs):
        user = request.user
        gemeenten = gemeenten_voor_nieuw_dossier(user)
        forms = registratie_forms(data=request.POST, gemeenten=gemeenten)
        dossier_form = forms["dossier_form"]
        if not dossier_form.is_valid():
            return self.opnieuw(forms)
        data = dossier_form.cleaned_data
        bekend = Persoon.objects.find_by_bsn(data["bsn"])
        try:
            if bekend is not None:
                registratie = open_dossier(
                    user, bekend, data["verantwoordelijke_gemeente"],
                    gemeente_herkomst=data["gemeente_herkomst"], geopend_op=data["geopend_op"],
                )  # fmt: skip
            else:
                if not user.has_perm("toegang.add_persoon"):
                    raise PermissionDenied
                persoon_form, adres_form = forms["persoon_form"], forms["adres_form"]
                if not (persoon_form.is_valid() & adres_form.is_valid()):
                    return self.opnieuw(forms)
                registratie = registreer_client(
                    user, bsn=data["bsn"], gemeente=data["verantwoordelijke_gemeente"],
                    persoon_gegevens=persoon_form.cleaned_data,
                    gemeente_herkomst=data["gemeente_herkomst"], adres=adres_form.gegevens(),
                    geopend_op=data["geopend_op"],
                )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(dossier_form, exc)
            return self.opnieuw(forms)
        dossier = registratie.dossier
        if registratie.bestaand_dossier:
            messages.info(request, "Deze cliënt heeft al een dossier bij deze gemeente.")
        elif registratie.nieuwe_persoon:
            messages.success(request, "De cliënt is geregistreerd en het dossier is geopend.")
        else:
            messages.success(
                request,
                "De persoon was al bekend; er is een dossier geopend bij "
                f"{dossier.verantwoordelijke_gemeente.naam}.",
            )
        return HttpResponseRedirect(reverse("toegang:dossier-detail", args=[dossier.pk]))

    def opnieuw(self, forms):
        bekend = forms["dossier_form"].is_valid() and Persoon.objects.find_by_bsn(
            forms["dossier_form"].cleaned_data["bsn"]
        )
        context = {**forms, "alleen_dossier": bool(bekend)}
        return self.render_to_response(self.get_context_data(**context))


# --- editing the person's details ---------------------------------------------------------------


class DossierOnderdeelMixin(ScopedViewMixin, SingleObjectMixin):
    """An edit page of (the person of) a dossier; the dossier and the person both come through
    ``visible_to`` with the page's capability, so a foreign dossier answers 404."""

    model = Dossier
    context_object_name = "dossier"
    titel = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None
        self._persoon = None

    def dossier(self) -> Dossier:
        if self.object is None:
            self.object = self.get_object()
        return self.object

    def persoon(self) -> Persoon:
        if self._persoon is None:
            self._persoon = (
                Persoon.objects.visible_to(self.request.user, self.capability)
                .filter(client_id=self.dossier().client_id)
                .first()
            )
            if self._persoon is None:
                raise Http404
        return self._persoon

    def get_context_data(self, **kwargs):
        self.dossier()
        return super().get_context_data(titel=self.titel, **kwargs)

    def get_success_url(self):
        return reverse("toegang:dossier-detail", args=[self.dossier().pk])


class PersoonWijzigView(DossierOnderdeelMixin, FormView):
    capability = "toegang.change_persoon"
    form_class = PersoonForm
    template_name = "toegang/dossiers/client_persoon_form.html"
    titel = "Persoonsgegevens wijzigen"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.persoon()}

    def form_valid(self, form):
        try:
            wijzig_persoon(self.request.user, self.persoon(), form.cleaned_data)
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "De persoonsgegevens zijn opgeslagen.")
        return HttpResponseRedirect(self.get_success_url())


class HerkomstWijzigView(DossierOnderdeelMixin, FormView):
    capability = "toegang.change_dossier"
    form_class = HerkomstForm
    template_name = "toegang/dossiers/dossier_herkomst_form.html"
    titel = "Gemeente van herkomst"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.dossier()}

    def form_valid(self, form):
        wijzig_herkomst(self.request.user, self.dossier(), form.cleaned_data["gemeente_herkomst"])
        messages.success(self.request, "De gemeente van herkomst is opgeslagen.")
        return HttpResponseRedirect(self.get_success_url())


class FormSetView(DossierOnderdeelMixin, TemplateView):
    template_name = "toegang/dossiers/client_formset.html"
    formset_class = None
    onderdeel_model = None
    opslaan = None

    def formset(self, data=None):
        queryset = self.onderdeel_model.objects.visible_to(
            self.request.user, self.capability
        ).filter(persoon=self.persoon())
        return self.formset_class(data, instance=self.persoon(), queryset=queryset)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(formset=self.formset()))

    def post(self, request, *args, **kwargs):
        formset = self.formset(request.POST)
        if formset.is_valid():
            try:
                self.opslaan(request.user, self.persoon(), formset)
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                messages.success(request, f"{self.titel} zijn opgeslagen.")
                return HttpResponseRedirect(self.get_success_url())
        return self.render_to_response(self.get_context_data(formset=formset))


class AdressenWijzigView(FormSetView):
    capability = "toegang.change_adres"
    formset_class = AdresFormSet
    onderdeel_model = Adres
    opslaan = staticmethod(sla_adressen_op)
    titel = "Adressen"


class RelatiesWijzigView(FormSetView):
    capability = "toegang.change_relatie"
    formset_class = RelatieFormSet
    onderdeel_model = Relatie
    opslaan = staticmethod(sla_relaties_op)
    titel = "Relaties"


urlpatterns = [
    path("dossiers/", DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<int:pk>/", DossierDetailView.as_view(), name="dossier-detail"),
    path("dossiers/<int:pk>/persoon/", PersoonWijzigView.as_view(), name="client-persoon"),
    path("dossiers/<int:pk>/adressen/", AdressenWijzigView.as_view(), name="client-adressen"),
    path("dossiers/<int:pk>/relaties/", RelatiesWijzigView.as_view(), name="client-relaties"),
    path("dossiers/<int:pk>/herkomst/", HerkomstWijzigView.as_view(), name="dossier-herkomst"),
    path("clienten/zoeken/", ClientZoekView.as_view(), name="client-zoek"),
    path("clienten/registreren/", ClientRegistreerView.as_view(), name="client-registreer"),
]
