"""kwaliteit screens of the inkoop workplace (seed 004 §3.3): certificates with a signal before
they lapse, calamiteiten and incidenten with the regio's follow-up, and onderaannemers per
contract."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from inkoop.kwaliteit.forms import (
    CertificaatForm,
    MeldingAfhandelForm,
    MeldingForm,
    OnderaannemingForm,
)
from inkoop.kwaliteit.services import (
    AFHANDELEN,
    GELDIG,
    SIGNAALDAGEN,
    VERLOOPT_BINNENKORT,
    VERLOPEN,
    certificaat_signaal,
    certificaten_die_verlopen,
    melding_afhandelen,
    melding_opvolging_vastleggen,
    met_signaal,
    met_vervangen,
)
from inkoop.locaties.views import OuderMixin
from inkoop.models import Aanbieder, Certificaat, Contract, Melding, Onderaanneming
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import as_int, sorteerlinks
from regio.mixins import ScopedViewMixin
from regio.models import Regio

# --- certificaten ------------------------------------------------------------------------------

SIGNAALKEUZES = [
    ("aandacht", "Verlopen of verloopt binnenkort (niet vervangen)"),
    (VERLOPEN, "Verlopen"),
    (VERLOOPT_BINNENKORT, "Verloopt binnenkort"),
    (GELDIG, "Geldig"),
]


class CertificaatListView(ScopedViewMixin, ExportableListMixin, ListView):
    """Certificates of the aanbieders the user may see, each with its signal today."""

    model = Certificaat
    capability = "inkoop.view_certificaat"
    paginate_by = 25
    template_name = "inkoop/kwaliteit/kwaliteit_certificaat_list.html"
    export_filename = "certificaten"
    sortable = {
        "geldig_tot": ("geldig_tot",),
        "-geldig_tot": ("-geldig_tot",),
        "aanbieder": ("aanbieder__naam", "geldig_tot"),
        "-aanbieder": ("-aanbieder__naam", "geldig_tot"),
        "soort": ("soort", "geldig_tot"),
        "-soort": ("-soort", "geldig_tot"),
    }

    @property
    def peildatum(self):
        return timezone.localdate()

    def get_queryset(self):
        qs = super().get_queryset().select_related("aanbieder")
        get = self.request.GET
        zoek = get.get("q", "").strip()
        if zoek:
            qs = qs.filter(
                Q(soort__icontains=zoek) | Q(nummer__icontains=zoek)
                | Q(aanbieder__naam__icontains=zoek)
            )  # fmt: skip
        if (aanbieder := as_int(get.get("aanbieder"))) is not None:
            qs = qs.filter(aanbieder_id=aanbieder)
        if (regio := as_int(get.get("regio"))) is not None:
            qs = qs.filter(
                aanbieder_id__in=Contract.objects.filter(regio_id=regio).values("aanbieder_id")
            )
        signaal = get.get("signaal", "")
        if signaal == "aandacht":
            qs = certificaten_die_verlopen(qs, self.peildatum)
        elif signaal in (VERLOPEN, VERLOOPT_BINNENKORT, GELDIG):
            qs = met_signaal(qs, signaal, self.peildatum)
        if signaal != "aandacht":
            qs = met_vervangen(qs)
        sort = self.sortable.get(get.get("sort", ""), ("geldig_tot", "aanbieder__naam"))
        return qs.order_by(*sort, "pk")

    def signaal_van(self, certificaat) -> str | None:
        if getattr(certificaat, "vervangen", False):
            return None
        return certificaat_signaal(certificaat, self.peildatum)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, get = self.request.user, self.request.GET
        rijen = list(context["object_list"])
        wijzigbaar = set(
            Certificaat.objects.visible_to(user, "inkoop.change_certificaat")
            .filter(pk__in=[c.pk for c in rijen])
            .values_list("pk", flat=True)
        )
        for certificaat in rijen:
            certificaat.signaal = self.signaal_van(certificaat)
            certificaat.wijzigbaar = certificaat.pk in wijzigbaar
        basis = super().get_queryset()
        contracten = Contract.objects.visible_to(user, "inkoop.view_contract")
        context.update(
            object_list=rijen,
            zoek=get.get("q", ""),
            sort=get.get("sort", ""),
            gekozen={k: get.get(k, "") for k in ("aanbieder", "regio", "signaal")},
            aanbieders=Aanbieder.objects.filter(pk__in=basis.values("aanbieder")).order_by("naam"),
            regios=Regio.objects.filter(pk__in=contracten.values("regio")).order_by("naam"),
            signalen=SIGNAALKEUZES,
            signaaldagen=SIGNAALDAGEN,
            gefilterd=any(get.get(k) for k in ("q", "aanbieder", "regio", "signaal")),
            kan_toevoegen=user.has_perm("inkoop.add_certificaat"),
            sorteer=sorteerlinks(self.request, ["aanbieder", "soort", "geldig_tot"]),
        )
        return context

    @property
    def export_columns(self):
        # The signal depends on today's peildatum, so the columns are built per request.
        return [
            ("Aanbieder", lambda c: c.aanbieder.naam),
            ("AGB-code", lambda c: c.aanbieder.agb_code),
            ("Soort", lambda c: c.soort),
            ("Nummer", lambda c: c.nummer),
            ("Geldig tot en met", lambda c: c.geldig_tot),
            ("Signaal", lambda c: self.signaal_van(c) or ""),
            ("Vervangen door nieuwer certificaat", lambda c: "ja" if c.vervangen else "nee"),
        ]


class KwaliteitFormMixin:
    """Create/update of a kwaliteit row: choices limited by the view's capability, saved in one
    transaction, with a message."""

    succes = "Opgeslagen."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, capability=self.capability)
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, self.succes)
        return response


class CertificaatFormMixin(KwaliteitFormMixin):
    model = Certificaat
    form_class = CertificaatForm
    template_name = "inkoop/kwaliteit/kwaliteit_certificaat_form.html"
    succes = "Het certificaat is opgeslagen."

    def get_success_url(self):
        return reverse("inkoop:certificaat-list")


class CertificaatCreateView(CertificaatFormMixin, ScopedViewMixin, CreateView):
    capability = "inkoop.add_certificaat"


class CertificaatUpdateView(CertificaatFormMixin, ScopedViewMixin, UpdateView):
    capability = "inkoop.change_certificaat"


# --- calamiteiten en incidenten ----------------------------------------------------------------


def regio_meldingen(user):
    """The meldingen whose follow-up the user handles (``inkoop.handel_melding_af``: the regio's
    RISB). The aanbieder's own users may change their meldingen but do not close them: follow-up
    is the regio's (seed 004 §3.3)."""
    return Melding.objects.visible_to(user, AFHANDELEN)


