"""The inkoop rules other apps call: which contracts cover a gemeente for a product on a date,
the tariff on a date, extension decisions and the BDVO.

Rules:
- a contract covers a gemeente for a product on a date when the product is valid then, the
  gemeente is a member of the product's regio for the product's domein then, and the contract
  runs then for the product's perceel and that gemeente (``contracten_voor``); a BDVO covers
  only its own client, once approved;
- extension options are decided in order (the next open one only); declining one closes the
  later ones (``vervallen``); a decision after ``besluit_uiterlijk`` needs a recorded reason;
  a decision is final. Using one moves ``looptijd_einde`` and, in the same transaction, stretches
  the toewijzingen that were capped at the old end (the hook ``verlenging_benut``, provided by
  toegang);
- a BDVO (beperkte dienstverleningsovereenkomst) is for one client with a provider outside the
  regio's contracts, with its own tariff and period; it is drafted by one person and approved by
  another with ``inkoop.keur_bdvo_goed`` (four eyes, also checked by the database).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from inkoop.models import Aanbieder, Contract, Perceel, Product, Tarief, Verlengingsoptie
from regio import audit
from regio.haken import Haak
from regio.models import Lidmaatschap
from regio.query import vereis


def product_geldig_op(product: Product, datum: datetime.date) -> bool:
    return product.begin <= datum and (product.einde is None or product.einde >= datum)


def contracten_voor(
    gemeente, product: Product, datum: datetime.date, queryset=None, *, client=None
):
    """The contracts that cover ``gemeente`` for ``product`` on ``datum``: the product is valid
    then, the gemeente is a member of the product's regio for the product's domein then, and the
    contract runs then (extensions used included), for the product's perceel and that gemeente.
    ``client`` (a ``toegang.Client`` pk): also the approved BDVO's of that client; without it
    no BDVO covers.

    ``queryset`` lets the caller pass its scoped contracts (``Contract.objects.visible_to``).
    """
    contracts = (Contract.objects.all() if queryset is None else queryset).geldig_voor(client)
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


# (contract, oud_einde, user) -> the toewijzingen stretched. Called in the transaction that
# records a used extension; provided by toegang, which inkoop does not import (regio.haken). A
# used extension must never leave toewijzingen capped at the old end unnoticed, so without a
# provider the decision is refused.
verlenging_benut = Haak("inkoop.verlenging_benut", verplicht=True)


def volgende_open_optie(contract: Contract) -> Verlengingsoptie | None:
    """The extension option that is next to be decided (options go in order)."""
    return contract.verlengingsopties.filter(benut__isnull=True).order_by("volgnummer").first()


@transaction.atomic
def verlenging_besluiten(
    optie: Verlengingsoptie, benut: bool, *, user, reden: str = "",
    op: datetime.date | None = None,
) -> Contract:  # fmt: skip
    """Record the decision on an extension option (on ``op``, default today) and move the
    contract's end accordingly. The options go in order: only the next open one is decided; a
    declined one closes the later ones; after ``besluit_uiterlijk`` a ``reden`` is required.
    A used option stretches the toewijzingen capped at the old end, in this transaction."""
    vereis(user, "inkoop.change_contract", optie.contract)
    op = op or datetime.date.today()
    reden = reden.strip()
    contract = Contract.objects.select_for_update().get(pk=optie.contract_id)
    optie = Verlengingsoptie.objects.select_for_update().get(pk=optie.pk)
    if optie.vervallen:
        raise ValidationError(
            f"Verlenging {optie.volgnummer} is vervallen: een eerdere optie is niet benut."
        )
    if optie.benut is not None:
        raise ValidationError(
            f"Over verlenging {optie.volgnummer} is al besloten "
            f"({'benut' if optie.benut else 'niet benut'}); een besluit is definitief."
        )
    eerder = (
        contract.verlengingsopties.filter(volgnummer__lt=optie.volgnummer, benut__isnull=True)
        .order_by("volgnummer")
        .first()
    )
    if eerder is not None:
        raise ValidationError(
            f"Verlengingsopties worden op volgorde benut: besluit eerst over verlenging "
            f"{eerder.volgnummer}."
        )
    te_laat = op > optie.besluit_uiterlijk
    if te_laat and not reden:
        raise ValidationError(
            {
                "reden": f"Het besluit moest uiterlijk {optie.besluit_uiterlijk:%d-%m-%Y} vallen; "
                "leg vast waarom het later wordt genomen."
            }
        )
    optie.benut = benut
    optie.besloten_op = op
    optie.besloten_door = user
    optie.toelichting = reden
    optie.save(update_fields=["benut", "besloten_op", "besloten_door", "toelichting"])
    vervallen = []
    if not benut:
        later = contract.verlengingsopties.filter(
            volgnummer__gt=optie.volgnummer, benut__isnull=True
        )
        vervallen = list(later.values_list("volgnummer", flat=True))
        later.update(
            benut=False, vervallen=True, besloten_op=op, besloten_door=user,
            toelichting=f"Vervallen: verlenging {optie.volgnummer} is niet benut.",
        )  # fmt: skip
    oud_einde = contract.looptijd_einde
    contract.save()  # recomputes looptijd_einde from the options used
    toelichting = {"verlenging": optie.volgnummer, "benut": benut}
    if te_laat:
        toelichting["na_uiterlijke_datum"] = reden
    if vervallen:
        toelichting["vervallen"] = vervallen
    audit.record("change", objects=[contract], actor=user, toelichting=toelichting)
    if contract.looptijd_einde > oud_einde:
        verlenging_benut(contract, oud_einde, user)
    return contract


# --- BDVO --------------------------------------------------------------------------------------

GOEDKEUREN_BDVO = "inkoop.keur_bdvo_goed"


@transaction.atomic
def bdvo_opstellen(
    user, *, regio, aanbieder: Aanbieder, client_id, gemeente, perceel: Perceel,
    begin: datetime.date, einde: datetime.date, tarief: Decimal, eenheid: str = "",
    kenmerk: str = "", opsteller=None,
) -> Contract:  # fmt: skip
    """Draft a BDVO: one client (``client_id``, the pseudonymous key), one gemeente (the
    client's verantwoordelijke gemeente), one perceel, its own tariff and period. It covers
    nothing until another person approves it (``bdvo_goedkeuren``).

    A direct caller (RISB) needs ``inkoop.add_contract`` in the regio and is the one who drafts
    it. ``user`` None is a system caller that checked its own caller: toegang's
    ``bdvo_voor_aanmelding`` (the Centrale Toegang, who may change the client's aanmelding);
    it names the person who drafts it in ``opsteller`` (``opgesteld_door``, four eyes)."""
    if user is not None:
        vereis(user, "inkoop.add_contract", regio, openbaar=True)
        opsteller = user
    fouten = {}
    if einde < begin:
        fouten["einde"] = "De einddatum ligt vóór de begindatum."
    if tarief is None or tarief < 0:
        fouten["bdvo_tarief"] = "Vul het tarief van de BDVO in."
    if perceel.regio_id != regio.pk:
        fouten["percelen"] = f"Het perceel {perceel.naam} is niet van regio {regio.naam}."
    if not Lidmaatschap.objects.active_on(begin).filter(regio=regio, gemeente=gemeente).exists():
        fouten["gemeenten"] = f"{gemeente.naam} is op {begin:%d-%m-%Y} geen lid van {regio.naam}."
    kenmerk = (kenmerk or "").strip()
    if kenmerk and Contract.objects.filter(regio=regio, kenmerk=kenmerk).exists():
        fouten["kenmerk"] = "Deze regio heeft al een contract met dit kenmerk."
    if fouten:
        raise ValidationError(fouten)
    if not kenmerk:
        bdvos = Contract.objects.filter(regio=regio, soort=Contract.Soort.BDVO)
        volgnummer = bdvos.count() + 1
        kenmerk = f"BDVO-{begin:%Y}-{volgnummer:04d}"
        while Contract.objects.filter(regio=regio, kenmerk=kenmerk).exists():
            volgnummer += 1
            kenmerk = f"BDVO-{begin:%Y}-{volgnummer:04d}"
    contract = Contract.objects.create(
        aanbieder=aanbieder, regio=regio, kenmerk=kenmerk, soort=Contract.Soort.BDVO,
        bekostiging=perceel.bekostiging, begin=begin, einde=einde, bdvo_client=client_id,
        bdvo_tarief=tarief, bdvo_eenheid=eenheid, opgesteld_door=opsteller,
    )  # fmt: skip
    contract.percelen.set([perceel])
    contract.gemeenten.set([gemeente])
    audit.record(
        "create", objects=[contract], actor=opsteller, client_ids=[client_id],
        toelichting={"bdvo": "opgesteld"},
    )  # fmt: skip
    return contract


def weigering_bdvo_goedkeuren(contract: Contract, user) -> str:
    """Why ``user`` may not approve ``contract`` (empty: may)."""
    if not contract.is_bdvo:
        return "Alleen een BDVO wordt zo goedgekeurd."
    if contract.goedgekeurd_op is not None:
        return "Deze BDVO is al goedgekeurd."
    if user is not None and contract.opgesteld_door_id == user.pk:
        return "U heeft deze BDVO zelf opgesteld; een collega keurt haar goed (vier ogen)."
    return ""


@transaction.atomic
def bdvo_goedkeuren(contract: Contract, user) -> Contract:
    """Approve a BDVO (four eyes: not the one who drafted it). From then on it covers its
    client."""
    vereis(user, GOEDKEUREN_BDVO, contract)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    weigering = weigering_bdvo_goedkeuren(contract, user)
    if weigering:
        raise ValidationError(weigering)
    contract.goedgekeurd_door = user
    contract.goedgekeurd_op = timezone.now()
    contract.save(update_fields=["goedgekeurd_door", "goedgekeurd_op"])
    audit.record("change", objects=[contract], actor=user, toelichting={"bdvo": "goedgekeurd"})
    return contract


def tarief_voor(contract: Contract | None, product: Product, datum: datetime.date):
    """The price of one eenheid of ``product`` on ``datum`` under ``contract``: a BDVO's own
    tariff, else the catalogue's (``tarief_op``; a Tarief or None)."""
    if contract is not None and contract.is_bdvo:
        return contract.bdvo_tarief
    tarief = tarief_op(product, datum)
    return tarief.bedrag if tarief else None


# --- budget use against bestedingsruimte -------------------------------------------------------

GEMELDE_STATUSSEN = ("ingediend", "in_beoordeling", "akkoord", "definitief")

# (jaar) -> an SQL expression for the spend of the contract OuterRef("pk") in that year from the
# facts (accepted declaratieregels of a P×Q contract, the allocated budget of a taakgericht one).
# Provided by financien, which owns the money and which inkoop does not import (regio.haken);
# without it the spend falls back to the aanbieder's own report.
besteding = Haak("inkoop.besteding")


@dataclass
class Budgetgebruik:
    """A contract's spend in a year against its bestedingsruimte: ``besteed`` from the facts
    (declaraties or allocated budget), ``gemeld`` what the aanbieder reported (newest submitted
    report), ``verschil`` = gemeld − besteed."""

    contract: Contract
    jaar: int
    bestedingsruimte: Decimal | None
    besteed: Decimal | None
    percentage: Decimal | None
    signaal: str | None  # None, "drempel" (contract's signaaldrempel reached) or "overschreden"
    gemeld: Decimal | None = None

    @property
    def verschil(self) -> Decimal | None:
        if self.gemeld is None or self.besteed is None:
            return None
        return self.gemeld - self.besteed


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


def met_budgetgebruik(contracts, jaar: int):
    """``contracts`` (a queryset) annotated for ``jaar`` with the bestedingsruimte
    (``budget_ruimte``), the spend to date from the facts (``budget_besteed``, the hook
    ``besteding``: accepted declaraties, or the allocated budget of a taakgericht contract), the
    aanbieder's own figure from the newest submitted report (``budget_gemeld``), the exact share
    spent (``budget_pct``: NULL without a bestedingsruimte other than 0), that share rounded down
    to one decimal as shown (``budget_pct_getoond``), so a list can be ordered, counted and cut in
    SQL.
    ``als_budgetgebruik`` turns such a row into a Budgetgebruik."""
    from inkoop.models import Bestedingsruimte, Rapportage

    # One per contract and year; .order_by() drops the model's ordering (a join per row).
    ruimte = (
        Bestedingsruimte.objects.filter(contract=OuterRef("pk"), jaar=jaar)
        .order_by()
        .values("bedrag")
    )
    gemeld = Subquery(
        Rapportage.objects.filter(contract=OuterRef("pk"), jaar=jaar, status__in=GEMELDE_STATUSSEN)
        .order_by("-kwartaal")
        .values("uitgaven_tot_nu")[:1]
    )
    besteed = besteding(jaar)
    pct = Case(
        When(budget_ruimte=0, then=Value(None)),
        default=F("budget_besteed") * 100 / F("budget_ruimte"),
        output_field=DecimalField(),
    )
    return (
        contracts.annotate(
            budget_ruimte=Subquery(ruimte),
            budget_gemeld=gemeld,
            budget_besteed=gemeld if besteed is None else besteed,
        )
        .annotate(budget_pct=pct)
        .annotate(
            budget_pct_getoond=Func(
                F("budget_pct"), Value(1), function="TRUNC", output_field=DecimalField()
            ),
        )
    )


# ``budget_signaal`` in SQL, over rows of ``met_budgetgebruik``: to count the signals of every
# contract without building them.
HEEFT_BUDGETSIGNAAL = Q(budget_pct__gte=100) | Q(budget_pct__gte=F("signaaldrempel"))


# Highest share first (the shown, rounded-down share, as the reader sees it), then kenmerk;
# contracts without a share last.
HOOGSTE_GEBRUIK_EERST = (F("budget_pct_getoond").desc(nulls_last=True), "kenmerk", "pk")


def als_budgetgebruik(contract: Contract, jaar: int) -> Budgetgebruik:
    """The Budgetgebruik of a contract annotated by ``met_budgetgebruik``."""
    budget, spent = contract.budget_ruimte, contract.budget_besteed
    exact = spent * 100 / budget if budget and spent is not None else None
    # The signal uses the exact share; the percentage shown is rounded down, so 99.99 %
    # never reads as 100 %.
    shown = exact.quantize(Decimal("0.1"), rounding=ROUND_DOWN) if exact is not None else None
    return Budgetgebruik(
        contract, jaar, budget, spent, shown, budget_signaal(exact, contract.signaaldrempel),
        gemeld=contract.budget_gemeld,
    )  # fmt: skip


def budgetgebruik(contracts, jaar: int) -> list[Budgetgebruik]:
    """Spend to date against the bestedingsruimte of ``jaar``, per contract of the queryset
    ``contracts``, in its order. One query."""
    return [als_budgetgebruik(c, jaar) for c in met_budgetgebruik(contracts, jaar)]


def besluiten_binnenkort(contracts, peildatum: datetime.date, maanden: int = 6):
    """The contracts of ``contracts`` ending, or with an extension decision due, within
    ``maanden`` of ``peildatum``, soonest first, annotated with ``besluit_datum`` and
    ``besluit_volgnummer`` (the first open extension option due in that window, else None: the
    contract ends); ``besluit_wat`` says which in words."""
    from dateutil.relativedelta import relativedelta

    grens = peildatum + relativedelta(months=maanden)
    optie = Verlengingsoptie.objects.filter(
        contract=OuterRef("pk"),
        benut__isnull=True,
        besluit_uiterlijk__gte=peildatum,
        besluit_uiterlijk__lte=grens,
    ).order_by("volgnummer")
    einde_binnenkort = Q(looptijd_einde__gte=peildatum, looptijd_einde__lte=grens)
    return (
        contracts.annotate(
            besluit_volgnummer=Subquery(optie.values("volgnummer")[:1]),
            optie_uiterlijk=Subquery(optie.values("besluit_uiterlijk")[:1]),
        )
        .annotate(
            besluit_datum=Coalesce(
                "optie_uiterlijk",
                Case(When(einde_binnenkort, then=F("looptijd_einde")), default=Value(None)),
                output_field=DateField(),
            )
        )
        .filter(besluit_datum__isnull=False)
        .order_by("besluit_datum", "kenmerk", "pk")
    )


def besluit_wat(contract: Contract) -> str:
    """What is due on ``besluit_datum`` of a contract from ``besluiten_binnenkort``."""
    if contract.besluit_volgnummer is not None:
        return f"verlengingsbesluit {contract.besluit_volgnummer}"
    return "einde contract"


# --- spread of places against the verdeelmodel ------------------------------------------------

SPREIDING_MARGE = Decimal("1.0")  # percentage points within which a gemeente is in balance


@dataclass(frozen=True)
class Verdeelsleutel:
    """A regio's shares of the BW money per gemeente for a year (financien's verdeelmodel, as
    the spreiding compares places with it); reads as the verdeelmodel it comes from."""

    omschrijving: str
    fracties: dict  # Gemeente -> Decimal fraction, summing to 1
    genormaliseerd: bool  # the shares as entered did not add up to exactly 100%

    def __str__(self):
        return self.omschrijving


# (user, regio, jaar) -> the Verdeelsleutel the user may see, or None. Provided by financien,
# which inkoop does not import (regio.haken); without it there is no verdeelmodel to compare.
verdeelsleutel = Haak("inkoop.verdeelsleutel")


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
    verdeelmodel: Verdeelsleutel | None

    @property
    def genormaliseerd(self) -> bool:
        return bool(self.verdeelmodel and self.verdeelmodel.genormaliseerd)


def spreiding_tegen_verdeelmodel(plaatsen, sleutel: Verdeelsleutel | None) -> Spreiding:
    """Each gemeente's share of the places against its share in the verdeelmodel: where to
    build up (fewer places than its share) and where to scale down (seed 000)."""
    per_gemeente = dict(plaatsen)
    gemeenten = set(per_gemeente) | set(sleutel.fracties if sleutel else ())
    totaal = sum(per_gemeente.values())
    honderd = Decimal(100)
    regels = []
    for gemeente in sorted(gemeenten, key=lambda g: g.naam):
        n = per_gemeente.get(gemeente, 0)
        eigen = (Decimal(n) * honderd / totaal).quantize(Decimal("0.1")) if totaal else None
        model = (
            (sleutel.fracties.get(gemeente, Decimal(0)) * honderd).quantize(Decimal("0.1"))
            if sleutel
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
    return Spreiding(regels, sleutel)
