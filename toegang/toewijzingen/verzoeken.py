"""Verzoeken of aanbieders (iWmo WMO315 verzoek om toewijzing, WMO317 verzoek om wijziging) and
the gemeente's answer (WMO319 semantics), for the REST API, the iWmo XML import and the web.

Rules (shared/iwmo/README.md, issue 8):
- a verzoek om toewijzing identifies the client by BSN (elfproef) and the gemeente (CBS code).
  No answer depends on whether the person is known: with a dossier at that gemeente the verzoek
  lands in it; without one it is accepted all the same and stored unlinked (BSN, naam and
  geboortedatum as sent; no dossier or client is made, since a right under the Wmo only follows
  a melding), for a consulent to refuse (WMO319) or to link to a dossier after a melding
  (``koppel``). The person is found through ``toegang.dossiers.services.zoek_op_bsn`` (the one
  BSN lookup, audited without the BSN). The API limits these verzoeken per key
  (``regio.api.throttle.VerzoekOmToewijzingThrottle``) and ``zonder_dossier_per_aanbieder``
  shows the consulent who sends how many unlinked ones;
- a verzoek om wijziging names one of the aanbieder's own active toewijzingen, a RedenVerzoek
  (WJ758) and exactly one product: the wanted terms of that toewijzing;
- each requested product exists in the catalogue of a regio the gemeente is a member of (for
  the product's domein) on its ingangsdatum: productcategorie and productcode of
  ``inkoop.Product`` (a taakgerichte functie has only a categorie, and no omvang); the aanbieder
  holds a contract covering the gemeente and the product then
  (``inkoop.contracten.services.contracten_voor``);
- ``referentie`` (ReferentieAanbieder) is unique per aanbieder (TR347);
- one verzoek at a time per aanbieder and client at a gemeente (TR374, 9374: ``onderhanden``),
  compared on the BSN as sent so a known and an unknown person get the same answer; one product
  only more than once in periods that do not overlap (TR386);
- the gemeente answers once (row lock): honoured, which makes the toewijzing(en) through
  ``toegang.toewijzingen.services`` (a verzoek om wijziging: a new version of the toewijzing, or
  only a new einddatum when nothing else changes), or refused with a RedenAfwijzingVerzoek (WJ759;
  for the woonplaatsbeginsel naming the responsible gemeente, OP359). Before that it may answer
  "aanvraag in onderzoek" once (``in_onderzoek``, TR360/TR365);
- the answer is due 5 workdays after receipt (``antwoord_uiterlijk``, OP274/OP346): shown in the
  werkvoorraad and signalled by ``toegang.meldingen.tasks.signaleer_termijnen``.

Honouring never invents a beschikking: a toewijzing needs a toegekend, active beschikt product
of a vastgestelde beschikking whose period covers the requested one. When there is none, the
consulent is told so (per product) and can first issue a beschikking in the dossier, or refuse.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from inkoop.contracten.services import contracten_voor
from inkoop.models import Aanbieder, Bekostiging, Product
from regio import audit
from regio.iwmo import codelijst
from regio.models import Gemeente, Lidmaatschap, Notificatie
from regio.notificaties import meld, wie_mag
from regio.query import vereis, vereis_namens
from regio.roles import CONSULENT
from toegang.dossiers import services as client_services
from toegang.models import BeschiktProduct, Dossier, Toewijzing, Verzoek
from toegang.termijnen import plus_werkdagen
from toegang.toewijzingen.services import (
    Omvang,
    Wijziging,
    alleen_einddatum,
    maak_toewijzing,
    toewijsbare_producten,
    vervang,
    wijzig_einddatum,
)

ADD = "toegang.add_verzoek"
VIEW = "toegang.view_verzoek"
CHANGE = "toegang.change_verzoek"
ZONDER_DOSSIER = (
    "Dit verzoek is aan geen dossier gekoppeld: koppel het na een melding aan het dossier van de "
    "cliënt, of wijs het af."
)
REDEN_DOOR_AANBIEDER = "12"  # WMO002 "Geinitieerd door de aanbieder"
TECHNISCH = "0001"  # WJ001: a message-content (xslt) rule
ONDERHANDEN = "9374"  # WJ001 (TR374): er is al een verzoek onderhanden
INGANG_VERLEDEN = "9357"  # WJ001 (TR357)
ANTWOORDTERMIJN_WERKDAGEN = 5  # OP274, OP346: a toewijzing or an antwoordbericht within
AL_IN_ONDERZOEK = "9360"  # WJ001 (TR360): already answered "aanvraag in onderzoek"
WOONPLAATSBEGINSEL = "8"  # WJ759
AL_BEANTWOORD = "9365"  # WJ001 (TR365): already answered other than "in onderzoek"
# Categories whose periods may overlap within one verzoek om toewijzing (TR386).
OVERLAP_TOEGESTAAN = {"11", "12", "13", "14"}
_PRODUCTCODE = re.compile(r"^[0-9A-Z]{5}$")


def _d(value: datetime.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "onbepaalde tijd"


def _datum(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValueError from None


# --- products ----------------------------------------------------------------------------------


def catalogus_producten(gemeente: Gemeente, categorie: str, code: str, datum: datetime.date):
    """Products of the catalogue of the regio's the gemeente is a member of (for the product's
    domein) on ``datum`` with these iWmo codes and valid then."""
    leden = Lidmaatschap.objects.active_on(datum).filter(gemeente=gemeente)
    lid = Q(pk__in=[])
    for regio_id, domein in leden.values_list("regio_id", "domein"):
        lid |= Q(perceel__regio_id=regio_id, domein=domein)
    return (
        Product.objects.filter(lid, productcategorie=categorie, productcode=code)
        .filter(begin__lte=datum)
        .filter(Q(einde__isnull=True) | Q(einde__gte=datum))
        .select_related("perceel")
        .order_by("perceel__naam", "naam")
    )


def _controleer_product(aanbieder, gemeente, i: int, p: dict, fouten: dict) -> dict | None:
    """Check one requested product; returns it normalised (dates as ISO strings, volume as an
    integer) or records errors under ``producten.<i>.<veld>``."""
    eigen: dict[str, list[str]] = {}

    def fout(veld, tekst):
        eigen.setdefault(f"producten.{i}.{veld}", []).append(tekst)

    if not isinstance(p, dict):
        fouten[f"producten.{i}"] = ["Een gevraagd product is een object met velden."]
        return None
    categorie = str(p.get("productcategorie") or "").strip()
    code = str(p.get("productcode") or "").strip()
    eenheid = str(p.get("eenheid") or "").strip()
    frequentie = str(p.get("frequentie") or "").strip()
    if categorie not in codelijst("WMO020_Productcategorie"):
        fout("productcategorie", "Geef een productcategorie uit de iWmo-codelijst WMO020.")
    if code and not _PRODUCTCODE.match(code):
        fout("productcode", "Een productcode bestaat uit 5 cijfers of hoofdletters.")
    try:
        ingang = _datum(p.get("ingangsdatum"))
        if ingang is None:
            fout("ingangsdatum", "Vul de ingangsdatum in.")
    except ValueError:
        ingang = None
        fout("ingangsdatum", "Geef een datum als JJJJ-MM-DD.")
    try:
        eind = _datum(p.get("einddatum"))
    except ValueError:
        eind = None
        fout("einddatum", "Geef een datum als JJJJ-MM-DD.")
    if ingang and eind and eind < ingang:
        fout("einddatum", "De einddatum ligt vóór de ingangsdatum.")
    volume = p.get("volume")
    if volume in (None, ""):
        volume = None
    else:
        try:
            getal = Decimal(str(volume))
        except InvalidOperation:
            getal = None
        if getal is None or getal <= 0 or getal != getal.to_integral_value():
            fout("volume", "Het volume is een heel getal groter dan 0 (iWmo Volume).")
            volume = None
        else:
            volume = int(getal)
    if eenheid and eenheid not in codelijst("WJ756_Eenheid"):
        fout("eenheid", "Geef een eenheid uit de iWmo-codelijst WJ756.")
    if frequentie and frequentie not in codelijst("WMO757_Frequentie"):
        fout("frequentie", "Geef een frequentie uit de iWmo-codelijst WMO757.")
    if eigen:
        fouten.update(eigen)
        return None

    producten = list(catalogus_producten(gemeente, categorie, code, ingang))
    omschrijving = f"productcategorie {categorie}" + (f", productcode {code}" if code else "")
    if not producten:
        fout(
            "productcode" if code else "productcategorie",
            f"Er is geen product met {omschrijving} in de catalogus van de regio van gemeente "
            f"{gemeente.naam} op {_d(ingang)}.",
        )
        fouten.update(eigen)
        return None
    if not any(
        contracten_voor(gemeente, product, ingang).filter(aanbieder=aanbieder).exists()
        for product in producten
    ):
        fout(
            "productcode" if code else "productcategorie",
            f"{aanbieder.naam} heeft geen contract voor {omschrijving} in gemeente "
            f"{gemeente.naam} op {_d(ingang)}.",
        )
        fouten.update(eigen)
        return None
    taak = all(product.perceel.bekostiging == Bekostiging.TAAKGERICHT for product in producten)
    heeft_omvang = volume is not None or eenheid or frequentie
    if taak and heeft_omvang:
        fout("volume", "Onder taakgerichte bekostiging heeft een gevraagd product geen omvang.")
    elif not taak and not (volume is not None and eenheid and frequentie):
        fout("volume", "Een P×Q-product heeft een omvang: volume, eenheid en frequentie.")
    if eigen:
        fouten.update(eigen)
        return None
    return {
        "productcategorie": categorie,
        "productcode": code,
        "volume": volume,
        "eenheid": eenheid,
        "frequentie": frequentie,
        "ingangsdatum": ingang.isoformat(),
        "einddatum": eind.isoformat() if eind else None,
    }


def _fout(veld: str, melding: str, code: str) -> ValidationError:
    """A refusal at ``veld`` carrying its WJ001 retourcode as the error's code."""
    return ValidationError({veld: ValidationError(melding, code=code)})


