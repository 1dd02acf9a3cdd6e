"""What both finance imports share once the file is read: the course of an import (read, check,
write all or nothing, audit), its result, and the look-ups and checks of the gemeente and the
aanbieder (a few queries for all rows at once, never one per row)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from financien.imports.bestand import lees, ontleed
from inkoop.models import Aanbieder
from regio import audit
from regio.models import Domein, Gemeente, Lidmaatschap
from regio.query import vereis
from regio.tabel import Foutenlijst, Importfout, euro
from toegang.models import Persoon, bsn_hash

MAX_FOUTEN = 200
_CHUNK = 5000
GELIJKTIJDIG = (
    "Terwijl dit bestand werd verwerkt, legde iemand anders een deel van dezelfde gegevens "
    "vast; er is niets vastgelegd. Importeer het bestand opnieuw."
)


# --- the result ------------------------------------------------------------------------------


@dataclass
class Importresultaat:
    """The outcome of an import: either ``gelukt`` with the counts of what was written, or
    refused with the errors (the first ``MAX_FOUTEN``; ``fouten_meer`` counts the rest)."""

    soort: str
    bestandsnaam: str
    regels: int = 0
    aantallen: dict = field(default_factory=dict)
    fouten: list[Importfout] = field(default_factory=list)
    fouten_meer: int = 0

    @property
    def gelukt(self) -> bool:
        return not self.fouten

    @property
    def aantal_fouten(self) -> int:
        return len(self.fouten) + self.fouten_meer

    def samenvatting(self) -> list[str]:
        """Dutch lines for the screen or the command line."""
        if not self.gelukt:
            regels = [
                f"Import geweigerd: {self.aantal_fouten} "
                f"{'fout' if self.aantal_fouten == 1 else 'fouten'}; er is niets vastgelegd.",
                *(str(f) for f in self.fouten),
            ]
            if self.fouten_meer:
                regels.append(f"… en nog {self.fouten_meer} fouten.")
            return regels
        a = self.aantallen
        if self.soort == "kostenregels":
            return [
                f"{a['kostenregels']} kostenregels vastgelegd, samen {euro(a['bedrag'])}.",
                f"Eerste start beschermd wonen: {a['eerste_starts_nieuw']} nieuw, "
                f"{a['eerste_starts_verlaagd']} vervroegd.",
            ]
        return [
            f"{self.regels} cliënten verwerkt: {a['personen_nieuw']} nieuwe personen, "
            f"{a['personen_bekend']} al bekend.",
            f"Eerste start beschermd wonen: {a['eerste_starts_nieuw']} nieuw, "
            f"{a['eerste_starts_verlaagd']} vervroegd, "
            f"{a['eerste_starts_ongewijzigd']} ongewijzigd.",
        ]


# --- the course of an import -----------------------------------------------------------------


IMPORTEER = "financien.add_kostenregel"


class Verwerking:
    """One import of ``soort`` into ``regio``: reads and parses the rows, collects the errors,
    and ends refused (audited, nothing written) or written in one transaction."""

    def __init__(self, soort, object_type, kolommen, regio, bestandsnaam, user):
        # A regio's figures: only a regio-wide finance role imports them (None: the command).
        vereis(
            user, IMPORTEER, regio, "Alleen wie voor de hele regio werkt, importeert kosten.",
            openbaar=True,
        )  # fmt: skip
        self.resultaat = Importresultaat(soort=soort, bestandsnaam=bestandsnaam or "")
        self.object_type = object_type
        self.kolommen = kolommen
        self.regio = regio
        self.user = user
        self.fouten = Foutenlijst([k.naam for k in kolommen])

    def rijen(self, bestand) -> list[tuple[int, dict]] | None:
        """Every row as (row number, {column: value or None}); None when the file cannot be
        read or its header is wrong (the errors are in ``fouten``)."""
        invoer = lees(bestand, self.resultaat.bestandsnaam, self.kolommen, self.fouten)
        if invoer is None:
            return None
        self.resultaat.regels = len(invoer.rijen)
        return ontleed(invoer, self.kolommen, self.fouten)

    def geweigerd(self, fouten: list[Importfout] | None = None) -> Importresultaat:
        """Refused with ``fouten`` (default: those collected); audited as an error."""
        resultaat = self.resultaat
        fouten = self.fouten.gesorteerd() if fouten is None else fouten
        resultaat.fouten = fouten[:MAX_FOUTEN]
        resultaat.fouten_meer = max(len(fouten) - MAX_FOUTEN, 0)
        audit.record(
            "create", object_type=self.object_type, resultaat="error", actor=self.user,
            toelichting={
                "import": resultaat.soort, "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
                "regio": self.regio.code, "regels": resultaat.regels,
                "fouten": resultaat.aantal_fouten,
            },
        )  # fmt: skip
        return resultaat

    def vastleggen(self, schrijf) -> Importresultaat:
        """``schrijf()`` (returning the counts) in one transaction; when the database refuses a
        row that a concurrent import wrote meanwhile, nothing stays and the file is refused."""
        try:
            with transaction.atomic():
                self.resultaat.aantallen = schrijf()
        except IntegrityError:
            return self.geweigerd([Importfout(None, "", GELIJKTIJDIG)])
        return self.resultaat


# --- look-ups (one query per kind, chunked) --------------------------------------------------


def in_brokken(waarden):
    waarden = sorted(waarden)
    for i in range(0, len(waarden), _CHUNK):
        yield waarden[i : i + _CHUNK]


def _clients_op_bsn(bsns) -> dict[str, object]:
    """{bsn: client id} of the persons known by these BSNs: the bulk form of
    ``Persoon.objects.find_by_bsn`` (same keyed hash, ``toegang.models.bsn_hash``)."""
    hashes = {bsn_hash(b): b for b in bsns}
    gevonden = {}
    for brok in in_brokken(hashes):
        for h, client_id in Persoon.objects.filter(bsn_hash__in=brok).values_list(
            "bsn_hash", "client_id"
        ):
            gevonden[hashes[h]] = client_id
    return gevonden


def _bw_lidmaatschappen(regio) -> dict[int, list[tuple]]:
    leden = defaultdict(list)
    for gemeente_id, begin, einde in Lidmaatschap.objects.filter(
        regio=regio, domein=Domein.BESCHERMD_WONEN
    ).values_list("gemeente_id", "begin", "einde"):
        leden[gemeente_id].append((begin, einde))
    return leden


def opzoeken(regio, waarden):
    """What both imports look up for all rows at once: the clients by BSN, the gemeenten by CBS
    code, the regio's BW memberships, the aanbieders by AGB code."""
    codes = {w["gemeente_herkomst"] for w in waarden if w["gemeente_herkomst"]}
    agb_codes = {w["aanbieder_agb"] for w in waarden if w["aanbieder_agb"]}
    return (
        _clients_op_bsn({w["bsn"] for w in waarden if w["bsn"]}),
        {g.code: g for g in Gemeente.objects.filter(code__in=codes)},
        _bw_lidmaatschappen(regio),
        {a.agb_code: a for a in Aanbieder.objects.filter(agb_code__in=agb_codes)},
    )