class MeldingListView(ScopedViewMixin, ExportableListMixin, ListView):
    model = Melding
    capability = "inkoop.view_melding"
    paginate_by = 25
    template_name = "inkoop/kwaliteit/kwaliteit_melding_list.html"
    export_filename = "calamiteiten-en-incidenten"
    export_columns = [
        ("Datum", lambda m: m.datum),
        ("Soort", lambda m: m.get_soort_display()),
        ("Aanbieder", lambda m: m.aanbieder.naam),
        ("Contract", lambda m: m.contract.kenmerk if m.contract else ""),
        ("Status", lambda m: m.get_status_display()),
        ("Afgehandeld op", lambda m: m.afgehandeld_op),
        ("Omschrijving", lambda m: m.omschrijving),
        ("Opvolging", lambda m: m.opvolging),
    ]
    sortable = {
        "datum": ("datum",),
        "-datum": ("-datum",),
        "aanbieder": ("aanbieder__naam", "-datum"),
        "-aanbieder": ("-aanbieder__naam", "-datum"),
    }

    def get_queryset(self):
        qs = super().get_queryset().select_related("aanbieder", "contract")
        get = self.request.GET
        zoek = get.get("q", "").strip()
        if zoek:
            qs = qs.filter(
                Q(omschrijving__icontains=zoek) | Q(opvolging__icontains=zoek)
                | Q(aanbieder__naam__icontains=zoek)
            )  # fmt: skip
        if get.get("status") in Melding.Status.values:
            qs = qs.filter(status=get["status"])
        if get.get("soort") in Melding.Soort.values:
            qs = qs.filter(soort=get["soort"])
        if (aanbieder := as_int(get.get("aanbieder"))) is not None:
            qs = qs.filter(aanbieder_id=aanbieder)
        sort = self.sortable.get(get.get("sort", ""), ("-datum",))
        return qs.order_by(*sort, "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        basis = super().get_queryset()
        context.update(
            zoek=get.get("q", ""),
            sort=get.get("sort", ""),
            gekozen={k: get.get(k, "") for k in ("status", "soort", "aanbieder")},
            statussen=Melding.Status.choices,
            soorten=Melding.Soort.choices,
            aanbieders=Aanbieder.objects.filter(pk__in=basis.values("aanbieder")).order_by("naam"),
            gefilterd=any(get.get(k) for k in ("q", "status", "soort", "aanbieder")),
            kan_toevoegen=self.request.user.has_perm("inkoop.add_melding"),
            sorteer=sorteerlinks(self.request, ["datum", "aanbieder"]),
        )
        return context


class MeldingCreateView(KwaliteitFormMixin, ScopedViewMixin, CreateView):
    """The aanbieder reports a calamiteit or incident (RISB may register one on its behalf)."""

    model = Melding
    capability = "inkoop.add_melding"
    form_class = MeldingForm
    template_name = "inkoop/kwaliteit/kwaliteit_melding_form.html"
    succes = "De melding is geregistreerd."

    def get_success_url(self):
        return reverse("inkoop:melding-detail", args=[self.object.pk])


class MeldingDetailView(ScopedViewMixin, DetailView):
    model = Melding
    capability = "inkoop.view_melding"
    template_name = "inkoop/kwaliteit/kwaliteit_melding_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "contract")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kan_afhandelen"] = (
            self.object.status == Melding.Status.OPEN
            and regio_meldingen(self.request.user).filter(pk=self.object.pk).exists()
        )
        return context