def _overlappen(a: dict, b: dict) -> bool:
    """Whether two requested products' periods overlap (an open end runs on)."""
    a_in, b_in = _datum(a["ingangsdatum"]), _datum(b["ingangsdatum"])
    a_eind, b_eind = _datum(a.get("einddatum")), _datum(b.get("einddatum"))
    return (a_eind is None or b_in <= a_eind) and (b_eind is None or a_in <= b_eind)


def dubbel_aangevraagd(producten: list[dict]) -> list[tuple[int, int]]:
    """TR386: the pairs (earlier, later index) of requested products that are the same product
    (the productcode, or without one the productcategorie) in overlapping periods; products of
    categories 11-14 may overlap."""
    paren = []
    for j, b in enumerate(producten):
        for i, a in enumerate(producten[:j]):
            if a["productcategorie"] != b["productcategorie"]:
                continue
            if a["productcategorie"] in OVERLAP_TOEGESTAAN:
                continue
            if (
                (a.get("productcode") or "") != (b.get("productcode") or "")
                and a.get("productcode")
                and b.get("productcode")
            ):
                continue
            if _overlappen(a, b):
                paren.append((i, j))
    return paren


def _controleer_producten(aanbieder, gemeente, producten) -> list[dict]:
    if not isinstance(producten, list | tuple) or not producten:
        raise ValidationError({"producten": "Vraag ten minste één product aan."})
    fouten: dict[str, list[str]] = {}
    schoon = [
        _controleer_product(aanbieder, gemeente, i, p, fouten) for i, p in enumerate(producten)
    ]
    if fouten:
        raise ValidationError(fouten)
    for i, j in dubbel_aangevraagd(schoon):
        raise _fout(
            f"producten.{j}.ingangsdatum",
            f"Dit product is ook als product {i + 1} aangevraagd in een periode die hiermee "
            "overlapt: vraag een product alleen vaker aan in periodes die elkaar niet overlappen "
            "(TR386).",
            TECHNISCH,
        )
    return schoon


