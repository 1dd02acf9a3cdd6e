"""werkvoorraad screens of the toegang workplace: the open cases of the consulent ("mijn werk")
and of the team (all the user's gemeenten) sorted by the next deadline, the herindicaties, and
the user's in-app notifications.

The lists render with a constant number of queries however many rows there are: every row's
related data comes in the page query (select_related, an Exists annotation for an open
suspension), and the deadline's state is computed in Python from the stored
``Melding.volgende_termijn``.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import DateField, Exists, F, Func, OuterRef, Q, Value
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import ListView, View

from inkoop.models import Product
from regio.exports import ExportableListMixin
from regio.lists import SearchSortMixin, as_int
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente, Notificatie, User
from regio.query import scope_for
from toegang import termijnen
from toegang.meldingen.services import OPEN
from toegang.models import (
    Aanvraag,
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Bezwaaruitstel,
    Melding,
    Opschorting,
    Plaatsing,
    Verzuimherstel,
)
from toegang.wachtlijst import crisis
from toegang.werkvoorraad import tabs

NAAM_ZOEKEN = (
    "dossier__client__persoon__geslachtsnaam__icontains",
    "dossier__client__persoon__voornamen__icontains",
)
TABS = ("mijn", "team")
WERKVOORRAAD_FILTERS = ("status", "consulent", "gemeente", "functie", "spoed")


class MaandenNa(Func):
    """PostgreSQL: ``datum`` plus a number of months taken from a column (a date again)."""

    output_field = DateField()

    def __init__(self, datum, maanden, **extra):
        super().__init__(datum, maanden, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        datum, maanden = self.get_source_expressions()
        datum_sql, datum_params = compiler.compile(datum)
        maanden_sql, maanden_params = compiler.compile(maanden)
        sql = f"(({datum_sql})::date + make_interval(months => ({maanden_sql})::int))::date"
        return sql, [*datum_params, *maanden_params]


def _datum(waarde: datetime.date) -> Value:
    return Value(waarde, output_field=DateField())


def _keuze(request, naam: str, toegestaan) -> str:
    waarde = request.GET.get(naam, "")
    return waarde if waarde in toegestaan else ""


class TolerantePaginaMixin:
    """A page number past the end (or no number) shows the nearest page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