# --- checks ----------------------------------------------------------------------------------


def overlapt(begin, einde, van, tot) -> bool:
    """[begin, einde] (None = unbounded) overlaps [van, tot]."""
    return (begin is None or begin <= tot) and (einde is None or einde >= van)


def controleer_gemeente(fouten, nummer, code, gemeenten, leden, regio, van, tot, wanneer):
    """The gemeente of ``code`` when it is a BW member of ``regio`` on a day of [van, tot];
    without a period (van None) only whether the code exists."""
    gemeente = gemeenten.get(code)
    if gemeente is None:
        fouten.add(nummer, "gemeente_herkomst", f"Onbekende gemeentecode {code}.")
        return None
    if van is None:
        return None
    if not any(overlapt(b, e, van, tot) for b, e in leden.get(gemeente.pk, ())):
        fouten.add(
            nummer, "gemeente_herkomst",
            f"{gemeente.naam} is {wanneer} geen lid van {regio.naam} voor beschermd wonen.",
        )  # fmt: skip
        return None
    return gemeente


def controleer_aanbieder(fouten, nummer, agb, aanbieders):
    if agb is None:
        return None
    aanbieder = aanbieders.get(agb)
    if aanbieder is None:
        fouten.add(nummer, "aanbieder_agb", f"Geen aanbieder bekend met AGB-code {agb}.")
    return aanbieder
