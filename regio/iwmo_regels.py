"""The iWmo 3.2 rules and the conformance table (docs/IWMO.md).

Three sources meet here:

- **the rules** (``regio/data/iwmo_regels.csv``): a snapshot of every rule of the public copy of
  the regelrapport in ``i-Sociaal-Lab/jaapjunior`` (``packages/api/wmo/bronnen/regels/``: one row
  per rule file, one per condition/constraint/restriction of the CD/CS/RS table, one per
  uitgangspunt) plus every rule that the case descriptions, the Mutatieoverzicht or the UP
  relations name without a file of its own. The mirror is not available in CI, so the ids,
  titles, messages and WJ001 retourcodes are committed; ``regio/data/README.md`` says how they
  were taken.
- **the decisions** (``Besluit``): per rule, whether it applies to us (the gemeente: we receive
  WMO305, 307, 315, 317 and 323 and send WMO301 and 319) and why not, and the dotted path of the
  function that enforces it. They live with the code they describe
  (``toegang.toewijzingen.conformiteit``); regio only defines their shape.
- **the tests**: a test shows a rule with ``@pytest.mark.iwmo_regel("TR414", ...)``;
  ``verzamel_tests`` reads those markers from ``tests/*.py`` with ``ast``, without running them.

``tabel`` renders the three into the Markdown of docs/IWMO.md; ``manage.py iwmo_conformiteit``
writes it and ``tests/test_iwmo_conformiteit.py`` checks that the committed file is current.
"""

from __future__ import annotations

import ast
import csv
import importlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

BRONBESTAND = Path(__file__).resolve().parent / "data" / "iwmo_regels.csv"

SOORTEN = {
    "OP": "Bedrijfsregels (OP)",
    "TR": "Technische regels (TR)",
    "CD": "Condities (CD)",
    "CS": "Constraints (CS)",
    "RS": "Restricties (RS)",
    "IV": "Invulinstructies (IV)",
    "UP": "Uitgangspunten (UP)",
}

# What a decision says about a rule that applies to us.
GEBOUWD = "gebouwd"  # enforced at ``waar``; needs a test
GEPLAND = "gepland"  # being built in another part of issue 19 at ``waar`` (the planned place)
OPEN = "open"  # applies, not (yet) enforced: a known gap, named in the table


@dataclass(frozen=True)
class Bronregel:
    """One rule as the snapshot of the sources has it."""

    id: str
    soort: str
    titel: str
    berichten: tuple[str, ...]
    retourcode: str  # WJ001 code from the rule file or the CD/CS table; "" when none
    bron: str  # the rule file, or where the rule is named when it has none
    genoemd: str  # "casus", "mutatie", "UP:UP017+..." where else the sources name it


@dataclass(frozen=True)
class Besluit:
    """Whether a rule applies to us, and where and how far it is enforced."""

    geldt: bool
    waarom_niet: str = ""
    waar: tuple[str, ...] = ()
    status: str = GEBOUWD
    notitie: str = ""  # a source note: where a rule file disagrees with the other sources

    def __post_init__(self):
        assert self.geldt or self.waarom_niet, "a rule that does not apply says why not"
        assert self.status in (GEBOUWD, GEPLAND, OPEN)


def ja(*waar: str, notitie: str = "") -> Besluit:
    return Besluit(True, waar=waar, notitie=notitie)


def gepland(*waar: str, notitie: str = "") -> Besluit:
    return Besluit(True, waar=waar, status=GEPLAND, notitie=notitie)


def open_(notitie: str, *waar: str) -> Besluit:
    return Besluit(True, waar=waar, status=OPEN, notitie=notitie)


def nee(waarom: str, *waar: str, notitie: str = "") -> Besluit:
    return Besluit(False, waarom_niet=waarom, waar=waar, notitie=notitie)


@cache
def bronregels() -> dict[str, Bronregel]:
    """Every rule of the snapshot, by id, in the snapshot's order (by soort, then id)."""
    with open(BRONBESTAND, newline="", encoding="utf-8") as handle:
        return {
            row["id"]: Bronregel(
                id=row["id"],
                soort=row["soort"],
                titel=row["titel"],
                berichten=tuple(row["berichten"].split()),
                retourcode=row["retourcode"],
                bron=row["bron"],
                genoemd=row["genoemd"],
            )
            for row in csv.DictReader(handle)
        }


