"""The verevening's file formats: the scenario JSON that finance staff write to try alpha or
budgets before the real run (issue 7), and the CSV and JSON of an outcome.

A scenario::

    {"regio": "amersfoort", "jaar": 2026, "alpha": "0.5",
     "centrumgemeentebudget": "9500000.00", "totale_kosten": "12000000.00",
     "voorschot_totaal": "2200000.00",
     "gemeenten": [{"code": "0307", "naam": "Amersfoort", "aandeel": "56.52",
                    "kosten_nieuw": "1100000.00"}, ...]}

Amounts are strings in euros (a dot before the cents), ``aandeel`` a percentage as a string.
Either ``voorschot_totaal`` is given, and split by the normalised shares, or every gemeente has
its own ``"voorschot"``. Optional: ``"strategie"`` (default ``"solidariteit"``) and
``"strategie_parameters"`` (an object). Unknown fields are refused, so a typo is not silently
ignored. ``invoer_als_json`` writes an input back in this format (with the voorschot per gemeente):
a snapshot that ``lees_scenario`` reads back to the same input.
"""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from pathlib import Path

from financien.verevening import (
    REKENCONTEXT,
    STANDAARDSTRATEGIE,
    GemeenteInvoer,
    Verevening,
    VereveningFout,
    VereveningInvoer,
    voorschotten_naar_verdeelmodel,
)

KOLOMMEN = [
    "gemeente_code", "gemeente", "aandeel_verdeelmodel", "aandeel_nieuw", "toegerekend",
    "voorschot", "verrekening",
]  # fmt: skip
_FRACTIE = Decimal("0.000001")

_VERPLICHT = ("regio", "jaar", "alpha", "centrumgemeentebudget", "totale_kosten", "gemeenten")
_OPTIONEEL = ("voorschot_totaal", "strategie", "strategie_parameters")
_GEMEENTE_VERPLICHT = ("code", "naam", "aandeel", "kosten_nieuw")
_GEMEENTE_OPTIONEEL = ("voorschot",)


def lees_scenariobestand(pad) -> VereveningInvoer:
    """The input described by the scenario file at ``pad``; VereveningFout when it is unusable."""
    try:
        inhoud = Path(pad).read_bytes()
    except FileNotFoundError:
        raise VereveningFout(f"Het scenariobestand {pad} bestaat niet.") from None
    except OSError:
        raise VereveningFout(f"Het scenariobestand {pad} kan niet gelezen worden.") from None
    return lees_scenario(inhoud)


def _geen_dubbele_velden(paren):
    gezien = {}
    for sleutel, waarde in paren:
        if sleutel in gezien:
            raise VereveningFout(f"Het veld {sleutel!r} komt twee keer voor in het scenario.")
        gezien[sleutel] = waarde
    return gezien


