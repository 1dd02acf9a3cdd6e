"""Toewijzingen (iWmo WMO301): assigning a beschikt product to an aanbieder.

Rules (shared/iwmo/README.md, DOMAIN.md):
- only a toegekend, active beschikt product of a vastgestelde or bekendgemaakte beschikking is
  assigned, and only to an aanbieder whose contract covers the dossier's verantwoordelijke
  gemeente, the product and the whole period (``inkoop.contracten.services.contracten_voor``);
  the period lies within the beschikt product's period; a BDVO covers only its own client;
- a toewijzing runs at most until its contract's current end: a longer einddatum is capped
  there (``contract_begrensd``; a beschikking longer than the contract's remaining term is
  normal), and when an extension option of that contract is used, every toewijzing capped at
  the old end is stretched, keeping its number (RedenWijziging 03 "Contractwijziging"), up to
  the new end or the beschikt product's end (``rek_op_na_verlenging``, in the extension's
  transaction);
- at opstellen and vaststellen the consulent sees which contracts cover each product at its
  start and until when, and a warning where none does (``contractdekking``); toewijzen offers
  the aanbieders whose contract covers it and says why others are not (``niet_aangeboden``);
- the ToewijzingNummer is unique per gemeente and never reused (TR332): it is taken from the
  gemeente's ``Toewijzingnummerreeks`` under a row lock, so a rolled-back transaction gives its
  number back and nothing else ever gets a number twice;
- only a change of the einddatum keeps the number (with a RedenWijziging, WMO002); any other
  change ends the old toewijzing and makes a new one with a new number (``vorige``);
- a verlenging (a later einddatum, ``wijzig_einddatum``) stretches the einddatum of the existing
  toewijzing, same number, when its volume is unchanged or empty, its frequentie empty or
  unchanged and not "totaal binnen geldigheidsduur" (WMO757 6), and its einddatum has not yet
  passed (OP380, ``waarom_niet_oprekken``); RedenWijziging 04 when the gemeente starts it, 12
  when it honours a verzoek om wijziging (IV093). Otherwise the toewijzing ends on its
  einddatum and a new one (new number, no RedenWijziging) runs from the next day;
- a toewijzing sent in error is withdrawn: RedenWijziging 13 "Verwijderd", Einddatum =
  Ingangsdatum (TR384: it may then not be claimed);
- taakgericht: the toewijzing names the functie and carries no omvang; P×Q: volume, eenheid
  and frequentie, together with the other toewijzingen of the same beschikt product not more
  than beschikt.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inkoop.contracten.services import contracten_voor
from inkoop.models import Aanbieder, Bekostiging, Contract
from regio import audit
from regio.iwmo import codelijst
from regio.query import vereis
from toegang.models import (
    Beschikking,
    BeschiktProduct,
    Declaratieregel,
    Toewijzing,
    Toewijzingnummerreeks,
)
from toegang.toewijzingen.declaraties import niet_gecrediteerd

REDEN_VERWIJDERD = "13"  # WMO002 "Verwijderd": withdrawn, sent in error (TR384)
REDEN_VERLENGING = "04"  # WMO002 "Herbeoordeling: verlenging toewijzing"
REDEN_VERKORTING = "05"  # WMO002 "Herbeoordeling: verkorting toewijzing"
# WMO002 "Contractwijziging": the contract was extended, not the client re-assessed (04).
REDEN_CONTRACTWIJZIGING = "03"
REDEN_DOOR_AANBIEDER = "12"  # WMO002 "Geinitieerd door de aanbieder" (IV093)
# WMO757 "Totaal binnen geldigheidsduur toewijzing": a volume for the whole period, so a longer
# period is another omvang and no verlenging by stretching (OP380).
FREQUENTIE_TOTAAL = "6"
# Reasons a consulent may give for a change; 13 is only for a withdrawal, 01 is "vervallen".
REDENEN_WIJZIGING = [
    (code, f"{code} {omschrijving}")
    for code, omschrijving in codelijst("WMO002_Reden_wijziging_toewijzing").items()
    if code not in ("01", REDEN_VERWIJDERD)
]

TOEWIJSBARE_STATUSSEN = (Beschikking.Status.VASTGESTELD, Beschikking.Status.BEKENDGEMAAKT)


def datum(d: datetime.date | None) -> str:
    return d.strftime("%d-%m-%Y") if d else "onbepaalde tijd"


datum_tekst = datum  # for the functions with a parameter named ``datum``


def taakgericht(beschikt_product: BeschiktProduct) -> bool:
    return beschikt_product.product.perceel.bekostiging == Bekostiging.TAAKGERICHT


def toewijsbaar(beschikt_product: BeschiktProduct) -> bool:
    return (
        beschikt_product.toegekend
        and beschikt_product.actief
        and beschikt_product.beschikking.status in TOEWIJSBARE_STATUSSEN
    )


def toewijsbare_producten(queryset):
    """Narrow a (scoped) BeschiktProduct queryset to what can be assigned."""
    return queryset.filter(
        toegekend=True, actief=True, beschikking__status__in=TOEWIJSBARE_STATUSSEN
    )


def client_van(beschikt_product: BeschiktProduct):
    return beschikt_product.beschikking.dossier.client_id


def toewijzen_vanaf(beschikt_product: BeschiktProduct) -> datetime.date:
    """The first day a toewijzing made today can start: today, within the beschikt period."""
    bp = beschikt_product
    ingang = max(bp.ingangsdatum, datetime.date.today())
    return bp.ingangsdatum if bp.einddatum and ingang > bp.einddatum else ingang


def dekkende_contracten(beschikt_product: BeschiktProduct, datum: datetime.date, queryset=None):
    """The contracts covering the beschikt product (its dossier's gemeente, product, client) on
    ``datum``, the one running longest first."""
    bp = beschikt_product
    return (
        contracten_voor(
            bp.beschikking.dossier.verantwoordelijke_gemeente,
            bp.product,
            datum,
            queryset,
            client=client_van(bp),
        )  # fmt: skip
        .select_related("aanbieder")
        .order_by("-looptijd_einde", "aanbieder__naam", "pk")
    )


def aanbieders_met_contract(beschikte_producten, queryset=None, datum=None):
    """Aanbieders whose contract covers the dossier's verantwoordelijke gemeente for one of
    ``beschikte_producten`` on ``datum`` (default: the day a toewijzing made now would start):
    the choices of the forms. Until when it covers is the service's cap."""
    ids = set()
    for bp in beschikte_producten:
        dag = datum or toewijzen_vanaf(bp)
        ids |= set(dekkende_contracten(bp, dag).values_list("aanbieder_id", flat=True))
    aanbieders = Aanbieder.objects.all() if queryset is None else queryset
    return aanbieders.filter(pk__in=sorted(ids)).order_by("naam")


@dataclass
class Dekking:
    """Which contracts cover a beschikt product at its start, until when, and what to warn."""

    beschikt_product: BeschiktProduct
    datum: datetime.date
    contracten: list
    waarschuwing: str = ""
    opmerking: str = ""


def contractdekking(beschikt_product: BeschiktProduct, datum=None) -> Dekking:
    """What the consulent sees at opstellen and vaststellen: the aanbieders whose contract
    covers the product for the gemeente on ``datum`` (default the product's start) and until
    when; a warning with the dates where none does. A warning, not a refusal: a beschikking
    may run longer than the contracts, and a toewijzing is capped at its contract's end."""
    bp = beschikt_product
    dag = datum or bp.ingangsdatum
    contracten = list(dekkende_contracten(bp, dag))
    gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
    dekking = Dekking(bp, dag, contracten)
    if not contracten:
        dekking.waarschuwing = (
            f"Geen contract dekt {bp.product.naam} voor gemeente {gemeente.naam} op "
            f"{datum_tekst(dag)}: er is dan geen aanbieder aan wie dit kan worden toegewezen."
        )
        return dekking
    langst = contracten[0].looptijd_einde
    if bp.einddatum is None or langst < bp.einddatum:
        dekking.opmerking = (
            f"De contracten lopen tot en met {datum_tekst(langst)}; van "
            f"{datum_tekst(langst + datetime.timedelta(days=1))} tot en met "
            f"{datum_tekst(bp.einddatum)} dekt (nog) geen contract dit product. Een toewijzing "
            "loopt tot het einde van haar contract en loopt mee als het contract wordt verlengd."
        )
    return dekking


def niet_aangeboden(beschikt_product: BeschiktProduct, datum: datetime.date, queryset=None):
    """The aanbieders with a regio contract for the product's perceel that are not offered for
    a toewijzing starting on ``datum``, each with why (``[(aanbieder, reden)]``)."""
    bp = beschikt_product
    gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
    dekkend = set(dekkende_contracten(bp, datum, queryset).values_list("aanbieder_id", flat=True))
    contracts = (Contract.objects.all() if queryset is None else queryset).regionaal()
    redenen: dict[Aanbieder, str] = {}
    kandidaten = (
        contracts.filter(regio_id=bp.product.perceel.regio_id, percelen=bp.product.perceel_id)
        .exclude(aanbieder_id__in=sorted(dekkend))
        .select_related("aanbieder")
        .prefetch_related("gemeenten")
        .order_by("aanbieder__naam", "-looptijd_einde", "pk")
    )
    for c in kandidaten:
        if c.aanbieder in redenen:
            continue
        if gemeente not in c.gemeenten.all():
            reden = f"contract {c.kenmerk} geldt niet voor gemeente {gemeente.naam}"
        elif c.looptijd_einde < datum:
            reden = f"contract {c.kenmerk} liep tot en met {datum_tekst(c.looptijd_einde)}"
        elif c.begin > datum:
            reden = f"contract {c.kenmerk} begint pas op {datum_tekst(c.begin)}"
        else:
            reden = (
                f"{bp.product.naam} of het lidmaatschap van {gemeente.naam} geldt niet op "
                f"{datum_tekst(datum)}"
            )
        redenen[c.aanbieder] = reden
    return list(redenen.items())


def omvang_tekst(volume, eenheid: str, frequentie: str) -> str:
    """Omvang as a consulent reads it: "10 uur per week"; empty without a volume."""
    if volume is None:
        return ""
    eenheden = codelijst("WJ756_Eenheid")
    frequenties = codelijst("WMO757_Frequentie")
    tekst = f"{Decimal(volume).normalize():f} {eenheden.get(eenheid, eenheid).lower()}"
    return f"{tekst} {frequenties.get(frequentie, frequentie).lower()}".strip()


@dataclass
class Omvang:
    volume: Decimal | None = None
    eenheid: str = ""
    frequentie: str = ""

    @property
    def leeg(self) -> bool:
        return self.volume is None and not self.eenheid and not self.frequentie


# --- the number series -------------------------------------------------------------------------


def volgend_nummer(gemeente) -> int:
    """The next ToewijzingNummer of ``gemeente``; call inside the transaction that stores it.

    The row of a gemeente that has none yet is made with INSERT … ON CONFLICT DO NOTHING, so
    concurrent first callers neither fail nor need a savepoint and retry (as ``get_or_create``
    would); then the row is locked: a concurrent caller waits for our commit and takes the
    number after ours. A rollback gives the number back, so no number is skipped or reused."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("volgend_nummer must run inside transaction.atomic()")
    Toewijzingnummerreeks.objects.bulk_create(
        [Toewijzingnummerreeks(gemeente_id=gemeente.pk, laatste=0)], ignore_conflicts=True
    )
    reeks = Toewijzingnummerreeks.objects.select_for_update().get(gemeente_id=gemeente.pk)
    reeks.laatste += 1
    reeks.save(update_fields=["laatste"])
    return reeks.laatste


# --- checks --------------------------------------------------------------------------------------


def _overlapt(queryset, ingang: datetime.date, eind: datetime.date | None):
    """Toewijzingen in ``queryset`` whose period overlaps [ingang, eind] (None = open)."""
    qs = queryset.filter(Q(einddatum__isnull=True) | Q(einddatum__gte=ingang))
    return qs if eind is None else qs.filter(ingangsdatum__lte=eind)


@dataclass
class Contractkeuze:
    """The contract a toewijzing rests on and its einddatum, capped at the contract's end."""

    contract: Contract
    einddatum: datetime.date
    begrensd: bool  # the einddatum is the contract's end, before the beschikt product's


def kies_contract(
    bp: BeschiktProduct, aanbieder: Aanbieder, ingangsdatum: datetime.date,
    einddatum: datetime.date | None, contracten=None,
) -> Contractkeuze:  # fmt: skip
    """The contract of ``aanbieder`` covering ``bp`` from ``ingangsdatum``: the one covering
    up to ``einddatum`` if any, else the one running longest, with the einddatum capped at its
    end (None: open, capped too)."""
    gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
    client = client_van(bp)
    if einddatum is None:
        einddatum = bp.einddatum
    bij_begin = contracten_voor(
        gemeente, bp.product, ingangsdatum, queryset=contracten, client=client
    ).filter(aanbieder=aanbieder)
    contract = None
    if einddatum is not None:
        tot_einde = contracten_voor(gemeente, bp.product, einddatum, client=client)
        contract = bij_begin.filter(pk__in=tot_einde.values("pk")).order_by("-begin", "pk").first()
    if contract is None:
        contract = bij_begin.order_by("-looptijd_einde", "pk").first()
        if contract is None:
            raise ValidationError(
                {
                    "aanbieder": f"{aanbieder.naam} heeft geen contract voor {bp.product.naam} in "
                    f"gemeente {gemeente.naam} dat de ingangsdatum {datum(ingangsdatum)} dekt."
                }
            )
        if einddatum is not None and einddatum <= contract.looptijd_einde:
            raise ValidationError(
                {
                    "einddatum": f"Op {datum(einddatum)} geldt {bp.product.naam} niet (meer) voor "
                    f"gemeente {gemeente.naam}; kies een eerdere einddatum."
                }
            )
        einddatum = contract.looptijd_einde
    begrensd = einddatum == contract.looptijd_einde and (
        bp.einddatum is None or bp.einddatum > einddatum
    )
    return Contractkeuze(contract, einddatum, begrensd)


def controleer(
    beschikt_product: BeschiktProduct, aanbieder: Aanbieder, ingangsdatum: datetime.date,
    einddatum: datetime.date | None, omvang: Omvang, *, contracten=None, negeer=(),
    nieuw: bool = True,
) -> Contractkeuze:  # fmt: skip
    """Check a toewijzing (new, or an existing one's new period) against the rules; returns the
    covering contract with the einddatum capped at its end, or raises ValidationError keyed by
    form field, in Dutch. ``negeer``: pks of toewijzingen left out of the overlap and volume
    checks (the one being replaced)."""
    bp = beschikt_product
    fouten: dict[str, list[str]] = {}

    def fout(veld, tekst):
        fouten.setdefault(veld, []).append(tekst)

    if nieuw and not toewijsbaar(bp):
        raise ValidationError(
            "Dit beschikte product kan niet worden toegewezen: alleen een toegekend, actief "
            "product van een vastgestelde of bekendgemaakte beschikking."
        )
    begin, eind = datum(bp.ingangsdatum), datum(bp.einddatum)
    if ingangsdatum < bp.ingangsdatum:
        fout("ingangsdatum", f"De ingangsdatum ligt vóór die van het beschikte product ({begin}).")
    if bp.einddatum and ingangsdatum > bp.einddatum:
        fout(
            "ingangsdatum", f"De ingangsdatum ligt na het einde van het beschikte product ({eind})."
        )
    if einddatum is not None:
        if einddatum < ingangsdatum:
            fout("einddatum", "De einddatum ligt vóór de ingangsdatum.")
        if bp.einddatum and einddatum > bp.einddatum:
            fout("einddatum", f"De einddatum ligt na het einde van het beschikte product ({eind}).")
    if fouten:
        raise ValidationError(fouten)

    # Omvang: taakgericht carries none; P×Q carries all three, not more than beschikt.
    if taakgericht(bp):
        if not omvang.leeg:
            raise ValidationError(
                {"volume": "Onder taakgerichte bekostiging heeft een toewijzing geen omvang."}
            )
    else:
        if omvang.volume is None:
            fout("volume", "Vul het volume in.")
        elif omvang.volume <= 0 or omvang.volume != omvang.volume.to_integral_value():
            fout("volume", "Het volume is een heel getal groter dan 0 (iWmo Volume).")
        if not omvang.eenheid:
            fout("eenheid", "Kies de eenheid.")
        elif bp.eenheid and omvang.eenheid != bp.eenheid:
            fout("eenheid", f"Beschikt is in eenheid {codelijst('WJ756_Eenheid')[bp.eenheid]}.")
        if not omvang.frequentie:
            fout("frequentie", "Kies de frequentie.")
        elif bp.frequentie and omvang.frequentie != bp.frequentie:
            frequentie = codelijst("WMO757_Frequentie")[bp.frequentie].lower()
            fout("frequentie", f"Beschikt is {frequentie}.")
        if fouten:
            raise ValidationError(fouten)

    # Contract: one contract covers the gemeente, the product and the client at the start; the
    # toewijzing runs at most until that contract's current end.
    keuze = kies_contract(bp, aanbieder, ingangsdatum, einddatum, contracten)
    einddatum = keuze.einddatum

    andere = _overlapt(
        Toewijzing.objects.filter(beschikt_product=bp)
        .exclude(status=Toewijzing.Status.INGETROKKEN)
        .exclude(pk__in=list(negeer)),
        ingangsdatum,
        einddatum,
    ).select_related("aanbieder")
    if taakgericht(bp):
        eerste = andere.first()
        if eerste is not None:
            raise ValidationError(
                f"Dit beschikte product is in die periode al toegewezen aan {eerste.aanbieder.naam}"
                f" (toewijzing {eerste.nummer}, {datum(eerste.ingangsdatum)} tot en met "
                f"{datum(eerste.einddatum)}). Wijzig of beëindig die toewijzing eerst."
            )
    elif bp.volume is not None:
        al = sum((t.volume or Decimal(0) for t in andere), Decimal(0))
        if al + omvang.volume > bp.volume:
            ruimte = max(bp.volume - al, Decimal(0))
            raise ValidationError(
                {
                    "volume": f"Beschikt is {omvang_tekst(bp.volume, bp.eenheid, bp.frequentie)};"
                    f" andere toewijzingen in deze periode gebruiken al {al.normalize():f}. Er kan"
                    f" nog {ruimte.normalize():f} worden toegewezen."
                }
            )
    return keuze


# --- changes -----------------------------------------------------------------------------------


def _vergrendel_product(beschikt_product: BeschiktProduct) -> BeschiktProduct:
    # Two consulenten assigning the same product at once must not both fit under its volume.
    return (
        BeschiktProduct.objects.select_for_update(of=("self",))
        .select_related("product__perceel", "beschikking__dossier__verantwoordelijke_gemeente")
        .get(pk=beschikt_product.pk)
    )


def maak_toewijzing(
    user, beschikt_product: BeschiktProduct, aanbieder: Aanbieder, ingangsdatum: datetime.date,
    einddatum: datetime.date | None = None, omvang: Omvang | None = None, *, contracten=None,
    vorige: Toewijzing | None = None,
) -> Toewijzing:  # fmt: skip
    """Assign ``beschikt_product`` to ``aanbieder`` with a new ToewijzingNummer. ``einddatum``
    defaults to the beschikt product's einddatum, and is capped at the contract's current end
    (``contract_begrensd``, see ``begrenzing``); ``contracten`` is the caller's scoped contract
    queryset (``Contract.objects.visible_to``)."""
    omvang = omvang or Omvang()
    vereis(user, "toegang.add_toewijzing", beschikt_product)
    with transaction.atomic():
        bp = _vergrendel_product(beschikt_product)
        if einddatum is None:
            einddatum = bp.einddatum
        keuze = controleer(
            bp, aanbieder, ingangsdatum, einddatum, omvang, contracten=contracten,
            negeer=[vorige.pk] if vorige else (),
        )  # fmt: skip
        gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
        toewijzing = Toewijzing.objects.create(
            beschikt_product=bp,
            aanbieder=aanbieder,
            contract=keuze.contract,
            gemeente=gemeente,
            nummer=volgend_nummer(gemeente),
            ingangsdatum=ingangsdatum,
            einddatum=keuze.einddatum,
            contract_begrensd=keuze.begrensd,
            volume=omvang.volume,
            eenheid=omvang.eenheid,
            frequentie=omvang.frequentie,
            vorige=vorige,
        )
        audit.record(
            "create", objects=[toewijzing], actor=user,
            toelichting={"nummer": toewijzing.nummer, "vorige": vorige.nummer if vorige else None},
        )  # fmt: skip
    return toewijzing


def _vergrendel(toewijzing: Toewijzing, user) -> Toewijzing:
    vereis(user, "toegang.change_toewijzing", toewijzing)
    t = (
        Toewijzing.objects.select_for_update(of=("self",))
        .select_related("aanbieder", "beschikt_product__beschikking__dossier")
        .get(pk=toewijzing.pk)
    )
    if t.status != Toewijzing.Status.ACTIEF:
        raise ValidationError(
            f"Toewijzing {t.nummer} is {t.get_status_display().lower()} en kan niet meer "
            "worden gewijzigd."
        )
    return t


def waarom_niet_oprekken(toewijzing: Toewijzing, *, vandaag: datetime.date | None = None) -> str:
    """OP380: a verlenging must stretch the einddatum of the existing toewijzing when its volume
    is unchanged or empty, its frequentie is empty or unchanged and not "totaal binnen
    geldigheidsduur", and its einddatum has not yet passed. A change of the omvang never keeps
    the number (``alleen_einddatum``, ``vervang``); for a change of only the einddatum this
    returns why the toewijzing cannot be stretched (it then ends and a new one follows), or ""
    when it must be."""
    t = toewijzing
    if t.frequentie == FREQUENTIE_TOTAAL:
        return "het volume is een totaal binnen de geldigheidsduur van de toewijzing"
    if t.einddatum is not None and t.einddatum < (vandaag or timezone.localdate()):
        return f"de einddatum {datum(t.einddatum)} is al verstreken"
    return ""


def _verleng_met_nieuwe(user, t: Toewijzing, einddatum, omvang: Omvang, reden: str,
                        contracten) -> Toewijzing:  # fmt: skip
    """A verlenging that may not stretch (OP380): ``t`` ends on its einddatum (status
    beëindigd, nothing of it changes for the aanbieder) and a new toewijzing with the same
    omvang, a new number and no RedenWijziging (IV093), runs from the next day until
    ``einddatum``."""
    t.status = Toewijzing.Status.BEEINDIGD
    t.save(update_fields=["status", "gewijzigd_op"])
    audit.record(
        "change", objects=[t], actor=user,
        toelichting={"status": t.status, "verlenging": str(einddatum), "reden_wijziging": reden},
    )  # fmt: skip
    return maak_toewijzing(
        user, t.beschikt_product, t.aanbieder, t.einddatum + datetime.timedelta(days=1),
        einddatum, None if omvang.leeg else omvang, contracten=contracten, vorige=t,
    )  # fmt: skip


def wijzig_einddatum(
    user, toewijzing: Toewijzing, einddatum: datetime.date, reden: str, *, contracten=None
) -> Toewijzing:
    """The one change that keeps the ToewijzingNummer: a new einddatum, with a RedenWijziging.
    A later einddatum is a verlenging and follows OP380: when the toewijzing may not be
    stretched (``waarom_niet_oprekken``) it ends and the new toewijzing is returned."""
    if reden not in dict(REDENEN_WIJZIGING):
        raise ValidationError({"reden_wijziging": "Kies een reden voor de wijziging (WMO002)."})
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        if einddatum == t.einddatum:
            raise ValidationError({"einddatum": "Dit is al de einddatum van de toewijzing."})
        langer = t.einddatum is None or einddatum > t.einddatum
        if langer and reden == REDEN_VERKORTING or not langer and reden == REDEN_VERLENGING:
            raise ValidationError(
                {"reden_wijziging": "Deze reden past niet bij de nieuwe einddatum: 04 is voor "
                 "een verlenging, 05 voor een verkorting."}
            )  # fmt: skip
        bp = _vergrendel_product(t.beschikt_product)
        if langer and not toewijsbaar(bp):
            raise ValidationError(
                {"einddatum": "Het beschikte product is niet meer actief: de toewijzing kan "
                 "alleen nog korter worden."}
            )  # fmt: skip
        omvang = Omvang(t.volume, t.eenheid, t.frequentie)
        if langer and t.einddatum is not None and waarom_niet_oprekken(t):
            return _verleng_met_nieuwe(user, t, einddatum, omvang, reden, contracten)
        keuze = controleer(
            bp, t.aanbieder, t.ingangsdatum, einddatum, omvang, contracten=contracten,
            negeer=[t.pk], nieuw=False,
        )  # fmt: skip
        if keuze.einddatum == t.einddatum:
            raise ValidationError(
                {"einddatum": f"Het contract {keuze.contract.kenmerk} loopt tot en met "
                 f"{datum(keuze.einddatum)}; de toewijzing loopt al tot die datum."}
            )  # fmt: skip
        oud = t.einddatum
        einddatum = keuze.einddatum
        t.einddatum = einddatum
        t.reden_wijziging = reden
        t.contract = keuze.contract
        t.contract_begrensd = keuze.begrensd
        t.save(
            update_fields=["einddatum", "reden_wijziging", "contract", "contract_begrensd",
                           "gewijzigd_op"]
        )  # fmt: skip
        audit.record(
            "change", objects=[t], actor=user,
            toelichting={"einddatum": [str(oud) if oud else None, str(einddatum)],
                         "reden_wijziging": reden},
        )  # fmt: skip
    return t


@dataclass
class Wijziging:
    """A change other than the einddatum: the new toewijzing's terms."""

    beschikt_product: BeschiktProduct
    aanbieder: Aanbieder
    ingangsdatum: datetime.date
    einddatum: datetime.date | None
    omvang: Omvang
    reden: str


def alleen_einddatum(toewijzing: Toewijzing, w: Wijziging) -> bool:
    return (
        w.beschikt_product.pk == toewijzing.beschikt_product_id
        and w.aanbieder.pk == toewijzing.aanbieder_id
        and w.ingangsdatum == toewijzing.ingangsdatum
        and (w.omvang.volume, w.omvang.eenheid, w.omvang.frequentie)
        == (toewijzing.volume, toewijzing.eenheid, toewijzing.frequentie)
    )


def gevolg_voor_oude(toewijzing: Toewijzing, w: Wijziging) -> tuple[str, datetime.date]:
    """What a change does to the current toewijzing: ``("beeindigd", the day before the new
    one starts)``, or ``("ingetrokken", its ingangsdatum)`` when the new one starts on or before
    it (the old one then never applied: withdrawn with RedenWijziging 13)."""
    if w.ingangsdatum > toewijzing.ingangsdatum:
        return Toewijzing.Status.BEEINDIGD, w.ingangsdatum - datetime.timedelta(days=1)
    return Toewijzing.Status.INGETROKKEN, toewijzing.ingangsdatum


def _geen_gedeclareerde_zorg_na(toewijzing: Toewijzing, ingang: datetime.date) -> None:
    """iWmo OP345: a change from a day in the past may not make care already declared (and
    approved) on the current toewijzing unlawful: the current one ends the day before."""
    if ingang >= timezone.localdate():
        return
    gedeclareerd = [
        r
        for r in niet_gecrediteerd(Declaratieregel.objects.filter(toewijzing=toewijzing))
        if r.periode_einde >= ingang
    ]
    if gedeclareerd:
        tot = max(r.periode_einde for r in gedeclareerd)
        raise ValidationError(
            {
                "ingangsdatum": f"Op toewijzing {toewijzing.nummer} is al zorg gedeclareerd en "
                f"goedgekeurd tot en met {datum(tot)}: een wijziging vanaf {datum(ingang)} zou "
                "die declaraties onrechtmatig maken (iWmo OP345). Kies een ingangsdatum na "
                f"{datum(tot)}, of vraag de aanbieder die declaraties eerst te crediteren."
            }
        )


def controleer_wijziging(toewijzing: Toewijzing, w: Wijziging, *, contracten=None) -> None:
    """The checks of ``vervang`` without writing anything (for the confirmation page)."""
    if w.reden not in dict(REDENEN_WIJZIGING):
        raise ValidationError({"reden_wijziging": "Kies een reden voor de wijziging (WMO002)."})
    if (
        w.beschikt_product.beschikking.dossier_id
        != toewijzing.beschikt_product.beschikking.dossier_id
    ):
        raise ValidationError(
            {"beschikt_product": "Kies een beschikt product van hetzelfde dossier."}
        )
    if alleen_einddatum(toewijzing, w):
        raise ValidationError(
            "Alleen de einddatum verandert: gebruik ‘Einddatum wijzigen’, dan blijft het "
            "ToewijzingNummer gelijk."
        )
    if toewijzing.einddatum and w.ingangsdatum > toewijzing.einddatum:
        raise ValidationError(
            {
                "ingangsdatum": "Deze ingangsdatum ligt na het einde van de huidige toewijzing "
                f"({datum(toewijzing.einddatum)}): maak dan een nieuwe toewijzing."
            }
        )
    _geen_gedeclareerde_zorg_na(toewijzing, w.ingangsdatum)
    controleer(
        w.beschikt_product, w.aanbieder, w.ingangsdatum, w.einddatum, w.omvang,
        contracten=contracten, negeer=[toewijzing.pk],
    )  # fmt: skip


def vervang(user, toewijzing: Toewijzing, w: Wijziging, *, contracten=None) -> Toewijzing:
    """Any change but the einddatum: the current toewijzing ends (the day before the new one
    starts; withdrawn when the new one starts on or before it) with the RedenWijziging, and a
    new toewijzing with a new number refers to it (``vorige``). All or nothing."""
    with transaction.atomic():
        oud = _vergrendel(toewijzing, user)
        controleer_wijziging(oud, w, contracten=contracten)
        status, einde = gevolg_voor_oude(oud, w)
        oud.status = status
        oud.einddatum = einde
        oud.reden_wijziging = (
            REDEN_VERWIJDERD if status == Toewijzing.Status.INGETROKKEN else w.reden
        )
        oud.save(update_fields=["status", "einddatum", "reden_wijziging", "gewijzigd_op"])
        audit.record(
            "change", objects=[oud], actor=user,
            toelichting={"status": status, "einddatum": str(einde),
                         "reden_wijziging": oud.reden_wijziging},
        )  # fmt: skip
        nieuw = maak_toewijzing(
            user, w.beschikt_product, w.aanbieder, w.ingangsdatum, w.einddatum, w.omvang,
            contracten=contracten, vorige=oud,
        )  # fmt: skip
    return nieuw


def _markeer_ingetrokken(t: Toewijzing) -> None:
    """iWmo's withdrawal of a toewijzing that never applied: status ingetrokken, RedenWijziging
    13 (Verwijderd), Einddatum = Ingangsdatum."""
    t.status = Toewijzing.Status.INGETROKKEN
    t.reden_wijziging = REDEN_VERWIJDERD
    t.einddatum = t.ingangsdatum


def trek_in(user, toewijzing: Toewijzing) -> Toewijzing:
    """Withdraw a toewijzing sent in error: status ingetrokken, RedenWijziging 13 (Verwijderd),
    Einddatum = Ingangsdatum (iWmo). The number stays used. Refused (9385, iWmo TR385/OP362)
    while accepted declaratie lines on it are not credited in full: withdrawing would leave
    delivered and declared care without a toewijzing."""
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        # The aanbieder's declaraties lock the toewijzing too (declaraties.indienen): none slips in.
        if niet_gecrediteerd(Declaratieregel.objects.filter(toewijzing=t)):
            raise ValidationError(
                f"Toewijzing {t.nummer} kan niet worden ingetrokken: de aanbieder declareerde er"
                " al zorg op die is goedgekeurd (iWmo TR385). Beëindig de toewijzing met een"
                " einddatum (Einddatum wijzigen) als de zorg stopt, of vraag de aanbieder eerst"
                " alle declaraties erop volledig te crediteren als de toewijzing echt ten"
                " onrechte is verstuurd.",
                code="9385",
            )
        _markeer_ingetrokken(t)
        t.save(update_fields=["status", "reden_wijziging", "einddatum", "gewijzigd_op"])
        audit.record(
            "change", objects=[t], actor=user,
            toelichting={"status": "ingetrokken", "reden_wijziging": REDEN_VERWIJDERD},
        )  # fmt: skip
    return t


def volg_besluit(
    beschikking: Beschikking,
    *,
    einde: datetime.date,
    reden: str,
    user,
    vervangers: dict[int, BeschiktProduct] | None = None,
) -> list[Toewijzing]:
    """A wijziging or intrekking of ``beschikking`` took effect: every active toewijzing resting
    on its products follows, in the caller's transaction. Under an intrekking (``vervangers`` is
    None) each runs at most until ``einde``; under a wijziging each moves to the new version's
    product for the same product (``vervangers``: product id → new beschikt product) and runs at
    most until that product's einddatum, or until ``einde`` when the new version no longer grants
    it. A shortened toewijzing keeps its number and gets the RedenWijziging ``reden`` (a new
    WMO301 for the aanbieder, and ``gewijzigd_op`` puts it in the API's feed); one that would
    not start before its new end is withdrawn (RedenWijziging 13, Einddatum = Ingangsdatum).
    The decision was checked by the caller (``user`` is who made it known); returns the changed
    toewijzingen."""
    gewijzigd = []
    toewijzingen = (
        Toewijzing.objects.select_for_update(of=("self",))
        .filter(beschikt_product__beschikking=beschikking, status=Toewijzing.Status.ACTIEF)
        .select_related("beschikt_product")
        .order_by("pk")
    )
    for t in toewijzingen:
        velden = []
        grens = einde
        if vervangers is not None:
            nieuw = vervangers.get(t.beschikt_product.product_id)
            if nieuw is not None:
                t.beschikt_product = nieuw
                velden.append("beschikt_product")
                grens = nieuw.einddatum
        oud = t.einddatum
        if grens is not None and (t.einddatum is None or t.einddatum > grens):
            if t.ingangsdatum > grens:
                _markeer_ingetrokken(t)
                velden.append("status")
            else:
                t.einddatum = grens
                t.reden_wijziging = reden
            # Ended by a decision, not by its contract: an extension no longer stretches it.
            t.contract_begrensd = False
            velden += ["einddatum", "reden_wijziging", "contract_begrensd"]
        if not velden:
            continue
        t.save(update_fields=[*velden, "gewijzigd_op"])
        audit.record(
            "change", objects=[t], actor=user,
            toelichting={"besluit": beschikking.pk, "status": t.status,
                         "einddatum": [str(oud) if oud else None, str(t.einddatum)],
                         "reden_wijziging": t.reden_wijziging},
        )  # fmt: skip
        gewijzigd.append(t)
    return gewijzigd


# --- the contract's end -----------------------------------------------------------------------


def begrenzing(toewijzing: Toewijzing) -> str:
    """The note for a toewijzing capped at its contract's end (empty when it is not)."""
    if not toewijzing.contract_begrensd:
        return ""
    bp = toewijzing.beschikt_product
    return (
        f"De toewijzing loopt tot en met {datum(toewijzing.einddatum)}, het einde van contract "
        f"{toewijzing.contract.kenmerk}; het beschikte product loopt tot en met "
        f"{datum(bp.einddatum)}. Wordt het contract verlengd, dan loopt de toewijzing mee "
        "(zelfde ToewijzingNummer)."
    )


def rek_op_na_verlenging(contract: Contract, oud_einde: datetime.date, user) -> list[Toewijzing]:
    """An extension option of ``contract`` was used (its end moved from ``oud_einde``): every
    active toewijzing of it capped at the old end runs on, keeping its number, up to the new end
    or its beschikt product's end, with RedenWijziging 03 (Contractwijziging); audited, and in
    the API's ``gewijzigdSinds`` feed (``gewijzigd_op``). Runs in the extension's transaction
    (``inkoop.contracten.services.verlenging_benut``); ``user`` is who used the option."""
    gerekt = []
    kandidaten = (
        Toewijzing.objects.select_for_update(of=("self",))
        .filter(
            contract=contract,
            status=Toewijzing.Status.ACTIEF,
            contract_begrensd=True,
            einddatum=oud_einde,
        )  # fmt: skip
        .select_related(
            "beschikt_product__product__perceel",
            "beschikt_product__beschikking__dossier__verantwoordelijke_gemeente",
        )
        .order_by("pk")
    )
    for t in kandidaten:
        bp = t.beschikt_product
        if not toewijsbaar(bp):
            continue  # the beschikking no longer stands: nothing to stretch it to
        einde = contract.looptijd_einde
        if bp.einddatum is not None:
            einde = min(einde, bp.einddatum)
        gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
        dekt = contracten_voor(
            gemeente, bp.product, einde, Contract.objects.filter(pk=contract.pk),
            client=client_van(bp),
        ).exists()  # fmt: skip
        if einde <= t.einddatum or not dekt:
            continue
        oud = t.einddatum
        t.einddatum = einde
        t.reden_wijziging = REDEN_CONTRACTWIJZIGING
        t.contract_begrensd = einde == contract.looptijd_einde and (
            bp.einddatum is None or bp.einddatum > einde
        )
        t.save(update_fields=["einddatum", "reden_wijziging", "contract_begrensd", "gewijzigd_op"])
        audit.record(
            "change", objects=[t], actor=user,
            toelichting={"einddatum": [str(oud), str(einde)],
                         "reden_wijziging": REDEN_CONTRACTWIJZIGING,
                         "verlenging": contract.kenmerk},
        )  # fmt: skip
        gerekt.append(t)
    return gerekt
