"""What a beschikking may grant: the catalogue a dossier's gemeente can use (percelen, products
valid and within its membership), the checks on the products of a concept (period, overlap,
omvang, the besluit and its motivering) and how they read on screen and in the letter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Q

from inkoop.models import Bekostiging, Perceel, Product
from regio.iwmo import codelijst
from regio.models import Domein, Lidmaatschap
from regio.query import scope_for
from toegang.models import (
    Beschikking,
    BeschiktProduct,
    Dossier,
)

Besluit = Beschikking.Besluit


def datum(d: datetime.date | None) -> str:
    return f"{d:%d-%m-%Y}" if d else ""


def periode_label(begin: datetime.date, einde: datetime.date | None) -> str:
    return f"{datum(begin)} tot en met {datum(einde)}" if einde else f"vanaf {datum(begin)}"


def _lidmaatschappen(gemeente):
    return Lidmaatschap.objects.filter(gemeente=gemeente)


def alleen_bw_domein(dossier: Dossier, user) -> bool:
    """Whether ``user`` beschikt on this dossier as the Centrale Toegang (``regio.query.
    CT_BESCHIKKEN``), not as the gemeente's own lokaal team: then only the functies of the BW
    domain may be granted."""
    if user is None:
        return False
    return dossier.verantwoordelijke_gemeente_id not in (
        scope_for(user, "toegang.add_beschikking").gemeente_ids
    )


BW_DOMEIN_MELDING = (
    "De Centrale Toegang beschikt alleen over functies van het domein beschermd wonen; "
    "{naam} beschikt het lokaal team van de gemeente."
)


def controleer_domein(dossier: Dossier, user, regels) -> None:
    """Refuses (ValidationError) a product outside the BW domain when the CT beschikt."""
    if not alleen_bw_domein(dossier, user):
        return
    fout = [
        BW_DOMEIN_MELDING.format(naam=r.product.naam)
        for r in regels
        if r.product.domein != Domein.BESCHERMD_WONEN
    ]
    if fout:
        raise ValidationError({"producten": fout})


def percelen_voor(dossier: Dossier, user):
    """The percelen a beschikking on this dossier can be for: of a regio the dossier's gemeente
    is (or was) a member of, with products the user may see (of the BW domain when the CT
    beschikt)."""
    leden = _lidmaatschappen(dossier.verantwoordelijke_gemeente)
    zichtbaar = Product.objects.visible_to(user, "inkoop.view_product")
    if alleen_bw_domein(dossier, user):
        zichtbaar = zichtbaar.filter(domein=Domein.BESCHERMD_WONEN)
    return (
        Perceel.objects.filter(regio__in=leden.values("regio"))
        .filter(pk__in=zichtbaar.values("perceel"))
        .select_related("regio")
        .order_by("regio__naam", "-begin", "naam")
    )


def producten_voor(beschikking: Beschikking, user):
    """The products a concept can grant: the perceel's products (visible to the user) whose
    validity overlaps the beschikking's period, of a domein the gemeente is a member for."""
    gemeente = beschikking.dossier.verantwoordelijke_gemeente
    domeinen = _lidmaatschappen(gemeente).filter(regio=beschikking.perceel.regio_id)
    qs = Product.objects.visible_to(user, "inkoop.view_product").filter(
        perceel=beschikking.perceel_id, domein__in=domeinen.values("domein")
    )
    if alleen_bw_domein(beschikking.dossier, user):
        qs = qs.filter(domein=Domein.BESCHERMD_WONEN)
    qs = qs.filter(Q(einde__isnull=True) | Q(einde__gte=beschikking.ingangsdatum))
    if beschikking.einddatum:
        qs = qs.filter(begin__lte=beschikking.einddatum)
    return qs.order_by("naam")


@dataclass
class ProductRegel:
    """One product as the consulent entered it; empty dates mean the beschikking's period."""

    product: Product
    toegekend: bool = True
    ingangsdatum: datetime.date | None = None
    einddatum: datetime.date | None = None
    volume: Decimal | None = None
    eenheid: str = ""
    frequentie: str = ""
    fouten: dict[str, list[str]] = field(default_factory=dict)

    def fout(self, veld: str, tekst: str):
        self.fouten.setdefault(veld, []).append(tekst)

    @classmethod
    def van(cls, bp: BeschiktProduct) -> ProductRegel:
        return cls(
            product=bp.product,
            toegekend=bp.toegekend,
            ingangsdatum=bp.ingangsdatum,
            einddatum=bp.einddatum,
            volume=bp.volume,
            eenheid=bp.eenheid,
            frequentie=bp.frequentie,
        )