def onderhanden(aanbieder, gemeente, *, bsn: str = "", dossier=None, behalve=()):
    """The aanbieder's verzoeken for this client at this gemeente that are still open (TR374):
    not yet refused nor honoured. The client is the BSN as sent (so a known and an unknown person
    are treated alike) or, for a verzoek om wijziging, the dossier of its toewijzing."""
    wie = Q(pk__in=[])
    if bsn:
        wie |= Q(bsn=bsn)
    if dossier is not None:
        # Only the aanbieder's own verzoeken om wijziging, which name its own toewijzing of the
        # client: nothing the aanbieder does not know already.
        wie |= Q(dossier=dossier, soort=Verzoek.Soort.WIJZIGING)
    return (
        Verzoek.objects.filter(wie, aanbieder=aanbieder, gemeente=gemeente)
        .filter(status=Verzoek.Status.INGEDIEND)
        .exclude(pk__in=list(behalve))
    )


def _geen_onderhanden(aanbieder, gemeente, veld, **client) -> None:
    eerder = onderhanden(aanbieder, gemeente, **client).order_by("ontvangen_op").first()
    if eerder is not None:
        raise _fout(
            veld,
            f"Er is al een verzoek van deze aanbieder voor deze cliënt onderhanden (referentie "
            f"{eerder.referentie}): stuur een nieuw verzoek pas na het antwoord daarop (TR374).",
            ONDERHANDEN,
        )


