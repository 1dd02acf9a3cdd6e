"""meldingen screens of the toegang workplace: melding → onderzoek → aanvraag with the deadlines
computed (toegang.termijnen), suspension and extension of the beslistermijn, and the documents
on a dossier (upload, download of uploads and of the verslag of the onderzoek).

Views stay thin: they parse the form and call toegang.meldingen.services, which holds the rules,
locks the row and audits. Every melding or dossier comes from ``visible_to``: outside the user's
gemeenten it answers 404; a case the user may see but not change answers 403.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import DetailView, FormView, View
from django.views.generic.detail import SingleObjectMixin

from inkoop.models import Product
from regio import audit
from regio.forms import fouten_op_formulier
from regio.mixins import ScopedViewMixin
from regio.opslag import download
from regio.query import mag
from toegang.meldingen import services
from toegang.meldingen.forms import (
    AanvraagForm,
    DocumentUploadForm,
    MeldingForm,
    OnderzoekForm,
    OpschortingEindeForm,
    OpschortingStartForm,
    VerdagingForm,
)
from toegang.models import Document, Dossier, Melding

VIEW_MELDING = "toegang.view_melding"


class DossierKindMixin:
    """For views on a child of a dossier (a new melding, an upload): the dossier comes from
    ``visible_to(user, capability)``, so a dossier of another gemeente answers 404 and its
    existence is not revealed; one the user may see but not act on answers 403."""

    dossier_kwarg = "dossier_pk"

    def may_enter(self, user) -> bool:
        return self.dossier_kwarg in self.kwargs or super().may_enter(user)

    @cached_property
    def dossier(self) -> Dossier:
        user, pk = self.request.user, self.kwargs[self.dossier_kwarg]
        gevonden = (
            Dossier.objects.visible_to(user, self.capability)
            .select_related("verantwoordelijke_gemeente", "client__persoon")
            .filter(pk=pk)
            .first()
        )
        if gevonden is None:
            if Dossier.objects.visible_to(user, "toegang.view_dossier").filter(pk=pk).exists():
                raise PermissionDenied
            audit.record("view", object_type="toegang.dossier", object_ids=[pk], resultaat="denied")
            raise Http404
        return gevonden

    def get_context_data(self, **kwargs):
        return super().get_context_data(dossier=self.dossier, **kwargs)


class MeldingCreateView(DossierKindMixin, ScopedViewMixin, FormView):
    """Register a melding on a dossier: the onderzoekstermijn of six weeks starts."""

    model = Melding
    capability = "toegang.add_melding"
    form_class = MeldingForm
    template_name = "toegang/meldingen/melding_form.html"

    def get(self, request, *args, **kwargs):
        audit.record("view", objects=[self.dossier])
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "dossier": self.dossier, "user": self.request.user}

    def get_initial(self):
        return {"ontvangen_op": services.vandaag()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            melding = services.melding_registreren(
                self.dossier,
                user=self.request.user,
                ontvangen_op=data["ontvangen_op"],
                hulpvraag=data["hulpvraag"],
                consulent=data["consulent"],
                urgent=data["urgent"],
                tijdelijke_voorziening=data["tijdelijke_voorziening"],
            )
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"De melding is geregistreerd. Het onderzoek moet uiterlijk "
            f"{services.datum(melding.volgende_termijn)} klaar zijn.",
        )
        return redirect("toegang:melding-detail", pk=melding.pk)


class MeldingQuerysetMixin:
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "dossier__verantwoordelijke_gemeente", "dossier__client__persoon", "consulent"
            )
        )


class MeldingDetailView(MeldingQuerysetMixin, ScopedViewMixin, DetailView):
    """A melding with its deadlines, their state and the dwangsom risk."""

    model = Melding
    capability = VIEW_MELDING
    template_name = "toegang/meldingen/melding_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        melding, user = self.object, self.request.user
        aanvraag = services._aanvraag_van(melding)
        context.update(
            termijnen=services.termijnoverzicht(melding),
            aanvraag=aanvraag,
            opschortingen=list(aanvraag.opschortingen.all()) if aanvraag else [],
            documenten=Document.objects.visible_to(user, "toegang.view_document").filter(
                dossier_id=melding.dossier_id
            ),
            open=melding.status in services.OPEN,
            kan_wijzigen=mag(user, "toegang.change_melding", melding),
            kan_aanvragen=mag(user, "toegang.add_aanvraag", melding),
            kan_opschorten=mag(user, "toegang.add_opschorting", melding),
            kan_verdagen=mag(user, "toegang.change_aanvraag", melding),
            kan_uploaden=mag(user, "toegang.add_document", melding.dossier),
        )
        return context


class MeldingActieView(MeldingQuerysetMixin, ScopedViewMixin, SingleObjectMixin, FormView):
    """One step on an open melding. The melding comes from ``visible_to`` for the step's
    capability; a melding the user may only see answers 403, any other 404."""

    model = Melding
    template_name = "toegang/meldingen/melding_actie.html"
    titel = ""
    knop = "Opslaan"
    succes = "Opgeslagen."
    uitleg = ""

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            pk = self.kwargs.get("pk")
            if Melding.objects.visible_to(self.request.user, VIEW_MELDING).filter(pk=pk).exists():
                raise PermissionDenied from None
            raise

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
            if self.object.status not in services.OPEN:
                messages.error(
                    request,
                    f"Deze melding is {self.object.get_status_display().lower()}; "
                    "ze kan niet meer worden gewijzigd.",
                )
                return redirect("toegang:melding-detail", pk=self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titel=self.titel, knop=self.knop, uitleg=self.uitleg, **kwargs
        )

    def uitvoeren(self, data):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.uitvoeren(form.cleaned_data)
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.succes)
        return redirect("toegang:melding-detail", pk=self.object.pk)


class OnderzoekView(MeldingActieView):
    capability = "toegang.change_melding"
    form_class = OnderzoekForm
    titel = "Onderzoek vastleggen"
    uitleg = (
        "Leg het gesprek met de cliënt vast. Na het onderzoek krijgt de cliënt (of de "
        "vertegenwoordiger die de post ontvangt) het verslag, binnen de onderzoekstermijn."
    )

    def get_initial(self):
        m = self.object
        return {
            "gesprek_op": m.gesprek_op,
            "gespreksverslag": m.gespreksverslag,
            "persoonlijk_plan_ontvangen_op": m.persoonlijk_plan_ontvangen_op,
            "onderzoek_afgerond_op": m.onderzoek_afgerond_op,
        }

    def uitvoeren(self, data):
        user = self.request.user
        # One transaction: if the letter cannot be made, the onderzoek is not half-saved.
        with transaction.atomic():
            self._vastleggen(data, user)

    def _vastleggen(self, data, user):
        services.onderzoek_vastleggen(
            self.object,
            user=user,
            gesprek_op=data["gesprek_op"],
            gespreksverslag=data["gespreksverslag"],
            persoonlijk_plan_ontvangen_op=data["persoonlijk_plan_ontvangen_op"],
            onderzoek_afgerond_op=data["onderzoek_afgerond_op"],
        )
        self.succes = "Het onderzoek is opgeslagen."
        if data["verslag_versturen"]:
            services.verslag_versturen(self.object, user=user)
            self.succes = "Het onderzoek is opgeslagen en het verslag is als brief gemaakt."


class AanvraagView(MeldingActieView):
    capability = "toegang.add_aanvraag"
    form_class = AanvraagForm
    titel = "Aanvraag registreren"
    knop = "Aanvraag registreren"
    uitleg = "Met de aanvraag begint de beslistermijn van twee weken (art. 2.3.5 Wmo 2015)."

    def get_initial(self):
        return {"ontvangen_op": services.vandaag()}

    def get_form_kwargs(self):
        # The catalogue of the regio's the user works in, as it is today.
        producten = (
            Product.objects.visible_to(self.request.user, "inkoop.view_product")
            .active_on(services.vandaag())
            .select_related("perceel")
            .order_by("perceel__naam", "naam")
        )
        return {**super().get_form_kwargs(), "producten": producten}

    def uitvoeren(self, data):
        aanvraag = services.aanvraag_registreren(
            self.object,
            user=self.request.user,
            ontvangen_op=data["ontvangen_op"],
            omschrijving=data["omschrijving"],
            functies=data["functies"],
        )
        self.object.refresh_from_db()
        einde = self.object.volgende_termijn
        self.succes = (
            f"De aanvraag van {services.datum(aanvraag.ontvangen_op)} is geregistreerd. "
            + (f"Beslissen uiterlijk {services.datum(einde)}." if einde else "")
        )


class OpschortingStartView(MeldingActieView):
    capability = "toegang.add_opschorting"
    form_class = OpschortingStartForm
    titel = "Beslistermijn opschorten"
    knop = "Opschorten"
    succes = "De beslistermijn is opgeschort tot de informatie binnen is."
    uitleg = (
        "Vraagt u de cliënt om ontbrekende informatie, dan staat de beslistermijn stil vanaf de "
        "dag na het verzoek tot de dag waarop de informatie binnenkomt (Awb 4:15)."
    )

    def get_initial(self):
        return {"van": services.vandaag()}

    def uitvoeren(self, data):
        services.opschorting_starten(
            self.object, user=self.request.user, van=data["van"], reden=data["reden"]
        )


class OpschortingEindeView(MeldingActieView):
    capability = "toegang.change_opschorting"
    form_class = OpschortingEindeForm
    titel = "Opschorting beëindigen"
    knop = "Informatie ontvangen"
    uitleg = "De beslistermijn loopt weer vanaf de dag waarop de informatie binnenkwam."

    def get_initial(self):
        return {"tot": services.vandaag()}

    def uitvoeren(self, data):
        services.opschorting_beeindigen(self.object, user=self.request.user, tot=data["tot"])
        self.object.refresh_from_db()
        einde = self.object.volgende_termijn
        self.succes = "De beslistermijn loopt weer" + (
            f"; beslissen uiterlijk {services.datum(einde)}." if einde else "."
        )


class VerdagingView(MeldingActieView):
    """Extend the beslistermijn once (Awb 4:14): the form, then a confirm page that shows the new
    deadline, then the change."""

    capability = "toegang.change_aanvraag"
    form_class = VerdagingForm
    template_name = "toegang/meldingen/melding_verdaging.html"
    titel = "Beslistermijn verdagen"
    knop = "Verder"

    def get_initial(self):
        return {"verdaagd_op": services.vandaag()}

    def form_valid(self, form):
        data = form.cleaned_data
        aanvraag = services._aanvraag_van(self.object)
        if aanvraag is None:
            form.add_error(None, "Deze melding heeft nog geen aanvraag.")
            return self.form_invalid(form)
        try:
            nieuw_einde = services.verdaging_controleren(
                aanvraag,
                list(aanvraag.opschortingen.all()),
                verdaagd_op=data["verdaagd_op"],
                weken=data["weken"],
            )
            if self.request.POST.get("bevestigd") != "ja":
                return self.render_to_response(
                    self.get_context_data(form=form, bevestigen=True, nieuw_einde=nieuw_einde)
                )
            services.verdaging_vastleggen(
                self.object,
                user=self.request.user,
                verdaagd_op=data["verdaagd_op"],
                weken=data["weken"],
                reden=data["reden"],
            )
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"De beslistermijn is verdaagd; beslissen uiterlijk {services.datum(nieuw_einde)}."
            if nieuw_einde
            else "De beslistermijn is verdaagd.",
        )
        return redirect("toegang:melding-detail", pk=self.object.pk)


class IntrekkenView(MeldingActieView):
    """Confirm page: the client withdraws the melding; no deadline runs any more."""

    capability = "toegang.change_melding"
    form_class = forms.Form
    template_name = "toegang/meldingen/melding_intrekken.html"

    def uitvoeren(self, data):
        services.melding_intrekken(self.object, user=self.request.user)
        self.succes = "De melding is ingetrokken."


# --- documents on the dossier ----------------------------------------------------------------


class DocumentUploadView(DossierKindMixin, ScopedViewMixin, FormView):
    """Upload a document to a dossier (PDF, image or Word, at most 20 MB, checked by content)."""

    model = Document
    capability = "toegang.add_document"
    form_class = DocumentUploadForm
    template_name = "toegang/meldingen/melding_document_upload.html"

    @cached_property
    def melding(self):
        pk = self.request.GET.get("melding") or self.request.POST.get("melding")
        if not (pk and str(pk).isdigit()):
            return None
        return (
            Melding.objects.visible_to(self.request.user, VIEW_MELDING)
            .filter(pk=int(pk), dossier=self.dossier)
            .first()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(melding=self.melding, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            document = services.document_toevoegen(
                self.dossier,
                user=self.request.user,
                bestand=data["bestand"],
                naam=data["naam"],
                soort=data["soort"],
            )
        except ValidationError as error:
            fouten_op_formulier(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{document.naam} is aan het dossier toegevoegd.")
        if self.melding is not None:
            return redirect("toegang:melding-detail", pk=self.melding.pk)
        return redirect("toegang:dossier-detail", pk=self.dossier.pk)


class DocumentDownloadView(ScopedViewMixin, SingleObjectMixin, View):
    """Download a document of a dossier (an upload, the verslag, a letter), streamed from the
    storage (filesystem or S3) after its SHA-256 is checked; every download is audited, and a
    document that no longer matches is refused (regio.opslag)."""

    model = Document
    capability = "toegang.view_document"

    def get(self, request, *args, **kwargs):
        document = self.get_object()
        extensie = Path(document.bestand.name).suffix.lower()
        return download(
            request, document.bestand, document.sha256, object=document,
            filename=f"{slugify(document.naam) or 'document'}{extensie}",
            content_type=services.content_type(document.bestand.name),
            terug=reverse("toegang:dossier-detail", kwargs={"pk": document.dossier_id}),
        )  # fmt: skip


urlpatterns = [
    path(
        "dossiers/<int:dossier_pk>/meldingen/nieuw/",
        MeldingCreateView.as_view(),
        name="melding-create",
    ),
    path("meldingen/<int:pk>/", MeldingDetailView.as_view(), name="melding-detail"),
    path("meldingen/<int:pk>/onderzoek/", OnderzoekView.as_view(), name="melding-onderzoek"),
    path("meldingen/<int:pk>/aanvraag/", AanvraagView.as_view(), name="melding-aanvraag"),
    path(
        "meldingen/<int:pk>/opschorting/",
        OpschortingStartView.as_view(),
        name="melding-opschorting-start",
    ),
    path(
        "meldingen/<int:pk>/opschorting/einde/",
        OpschortingEindeView.as_view(),
        name="melding-opschorting-einde",
    ),
    path("meldingen/<int:pk>/verdaging/", VerdagingView.as_view(), name="melding-verdaging"),
    path("meldingen/<int:pk>/intrekken/", IntrekkenView.as_view(), name="melding-intrekken"),
    path(
        "dossiers/<int:dossier_pk>/documenten/nieuw/",
        DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path("documenten/<int:pk>/download/", DocumentDownloadView.as_view(), name="document-download"),
]
