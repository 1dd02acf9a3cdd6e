"""Aanbieders: list, detail, register and edit (RISB), with contact persons."""

import datetime

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from inkoop.contracten.forms import AanbiederForm, ContactpersoonFormSet
from inkoop.models import Aanbieder, Contract
from regio import audit
from regio.exports import ExportableListMixin
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.query import mag


class AanbiederListView(SearchSortMixin, ScopedViewMixin, ExportableListMixin, ListView):
    model = Aanbieder
    capability = "inkoop.view_aanbieder"
    template_name = "inkoop/contracten/aanbieder_list.html"
    paginate_by = 25
    search_fields = ("naam__icontains", "agb_code__startswith", "kvk_nummer")
    sortable = {"naam": "naam", "agb": "agb_code", "plaats": "plaats",
                "contracten": "-lopende_contracten"}  # fmt: skip
    default_sort = "naam"
    export_filename = "aanbieders"
    export_columns = [
        ("Naam", lambda a: a.naam),
        ("AGB-code", lambda a: a.agb_code),
        ("KvK-nummer", lambda a: a.kvk_nummer),
        ("Plaats", lambda a: a.plaats),
        ("Lopende contracten", lambda a: a.lopende_contracten),
    ]

    def filter_queryset(self, queryset):
        # Count only the contracts this user may see, never the aanbieder's others.
        zichtbaar = (
            Contract.objects.visible_to(self.request.user, "inkoop.view_contract")
            .lopend_op(datetime.date.today())
            .filter(aanbieder=OuterRef("pk"))
            .order_by()
            .values("aanbieder")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return queryset.annotate(lopende_contracten=Coalesce(Subquery(zichtbaar), 0))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            mag_toevoegen=self.request.user.has_perm("inkoop.add_aanbieder"), **kwargs
        )


class AanbiederDetailView(ScopedViewMixin, DetailView):
    model = Aanbieder
    capability = "inkoop.view_aanbieder"
    template_name = "inkoop/contracten/aanbieder_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            contracten=Contract.objects.visible_to(user, "inkoop.view_contract")
            .filter(aanbieder=self.object)
            .select_related("regio")
            .order_by("-begin"),
            contacten=self.object.contacten.all(),
            mag_wijzigen=mag(user, "inkoop.change_aanbieder", self.object),
            mag_apisleutels=user.has_perm("inkoop.view_apisleutel"),
            **kwargs,
        )


class AanbiederFormMixin:
    """Aanbieder plus its contact persons, saved together or not at all."""

    form_class = AanbiederForm
    template_name = "inkoop/contracten/aanbieder_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "contacten",
            ContactpersoonFormSet(instance=getattr(self, "object", None), prefix="contact"),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in kwargs else None
        form = self.get_form()
        contacten = ContactpersoonFormSet(request.POST, instance=self.object, prefix="contact")
        if not (form.is_valid() and contacten.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, contacten=contacten))
        creating = self.object is None
        with transaction.atomic():
            self.object = form.save()
            contacten.instance = self.object
            contacten.save()
            audit.record("create" if creating else "change", objects=[self.object])
        messages.success(request, f"Aanbieder {self.object.naam} is opgeslagen.")
        return redirect(reverse("inkoop:aanbieder-detail", args=[self.object.pk]))


class AanbiederCreateView(ScopedViewMixin, AanbiederFormMixin, CreateView):
    model = Aanbieder
    capability = "inkoop.add_aanbieder"


class AanbiederUpdateView(ScopedViewMixin, AanbiederFormMixin, UpdateView):
    model = Aanbieder
    capability = "inkoop.change_aanbieder"


urlpatterns = [
    path("aanbieders/", AanbiederListView.as_view(), name="aanbieder-list"),
    path("aanbieders/nieuw/", AanbiederCreateView.as_view(), name="aanbieder-create"),
    path("aanbieders/<int:pk>/", AanbiederDetailView.as_view(), name="aanbieder-detail"),
    path("aanbieders/<int:pk>/wijzigen/", AanbiederUpdateView.as_view(), name="aanbieder-update"),
]