# --- indienen -----------------------------------------------------------------------------------


def _dossier_voor_bsn(user, bsn, gemeente: Gemeente) -> tuple[str, Dossier | None]:
    """The BSN (normalised; elfproef, else ValidationError on ``bsn``) and the gemeente's dossier
    of that person, or None. The caller never learns which: the answer is the same."""
    bsn = client_services.normaliseer_bsn(bsn or "")
    try:
        gevonden = client_services.zoek_op_bsn(user, bsn)
    except ValidationError as exc:
        raise ValidationError({"bsn": exc.messages}) from None
    if gevonden.persoon is None:
        return bsn, None
    # The aanbieder's system may not see the dossier; the gemeente it names receives the verzoek
    # in that dossier when it has one for this person.
    return bsn, Dossier.objects.filter(
        client_id=gevonden.persoon.client_id, verantwoordelijke_gemeente=gemeente
    ).first()


def _gemeente(gemeente) -> Gemeente:
    if isinstance(gemeente, Gemeente):
        return gemeente
    code = str(gemeente or "").strip()
    found = Gemeente.objects.filter(code=code).first() if code else None
    if found is None:
        raise ValidationError(
            {"gemeente": "Geef de CBS-code (4 cijfers) van een bekende gemeente."}
        )
    return found


def indienen(
    aanbieder: Aanbieder, *, soort: str, referentie: str, producten: list[dict], user,
    bron: str = "api", bsn: str | None = None, gemeente=None,
    toewijzing: Toewijzing | None = None, reden: str = "", naam: str = "",
    geboortedatum: datetime.date | None = None, dagtekening: datetime.date | None = None,
    zelfde_bericht=(),
) -> Verzoek:  # fmt: skip
    """Store a verzoek om toewijzing (``soort`` "toewijzing": ``bsn`` and ``gemeente``, a
    Gemeente or CBS code, and the client's ``naam`` and ``geboortedatum`` as sent) or om wijziging
    (``soort`` "wijziging": ``toewijzing`` and ``reden``, WJ758) after the checks above;
    ValidationError keyed by field, in Dutch.

    A verzoek om toewijzing for a person without a dossier at the gemeente is accepted just the
    same, unlinked (no dossier, no client is made): a consulent answers it or links it to a
    dossier after a melding (``koppel``). Nothing in the answer tells the two apart.

    While the aanbieder has a verzoek for the same client open at the gemeente (the BSN as sent,
    or the toewijzing's dossier), a new one is refused (TR374, 9374); the verzoeken made from the
    same message (``zelfde_bericht``, the products of one WMO315) do not count. A verzoek om
    wijziging in a WMO317 is checked against its message's ``dagtekening``: a
    GewensteIngangsdatum on or before it is the toewijzing's own ingangsdatum (TR357), an
    einddatum lies after it (TR380). The REST API has no dagtekening and does not check these."""
    vereis_namens(user, ADD, aanbieder)
    referentie = (referentie or "").strip()
    if not referentie or len(referentie) > 36:
        raise ValidationError({"referentie": "Geef een referentie van 1 tot 36 tekens."})
    if soort not in Verzoek.Soort.values:
        raise ValidationError({"soort": "Een verzoek is om toewijzing of om wijziging."})
    if Verzoek.objects.filter(aanbieder=aanbieder, referentie=referentie).exists():
        raise ValidationError({"referentie": "Deze referentie is door de aanbieder al gebruikt."})

    if soort == Verzoek.Soort.TOEWIJZING:
        gemeente = _gemeente(gemeente)
        bsn, dossier = _dossier_voor_bsn(user, bsn, gemeente)
        reden = ""
        toewijzing = None
        naam = " ".join((naam or "").split())[:250]
        _geen_onderhanden(aanbieder, gemeente, "bsn", bsn=bsn, behalve=zelfde_bericht)
    else:
        if toewijzing is None or toewijzing.aanbieder_id != aanbieder.pk:
            raise ValidationError({"toewijzing": "Noem een toewijzing van deze aanbieder."})
        if toewijzing.status != Toewijzing.Status.ACTIEF:
            raise ValidationError(
                {
                    "toewijzing": f"Toewijzing {toewijzing.nummer} is "
                    f"{toewijzing.get_status_display().lower()}: vraag een nieuwe toewijzing aan."
                }
            )
        if reden not in codelijst("WJ758_Reden_verzoek"):
            raise ValidationError({"reden": "Kies een reden verzoek uit de iWmo-codelijst WJ758."})
        if isinstance(producten, list | tuple) and len(producten) != 1:
            raise ValidationError(
                {"producten": "Een verzoek om wijziging vraagt precies één product: de gewenste "
                 "toewijzing."}
            )  # fmt: skip
        dossier = toewijzing.beschikt_product.beschikking.dossier
        gemeente = dossier.verantwoordelijke_gemeente
        bsn, naam, geboortedatum = "", "", None
        persoon = getattr(dossier.client, "persoon", None)
        _geen_onderhanden(
            aanbieder, gemeente, "toewijzing", bsn=getattr(persoon, "bsn", ""), dossier=dossier,
            behalve=zelfde_bericht,
        )  # fmt: skip
    schoon = _controleer_producten(aanbieder, gemeente, producten)
    if soort == Verzoek.Soort.WIJZIGING and dagtekening is not None:
        _controleer_data_wijziging(toewijzing, schoon[0], dagtekening)

    try:
        with transaction.atomic():
            verzoek = Verzoek.objects.create(
                soort=soort, aanbieder=aanbieder, gemeente=gemeente, dossier=dossier,
                toewijzing=toewijzing, referentie=referentie, reden=reden, producten=schoon,
                bron=bron, bsn=bsn, naam=naam, geboortedatum=geboortedatum,
                zonder_dossier_ontvangen=dossier is None,
                antwoord_uiterlijk=antwoordtermijn(timezone.localdate()),
            )  # fmt: skip
            audit.record(
                "create", objects=[verzoek], actor=user,
                toelichting={"soort": soort, "bron": bron,
                             "toewijzing": toewijzing.nummer if toewijzing else None},
            )  # fmt: skip
            _meld_consulenten(verzoek)
    except IntegrityError:
        # The same referentie at the same moment (verzoek_referentie_uniek_per_aanbieder).
        raise ValidationError(
            {"referentie": "Deze referentie is door de aanbieder al gebruikt."}
        ) from None
    return verzoek


