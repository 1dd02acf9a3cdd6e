"""Contracts: list, detail with extensions, budgets and documents; create and edit (RISB)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from inkoop.contracten.forms import (
    BestedingsruimteForm,
    ContractDocumentForm,
    ContractForm,
    VerlengingBesluitForm,
)
from inkoop.contracten.services import (
    bdvo_goedkeuren,
    budgetgebruik,
    verlenging_besluiten,
    volgende_open_optie,
    weigering_bdvo_goedkeuren,
)
from inkoop.models import Contract
from regio import audit
from regio.exports import ExportableListMixin
from regio.forms import fouten_op_formulier
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.query import mag


def contract_status(contract, peildatum):
    if contract.begin > peildatum:
        return "toekomstig"
    return "lopend" if contract.looptijd_einde >= peildatum else "afgelopen"


class ContractListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    model = Contract
    capability = "inkoop.view_contract"
    template_name = "inkoop/contracten/contract_list.html"
    paginate_by = 25
    search_fields = ("aanbieder__naam__icontains", "kenmerk__icontains")
    sortable = {"kenmerk": "kenmerk", "aanbieder": "aanbieder__naam", "begin": "begin",
                "einde": "looptijd_einde"}  # fmt: skip
    default_sort = "kenmerk"
    export_filename = "contracten"
    export_columns = [
        ("Kenmerk", lambda c: c.kenmerk),
        ("Aanbieder", lambda c: c.aanbieder.naam),
        ("AGB-code", lambda c: c.aanbieder.agb_code),
        ("Regio", lambda c: c.regio.naam),
        ("Soort", lambda c: c.get_soort_display()),
        ("Bekostiging", lambda c: c.get_bekostiging_display()),
        ("Begin", lambda c: c.begin),
        ("Einde (met verlengingen)", lambda c: c.looptijd_einde),
    ]

    def filter_queryset(self, queryset):
        queryset = queryset.select_related("aanbieder", "regio")
        vandaag = datetime.date.today()
        status = self.request.GET.get("status", "")
        if status == "lopend":
            return queryset.lopend_op(vandaag)
        if status == "afgelopen":
            return queryset.filter(looptijd_einde__lt=vandaag)
        if status == "toekomstig":
            return queryset.filter(begin__gt=vandaag)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vandaag = datetime.date.today()
        for contract in context["object_list"]:
            contract.status = contract_status(contract, vandaag)
        context.update(
            status=self.request.GET.get("status", ""),
            mag_toevoegen=self.request.user.has_perm("inkoop.add_contract"),
        )
        return context


class ContractDetailView(ScopedViewMixin, DetailView):
    model = Contract
    capability = "inkoop.view_contract"
    template_name = "inkoop/contracten/contract_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder", "regio", "hoofdcontract")

    def get_context_data(self, **kwargs):
        user, contract = self.request.user, self.object
        # Edit forms for THIS contract only (its regio), not wherever the user may edit one.
        mag_wijzigen = mag(user, "inkoop.change_contract", contract)
        bdvo_open = contract.is_bdvo and contract.goedgekeurd_op is None
        return super().get_context_data(
            volgende_optie=volgende_open_optie(contract) if mag_wijzigen else None,
            bdvo_open=bdvo_open,
            bdvo_weigering=weigering_bdvo_goedkeuren(contract, user) if bdvo_open else "",
            mag_bdvo_goedkeuren=bdvo_open
            and mag(user, "inkoop.keur_bdvo_goed", contract)
            and not weigering_bdvo_goedkeuren(contract, user),
            status=contract_status(contract, datetime.date.today()),
            percelen=contract.percelen.all(),
            gemeenten=contract.gemeenten.order_by("naam"),
            opties=contract.verlengingsopties.all(),
            budgetten=[
                gebruik
                for ruimte in contract.budgetten.all()
                for gebruik in budgetgebruik(Contract.objects.filter(pk=contract.pk), ruimte.jaar)
            ],
            documenten=contract.documenten.all(),
            mag_wijzigen=mag_wijzigen,
            budget_form=BestedingsruimteForm(contract=contract) if mag_wijzigen else None,
            document_form=ContractDocumentForm() if mag_wijzigen else None,
            **kwargs,
        )


class ContractFormMixin:
    form_class = ContractForm
    template_name = "inkoop/contracten/contract_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        messages.success(self.request, f"Contract {self.object.kenmerk} is opgeslagen.")
        return reverse("inkoop:contract-detail", args=[self.object.pk])


class ContractCreateView(ScopedViewMixin, ContractFormMixin, CreateView):
    model = Contract
    capability = "inkoop.add_contract"


class ContractUpdateView(ScopedViewMixin, ContractFormMixin, UpdateView):
    model = Contract
    capability = "inkoop.change_contract"


class ContractChildMixin(ScopedViewMixin, SingleObjectMixin):
    """A form that adds to a contract the user may change (404 for any other contract)."""

    model = Contract
    capability = "inkoop.change_contract"
    context_object_name = "contract"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    def contract(self):
        if self.object is None:
            self.object = self.get_object()
        return self.object

    def get_context_data(self, **kwargs):
        self.contract()
        return super().get_context_data(**kwargs)

    def get_success_url(self):
        return reverse("inkoop:contract-detail", args=[self.contract().pk]) + self.anchor


class BestedingsruimteCreateView(ContractChildMixin, FormView):
    form_class = BestedingsruimteForm
    template_name = "inkoop/contracten/contract_child_form.html"
    anchor = "#bestedingsruimte"
    titel = "Bestedingsruimte toevoegen"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "contract": self.contract()}

    def form_valid(self, form):
        form.save()
        audit.record("create", objects=[form.instance])
        messages.success(self.request, f"Bestedingsruimte {form.instance.jaar} is opgeslagen.")
        return super().form_valid(form)


class ContractDocumentUploadView(ContractChildMixin, FormView):
    form_class = ContractDocumentForm
    template_name = "inkoop/contracten/contract_child_form.html"
    anchor = "#documenten"
    titel = "Document toevoegen"

    def form_valid(self, form):
        document = form.save(commit=False)
        document.contract = self.contract()
        document.geupload_door = self.request.user
        document.save()
        audit.record("create", objects=[document])
        messages.success(self.request, f"{document.naam} is toegevoegd.")
        return super().form_valid(form)


class ContractDocumentDownloadView(ScopedViewMixin, SingleObjectMixin, View):
    model = Contract
    capability = "inkoop.view_contract"

    def get(self, request, *args, **kwargs):
        contract = self.get_object()
        document = contract.documenten.filter(pk=kwargs["document_pk"]).first()
        if document is None:
            raise Http404
        audit.record("export", objects=[document])
        return FileResponse(
            document.bestand.open("rb"),
            as_attachment=True,
            filename=f"{document.naam}.pdf",
            content_type="application/pdf",
        )


class VerlengingBesluitView(ContractChildMixin, FormView):
    """Confirm page, then record the decision on one extension option."""

    template_name = "inkoop/contracten/verlenging_besluit.html"
    anchor = "#verlengingen"
    form_class = VerlengingBesluitForm

    def optie(self):
        optie = self.contract().verlengingsopties.filter(pk=self.kwargs["optie_pk"]).first()
        if optie is None:
            raise Http404
        return optie

    def benut(self) -> bool:
        return self.request.GET.get("benut", self.request.POST.get("benut")) == "ja"

    def get_context_data(self, **kwargs):
        optie = self.optie()
        te_laat = datetime.date.today() > optie.besluit_uiterlijk
        return super().get_context_data(optie=optie, benut=self.benut(), te_laat=te_laat, **kwargs)

    def form_valid(self, form):
        optie = self.optie()
        try:
            with transaction.atomic():
                contract = verlenging_besluiten(
                    optie, self.benut(), user=self.request.user, reden=form.cleaned_data["reden"]
                )
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Verlenging {optie.volgnummer} {'benut' if self.benut() else 'niet benut'}; "
            f"het contract loopt tot en met {contract.looptijd_einde:%d-%m-%Y}.",
        )
        return super().form_valid(form)


class BdvoGoedkeurenView(ContractChildMixin, View):
    """Approve a BDVO (four eyes; the service checks who may)."""

    capability = "inkoop.keur_bdvo_goed"
    anchor = ""

    def post(self, request, *args, **kwargs):
        contract = self.contract()
        try:
            bdvo_goedkeuren(contract, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"BDVO {contract.kenmerk} is goedgekeurd.")
        return HttpResponseRedirect(self.get_success_url())


urlpatterns = [
    path(
        "contracten/<int:pk>/bdvo-goedkeuren/", BdvoGoedkeurenView.as_view(), name="bdvo-goedkeuren"
    ),
    path("contracten/", ContractListView.as_view(), name="contract-list"),
    path("contracten/nieuw/", ContractCreateView.as_view(), name="contract-create"),
    path("contracten/<int:pk>/", ContractDetailView.as_view(), name="contract-detail"),
    path("contracten/<int:pk>/wijzigen/", ContractUpdateView.as_view(), name="contract-update"),
    path(
        "contracten/<int:pk>/bestedingsruimte/",
        BestedingsruimteCreateView.as_view(),
        name="bestedingsruimte-create",
    ),
    path(
        "contracten/<int:pk>/documenten/",
        ContractDocumentUploadView.as_view(),
        name="contractdocument-create",
    ),
    path(
        "contracten/<int:pk>/documenten/<int:document_pk>/",
        ContractDocumentDownloadView.as_view(),
        name="contractdocument-download",
    ),
    path(
        "contracten/<int:pk>/verlengingen/<int:optie_pk>/",
        VerlengingBesluitView.as_view(),
        name="verlenging-besluit",
    ),
]
