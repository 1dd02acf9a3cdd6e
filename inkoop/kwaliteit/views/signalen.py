"""Kwaliteitssignalen at RISB (seed 000 §9): the signals the Centrale Toegang passed about an
aanbieder's quality — the list (open first), a signal's page, taking it up and closing it with a
description of what was done. Only the regio's roles see them, never the aanbieder."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views.generic import DetailView, FormView, ListView, View
from django.views.generic.detail import SingleObjectMixin

from inkoop.kwaliteit import signalen as ks
from inkoop.models import Aanbieder, Kwaliteitssignaal
from regio.forms import fouten_op_formulier
from regio.lists import as_int, sorteerlinks
from regio.mixins import ScopedViewMixin
from regio.query import mag

VIEW = "inkoop.view_kwaliteitssignaal"

STATUS_RANG = {
    Kwaliteitssignaal.Status.OPEN: 0,
    Kwaliteitssignaal.Status.IN_BEHANDELING: 1,
    Kwaliteitssignaal.Status.AFGEHANDELD: 2,
}


def status_rang():
    return Case(
        *(When(status=s, then=Value(r)) for s, r in STATUS_RANG.items()),
        output_field=IntegerField(),
    )


class SignaalListView(ScopedViewMixin, ListView):
    model = Kwaliteitssignaal
    capability = VIEW
    paginate_by = 25
    template_name = "inkoop/kwaliteit/signaal_list.html"
    sortable = {
        "gemeld": ("-gemeld_op",),
        "-gemeld": ("gemeld_op",),
        "aanbieder": ("aanbieder__naam", "-gemeld_op"),
        "-aanbieder": ("-aanbieder__naam", "-gemeld_op"),
    }

    def get_queryset(self):
        qs = super().get_queryset().select_related("aanbieder", "locatie", "regio")
        get = self.request.GET
        zoek = get.get("q", "").strip()
        if zoek:
            qs = qs.filter(
                Q(omschrijving__icontains=zoek) | Q(afhandeling__icontains=zoek)
                | Q(aanbieder__naam__icontains=zoek)
            )  # fmt: skip
        if get.get("status") in Kwaliteitssignaal.Status.values:
            qs = qs.filter(status=get["status"])
        if get.get("onderwerp") in Kwaliteitssignaal.Onderwerp.values:
            qs = qs.filter(onderwerp=get["onderwerp"])
        if (aanbieder := as_int(get.get("aanbieder"))) is not None:
            qs = qs.filter(aanbieder_id=aanbieder)
        sort = self.sortable.get(get.get("sort", ""))
        if sort is None:
            # Open first, then in behandeling, then the closed ones; newest first within each.
            return qs.annotate(status_rang=status_rang()).order_by(
                "status_rang", "-gemeld_op", "-pk"
            )
        return qs.order_by(*sort, "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        basis = super().get_queryset()
        context.update(
            zoek=get.get("q", ""),
            sort=get.get("sort", ""),
            gekozen={k: get.get(k, "") for k in ("status", "onderwerp", "aanbieder")},
            statussen=Kwaliteitssignaal.Status.choices,
            onderwerpen=Kwaliteitssignaal.Onderwerp.choices,
            aanbieders=Aanbieder.objects.filter(pk__in=basis.values("aanbieder")).order_by("naam"),
            gefilterd=any(get.get(k) for k in ("q", "status", "onderwerp", "aanbieder")),
            sorteer=sorteerlinks(self.request, ["gemeld", "aanbieder"]),
        )
        return context


class SignaalDetailView(ScopedViewMixin, DetailView):
    model = Kwaliteitssignaal
    capability = VIEW
    template_name = "inkoop/kwaliteit/signaal_detail.html"
    context_object_name = "signaal"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("aanbieder", "locatie", "regio", "gemeld_door", "afgehandeld_door")
        )

    def get_context_data(self, **kwargs):
        s, user = self.object, self.request.user
        return super().get_context_data(
            kan_behandelen=s.status == Kwaliteitssignaal.Status.OPEN
            and mag(user, ks.BEHANDELEN, s),
            kan_afhandelen=s.status != Kwaliteitssignaal.Status.AFGEHANDELD
            and mag(user, ks.AFHANDELEN, s),
            **kwargs,
        )


class SignaalActieMixin(ScopedViewMixin, SingleObjectMixin):
    """An action on one signal: 404 when the user cannot see it at all, 403 when they can see it
    but may not do this."""

    model = Kwaliteitssignaal
    context_object_name = "signaal"

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            zichtbaar = Kwaliteitssignaal.objects.visible_to(self.request.user, VIEW)
            if zichtbaar.filter(pk=self.kwargs["pk"]).exists():
                raise PermissionDenied from None
            raise

    def detail_url(self):
        return reverse("inkoop:signaal-detail", args=[self.object.pk])


class SignaalInBehandelingView(SignaalActieMixin, View):
    capability = ks.BEHANDELEN
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            ks.in_behandeling_nemen(self.object, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Het signaal is in behandeling genomen.")
        return HttpResponseRedirect(self.detail_url())


class AfhandelForm(forms.Form):
    afhandeling = forms.CharField(
        label="Afhandeling",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Wat heeft RISB gedaan, bijvoorbeeld een gesprek met de aanbieder of een "
        "afspraak in het contractoverleg? Noem geen naam of BSN van een cliënt.",
    )


class SignaalAfhandelenView(SignaalActieMixin, FormView):
    """The confirmation page: the signal is closed with how it was handled (it cannot be
    changed afterwards)."""

    capability = ks.AFHANDELEN
    form_class = AfhandelForm
    template_name = "inkoop/kwaliteit/signaal_afhandelen.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.status == Kwaliteitssignaal.Status.AFGEHANDELD:
            messages.error(request, "Dit signaal is al afgehandeld.")
            return HttpResponseRedirect(self.detail_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            ks.afhandelen(self.object, self.request.user, form.cleaned_data["afhandeling"])
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Het signaal is afgehandeld.")
        return HttpResponseRedirect(self.detail_url())


urlpatterns = [
    path("signalen/", SignaalListView.as_view(), name="signaal-list"),
    path("signalen/<int:pk>/", SignaalDetailView.as_view(), name="signaal-detail"),
    path(
        "signalen/<int:pk>/in-behandeling/",
        SignaalInBehandelingView.as_view(),
        name="signaal-in-behandeling",
    ),
    path(
        "signalen/<int:pk>/afhandelen/",
        SignaalAfhandelenView.as_view(),
        name="signaal-afhandelen",
    ),
]