def _controleer_data_wijziging(toewijzing: Toewijzing, p: dict, dagtekening) -> None:
    """TR357: a change that does not start after the dagtekening holds for the toewijzing's whole
    period, so its GewensteIngangsdatum is the toewijzing's ingangsdatum. TR380: the einddatum of
    the product to change lies after the dagtekening."""
    ingang, eind = _datum(p["ingangsdatum"]), _datum(p.get("einddatum"))
    if ingang <= dagtekening and ingang != toewijzing.ingangsdatum:
        raise _fout(
            "producten.0.ingangsdatum",
            f"Een wijziging die niet na de dagtekening ({_d(dagtekening)}) ingaat, geldt voor de "
            f"hele toewijzing: geef als gewenste ingangsdatum de ingangsdatum van toewijzing "
            f"{toewijzing.nummer} ({_d(toewijzing.ingangsdatum)}) (TR357).",
            INGANG_VERLEDEN,
        )
    if eind is not None and eind <= dagtekening:
        raise _fout(
            "producten.0.einddatum",
            f"De einddatum ligt na de dagtekening ({_d(dagtekening)}) (TR380).",
            TECHNISCH,
        )


def antwoordtermijn(ontvangen: datetime.date) -> datetime.date:
    """The last day for the gemeente's answer (a toewijzing, or a WMO319 — "in onderzoek" too)
    to a verzoek received on ``ontvangen``: 5 workdays later (OP274, OP346)."""
    return plus_werkdagen(ontvangen, ANTWOORDTERMIJN_WERKDAGEN)


def wacht_op_antwoord(qs):
    """The verzoeken of ``qs`` whose answer term still runs: open and not yet answered
    "in onderzoek" (that answer meets the term)."""
    return qs.filter(status=Verzoek.Status.INGEDIEND, in_onderzoek_op__isnull=True)