def lees_scenario(inhoud: bytes | str) -> VereveningInvoer:
    """The input described by a scenario (JSON text); VereveningFout when it is unusable."""
    if isinstance(inhoud, bytes):
        try:
            inhoud = inhoud.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise VereveningFout("Het scenario is geen UTF-8-tekst.") from None
    try:
        data = json.loads(inhoud, object_pairs_hook=_geen_dubbele_velden)
    except json.JSONDecodeError as exc:
        raise VereveningFout(
            f"Het scenario is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})."
        ) from None
    except RecursionError:
        raise VereveningFout("Het scenario is geen bruikbare JSON (te diep genest).") from None
    if not isinstance(data, dict):
        raise VereveningFout("Het scenario moet een JSON-object zijn ({...}).")
    _velden(data, _VERPLICHT, _OPTIONEEL, "het scenario")

    regio = _tekst(data["regio"], "regio")
    jaar = data["jaar"]
    if isinstance(jaar, bool) or not isinstance(jaar, int):
        raise VereveningFout("Het veld 'jaar' moet een geheel getal zijn, bv. 2026.")
    if not 2015 <= jaar <= 2100:
        raise VereveningFout(f"Het jaar {jaar} ligt niet tussen 2015 en 2100.")
    strategie = _tekst(data.get("strategie", STANDAARDSTRATEGIE), "strategie")
    parameters = data.get("strategie_parameters", {})
    if not isinstance(parameters, dict):
        raise VereveningFout("Het veld 'strategie_parameters' moet een JSON-object zijn.")

    lijst = data["gemeenten"]
    if not isinstance(lijst, list):
        raise VereveningFout("Het veld 'gemeenten' moet een lijst zijn.")
    if not lijst:
        raise VereveningFout("Er zijn geen gemeenten opgegeven.")
    heeft_totaal = "voorschot_totaal" in data
    gemeenten = []
    for nummer, item in enumerate(lijst, start=1):
        waar = f"gemeente nr. {nummer}"
        if not isinstance(item, dict):
            raise VereveningFout(f"In 'gemeenten' is {waar} geen JSON-object.")
        _velden(item, _GEMEENTE_VERPLICHT, _GEMEENTE_OPTIONEEL, waar)
        naam = _tekst(item["naam"], "naam", waar)
        waar = f"{waar} ({naam})"
        if heeft_totaal and "voorschot" in item:
            raise VereveningFout(
                f"{_hoofdletter(waar)} heeft een eigen 'voorschot' naast 'voorschot_totaal'; "
                f"geef het één of het ander."
            )
        if not heeft_totaal and "voorschot" not in item:
            raise VereveningFout(
                f"{_hoofdletter(waar)} heeft geen 'voorschot'; geef per gemeente een voorschot "
                f"of één 'voorschot_totaal'."
            )
        gemeenten.append(
            GemeenteInvoer(
                code=_tekst(item["code"], "code", waar),
                naam=naam,
                aandeel=_decimaal(item["aandeel"], "aandeel", waar, voorbeeld="56.52"),
                kosten_nieuw=_decimaal(item["kosten_nieuw"], "kosten_nieuw", waar),
                voorschot=(
                    Decimal("0.00")
                    if heeft_totaal
                    else _decimaal(item["voorschot"], "voorschot", waar)
                ),
            )
        )
    if heeft_totaal:
        totaal = _decimaal(data["voorschot_totaal"], "voorschot_totaal")
        gemeenten = voorschotten_naar_verdeelmodel(gemeenten, totaal)
    return VereveningInvoer(
        regio=regio,
        jaar=jaar,
        alpha=_decimaal(data["alpha"], "alpha", voorbeeld="0.5"),
        centrumgemeentebudget=_decimaal(data["centrumgemeentebudget"], "centrumgemeentebudget"),
        totale_kosten=_decimaal(data["totale_kosten"], "totale_kosten"),
        gemeenten=tuple(gemeenten),
        strategie=strategie,
        strategie_parameters=parameters,
    )


def _hoofdletter(tekst: str) -> str:
    return tekst[:1].upper() + tekst[1:]


def _velden(data: dict, verplicht, optioneel, waar: str) -> None:
    for veld in verplicht:
        if veld not in data:
            raise VereveningFout(f"In {waar} ontbreekt het veld {veld!r}.")
    onbekend = sorted(set(data) - set(verplicht) - set(optioneel))
    if onbekend:
        raise VereveningFout(f"In {waar} staat een onbekend veld: {onbekend[0]!r}.")


def _tekst(waarde, veld: str, waar: str = "het scenario") -> str:
    if not isinstance(waarde, str) or not waarde.strip():
        raise VereveningFout(f"In {waar} moet het veld {veld!r} een niet-lege tekst zijn.")
    return waarde.strip()


def _decimaal(waarde, veld: str, waar: str = "het scenario", voorbeeld="1100000.00") -> Decimal:
    if not isinstance(waarde, str):
        raise VereveningFout(
            f'In {waar} moet het veld {veld!r} een getal als tekst zijn, bv. "{voorbeeld}".'
        )
    try:
        getal = Decimal(waarde.strip())
    except InvalidOperation:
        getal = None
    if getal is None or not getal.is_finite():
        raise VereveningFout(
            f'In {waar} is {veld!r} geen getal: {waarde!r} (schrijf bv. "{voorbeeld}", met een '
            f"punt voor de decimalen en zonder scheidingstekens voor duizendtallen)."
        )
    return getal


# --- output ----------------------------------------------------------------------------------


def _fractie(waarde: Decimal) -> str:
    return f"{waarde.quantize(_FRACTIE, rounding=ROUND_HALF_UP):f}"


def _geld(waarde: Decimal) -> str:
    return f"{waarde:.2f}"


def _rijen(uitkomst: Verevening):
    for regel in uitkomst.gemeenten:
        yield {
            "gemeente_code": regel.code,
            "gemeente": regel.naam,
            "aandeel_verdeelmodel": _fractie(regel.s_g),
            "aandeel_nieuw": _fractie(regel.u_g),
            "toegerekend": _geld(regel.A_g),
            "voorschot": _geld(regel.V_g),
            "verrekening": _geld(regel.D_g),
        }


