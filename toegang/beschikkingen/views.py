"""beschikkingen screens of the toegang workplace: draft on a dossier, edit the concept with its
products, the detail with the steps the user may take (each behind a confirm page), the stored
letter, and the bezwaar against it.

Views stay thin: every rule (who may, which status, four-eyes, overlap) is in
toegang.beschikkingen.services, which is what the tests exercise.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.generic import DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from regio import audit
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.query import mag
from toegang.beschikkingen import bezwaar as bezwaren
from toegang.beschikkingen import brief, producten, services
from toegang.beschikkingen.forms import (
    BEZWAAR_STAPPEN,
    BeschikkingKopForm,
    BevestigForm,
    BezwaarForm,
    product_formset,
    regels_uit,
)
from toegang.models import Beschikking, Bezwaar, Dossier
from toegang.toewijzingen.services import contractdekking

Status = Beschikking.Status


def _fouten(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def dekking_van(b: Beschikking) -> list:
    """Per toegekend product: which contracts cover it at its start and until when (item 8 of
    issue 17: seen at opstellen and vaststellen, a warning and not a refusal)."""
    producten = b.producten.filter(toegekend=True).select_related(
        "product__perceel", "beschikking__dossier__verantwoordelijke_gemeente"
    )
    return [contractdekking(bp) for bp in producten.order_by("ingangsdatum", "pk")]


def _clientnaam(beschikking) -> str:
    persoon = getattr(beschikking.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


class BeschikkingListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    """The beschikkingen of the user's gemeenten; ``?status=ter_accordering`` is the approver's
    worklist, ``?mijn=1`` what the user drafted."""

    model = Beschikking
    capability = services.VIEW
    paginate_by = 25
    template_name = "toegang/beschikkingen/beschikking_list.html"
    search_fields = (
        "dossier__client__persoon__geslachtsnaam__icontains",
        "dossier__client__persoon__voornamen__icontains",
    )
    sortable = {
        "nummer": "pk",
        "-nummer": "-pk",
        "ingang": "ingangsdatum",
        "-ingang": "-ingangsdatum",
        "status": "status",
        "-status": "-status",
    }
    default_sort = "-pk"
    export_filename = "beschikkingen"
    export_columns = [
        ("Beschikking", lambda b: b.pk),
        ("Cliënt", _clientnaam),
        ("Gemeente", lambda b: b.dossier.verantwoordelijke_gemeente.naam),
        ("Perceel", lambda b: b.perceel.naam),
        ("Besluit", lambda b: b.get_besluit_display()),
        ("Ingangsdatum", lambda b: b.ingangsdatum),
        ("Einddatum", lambda b: b.einddatum),
        ("Status", lambda b: b.get_status_display()),
        ("Opgesteld door", lambda b: b.opgesteld_door.naam if b.opgesteld_door else ""),
    ]

    def filter_queryset(self, queryset):
        queryset = queryset.select_related(
            "dossier__verantwoordelijke_gemeente", "dossier__client__persoon", "perceel",
            "opgesteld_door",
        )  # fmt: skip
        status = self.request.GET.get("status")
        if status in Status.values:
            queryset = queryset.filter(status=status)
        if self.request.GET.get("mijn") == "1":
            queryset = queryset.filter(opgesteld_door=self.request.user)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statussen=Status.choices,
            status=self.request.GET.get("status", ""),
            mijn=self.request.GET.get("mijn") == "1",
            **kwargs,
        )


class ScopedObjectPageMixin(ScopedViewMixin, SingleObjectMixin):
    """A page about one object (a dossier for a new child, a beschikking, a bezwaar): it comes
    through the scoping layer (404 outside the user's scope), and rendering through
    get_context_data audits the read."""

    def render(self, template, **context):
        return render(self.request, template, self.get_context_data(**context))


class BeschikkingCreateView(ScopedObjectPageMixin, View):
    """Draft a new concept beschikking on a dossier: first the heading, then the products."""

    model = Dossier
    capability = services.ADD
    template_name = "toegang/beschikkingen/beschikking_form.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("verantwoordelijke_gemeente", "client__persoon")
        )

    def form(self, data=None):
        initial = {}
        aanvraag = self.request.GET.get("aanvraag", "")
        if aanvraag.isdigit():
            initial["aanvraag"] = int(aanvraag)
        return BeschikkingKopForm(
            data, dossier=self.object, user=self.request.user, initial=initial
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render(self.template_name, form=self.form(), dossier=self.object)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                beschikking = services.maak_concept(self.object, request.user, **form.cleaned_data)
            except ValidationError as exc:
                fouten_op_formulier(form, exc)
            else:
                messages.success(
                    request,
                    f"Concept-beschikking {beschikking.pk} is aangemaakt. Voeg nu de producten "
                    "of functies toe.",
                )
                return redirect("toegang:beschikking-edit", pk=beschikking.pk)
        return self.render(self.template_name, form=form, dossier=self.object)


class BeschikkingQuerysetMixin:
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "dossier__verantwoordelijke_gemeente", "dossier__client__persoon",
                "perceel__regio", "opgesteld_door", "geaccordeerd_door", "aanvraag", "brief",
                "vorige",
            )
        )  # fmt: skip


class BeschikkingDetailView(BeschikkingQuerysetMixin, ScopedViewMixin, DetailView):
    model = Beschikking
    capability = services.VIEW
    template_name = "toegang/beschikkingen/beschikking_detail.html"
    context_object_name = "beschikking"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        b = self.object
        user = self.request.user
        acties = services.toegestane_acties(b, user)
        context.update(
            producten=[
                {
                    "bp": bp,
                    "periode": producten.periode_label(bp.ingangsdatum, bp.einddatum),
                    "omvang": producten.omvang_label(bp.volume, bp.eenheid, bp.frequentie),
                    "categorie": producten.categorie_label(bp.productcategorie),
                }
                for bp in b.producten.select_related("product")
            ],
            periode=producten.periode_label(b.ingangsdatum, b.einddatum),
            acties=[{"actie": a, "label": services.ACTIES[a]} for a in acties],
            mag_bewerken=b.status == Status.CONCEPT
            and not b.is_intrekking
            and mag(user, services.CHANGE, b),
            vier_ogen=services.vier_ogen(b),
            bewerkers=[u.naam for u in b.bewerkers.all()],
            vier_ogen_weigering=services.weigering_vier_ogen(b, user)
            if b.status == Status.TER_ACCORDERING
            else None,
            volgende=Beschikking.objects.visible_to(user, services.VIEW).filter(vorige=b).first(),
            dekking=dekking_van(b)
            if b.status
            in (Status.CONCEPT, Status.TER_ACCORDERING, Status.VASTGESTELD, Status.BEKENDGEMAAKT)
            else [],
            geschiedenis=services.geschiedenis(b),
            bezwaren=bezwaren_van(b, user),
            mag_bezwaar=b.bekendgemaakt_op is not None and mag(user, services.ADD_BEZWAAR, b),
            bezwaartermijn_einde=bezwaren.bezwaartermijn_einde(b.bekendgemaakt_op)
            if b.bekendgemaakt_op
            else None,
        )
        return context


class BeschikkingEditView(BeschikkingQuerysetMixin, ScopedObjectPageMixin, View):
    """Edit a concept: the heading and, in one formset, its products or functies."""

    model = Beschikking
    capability = services.CHANGE
    template_name = "toegang/beschikkingen/beschikking_edit.html"

    def forms(self, data=None):
        b = self.object
        kop = BeschikkingKopForm(
            data,
            dossier=b.dossier,
            user=self.request.user,
            met_perceel=False,
            initial={
                "aanvraag": b.aanvraag_id,
                "besluit": b.besluit,
                "ingangsdatum": b.ingangsdatum,
                "einddatum": b.einddatum,
                "motivering": b.motivering,
            },
        )
        return kop, product_formset(b, self.request.user, data)

    def niet_bewerkbaar(self):
        messages.error(
            self.request,
            f"Beschikking {self.object.pk} heeft status ‘{self.object.get_status_display()}’ en "
            "kan niet worden bewerkt. Een vastgestelde beschikking wijzigt u met een nieuwe "
            "versie.",
        )
        return redirect("toegang:beschikking-detail", pk=self.object.pk)

    def show(self, kop, formset, algemeen=()):
        return self.render(
            self.template_name,
            beschikking=self.object,
            kop_form=kop,
            formset=formset,
            algemene_fouten=list(algemeen),
            taakgericht=self.object.perceel.bekostiging == "taakgericht",
            dekking=dekking_van(self.object),
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != Status.CONCEPT or self.object.is_intrekking:
            return self.niet_bewerkbaar()
        return self.show(*self.forms())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status != Status.CONCEPT or self.object.is_intrekking:
            return self.niet_bewerkbaar()
        kop, formset = self.forms(request.POST)
        if not (kop.is_valid() and formset.is_valid()):
            return self.show(kop, formset)
        regels, algemeen = regels_uit(formset, kop.cleaned_data, self.object)
        if algemeen or any(f.errors for f in formset.forms):
            return self.show(kop, formset, algemeen)
        try:
            services.bewaar_concept(self.object, request.user, regels=regels, **kop.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(_fouten(exc)))
            return redirect("toegang:beschikking-detail", pk=self.object.pk)
        messages.success(request, "Het concept is opgeslagen.")
        if "verder" in request.POST:
            return redirect("toegang:beschikking-edit", pk=self.object.pk)
        return redirect("toegang:beschikking-detail", pk=self.object.pk)


class BeschikkingActieView(BeschikkingQuerysetMixin, ScopedObjectPageMixin, View):
    """GET: the confirm page of a step; POST: take it (the service checks who may)."""

    model = Beschikking
    capability = services.VIEW
    template_name = "toegang/beschikkingen/beschikking_actie.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["actie"] not in services.ACTIES:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def show(self, form):
        actie = self.kwargs["actie"]
        b = self.object
        return self.render(
            self.template_name,
            beschikking=b,
            actie=actie,
            actie_label=services.ACTIES[actie],
            form=form,
            periode=producten.periode_label(b.ingangsdatum, b.einddatum),
            vier_ogen=services.vier_ogen(b),
            dekking=dekking_van(b) if actie in ("indienen", "vaststellen") else [],
        )

    def weiger(self, tekst):
        messages.error(self.request, tekst)
        return redirect("toegang:beschikking-detail", pk=self.object.pk)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        actie = kwargs["actie"]
        if actie not in services.toegestane_acties(self.object, request.user):
            reden = (
                services.weigering_vier_ogen(self.object, request.user)
                if actie == "vaststellen"
                else None
            )
            return self.weiger(
                reden or "Deze stap is voor u bij deze beschikking nu niet mogelijk."
            )
        return self.show(BevestigForm(actie=actie))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        actie = kwargs["actie"]
        form = BevestigForm(request.POST, actie=actie)
        if not form.is_valid():
            return self.show(form)
        b, user = self.object, request.user
        try:
            if actie == "indienen":
                services.dien_in(b, user)
                tekst = "De beschikking is ter accordering aangeboden."
            elif actie == "terugsturen":
                services.stuur_terug(b, user, form.cleaned_data.get("opmerking", ""))
                tekst = "De beschikking is teruggezet naar concept."
            elif actie == "vaststellen":
                services.stel_vast(b, user)
                tekst = "De beschikking is geaccordeerd en vastgesteld."
            elif actie == "bekendmaken":
                services.maak_bekend(b, user)
                tekst = "De beschikking is bekendgemaakt; de brief is opgeslagen bij het dossier."
            elif actie == "wijzigen":
                nieuw = services.wijzig(b, user, **form.cleaned_data)
                messages.success(
                    request,
                    f"Concept-beschikking {nieuw.pk} is aangemaakt als nieuwe versie van "
                    f"beschikking {b.pk}. Die blijft van kracht tot de nieuwe is bekendgemaakt.",
                )
                return redirect("toegang:beschikking-edit", pk=nieuw.pk)
            elif actie == "intrekken":
                besluit = services.trek_in(b, user, **form.cleaned_data)
                messages.success(
                    request,
                    f"Intrekkingsbesluit {besluit.pk} is opgesteld. Beschikking {b.pk} blijft "
                    "van kracht tot het intrekkingsbesluit is bekendgemaakt.",
                )
                return redirect("toegang:beschikking-detail", pk=besluit.pk)
            elif actie == "horen":
                services.hoor(b, user, **form.cleaned_data)
                tekst = "Het horen is vastgelegd."
            else:  # verwijderen
                dossier_id = b.dossier_id
                services.verwijder_concept(b, user)
                messages.success(request, f"Concept-beschikking {b.pk} is verwijderd.")
                return redirect("toegang:dossier-detail", pk=dossier_id)
        except ValidationError as exc:
            if actie in ("intrekken", "wijzigen", "horen") and hasattr(exc, "error_dict"):
                fouten_op_formulier(form, exc)
                return self.show(form)
            return self.weiger(" ".join(_fouten(exc)))
        messages.success(request, tekst)
        return redirect("toegang:beschikking-detail", pk=b.pk)


class BeschikkingBriefView(ScopedViewMixin, SingleObjectMixin, View):
    """The stored letter, never rendered again; every download is audited."""

    model = Beschikking
    capability = services.VIEW

    def get_queryset(self):
        return super().get_queryset().select_related("brief")

    def get(self, request, *args, **kwargs):
        beschikking = self.get_object()
        if beschikking.brief_id is None:
            raise Http404("Deze beschikking heeft nog geen brief.")
        try:
            inhoud = brief.lees_brief(beschikking)
        except ValidationError as exc:
            audit.record(
                "export", objects=[beschikking.brief], resultaat="error",
                toelichting={"beschikking": beschikking.pk, "fout": "sha256"},
            )  # fmt: skip
            messages.error(request, " ".join(_fouten(exc)))
            return redirect("toegang:beschikking-detail", pk=beschikking.pk)
        naam = brief.brief_bestandsnaam(beschikking)
        audit.record(
            "export",
            objects=[beschikking.brief],
            toelichting={"beschikking": beschikking.pk, "sha256": beschikking.brief.sha256},
        )
        response = HttpResponse(inhoud, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{naam}"'
        return response


class BeschikkingVoorbeeldView(ScopedViewMixin, SingleObjectMixin, View):
    """The letter as it would be made, with a CONCEPT watermark, before bekendmaken; rendered
    on the fly and never stored (the bekendgemaakte letter is made once). Audited."""

    model = Beschikking
    capability = services.VIEW

    def get(self, request, *args, **kwargs):
        beschikking = self.get_object()
        if beschikking.brief_id is not None or beschikking.status not in (
            Status.CONCEPT, Status.TER_ACCORDERING, Status.VASTGESTELD,
        ):  # fmt: skip
            messages.info(
                request, "Deze beschikking heeft haar brief al; die wordt niet opnieuw gemaakt."
            )
            return redirect("toegang:beschikking-detail", pk=beschikking.pk)
        try:
            inhoud = brief.voorbeeld_pdf(beschikking)
        except ValidationError as exc:
            messages.error(request, " ".join(_fouten(exc)))
            return redirect("toegang:beschikking-detail", pk=beschikking.pk)
        audit.record("view", objects=[beschikking], toelichting={"brief": "voorbeeld (concept)"})
        response = HttpResponse(inhoud, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="concept-{brief.brief_bestandsnaam(beschikking)}"'
        )
        return response


class BezwaarCreateView(BeschikkingQuerysetMixin, ScopedObjectPageMixin, View):
    """Register a bezwaar against a bekendgemaakte beschikking."""

    model = Beschikking
    capability = services.ADD_BEZWAAR
    template_name = "toegang/beschikkingen/beschikking_bezwaar_form.html"

    def show(self, form):
        b = self.object
        return self.render(
            self.template_name,
            beschikking=b,
            form=form,
            bezwaar=None,
            bezwaartermijn_einde=bezwaren.bezwaartermijn_einde(b.bekendgemaakt_op)
            if b.bekendgemaakt_op
            else None,
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.bekendgemaakt_op is None:
            messages.error(request, "Bezwaar is pas mogelijk als de beschikking is bekendgemaakt.")
            return redirect("toegang:beschikking-detail", pk=self.object.pk)
        return self.show(BezwaarForm())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = BezwaarForm(request.POST)
        if form.is_valid():
            try:
                bezwaar = bezwaren.registreer_bezwaar(
                    self.object, request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                fouten_op_formulier(form, exc)
            else:
                termijn = "binnen" if bezwaar.tijdig else "na afloop van"
                messages.success(
                    request,
                    f"Het bezwaar is geregistreerd; het kwam {termijn} de bezwaartermijn binnen. "
                    f"Beslissen uiterlijk op {bezwaar.beslistermijn_einde:%d-%m-%Y}.",
                )
                return redirect("toegang:beschikking-detail", pk=self.object.pk)
        return self.show(form)


def bezwaren_van(beschikking, user) -> list:
    """The bezwaren on ``beschikking`` that ``user`` sees, each with ``mag_bijwerken``: whether
    the user may change this bezwaar (its scope, as the service checks), not some bezwaar."""
    lijst = list(
        Bezwaar.objects.visible_to(user, "toegang.view_bezwaar").filter(beschikking=beschikking)
    )
    bij_te_werken = set(
        Bezwaar.objects.visible_to(user, services.CHANGE_BEZWAAR)
        .filter(beschikking=beschikking)
        .values_list("pk", flat=True)
    )
    for bezwaar in lijst:
        bezwaar.mag_bijwerken = bezwaar.pk in bij_te_werken
    return lijst


class BezwaarUpdateView(ScopedObjectPageMixin, View):
    """The bezwaar's page: correct it or record the beslissing op bezwaar, see how its decision
    term was reached, and take the steps that move it (Awb 7:10 lid 2-4)."""

    model = Bezwaar
    capability = services.CHANGE_BEZWAAR
    template_name = "toegang/beschikkingen/beschikking_bezwaar_form.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("beschikking__dossier__client__persoon", "behandelaar", "verdaagd_door")
            .prefetch_related("verzuimherstellen__verzocht_door", "uitstellen__vastgelegd_door")
        )

    def show(self, form=None, stap_form=None):
        bezwaar = self.object
        b = bezwaar.beschikking
        if form is None:
            form = BezwaarForm(
                bijwerken=True,
                initial={
                    "ontvangen_op": bezwaar.ontvangen_op,
                    "uitkomst": bezwaar.uitkomst,
                    "besloten_op": bezwaar.besloten_op,
                    "adviescommissie": bezwaar.adviescommissie,
                    "toelichting": bezwaar.toelichting,
                },
            )
        stappen = {}
        if not bezwaar.uitkomst:
            open_herstel = any(h.hersteld_op is None for h in bezwaar.verzuimherstellen.all())
            for naam, form_class in BEZWAAR_STAPPEN.items():
                if stap_form is not None and stap_form.STAP == naam:
                    stappen[naam] = stap_form  # refused: shown with its errors
                elif not (
                    (naam == "hersteld" and not open_herstel)
                    or (naam == "verdagen" and bezwaar.verdaagd_op)
                ):
                    stappen[naam] = form_class()
        return self.render(
            self.template_name,
            beschikking=b,
            bezwaar=bezwaar,
            form=form,
            stappen=stappen,
            uitleg=bezwaren.termijnuitleg(bezwaar),
            bezwaartermijn_einde=bezwaren.bezwaartermijn_einde(b.bekendgemaakt_op),
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.show()

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = BezwaarForm(request.POST, bijwerken=True)
        if form.is_valid():
            try:
                bezwaren.werk_bezwaar_bij(self.object, request.user, **form.cleaned_data)
            except ValidationError as exc:
                fouten_op_formulier(form, exc)
            else:
                messages.success(request, "Het bezwaar is bijgewerkt.")
                return redirect("toegang:beschikking-detail", pk=self.object.beschikking_id)
        return self.show(form=form)


class BezwaarStapView(BezwaarUpdateView):
    """POST one step on the bezwaar's decision term (the ``stap`` of the form posted); with an
    error, the bezwaar's page again with the error at its field."""

    http_method_names = ["post"]
    SERVICES = {
        "verzuim": bezwaren.vraag_verzuimherstel,
        "hersteld": bezwaren.verzuim_hersteld,
        "verdagen": bezwaren.verdaag_bezwaar,
        "uitstel": bezwaren.stel_bezwaar_uit,
    }
    GEDAAN = {
        "verzuim": "Het verzoek om herstel is vastgelegd; de beslistermijn is opgeschort.",
        "hersteld": "Het herstel van het verzuim is vastgelegd.",
        "verdagen": "De verdaging is vastgelegd.",
        "uitstel": "Het uitstel met instemming van de indiener is vastgelegd.",
    }

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        stap = next((n for n in BEZWAAR_STAPPEN if request.POST.get(f"{n}-stap") == n), None)
        if stap is None:
            raise Http404("Onbekende stap.")
        form = BEZWAAR_STAPPEN[stap](request.POST)
        if form.is_valid():
            try:
                self.SERVICES[stap](self.object, request.user, **form.gegevens())
            except ValidationError as exc:
                fouten_op_formulier(form, exc)
            else:
                bezwaar = Bezwaar.objects.get(pk=self.object.pk)
                messages.success(
                    request,
                    f"{self.GEDAAN[stap]} Beslissen uiterlijk op "
                    f"{bezwaar.beslistermijn_einde:%d-%m-%Y}.",
                )
                return redirect("toegang:bezwaar-update", pk=self.object.pk)
        return self.show(stap_form=form)


urlpatterns = [
    path("beschikkingen/", BeschikkingListView.as_view(), name="beschikking-list"),
    path(
        "dossiers/<int:pk>/beschikkingen/nieuw/",
        BeschikkingCreateView.as_view(),
        name="beschikking-create",
    ),
    path("beschikkingen/<int:pk>/", BeschikkingDetailView.as_view(), name="beschikking-detail"),
    path(
        "beschikkingen/<int:pk>/bewerken/",
        BeschikkingEditView.as_view(),
        name="beschikking-edit",
    ),
    path(
        "beschikkingen/<int:pk>/stap/<str:actie>/",
        BeschikkingActieView.as_view(),
        name="beschikking-actie",
    ),
    path(
        "beschikkingen/<int:pk>/brief/",
        BeschikkingBriefView.as_view(),
        name="beschikking-brief",
    ),
    path(
        "beschikkingen/<int:pk>/voorbeeld/",
        BeschikkingVoorbeeldView.as_view(),
        name="beschikking-voorbeeld",
    ),
    path(
        "beschikkingen/<int:pk>/bezwaar/nieuw/",
        BezwaarCreateView.as_view(),
        name="bezwaar-create",
    ),
    path("bezwaren/<int:pk>/", BezwaarUpdateView.as_view(), name="bezwaar-update"),
    path("bezwaren/<int:pk>/termijn/", BezwaarStapView.as_view(), name="bezwaar-termijn"),
]