def _meld_consulenten(verzoek: Verzoek) -> None:
    """The consulenten of the gemeente hear of a new verzoek at once (who may answer it); an
    unlinked one says that it waits for a link to a dossier or an answer."""
    zonder = " voor een cliënt zonder dossier" if verzoek.dossier_id is None else ""
    meld(
        wie_mag(CHANGE, verzoek, rollen=[CONSULENT], gemeente=verzoek.gemeente_id),
        soort=Notificatie.Soort.VERZOEK,
        tekst=(
            f"{verzoek.aanbieder.naam} vraagt om {verzoek.get_soort_display().lower()}{zonder} "
            f"({verzoek.gemeente.naam}, referentie {verzoek.referentie})."
        ),
        url=reverse("toegang:verzoek-detail", args=[verzoek.pk]),
    )


# --- the gemeente's answer ------------------------------------------------------------------------


def _vergrendel(verzoek: Verzoek, user) -> Verzoek:
    vereis(user, CHANGE, verzoek)
    v = (
        Verzoek.objects.select_for_update(of=("self",))
        .select_related("aanbieder", "gemeente", "dossier", "toewijzing")
        .get(pk=verzoek.pk)
    )
    if v.status != Verzoek.Status.INGEDIEND:
        # TR365: after an answer only "aanvraag in onderzoek" may be followed by another.
        raise ValidationError(
            f"Dit verzoek is al beantwoord: {v.get_status_display().lower()} op "
            f"{timezone.localtime(v.beantwoord_op):%d-%m-%Y %H:%M}.",
            code=AL_BEANTWOORD,
        )
    return v


def in_onderzoek(verzoek: Verzoek, user) -> Verzoek:
    """The gemeente answers "aanvraag in onderzoek" (WMO319 VerzoekAntwoord 2, without a reason,
    CD086): once (TR360, 9360), and only before the final answer (TR365, 9365). The verzoek
    stays open for ``honoreren`` or ``afwijzen``."""
    with transaction.atomic():
        v = _vergrendel(verzoek, user)
        if v.in_onderzoek_op is not None:
            raise ValidationError(
                f"Dit verzoek is al op {timezone.localtime(v.in_onderzoek_op):%d-%m-%Y} in "
                "onderzoek genomen; het volgende antwoord is honoreren of afwijzen (TR360).",
                code=AL_IN_ONDERZOEK,
            )
        v.in_onderzoek_op = timezone.now()
        v.in_onderzoek_door = user
        v.save(update_fields=["in_onderzoek_op", "in_onderzoek_door"])
        audit.record("change", objects=[v], actor=user, toelichting={"status": "in onderzoek"})
    return v


# --- an unlinked verzoek om toewijzing ------------------------------------------------------------


def _te_koppelen(v: Verzoek, user) -> tuple[Dossier | None, str | None]:
    """The dossier an unlinked verzoek would be linked to, or the reason it cannot be."""
    if v.status != Verzoek.Status.INGEDIEND:
        return None, "Dit verzoek is al beantwoord."
    if v.dossier_id is not None:
        return None, "Dit verzoek is al aan een dossier gekoppeld."
    gevonden = client_services.zoek_op_bsn(user, v.bsn)
    dossier = next(
        (d for d in gevonden.dossiers if d.verantwoordelijke_gemeente_id == v.gemeente_id), None
    )
    if dossier is None:
        return None, (
            f"Gemeente {v.gemeente.naam} heeft geen dossier met het BSN van dit verzoek. "
            "Registreer eerst een melding (zoek de cliënt op BSN) en koppel daarna, of wijs het "
            "verzoek af."
        )
    if not dossier.meldingen.exists():
        return None, "Registreer eerst een melding in het dossier van de cliënt en koppel daarna."
    return dossier, None


def weigering_koppelen(verzoek: Verzoek, user) -> str | None:
    """Why ``user`` cannot link this verzoek to a dossier now (None: the button works)."""
    return _te_koppelen(verzoek, user)[1]


def koppel(verzoek: Verzoek, user) -> Verzoek:
    """Link an unlinked verzoek om toewijzing to the dossier (with a melding) of the person with
    its BSN at its gemeente; from then on it is answered as any verzoek (``honoreren``)."""
    with transaction.atomic():
        v = _vergrendel(verzoek, user)
        dossier, reden = _te_koppelen(v, user)
        if reden:
            raise ValidationError(reden)
        v.dossier = dossier
        v.gekoppeld_door = user
        v.gekoppeld_op = timezone.now()
        v.save(update_fields=["dossier", "gekoppeld_door", "gekoppeld_op"])
        audit.record(
            "change", objects=[v], actor=user,
            toelichting={"gekoppeld": "dossier", "dossier": dossier.pk},
        )  # fmt: skip
    return v


