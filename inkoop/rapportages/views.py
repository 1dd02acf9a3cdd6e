"""rapportages screens of the inkoop workplace: the aanbieder's quarterly report (create, edit,
upload) and RISB's review of it (list, detail, transitions, comments).

Every view reaches reports through ScopedViewMixin; what a user may *do* with a report is
decided by inkoop.rapportages.services through the same scoping layer; the upload and the
template are inkoop.rapportages.importeren's, the reviewer's signals plausibiliteit's.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import CreateView, DetailView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from inkoop.models import (
    Aanbieder,
    Rapportage,
    Rapportageopmerking,
    Rapportageregel,
    Rapportagestap,
)
from inkoop.rapportages import importeren, services
from inkoop.rapportages.forms import (
    KengetallenForm,
    OpmerkingForm,
    OvergangForm,
    RapportageAanmaakForm,
    RegelTabel,
    UploadForm,
)
from inkoop.rapportages.plausibiliteit import plausibiliteit
from regio import audit
from regio.exports import FORMATS, export_response
from regio.forms import fouten_op_formulier
from regio.mixins import ScopedViewMixin
from regio.query import mag
from regio.tabel import ImportGeweigerd

Status = Rapportage.Status
VIEW = "inkoop.view_rapportage"
EXPORT_KOLOMMEN = [
    "Aanbieder", "Contract", "Jaar", "Kwartaal", "Status", "Ingediend op", "Cliënten in zorg",
    "Instroom", "Uitstroom", "Wachtenden", "Uitgaven tot nu (EUR)", "Cliënttevredenheid",
    "Doelrealisatie (%)", "Incidenten", "Aandeel hbo (%)", "Aandeel mbo (%)",
]  # fmt: skip
EENHEDEN = {
    "uitgaven_tot_nu": "euro",
    "doelrealisatie": "%",
    "aandeel_hbo": "%",
    "aandeel_mbo": "%",
}


def _kengetal_label(veld: str) -> str:
    label = str(Rapportage._meta.get_field(veld).verbose_name)
    return label[:1].upper() + label[1:]


class RapportageFilterMixin:
    """Search, filters and sort shared by the list and its export."""

    sortable = {
        "periode": ("jaar", "kwartaal", "contract__aanbieder__naam"),
        "-periode": ("-jaar", "-kwartaal", "contract__aanbieder__naam"),
        "aanbieder": ("contract__aanbieder__naam", "-jaar", "-kwartaal"),
        "-aanbieder": ("-contract__aanbieder__naam", "-jaar", "-kwartaal"),
        "status": ("status", "-jaar", "-kwartaal"),
        "ingediend": ("ingediend_op", "-jaar"),
        "-ingediend": ("-ingediend_op", "-jaar"),
    }
    standaard_sortering = "-periode"

    def filterwaarden(self):
        get = self.request.GET
        waarden = {
            "q": get.get("q", "").strip(),
            "status": get.get("status", ""),
            "jaar": get.get("jaar", ""),
            "kwartaal": get.get("kwartaal", ""),
            "aanbieder": get.get("aanbieder", ""),
            "sort": get.get("sort", ""),
        }
        if waarden["status"] not in Status.values and waarden["status"] != "wacht":
            waarden["status"] = ""
        for key, lengte in (("jaar", 4), ("kwartaal", 1), ("aanbieder", 18)):
            if not (waarden[key].isdigit() and len(waarden[key]) <= lengte):
                waarden[key] = ""
        if waarden["sort"] not in self.sortable:
            waarden["sort"] = ""
        return waarden

    def scoped_queryset(self):
        return Rapportage.objects.visible_to(self.request.user, self.capability)

    def get_queryset(self):
        f = self.filterwaarden()
        qs = self.scoped_queryset().select_related("contract__aanbieder", "contract__regio")
        if f["q"]:
            qs = qs.filter(
                Q(contract__aanbieder__naam__icontains=f["q"])
                | Q(contract__kenmerk__icontains=f["q"])
            )
        if f["status"] == "wacht":
            qs = services.wacht_op_beoordeling(qs)
        elif f["status"]:
            qs = qs.filter(status=f["status"])
        if f["jaar"]:
            qs = qs.filter(jaar=int(f["jaar"]))
        if f["kwartaal"]:
            qs = qs.filter(kwartaal=int(f["kwartaal"]))
        if f["aanbieder"]:
            qs = qs.filter(contract__aanbieder_id=int(f["aanbieder"]))
        # Exact client counts only where the user is the aanbieder itself (small-cell rule).
        if self.request.user.has_perm(services.DIEN_IN):
            eigen = Rapportage.objects.visible_to(self.request.user, services.DIEN_IN)
            qs = qs.annotate(exact=Exists(eigen.filter(pk=OuterRef("pk"))))
        else:
            qs = qs.annotate(exact=Value(False))
        sort = self.sortable[f["sort"] or self.standaard_sortering]
        return qs.order_by(*sort, "pk")


class RapportageListView(RapportageFilterMixin, ScopedViewMixin, ListView):
    model = Rapportage
    capability = VIEW
    paginate_by = 25
    template_name = "inkoop/rapportages/rapportage_list.html"

    def get(self, request, *args, **kwargs):
        # ?export=csv|xlsx downloads the whole filtered list, suppressed as on the page.
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return export_response(
                fmt, "rapportages", EXPORT_KOLOMMEN, self.export_rijen(), request=request
            )
        return super().get(request, *args, **kwargs)

    def export_rijen(self):
        for r in self.get_queryset():
            yield [
                r.contract.aanbieder.naam,
                r.contract.kenmerk,
                r.jaar,
                r.kwartaal,
                r.get_status_display(),
                timezone.localtime(r.ingediend_op).date() if r.ingediend_op else None,
                *(services.toon_aantal(getattr(r, v), r.exact) for v in services.CLIENTAANTALLEN),
                r.uitgaven_tot_nu,
                r.clienttevredenheid,
                r.doelrealisatie,
                r.incidenten,
                r.aandeel_hbo,
                r.aandeel_mbo,
            ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        basis = self.scoped_queryset()
        for rapportage in context["object_list"]:
            rapportage.clienten_getoond = services.toon_aantal(
                rapportage.clienten_in_zorg, rapportage.exact
            )
        context.update(
            filters=self.filterwaarden(),
            statussen=Status.choices,
            jaren=basis.order_by("-jaar").values_list("jaar", flat=True).distinct(),
            kwartalen=[1, 2, 3, 4],
            aanbieders=Aanbieder.objects.filter(pk__in=basis.values("contract__aanbieder")),
            aantal_wacht=services.wacht_op_beoordeling(basis).count(),
            mag_aanmaken=self.request.user.has_perm("inkoop.add_rapportage"),
            gefilterd=any(v for k, v in self.filterwaarden().items() if k != "sort"),
        )
        return context


class RapportageDetailView(ScopedViewMixin, DetailView):
    model = Rapportage
    capability = VIEW
    template_name = "inkoop/rapportages/rapportage_detail.html"
    context_object_name = "rapportage"

    def get_queryset(self):
        return super().get_queryset().select_related("contract__aanbieder", "contract__regio")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


def onderdelen(rapportage, regels) -> list[tuple[str, str]]:
    """What a comment can be about: the report as a whole, each figure, each line."""
    keuzes = [("algemeen", "De rapportage als geheel")]
    keuzes += [(veld, _kengetal_label(veld)) for veld in services.KENGETALLEN]
    keuzes += [(f"regel-{r.pk}", f"Regel: {r.product.naam} — {r.gemeente.naam}") for r in regels]
    return keuzes


def detail_context(request, rapportage) -> dict:
    user = request.user
    exact = services.ziet_exacte_aantallen(user, rapportage)
    regels = list(
        Rapportageregel.objects.visible_to(user, "inkoop.view_rapportageregel")
        .filter(rapportage=rapportage)
        .select_related("product", "gemeente")
    )
    opmerkingen = list(
        Rapportageopmerking.objects.visible_to(user, "inkoop.view_rapportageopmerking")
        .filter(rapportage=rapportage)
        .select_related("door")
    )
    op_te_lossen = set(
        Rapportageopmerking.objects.visible_to(user, "inkoop.change_rapportageopmerking")
        .filter(rapportage=rapportage, opgelost=False)
        .values_list("pk", flat=True)
    )
    per_onderdeel: dict[str, list] = {}
    for opmerking in opmerkingen:
        opmerking.mag_oplossen = opmerking.pk in op_te_lossen
        per_onderdeel.setdefault(opmerking.onderdeel, []).append(opmerking)
    bekend = {"algemeen", *services.KENGETALLEN, *(f"regel-{r.pk}" for r in regels)}
    label = dict(onderdelen(rapportage, regels))

    kengetallen = []
    for veld in services.KENGETALLEN:
        waarde = getattr(rapportage, veld)
        if veld in services.CLIENTAANTALLEN:
            waarde = services.toon_aantal(waarde, exact)
        kengetallen.append(
            {
                "veld": veld,
                "label": _kengetal_label(veld),
                "waarde": waarde,
                "eenheid": EENHEDEN.get(veld, ""),
                "opmerkingen": per_onderdeel.get(veld, []),
            }
        )
    for regel in regels:
        regel.clienten_getoond = services.toon_aantal(regel.clienten, exact)
        regel.opmerkingen = per_onderdeel.get(f"regel-{regel.pk}", [])

    overig = [o for o in opmerkingen if o.onderdeel not in bekend or o.onderdeel == "algemeen"]
    for opmerking in overig:
        opmerking.onderdeel_label = label.get(opmerking.onderdeel, "Een regel die er niet meer is")

    beoordelaar = mag(user, services.BEOORDEEL, rapportage)
    overgangen = [
        {
            "naar": naar,
            "label": _actielabel(rapportage, naar),
            "bevestigen": naar in services.BEVESTIGEN,
        }
        for naar in services.toegestane_overgangen(rapportage, user)
    ]
    kwartaal_weigering = services.weigering_kwartaal(rapportage.jaar, rapportage.kwartaal)
    mag_opmerken = rapportage.status == Status.IN_BEOORDELING and mag(
        user, "inkoop.add_rapportageopmerking", rapportage
    )
    return {
        "exact": exact,
        "kengetallen": kengetallen,
        "regels": regels,
        "overige_opmerkingen": overig,
        "open_opmerkingen": sum(1 for o in opmerkingen if not o.opgelost),
        "stappen": Rapportagestap.objects.visible_to(user, "inkoop.view_rapportagestap")
        .filter(rapportage=rapportage)
        .select_related("door"),
        "signalen": plausibiliteit(rapportage, exact=exact) if beoordelaar else None,
        "overgangen": overgangen,
        "mag_bewerken": rapportage.status in services.BEWERKBAAR
        and mag(user, services.WIJZIG, rapportage)
        and not kwartaal_weigering,
        "kwartaal_weigering": kwartaal_weigering
        if rapportage.status in services.BEWERKBAAR
        else None,
        "opmerking_form": OpmerkingForm(onderdelen=onderdelen(rapportage, regels))
        if mag_opmerken
        else None,
        "periode": services.kwartaal_label(rapportage.jaar, rapportage.kwartaal),
    }


def _actielabel(rapportage, naar) -> str:
    if naar == Status.INGEDIEND and rapportage.status == Status.TERUGGESTUURD:
        return "Opnieuw indienen"
    return services.ACTIES[naar]


class RapportageCreateView(ScopedViewMixin, CreateView):
    """A new concept report; only for the aanbieder's own contracts (RISB gets 403)."""

    model = Rapportage
    capability = "inkoop.add_rapportage"
    form_class = RapportageAanmaakForm
    template_name = "inkoop/rapportages/rapportage_form.html"

    def get_initial(self):
        initial = super().get_initial()
        for key in ("contract", "jaar", "kwartaal"):
            if self.request.GET.get(key, "").isdigit():
                initial[key] = int(self.request.GET[key])
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            self.object = services.maak_rapportage(
                data["contract"], data["jaar"], data["kwartaal"], user=self.request.user
            )
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "De rapportage is aangemaakt als concept.")
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("inkoop:rapportage-edit", args=[self.object.pk])


