"""The beschikking: drafting, four-eyes approval, vaststellen, the letter, bekendmaking, wijziging,
intrekking, verloop, and the bezwaar against it.

Who may do what is decided here through the scoping layer (``Beschikking.objects.visible_to``),
never by role name. Every step locks the row (two consulenten cannot both accord), checks the
status it starts from, and is audited. A vastgestelde beschikking is never edited: the service
refuses, and the database (migration 0003) refuses as well.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inkoop.models import Bekostiging, Perceel, Product
from regio import audit
from regio.iwmo import codelijst
from regio.models import Lidmaatschap
from regio.pdf import render_pdf
from regio.query import mag
from toegang import termijnen
from toegang.dossiers.services import postadres, postontvanger
from toegang.meldingen.services import melding_afsluiten
from toegang.models import (
    Aanvraag,
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Client,
    Document,
    Dossier,
    Melding,
)

Status = Beschikking.Status
Besluit = Beschikking.Besluit

VIEW = "toegang.view_beschikking"
ADD = "toegang.add_beschikking"
CHANGE = "toegang.change_beschikking"
ACCORDEER = "toegang.accordeer_beschikking"
ADD_BEZWAAR = "toegang.add_bezwaar"
CHANGE_BEZWAAR = "toegang.change_bezwaar"

BEZWAAR_WEKEN = 6  # Awb 6:7
BESLISTERMIJN_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 1 (without an advisory committee)

# The steps a user can take on a beschikking, in the order the buttons appear.
ACTIES = {
    "indienen": "Ter accordering aanbieden",
    "terugsturen": "Terug naar concept",
    "vaststellen": "Accorderen en vaststellen",
    "bekendmaken": "Bekendmaken (brief maken)",
    "wijzigen": "Wijzigen (nieuwe versie)",
    "intrekken": "Intrekken",
    "verwijderen": "Concept verwijderen",
}
# The capability each step needs for this beschikking.
CAPABILITY = {
    "indienen": CHANGE,
    "terugsturen": CHANGE,
    "vaststellen": ACCORDEER,
    "bekendmaken": CHANGE,
    "wijzigen": ADD,
    "intrekken": ACCORDEER,
    "verwijderen": CHANGE,
}
IN_WERKING = (Status.VASTGESTELD, Status.BEKENDGEMAAKT)

_WEIGERING = {
    CHANGE: "U mag beschikkingen van deze gemeente niet bewerken.",
    ADD: "U mag voor deze gemeente geen beschikkingen opstellen.",
    ACCORDEER: "U mag beschikkingen van deze gemeente niet accorderen.",
    ADD_BEZWAAR: "U mag bij deze gemeente geen bezwaar registreren.",
    CHANGE_BEZWAAR: "U mag dit bezwaar niet bijwerken.",
}


# --- dates ---------------------------------------------------------------------------------------


def datum(d: datetime.date | None) -> str:
    return f"{d:%d-%m-%Y}" if d else ""


def periode_label(begin: datetime.date, einde: datetime.date | None) -> str:
    return f"{datum(begin)} tot en met {datum(einde)}" if einde else f"vanaf {datum(begin)}"


def bezwaartermijn_einde(bekendgemaakt_op: datetime.date) -> datetime.date:
    """Six weeks, starting the day after the bekendmaking (Awb 6:7, 6:8), moved off a weekend or
    holiday (Algemene termijnenwet)."""
    return termijnen.termijn_einde(bekendgemaakt_op, weeks=BEZWAAR_WEKEN)


def beslistermijn_bezwaar(bekendgemaakt_op: datetime.date) -> datetime.date:
    """Six weeks after the bezwaartermijn ended (Awb 7:10 lid 1), moved off a weekend or holiday."""
    return termijnen.termijn_einde(
        bezwaartermijn_einde(bekendgemaakt_op), weeks=BESLISTERMIJN_BEZWAAR_WEKEN
    )


# --- who may do what -----------------------------------------------------------------------------


def _eis(user, beschikking: Beschikking, capability: str):
    if not mag(user, capability, beschikking):
        raise ValidationError(_WEIGERING[capability], code="niet_toegestaan")


def vier_ogen(beschikking: Beschikking) -> bool:
    return beschikking.perceel.regio.vier_ogen_beschikking


def toegestane_acties(beschikking: Beschikking, user) -> list[str]:
    """The steps ``user`` may take on this beschikking now (the buttons on its page)."""
    cache: dict[str, bool] = {}

    def heeft(capability):
        if capability not in cache:
            cache[capability] = mag(user, capability, beschikking)
        return cache[capability]

    status = beschikking.status
    acties = []
    if status == Status.CONCEPT:
        acties += ["indienen"]
        if not vier_ogen(beschikking):
            acties.append("vaststellen")
        acties.append("verwijderen")
    elif status == Status.TER_ACCORDERING:
        if not (vier_ogen(beschikking) and beschikking.opgesteld_door_id == user.pk):
            acties.append("vaststellen")
        acties.append("terugsturen")
    elif status in IN_WERKING:
        if status == Status.VASTGESTELD:
            acties.append("bekendmaken")
        if not Beschikking.objects.filter(vorige=beschikking).exists():
            acties.append("wijzigen")
        acties.append("intrekken")
    return [a for a in acties if heeft(CAPABILITY[a])]


def weigering_vier_ogen(beschikking: Beschikking, user) -> str | None:
    """Why ``user`` cannot approve this beschikking under the four-eyes rule, or None."""
    if vier_ogen(beschikking) and beschikking.opgesteld_door_id == user.pk:
        return (
            "Vier ogen: u hebt deze beschikking zelf opgesteld. Een andere consulent moet haar "
            "accorderen."
        )
    return None


# --- the catalogue a dossier can use -------------------------------------------------------------


def _lidmaatschappen(gemeente):
    return Lidmaatschap.objects.filter(gemeente=gemeente)


def percelen_voor(dossier: Dossier, user):
    """The percelen a beschikking on this dossier can be for: of a regio the dossier's gemeente
    is (or was) a member of, with products the user may see."""
    leden = _lidmaatschappen(dossier.verantwoordelijke_gemeente)
    zichtbaar = Product.objects.visible_to(user, "inkoop.view_product")
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
    qs = qs.filter(Q(einde__isnull=True) | Q(einde__gte=beschikking.ingangsdatum))
    if beschikking.einddatum:
        qs = qs.filter(begin__lte=beschikking.einddatum)
    return qs.order_by("naam")


# --- the products of a beschikking ---------------------------------------------------------------


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


def _besluit_fouten(besluit: str, motivering: str, regels: list[ProductRegel]) -> list[str]:
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


def _controleer_kop(dossier, perceel, aanvraag, ingangsdatum, einddatum) -> dict[str, str]:
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


# --- drafting ------------------------------------------------------------------------------------


def _schrijf_producten(beschikking: Beschikking, regels: list[ProductRegel]):
    beschikking.producten.all().delete()
    BeschiktProduct.objects.bulk_create(
        BeschiktProduct(
            beschikking=beschikking,
            product=r.product,
            toegekend=r.toegekend,
            ingangsdatum=r.ingangsdatum,
            einddatum=r.einddatum,
            volume=r.volume,
            eenheid=r.eenheid or "",
            frequentie=r.frequentie or "",
            client_id=beschikking.dossier.client_id,
            productcategorie=r.product.productcategorie,
            actief=False,
        )
        for r in regels
    )


def _weiger_regels(regels, algemeen):
    fouten = {}
    for i, regel in enumerate(regels):
        for veld, teksten in regel.fouten.items():
            fouten.setdefault("producten", []).extend(
                f"Product {i + 1} ({regel.product.naam}), {veld}: {t}" for t in teksten
            )
    if fouten or algemeen:
        raise ValidationError({**fouten, "__all__": algemeen} if algemeen else fouten)


def maak_concept(
    dossier: Dossier,
    user,
    *,
    perceel: Perceel,
    besluit: str,
    motivering: str,
    ingangsdatum: datetime.date,
    einddatum: datetime.date | None = None,
    aanvraag: Aanvraag | None = None,
    regels: list[ProductRegel] = (),
) -> Beschikking:
    """A new concept beschikking on ``dossier`` for ``perceel``, drafted by ``user``."""
    regels = list(regels)
    with transaction.atomic():
        dossier = Dossier.objects.visible_to(user, ADD).filter(pk=dossier.pk).first()
        if dossier is None:
            raise ValidationError(_WEIGERING[ADD], code="niet_toegestaan")
        if dossier.status != Dossier.Status.OPEN:
            raise ValidationError("Het dossier is gesloten.", code="dossier_gesloten")
        if not percelen_voor(dossier, user).filter(pk=perceel.pk).exists():
            raise ValidationError(
                {"perceel": f"{dossier.verantwoordelijke_gemeente.naam} kan niet beschikken "
                 f"op het perceel {perceel.naam}."}
            )  # fmt: skip
        kop = _controleer_kop(dossier, perceel, aanvraag, ingangsdatum, einddatum)
        if kop:
            raise ValidationError(kop)
        algemeen = controleer_regels(
            perceel, dossier.verantwoordelijke_gemeente, ingangsdatum, einddatum, regels
        )
        _weiger_regels(regels, algemeen)
        beschikking = Beschikking.objects.create(
            dossier=dossier,
            aanvraag=aanvraag,
            perceel=perceel,
            besluit=besluit,
            motivering=motivering.strip(),
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
            opgesteld_door=user,
        )
        _schrijf_producten(beschikking, regels)
        audit.record(
            "create", objects=[beschikking], actor=user, toelichting={"stap": "concept opgesteld"}
        )
    return beschikking


def _vergrendel(beschikking: Beschikking) -> Beschikking:
    return Beschikking.objects.select_for_update(of=("self",)).get(pk=beschikking.pk)


def _weiger_status(beschikking: Beschikking, wat: str):
    raise ValidationError(
        f"Beschikking {beschikking.pk} heeft status ‘{beschikking.get_status_display()}’: {wat}",
        code="status",
    )


def bewaar_concept(
    beschikking: Beschikking,
    user,
    *,
    besluit: str,
    motivering: str,
    ingangsdatum: datetime.date,
    einddatum: datetime.date | None,
    aanvraag: Aanvraag | None,
    regels: list[ProductRegel],
) -> Beschikking:
    """Save the content of a concept: its heading and (all of) its products. Anything past
    concept is refused: a vastgestelde beschikking changes only through a new version."""
    regels = list(regels)
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status != Status.CONCEPT:
            _weiger_status(
                locked, "alleen een concept kan worden bewerkt. Wijzig haar met een nieuwe versie."
            )
        _eis(user, locked, CHANGE)
        kop = _controleer_kop(locked.dossier, locked.perceel, aanvraag, ingangsdatum, einddatum)
        if kop:
            raise ValidationError(kop)
        algemeen = controleer_regels(
            locked.perceel,
            locked.dossier.verantwoordelijke_gemeente,
            ingangsdatum,
            einddatum,
            regels,
        )
        _weiger_regels(regels, algemeen)
        locked.besluit = besluit
        locked.motivering = motivering.strip()
        locked.ingangsdatum = ingangsdatum
        locked.einddatum = einddatum
        locked.aanvraag = aanvraag
        locked.save(
            update_fields=["besluit", "motivering", "ingangsdatum", "einddatum", "aanvraag"]
        )
        _schrijf_producten(locked, regels)
        audit.record(
            "change", objects=[locked], actor=user, toelichting={"stap": "concept bewerkt"}
        )
    return locked


def _volledig(beschikking: Beschikking):
    """Refuses (ValidationError) a beschikking that cannot be decided as it stands."""
    regels = [ProductRegel.van(bp) for bp in beschikking.producten.select_related("product")]
    fouten = _besluit_fouten(beschikking.besluit, beschikking.motivering, regels)
    algemeen = controleer_regels(
        beschikking.perceel,
        beschikking.dossier.verantwoordelijke_gemeente,
        beschikking.ingangsdatum,
        beschikking.einddatum,
        regels,
    )
    for regel in regels:
        for teksten in regel.fouten.values():
            fouten.extend(f"{regel.product.naam}: {t}" for t in teksten)
    fouten += algemeen
    if fouten:
        raise ValidationError(fouten, code="onvolledig")


# --- transitions ---------------------------------------------------------------------------------


def _stap(beschikking, user, stap: str, van: str, **extra):
    audit.record(
        "change",
        objects=[beschikking],
        actor=user,
        toelichting={"stap": stap, "van": van, "naar": beschikking.status, **extra},
    )


def dien_in(beschikking: Beschikking, user) -> Beschikking:
    """concept → ter accordering."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status != Status.CONCEPT:
            _weiger_status(locked, "alleen een concept kan ter accordering worden aangeboden.")
        _eis(user, locked, CHANGE)
        _volledig(locked)
        locked.status = Status.TER_ACCORDERING
        locked.save(update_fields=["status"])
        _stap(locked, user, "ter accordering aangeboden", Status.CONCEPT)
    return locked