def zonder_dossier_per_aanbieder(user, *, dagen: int = 30) -> list[dict]:
    """Per aanbieder, the verzoeken om toewijzing to the user's gemeenten of the last ``dagen``
    days: all, those that arrived without a dossier, and of these the open, linked and refused
    ones. A key that tries BSNs shows here."""
    zonder = Q(zonder_dossier_ontvangen=True)
    return list(
        Verzoek.objects.visible_to(user, VIEW)
        .filter(soort=Verzoek.Soort.TOEWIJZING, ontvangen_op__gte=timezone.now()
                - datetime.timedelta(days=dagen))
        .values("aanbieder_id", "aanbieder__naam")
        .annotate(
            alle=Count("pk"),
            zonder_dossier=Count("pk", filter=zonder),
            open=Count("pk", filter=zonder & Q(dossier__isnull=True,
                                               status=Verzoek.Status.INGEDIEND)),
            gekoppeld=Count("pk", filter=zonder & Q(dossier__isnull=False)),
            afgewezen=Count("pk", filter=zonder & Q(status=Verzoek.Status.AFGEWEZEN)),
        )
        .filter(zonder_dossier__gt=0)
        .order_by("-zonder_dossier", "aanbieder__naam")
    )  # fmt: skip


def dekkend_product(dossier: Dossier, p: dict, *, voorkeur: BeschiktProduct | None = None):
    """The toegekend, active beschikt product of a vastgestelde beschikking in ``dossier`` with
    the requested product's codes whose period covers the requested one; None when there is
    none (honouring then has to say so)."""
    ingang = _datum(p["ingangsdatum"])
    eind = _datum(p.get("einddatum"))
    qs = toewijsbare_producten(BeschiktProduct.objects.filter(beschikking__dossier=dossier)).filter(
        product__productcategorie=p["productcategorie"],
        product__productcode=p.get("productcode") or "",
        ingangsdatum__lte=ingang,
    )
    if eind is None:
        qs = qs.filter(Q(einddatum__isnull=True) | Q(einddatum__gte=ingang))
    else:
        qs = qs.filter(Q(einddatum__isnull=True) | Q(einddatum__gte=eind))
    qs = qs.select_related("product__perceel", "beschikking__dossier__verantwoordelijke_gemeente")
    if voorkeur is not None and qs.filter(pk=voorkeur.pk).exists():
        return qs.get(pk=voorkeur.pk)
    return qs.order_by("-ingangsdatum", "pk").first()


def product_omschrijving(p: dict) -> str:
    tekst = f"productcategorie {p['productcategorie']}"
    if p.get("productcode"):
        tekst += f", productcode {p['productcode']}"
    return f"{tekst} vanaf {_d(_datum(p['ingangsdatum']))}"


def _omvang(bp: BeschiktProduct, p: dict) -> Omvang:
    if bp.product.perceel.bekostiging == Bekostiging.TAAKGERICHT:
        return Omvang()
    volume = p.get("volume")
    return Omvang(
        Decimal(volume) if volume is not None else None, p.get("eenheid") or "",
        p.get("frequentie") or "",
    )  # fmt: skip


def _met_product(i: int, p: dict, exc: ValidationError) -> ValidationError:
    """A toewijzing service's error, told per requested product."""
    return ValidationError(
        {f"producten.{i}": [f"{product_omschrijving(p)}: {m}" for m in exc.messages]}
    )


