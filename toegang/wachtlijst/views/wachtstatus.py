"""Proactive wachtstatus updates to the client (letter) and the lokaal team (notice): the
latest berichten on the aanmelding's page, "Wachtstatus nu bijwerken" for who may send them,
and a client bericht as a PDF letter on the letterhead of the regio's centrumgemeente."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from regio import audit
from regio.mixins import ScopedViewMixin
from regio.pdf import logo_uri, render_pdf
from toegang.dossiers.services import postadres, postontvanger
from toegang.models import Aanmelding, Wachtstatusbericht
from toegang.wachtlijst import wachtstatus as wss
from toegang.wachtlijst.views.basis import AanmeldingMixin

LAATSTE = 10


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_wachtstatus.html``)."""
    berichten = Wachtstatusbericht.objects.visible_to(user, wss.VIEW).filter(aanmelding=aanmelding)
    totaal = berichten.count()
    laatste = list(berichten.order_by("-datum", "-pk")[:LAATSTE])
    if laatste:
        audit.record("view", objects=laatste, object_type=audit.object_label(Wachtstatusbericht))
    return {
        "wachtstatus_berichten": laatste,
        "wachtstatus_totaal": totaal,
        "wachtstatus_mag_bijwerken": Aanmelding.objects.visible_to(user, wss.ADD)
        .filter(pk=aanmelding.pk)
        .exists(),
        "wachtstatus_interval_weken": aanmelding.regio.wachtstatus_interval_weken,
    }


class BijwerkenView(AanmeldingMixin, View):
    """POST: send what the aanmelding is owed now (nothing twice)."""

    capability = wss.ADD
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        nieuw = wss.bijwerken(self.aanmelding(), timezone.localdate(), user=request.user)
        if nieuw:
            messages.success(
                request,
                f"{len(nieuw)} wachtstatusbericht{'en' if len(nieuw) != 1 else ''} verstuurd.",
            )
        else:
            messages.info(request, "Er was geen nieuw wachtstatusbericht nodig.")
        return HttpResponseRedirect(self.detail_url())


def _adresregels(adres) -> list[str]:
    huis = f"{adres.huisnummer}{adres.huisletter}"
    if adres.toevoeging:
        huis += f"-{adres.toevoeging}"
    return [f"{adres.straat} {huis}", f"{adres.postcode}  {adres.plaats.upper()}"]


def brief_ontvanger(aanmelding) -> dict:
    """Name and address lines for the letter window (the representative who receives the post,
    else the client); empty lines when no address is known."""
    persoon = getattr(aanmelding.dossier.client, "persoon", None)
    if persoon is None:
        return {"naam": "", "regels": []}
    relatie = postontvanger(persoon)
    if relatie is not None and relatie.straat and relatie.postcode and relatie.plaats:
        return {
            "naam": relatie.naam,
            "organisatie": relatie.organisatie,
            "regels": [
                f"{relatie.straat} {relatie.huisnummer}".strip(),
                f"{relatie.postcode}  {relatie.plaats.upper()}",
            ],
        }
    adres = postadres(persoon)
    return {"naam": persoon.naam, "regels": _adresregels(adres) if adres else []}


KOPPEN = {"Hoe lang wacht u al?", "Hulp terwijl u wacht", "Wat gebeurt er nu?", "Hebt u vragen?"}


def alineas(tekst: str) -> list[dict]:
    """The stored text as paragraphs; a known first line becomes the paragraph's heading."""
    uit = []
    for alinea in tekst.split("\n\n"):
        regels = alinea.split("\n")
        kop = regels.pop(0) if len(regels) > 1 and regels[0] in KOPPEN else ""
        uit.append({"kop": kop, "regels": regels})
    return uit


class BriefView(ScopedViewMixin, SingleObjectMixin, View):
    """A client bericht as a PDF letter; the URL carries only the bericht's id; audited."""

    model = Wachtstatusbericht
    capability = wss.VIEW

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(ontvanger=Wachtstatusbericht.Ontvanger.CLIENT)
            .select_related(
                "aanmelding__regio__centrumgemeente", "aanmelding__functie",
                "aanmelding__dossier__client__persoon",
            )
        )  # fmt: skip

    def get(self, request, *args, **kwargs):
        bericht = self.get_object()
        a = bericht.aanmelding
        gemeente = a.regio.centrumgemeente
        pdf = render_pdf(
            "toegang/wachtlijst/wachtstatus_brief_pdf.html",
            {
                "bericht": bericht,
                "aanmelding": a,
                "gemeente": gemeente,
                "logo": logo_uri(gemeente),
                "ontvanger": brief_ontvanger(a),
                "alineas": alineas(bericht.tekst),
            },
        )
        audit.record("export", objects=[bericht], toelichting={"aanmelding": a.pk})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="wachtstatus-{bericht.pk}.pdf"'
        return response


urlpatterns = [
    path(
        "wachtlijst/aanmeldingen/<int:pk>/wachtstatus/bijwerken/",
        BijwerkenView.as_view(),
        name="wachtstatus_bijwerken",
    ),
    path("wachtlijst/wachtstatus/<int:pk>/brief/", BriefView.as_view(), name="wachtstatus_brief"),
]