def _persoonsnaam(dossier) -> str:
    persoon = getattr(dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


class WerkvoorraadView(
    TolerantePaginaMixin, SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView
):
    """Open meldingen of the gemeenten where the user is consulent: "mijn werk" (assigned to
    the user) or "team" (all), sorted by the next deadline; coloured when near or past."""

    model = Melding
    capability = "toegang.view_melding"
    paginate_by = 50
    template_name = "toegang/werkvoorraad/werkvoorraad.html"
    search_fields = NAAM_ZOEKEN
    sortable = {
        "termijn": "volgende_termijn",
        "ontvangen": "ontvangen_op",
        "naam": "dossier__client__persoon__geslachtsnaam",
        "gemeente": "dossier__verantwoordelijke_gemeente__naam",
    }
    default_sort = "volgende_termijn"
    export_filename = "werkvoorraad"
    export_columns = [
        ("Cliënt", lambda m: _persoonsnaam(m.dossier)),
        ("Dossier", lambda m: m.dossier_id),
        ("Gemeente", lambda m: m.dossier.verantwoordelijke_gemeente.naam),
        ("Fase", lambda m: m.get_status_display()),
        ("Spoed", lambda m: m.urgent),
        ("Melding ontvangen", lambda m: m.ontvangen_op),
        ("Consulent", lambda m: m.consulent.naam if m.consulent else ""),
        ("Volgende termijn", lambda m: m.volgende_termijn),
        ("Opgeschort", lambda m: m.opgeschort),
    ]

    def ordering_for(self, key: str):
        ordering = super().ordering_for(key)
        # Cases without a deadline (suspended, waiting for the aanvraag) come after the rest.
        if ordering == "volgende_termijn":
            return F("volgende_termijn").asc(nulls_last=True)
        if ordering == "-volgende_termijn":
            return F("volgende_termijn").desc(nulls_last=True)
        return ordering

    @cached_property
    def tab(self) -> str:
        return _keuze(self.request, "tab", TABS) or "mijn"

    @cached_property
    def peildatum(self) -> datetime.date:
        return timezone.localdate()

    def open_meldingen(self):
        return super(SearchSortMixin, self).get_queryset().filter(status__in=OPEN)

    def filter_queryset(self, queryset):
        get = self.request.GET
        queryset = queryset.filter(status__in=OPEN)
        if self.tab == "mijn":
            queryset = queryset.filter(consulent=self.request.user)
        elif (consulent := as_int(get.get("consulent"))) is not None:
            queryset = queryset.filter(consulent_id=consulent)
        if status := _keuze(self.request, "status", OPEN):
            queryset = queryset.filter(status=status)
        if (gemeente := as_int(get.get("gemeente"))) is not None:
            queryset = queryset.filter(dossier__verantwoordelijke_gemeente_id=gemeente)
        if get.get("spoed") == "ja":
            queryset = queryset.filter(urgent=True)
        if (functie := as_int(get.get("functie"))) is not None:
            queryset = queryset.filter(aanvraag__functies=functie)
        open_opschorting = Opschorting.objects.filter(
            aanvraag__melding=OuterRef("pk"), tot__isnull=True
        )
        return queryset.select_related(
            "dossier__verantwoordelijke_gemeente", "dossier__client__persoon", "consulent"
        ).annotate(opgeschort=Exists(open_opschorting))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get, user = self.request.GET, self.request.user
        rijen = list(context["object_list"])
        for melding in rijen:
            melding.stand = termijnen.termijnstand(
                melding.volgende_termijn, self.peildatum, opgeschort=melding.opgeschort
            )
        open_meldingen = self.open_meldingen()
        context.update(
            object_list=rijen,
            tab=self.tab,
            peildatum=self.peildatum,
            signaal_werkdagen=termijnen.SIGNAAL_WERKDAGEN,
            aantal_mijn=open_meldingen.filter(consulent=user).count(),
            statussen=[(s.value, s.label) for s in OPEN],
            # "Ikzelf" (when the user has open meldingen), then the colleagues by name.
            consulenten=User.objects.filter(
                pk__in=open_meldingen.exclude(consulent=None).values("consulent")
            )
            .exclude(pk=user.pk)
            .order_by("last_name", "first_name", "username"),
            gemeenten=Gemeente.objects.visible_to(user, self.capability),
            functies=Product.objects.filter(
                pk__in=Aanvraag.functies.through.objects.filter(
                    aanvraag__melding__in=open_meldingen
                ).values("product_id")
            ).order_by("naam"),
            gekozen={k: get.get(k, "") for k in WERKVOORRAAD_FILTERS},
            gefilterd=any(get.get(k) for k in ("q", *WERKVOORRAAD_FILTERS)),
        )
        return context


class HerindicatieView(TolerantePaginaMixin, ScopedViewMixin, ListView):
    """Beschikkingen that end within the regio's ``herindicatie_maanden`` (the regio whose
    catalogue the beschikking was issued under, i.e. the dossier's regio for that perceel), and
    beschikte producten with a maximum duration (begeleiding plus) that reach it in that window:
    both need a new decision in time."""

    model = Beschikking
    capability = "toegang.view_beschikking"
    paginate_by = 50
    template_name = "toegang/werkvoorraad/werkvoorraad_herindicaties.html"
    LOPEND = (Beschikking.Status.VASTGESTELD, Beschikking.Status.BEKENDGEMAAKT)

    @cached_property
    def peildatum(self) -> datetime.date:
        return timezone.localdate()

    def _filters(self, queryset, dossier_pad: str):
        get = self.request.GET
        if (gemeente := as_int(get.get("gemeente"))) is not None:
            queryset = queryset.filter(**{f"{dossier_pad}verantwoordelijke_gemeente_id": gemeente})
        zoek = get.get("q", "").strip()
        if zoek:
            queryset = queryset.filter(
                Q(**{f"{dossier_pad}client__persoon__geslachtsnaam__icontains": zoek})
                | Q(**{f"{dossier_pad}client__persoon__voornamen__icontains": zoek})
            )
        return queryset

    def get_queryset(self):
        vandaag = self.peildatum
        vervolg = Beschikking.objects.filter(
            dossier=OuterRef("dossier"),
            perceel=OuterRef("perceel"),
            ingangsdatum__gt=OuterRef("ingangsdatum"),
        ).exclude(status=Beschikking.Status.INGETROKKEN)
        queryset = (
            super()
            .get_queryset()
            .filter(status__in=self.LOPEND, einddatum__gte=vandaag)
            .filter(
                einddatum__lte=MaandenNa(_datum(vandaag), F("perceel__regio__herindicatie_maanden"))
            )
            .annotate(vervolg=Exists(vervolg))
            .select_related(
                "dossier__verantwoordelijke_gemeente", "dossier__client__persoon", "perceel"
            )
            .order_by("einddatum", "pk")
        )
        return self._filters(queryset, "dossier__")

    def maximale_duur(self):
        vandaag = self.peildatum
        return self._filters(
            BeschiktProduct.objects.visible_to(self.request.user, "toegang.view_beschiktproduct")
            .filter(
                toegekend=True,
                beschikking__status__in=self.LOPEND,
                product__max_duur_maanden__isnull=False,
            )
            .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=vandaag))
            .annotate(
                max_einde=MaandenNa(F("ingangsdatum"), F("product__max_duur_maanden")),
                grens=MaandenNa(
                    _datum(vandaag), F("beschikking__perceel__regio__herindicatie_maanden")
                ),
            )
            .filter(max_einde__lte=F("grens"))
            .select_related(
                "product",
                "beschikking__dossier__verantwoordelijke_gemeente",
                "beschikking__dossier__client__persoon",
            )
            .order_by("max_einde", "pk"),
            "beschikking__dossier__",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pagina = Paginator(self.maximale_duur(), self.paginate_by).get_page(
            self.request.GET.get("pagina_max")
        )
        for product in pagina:
            # ``max_einde`` is the first day past the maximum duration.
            product.laatste_dag = product.max_einde - datetime.timedelta(days=1)
            product.stand = termijnen.termijnstand(product.laatste_dag, self.peildatum)
        for beschikking in context["object_list"]:
            beschikking.stand = termijnen.termijnstand(beschikking.einddatum, self.peildatum)
        get = self.request.GET
        context.update(
            tab="herindicaties",
            aantal_mijn=None,
            producten=pagina,
            peildatum=self.peildatum,
            gemeenten=Gemeente.objects.visible_to(self.request.user, self.capability),
            zoek=get.get("q", ""),
            gekozen={"gemeente": get.get("gemeente", "")},
            gefilterd=any(get.get(k) for k in ("q", "gemeente")),
        )
        return context


