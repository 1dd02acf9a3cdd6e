"""locaties screens of the inkoop workplace: the aanbieders' locations with their features,
capacity over time and the free places the aanbieder reports (Centrale Toegang matches on them).
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from inkoop.locaties.forms import CapaciteitForm, LocatieForm, VrijePlaatsenForm
from inkoop.locaties.services import (
    Bezetting,
    bezet_volgens_plaatsingen,
    capaciteit_per_maand,
    meld_vrije_plaatsen,
    met_bezetting,
    met_plaatsen,
)
from inkoop.models import Aanbieder, Capaciteit, Locatie, Product, VrijePlaatsenMelding
from regio.exports import FORMATS, ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import as_int, sorteerlinks
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente
from regio.query import mag

OVERLAP = "Deze locatie heeft in die periode al een capaciteit."


# --- shared by the inkoop screens of this module and kwaliteit ---------------------------------


def ja_nee(value: bool) -> str:
    return "ja" if value else "nee"


class OuderMixin:
    """For views on the children of a scoped parent (capacity of a location, subcontractors of a
    contract). The parent comes from ``visible_to(user, capability)``: outside the user's scope
    it answers 404, so a foreign parent's existence is not revealed; a parent the user may see
    but not act on (``parent_view_capability``) answers 403."""

    parent_model = None
    parent_kwarg = ""
    parent_view_capability = ""

    def may_enter(self, user) -> bool:
        # The parent lookup decides; entering must not answer 403 before it could say 404.
        return self.parent_kwarg in self.kwargs or super().may_enter(user)

    @cached_property
    def parent(self):
        manager = self.parent_model._default_manager
        pk = self.kwargs[self.parent_kwarg]
        user = self.request.user
        found = manager.visible_to(user, self.capability).filter(pk=pk).first()
        if found is None:
            if manager.visible_to(user, self.parent_view_capability).filter(pk=pk).exists():
                raise PermissionDenied
            raise Http404
        return found


def lokale_tijd(moment):
    """A naive local datetime for exports (XLSX cannot hold a time zone)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# --- locaties ----------------------------------------------------------------------------------


LOCATIE_FILTERS = ("gemeente", "aanbieder", "functie", "gender", "huisdieren",
                   "rolstoeltoegankelijk", "actief", "vrij")  # fmt: skip