def _totaalrij(uitkomst: Verevening) -> dict:
    return {
        "gemeente_code": "",
        "gemeente": "totaal",
        "aandeel_verdeelmodel": _fractie(sum(r.s_g for r in uitkomst.gemeenten)),
        "aandeel_nieuw": _fractie(sum(r.u_g for r in uitkomst.gemeenten)),
        "toegerekend": _geld(uitkomst.som_A),
        "voorschot": _geld(uitkomst.som_V),
        "verrekening": _geld(uitkomst.som_D),
    }


def als_csv(uitkomst: Verevening) -> str:
    """One row per gemeente (by name) and a ``totaal`` row; money with two decimals and a dot,
    shares as fractions with six decimals."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=KOLOMMEN, lineterminator="\n")
    with localcontext(REKENCONTEXT):
        writer.writeheader()
        writer.writerows(_rijen(uitkomst))
        writer.writerow(_totaalrij(uitkomst))
    return buffer.getvalue()


def als_json(uitkomst: Verevening) -> str:
    """The outcome with the regional figures and remarks; the same columns as the CSV, numbers as
    strings so nothing passes through a float."""
    with localcontext(REKENCONTEXT):
        return _als_json(uitkomst)


def _als_json(uitkomst: Verevening) -> str:
    gemeenten = []
    for regel, rij in zip(uitkomst.gemeenten, _rijen(uitkomst), strict=True):
        gemeenten.append(
            {
                "gemeente_code": rij["gemeente_code"],
                "gemeente": rij["gemeente"],
                "aandeel_ingevoerd": _getaltekst(regel.aandeel),
                "aandeel_verdeelmodel": rij["aandeel_verdeelmodel"],
                "kosten_nieuw": _geld(regel.N_g),
                **{k: rij[k] for k in KOLOMMEN[3:]},
            }
        )
    totaal = _totaalrij(uitkomst)
    totaal = {
        "aandeel_verdeelmodel": totaal["aandeel_verdeelmodel"],
        "kosten_nieuw": _geld(uitkomst.som_N),
        **{k: totaal[k] for k in KOLOMMEN[3:]},
    }
    inhoud = {
        "regio": uitkomst.regio,
        "jaar": uitkomst.jaar,
        "strategie": uitkomst.strategie,
        "alpha": f"{uitkomst.alpha:f}",
        "centrumgemeentebudget": _geld(uitkomst.B_c),
        "totale_kosten": _geld(uitkomst.T),
        "centrumgemeente_deel": _geld(uitkomst.C),
        "restant": _geld(uitkomst.R),
        "aandelen_som": f"{uitkomst.aandelen_som:f}",
        "genormaliseerd": uitkomst.genormaliseerd,
        "gemeenten": gemeenten,
        "totaal": totaal,
        "opmerkingen": list(uitkomst.opmerkingen),
    }
    return json.dumps(inhoud, ensure_ascii=False, indent=2) + "\n"


def _getaltekst(waarde) -> str:
    return f"{Decimal(waarde):f}"


def invoer_als_dict(invoer: VereveningInvoer) -> dict:
    """The input as a scenario (voorschot per gemeente, gemeenten by name): for a run's snapshot."""
    return {
        "regio": invoer.regio,
        "jaar": invoer.jaar,
        "strategie": invoer.strategie,
        "strategie_parameters": dict(invoer.strategie_parameters),
        "alpha": _getaltekst(invoer.alpha),
        "centrumgemeentebudget": _getaltekst(invoer.centrumgemeentebudget),
        "totale_kosten": _getaltekst(invoer.totale_kosten),
        "gemeenten": [
            {
                "code": g.code,
                "naam": g.naam,
                "aandeel": _getaltekst(g.aandeel),
                "kosten_nieuw": _getaltekst(g.kosten_nieuw),
                "voorschot": _getaltekst(g.voorschot),
            }
            for g in sorted(invoer.gemeenten, key=lambda g: (g.naam, g.code))
        ],
    }


def invoer_als_json(invoer: VereveningInvoer) -> str:
    """Canonical JSON of ``invoer_als_dict`` (sorted keys, no spaces): hash this for a snapshot."""
    return json.dumps(
        invoer_als_dict(invoer), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
