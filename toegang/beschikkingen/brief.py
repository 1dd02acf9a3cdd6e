"""The letter of a beschikking: what the PDF says (addressee, the products granted and refused,
motivering, rechtsmiddelenclausule) and the stored letter itself. Rendered once at bekendmaking
(``services.maak_bekend``), never again."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError

from inkoop.models import Bekostiging
from regio.iwmo import codelijst
from regio.pdf import logo_uri
from toegang.beschikkingen.producten import categorie_label, omvang_label, periode_label
from toegang.dossiers.services import postadres, postontvanger
from toegang.models import (
    Beschikking,
)


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
    logo = logo_uri(gemeente)
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
        "intrekking": beschikking.is_intrekking,
        "in_werking_op": beschikking.in_werking_op,
        "vorige_producten": [
            {"naam": bp.product.naam, "periode": periode_label(bp.ingangsdatum, bp.einddatum)}
            for bp in beschikking.vorige.producten.filter(toegekend=True).select_related("product")
        ]
        if beschikking.is_intrekking
        else [],
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
