"""Toewijzingen (iWmo WMO301): assigning a beschikt product to an aanbieder.

Rules (shared/iwmo/README.md, DOMAIN.md):
- only a toegekend, active beschikt product of a vastgestelde or bekendgemaakte beschikking is
  assigned, and only to an aanbieder whose contract covers the dossier's verantwoordelijke
  gemeente, the product and the whole period (``inkoop.contracten.services.contracten_voor``);
  the period lies within the beschikt product's period;
- the ToewijzingNummer is unique per gemeente and never reused (TR332): it is taken from the
  gemeente's ``Toewijzingnummerreeks`` under a row lock, so a rolled-back transaction gives its
  number back and nothing else ever gets a number twice;
- only a change of the einddatum keeps the number (with a RedenWijziging, WMO002); any other
  change ends the old toewijzing and makes a new one with a new number (``vorige``);
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

from inkoop.contracten.services import contracten_voor
from inkoop.models import Aanbieder, Bekostiging, Contract
from regio import audit
from regio.iwmo import codelijst
from regio.query import vereis
from toegang.models import Beschikking, BeschiktProduct, Toewijzing, Toewijzingnummerreeks

REDEN_VERWIJDERD = "13"  # WMO002 "Verwijderd": withdrawn, sent in error (TR384)
REDEN_VERLENGING = "04"  # WMO002 "Herbeoordeling: verlenging toewijzing"
REDEN_VERKORTING = "05"  # WMO002 "Herbeoordeling: verkorting toewijzing"
# Reasons a consulent may give for a change; 13 is only for a withdrawal, 01 is "vervallen".
REDENEN_WIJZIGING = [
    (code, f"{code} {omschrijving}")
    for code, omschrijving in codelijst("WMO002_Reden_wijziging_toewijzing").items()
    if code not in ("01", REDEN_VERWIJDERD)
]

TOEWIJSBARE_STATUSSEN = (Beschikking.Status.VASTGESTELD, Beschikking.Status.BEKENDGEMAAKT)


def datum(d: datetime.date | None) -> str:
    return d.strftime("%d-%m-%Y") if d else "onbepaalde tijd"


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


def aanbieders_met_contract(beschikte_producten, queryset=None):
    """Aanbieders with a contract for the perceel of one of ``beschikte_producten`` covering the
    dossier's verantwoordelijke gemeente (at some time): the choices of the forms. Whether a
    contract covers the exact period is the service's check, with a message that says why."""
    dekking = Q(pk__in=[])
    for bp in beschikte_producten:
        dekking |= Q(
            percelen=bp.product.perceel_id,
            gemeenten=bp.beschikking.dossier.verantwoordelijke_gemeente_id,
        )
    contracten = Contract.objects.filter(dekking)
    aanbieders = Aanbieder.objects.all() if queryset is None else queryset
    return aanbieders.filter(pk__in=contracten.values("aanbieder_id")).order_by("naam")


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