def lost_op(pad: str) -> bool:
    """Whether a dotted path (``package.module.function`` or ``package.module``) names
    something that exists."""
    delen = pad.split(".")
    for i in range(len(delen), 0, -1):
        try:
            obj = importlib.import_module(".".join(delen[:i]))
        except ModuleNotFoundError:
            continue
        for naam in delen[i:]:
            if not hasattr(obj, naam):
                return False
            obj = getattr(obj, naam)
        return True
    return False


# --- the tests that show a rule ------------------------------------------------------------------


def _regels_in_marker(node: ast.expr) -> list[str] | None:
    """The rule ids of an ``iwmo_regel(...)`` mark, or None when ``node`` is not one."""
    if isinstance(node, ast.Call):
        func = node.func
        naam = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if naam == "iwmo_regel":
            return [a.value for a in node.args if isinstance(a, ast.Constant)]
    return None


def _markers(nodes) -> list[str]:
    regels: list[str] = []
    for node in nodes:
        elementen = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
        for element in elementen:
            regels += _regels_in_marker(element) or []
    return regels


def _pytestmark(body) -> list[str]:
    regels: list[str] = []
    for stmt in body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            regels += _markers([stmt.value])
    return regels


def _tests_in(body, prefix: str, geerfd: list[str], uit: dict[str, set[str]]) -> None:
    eigen = geerfd + _pytestmark(body)
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith(
            "test"
        ):
            for regel in eigen + _markers(stmt.decorator_list):
                uit.setdefault(regel, set()).add(f"{prefix}::{stmt.name}")
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            _tests_in(
                stmt.body, f"{prefix}::{stmt.name}", eigen + _markers(stmt.decorator_list), uit
            )


def verzamel_tests(map: Path) -> dict[str, list[str]]:
    """rule id → the tests that carry its ``iwmo_regel`` marker, as ``tests/test_x.py::test_y``
    (decorators on functions and classes, and ``pytestmark`` of a module or class), read from
    ``map/test_*.py`` without importing them."""
    uit: dict[str, set[str]] = {}
    for bestand in sorted(map.glob("test_*.py")):
        boom = ast.parse(bestand.read_text(encoding="utf-8"), filename=str(bestand))
        _tests_in(boom.body, f"{map.name}/{bestand.name}", [], uit)
    return {regel: sorted(tests) for regel, tests in sorted(uit.items())}


# --- the table -----------------------------------------------------------------------------------


@dataclass
class Rij:
    bron: Bronregel
    besluit: Besluit
    tests: list[str] = field(default_factory=list)

    @property
    def getest(self) -> bool:
        return bool(self.tests)


def rijen(besluiten: dict[str, Besluit], tests: dict[str, list[str]]) -> list[Rij]:
    """A row per rule of the snapshot; a rule without a decision is an error."""
    regels = bronregels()
    zonder = [r for r in regels if r not in besluiten]
    onbekend = [r for r in besluiten if r not in regels]
    if zonder or onbekend:
        raise ValueError(f"zonder besluit: {zonder}; besluit zonder regel: {onbekend}")
    return [Rij(bron, besluiten[id], tests.get(id, [])) for id, bron in regels.items()]


def tellingen(rijen: list[Rij]) -> dict[str, int]:
    gelden = [r for r in rijen if r.besluit.geldt]
    return {
        "regels": len(rijen),
        "gelden": len(gelden),
        "gebouwd": sum(r.besluit.status == GEBOUWD for r in gelden),
        "getest": sum(r.getest for r in gelden),
        "gepland": sum(r.besluit.status == GEPLAND for r in gelden),
        "open": sum(r.besluit.status == OPEN for r in gelden),
    }


def samenvatting(rijen: list[Rij]) -> str:
    """One line with the counts, as README.md quotes it."""
    t = tellingen(rijen)
    return (
        f"{t['regels']} regels, waarvan {t['gelden']} voor de gemeente gelden: "
        f"{t['gebouwd']} gebouwd, {t['getest']} met een test, {t['gepland']} gepland, "
        f"{t['open']} open."
    )