class LocatieListView(ScopedViewMixin, ExportableListMixin, ListView):
    """All locations the user may see, with today's places and the latest free places."""

    model = Locatie
    capability = "inkoop.view_locatie"
    paginate_by = 25
    template_name = "inkoop/locaties/locatie_list.html"
    export_filename = "locaties"
    export_columns = [
        ("Locatie", lambda loc: loc.naam),
        ("Aanbieder", lambda loc: loc.aanbieder.naam),
        ("AGB-code aanbieder", lambda loc: loc.aanbieder.agb_code),
        ("Straat", lambda loc: loc.straat),
        ("Huisnummer", lambda loc: loc.huisnummer),
        ("Postcode", lambda loc: loc.postcode),
        ("Plaats", lambda loc: loc.plaats),
        ("Gemeente", lambda loc: loc.gemeente.naam),
        ("CBS-code", lambda loc: loc.gemeente.code),
        ("Functies", lambda loc: ", ".join(f.naam for f in loc.functies.all())),
        ("Doelgroep", lambda loc: loc.doelgroep),
        ("Voor wie", lambda loc: loc.get_gender_display()),
        ("Huisdieren toegestaan", lambda loc: ja_nee(loc.huisdieren)),
        ("Rolstoeltoegankelijk", lambda loc: ja_nee(loc.rolstoeltoegankelijk)),
        ("Minimumleeftijd", lambda loc: loc.leeftijd_min),
        ("Maximumleeftijd", lambda loc: loc.leeftijd_max),
        ("Actief", lambda loc: ja_nee(loc.actief)),
        ("Plaatsen vandaag", lambda loc: loc.plaatsen or 0),
        ("Bezet volgens plaatsingen", lambda loc: loc.bezetting and loc.bezetting.bezet),
        ("Vrij volgens plaatsingen", lambda loc: loc.bezetting and loc.bezetting.vrij),
        ("Vrij volgens aanbieder", lambda loc: loc.vrij),
        ("Vrij gemeld op", lambda loc: lokale_tijd(loc.vrij_gemeld_op)),
        ("Wijkt af", lambda loc: ja_nee(bool(loc.bezetting and loc.bezetting.wijkt_af))),
    ]
    sortable = {
        "naam": ("naam",),
        "-naam": ("-naam",),
        "aanbieder": ("aanbieder__naam", "naam"),
        "-aanbieder": ("-aanbieder__naam", "naam"),
        "gemeente": ("gemeente__naam", "naam"),
        "-gemeente": ("-gemeente__naam", "naam"),
        "plaatsen": (F("plaatsen").asc(nulls_first=True), "naam"),
        "-plaatsen": (F("plaatsen").desc(nulls_last=True), "naam"),
        "vrij": (F("vrij").asc(nulls_first=True), "naam"),
        "-vrij": (F("vrij").desc(nulls_last=True), "naam"),
    }

    def basis(self):
        """The user's locations before filters (also the source of the filter choices)."""
        return super().get_queryset()

    def get_queryset(self):
        vandaag = timezone.localdate()
        qs = met_plaatsen(
            self.basis().select_related("aanbieder", "gemeente").prefetch_related("functies"),
            self.request.user,
            vandaag,
        )
        get = self.request.GET
        zoek = get.get("q", "").strip()
        if zoek:
            qs = qs.filter(
                Q(naam__icontains=zoek)
                | Q(plaats__icontains=zoek)
                | Q(straat__icontains=zoek)
                | Q(doelgroep__icontains=zoek)
                | Q(aanbieder__naam__icontains=zoek)
            )
        for param, lookup in (("gemeente", "gemeente_id"), ("aanbieder", "aanbieder_id")):
            if (pk := as_int(get.get(param))) is not None:
                qs = qs.filter(**{lookup: pk})
        if (functie := as_int(get.get("functie"))) is not None:
            biedt = Locatie.functies.through.objects.filter(product_id=functie)
            qs = qs.filter(pk__in=biedt.values("locatie_id"))
        if get.get("gender") in Locatie.Gender.values:
            qs = qs.filter(gender=get["gender"])
        for param in ("huisdieren", "rolstoeltoegankelijk", "actief"):
            if get.get(param) in ("ja", "nee"):
                qs = qs.filter(**{param: get[param] == "ja"})
        if get.get("vrij") == "ja":
            qs = qs.filter(vrij__gt=0)
        sort = self.sortable.get(get.get("sort", ""), ("aanbieder__naam", "naam"))
        qs = qs.order_by(*sort, "pk")
        if get.get("export") in FORMATS:
            # The export reads every row once: the places according to the placements with it.
            return met_bezetting(qs, vandaag)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's rows (evaluated once here, the template reads the same cached rows).
        met_bezetting(context["object_list"], timezone.localdate())
        basis = self.basis()
        get = self.request.GET
        context.update(
            zoek=get.get("q", ""),
            sort=get.get("sort", ""),
            gekozen={key: get.get(key, "") for key in LOCATIE_FILTERS},
            gemeenten=Gemeente.objects.filter(pk__in=basis.values("gemeente")).order_by("naam"),
            aanbieders=Aanbieder.objects.filter(pk__in=basis.values("aanbieder")).order_by("naam"),
            functies=Product.objects.filter(
                pk__in=Locatie.functies.through.objects.filter(locatie__in=basis).values(
                    "product_id"
                )
            ).order_by("naam"),
            genders=Locatie.Gender.choices,
            gefilterd=any(get.get(key) for key in ("q", *LOCATIE_FILTERS)),
            kan_toevoegen=self.request.user.has_perm("inkoop.add_locatie"),
            sorteer=sorteerlinks(
                self.request, ["naam", "aanbieder", "gemeente", "plaatsen", "vrij"]
            ),
        )
        return context


