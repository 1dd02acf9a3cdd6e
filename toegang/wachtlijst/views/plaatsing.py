"""plaatsing screens of the Centrale Toegang workplace: reserve a place at a matching location,
the aanbieder's confirmation, placing the client (which makes the toewijzing) and letting a
place lapse — the last two after a confirmation page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.generic import FormView, View

from inkoop.models import Locatie
from regio.forms import fouten_op_formulier
from toegang.wachtlijst import crisis
from toegang.wachtlijst import services as ws
from toegang.wachtlijst.forms import DatumForm, PlaatsenForm, ReserveringForm
from toegang.wachtlijst.views import basis
from toegang.wachtlijst.views.basis import AanmeldingMixin, meld_plaatsing
from toegang.wachtlijst.views.wachtlijst import regio_locaties

CHANGE = "toegang.change_plaatsing"
ADD = "toegang.add_plaatsing"


def vandaag() -> datetime.date:
    return datetime.date.today()


class ReserverenView(AanmeldingMixin, View):
    """POST from the aanmelding's matching list: reserve a place at one location."""

    capability = ADD
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        a = self.aanmelding()
        form = ReserveringForm(
            request.POST,
            locaties=Locatie.objects.filter(
                pk__in=regio_locaties(request.user, a.regio).values("pk")
            ),
        )
        if not form.is_valid():
            messages.error(request, "Kies een locatie uit de lijst.")
            return HttpResponseRedirect(self.detail_url())
        try:
            plaatsing = ws.reserveren(a, form.cleaned_data["locatie"], request.user, vandaag())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.detail_url())
        messages.success(request, f"Er is een plaats gereserveerd op {plaatsing.locatie.naam}.")
        return HttpResponseRedirect(self.detail_url())


class PlaatsingMixin(basis.PlaatsingMixin):
    capability = CHANGE


class BevestigenView(PlaatsingMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            ws.bevestigen(self.plaatsing(), request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "De aanbieder heeft de plaats bevestigd.")
        return HttpResponseRedirect(self.detail_url())


class PlaatsenView(PlaatsingMixin, FormView):
    """Confirmation page with the date of placement."""

    form_class = PlaatsenForm
    template_name = "toegang/wachtlijst/plaatsing_actie.html"
    extra_context = {
        "titel": "Cliënt plaatsen",
        "knop": "Plaatsen",
        "uitleg": "De cliënt gaat van de wachtlijst af (reden: geplaatst). Een plaatsing rust "
        "op een vastgestelde beschikking voor deze functie die de plaatsingsdatum dekt; de "
        "toewijzing aan de aanbieder van de locatie wordt daaruit gemaakt. Is er nog geen "
        "beschikking, dan kan alleen een crisisplaatsing met een reden: de beschikking volgt "
        "dan binnen de termijn van de regio (een taak voor wie beschikt). In de monitoring "
        "telt de plaatsing als instroom via de wachtlijst.",
    }

    def get_initial(self):
        return {"datum": vandaag()}

    def get_context_data(self, **kwargs):
        p = self.plaatsing()
        return super().get_context_data(
            grondslag=ws.dekkend_product(p.aanmelding, vandaag()), grondslag_getoond=True,
            **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        try:
            plaatsing, notitie = ws.plaatsen(
                self.plaatsing(), self.request.user, form.cleaned_data["datum"],
                crisis_reden=form.cleaned_data["crisis_reden"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        meld_plaatsing(
            self.request, f"De cliënt is geplaatst op {plaatsing.locatie.naam}.", plaatsing, notitie
        )
        return HttpResponseRedirect(self.detail_url())


class VervallenView(PlaatsingMixin, FormView):
    form_class = DatumForm
    template_name = "toegang/wachtlijst/plaatsing_actie.html"
    extra_context = {
        "titel": "Plaats laten vervallen",
        "knop": "Laten vervallen",
        "uitleg": "De gereserveerde plaats komt weer vrij; de cliënt blijft op de wachtlijst.",
    }

    def get_initial(self):
        return {"datum": vandaag()}

    def form_valid(self, form):
        try:
            ws.vervallen(self.plaatsing(), self.request.user, form.cleaned_data["datum"])
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        else:
            messages.success(self.request, "De plaats is vervallen.")
        return HttpResponseRedirect(self.detail_url())


class BeschikkingVerwerkenView(PlaatsingMixin, View):
    """POST, one click: the beschikking of a crisis placement followed; link it and make the
    toewijzing from it (``crisis.afsluiten``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            notitie = crisis.afsluiten(self.plaatsing(), request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.detail_url())
        plaatsing = self.plaatsing()
        plaatsing.refresh_from_db()
        if plaatsing.beschikking_id:
            meld_plaatsing(request, "De beschikking is bij de plaatsing vastgelegd.", plaatsing,
                           notitie)  # fmt: skip
        else:
            messages.error(request, notitie)
        return HttpResponseRedirect(self.detail_url())


urlpatterns = [
    path(
        "wachtlijst/plaatsingen/<int:pk>/beschikking-verwerken/",
        BeschikkingVerwerkenView.as_view(),
        name="plaatsing_beschikking_verwerken",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/reserveren/",
        ReserverenView.as_view(),
        name="plaatsing_reserveren",
    ),
    path(
        "wachtlijst/plaatsingen/<int:pk>/bevestigen/",
        BevestigenView.as_view(),
        name="plaatsing_bevestigen",
    ),
    path(
        "wachtlijst/plaatsingen/<int:pk>/plaatsen/",
        PlaatsenView.as_view(),
        name="plaatsing_plaatsen",
    ),
    path(
        "wachtlijst/plaatsingen/<int:pk>/vervallen/",
        VervallenView.as_view(),
        name="plaatsing_vervallen",
    ),
]