def stuur_terug(beschikking: Beschikking, user, toelichting: str = "") -> Beschikking:
    """ter accordering → concept (the approver sends it back, or the drafter takes it back)."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status != Status.TER_ACCORDERING:
            _weiger_status(
                locked, "alleen een beschikking ter accordering gaat terug naar concept."
            )
        _eis(user, locked, CHANGE)
        locked.status = Status.CONCEPT
        locked.save(update_fields=["status"])
        _stap(
            locked, user, "teruggestuurd naar concept", Status.TER_ACCORDERING,
            opmerking=(toelichting or "").strip()[:500],
        )  # fmt: skip
    return locked


def _overlap_melding(beschikking: Beschikking, user) -> str | None:
    """The Dutch message naming another beschikking whose active grant for this client and
    productcategorie overlaps one of ours; the other may be of a gemeente the user cannot see."""
    for bp in beschikking.producten.filter(toegekend=True).select_related("product"):
        ander = (
            BeschiktProduct.objects.filter(
                client_id=bp.client_id,
                productcategorie=bp.productcategorie,
                actief=True,
                toegekend=True,
                ingangsdatum__lte=bp.einddatum or datetime.date.max,
            )
            .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=bp.ingangsdatum))
            .exclude(beschikking=beschikking)
            .exclude(beschikking_id=beschikking.vorige_id)
            .select_related("beschikking__dossier__verantwoordelijke_gemeente", "product")
            .order_by("ingangsdatum", "pk")
            .first()
        )
        if ander is None:
            continue
        andere = ander.beschikking
        periode = periode_label(ander.ingangsdatum, ander.einddatum)
        categorie = categorie_label(bp.productcategorie)
        if mag(user, VIEW, andere):
            return (
                f"‘{bp.product.naam}’ overlapt met beschikking {andere.pk} van gemeente "
                f"{andere.dossier.verantwoordelijke_gemeente.naam} "
                f"(‘{ander.product.naam}’, {periode}) in productcategorie {categorie}. "
                "Wijzig of trek die beschikking eerst in, of kies een andere periode."
            )
        return (
            f"‘{bp.product.naam}’ overlapt met een beschikking van een andere gemeente "
            f"({periode}) in productcategorie {categorie}. Neem contact op met die gemeente."
        )
    return None


def stel_vast(beschikking: Beschikking, user) -> Beschikking:
    """Approve and decide: ter accordering → vastgesteld (or concept → vastgesteld where the
    regio has four-eyes off). The grants become active; an earlier version it replaces becomes
    'gewijzigd' and its grants inactive. Overlap with another active grant of the client in the
    same productcategorie is refused, naming the other beschikking."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        van = locked.status
        if van == Status.CONCEPT and vier_ogen(locked):
            _weiger_status(
                locked,
                "in deze regio geldt het vier-ogenprincipe; bied haar eerst ter accordering aan.",
            )
        if van not in (Status.CONCEPT, Status.TER_ACCORDERING):
            _weiger_status(locked, "zij is al vastgesteld of niet meer van kracht.")
        _eis(user, locked, ACCORDEER)
        reden = weigering_vier_ogen(locked, user)
        if reden:
            raise ValidationError(reden, code="vier_ogen")
        _volledig(locked)
        # One decision per client at a time: the overlap check below is then exact; the
        # exclusion constraint stays the safety net.
        Client.objects.select_for_update().get(pk=locked.dossier.client_id)
        vorige = None
        if locked.vorige_id:
            vorige = _vergrendel(locked.vorige)
            if vorige.status not in IN_WERKING:
                raise ValidationError(
                    f"Deze wijziging vervangt beschikking {vorige.pk}, maar die is "
                    f"‘{vorige.get_status_display()}’. Verwijder dit concept en stel een nieuwe "
                    "beschikking op.",
                    code="vorige",
                )
        melding = _overlap_melding(locked, user)
        if melding:
            raise ValidationError(melding, code="overlap")
        if vorige is not None:
            vorige_status = vorige.status
            vorige.status = Status.GEWIJZIGD
            vorige.save(update_fields=["status"])
            vorige.producten.update(actief=False)
            _stap(vorige, user, f"gewijzigd door beschikking {locked.pk}", vorige_status)
        locked.status = Status.VASTGESTELD
        locked.vastgesteld_op = timezone.now()
        locked.geaccordeerd_door = user
        locked.save(update_fields=["status", "vastgesteld_op", "geaccordeerd_door"])
        try:
            with transaction.atomic():
                locked.producten.update(actief=True)
        except IntegrityError as exc:
            melding = _overlap_melding(locked, user) or (
                "Deze cliënt heeft in die periode al een toegekend product in deze "
                "productcategorie (een andere beschikking)."
            )
            raise ValidationError(melding, code="overlap") from exc
        _stap(locked, user, "geaccordeerd en vastgesteld", van)
        # The decision on the aanvraag is given: its melding leaves the werkvoorraad.
        if locked.aanvraag_id and locked.aanvraag.melding.status == Melding.Status.AANVRAAG:
            melding_afsluiten(locked.aanvraag.melding, user=user)
    return locked