def controleer(
    beschikt_product: BeschiktProduct, aanbieder: Aanbieder, ingangsdatum: datetime.date,
    einddatum: datetime.date | None, omvang: Omvang, *, contracten=None, negeer=(),
    nieuw: bool = True,
) -> Contract:  # fmt: skip
    """Check a toewijzing (new, or an existing one's new period) against the rules; returns the
    covering contract or raises ValidationError keyed by form field, in Dutch. ``negeer``: pks
    of toewijzingen left out of the overlap and volume checks (the one being replaced)."""
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
    elif bp.einddatum:
        fout("einddatum", f"Vul een einddatum in; het beschikte product loopt tot en met {eind}.")
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

    # Contract: one contract covers the gemeente, the product and the whole period.
    gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
    if einddatum is None:
        raise ValidationError(
            {"einddatum": "Vul een einddatum in binnen de looptijd van het contract."}
        )
    bij_begin = contracten_voor(gemeente, bp.product, ingangsdatum, queryset=contracten).filter(
        aanbieder=aanbieder
    )
    dekkend = bij_begin.filter(
        pk__in=contracten_voor(gemeente, bp.product, einddatum, queryset=contracten).values("pk")
    )
    contract = dekkend.order_by("-begin", "pk").first()
    if contract is None:
        lopend = bij_begin.order_by("-looptijd_einde").first()
        if lopend is not None:
            raise ValidationError(
                {
                    "einddatum": f"Het contract {lopend.kenmerk} van {aanbieder.naam} loopt tot en "
                    f"met {datum(lopend.looptijd_einde)}; kies een einddatum op of vóór die datum."
                }
            )
        raise ValidationError(
            {
                "aanbieder": f"{aanbieder.naam} heeft geen contract voor {bp.product.naam} in "
                f"gemeente {gemeente.naam} dat de periode {datum(ingangsdatum)} tot en met "
                f"{datum(einddatum)} dekt."
            }
        )

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
    return contract


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
    defaults to the beschikt product's einddatum; ``contracten`` is the caller's scoped contract
    queryset (``Contract.objects.visible_to``)."""
    omvang = omvang or Omvang()
    vereis(user, "toegang.add_toewijzing", beschikt_product)
    with transaction.atomic():
        bp = _vergrendel_product(beschikt_product)
        if einddatum is None:
            einddatum = bp.einddatum
        contract = controleer(
            bp, aanbieder, ingangsdatum, einddatum, omvang, contracten=contracten,
            negeer=[vorige.pk] if vorige else (),
        )  # fmt: skip
        gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
        toewijzing = Toewijzing.objects.create(
            beschikt_product=bp,
            aanbieder=aanbieder,
            contract=contract,
            gemeente=gemeente,
            nummer=volgend_nummer(gemeente),
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
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


def wijzig_einddatum(
    user, toewijzing: Toewijzing, einddatum: datetime.date, reden: str, *, contracten=None
) -> Toewijzing:
    """The one change that keeps the ToewijzingNummer: a new einddatum, with a RedenWijziging."""
    if reden not in dict(REDENEN_WIJZIGING):
        raise ValidationError({"reden_wijziging": "Kies een reden voor de wijziging (WMO002)."})
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        if einddatum == t.einddatum:
            raise ValidationError({"einddatum": "Dit is al de einddatum van de toewijzing."})
        bp = _vergrendel_product(t.beschikt_product)
        if (t.einddatum is None or einddatum > t.einddatum) and not toewijsbaar(bp):
            raise ValidationError(
                {"einddatum": "Het beschikte product is niet meer actief: de toewijzing kan "
                 "alleen nog korter worden."}
            )  # fmt: skip
        omvang = Omvang(t.volume, t.eenheid, t.frequentie)
        contract = controleer(
            bp, t.aanbieder, t.ingangsdatum, einddatum, omvang, contracten=contracten,
            negeer=[t.pk], nieuw=False,
        )  # fmt: skip
        oud = t.einddatum
        t.einddatum = einddatum
        t.reden_wijziging = reden
        t.contract = contract
        t.save(update_fields=["einddatum", "reden_wijziging", "contract", "gewijzigd_op"])
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


def trek_in(user, toewijzing: Toewijzing) -> Toewijzing:
    """Withdraw a toewijzing sent in error: status ingetrokken, RedenWijziging 13 (Verwijderd),
    Einddatum = Ingangsdatum (iWmo). The number stays used."""
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        t.status = Toewijzing.Status.INGETROKKEN
        t.reden_wijziging = REDEN_VERWIJDERD
        t.einddatum = t.ingangsdatum
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
                t.status = Toewijzing.Status.INGETROKKEN
                t.reden_wijziging = REDEN_VERWIJDERD
                t.einddatum = t.ingangsdatum
                velden.append("status")
            else:
                t.einddatum = grens
                t.reden_wijziging = reden
            velden += ["einddatum", "reden_wijziging"]
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