def maanden_rond(dag: datetime.date, terug: int = 6, vooruit: int = 5) -> list[datetime.date]:
    eerste = dag.replace(day=1)
    return [eerste + relativedelta(months=n) for n in range(-terug, vooruit + 1)]


class LocatieDetailView(ScopedViewMixin, DetailView):
    model = Locatie
    capability = "inkoop.view_locatie"
    template_name = "inkoop/locaties/locatie_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "gemeente")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, locatie = self.request.user, self.object
        vandaag = timezone.localdate()
        perioden = list(
            Capaciteit.objects.visible_to(user, "inkoop.view_capaciteit")
            .filter(locatie=locatie)
            .order_by("begin")
        )
        meldingen = list(
            VrijePlaatsenMelding.objects.visible_to(user, "inkoop.view_vrijeplaatsenmelding")
            .filter(locatie=locatie)
            .select_related("gemeld_door")
            .order_by("-gemeld_op", "-id")[:25]
        )
        maanden = maanden_rond(vandaag)
        plaatsen_vandaag = capaciteit_per_maand(perioden, [vandaag])[0]
        # Occupied places follow from the placements (numbers only, from toegang's hook); the
        # aanbieder's latest report is shown beside them, with a signal when they differ.
        bezet = bezet_volgens_plaatsingen([locatie.pk])
        gemeld = meldingen[0].vrije_plaatsen if meldingen else None
        context.update(
            functies=locatie.functies.select_related("perceel").order_by("naam"),
            perioden=perioden,
            plaatsen_vandaag=plaatsen_vandaag,
            bezetting=None
            if bezet is None
            else Bezetting(plaatsen_vandaag, bezet.get(locatie.pk, 0), gemeld),
            meldingen=meldingen,
            laatste_melding=meldingen[0] if meldingen else None,
            toont_capaciteit=user.has_perm("inkoop.view_capaciteit"),
            toont_vrij=user.has_perm("inkoop.view_vrijeplaatsenmelding"),
            vandaag=vandaag,
            chart={
                "categories": [date_format(m, "M Y") for m in maanden],
                "series": {"Plaatsen": capaciteit_per_maand(perioden, maanden)},
                "title": "Plaatsen op de eerste van de maand",
                "unit": "",
            },
            kan_wijzigen=mag(user, "inkoop.change_locatie", locatie),
            kan_capaciteit_toevoegen=mag(user, "inkoop.add_capaciteit", locatie),
            kan_capaciteit_wijzigen=mag(user, "inkoop.change_capaciteit", locatie),
            kan_vrij_melden=locatie.actief
            and mag(user, "inkoop.add_vrijeplaatsenmelding", locatie),
        )
        return context


class LocatieFormMixin:
    model = Locatie
    form_class = LocatieForm
    template_name = "inkoop/locaties/locatie_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, aanbieder_capability=self.capability)
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, f"Locatie {self.object.naam} is opgeslagen.")
        return response

    def get_success_url(self):
        return reverse("inkoop:locatie-detail", args=[self.object.pk])


class LocatieCreateView(LocatieFormMixin, ScopedViewMixin, CreateView):
    """A new location, by the aanbieder's own users (for their aanbieder) or by RISB."""

    capability = "inkoop.add_locatie"


class LocatieUpdateView(LocatieFormMixin, ScopedViewMixin, UpdateView):
    capability = "inkoop.change_locatie"


# --- capaciteit --------------------------------------------------------------------------------