def categorie_label(code: str) -> str:
    return f"{code} {codelijst('WMO020_Productcategorie').get(code, '')}".strip()


def omvang_label(volume, eenheid: str, frequentie: str) -> str:
    """'3 Uur per week' → as the letter reads it: '3 uur per week'."""
    if volume is None:
        return ""
    getal = f"{volume.normalize():f}".replace(".", ",") if isinstance(volume, Decimal) else volume
    eenheid_tekst = codelijst("WJ756_Eenheid").get(eenheid, "").lower()
    frequentie_tekst = codelijst("WMO757_Frequentie").get(frequentie, "").lower()
    return " ".join(p for p in (str(getal), eenheid_tekst, frequentie_tekst) if p)


def _lid_in_periode(gemeente, regio_id, domein, begin, einde) -> bool:
    """The gemeente is a member of the regio for the domein during the whole period."""
    rij = _lidmaatschappen(gemeente).filter(regio_id=regio_id, domein=domein)
    rij = rij.filter(Q(begin__isnull=True) | Q(begin__lte=begin))
    rij = (
        rij.filter(einde__isnull=True)
        if einde is None
        else rij.filter(Q(einde__isnull=True) | Q(einde__gte=einde))
    )
    return rij.exists()


def controleer_regels(
    perceel: Perceel,
    gemeente,
    begin: datetime.date,
    einde: datetime.date | None,
    regels: list[ProductRegel],
) -> list[str]:
    """Check the products of a beschikking and fill their empty dates and eenheid. Errors go on
    each regel (``fouten`` per field); errors about the combination are returned."""
    taakgericht = perceel.bekostiging == Bekostiging.TAAKGERICHT
    eenheden, frequenties = codelijst("WJ756_Eenheid"), codelijst("WMO757_Frequentie")
    for regel in regels:
        regel.fouten = {}
        p = regel.product
        regel.ingangsdatum = regel.ingangsdatum or begin
        regel.einddatum = regel.einddatum or einde
        ing, eind = regel.ingangsdatum, regel.einddatum
        if p.perceel_id != perceel.pk:
            regel.fout("product", f"‘{p.naam}’ hoort niet bij het perceel {perceel.naam}.")
            continue
        if ing < begin:
            regel.fout(
                "ingangsdatum",
                f"De ingangsdatum ligt vóór die van de beschikking ({datum(begin)}).",
            )
        if einde is not None and (eind is None or eind > einde):
            regel.fout(
                "einddatum", f"De einddatum ligt na die van de beschikking ({datum(einde)})."
            )
        if eind is not None and eind < ing:
            regel.fout("einddatum", "De einddatum ligt vóór de ingangsdatum.")
        if p.begin > ing or (p.einde is not None and (eind is None or eind > p.einde)):
            regel.fout(
                "product",
                f"‘{p.naam}’ is geldig {periode_label(p.begin, p.einde)}; kies een periode "
                "daarbinnen (of een product dat dan geldt).",
            )
        elif not _lid_in_periode(gemeente, perceel.regio_id, p.domein, ing, eind):
            regel.fout(
                "product",
                f"{gemeente.naam} neemt ‘{p.naam}’ in die periode niet af via "
                f"{perceel.regio.naam} ({p.get_domein_display()}).",
            )
        if regel.toegekend and p.max_duur_maanden:
            grens = ing + relativedelta(months=p.max_duur_maanden) - datetime.timedelta(days=1)
            if eind is None or eind > grens:
                regel.fout(
                    "einddatum",
                    f"‘{p.naam}’ wordt ten hoogste {p.max_duur_maanden} maanden toegekend: "
                    f"uiterlijk tot en met {datum(grens)}.",
                )
        omvang = (regel.volume is not None, bool(regel.eenheid), bool(regel.frequentie))
        if taakgericht:
            if any(omvang):
                regel.fout(
                    "volume",
                    "Bij taakgerichte bekostiging noemt de beschikking de functie zonder omvang; "
                    "laat volume, eenheid en frequentie leeg.",
                )
            continue
        nodig = regel.toegekend and p.soort == Product.Soort.PRODUCT
        if not (nodig or any(omvang)):
            continue
        if not regel.eenheid:
            regel.eenheid = p.eenheid
        if regel.volume is None:
            regel.fout("volume", "Vul het volume in (omvang: volume, eenheid en frequentie).")
        elif regel.volume <= 0:
            regel.fout("volume", "Het volume moet groter dan nul zijn.")
        if regel.eenheid not in eenheden:
            regel.fout("eenheid", "Kies een eenheid (iWmo-codelijst WJ756).")
        if regel.frequentie not in frequenties:
            regel.fout("frequentie", "Kies een frequentie (iWmo-codelijst WMO757).")

    algemeen = []
    geldig = [r for r in regels if not r.fouten]
    for i, a in enumerate(geldig):
        for b in geldig[i + 1 :]:
            zelfde = a.product.pk == b.product.pk
            if a.product.productcategorie != b.product.productcategorie:
                continue
            if not _overlapt(a.ingangsdatum, a.einddatum, b.ingangsdatum, b.einddatum):
                continue
            # Within one beschikking several functies of one productcategorie may run together
            # (regio Amersfoort: one beschikking per perceel naming its functies); the overlap
            # rule is between beschikkingen (_overlap_melding and the database constraint).
            if zelfde:
                algemeen.append(f"‘{a.product.naam}’ staat twee keer in dezelfde periode.")
    return algemeen