def _cel(tekst: str) -> str:
    return tekst.replace("|", "\\|").replace("\n", " ")


def _kort(tekst: str, lengte: int = 120) -> str:
    return tekst if len(tekst) <= lengte else tekst[: lengte - 1].rstrip() + "…"


def _retourcode(rij: Rij) -> str:
    if rij.bron.soort == "TR":
        return rij.bron.retourcode or "n.v.t."
    if rij.bron.soort in ("CD", "CS") and rij.bron.retourcode:
        return rij.bron.retourcode
    return "—"


def _geldt(rij: Rij) -> str:
    b = rij.besluit
    if not b.geldt:
        return f"nee: {b.waarom_niet}"
    return {GEBOUWD: "ja", GEPLAND: "ja (gepland)", OPEN: "ja (**open**)"}[b.status]


def tabel(rijen: list[Rij]) -> str:
    """The Markdown of docs/IWMO.md."""
    t = tellingen(rijen)
    regels = [
        "# iWmo 3.2: regel voor regel",
        "",
        "<!-- Gegenereerd door `manage.py iwmo_conformiteit` (`make iwmo-docs`); niet met de hand",
        "     bewerken. Bronnen: regio/data/iwmo_regels.csv, toegang/toewijzingen/conformiteit.py",
        "     en de markers @pytest.mark.iwmo_regel in tests/. -->",
        "",
        "Elke regel van het iWmo 3.2-regelrapport in de publieke kopie",
        "(`i-Sociaal-Lab/jaapjunior`, `packages/api/wmo/bronnen/regels/`), plus de regels die de",
        "casusbeschrijvingen, het mutatieoverzicht en de relaties van de uitgangspunten noemen",
        "zonder eigen bestand. Per regel: geldt hij voor de gemeente (wij ontvangen WMO305, 307,",
        "315, 317 en 323 en versturen WMO301 en 319) en zo niet waarom, waar hij wordt",
        "afgedwongen, zijn WJ001-retourcode (TR-regels; `—` voor OP, IV en UP) en de tests die",
        "hem laten zien. Een regel zonder eigen bestand heeft zijn titel uit de",
        "casusbeschrijvingen of uit de iJw-kopie van dezelfde repository (zelfde nummering); dat",
        "staat bij de regel.",
        "",
        f"- **{t['regels']}** regels in de bron, **{t['gelden']}** gelden voor de gemeente;",
        f"- **{t['gebouwd']}** daarvan zijn gebouwd, **{t['getest']}** hebben een test;",
        f"- **{t['gepland']}** zijn gepland (een ander onderdeel van issue 19 bouwt ze);",
        f"- **{t['open']}** zijn open: ze gelden, maar regiozorg dwingt ze (nog) niet af.",
        "",
        "| soort | regels | gelden | gebouwd | getest | gepland | open |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for soort, naam in SOORTEN.items():
        deel = tellingen([r for r in rijen if r.bron.soort == soort])
        regels.append(
            f"| {naam} | {deel['regels']} | {deel['gelden']} | {deel['gebouwd']} | "
            f"{deel['getest']} | {deel['gepland']} | {deel['open']} |"
        )
    for soort, naam in SOORTEN.items():
        deel = [r for r in rijen if r.bron.soort == soort]
        regels += [
            "",
            f"## {naam}",
            "",
            "| regel | titel | berichten | geldt voor ons | waar | retourcode | tests "
            "| bron, notitie |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in deel:
            bron = r.bron.bron
            if r.bron.genoemd:
                bron += f"; genoemd: {r.bron.genoemd}"
            if r.besluit.notitie:
                bron += f". **Notitie:** {r.besluit.notitie}"
            cellen = [
                f"**{r.bron.id}**",
                _kort(r.bron.titel) or "(geen tekst in de bron)",
                " ".join(r.bron.berichten) or "—",
                _geldt(r),
                "<br>".join(f"`{w}`" for w in r.besluit.waar) or "—",
                _retourcode(r),
                "<br>".join(f"`{x}`" for x in r.tests) or "—",
                bron,
            ]
            regels.append("| " + " | ".join(_cel(c) for c in cellen) + " |")
    return "\n".join(regels) + "\n"