# --- the letter ----------------------------------------------------------------------------------


def _aanhef(naam: str, geslacht: str) -> str:
    return {"1": f"Geachte heer {naam}", "2": f"Geachte mevrouw {naam}"}.get(
        geslacht, f"Geachte {naam}"
    )


def brief_context(beschikking: Beschikking, verzonden_op: datetime.date) -> dict:
    """What the letter shows. Refuses (ValidationError) when it cannot be addressed."""
    gemeente = beschikking.dossier.verantwoordelijke_gemeente
    persoon = getattr(beschikking.dossier.client, "persoon", None)
    if persoon is None:
        raise ValidationError(
            "De persoonsgegevens van deze cliënt zijn verwijderd; er kan geen brief worden "
            "gemaakt.",
            code="geen_persoon",
        )
    adres = postadres(persoon)
    relatie = postontvanger(persoon)
    achternaam = " ".join(p for p in (persoon.voorvoegsel, persoon.geslachtsnaam) if p)
    clientnaam = " ".join(p for p in (persoon.voorletters, achternaam) if p)
    if relatie is not None:
        ontvanger = {
            "naam": relatie.naam,
            "organisatie": relatie.organisatie,
            "tav": "",
            "regels": [],
            "aanhef": f"Geachte {relatie.naam}",
            "rol": codelijst("COD472_Soort_relatie").get(relatie.soort, "").lower(),
        }
        if relatie.straat and relatie.postcode and relatie.plaats:
            ontvanger["regels"] = [
                f"{relatie.straat} {relatie.huisnummer}".strip(),
                f"{relatie.postcode}  {relatie.plaats.upper()}",
            ]
        elif adres is not None:
            ontvanger["tav"] = f"t.a.v. {relatie.naam}"
            ontvanger["naam"] = clientnaam or persoon.naam
            ontvanger["regels"] = _adresregels(adres)
    else:
        ontvanger = {
            "naam": clientnaam or persoon.naam,
            "organisatie": "",
            "tav": "",
            "regels": _adresregels(adres) if adres is not None else [],
            "aanhef": _aanhef(achternaam, persoon.geslacht),
            "rol": "",
        }
    if not ontvanger["regels"]:
        raise ValidationError(
            "Er is geen adres bekend om de beschikking naar te sturen: vul het "
            "correspondentie- of BRP-adres van de cliënt (of het adres van de vertegenwoordiger "
            "die de post ontvangt) aan.",
            code="geen_adres",
        )
    producten = []
    for bp in beschikking.producten.select_related("product"):
        producten.append(
            {
                "naam": bp.product.naam,
                "soort": bp.product.get_soort_display().lower(),
                "productcode": bp.product.productcode,
                "categorie": categorie_label(bp.productcategorie),
                "periode": periode_label(bp.ingangsdatum, bp.einddatum),
                "omvang": omvang_label(bp.volume, bp.eenheid, bp.frequentie),
                "toegekend": bp.toegekend,
            }
        )
    logo = ""
    if gemeente.logo:
        try:
            from pathlib import Path

            logo = Path(gemeente.logo.path).as_uri()
        except (NotImplementedError, ValueError):
            logo = ""
    return {
        "beschikking": beschikking,
        "gemeente": gemeente,
        "logo": logo,
        "persoon": persoon,
        "clientnaam": persoon.naam,
        "ontvanger": ontvanger,
        "verzonden_op": verzonden_op,
        "toegekend": [p for p in producten if p["toegekend"]],
        "afgewezen": [p for p in producten if not p["toegekend"]],
        "periode": periode_label(beschikking.ingangsdatum, beschikking.einddatum),
        "taakgericht": beschikking.perceel.bekostiging == Bekostiging.TAAKGERICHT,
        "opgesteld_door": beschikking.opgesteld_door,
        "geaccordeerd_door": beschikking.geaccordeerd_door,
        "vorige": beschikking.vorige,
    }