class MeldingAfhandelenView(ScopedViewMixin, SingleObjectMixin, FormView):
    """The regio records the follow-up of a melding, and closes it (a separate step with its
    own page: a closed melding cannot be changed any more)."""

    model = Melding
    capability = AFHANDELEN
    form_class = MeldingAfhandelForm
    template_name = "inkoop/kwaliteit/kwaliteit_melding_afhandelen.html"

    def get_queryset(self):
        return regio_meldingen(self.request.user).select_related("aanbieder")

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            zichtbaar = Melding.objects.visible_to(self.request.user, "inkoop.view_melding")
            if zichtbaar.filter(pk=self.kwargs["pk"]).exists():
                raise PermissionDenied from None
            raise

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != Melding.Status.OPEN:
            messages.error(request, "Deze melding is al afgehandeld.")
            return redirect("inkoop:melding-detail", pk=self.object.pk)
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"opvolging": self.object.opvolging, "afgehandeld_op": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        afhandelen = self.request.POST.get("actie") == "afhandelen"
        try:
            if afhandelen:
                melding_afhandelen(
                    self.object, data["opvolging"], self.request.user, data["afgehandeld_op"]
                )
            else:
                melding_opvolging_vastleggen(self.object, data["opvolging"], self.request.user)
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            "De melding is afgehandeld." if afhandelen else "De opvolging is opgeslagen.",
        )
        return redirect("inkoop:melding-detail", pk=self.object.pk)


# --- onderaannemers ----------------------------------------------------------------------------