def _overlapt(a_begin, a_einde, b_begin, b_einde) -> bool:
    return (a_einde is None or a_einde >= b_begin) and (b_einde is None or b_einde >= a_begin)


def besluit_fouten(besluit: str, motivering: str, regels: list[ProductRegel]) -> list[str]:
    """Is the beschikking complete enough to be decided?"""
    fouten = []
    if not (motivering or "").strip():
        fouten.append("Een beschikking heeft een motivering nodig (Awb 3:46).")
    toegekend = [r for r in regels if r.toegekend]
    afgewezen = [r for r in regels if not r.toegekend]
    if besluit == Besluit.TOEKENNING:
        if not regels:
            fouten.append("Een toekenning noemt ten minste één product of functie.")
        if afgewezen:
            fouten.append(
                "Bij een toekenning zijn alle producten toegekend; kies ‘gedeeltelijke "
                "toekenning’ als een deel wordt afgewezen."
            )
    elif besluit == Besluit.GEDEELTELIJK:
        if not (toegekend and afgewezen):
            fouten.append(
                "Een gedeeltelijke toekenning noemt ten minste één toegekend en één afgewezen "
                "product of functie."
            )
    elif besluit == Besluit.AFWIJZING:
        if toegekend:
            fouten.append(
                "Bij een afwijzing wordt niets toegekend; zet de producten op ‘afgewezen’ of "
                "kies een (gedeeltelijke) toekenning."
            )
    else:
        fouten.append("Kies het besluit: toekenning, gedeeltelijke toekenning of afwijzing.")
    return fouten


def controleer_kop(dossier, perceel, aanvraag, ingangsdatum, einddatum) -> dict[str, str]:
    fouten = {}
    if einddatum is not None and einddatum < ingangsdatum:
        fouten["einddatum"] = "De einddatum ligt vóór de ingangsdatum."
    if perceel.begin > ingangsdatum or (perceel.einde and perceel.einde < ingangsdatum):
        fouten["ingangsdatum"] = (
            f"Het perceel {perceel.naam} geldt {periode_label(perceel.begin, perceel.einde)}."
        )
    elif perceel.einde and (einddatum is None or einddatum > perceel.einde):
        fouten["einddatum"] = (
            f"Het perceel {perceel.naam} loopt tot en met {datum(perceel.einde)}; de beschikking "
            "kan niet later eindigen."
        )
    if aanvraag is not None and aanvraag.dossier_id != dossier.pk:
        fouten["aanvraag"] = "Deze aanvraag hoort niet bij dit dossier."
    return fouten
