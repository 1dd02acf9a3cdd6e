"""API-sleutels of an aanbieder, managed by the functioneel beheerder: the list (last use,
revoked), making one (the token is shown once, on the result page) and revoking one after a
confirmation page. The rules live in inkoop.apisleutels.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.generic import FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from inkoop.apisleutels import services
from inkoop.locaties.views import OuderMixin
from inkoop.models import Aanbieder, ApiSleutel
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin


class ApiSleutelForm(forms.Form):
    naam = forms.CharField(
        label="Naam",
        max_length=100,
        help_text="Waarvoor de sleutel is, bijvoorbeeld het systeem van de aanbieder.",
    )


class AanbiederSleutelsMixin(OuderMixin):
    parent_model = Aanbieder
    parent_kwarg = "aanbieder_pk"
    parent_view_capability = "inkoop.view_aanbieder"


class ApiSleutelListView(AanbiederSleutelsMixin, SearchSortMixin, ScopedViewMixin, ListView):
    """The credentials of one aanbieder, newest first."""

    model = ApiSleutel
    capability = services.BEKIJK
    template_name = "inkoop/apisleutels/apisleutel_list.html"
    paginate_by = 25
    search_fields = ("naam__icontains", "prefix__startswith")
    sortable = {"naam": "naam", "aangemaakt": "aangemaakt_op", "gebruikt": "laatst_gebruikt_op"}
    default_sort = "-aangemaakt_op"

    def filter_queryset(self, queryset):
        return queryset.filter(aanbieder=self.parent).select_related("aangemaakt_door")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            aanbieder=self.parent,
            mag_maken=Aanbieder.objects.visible_to(user, services.MAAK)
            .filter(pk=self.parent.pk)
            .exists(),
            mag_intrekken=Aanbieder.objects.visible_to(user, services.TREK_IN)
            .filter(pk=self.parent.pk)
            .exists(),
            **kwargs,
        )


class ApiSleutelCreateView(AanbiederSleutelsMixin, ScopedViewMixin, FormView):
    """Make a credential; the result page shows the token this one time."""

    model = ApiSleutel
    capability = services.MAAK
    form_class = ApiSleutelForm
    template_name = "inkoop/apisleutels/apisleutel_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(aanbieder=self.parent, **kwargs)

    def form_valid(self, form):
        try:
            sleutel, token = services.maak(
                self.parent, form.cleaned_data["naam"], self.request.user
            )
        except ValidationError as exc:
            for veld, fouten in exc.message_dict.items():
                for fout in fouten:
                    form.add_error(veld if veld in form.fields else None, fout)
            return self.form_invalid(form)
        response = render(
            self.request,
            "inkoop/apisleutels/apisleutel_gemaakt.html",
            {"aanbieder": self.parent, "sleutel": sleutel, "token": token},
        )
        # The token must not linger in a cache or in the browser's history.
        response["Cache-Control"] = "no-store"
        return response


class ApiSleutelIntrekkenView(ScopedViewMixin, SingleObjectMixin, TemplateView):
    """Confirm page, then revoke: the credential stops working at once."""

    model = ApiSleutel
    capability = services.TREK_IN
    template_name = "inkoop/apisleutels/apisleutel_intrekken.html"

    def get_queryset(self):
        return super().get_queryset().select_related("aanbieder")

    def lijst_url(self):
        return reverse("inkoop:apisleutel-list", args=[self.object.aanbieder_id])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(sleutel=self.object))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            services.intrekken(self.object, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.lijst_url())
        messages.success(request, f"De API-sleutel {self.object.naam} is ingetrokken.")
        return redirect(self.lijst_url())


urlpatterns = [
    path(
        "aanbieders/<int:aanbieder_pk>/api-sleutels/",
        ApiSleutelListView.as_view(),
        name="apisleutel-list",
    ),
    path(
        "aanbieders/<int:aanbieder_pk>/api-sleutels/nieuw/",
        ApiSleutelCreateView.as_view(),
        name="apisleutel-create",
    ),
    path(
        "api-sleutels/<int:pk>/intrekken/",
        ApiSleutelIntrekkenView.as_view(),
        name="apisleutel-intrekken",
    ),
]
