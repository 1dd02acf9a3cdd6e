"""The inkoop rules other apps call: which contracts cover a gemeente for a product on a date,
the tariff on a date, and extension decisions."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from regio import audit
from regio.models import Lidmaatschap

from .models import Contract, Product, Tarief, Verlengingsoptie


def product_geldig_op(product: Product, datum: datetime.date) -> bool:
    return product.begin <= datum and (product.einde is None or product.einde >= datum)


def contracten_voor(gemeente, product: Product, datum: datetime.date, queryset=None):
    """The contracts that cover ``gemeente`` for ``product`` on ``datum``: the product is valid
    then, the gemeente is a member of the product's regio for the product's domein then, and the
    contract runs then (extensions used included), for the product's perceel and that gemeente.

    ``queryset`` lets the caller pass its scoped contracts (``Contract.objects.visible_to``).
    """
    contracts = Contract.objects.all() if queryset is None else queryset
    regio_id = product.perceel.regio_id
    member = (
        Lidmaatschap.objects.active_on(datum)
        .filter(regio_id=regio_id, gemeente=gemeente, domein=product.domein)
        .exists()
    )
    if not (member and product_geldig_op(product, datum)):
        return contracts.none()
    return (
        contracts.lopend_op(datum)
        .filter(regio_id=regio_id, percelen=product.perceel_id, gemeenten=gemeente)
        .distinct()
    )


def tarief_op(product: Product, datum: datetime.date) -> Tarief | None:
    return Tarief.objects.filter(product=product).active_on(datum).first()


@transaction.atomic
def verlenging_besluiten(optie: Verlengingsoptie, benut: bool, *, user=None) -> Contract:
    """Record the decision on an extension option and move the contract's end accordingly."""
    optie.benut = benut
    optie.save(update_fields=["benut"])
    contract = Contract.objects.select_for_update().get(pk=optie.contract_id)
    contract.save()  # recomputes looptijd_einde from the options used
    audit.record(
        "change",
        objects=[contract],
        actor=user,
        toelichting={"verlenging": optie.volgnummer, "benut": benut},
    )
    return contract


# --- budget use against bestedingsruimte -------------------------------------------------------

GEMELDE_STATUSSEN = ("ingediend", "in_beoordeling", "akkoord", "definitief")


@dataclass
class Budgetgebruik:
    contract: Contract
    jaar: int
    bestedingsruimte: Decimal | None
    besteed: Decimal | None
    percentage: Decimal | None
    signaal: str | None  # None, "drempel" (contract's signaaldrempel reached) or "overschreden"


def budget_signaal(percentage: Decimal | None, drempel: int) -> str | None:
    """The contract asks the provider to signal at ``drempel`` % (default 70) and allows no
    payment above 100 % without a written change."""
    if percentage is None:
        return None
    if percentage >= 100:
        return "overschreden"
    if percentage >= drempel:
        return "drempel"
    return None


def budgetgebruik(contracts, jaar: int) -> list[Budgetgebruik]:
    """Spend to date (from the newest submitted report of ``jaar``, until declaraties and
    kostenregels exist) against the bestedingsruimte of that year, per contract. Two queries."""
    from .models import Bestedingsruimte, Rapportage

    contracts = list(contracts)
    ids = [c.pk for c in contracts]
    ruimte = dict(
        Bestedingsruimte.objects.filter(contract_id__in=ids, jaar=jaar).values_list(
            "contract_id", "bedrag"
        )
    )
    besteed = {}
    for contract_id, bedrag in (
        Rapportage.objects.filter(contract_id__in=ids, jaar=jaar, status__in=GEMELDE_STATUSSEN)
        .order_by("contract_id", "-kwartaal")
        .distinct("contract_id")
        .values_list("contract_id", "uitgaven_tot_nu")
    ):
        besteed[contract_id] = bedrag
    result = []
    for contract in contracts:
        budget, spent = ruimte.get(contract.pk), besteed.get(contract.pk)
        exact = spent * 100 / budget if budget and spent is not None else None
        # The signal uses the exact share; the percentage shown is rounded down, so 99.99 %
        # never reads as 100 %.
        shown = exact.quantize(Decimal("0.1"), rounding=ROUND_DOWN) if exact is not None else None
        result.append(
            Budgetgebruik(
                contract, jaar, budget, spent, shown, budget_signaal(exact, contract.signaaldrempel)
            )
        )
    return result


def besluiten_binnenkort(contracts, peildatum: datetime.date, maanden: int = 6):
    """Contracts ending, or with an extension decision due, within ``maanden`` of ``peildatum``."""
    from dateutil.relativedelta import relativedelta

    grens = peildatum + relativedelta(months=maanden)
    items = []
    for contract in contracts.prefetch_related("verlengingsopties").select_related("aanbieder"):
        open_opties = [o for o in contract.verlengingsopties.all() if o.benut is None]
        besluit = next((o for o in open_opties if peildatum <= o.besluit_uiterlijk <= grens), None)
        if besluit is not None:
            items.append(
                (besluit.besluit_uiterlijk, contract, f"verlengingsbesluit {besluit.volgnummer}")
            )
        elif peildatum <= contract.looptijd_einde <= grens:
            items.append((contract.looptijd_einde, contract, "einde contract"))
    return sorted(items, key=lambda item: (item[0], item[1].kenmerk))


# --- spread of places against the verdeelmodel ------------------------------------------------

SPREIDING_MARGE = Decimal("1.0")  # percentage points within which a gemeente is in balance


@dataclass
class Spreidingsregel:
    gemeente: object
    plaatsen: int
    aandeel_plaatsen: Decimal | None
    aandeel_model: Decimal | None
    verschil: Decimal | None
    advies: str


@dataclass
class Spreiding:
    regels: list
    verdeelmodel: object
    genormaliseerd: bool


def spreiding_tegen_verdeelmodel(plaatsen, verdeelmodel) -> Spreiding:
    """Each gemeente's share of the places against its share in the verdeelmodel: where to
    build up (fewer places than its share) and where to scale down (seed 000)."""
    from financien.services import aandelen_van

    aandelen = aandelen_van(verdeelmodel) if verdeelmodel is not None else None
    per_gemeente = dict(plaatsen)
    gemeenten = set(per_gemeente) | set(aandelen.fracties if aandelen else ())
    totaal = sum(per_gemeente.values())
    honderd = Decimal(100)
    regels = []
    for gemeente in sorted(gemeenten, key=lambda g: g.naam):
        n = per_gemeente.get(gemeente, 0)
        eigen = (Decimal(n) * honderd / totaal).quantize(Decimal("0.1")) if totaal else None
        model = (
            (aandelen.fracties.get(gemeente, Decimal(0)) * honderd).quantize(Decimal("0.1"))
            if aandelen
            else None
        )
        verschil = eigen - model if eigen is not None and model is not None else None
        if verschil is None:
            advies = ""
        elif verschil < -SPREIDING_MARGE:
            advies = "opbouwen"
        elif verschil > SPREIDING_MARGE:
            advies = "afbouwen"
        else:
            advies = "in balans"
        regels.append(Spreidingsregel(gemeente, n, eigen, model, verschil, advies))
    return Spreiding(regels, verdeelmodel, bool(aandelen and aandelen.genormaliseerd))