class CapaciteitFormMixin:
    model = Capaciteit
    form_class = CapaciteitForm
    template_name = "inkoop/locaties/locatie_capaciteit_form.html"

    def get_locatie(self):
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["locatie"] = self.get_locatie()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locatie = self.get_locatie()
        context["locatie"] = locatie
        context["perioden"] = (
            Capaciteit.objects.visible_to(self.request.user, "inkoop.view_capaciteit")
            .filter(locatie=locatie)
            .order_by("begin")
        )
        return context

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError as error:
            # Another user stored an overlapping period between validation and save.
            if "capaciteit_geen_overlap" not in str(error):
                raise
            form.add_error("begin", OVERLAP)
            return self.form_invalid(form)
        messages.success(self.request, "De capaciteit is opgeslagen.")
        return response

    def get_success_url(self):
        return reverse("inkoop:locatie-detail", args=[self.object.locatie_id])


class CapaciteitCreateView(OuderMixin, CapaciteitFormMixin, ScopedViewMixin, CreateView):
    """Add a period of places to a location (RISB); an overlapping period is refused at the
    field and nothing is stored."""

    capability = "inkoop.add_capaciteit"
    parent_model = Locatie
    parent_kwarg = "locatie_pk"
    parent_view_capability = "inkoop.view_locatie"

    def get_locatie(self):
        return self.parent


class CapaciteitUpdateView(CapaciteitFormMixin, ScopedViewMixin, UpdateView):
    """Change a period, e.g. end it when the number of places changes."""

    capability = "inkoop.change_capaciteit"

    def get_queryset(self):
        return super().get_queryset().select_related("locatie", "locatie__aanbieder")

    def get_locatie(self):
        return self.object.locatie


# --- vrije plaatsen ----------------------------------------------------------------------------


class VrijePlaatsenView(OuderMixin, ScopedViewMixin, FormView):
    """The aanbieder reports the free places of one of its locations now."""

    model = VrijePlaatsenMelding
    capability = "inkoop.add_vrijeplaatsenmelding"
    parent_model = Locatie
    parent_kwarg = "locatie_pk"
    parent_view_capability = "inkoop.view_locatie"
    form_class = VrijePlaatsenForm
    template_name = "inkoop/locaties/locatie_vrije_plaatsen_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        locatie = self.parent
        vandaag = timezone.localdate()
        perioden = list(Capaciteit.objects.filter(locatie=locatie).active_on(vandaag))
        context.update(
            locatie=locatie,
            capaciteit=capaciteit_per_maand(perioden, [vandaag])[0],
            laatste_melding=VrijePlaatsenMelding.objects.visible_to(
                self.request.user, "inkoop.view_vrijeplaatsenmelding"
            )
            .filter(locatie=locatie)
            .order_by("-gemeld_op", "-id")
            .first(),
        )
        return context

    def form_valid(self, form):
        try:
            meld_vrije_plaatsen(self.parent, form.cleaned_data["vrije_plaatsen"], self.request.user)
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "De vrije plaatsen zijn gemeld.")
        return redirect("inkoop:locatie-detail", pk=self.parent.pk)


urlpatterns = [
    path("locaties/", LocatieListView.as_view(), name="locatie-list"),
    path("locaties/nieuw/", LocatieCreateView.as_view(), name="locatie-create"),
    path("locaties/<int:pk>/", LocatieDetailView.as_view(), name="locatie-detail"),
    path("locaties/<int:pk>/wijzigen/", LocatieUpdateView.as_view(), name="locatie-update"),
    path(
        "locaties/<int:locatie_pk>/capaciteit/nieuw/",
        CapaciteitCreateView.as_view(),
        name="capaciteit-create",
    ),
    path("capaciteit/<int:pk>/wijzigen/", CapaciteitUpdateView.as_view(), name="capaciteit-update"),
    path(
        "locaties/<int:locatie_pk>/vrije-plaatsen/",
        VrijePlaatsenView.as_view(),
        name="vrije-plaatsen",
    ),
]
