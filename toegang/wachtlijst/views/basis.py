"""The base of every Centrale Toegang screen about one aanmelding or one of its plaatsingen:
the object through the scoping layer (404 outside it) and the way back to the aanmelding page.
Its own module, so the list, placement, doorstroom, regie and wachtstatus screens can all use it
without importing each other (views/wachtlijst.py includes the others' parts of the page)."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.views.generic.detail import SingleObjectMixin

from regio.mixins import ScopedViewMixin
from toegang.models import Aanmelding, Plaatsing


class AanmeldingMixin(ScopedViewMixin, SingleObjectMixin):
    model = Aanmelding
    context_object_name = "aanmelding"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "regio", "functie__perceel", "gemeente_herkomst", "dossier__client__persoon",
                "voorkeur_gemeente", "voorkeur_aanbieder", "voorkeur_locatie", "beschikking",
            )
        )  # fmt: skip

    def aanmelding(self) -> Aanmelding:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def detail_url(self):
        return reverse("toegang:aanmelding_detail", args=[self.aanmelding().pk])

    def get_context_data(self, **kwargs):
        self.aanmelding()
        return super().get_context_data(**kwargs)


class PlaatsingMixin(ScopedViewMixin, SingleObjectMixin):
    model = Plaatsing
    context_object_name = "plaatsing"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "aanmelding__regio", "aanmelding__dossier__client__persoon",
                "locatie__aanbieder", "toewijzing",
            )
        )  # fmt: skip

    def plaatsing(self) -> Plaatsing:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        return self.object

    def detail_url(self):
        return reverse("toegang:aanmelding_detail", args=[self.plaatsing().aanmelding_id])

    def get_context_data(self, **kwargs):
        self.plaatsing()
        return super().get_context_data(**kwargs)


def meld_plaatsing(request, tekst: str, plaatsing, notitie: str) -> None:
    """Tell the user what a placement did: ``tekst``, the toewijzing it made, and (``notitie``)
    why it made none."""
    if plaatsing.toewijzing_id:
        tekst += f" Toewijzing {plaatsing.toewijzing.nummer} is aangemaakt."
    messages.success(request, tekst)
    if notitie:
        messages.error(request, notitie)
