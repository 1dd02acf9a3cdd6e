"""Reading iWmo XML safely and validating it against the iWmo 3.2 XSDs shipped in ``xsd/``.

The parser is hardened: no entity substitution, no DTD loading or validation, no network, no
huge trees; a document that carries a DOCTYPE at all is refused (iWmo messages never have one),
so neither entity expansion (billion laughs) nor external entities (XXE) can get in. Schemas are
compiled once, from their file paths so the relative import of ``basisschema.xsd`` resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"
NS_BASIS = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"
_NS_BERICHT = re.compile(r"^http://www\.istandaarden\.nl/iwmo/3_2/wmo(\d{3})/schema$")
MAX_BYTES = 20 * 1024 * 1024  # a declaratie of many thousand prestaties stays far below this


def namespace(berichttype: str) -> str:
    """The namespace of a message type, ``"301"`` → ``…/wmo301/schema``."""
    return f"http://www.istandaarden.nl/iwmo/3_2/wmo{berichttype}/schema"


@dataclass(frozen=True)
class Fout:
    """One error in a message: where (line, element) and what (a Dutch message)."""

    regel: int | None
    element: str
    melding: str

    def als_dict(self) -> dict:
        return {"regel": self.regel, "element": self.element, "melding": self.melding}

    def __str__(self):
        waar = f"regel {self.regel}" if self.regel else "bericht"
        element = f"{self.element}: " if self.element else ""
        return f"{waar}: {element}{self.melding}"


class OngeldigBericht(Exception):
    """The message is refused whole; ``fouten`` says why."""

    def __init__(self, fouten: list[Fout]):
        self.fouten = list(fouten)
        super().__init__("; ".join(str(f) for f in self.fouten))


def veilige_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def lees(inhoud: bytes) -> etree._ElementTree:
    """Parse a message with the hardened parser; raises ``OngeldigBericht`` when it is not
    well-formed XML, too large, or carries a DOCTYPE / entity declarations."""
    if not isinstance(inhoud, bytes):
        raise TypeError("Een iWmo-bericht wordt als bytes gelezen.")
    if len(inhoud) > MAX_BYTES:
        raise OngeldigBericht([Fout(None, "", "Het bericht is te groot.")])
    if re.search(rb"<!(DOCTYPE|ENTITY)", inhoud, re.IGNORECASE):
        raise OngeldigBericht(
            [Fout(None, "", "Een iWmo-bericht mag geen DOCTYPE of entiteitdefinities bevatten.")]
        )
    try:
        doc = etree.fromstring(inhoud, parser=veilige_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        regel = exc.lineno if getattr(exc, "lineno", None) else None
        raise OngeldigBericht([Fout(regel, "", f"Geen geldige XML: {exc.msg}")]) from None
    # Another encoding (UTF-16) hides the byte pattern above: check what the parser saw.
    if doc.docinfo.doctype or doc.docinfo.internalDTD is not None:
        raise OngeldigBericht(
            [Fout(None, "", "Een iWmo-bericht mag geen DOCTYPE of entiteitdefinities bevatten.")]
        )
    for node in doc.iter():
        if isinstance(node, etree._Entity):
            raise OngeldigBericht([Fout(node.sourceline, "", "Entiteiten zijn niet toegestaan.")])
    return doc


def beschikbare_typen() -> list[str]:
    """The message types whose XSD is present, e.g. ``["301", "305", ...]``."""
    return sorted(p.stem[3:] for p in XSD_DIR.glob("WMO[0-9][0-9][0-9].xsd"))


@cache
def schema(berichttype: str) -> etree.XMLSchema:
    """The compiled XSD of a message type (compiled once per process)."""
    pad = XSD_DIR / f"WMO{berichttype}.xsd"
    if not pad.is_file():
        raise KeyError(berichttype)
    return etree.XMLSchema(etree.parse(str(pad), parser=veilige_parser()))


def berichttype(doc: etree._ElementTree) -> str | None:
    """The iWmo message type of a document from its root's namespace, or None."""
    root = doc.getroot()
    qname = etree.QName(root)
    match = _NS_BERICHT.match(qname.namespace or "")
    if qname.localname != "Bericht" or not match:
        return None
    return match.group(1)


_ELEMENT_IN_MELDING = re.compile(r"^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '[^']+')?: ")


def _schemafout(entry) -> Fout:
    melding = entry.message
    element = ""
    match = _ELEMENT_IN_MELDING.match(melding)
    if match:
        element = match.group(1)
        melding = melding[match.end() :]
    melding = re.sub(r"\{https?://[^}]*\}", "", melding)  # namespaces, not value sets
    return Fout(entry.line or None, element, melding)


def valideer_schema(doc: etree._ElementTree) -> tuple[str, list[Fout]]:
    """Validate a parsed document against the XSD of its message type: (type, errors)."""
    soort = berichttype(doc)
    if soort is None:
        root = etree.QName(doc.getroot())
        return "", [
            Fout(
                doc.getroot().sourceline,
                root.localname,
                f"Geen iWmo 3.2-bericht (namespace {root.namespace or 'leeg'}).",
            )
        ]
    if soort not in beschikbare_typen():
        return soort, [Fout(None, "Bericht", f"Het schema van WMO{soort} is niet aanwezig.")]
    xsd = schema(soort)
    if xsd.validate(doc):
        return soort, []
    return soort, [_schemafout(entry) for entry in xsd.error_log]


def valideer(inhoud: bytes) -> tuple[str, list[Fout]]:
    """Parse safely and validate against the message's XSD: (type, errors); no errors = valid."""
    try:
        doc = lees(inhoud)
    except OngeldigBericht as exc:
        return "", exc.fouten
    return valideer_schema(doc)