class NotificatieListView(TolerantePaginaMixin, LoginRequiredMixin, ListView):
    """The user's own in-app notifications (deadlines coming up)."""

    unscoped_reason = "shows only the logged-in user's own Notificaties"
    template_name = "toegang/werkvoorraad/werkvoorraad_notificaties.html"
    paginate_by = 50
    context_object_name = "notificaties"

    def get_queryset(self):
        return Notificatie.objects.filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ongelezen=Notificatie.objects.filter(
                user=self.request.user, gelezen_op__isnull=True
            ).count(),
            **kwargs,
        )


class NotificatiesGelezenView(LoginRequiredMixin, View):
    """POST: mark all of the user's own notifications as read."""

    unscoped_reason = "changes only the logged-in user's own Notificaties"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        aantal = Notificatie.objects.filter(user=request.user, gelezen_op__isnull=True).update(
            gelezen_op=timezone.now()
        )
        messages.success(request, f"{aantal} notificatie(s) als gelezen gemarkeerd.")
        return redirect("toegang:notificaties")


class NotificatieGelezenView(LoginRequiredMixin, View):
    """POST: mark one of the user's own notifications as read (another's is not found)."""

    unscoped_reason = "changes only the logged-in user's own Notificatie"
    http_method_names = ["post"]

    def post(self, request, pk):
        n = get_object_or_404(Notificatie, pk=pk, user=request.user)
        if n.gelezen_op is None:
            n.gelezen_op = timezone.now()
            n.save(update_fields=["gelezen_op"])
        return redirect(f"{reverse('toegang:notificaties')}?page={request.POST.get('page', '')}")


class NotificatieOpenenView(LoginRequiredMixin, View):
    """GET: open a notification's link; following it marks the notification read. Only links
    inside regiozorg are followed (a stored url is a path)."""

    unscoped_reason = "opens only the logged-in user's own Notificatie"
    http_method_names = ["get"]

    def get(self, request, pk):
        n = get_object_or_404(Notificatie, pk=pk, user=request.user)
        if n.gelezen_op is None:
            Notificatie.objects.filter(pk=n.pk).update(gelezen_op=timezone.now())
        veilig = n.url and url_has_allowed_host_and_scheme(
            n.url, allowed_hosts=None, require_https=False
        )
        return redirect(n.url if veilig and n.url.startswith("/") else "toegang:notificaties")