def _adresregels(adres) -> list[str]:
    huis = f"{adres.huisnummer}{adres.huisletter}"
    if adres.toevoeging:
        huis += f"-{adres.toevoeging}"
    regels = [f"{adres.straat} {huis}", f"{adres.postcode}  {adres.plaats.upper()}"]
    if adres.land and adres.land != "NL":  # a domestic address carries no country line
        regels.append(codelijst("COD032_Land").get(adres.land, "").upper())
    return [r for r in regels if r.strip()]


def brief_bestandsnaam(beschikking: Beschikking) -> str:
    """Never anything personal (let alone the BSN) in a file name."""
    return f"beschikking-{beschikking.pk}.pdf"


def maak_bekend(beschikking: Beschikking, user) -> Beschikking:
    """vastgesteld → bekendgemaakt: the letter is rendered once, stored as a Document with its
    SHA-256, and never rendered again (downloads serve the stored file)."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status != Status.VASTGESTELD or locked.brief_id:
            _weiger_status(locked, "alleen een vastgestelde beschikking wordt bekendgemaakt.")
        _eis(user, locked, CHANGE)
        vandaag = timezone.localdate()
        pdf = render_pdf(
            "toegang/beschikkingen/brief_beschikking.html", brief_context(locked, vandaag)
        )
        document = Document(
            dossier_id=locked.dossier_id,
            soort=Document.Soort.BESCHIKKING,
            naam=f"Beschikking {locked.pk} ({locked.get_besluit_display().lower()})",
            sha256=hashlib.sha256(pdf).hexdigest(),
            aangemaakt_door=user,
        )
        document.bestand.save(brief_bestandsnaam(locked), ContentFile(pdf), save=False)
        opgeslagen = document.bestand.name
        try:
            document.save()
            locked.brief = document
            locked.bekendgemaakt_op = vandaag
            locked.status = Status.BEKENDGEMAAKT
            locked.save(update_fields=["brief", "bekendgemaakt_op", "status"])
            audit.record("create", objects=[document], actor=user, toelichting={"brief": True})
            _stap(locked, user, "bekendgemaakt", Status.VASTGESTELD, document=document.pk)
        except Exception:
            document.bestand.storage.delete(opgeslagen)
            raise
    return locked


def lees_brief(beschikking: Beschikking) -> bytes:
    """The stored letter, checked against its SHA-256 (tampering is refused, not served)."""
    document = beschikking.brief
    if document is None:
        raise ValidationError("Deze beschikking heeft (nog) geen brief.", code="geen_brief")
    with document.bestand.open("rb") as handle:
        inhoud = handle.read()
    if hashlib.sha256(inhoud).hexdigest() != document.sha256:
        raise ValidationError(
            "Het opgeslagen document komt niet overeen met zijn vingerafdruk (SHA-256) en wordt "
            "niet getoond. Meld dit bij functioneel beheer.",
            code="hash",
        )
    return inhoud


# --- wijzigen, intrekken, verlopen ---------------------------------------------------------------


def wijzig(beschikking: Beschikking, user) -> Beschikking:
    """A new concept version of a vastgestelde beschikking (``vorige`` = the old one), with its
    content copied. The old one stays in force until the new one is vastgesteld."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status not in IN_WERKING:
            _weiger_status(locked, "alleen een beschikking die van kracht is kan worden gewijzigd.")
        _eis(user, locked, ADD)
        bestaand = Beschikking.objects.filter(vorige=locked).first()
        if bestaand is not None:
            raise ValidationError(
                f"Er is al een nieuwe versie van deze beschikking: beschikking {bestaand.pk} "
                f"({bestaand.get_status_display().lower()}).",
                code="al_gewijzigd",
            )
        nieuw = Beschikking.objects.create(
            dossier_id=locked.dossier_id,
            aanvraag_id=locked.aanvraag_id,
            perceel_id=locked.perceel_id,
            vorige=locked,
            besluit=locked.besluit,
            motivering=locked.motivering,
            ingangsdatum=locked.ingangsdatum,
            einddatum=locked.einddatum,
            opgesteld_door=user,
        )
        _schrijf_producten(
            nieuw, [ProductRegel.van(bp) for bp in locked.producten.select_related("product")]
        )
        audit.record(
            "create",
            objects=[nieuw],
            actor=user,
            toelichting={"stap": f"nieuwe versie van beschikking {locked.pk}"},
        )
    return nieuw