class OnderaannemingListView(OuderMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """The subcontractors of one contract."""

    model = Onderaanneming
    capability = "inkoop.view_onderaanneming"
    parent_model = Contract
    parent_kwarg = "contract_pk"
    parent_view_capability = "inkoop.view_contract"
    paginate_by = 50
    template_name = "inkoop/kwaliteit/kwaliteit_onderaanneming_list.html"
    export_columns = [
        ("Contract", lambda o: o.contract.kenmerk),
        ("Aanbieder", lambda o: o.contract.aanbieder.naam),
        ("Onderaannemer", lambda o: o.naam),
        ("AGB-code", lambda o: o.agb_code),
        ("KvK-nummer", lambda o: o.kvk_nummer),
        ("Vanaf", lambda o: o.begin),
        ("Tot en met", lambda o: o.einde),
    ]

    @property
    def export_filename(self):
        return f"onderaannemers-{self.parent.kenmerk}"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(contract=self.parent)
            .select_related("contract", "contract__aanbieder")
            .order_by("naam", "begin", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vandaag = timezone.localdate()
        for rij in context["object_list"]:
            rij.lopend = rij.begin <= vandaag and (rij.einde is None or rij.einde >= vandaag)
        user = self.request.user
        context.update(
            contract=self.parent,
            kan_toevoegen=Contract.objects.visible_to(user, "inkoop.add_onderaanneming")
            .filter(pk=self.parent.pk)
            .exists(),
            wijzigbaar=set(
                Onderaanneming.objects.visible_to(user, "inkoop.change_onderaanneming")
                .filter(contract=self.parent)
                .values_list("pk", flat=True)
            ),
        )
        return context


class OnderaannemingFormMixin:
    model = Onderaanneming
    form_class = OnderaannemingForm
    template_name = "inkoop/kwaliteit/kwaliteit_onderaanneming_form.html"

    def get_contract(self):
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["contract"] = self.get_contract()
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(contract=self.get_contract(), **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, "De onderaannemer is opgeslagen.")
        return response

    def get_success_url(self):
        return reverse("inkoop:onderaanneming-list", args=[self.object.contract_id])


class OnderaannemingCreateView(OuderMixin, OnderaannemingFormMixin, ScopedViewMixin, CreateView):
    capability = "inkoop.add_onderaanneming"
    parent_model = Contract
    parent_kwarg = "contract_pk"
    parent_view_capability = "inkoop.view_contract"

    def get_contract(self):
        return self.parent


class OnderaannemingUpdateView(OnderaannemingFormMixin, ScopedViewMixin, UpdateView):
    capability = "inkoop.change_onderaanneming"

    def get_queryset(self):
        return super().get_queryset().select_related("contract", "contract__aanbieder")

    def get_contract(self):
        return self.object.contract


urlpatterns = [
    path("certificaten/", CertificaatListView.as_view(), name="certificaat-list"),
    path("certificaten/nieuw/", CertificaatCreateView.as_view(), name="certificaat-create"),
    path(
        "certificaten/<int:pk>/wijzigen/",
        CertificaatUpdateView.as_view(),
        name="certificaat-update",
    ),
    path("meldingen/", MeldingListView.as_view(), name="melding-list"),
    path("meldingen/nieuw/", MeldingCreateView.as_view(), name="melding-create"),
    path("meldingen/<int:pk>/", MeldingDetailView.as_view(), name="melding-detail"),
    path(
        "meldingen/<int:pk>/afhandelen/",
        MeldingAfhandelenView.as_view(),
        name="melding-afhandelen",
    ),
    path(
        "contracten/<int:contract_pk>/onderaannemers/",
        OnderaannemingListView.as_view(),
        name="onderaanneming-list",
    ),
    path(
        "contracten/<int:contract_pk>/onderaannemers/nieuw/",
        OnderaannemingCreateView.as_view(),
        name="onderaanneming-create",
    ),
    path(
        "onderaannemers/<int:pk>/wijzigen/",
        OnderaannemingUpdateView.as_view(),
        name="onderaanneming-update",
    ),
]
