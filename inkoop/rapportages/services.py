"""The quarterly report (periodieke rapportage) of an aanbieder and its review by RISB: statuses
and who may move a report between them, remarks, quarters and the dashboard helpers.

Who may move a report from which status to which is one table (``OVERGANGEN``) of capabilities,
checked through the scoping layer (``Rapportage.objects.visible_to``), never by role name. The
plausibility signals for the reviewer are in ``plausibiliteit``, the upload and the template in
``importeren``.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from inkoop.models import Product, Rapportage, Rapportagestap
from regio import audit
from regio.aggregates import suppress
from regio.models import Notificatie
from regio.notificaties import meld, wie_mag
from regio.query import mag, vereis

Status = Rapportage.Status

DIEN_IN = "inkoop.dien_rapportage_in"
BEOORDEEL = "inkoop.beoordeel_rapportage"
WIJZIG = "inkoop.change_rapportage"
VIEW = "inkoop.view_rapportage"

# (from, to) -> the capability the user must hold for this report.
OVERGANGEN: dict[tuple[str, str], str] = {
    (Status.CONCEPT, Status.INGEDIEND): DIEN_IN,
    (Status.TERUGGESTUURD, Status.INGEDIEND): DIEN_IN,
    (Status.INGEDIEND, Status.IN_BEOORDELING): BEOORDEEL,
    (Status.IN_BEOORDELING, Status.AKKOORD): BEOORDEEL,
    (Status.IN_BEOORDELING, Status.TERUGGESTUURD): BEOORDEEL,
    (Status.AKKOORD, Status.DEFINITIEF): BEOORDEEL,
}
# What the button says, per target status.
ACTIES = {
    Status.INGEDIEND: "Indienen",
    Status.IN_BEOORDELING: "Beoordeling starten",
    Status.AKKOORD: "Akkoord geven",
    Status.TERUGGESTUURD: "Terugsturen",
    Status.DEFINITIEF: "Definitief maken",
}
# Transitions that ask for confirmation first (they end the sender's say over the report).
BEVESTIGEN = frozenset({Status.INGEDIEND, Status.AKKOORD, Status.TERUGGESTUURD, Status.DEFINITIEF})
BEWERKBAAR = frozenset({Status.CONCEPT, Status.TERUGGESTUURD})
WACHT_OP_BEOORDELING = (Status.INGEDIEND, Status.IN_BEOORDELING)

_WEIGERING = {
    DIEN_IN: "Alleen de aanbieder zelf kan deze rapportage indienen.",
    BEOORDEEL: "Alleen een contractmanager (RISB) van de regio kan deze rapportage beoordelen.",
}

# Client counts: shown as '<5' for 1..4 to anyone who is not the aanbieder itself.
CLIENTAANTALLEN = ("clienten_in_zorg", "instroom", "uitstroom", "wachtenden")

INLEVERTERMIJN_DAGEN = 30


# --- quarters -----------------------------------------------------------------------------------


def kwartaal_begin(jaar: int, kwartaal: int) -> datetime.date:
    return datetime.date(jaar, 3 * (kwartaal - 1) + 1, 1)


def kwartaal_einde(jaar: int, kwartaal: int) -> datetime.date:
    return kwartaal_begin(jaar, kwartaal) + relativedelta(months=3, days=-1)


def kwartaal_van(datum: datetime.date) -> tuple[int, int]:
    return datum.year, (datum.month - 1) // 3 + 1


def vorig_kwartaal(jaar: int, kwartaal: int) -> tuple[int, int]:
    return (jaar, kwartaal - 1) if kwartaal > 1 else (jaar - 1, 4)


def kwartaal_label(jaar: int, kwartaal: int) -> str:
    return f"{jaar}-K{kwartaal}"


def verplicht_kwartaal(peildatum: datetime.date) -> tuple[int, int]:
    """The most recent quarter whose inlevertermijn (``INLEVERTERMIJN_DAGEN`` after its end) has
    passed on ``peildatum``: the quarter a missing report counts as late for."""
    jaar, kwartaal = vorig_kwartaal(*kwartaal_van(peildatum))
    termijn = kwartaal_einde(jaar, kwartaal) + datetime.timedelta(days=INLEVERTERMIJN_DAGEN)
    if peildatum <= termijn:
        jaar, kwartaal = vorig_kwartaal(jaar, kwartaal)
    return jaar, kwartaal


def weigering_kwartaal(jaar: int, kwartaal: int, vandaag: datetime.date | None = None):
    """Why no report can be made or filled for this quarter yet (None: it has ended). A report
    tells what happened in a whole quarter; the web form, the upload and the API all ask here
    (``maak_rapportage``, ``bewerking``, ``overgang`` to ingediend)."""
    vandaag = vandaag or datetime.date.today()
    if kwartaal_begin(jaar, kwartaal) > vandaag:
        return "Dit kwartaal is nog niet begonnen."
    einde = kwartaal_einde(jaar, kwartaal)
    if einde >= vandaag:
        return (
            f"Het kwartaal {kwartaal_label(jaar, kwartaal)} is nog niet voorbij (het loopt tot "
            f"en met {einde:%d-%m-%Y}); u rapporteert erover vanaf "
            f"{einde + datetime.timedelta(days=1):%d-%m-%Y}."
        )
    return None


def _vereis_kwartaal_voorbij(rapportage: Rapportage) -> None:
    if weigering := weigering_kwartaal(rapportage.jaar, rapportage.kwartaal):
        raise ValidationError({"kwartaal": weigering}, code="kwartaal")


def maak_rapportage(contract, jaar: int, kwartaal: int, *, user) -> Rapportage:
    """A new concept report of the aanbieder (``user``) on its own contract, for a quarter that
    has ended and in which the contract ran. Errors name the field (``kwartaal``)."""
    vereis(user, DIEN_IN, contract, _WEIGERING[DIEN_IN])
    if weigering := weigering_kwartaal(jaar, kwartaal):
        raise ValidationError({"kwartaal": weigering}, code="kwartaal")
    begin, einde = kwartaal_begin(jaar, kwartaal), kwartaal_einde(jaar, kwartaal)
    if contract.begin > einde or contract.looptijd_einde < begin:
        raise ValidationError(
            {
                "kwartaal": f"Het contract liep niet in {kwartaal_label(jaar, kwartaal)} "
                f"(looptijd {contract.begin:%d-%m-%Y} tot en met "
                f"{contract.looptijd_einde:%d-%m-%Y})."
            },
            code="kwartaal",
        )
    with transaction.atomic():
        if Rapportage.objects.filter(contract=contract, jaar=jaar, kwartaal=kwartaal).exists():
            raise ValidationError(
                {"kwartaal": "Voor dit contract en kwartaal is al een rapportage."}, code="dubbel"
            )
        rapportage = Rapportage.objects.create(contract=contract, jaar=jaar, kwartaal=kwartaal)
        audit.record("create", objects=[rapportage], actor=user)
    return rapportage


# --- who may do what ----------------------------------------------------------------------------


def ziet_exacte_aantallen(user, rapportage: Rapportage) -> bool:
    """Only the aanbieder itself sees client counts below 5; everyone else sees '<5'."""
    return mag(user, DIEN_IN, rapportage)


def toon_aantal(aantal, exact: bool):
    return aantal if exact else suppress(aantal)


def toegestane_overgangen(rapportage: Rapportage, user) -> list[str]:
    """The target statuses ``user`` may move this report to now (the buttons on its page; the
    same rules as ``overgang``: not submitted before its quarter has ended)."""
    cache: dict[str, bool] = {}
    result = []
    for (van, naar), capability in OVERGANGEN.items():
        if van != rapportage.status:
            continue
        if naar == Status.INGEDIEND and weigering_kwartaal(rapportage.jaar, rapportage.kwartaal):
            continue
        if capability not in cache:
            cache[capability] = mag(user, capability, rapportage)
        if cache[capability]:
            result.append(naar)
    return result


def _status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def overgang(rapportage: Rapportage, naar: str, user, toelichting: str = "") -> Rapportage:
    """Move ``rapportage`` to status ``naar`` on behalf of ``user``.

    The row is locked; a report the user cannot see is not found (Http404), a transition that
    does not exist is refused (ValidationError), one the user may not make for this report too
    (PermissionDenied). A Rapportagestap and an audit row are written.
    """
    toelichting = (toelichting or "").strip()
    if naar not in Status.values:
        raise ValidationError(f"Onbekende status ‘{naar}’.", code="onbekend")
    with transaction.atomic():
        locked = Rapportage.objects.select_for_update().get(pk=rapportage.pk)
        vereis(user, VIEW, locked)
        van = locked.status
        capability = OVERGANGEN.get((van, naar))
        if capability is None:
            raise ValidationError(
                f"Een rapportage met status ‘{_status_label(van)}’ kan niet naar "
                f"‘{_status_label(naar)}’.",
                code="overgang",
            )
        vereis(user, capability, locked, _WEIGERING[capability])
        if naar == Status.INGEDIEND:
            _vereis_kwartaal_voorbij(locked)
        if (
            naar == Status.TERUGGESTUURD
            and not toelichting
            and not locked.opmerkingen.filter(opgelost=False).exists()
        ):
            raise ValidationError(
                "Geef een toelichting of plaats eerst een opmerking: de aanbieder moet weten "
                "wat er anders moet.",
                code="toelichting",
            )
        locked.status = naar
        velden = ["status", "gewijzigd_op"]
        if naar == Status.INGEDIEND:
            locked.ingediend_op = timezone.now()
            velden.append("ingediend_op")
        locked.save(update_fields=velden)
        stap = Rapportagestap.objects.create(
            rapportage=locked, van=van, naar=naar, door=user, toelichting=toelichting
        )
        audit.record(
            "change",
            objects=[locked],
            actor=user,
            toelichting={"overgang": f"{van} -> {naar}", "stap": stap.pk},
        )
        _meld(locked, user)
    rapportage.status = locked.status
    rapportage.ingediend_op = locked.ingediend_op
    return locked


# Who hears of a step at once, in its transaction: RISB of a report sent in, the aanbieder of the
# answer. (soort, capability of the recipients, what the text says)
MELDINGEN = {
    Status.INGEDIEND: (Notificatie.Soort.RAPPORTAGE_INGEDIEND, BEOORDEEL, "is ingediend"),
    Status.TERUGGESTUURD: (
        Notificatie.Soort.RAPPORTAGE_TERUGGESTUURD, DIEN_IN, "is teruggestuurd",
    ),
    Status.AKKOORD: (Notificatie.Soort.RAPPORTAGE_AKKOORD, DIEN_IN, "is akkoord bevonden"),
}  # fmt: skip


def _meld(rapportage: Rapportage, user) -> None:
    if rapportage.status not in MELDINGEN:
        return
    soort, capability, wat = MELDINGEN[rapportage.status]
    aanbieder = rapportage.contract.aanbieder.naam
    contract = rapportage.contract
    meld(
        wie_mag(
            capability,
            rapportage,
            behalve=[user],
            regio=contract.regio_id,
            aanbieder=contract.aanbieder_id,
        ),  # fmt: skip
        soort=soort,
        tekst=f"Rapportage {rapportage} van {aanbieder} {wat}.",
        url=reverse("inkoop:rapportage-detail", args=[rapportage.pk]),
    )


@contextmanager
def bewerking(rapportage: Rapportage, user, **toelichting):
    """Lock the report for a change of its figures or lines by ``user`` (``vereis``); refuses
    (ValidationError) when it is no longer a concept or sent back. The change is audited when the
    block succeeds."""
    with transaction.atomic():
        locked = Rapportage.objects.select_for_update().get(pk=rapportage.pk)
        vereis(user, WIJZIG, locked)
        if locked.status not in BEWERKBAAR:
            raise ValidationError(
                f"Deze rapportage heeft status ‘{locked.get_status_display()}’ en kan niet meer "
                "worden gewijzigd.",
                code="niet_bewerkbaar",
            )
        _vereis_kwartaal_voorbij(locked)
        yield locked
        audit.record("change", objects=[locked], actor=user, toelichting=toelichting or None)


def plaats_opmerking(rapportage: Rapportage, onderdeel: str, tekst: str, user):
    """A reviewer's comment on one item; only while the report is being reviewed."""
    from inkoop.models import Rapportageopmerking

    with transaction.atomic():
        locked = Rapportage.objects.select_for_update().get(pk=rapportage.pk)
        vereis(user, "inkoop.add_rapportageopmerking", locked, _WEIGERING[BEOORDEEL])
        if locked.status != Status.IN_BEOORDELING:
            raise ValidationError(
                "Opmerkingen plaatst u tijdens de beoordeling; start eerst de beoordeling.",
                code="status",
            )
        opmerking = Rapportageopmerking.objects.create(
            rapportage=locked, onderdeel=onderdeel, tekst=tekst.strip(), door=user
        )
        audit.record("create", objects=[opmerking], actor=user)
    return opmerking