def trek_in(
    beschikking: Beschikking, user, *, reden: str, ingetrokken_op: datetime.date
) -> Beschikking:
    """vastgesteld/bekendgemaakt → ingetrokken, with reason and date; the grants end."""
    reden = (reden or "").strip()
    if not reden:
        raise ValidationError({"reden": "Geef de reden van de intrekking."})
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status not in IN_WERKING:
            _weiger_status(
                locked, "alleen een beschikking die van kracht is kan worden ingetrokken."
            )
        _eis(user, locked, ACCORDEER)
        van = locked.status
        locked.status = Status.INGETROKKEN
        locked.ingetrokken_op = ingetrokken_op
        locked.intrekkingsreden = reden
        locked.save(update_fields=["status", "ingetrokken_op", "intrekkingsreden"])
        locked.producten.update(actief=False)
        _stap(locked, user, "ingetrokken", van, per=ingetrokken_op.isoformat())
    return locked


def verwijder_concept(beschikking: Beschikking, user):
    """A concept is not yet a decision and may be thrown away."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.status != Status.CONCEPT:
            _weiger_status(locked, "alleen een concept kan worden verwijderd.")
        _eis(user, locked, CHANGE)
        audit.record("delete", objects=[locked], actor=user, toelichting={"stap": "verwijderd"})
        locked.delete()


def verloop_beschikkingen(peildatum: datetime.date | None = None) -> int:
    """Daily job: a bekendgemaakte beschikking whose einddatum has passed becomes 'verlopen'.
    Its grants stay recorded as active for their (past) period, so a later beschikking cannot be
    given for the same days. Returns how many moved."""
    peildatum = peildatum or timezone.localdate()
    aantal = 0
    kandidaten = Beschikking.objects.filter(
        status=Status.BEKENDGEMAAKT, einddatum__lt=peildatum
    ).values_list("pk", flat=True)
    for pk in list(kandidaten):
        with transaction.atomic():
            locked = (
                Beschikking.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.BEKENDGEMAAKT, einddatum__lt=peildatum)
                .first()
            )
            if locked is None:
                continue
            locked.status = Status.VERLOPEN
            locked.save(update_fields=["status"])
            audit.record(
                "change",
                objects=[locked],
                toelichting={"stap": "verlopen", "van": Status.BEKENDGEMAAKT, "naar": "verlopen"},
            )
            aantal += 1
    return aantal


# --- bezwaar -------------------------------------------------------------------------------------


def _bezwaar_termijnen(bezwaar: Bezwaar, beschikking: Beschikking):
    bezwaar.tijdig = bezwaar.ontvangen_op <= bezwaartermijn_einde(beschikking.bekendgemaakt_op)
    bezwaar.beslistermijn_einde = beslistermijn_bezwaar(beschikking.bekendgemaakt_op)


def _controleer_bezwaar(beschikking, ontvangen_op, uitkomst, besloten_op):
    fouten = {}
    if ontvangen_op < beschikking.bekendgemaakt_op:
        fouten["ontvangen_op"] = (
            f"De beschikking is pas op {datum(beschikking.bekendgemaakt_op)} bekendgemaakt."
        )
    elif ontvangen_op > timezone.localdate():
        fouten["ontvangen_op"] = "Deze datum ligt in de toekomst."
    if uitkomst and not besloten_op:
        fouten["besloten_op"] = "Vul de datum van de beslissing op bezwaar in."
    if besloten_op and not uitkomst:
        fouten["uitkomst"] = "Kies de uitkomst van de beslissing op bezwaar."
    if besloten_op and besloten_op < ontvangen_op:
        fouten["besloten_op"] = "De beslissing ligt vóór de ontvangst van het bezwaar."
    if fouten:
        raise ValidationError(fouten)


def registreer_bezwaar(
    beschikking: Beschikking, user, *, ontvangen_op: datetime.date, toelichting: str = ""
) -> Bezwaar:
    """A bezwaar received against a bekendgemaakte beschikking; whether it came in time and the
    decision term are computed."""
    with transaction.atomic():
        locked = _vergrendel(beschikking)
        if locked.bekendgemaakt_op is None:
            _weiger_status(locked, "bezwaar is pas mogelijk na de bekendmaking.")
        _eis(user, locked, ADD_BEZWAAR)
        _controleer_bezwaar(locked, ontvangen_op, "", None)
        bezwaar = Bezwaar(
            beschikking=locked,
            dossier_id=locked.dossier_id,
            ontvangen_op=ontvangen_op,
            toelichting=(toelichting or "").strip(),
        )
        _bezwaar_termijnen(bezwaar, locked)
        bezwaar.save()
        audit.record(
            "create", objects=[bezwaar], actor=user, toelichting={"tijdig": bezwaar.tijdig}
        )
    return bezwaar


def werk_bezwaar_bij(
    bezwaar: Bezwaar,
    user,
    *,
    ontvangen_op: datetime.date,
    uitkomst: str = "",
    besloten_op: datetime.date | None = None,
    toelichting: str = "",
) -> Bezwaar:
    """Correct the date received, or record the outcome (beslissing op bezwaar)."""
    if uitkomst and uitkomst not in Bezwaar.Uitkomst.values:
        raise ValidationError({"uitkomst": "Kies een uitkomst uit de lijst."})
    with transaction.atomic():
        locked = Bezwaar.objects.select_for_update().get(pk=bezwaar.pk)
        if not Bezwaar.objects.visible_to(user, CHANGE_BEZWAAR).filter(pk=locked.pk).exists():
            raise ValidationError(_WEIGERING[CHANGE_BEZWAAR], code="niet_toegestaan")
        beschikking = locked.beschikking
        _controleer_bezwaar(beschikking, ontvangen_op, uitkomst, besloten_op)
        locked.ontvangen_op = ontvangen_op
        locked.uitkomst = uitkomst
        locked.besloten_op = besloten_op
        locked.toelichting = (toelichting or "").strip()
        _bezwaar_termijnen(locked, beschikking)
        locked.save()
        audit.record(
            "change", objects=[locked], actor=user, toelichting={"uitkomst": uitkomst or None}
        )
    return locked


# --- for the pages -------------------------------------------------------------------------------


def geschiedenis(beschikking: Beschikking) -> list[dict]:
    """The steps of this beschikking, from the audit log (who, when, what)."""
    from regio.models import AuditEntry

    rijen = AuditEntry.objects.filter(
        object_type=audit.object_label(Beschikking),
        object_ids__contains=[str(beschikking.pk)],
        actie__in=["create", "change"],
    ).order_by("tijdstip", "id")
    return [
        {
            "tijdstip": r.tijdstip,
            "door": r.actor or "systeem",
            "stap": r.toelichting.get("stap", r.get_actie_display()),
            "opmerking": r.toelichting.get("opmerking", ""),
        }
        for r in rijen
    ]