def niet_bewerkbaar(request, rapportage):
    messages.error(
        request,
        f"Deze rapportage heeft status ‘{rapportage.get_status_display()}’ en kan niet meer "
        "worden gewijzigd.",
    )
    return redirect("inkoop:rapportage-detail", pk=rapportage.pk)


class RapportageEditView(ScopedViewMixin, SingleObjectMixin, View):
    """The aanbieder fills in figures and lines of a concept or sent-back report."""

    model = Rapportage
    capability = services.WIJZIG
    template_name = "inkoop/rapportages/rapportage_edit.html"

    def get_queryset(self):
        return super().get_queryset().select_related("contract__aanbieder")

    def forms(self, data=None):
        """The figures, and the table of every product × gemeente of the quarter prefilled
        with the report's lines, as the downloadable template is."""
        rapportage = self.object
        kop = KengetallenForm(data, instance=rapportage, prefix="kop")
        producten = services.producten_voor(rapportage)
        gemeenten = services.gemeenten_voor(rapportage)
        regels = RegelTabel(
            data,
            prefix="regels",
            initial=tabel_rijen(rapportage, producten, gemeenten),
            form_kwargs={"producten": producten, "gemeenten": gemeenten},
        )
        namen = {
            **{("product", str(p.pk)): p.naam for p in producten},
            **{("gemeente", str(g.pk)): g.naam for g in gemeenten},
        }
        for form in regels:
            form.product_naam = namen.get(("product", str(form["product"].value())), "")
            form.gemeente_naam = namen.get(("gemeente", str(form["gemeente"].value())), "")
        return kop, regels

    def render(self, kop, regels):
        context = {
            "rapportage": self.object,
            "kop_form": kop,
            "formset": regels,
            "periode": services.kwartaal_label(self.object.jaar, self.object.kwartaal),
            "opmerkingen": Rapportageopmerking.objects.visible_to(
                self.request.user, "inkoop.view_rapportageopmerking"
            ).filter(rapportage=self.object, opgelost=False),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in services.BEWERKBAAR:
            return niet_bewerkbaar(request, self.object)
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in services.BEWERKBAAR:
            return niet_bewerkbaar(request, self.object)
        kop, regels = self.forms(request.POST)
        if not (kop.is_valid() and regels.is_valid()):
            messages.error(request, "De rapportage is niet opgeslagen: verbeter de fouten.")
            return self.render(kop, regels)
        try:
            # The figures and the whole table in one transaction: all of it or nothing.
            with services.bewerking(self.object, request.user, via="formulier") as locked:
                for veld in services.KENGETALLEN:
                    setattr(locked, veld, kop.cleaned_data[veld])
                locked.save(update_fields=[*services.KENGETALLEN, "gewijzigd_op"])
                importeren.vervang_regels(locked, regels.regels())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("inkoop:rapportage-detail", pk=self.object.pk)
        messages.success(request, "De rapportage is opgeslagen.")
        return redirect("inkoop:rapportage-detail", pk=self.object.pk)


def tabel_rijen(rapportage, producten, gemeenten) -> list[dict]:
    """Every product × gemeente of the report's quarter, with the volume and clients of its
    line where there is one (``importeren.sjabloon``'s rows, as a table)."""
    bestaand = {(r.product_id, r.gemeente_id): r for r in rapportage.regels.all()}
    rijen = []
    for product in producten:
        for gemeente in gemeenten:
            regel = bestaand.get((product.pk, gemeente.pk))
            rijen.append(
                {
                    "product": product.pk,
                    "gemeente": gemeente.pk,
                    "volume": regel.volume if regel else None,
                    "clienten": regel.clienten if regel else None,
                }
            )
    return rijen


class RapportageUploadView(ScopedViewMixin, SingleObjectMixin, View):
    model = Rapportage
    capability = services.WIJZIG
    template_name = "inkoop/rapportages/rapportage_upload.html"

    def render(self, form, fouten=None):
        return render(
            self.request,
            self.template_name,
            {
                "rapportage": self.object,
                "form": form,
                "fouten": fouten,
                "periode": services.kwartaal_label(self.object.jaar, self.object.kwartaal),
            },
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in services.BEWERKBAAR:
            return niet_bewerkbaar(request, self.object)
        return self.render(UploadForm())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status not in services.BEWERKBAAR:
            return niet_bewerkbaar(request, self.object)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        try:
            importeren.importeer(self.object, form.cleaned_data["bestand"], user=request.user)
        except ImportGeweigerd as exc:
            audit.record(
                "change",
                objects=[self.object],
                resultaat="error",
                toelichting={"import": "geweigerd", "fouten": len(exc.fouten)},
            )
            return self.render(form, fouten=exc.fouten)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("inkoop:rapportage-detail", pk=self.object.pk)
        aantal = self.object.regels.count()
        messages.success(
            request, f"Het bestand is ingelezen: kengetallen en {aantal} regels opgeslagen."
        )
        return redirect("inkoop:rapportage-detail", pk=self.object.pk)


class RapportageSjabloonView(ScopedViewMixin, SingleObjectMixin, View):
    """The published template (CSV or XLSX) for this report, pre-filled."""

    model = Rapportage
    capability = services.WIJZIG

    def get(self, request, *args, **kwargs):
        rapportage = self.get_object()
        fmt = kwargs["fmt"]
        if fmt not in FORMATS:
            raise Http404
        inhoud, naam = importeren.sjabloon(rapportage, fmt)
        audit.record("export", objects=[rapportage], toelichting={"bestand": naam})
        response = HttpResponse(inhoud, content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{naam}"'
        return response


class RapportageOvergangView(ScopedViewMixin, SingleObjectMixin, View):
    """GET: the confirm page of a transition; POST: do it (the service checks who may)."""

    model = Rapportage
    capability = VIEW
    template_name = "inkoop/rapportages/rapportage_overgang.html"

    def get_queryset(self):
        return super().get_queryset().select_related("contract__aanbieder")

    def render(self, form):
        naar = self.kwargs["naar"]
        return render(
            self.request,
            self.template_name,
            {
                "rapportage": self.object,
                "naar": naar,
                "naar_label": Status(naar).label,
                "actie": _actielabel(self.object, naar),
                "form": form,
                "periode": services.kwartaal_label(self.object.jaar, self.object.kwartaal),
                "open_opmerkingen": self.object.opmerkingen.filter(opgelost=False).count(),
                "signalen": plausibiliteit(
                    self.object,
                    exact=services.ziet_exacte_aantallen(self.request.user, self.object),
                )
                if naar == Status.AKKOORD
                else None,
            },
        )

    def weiger(self, melding):
        messages.error(self.request, melding)
        return redirect("inkoop:rapportage-detail", pk=self.object.pk)

    def dispatch(self, request, *args, **kwargs):
        if kwargs["naar"] not in Status.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        naar = kwargs["naar"]
        if naar not in services.toegestane_overgangen(self.object, request.user):
            return self.weiger("Deze stap is voor u bij deze rapportage nu niet mogelijk.")
        return self.render(OvergangForm(verplicht=naar == Status.TERUGGESTUURD))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        naar = kwargs["naar"]
        form = OvergangForm(request.POST, verplicht=naar == Status.TERUGGESTUURD)
        if not form.is_valid():
            return self.render(form)
        try:
            services.overgang(self.object, naar, request.user, form.cleaned_data["toelichting"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "toelichting":
                form.add_error("toelichting", exc)
                return self.render(form)
            return self.weiger(" ".join(exc.messages))
        messages.success(
            request, f"De rapportage heeft nu de status ‘{self.object.get_status_display()}’."
        )
        return redirect("inkoop:rapportage-detail", pk=self.object.pk)


class RapportageOpmerkingView(ScopedViewMixin, SingleObjectMixin, View):
    """RISB places a comment on one item of the report under review."""

    model = Rapportage
    capability = "inkoop.add_rapportageopmerking"
    template_name = "inkoop/rapportages/rapportage_opmerking.html"

    def get_queryset(self):
        return super().get_queryset().select_related("contract__aanbieder")

    def regels(self):
        return list(self.object.regels.select_related("product", "gemeente"))

    def render(self, form):
        return render(
            self.request,
            self.template_name,
            {
                "rapportage": self.object,
                "form": form,
                "periode": services.kwartaal_label(self.object.jaar, self.object.kwartaal),
            },
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render(OpmerkingForm(onderdelen=onderdelen(self.object, self.regels())))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = OpmerkingForm(request.POST, onderdelen=onderdelen(self.object, self.regels()))
        if not form.is_valid():
            return self.render(form)
        try:
            services.plaats_opmerking(
                self.object,
                form.cleaned_data["onderdeel"],
                form.cleaned_data["tekst"],
                request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("inkoop:rapportage-detail", pk=self.object.pk)
        messages.success(request, "De opmerking is geplaatst.")
        return redirect("inkoop:rapportage-detail", pk=self.object.pk)


class OpmerkingOpgelostView(ScopedViewMixin, SingleObjectMixin, View):
    """POST: RISB marks a comment as resolved."""

    model = Rapportageopmerking
    capability = "inkoop.change_rapportageopmerking"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        opmerking = self.get_object()
        services.los_opmerking_op(opmerking, request.user)
        messages.success(request, "De opmerking is als opgelost gemarkeerd.")
        return redirect("inkoop:rapportage-detail", pk=opmerking.rapportage_id)


urlpatterns = [
    path("rapportages/", RapportageListView.as_view(), name="rapportage-list"),
    path("rapportages/nieuw/", RapportageCreateView.as_view(), name="rapportage-create"),
    path("rapportages/<int:pk>/", RapportageDetailView.as_view(), name="rapportage-detail"),
    path("rapportages/<int:pk>/wijzigen/", RapportageEditView.as_view(), name="rapportage-edit"),
    path("rapportages/<int:pk>/upload/", RapportageUploadView.as_view(), name="rapportage-upload"),
    path(
        "rapportages/<int:pk>/sjabloon/<str:fmt>/",
        RapportageSjabloonView.as_view(),
        name="rapportage-template",
    ),
    path(
        "rapportages/<int:pk>/overgang/<str:naar>/",
        RapportageOvergangView.as_view(),
        name="rapportage-overgang",
    ),
    path(
        "rapportages/<int:pk>/opmerking/",
        RapportageOpmerkingView.as_view(),
        name="rapportage-opmerking",
    ),
    path(
        "rapportages/opmerkingen/<int:pk>/opgelost/",
        OpmerkingOpgelostView.as_view(),
        name="rapportage-opmerking-opgelost",
    ),
]