class BezwaarWerkvoorraadView(TolerantePaginaMixin, SearchSortMixin, ScopedViewMixin, ListView):
    """Open bezwaren (no outcome yet) against beschikkingen of the user's gemeenten, the one
    whose decision term ends first on top (Awb 7:10)."""

    model = Bezwaar
    capability = "toegang.view_bezwaar"
    paginate_by = 50
    template_name = "toegang/werkvoorraad/werkvoorraad_bezwaren.html"
    search_fields = NAAM_ZOEKEN
    sortable = {"termijn": "beslistermijn_einde", "ontvangen": "ontvangen_op"}
    default_sort = "beslistermijn_einde"

    @cached_property
    def peildatum(self) -> datetime.date:
        return timezone.localdate()

    def filter_queryset(self, queryset):
        # A repair of a verzuim still awaited suspends the term (Awb 7:10 lid 2); the stored end
        # then assumes the repair term passes unused, so it can only come earlier.
        opgeschort = Verzuimherstel.objects.filter(
            bezwaar=OuterRef("pk"),
            hersteld_op__isnull=True,
            verzocht_op__lte=self.peildatum,
            hersteltermijn_tot__gte=self.peildatum,
        )
        uitgesteld = Bezwaaruitstel.objects.filter(bezwaar=OuterRef("pk"))
        return (
            queryset.filter(uitkomst="")
            .select_related(
                "beschikking",
                "dossier__verantwoordelijke_gemeente",
                "dossier__client__persoon",
                "behandelaar",
            )  # fmt: skip
            .annotate(opgeschort=Exists(opgeschort), uitgesteld=Exists(uitgesteld))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tab="bezwaren", **kwargs)
        for bezwaar in context["object_list"]:
            bezwaar.stand = termijnen.termijnstand(bezwaar.beslistermijn_einde, self.peildatum)
        return context


class CrisisplaatsingenView(TolerantePaginaMixin, ScopedViewMixin, ListView):
    """Crisis placements whose beschikking must still follow (issue 17 item 9), for whoever may
    beschikken on the dossier (lokaal team, or the Centrale Toegang where the regio lets it),
    and for the Centrale Toegang that placed them and follows them up (``tabs``); the first
    due on top and flagged when overdue (``toegang.wachtlijst.crisis``)."""

    model = Plaatsing
    capability = tabs.BESCHIKKEN
    paginate_by = 50
    template_name = "toegang/werkvoorraad/werkvoorraad_crisisplaatsingen.html"

    def may_enter(self, user) -> bool:
        self.capability = tabs.crisis_capability(user) or tabs.BESCHIKKEN
        return tabs.crisis_capability(user) is not None

    def get_queryset(self):
        return crisis.open_taken(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tab="crisisplaatsingen", aantal_mijn=None, **kwargs)
        vandaag = timezone.localdate()
        for p in context["object_list"]:
            p.stand = termijnen.termijnstand(p.beschikken_uiterlijk, vandaag)
        return context


class TerAccorderingView(TolerantePaginaMixin, ScopedViewMixin, ListView):
    """Beschikkingen waiting for the user's accordering (four eyes: not those the user wrote,
    changed or submitted), the first beslistermijn on top: the stored deadline of the melding
    behind the aanvraag (Wmo 2015 art. 2.3.5, with its suspensions and verdaging)."""

    model = Beschikking
    capability = tabs.ACCORDEER
    paginate_by = 50
    template_name = "toegang/werkvoorraad/werkvoorraad_ter_accordering.html"

    def may_enter(self, user) -> bool:
        return not scope_for(user, self.capability).empty

    def get_queryset(self):
        return (
            tabs.ter_accordering(self.request.user)
            .select_related(
                "dossier__verantwoordelijke_gemeente",
                "dossier__client__persoon",
                "ingediend_door",
                "aanvraag__melding",
            )
            .order_by(F("aanvraag__melding__volgende_termijn").asc(nulls_last=True), "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tab="ter-accordering", aantal_mijn=None, **kwargs)
        vandaag = timezone.localdate()
        for b in context["object_list"]:
            melding = b.aanvraag.melding if b.aanvraag_id else None
            b.beslistermijn = melding.volgende_termijn if melding else None
            b.stand = termijnen.termijnstand(b.beslistermijn, vandaag)
        return context


urlpatterns = [
    path(
        "werkvoorraad/crisisplaatsingen/",
        CrisisplaatsingenView.as_view(),
        name="werkvoorraad-crisisplaatsingen",
    ),
    path("werkvoorraad/", WerkvoorraadView.as_view(), name="werkvoorraad"),
    path(
        "werkvoorraad/ter-accordering/",
        TerAccorderingView.as_view(),
        name="werkvoorraad-ter-accordering",
    ),
    path(
        "werkvoorraad/herindicaties/", HerindicatieView.as_view(), name="werkvoorraad-herindicaties"
    ),
    path("werkvoorraad/bezwaren/", BezwaarWerkvoorraadView.as_view(), name="werkvoorraad-bezwaren"),
    path("notificaties/", NotificatieListView.as_view(), name="notificaties"),
    path("notificaties/gelezen/", NotificatiesGelezenView.as_view(), name="notificaties-gelezen"),
    path(
        "notificaties/<int:pk>/gelezen/",
        NotificatieGelezenView.as_view(),
        name="notificatie-gelezen",
    ),
    path("notificaties/<int:pk>/", NotificatieOpenenView.as_view(), name="notificatie-openen"),
]
