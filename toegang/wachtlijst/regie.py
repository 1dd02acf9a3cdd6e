"""Regie (seed 000 §9): the trajectplan of a placed client, made by client, aanbieder and the
Centrale Toegang together, with goals and evaluations, and the worklist of evaluations due.

A plan is only made for a plaatsing that is ``geplaatst``. Dates are checked against the plan:
nothing before it was drawn up, nothing recorded in the future. Every change is audited.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When

from regio import audit
from regio.query import vereis
from toegang.models import Evaluatie, Plaatsing, Trajectdoel, Trajectplan

EVALUATIE_INTERVAL = relativedelta(months=3)
BINNENKORT_DAGEN = 30


def vandaag() -> datetime.date:
    return datetime.date.today()


def voorgestelde_evaluatie(vanaf: datetime.date) -> datetime.date:
    """The suggested (editable) date of the next evaluation: three months on."""
    return vanaf + EVALUATIE_INTERVAL


def _fouten(fouten: dict):
    if fouten:
        raise ValidationError(fouten)


def _plan_datums(opgesteld_op, client_akkoord_op, aanbieder_akkoord_op, peildatum):
    fouten = {}
    if opgesteld_op is None:
        fouten["opgesteld_op"] = "Vul de datum in waarop het plan is opgesteld."
    elif opgesteld_op > peildatum:
        fouten["opgesteld_op"] = "Deze datum ligt in de toekomst."
    for veld, datum in (
        ("client_akkoord_op", client_akkoord_op),
        ("aanbieder_akkoord_op", aanbieder_akkoord_op),
    ):
        if datum is None:
            continue
        if datum > peildatum:
            fouten[veld] = "Deze datum ligt in de toekomst."
        elif opgesteld_op and datum < opgesteld_op:
            fouten[veld] = "Akkoord kan niet vóór het opstellen van het plan."
    return fouten


def _vergrendel_plan(plan: Trajectplan, user, capability: str) -> Trajectplan:
    """The plan, locked, once ``user`` may do this to it (``regio.query.vereis``)."""
    vereis(user, capability, plan)
    return (
        Trajectplan.objects.select_for_update(of=("self",))
        .select_related("plaatsing")
        .get(pk=plan.pk)
    )


@transaction.atomic
def trajectplan_opstellen(
    plaatsing: Plaatsing,
    user,
    opgesteld_op: datetime.date,
    *,
    toelichting: str = "",
    client_akkoord_op: datetime.date | None = None,
    aanbieder_akkoord_op: datetime.date | None = None,
    eerste_evaluatie: datetime.date | None = None,
    peildatum: datetime.date | None = None,
) -> Trajectplan:
    """The plan of a placed client, with (optionally) the first evaluation planned."""
    vereis(user, "toegang.add_trajectplan", plaatsing)
    peildatum = peildatum or vandaag()
    plaatsing = Plaatsing.objects.select_for_update(of=("self",)).get(pk=plaatsing.pk)
    if plaatsing.status != Plaatsing.Status.GEPLAATST:
        raise ValidationError("Een trajectplan kan alleen voor een geplaatste cliënt.")
    if Trajectplan.objects.filter(plaatsing=plaatsing).exists():
        raise ValidationError("Voor deze plaatsing is al een trajectplan.")
    fouten = _plan_datums(opgesteld_op, client_akkoord_op, aanbieder_akkoord_op, peildatum)
    if eerste_evaluatie is not None and opgesteld_op and eerste_evaluatie <= opgesteld_op:
        fouten["eerste_evaluatie"] = "De evaluatie ligt na het opstellen van het plan."
    _fouten(fouten)
    try:
        with transaction.atomic():
            plan = Trajectplan.objects.create(
                plaatsing=plaatsing,
                opgesteld_op=opgesteld_op,
                opgesteld_door=user,
                client_akkoord_op=client_akkoord_op,
                aanbieder_akkoord_op=aanbieder_akkoord_op,
                toelichting=(toelichting or "").strip(),
            )
    except IntegrityError as exc:  # a colleague was just ahead of us
        raise ValidationError("Voor deze plaatsing is al een trajectplan.") from exc
    audit.record("create", objects=[plan], actor=user)
    if eerste_evaluatie is not None:
        evaluatie = Evaluatie.objects.create(trajectplan=plan, gepland_op=eerste_evaluatie)
        audit.record("create", objects=[evaluatie], actor=user)
    return plan


@transaction.atomic
def trajectplan_wijzigen(
    plan: Trajectplan,
    user,
    opgesteld_op: datetime.date,
    *,
    toelichting: str = "",
    client_akkoord_op: datetime.date | None = None,
    aanbieder_akkoord_op: datetime.date | None = None,
    peildatum: datetime.date | None = None,
) -> Trajectplan:
    plan = _vergrendel_plan(plan, user, "toegang.change_trajectplan")
    fouten = _plan_datums(
        opgesteld_op, client_akkoord_op, aanbieder_akkoord_op, peildatum or vandaag()
    )
    eerste = plan.evaluaties.filter(uitgevoerd_op__isnull=False).order_by("uitgevoerd_op").first()
    if opgesteld_op and eerste is not None and opgesteld_op > eerste.uitgevoerd_op:
        fouten.setdefault("opgesteld_op", "Er is al een evaluatie vóór deze datum uitgevoerd.")
    _fouten(fouten)
    plan.opgesteld_op = opgesteld_op
    plan.client_akkoord_op = client_akkoord_op
    plan.aanbieder_akkoord_op = aanbieder_akkoord_op
    plan.toelichting = (toelichting or "").strip()
    plan.save(
        update_fields=["opgesteld_op", "client_akkoord_op", "aanbieder_akkoord_op", "toelichting"]
    )
    audit.record("change", objects=[plan], actor=user)
    return plan


def _doel_velden(plan, leefgebied, omschrijving, streefdatum, status):
    fouten = {}
    if leefgebied not in Trajectdoel.Leefgebied.values:
        fouten["leefgebied"] = "Kies een leefgebied."
    if not (omschrijving or "").strip():
        fouten["omschrijving"] = "Beschrijf het doel."
    if status not in Trajectdoel.Status.values:
        fouten["status"] = "Kies een status."
    if streefdatum is not None and streefdatum < plan.opgesteld_op:
        fouten["streefdatum"] = "De streefdatum ligt vóór het opstellen van het plan."
    _fouten(fouten)


@transaction.atomic
def doel_toevoegen(
    plan: Trajectplan, user, leefgebied: str, omschrijving: str,
    streefdatum: datetime.date | None = None, status: str = Trajectdoel.Status.LOPEND,
) -> Trajectdoel:  # fmt: skip
    plan = _vergrendel_plan(plan, user, "toegang.add_trajectdoel")
    _doel_velden(plan, leefgebied, omschrijving, streefdatum, status)
    doel = Trajectdoel.objects.create(
        trajectplan=plan,
        leefgebied=leefgebied,
        omschrijving=omschrijving.strip(),
        streefdatum=streefdatum,
        status=status,
    )
    audit.record("create", objects=[doel], actor=user)
    return doel


@transaction.atomic
def doel_wijzigen(
    doel: Trajectdoel, user, leefgebied: str, omschrijving: str,
    streefdatum: datetime.date | None, status: str,
) -> Trajectdoel:  # fmt: skip
    vereis(user, "toegang.change_trajectdoel", doel)
    doel = Trajectdoel.objects.select_for_update().get(pk=doel.pk)
    _doel_velden(doel.trajectplan, leefgebied, omschrijving, streefdatum, status)
    doel.leefgebied = leefgebied
    doel.omschrijving = omschrijving.strip()
    doel.streefdatum = streefdatum
    doel.status = status
    doel.save(update_fields=["leefgebied", "omschrijving", "streefdatum", "status"])
    audit.record("change", objects=[doel], actor=user)
    return doel


def _controleer_geplande_datum(plan, gepland_op, veld="gepland_op"):
    if gepland_op is None:
        raise ValidationError({veld: "Vul een datum in."})
    if gepland_op <= plan.opgesteld_op:
        raise ValidationError({veld: "De evaluatie ligt na het opstellen van het plan."})


@transaction.atomic
def evaluatie_plannen(plan: Trajectplan, user, gepland_op: datetime.date) -> Evaluatie:
    plan = _vergrendel_plan(plan, user, "toegang.add_evaluatie")
    if plan.plaatsing.status != Plaatsing.Status.GEPLAATST:
        raise ValidationError("De plaatsing is beëindigd: er valt niets meer te evalueren.")
    _controleer_geplande_datum(plan, gepland_op)
    evaluatie = Evaluatie.objects.create(trajectplan=plan, gepland_op=gepland_op)
    audit.record("create", objects=[evaluatie], actor=user)
    return evaluatie


@transaction.atomic
def evaluatie_verzetten(evaluatie: Evaluatie, user, gepland_op: datetime.date) -> Evaluatie:
    vereis(user, "toegang.change_evaluatie", evaluatie)
    evaluatie = Evaluatie.objects.select_for_update().get(pk=evaluatie.pk)
    if evaluatie.uitgevoerd_op is not None:
        raise ValidationError("Deze evaluatie is al uitgevoerd.")
    _controleer_geplande_datum(evaluatie.trajectplan, gepland_op)
    evaluatie.gepland_op = gepland_op
    evaluatie.save(update_fields=["gepland_op"])
    audit.record("change", objects=[evaluatie], actor=user)
    return evaluatie


@transaction.atomic
def evaluatie_vastleggen(
    evaluatie: Evaluatie,
    user,
    uitgevoerd_op: datetime.date,
    uitkomst: str,
    verslag: str,
    *,
    volgende_op: datetime.date | None = None,
    peildatum: datetime.date | None = None,
) -> tuple[Evaluatie, Evaluatie | None]:
    """Record a held evaluation; with ``volgende_op`` the next one is planned at once."""
    vereis(user, "toegang.change_evaluatie", evaluatie)
    peildatum = peildatum or vandaag()
    evaluatie = (
        Evaluatie.objects.select_for_update(of=("self",))
        .select_related("trajectplan__plaatsing")
        .get(pk=evaluatie.pk)
    )
    if evaluatie.uitgevoerd_op is not None:
        raise ValidationError("Deze evaluatie is al vastgelegd.")
    plan = evaluatie.trajectplan
    fouten = {}
    if uitgevoerd_op is None:
        fouten["uitgevoerd_op"] = "Vul de datum van de evaluatie in."
    elif uitgevoerd_op > peildatum:
        fouten["uitgevoerd_op"] = "Een evaluatie in de toekomst kan nog niet worden vastgelegd."
    elif uitgevoerd_op < plan.opgesteld_op:
        fouten["uitgevoerd_op"] = "De evaluatie ligt vóór het opstellen van het plan."
    if uitkomst not in Evaluatie.Uitkomst.values:
        fouten["uitkomst"] = "Kies de uitkomst van de evaluatie."
    if not (verslag or "").strip():
        fouten["verslag"] = "Schrijf kort op wat er is besproken en afgesproken."
    if volgende_op is not None:
        if plan.plaatsing.status != Plaatsing.Status.GEPLAATST:
            fouten["volgende_op"] = "De plaatsing is beëindigd: plan geen volgende evaluatie."
        elif uitgevoerd_op and volgende_op <= uitgevoerd_op:
            fouten["volgende_op"] = "De volgende evaluatie ligt na deze evaluatie."
    _fouten(fouten)
    evaluatie.uitgevoerd_op = uitgevoerd_op
    evaluatie.uitgevoerd_door = user
    evaluatie.uitkomst = uitkomst
    evaluatie.verslag = verslag.strip()
    evaluatie.save(update_fields=["uitgevoerd_op", "uitgevoerd_door", "uitkomst", "verslag"])
    audit.record("change", objects=[evaluatie], actor=user, toelichting={"uitkomst": uitkomst})
    volgende = None
    if volgende_op is not None:
        volgende = Evaluatie.objects.create(trajectplan=plan, gepland_op=volgende_op)
        audit.record("create", objects=[volgende], actor=user)
    return evaluatie, volgende


# --- the worklist --------------------------------------------------------------------------------


def open_evaluaties(queryset, peildatum: datetime.date):
    """Evaluations not yet held of clients still placed: overdue first, then by date."""
    return (
        queryset.filter(
            uitgevoerd_op__isnull=True,
            trajectplan__plaatsing__status=Plaatsing.Status.GEPLAATST,
        )
        .annotate(
            te_laat_rang=Case(
                When(gepland_op__lt=peildatum, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("te_laat_rang", "gepland_op", "pk")
    )


def te_laat(evaluatie: Evaluatie, peildatum: datetime.date) -> bool:
    return evaluatie.uitgevoerd_op is None and evaluatie.gepland_op < peildatum


def zonder_plan(plaatsingen):
    """Placed clients (not ended) for whom no trajectplan has been made yet."""
    return plaatsingen.filter(status=Plaatsing.Status.GEPLAATST, trajectplan__isnull=True).order_by(
        "geplaatst_op", "pk"
    )
