"""Toewijzingen: assign a beschikt product to an aanbieder, the list of all toewijzingen of my
gemeenten (an aanbieder's users: their own), per dossier, detail, einddatum change (same
number), other change (a new toewijzing, after confirmation) and intrekken (after
confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from inkoop.models import Aanbieder, Contract
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from toegang.models import Beschikking, BeschiktProduct, Dossier, Toewijzing, Zorgperiode
from toegang.toewijzingen.forms import (
    EinddatumForm,
    ToewijzingFilterForm,
    ToewijzingForm,
    WijzigingForm,
)
from toegang.toewijzingen.services import (
    Wijziging,
    begrenzing,
    controleer_wijziging,
    gevolg_voor_oude,
    maak_toewijzing,
    niet_aangeboden,
    omvang_tekst,
    taakgericht,
    toewijsbaar,
    toewijsbare_producten,
    toewijzen_vanaf,
    trek_in,
    vervang,
    waarom_niet_oprekken,
    wijzig_einddatum,
)

VIEW = "toegang.view_toewijzing"
ADD = "toegang.add_toewijzing"
CHANGE = "toegang.change_toewijzing"


def met_client(queryset, user):
    """Annotate ``client_zichtbaar``: whether ``user`` may see the client's dossier (and so the
    name). An aanbieder's users see their toewijzingen, not the gemeente's dossier."""
    dossiers = Dossier.objects.visible_to(user, "toegang.view_dossier").filter(
        pk=OuterRef("beschikt_product__beschikking__dossier_id")
    )
    return queryset.annotate(client_zichtbaar=Exists(dossiers))


def contracten(user):
    return Contract.objects.visible_to(user, "inkoop.view_contract")


def client_naam(t: Toewijzing) -> str:
    if not t.client_zichtbaar:
        return ""
    persoon = getattr(t.beschikt_product.beschikking.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


def omvang_van(t) -> str:
    return omvang_tekst(t.volume, t.eenheid, t.frequentie)


class ToewijzingListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """All toewijzingen the user may see: a consulent's gemeenten, an aanbieder's own."""

    model = Toewijzing
    capability = VIEW
    paginate_by = 25
    template_name = "toegang/toewijzingen/toewijzing_list.html"
    sortable = {
        "nummer": "nummer",
        "-nummer": "-nummer",
        "aanbieder": "aanbieder__naam",
        "ingang": "ingangsdatum",
        "-ingang": "-ingangsdatum",
        "einde": "einddatum",
        "-einde": "-einddatum",
    }
    default_sort = "-aangemaakt_op"
    export_filename = "toewijzingen"
    export_columns = [
        ("ToewijzingNummer", lambda t: t.nummer),
        ("Gemeente", lambda t: t.gemeente.naam),
        ("Aanbieder", lambda t: t.aanbieder.naam),
        ("AGB-code", lambda t: t.aanbieder.agb_code),
        ("Product", lambda t: t.beschikt_product.product.naam),
        ("Productcategorie", lambda t: t.beschikt_product.product.productcategorie),
        ("Productcode", lambda t: t.beschikt_product.product.productcode),
        ("Ingangsdatum", lambda t: t.ingangsdatum),
        ("Einddatum", lambda t: t.einddatum),
        ("Volume", lambda t: t.volume),
        ("Eenheid", lambda t: t.eenheid),
        ("Frequentie", lambda t: t.frequentie),
        ("Status", lambda t: t.get_status_display()),
        ("RedenWijziging", lambda t: t.reden_wijziging),
        ("Vorige toewijzing", lambda t: t.vorige.nummer if t.vorige else ""),
        ("Cliënt", client_naam),
    ]

    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            scoped = Toewijzing.objects.visible_to(self.request.user, VIEW)
            aanbieders = Aanbieder.objects.filter(pk__in=scoped.values("aanbieder_id"))
            self._filter_form = ToewijzingFilterForm(self.request.GET, aanbieders=aanbieders)
            self._filter_form.is_valid()
        return self._filter_form

    def filter_queryset(self, queryset):
        queryset = met_client(queryset, self.request.user).select_related(
            "aanbieder", "gemeente", "vorige", "beschikt_product__product",
            "beschikt_product__beschikking__dossier__client__persoon",
        )  # fmt: skip
        filters = self.filter_form().cleaned_data
        if filters.get("aanbieder"):
            queryset = queryset.filter(aanbieder=filters["aanbieder"])
        if filters.get("status"):
            queryset = queryset.filter(status=filters["status"])
        zoek = (filters.get("q") or "").strip()
        if zoek:
            vind = Q(aanbieder__naam__icontains=zoek) | Q(
                client_zichtbaar=True,
                beschikt_product__beschikking__dossier__client__persoon__geslachtsnaam__icontains=zoek,
            )
            if zoek.isdigit():
                vind |= Q(nummer=int(zoek))
            queryset = queryset.filter(vind)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter_form=self.filter_form(), **kwargs)
        for t in context["object_list"]:
            t.omvang = omvang_van(t)
        return context


class ToewijzingDetailView(ScopedViewMixin, DetailView):
    model = Toewijzing
    capability = VIEW
    template_name = "toegang/toewijzingen/toewijzing_detail.html"

    def get_queryset(self):
        return met_client(super().get_queryset(), self.request.user).select_related(
            "aanbieder", "contract", "gemeente", "vorige",
            "beschikt_product__product__perceel",
            "beschikt_product__beschikking__dossier__client__persoon",
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        user, t = self.request.user, self.object
        mag_wijzigen = (
            t.status == Toewijzing.Status.ACTIEF
            and Toewijzing.objects.visible_to(user, CHANGE).filter(pk=t.pk).exists()
        )
        zichtbaar = Toewijzing.objects.visible_to(user, VIEW)
        return super().get_context_data(
            toewijzing=t,
            client=client_naam(t),
            omvang=omvang_van(t),
            begrenzing=begrenzing(t),
            taakgericht=taakgericht(t.beschikt_product),
            vorige=zichtbaar.filter(pk=t.vorige_id).first() if t.vorige_id else None,
            opvolgers=list(zichtbaar.filter(vorige=t).select_related("aanbieder")),
            zorgperioden=Zorgperiode.objects.visible_to(user, "toegang.view_zorgperiode")
            .filter(toewijzing=t)
            .order_by("begindatum", "pk"),
            mag_wijzigen=mag_wijzigen,
            **kwargs,
        )


class DossierToewijzingenView(ScopedViewMixin, DetailView):
    """The toewijzingen of one dossier, and its beschikte producten that can be assigned."""

    model = Dossier
    capability = VIEW
    template_name = "toegang/toewijzingen/toewijzing_dossier.html"
    context_object_name = "dossier"

    def get_queryset(self):
        return super().get_queryset().select_related("verantwoordelijke_gemeente", "client")

    def get_context_data(self, **kwargs):
        user, dossier = self.request.user, self.object
        toewijzingen = (
            Toewijzing.objects.visible_to(user, VIEW)
            .filter(beschikt_product__beschikking__dossier=dossier)
            .select_related("aanbieder", "beschikt_product__product")
            .order_by("-ingangsdatum", "-nummer")
        )
        producten = []
        if user.has_perm(ADD):
            producten = list(
                toewijsbare_producten(
                    BeschiktProduct.objects.visible_to(user, ADD).filter(
                        beschikking__dossier=dossier
                    )
                ).select_related("product", "beschikking__perceel")
            )
        return super().get_context_data(toewijzingen=toewijzingen, toewijsbaar=producten, **kwargs)


class ToewijzingCreateView(ScopedViewMixin, SingleObjectMixin, FormView):
    """Assign a beschikt product (a child of a beschikking the user may see) to an aanbieder."""

    model = BeschiktProduct
    capability = ADD
    form_class = ToewijzingForm
    template_name = "toegang/toewijzingen/toewijzing_form.html"
    context_object_name = "beschikt_product"

    def get_queryset(self):
        beschikkingen = Beschikking.objects.visible_to(
            self.request.user, "toegang.view_beschikking"
        )
        return (
            super()
            .get_queryset()
            .filter(beschikking__in=beschikkingen)
            .select_related("product__perceel", "beschikking__dossier__verantwoordelijke_gemeente")
        )

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not toewijsbaar(self.object):
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "beschikt_product": self.object,
                "user": self.request.user}  # fmt: skip

    def get_context_data(self, **kwargs):
        bp = self.object
        vanaf = toewijzen_vanaf(bp)
        return super().get_context_data(
            vanaf=vanaf, niet_aangeboden=niet_aangeboden(bp, vanaf, contracten(self.request.user)),
            toewijsbaar=toewijsbaar(bp), taakgericht=taakgericht(bp),
            beschikt_omvang=omvang_tekst(bp.volume, bp.eenheid, bp.frequentie),
            dossier=bp.beschikking.dossier, **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            toewijzing = maak_toewijzing(
                self.request.user, self.object, data["aanbieder"], data["ingangsdatum"],
                data["einddatum"], form.omvang(), contracten=contracten(self.request.user),
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Toewijzing {toewijzing.nummer} aan {toewijzing.aanbieder.naam} is vastgelegd.",
        )
        if toewijzing.contract_begrensd:
            messages.info(self.request, begrenzing(toewijzing))
        return HttpResponseRedirect(reverse("toegang:toewijzing-detail", args=[toewijzing.pk]))


class ToewijzingWijzigMixin(ScopedViewMixin, SingleObjectMixin):
    """A change of a toewijzing the user may change; a foreign one answers 404, one that is no
    longer active shows why."""

    model = Toewijzing
    capability = CHANGE
    context_object_name = "toewijzing"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "aanbieder", "beschikt_product__product__perceel",
                "beschikt_product__beschikking__dossier__verantwoordelijke_gemeente",
            )
        )  # fmt: skip

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def toewijzing(self) -> Toewijzing:
        if self.object is None:
            self.object = self.get_object()
        return self.object

    def get_context_data(self, **kwargs):
        t = self.toewijzing()
        return super().get_context_data(
            actief=t.status == Toewijzing.Status.ACTIEF, omvang=omvang_van(t), **kwargs
        )

    def detail_url(self, toewijzing=None):
        return reverse("toegang:toewijzing-detail", args=[(toewijzing or self.toewijzing()).pk])


class EinddatumView(ToewijzingWijzigMixin, FormView):
    """The change that keeps the ToewijzingNummer."""

    form_class = EinddatumForm
    template_name = "toegang/toewijzingen/toewijzing_einddatum.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "toewijzing": self.toewijzing()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            niet_oprekbaar=waarom_niet_oprekken(self.toewijzing()), **kwargs
        )

    def form_valid(self, form):
        try:
            t = wijzig_einddatum(
                self.request.user, self.toewijzing(), form.cleaned_data["einddatum"],
                form.cleaned_data["reden_wijziging"], contracten=contracten(self.request.user),
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        if t.pk == self.toewijzing().pk:
            tekst = f"De einddatum van toewijzing {t.nummer} is gewijzigd (zelfde nummer)."
        else:  # a verlenging that may not stretch (OP380)
            tekst = (
                f"Toewijzing {t.vorige.nummer} loopt af op haar einddatum; de verlenging is "
                f"nieuwe toewijzing {t.nummer}."
            )
        messages.success(self.request, tekst)
        return HttpResponseRedirect(self.detail_url(t))


class WijzigView(ToewijzingWijzigMixin, FormView):
    """Any other change: the form, then a confirmation page saying what happens to the current
    toewijzing; only the confirmed POST changes anything."""

    form_class = WijzigingForm
    template_name = "toegang/toewijzingen/toewijzing_wijzigen.html"

    def get_form_kwargs(self):
        t = self.toewijzing()
        producten = toewijsbare_producten(
            BeschiktProduct.objects.visible_to(self.request.user, ADD).filter(
                beschikking__dossier_id=t.beschikt_product.beschikking.dossier_id
            )
        ).select_related("product__perceel", "beschikking__dossier")
        return {**super().get_form_kwargs(), "toewijzing": t, "producten": producten,
                "user": self.request.user}  # fmt: skip

    def wijziging(self, form) -> Wijziging:
        data = form.cleaned_data
        return Wijziging(
            beschikt_product=data["beschikt_product"], aanbieder=data["aanbieder"],
            ingangsdatum=data["ingangsdatum"], einddatum=data["einddatum"],
            omvang=form.omvang(), reden=data["reden_wijziging"],
        )  # fmt: skip

    def form_valid(self, form):
        t, user = self.toewijzing(), self.request.user
        w = self.wijziging(form)
        if w.einddatum is None:
            w.einddatum = w.beschikt_product.einddatum
        actie = self.request.POST.get("actie")
        if actie == "terug":
            return self.form_invalid(form)
        try:
            if actie == "bevestig":
                nieuw = vervang(user, t, w, contracten=contracten(user))
            else:
                controleer_wijziging(t, w, contracten=contracten(user))
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        if actie != "bevestig":
            status, einde = gevolg_voor_oude(t, w)
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    bevestigen=True,
                    wijziging=w,
                    oud_status=status,
                    oud_einde=einde,
                    ingetrokken=status == Toewijzing.Status.INGETROKKEN,
                    nieuwe_omvang=omvang_tekst(
                        w.omvang.volume, w.omvang.eenheid, w.omvang.frequentie
                    ),
                )  # fmt: skip
            )
        messages.success(
            self.request,
            f"Toewijzing {t.nummer} is {nieuw.vorige.get_status_display().lower()}; de nieuwe "
            f"toewijzing heeft nummer {nieuw.nummer}.",
        )
        return HttpResponseRedirect(self.detail_url(nieuw))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form, bevestigen=False))


class IntrekkenView(ToewijzingWijzigMixin, TemplateView):
    """Withdraw a toewijzing sent in error (RedenWijziging 13), after a confirmation page."""

    template_name = "toegang/toewijzingen/toewijzing_intrekken.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        try:
            t = trek_in(request.user, self.toewijzing())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.detail_url())
        messages.success(request, f"Toewijzing {t.nummer} is ingetrokken.")
        return HttpResponseRedirect(self.detail_url(t))


urlpatterns = [
    path("toewijzingen/", ToewijzingListView.as_view(), name="toewijzing-list"),
    path("toewijzingen/<int:pk>/", ToewijzingDetailView.as_view(), name="toewijzing-detail"),
    path("toewijzingen/<int:pk>/einddatum/", EinddatumView.as_view(), name="toewijzing-einddatum"),
    path("toewijzingen/<int:pk>/wijzigen/", WijzigView.as_view(), name="toewijzing-wijzigen"),
    path("toewijzingen/<int:pk>/intrekken/", IntrekkenView.as_view(), name="toewijzing-intrekken"),
    path(
        "beschikte-producten/<int:pk>/toewijzen/",
        ToewijzingCreateView.as_view(),
        name="toewijzing-create",
    ),
    path(
        "dossiers/<int:pk>/toewijzingen/",
        DossierToewijzingenView.as_view(),
        name="dossier-toewijzingen",
    ),
]
