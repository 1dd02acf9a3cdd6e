"""The BDVO drafted from the waiting list: the Centrale Toegang, who sees the client, drafts a
beperkte dienstverleningsovereenkomst for one client with an aanbieder outside the regio's
contracts; RISB approves it on the contract page (``inkoop.contracten.services.bdvo_goedkeuren``).

Rules:
- only for an aanmelding that is not gone from the list (placed included: a crisis placement may
  come first) and is a crisis (route or urgentie) or has an approved buitenregionale plaatsing
  (``bdvo_mogelijk``);
- the caller may change the aanmelding (``toegang.change_aanmelding``, ``regio.query.vereis``);
  inkoop's ``bdvo_opstellen`` then drafts it as a system call with the caller as the one who
  drafted it (``opgesteld_door``), so the same person can never approve it (four eyes);
- the BDVO is for the aanmelding's client (its pseudonymous key) and the dossier's
  verantwoordelijke gemeente, on a perceel of the aanmelding's regio with beschermd-wonen
  products, with its own tariff (euro's, not negative) per a WJ756 eenheid;
- one draft at a time: while a BDVO of the client with the same aanbieder and perceel awaits
  approval, a second one for an overlapping period is refused.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from inkoop.contracten.services import bdvo_opstellen
from inkoop.models import Aanbieder, Contract, Perceel, Product
from regio.models import Domein
from toegang.models import Aanmelding
from toegang.wachtlijst import services as ws

# inkoop's field names -> the fields of the form on the aanmelding (BdvoForm).
VELDEN = {
    "bdvo_tarief": "tarief",
    "bdvo_eenheid": "eenheid",
    "percelen": "perceel",
    "gemeenten": NON_FIELD_ERRORS,
}


def crisis(aanmelding: Aanmelding) -> bool:
    return (
        aanmelding.route == Aanmelding.Route.CRISIS
        or aanmelding.urgentie == Aanmelding.Urgentie.CRISIS
    )


def bdvo_mogelijk(aanmelding: Aanmelding) -> bool:
    """A BDVO may be drafted from this aanmelding (see the module's rules)."""
    return aanmelding.status != Aanmelding.Status.UITGESTROOMD and (
        crisis(aanmelding) or ws.buitenregionaal_goedgekeurd(aanmelding)
    )


def bw_percelen(regio):
    """The percelen of ``regio`` with beschermd-wonen products (the functies' percelen)."""
    producten = Product.objects.filter(perceel__regio=regio, domein=Domein.BESCHERMD_WONEN)
    return Perceel.objects.filter(pk__in=producten.values("perceel")).order_by("begin", "naam")


def bdvos_van(aanmelding: Aanmelding, contracten):
    """The BDVO's of the aanmelding's client in its regio, from the caller's scoped
    ``contracten``, drafted first first."""
    return (
        contracten.filter(
            soort=Contract.Soort.BDVO, bdvo_client=aanmelding.client_id, regio=aanmelding.regio_id
        )
        .select_related("aanbieder")
        .prefetch_related("percelen")
        .order_by("begin", "pk")
    )


def _hernoemd(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {VELDEN.get(veld, veld): fouten for veld, fouten in exc.error_dict.items()}
    )


@transaction.atomic
def bdvo_voor_aanmelding(
    aanmelding: Aanmelding, user, *, aanbieder: Aanbieder, perceel: Perceel,
    begin: datetime.date, einde: datetime.date, tarief: Decimal | None, eenheid: str,
    kenmerk: str = "",
) -> Contract:  # fmt: skip
    """Draft a BDVO for the client of ``aanmelding`` (see the module's rules); it covers
    nothing until RISB approves it."""
    aanmelding = ws._vergrendel(aanmelding, user)
    if not bdvo_mogelijk(aanmelding):
        raise ValidationError(
            "Een BDVO stelt u op voor een crisis-aanmelding of na goedkeuring van een "
            "buitenregionale plaatsing, zolang de cliënt niet van de lijst is."
        )
    fouten = {}
    if not bw_percelen(aanmelding.regio).filter(pk=perceel.pk).exists():
        fouten["perceel"] = (
            f"Kies een perceel voor beschermd wonen van regio {aanmelding.regio.naam}."
        )
    if tarief is None or tarief < 0:
        fouten["tarief"] = "Vul het tarief van de BDVO in (in euro's, niet negatief)."
    if not eenheid:
        fouten["eenheid"] = "Kies de eenheid waarin het tarief geldt."
    gemeente = aanmelding.dossier.verantwoordelijke_gemeente
    if gemeente is None:
        fouten[NON_FIELD_ERRORS] = (
            "Het dossier van de cliënt heeft geen verantwoordelijke gemeente."
        )
    if begin and einde and einde >= begin:
        dubbel = Contract.objects.filter(
            soort=Contract.Soort.BDVO, bdvo_client=aanmelding.client_id, aanbieder=aanbieder,
            percelen=perceel, goedgekeurd_op__isnull=True, begin__lte=einde, einde__gte=begin,
        )  # fmt: skip
        if dubbel.exists():
            fouten["aanbieder"] = (
                "Er wacht al een BDVO met deze aanbieder voor deze cliënt op goedkeuring door "
                "RISB, in een overlappende periode."
            )
    if fouten:
        raise ValidationError(fouten)
    try:
        return bdvo_opstellen(
            None, regio=aanmelding.regio, aanbieder=aanbieder, client_id=aanmelding.client_id,
            gemeente=gemeente, perceel=perceel, begin=begin, einde=einde, tarief=tarief,
            eenheid=eenheid, kenmerk=kenmerk, opsteller=user,
        )  # fmt: skip
    except ValidationError as exc:
        raise _hernoemd(exc) from None
