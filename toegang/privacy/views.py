"""The privacy officer's screens (/privacy/): destruction lists of dossiers past retention
(review, exclude with a reason, approve or reject, carry out as a job) and erasure requests
(register by BSN, deadline a month later, carry out or refuse with the legal duty named).

The officer sees dossier numbers and the client's pseudonymous key, never a name: the role has
no capability for personal details, and needs none to decide."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin, sorteerlinks
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente
from regio.query import mag
from toegang.models import Dossier, Vernietigingslijst, Vernietigingsregel, Verwijderverzoek
from toegang.privacy import bewaren
from toegang.privacy import tasks as bewaren_tasks
from toegang.privacy import verwijderen as verwijder
from toegang.privacy.forms import BevestigForm, RedenForm, ToelichtingForm, VerwijderverzoekForm

VIEW_LIJST = "toegang.view_vernietigingslijst"
KEUR_GOED = "toegang.keur_vernietiging_goed"
VIEW_REGEL = "toegang.view_vernietigingsregel"
CHANGE_REGEL = "toegang.change_vernietigingsregel"
VIEW_VERZOEK = "toegang.view_verwijderverzoek"
ADD_VERZOEK = verwijder.ADD
CHANGE_VERZOEK = verwijder.CHANGE


def vandaag() -> datetime.date:
    return timezone.localdate()


# --- destruction lists -------------------------------------------------------------------------


class LijstListView(SearchSortMixin, ScopedViewMixin, ListView):
    model = Vernietigingslijst
    capability = VIEW_LIJST
    paginate_by = 25
    template_name = "toegang/privacy/lijst_list.html"
    search_fields = ("gemeente__naam__icontains",)
    sortable = {"peildatum": "peildatum", "gemeente": "gemeente__naam", "status": "status"}
    default_sort = "-peildatum"

    def filter_queryset(self, queryset):
        return queryset.select_related("gemeente", "beoordeeld_door").annotate(
            aantal=Count("regels"),
            uitgezonderd=Count("regels", filter=Q(regels__uitgezonderd=True)),
            vernietigd=Count("regels", filter=Q(regels__vernietigd_op__isnull=False)),
        )


class LijstMixin(ScopedViewMixin, SingleObjectMixin):
    model = Vernietigingslijst
    context_object_name = "lijst"

    def get_queryset(self):
        return super().get_queryset().select_related("gemeente", "beoordeeld_door")

    def lijst(self) -> Vernietigingslijst:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def detail_url(self):
        return reverse("privacy:lijst-detail", args=[self.lijst().pk])

    def get_context_data(self, **kwargs):
        self.lijst()
        return super().get_context_data(**kwargs)


class LijstDetailView(LijstMixin, DetailView):
    capability = VIEW_LIJST
    template_name = "toegang/privacy/lijst_detail.html"
    regels_per_pagina = 50
    sorteringen = {
        "dossier": "dossier_id",
        "gemeente": "dossier__verantwoordelijke_gemeente__naam",
        "grondslag": "grondslag",
        "einde": "einde",
        "bewaren_tot": "bewaren_tot",
        "uitgezonderd": "uitgezonderd",
    }

    def ordering(self) -> str:
        key = self.request.GET.get("sort", "")
        expression = self.sorteringen.get(key.removeprefix("-"), "bewaren_tot")
        return f"-{expression}" if key.startswith("-") else expression

    def get_context_data(self, **kwargs):
        lijst, user = self.lijst(), self.request.user
        regels = (
            Vernietigingsregel.objects.visible_to(user, VIEW_REGEL)
            .filter(lijst=lijst)
            .select_related("dossier__verantwoordelijke_gemeente")
            .order_by(self.ordering(), "pk")
        )
        pagina = Paginator(regels, self.regels_per_pagina).get_page(self.request.GET.get("page"))
        open_ = lijst.status == Vernietigingslijst.Status.TER_GOEDKEURING
        keurt = user.has_perm(KEUR_GOED) and mag(user, KEUR_GOED, lijst)
        telling = lijst.regels.aggregate(
            aantal=Count("pk"),
            uitgezonderd=Count("pk", filter=Q(uitgezonderd=True)),
            vernietigd=Count("pk", filter=Q(vernietigd_op__isnull=False)),
        )
        return super().get_context_data(
            regels=pagina.object_list,
            page_obj=pagina,
            is_paginated=pagina.has_other_pages(),
            sorteer=sorteerlinks(self.request, list(self.sorteringen)),
            telling=telling,
            mag_beoordelen=open_ and keurt,
            mag_uitzonderen=open_ and user.has_perm(CHANGE_REGEL),
            mag_uitvoeren=lijst.status == Vernietigingslijst.Status.GOEDGEKEURD and keurt,
            uitvoering=bewaren_tasks.lopende_uitvoering(lijst),
            **kwargs,
        )


class BevestigMixin:
    """A confirm page (template privacy/bevestig.html): title, explanation, button, back link."""

    template_name = "toegang/privacy/bevestig.html"
    form_class = BevestigForm
    titel = knop = uitleg = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titel=self.titel, knop=self.knop, uitleg=self.uitleg, terug=self.detail_url(),
            **kwargs,
        )  # fmt: skip

    def voer_uit(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            melding, url = self.voer_uit(form)
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, melding)
        return HttpResponseRedirect(url or self.detail_url())


class LijstGoedkeurenView(BevestigMixin, LijstMixin, FormView):
    capability = KEUR_GOED
    titel = "Vernietigingslijst goedkeuren"
    knop = "Goedkeuren"
    uitleg = (
        "Met uw goedkeuring mogen de dossiers op deze lijst die niet zijn uitgezonderd worden "
        "vernietigd: de persoonsgegevens en documenten verdwijnen, de geschiedenis (data, "
        "bedragen, rapportages) blijft. Het vernietigen zelf start u daarna."
    )

    def voer_uit(self, form):
        bewaren.goedkeuren(self.lijst(), user=self.request.user)
        return "De vernietigingslijst is goedgekeurd.", None


class LijstAfwijzenView(BevestigMixin, LijstMixin, FormView):
    capability = KEUR_GOED
    form_class = ToelichtingForm
    titel = "Vernietigingslijst afwijzen"
    knop = "Afwijzen"
    uitleg = "Er wordt niets vernietigd. De volgende maandelijkse run stelt een nieuwe lijst op."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label": "Reden van afwijzing"}

    def voer_uit(self, form):
        bewaren.afwijzen(
            self.lijst(), user=self.request.user, toelichting=form.cleaned_data["toelichting"]
        )
        return "De vernietigingslijst is afgewezen.", None


class LijstUitvoerenView(BevestigMixin, LijstMixin, FormView):
    capability = KEUR_GOED
    titel = "Vernietigingslijst uitvoeren"
    knop = "Dossiers vernietigen"
    uitleg = (
        "De dossiers op deze goedgekeurde lijst die niet zijn uitgezonderd worden nu vernietigd. "
        "Dit kan niet ongedaan worden gemaakt."
    )

    def voer_uit(self, form):
        run = bewaren_tasks.start_uitvoering(self.lijst(), self.request.user)
        return "Het vernietigen is gestart.", reverse("regio:jobrun-detail", args=[run.pk])


class RegelMixin(ScopedViewMixin, SingleObjectMixin):
    model = Vernietigingsregel
    context_object_name = "regel"
    capability = CHANGE_REGEL

    def regel(self) -> Vernietigingsregel:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def detail_url(self):
        return reverse("privacy:lijst-detail", args=[self.regel().lijst_id])

    def get_context_data(self, **kwargs):
        self.regel()
        return super().get_context_data(**kwargs)


class RegelUitzonderenView(BevestigMixin, RegelMixin, FormView):
    form_class = RedenForm
    titel = "Dossier uitzonderen"
    knop = "Uitzonderen"
    uitleg = "Het dossier blijft bewaard; de reden wordt bij de lijst vastgelegd."

    def voer_uit(self, form):
        bewaren.regel_uitzonderen(
            self.regel(), user=self.request.user, reden=form.cleaned_data["reden"]
        )
        return f"Dossier {self.regel().dossier_id} is uitgezonderd.", None


class RegelOpnemenView(BevestigMixin, RegelMixin, FormView):
    titel = "Dossier weer opnemen"
    knop = "Weer opnemen"
    uitleg = "Het dossier komt weer op de lijst om te worden vernietigd na goedkeuring."

    def voer_uit(self, form):
        bewaren.regel_opnemen(self.regel(), user=self.request.user)
        return f"Dossier {self.regel().dossier_id} staat weer op de lijst.", None


# --- erasure requests ---------------------------------------------------------------------------


class VerzoekListView(SearchSortMixin, ScopedViewMixin, ListView):
    """Sorted by deadline; overdue ones marked, and a notice when some near their deadline."""

    model = Verwijderverzoek
    capability = VIEW_VERZOEK
    paginate_by = 25
    template_name = "toegang/privacy/verzoek_list.html"
    sortable = {
        "termijn": "antwoord_uiterlijk",
        "ontvangen": "ontvangen_op",
        "gemeente": "gemeente__naam",
        "status": "status",
    }
    default_sort = "antwoord_uiterlijk"

    def status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in Verwijderverzoek.Status.values else ""

    def filter_queryset(self, queryset):
        queryset = queryset.select_related("gemeente")
        return queryset.filter(status=self.status()) if self.status() else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            statussen=Verwijderverzoek.Status.choices, gekozen_status=self.status(), **kwargs
        )
        peildatum = vandaag()
        for v in context["object_list"]:
            v.termijnstatus = verwijder.termijnstatus(v, peildatum)
        open_ = Verwijderverzoek.objects.visible_to(self.request.user, VIEW_VERZOEK).filter(
            status=Verwijderverzoek.Status.ONTVANGEN
        )
        context["te_laat"] = open_.filter(antwoord_uiterlijk__lt=peildatum).count()
        context["bijna"] = open_.filter(
            antwoord_uiterlijk__gte=peildatum,
            antwoord_uiterlijk__lte=peildatum + datetime.timedelta(days=verwijder.BIJNA_DAGEN),
        ).count()
        context["bijna_dagen"] = verwijder.BIJNA_DAGEN
        context["mag_registreren"] = self.request.user.has_perm(ADD_VERZOEK)
        return context


class VerzoekRegistrerenView(ScopedViewMixin, FormView):
    model = Verwijderverzoek
    capability = ADD_VERZOEK
    form_class = VerwijderverzoekForm
    template_name = "toegang/privacy/verzoek_form.html"

    def gemeenten(self):
        return Gemeente.objects.visible_to(self.request.user, ADD_VERZOEK).order_by("naam")

    def get_initial(self):
        return {"ontvangen_op": vandaag()}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "gemeenten": self.gemeenten()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            verzoek = verwijder.registreren(
                user=self.request.user, gemeente=data["gemeente"], bsn=data["bsn"],
                ontvangen_op=data["ontvangen_op"],
                dossiers=Dossier.objects.visible_to(self.request.user, ADD_VERZOEK),
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Het verzoek is geregistreerd; antwoord uiterlijk "
            f"{verzoek.antwoord_uiterlijk:%d-%m-%Y}.",
        )
        return HttpResponseRedirect(reverse("privacy:verzoek-detail", args=[verzoek.pk]))


class VerzoekMixin(ScopedViewMixin, SingleObjectMixin):
    model = Verwijderverzoek
    context_object_name = "verzoek"

    def get_queryset(self):
        return super().get_queryset().select_related("gemeente", "besloten_door")

    def verzoek(self) -> Verwijderverzoek:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def detail_url(self):
        return reverse("privacy:verzoek-detail", args=[self.verzoek().pk])

    def dossiers(self):
        return Dossier.objects.visible_to(self.request.user, CHANGE_VERZOEK)

    def get_context_data(self, **kwargs):
        verzoek = self.verzoek()
        context = super().get_context_data(
            termijnstatus=verwijder.termijnstatus(verzoek, vandaag()), **kwargs
        )
        if verzoek.status == Verwijderverzoek.Status.ONTVANGEN:
            context["beoordelingen"] = verwijder.beoordelen(verzoek, self.dossiers())
        return context


class VerzoekDetailView(VerzoekMixin, DetailView):
    capability = VIEW_VERZOEK
    template_name = "toegang/privacy/verzoek_detail.html"

    def get_context_data(self, **kwargs):
        verzoek, user = self.verzoek(), self.request.user
        return super().get_context_data(
            mag_besluiten=verzoek.status == Verwijderverzoek.Status.ONTVANGEN
            and user.has_perm(CHANGE_VERZOEK)
            and mag(user, CHANGE_VERZOEK, verzoek),
            **kwargs,
        )


class VerzoekUitvoerenView(BevestigMixin, VerzoekMixin, FormView):
    capability = CHANGE_VERZOEK
    form_class = ToelichtingForm
    template_name = "toegang/privacy/verzoek_besluit.html"
    titel = "Verwijderverzoek uitvoeren"
    knop = "Uitvoeren en vernietigen"
    uitleg = (
        "De dossiers hieronder met 'vernietigen' worden nu vernietigd; dit kan niet ongedaan "
        "worden gemaakt. Blijft er een dossier bewaard, noem dan de bewaarplicht."
    )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(), "verplicht": False,
            "label": "Toelichting voor de cliënt",
            "help_text": "Verplicht als niet alle dossiers worden vernietigd: noem de "
            "bewaarplicht.",
        }  # fmt: skip

    def voer_uit(self, form):
        uitkomst = verwijder.uitvoeren(
            self.verzoek(), user=self.request.user, dossiers=self.dossiers(),
            toelichting=form.cleaned_data["toelichting"],
        )  # fmt: skip
        return f"Het verzoek is uitgevoerd: {uitkomst['vernietigd']} dossier(s) vernietigd.", None


class VerzoekAfwijzenView(BevestigMixin, VerzoekMixin, FormView):
    capability = CHANGE_VERZOEK
    form_class = ToelichtingForm
    template_name = "toegang/privacy/verzoek_besluit.html"
    titel = "Verwijderverzoek afwijzen"
    knop = "Afwijzen"
    uitleg = "Er wordt niets vernietigd. Noem de wettelijke bewaarplicht die geldt."

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(), "label": "Bewaarplicht",
            "help_text": "Bijvoorbeeld: Archiefwet, Selectielijst gemeenten — 15 jaar na het "
            "einde van de ondersteuning.",
        }  # fmt: skip

    def voer_uit(self, form):
        verwijder.afwijzen(
            self.verzoek(), user=self.request.user, toelichting=form.cleaned_data["toelichting"]
        )
        return "Het verzoek is afgewezen.", None