def los_opmerking_op(opmerking, user):
    vereis(user, "inkoop.change_rapportageopmerking", opmerking)
    opmerking.opgelost = True
    opmerking.save(update_fields=["opgelost"])
    audit.record("change", objects=[opmerking], actor=user, toelichting={"opgelost": True})
    return opmerking


# --- dashboard helpers --------------------------------------------------------------------------


def wacht_op_beoordeling(rapportages_qs):
    """Reports RISB still has to finish: submitted or under review, oldest submission first."""
    return rapportages_qs.filter(status__in=WACHT_OP_BEOORDELING).order_by("ingediend_op", "pk")


def te_laat(contracts_qs, peildatum: datetime.date):
    """Contracts that ran during the quarter of ``verplicht_kwartaal(peildatum)`` and have no
    submitted report for it (a concept does not count), more than INLEVERTERMIJN_DAGEN after that
    quarter ended."""
    jaar, kwartaal = verplicht_kwartaal(peildatum)
    ingeleverd = Rapportage.objects.filter(
        contract=OuterRef("pk"), jaar=jaar, kwartaal=kwartaal
    ).exclude(status=Status.CONCEPT)
    return contracts_qs.filter(
        begin__lte=kwartaal_einde(jaar, kwartaal),
        looptijd_einde__gte=kwartaal_begin(jaar, kwartaal),
    ).filter(~Exists(ingeleverd))


# --- what a report holds ------------------------------------------------------------------------

KENGETALLEN = (
    "clienten_in_zorg",
    "instroom",
    "uitstroom",
    "wachtenden",
    "uitgaven_tot_nu",
    "clienttevredenheid",
    "doelrealisatie",
    "incidenten",
    "aandeel_hbo",
    "aandeel_mbo",
)
KENGETALLEN_OPTIONEEL = frozenset(
    {"clienttevredenheid", "doelrealisatie", "aandeel_hbo", "aandeel_mbo"}
)


def producten_voor(rapportage: Rapportage):
    """The contract's products valid at some time in the report's quarter."""
    begin = kwartaal_begin(rapportage.jaar, rapportage.kwartaal)
    einde = kwartaal_einde(rapportage.jaar, rapportage.kwartaal)
    return (
        Product.objects.filter(perceel__in=rapportage.contract.percelen.all(), begin__lte=einde)
        .filter(Q(einde__isnull=True) | Q(einde__gte=begin))
        .select_related("perceel")
        .order_by("perceel__naam", "naam")
    )


def gemeenten_voor(rapportage: Rapportage):
    return rapportage.contract.gemeenten.order_by("naam")
