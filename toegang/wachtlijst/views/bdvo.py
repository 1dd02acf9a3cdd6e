"""The BDVO on the aanmelding page: the Centrale Toegang drafts one for a crisis or an approved
buitenregionale plaatsing (``toegang.wachtlijst.bdvo``), and the page lists the client's BDVO's
with their status; RISB approves them on the contract page (inkoop)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.generic import FormView

from inkoop.models import Aanbieder, Contract, Perceel, Product
from regio.forms import fouten_op_formulier
from regio.models import Domein
from regio.query import mag as mag_voor
from toegang.wachtlijst import bdvo
from toegang.wachtlijst.forms import BdvoForm
from toegang.wachtlijst.views.basis import AanmeldingMixin

CHANGE_AANMELDING = "toegang.change_aanmelding"
VIEW_CONTRACT = "inkoop.view_contract"
VIEW_PRODUCT = "inkoop.view_product"
VIEW_AANBIEDER = "inkoop.view_aanbieder"


def vandaag() -> datetime.date:
    return datetime.date.today()


def status_van(contract: Contract) -> str:
    if contract.goedgekeurd_op is not None:
        return "goedgekeurd"
    return "wacht op goedkeuring door RISB"


class BdvoOpstellenView(AanmeldingMixin, FormView):
    """Draft a BDVO for the client of the aanmelding."""

    capability = CHANGE_AANMELDING
    form_class = BdvoForm
    template_name = "toegang/wachtlijst/bdvo_opstellen.html"

    def get_initial(self):
        a = self.aanmelding()
        initial = {"begin": vandaag()}
        if a.functie_id is not None:
            initial["perceel"] = a.functie.perceel_id
        return initial

    def get_form_kwargs(self):
        a, user = self.aanmelding(), self.request.user
        # The percelen of the regio's beschermd-wonen products the user may see.
        zichtbaar = Product.objects.visible_to(user, VIEW_PRODUCT).filter(
            perceel__regio=a.regio, domein=Domein.BESCHERMD_WONEN
        )
        percelen = Perceel.objects.filter(pk__in=zichtbaar.values("perceel")).order_by(
            "begin", "naam"
        )
        # The aanbieders the user sees (those in the regio and those without any contract);
        # one contracted only elsewhere is named by its AGB code (BdvoForm.clean).
        aanbieders = Aanbieder.objects.visible_to(user, VIEW_AANBIEDER).order_by("naam")
        return {**super().get_form_kwargs(), "aanbieders": aanbieders, "percelen": percelen}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            naam=naam_van(self.aanmelding()), mogelijk=bdvo.bdvo_mogelijk(self.aanmelding()),
            **kwargs,
        )  # fmt: skip

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            contract = bdvo.bdvo_voor_aanmelding(
                self.aanmelding(), self.request.user, aanbieder=data["aanbieder"],
                perceel=data["perceel"], begin=data["begin"], einde=data["einde"],
                tarief=data["tarief"], eenheid=data["eenheid"], kenmerk=data["kenmerk"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"BDVO {contract.kenmerk} met {contract.aanbieder.naam} is opgesteld. Zij wacht op "
            "goedkeuring door RISB; pas daarna kan de cliënt daar geplaatst worden.",
        )
        return HttpResponseRedirect(self.detail_url())


def naam_van(aanmelding) -> str:
    persoon = getattr(aanmelding.dossier.client, "persoon", None)
    return persoon.naam if persoon else "(gegevens verwijderd)"


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_bdvo.html``): the
    client's BDVO's with their status, and whether the user may draft one, under ``bdvo``."""
    opstellen = (
        bdvo.bdvo_mogelijk(aanmelding)
        and user.has_perm(CHANGE_AANMELDING)
        and mag_voor(user, CHANGE_AANMELDING, aanmelding)
    )
    lijst = []
    if user.has_perm(VIEW_CONTRACT):
        for c in bdvo.bdvos_van(aanmelding, Contract.objects.visible_to(user, VIEW_CONTRACT)):
            c.status_tekst = status_van(c)
            lijst.append(c)
    return {"bdvo": {"opstellen": opstellen, "lijst": lijst}}


urlpatterns = [
    path(
        "wachtlijst/aanmeldingen/<int:pk>/bdvo/",
        BdvoOpstellenView.as_view(),
        name="aanmelding_bdvo",
    ),
]