def honoreren(verzoek: Verzoek, user) -> list[Toewijzing]:
    """The gemeente honours the verzoek: each requested product becomes a toewijzing of the
    beschikt product that covers it (a verzoek om wijziging: the named toewijzing's new version,
    or its new einddatum). All or nothing; answered once."""
    with transaction.atomic():
        v = _vergrendel(verzoek, user)
        if v.dossier is None:
            raise ValidationError(ZONDER_DOSSIER)
        fouten: dict[str, list[str]] = {}
        dekking = []
        oud = v.toewijzing
        for i, p in enumerate(v.producten):
            bp = dekkend_product(v.dossier, p, voorkeur=oud.beschikt_product if oud else None)
            if bp is None:
                fouten[f"producten.{i}"] = [
                    f"Geen vastgestelde beschikking in dit dossier dekt {product_omschrijving(p)}"
                    f"{' tot en met ' + _d(_datum(p['einddatum'])) if p.get('einddatum') else ''}."
                    " Stel eerst een beschikking vast en honoreer daarna, of wijs het verzoek af."
                ]
            dekking.append(bp)
        if fouten:
            raise ValidationError(fouten)

        nieuw: list[Toewijzing] = []
        for i, (p, bp) in enumerate(zip(v.producten, dekking, strict=True)):
            ingang, eind = _datum(p["ingangsdatum"]), _datum(p.get("einddatum"))
            try:
                if oud is None:
                    nieuw.append(
                        maak_toewijzing(user, bp, v.aanbieder, ingang, eind, _omvang(bp, p))
                    )
                    continue
                w = Wijziging(
                    beschikt_product=bp, aanbieder=v.aanbieder, ingangsdatum=ingang,
                    einddatum=eind or bp.einddatum, omvang=_omvang(bp, p),
                    reden=REDEN_DOOR_AANBIEDER,
                )  # fmt: skip
                if alleen_einddatum(oud, w):
                    nieuw.append(wijzig_einddatum(user, oud, w.einddatum, REDEN_DOOR_AANBIEDER))
                else:
                    nieuw.append(vervang(user, oud, w))
            except ValidationError as exc:
                raise _met_product(i, p, exc) from None
        v.status = Verzoek.Status.GEHONOREERD
        v.beantwoord_door = user
        v.beantwoord_op = timezone.now()
        v.save(update_fields=["status", "beantwoord_door", "beantwoord_op"])
        v.nieuwe_toewijzingen.set(nieuw)
        audit.record(
            "change", objects=[v], actor=user,
            toelichting={"status": "gehonoreerd", "toewijzingen": [t.nummer for t in nieuw]},
        )  # fmt: skip
    return nieuw


def afwijzen(
    verzoek: Verzoek, user, reden_afwijzing: str, toelichting: str = "",
    verantwoordelijke_gemeente=None,
) -> Verzoek:  # fmt: skip
    """The gemeente refuses the verzoek with a RedenAfwijzingVerzoek (WJ759). A refusal for the
    woonplaatsbeginsel (8) names the gemeente that is responsible (OP359; a Gemeente or CBS
    code): the WMO319 has no element for it, so the aanbieder reads it in the answer (API, the
    toelichting)."""
    if reden_afwijzing not in codelijst("WJ759_Reden_afwijzing_verzoek"):
        raise ValidationError(
            {"reden_afwijzing": "Kies een reden van afwijzing uit de iWmo-codelijst WJ759."}
        )
    toelichting = (toelichting or "").strip()
    verantwoordelijk = None
    if reden_afwijzing == WOONPLAATSBEGINSEL:
        if verantwoordelijke_gemeente in (None, ""):
            raise ValidationError(
                {"verantwoordelijke_gemeente": "Noem bij een afwijzing wegens het "
                 "woonplaatsbeginsel de gemeente die wel verantwoordelijk is."}
            )  # fmt: skip
        try:
            verantwoordelijk = _gemeente(verantwoordelijke_gemeente)
        except ValidationError:
            raise ValidationError(
                {"verantwoordelijke_gemeente": "Kies een bekende gemeente (CBS-code)."}
            ) from None
        if verantwoordelijk.pk == verzoek.gemeente_id:
            raise ValidationError(
                {"verantwoordelijke_gemeente": "Noem een andere gemeente dan die van het "
                 "verzoek."}
            )  # fmt: skip
        regel = (
            f"Verantwoordelijke gemeente (woonplaatsbeginsel): {verantwoordelijk.naam} "
            f"(CBS-code {verantwoordelijk.code})."
        )
        toelichting = f"{regel}\n{toelichting}" if toelichting else regel
    with transaction.atomic():
        v = _vergrendel(verzoek, user)
        v.status = Verzoek.Status.AFGEWEZEN
        v.reden_afwijzing = reden_afwijzing
        v.toelichting_antwoord = toelichting
        v.verantwoordelijke_gemeente = verantwoordelijk
        v.beantwoord_door = user
        v.beantwoord_op = timezone.now()
        v.save(
            update_fields=[
                "status", "reden_afwijzing", "toelichting_antwoord", "beantwoord_door",
                "beantwoord_op", "verantwoordelijke_gemeente",
            ]
        )  # fmt: skip
        audit.record(
            "change", objects=[v], actor=user,
            toelichting={"status": "afgewezen", "reden_afwijzing": reden_afwijzing},
        )  # fmt: skip
    return v
