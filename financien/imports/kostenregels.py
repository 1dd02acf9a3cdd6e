"""Kostenregels (``importeer_kostenregels``): pgb payments and handmatige regels of a regio from
a CSV or XLSX file, all or nothing (columns and examples in financien/IMPORT.md; the file rules in
regio.tabel and financien.imports.bestand). The caller authorises.

- ``bron``: ``pgb`` or ``handmatig``. ``declaratie`` and ``taakgericht`` lines come from the
  declaraties and the taakgerichte toerekening, never from a file.
- ``referentie``: at most 100 characters, unique within the file and not yet stored for the
  regio and that bron (so the same file imported twice is refused, nothing is doubled).
- ``bsn``: the person must be known in regiozorg (registered by the toegang, or by the
  conversie); a kostenregel never creates a person.
- ``gemeente_herkomst``: a beschermd-wonen member of the regio on at least one day of the period.
- ``periode_begin`` .. ``periode_einde``: within one calendar year (the kostenregel's ``jaar``).
- ``bedrag``: at most 2 decimals, a minus sign for a credit; no thousands separator.
- ``functie``: ``Product.code`` of the regio's catalogue (e.g. ``beschermd-wonen``), of the
  beschermd-wonen domein and valid on at least one day of the period; not the iWmo
  productcategorie/productcode, because taakgerichte functies have no productcode and a
  categorie does not identify one functie.
- ``aanbieder_agb``: a known aanbieder.
- First BW start: a person without an ``EersteBWStart`` gets one (bron regiozorg) on the begin of
  their earliest period in the file, with that line's regio, gemeente and aanbieder; an existing
  regiozorg row with a later date is lowered to it; a conversie row is never changed by costs
  (the conversie is the record of the history before regiozorg).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from financien.imports.bestand import (
    OPTIONEEL,
    VERPLICHT,
    Kolom,
    parse_agb,
    parse_bron,
    parse_bsn,
    parse_functiecode,
    tekst,
)
from financien.imports.gedeeld import (
    Importresultaat,
    Verwerking,
    controleer_aanbieder,
    controleer_gemeente,
    in_brokken,
    opzoeken,
    overlapt,
)
from financien.models import EersteBWStart, Kostenregel
from inkoop.models import Product
from regio import audit
from regio.models import Domein
from regio.tabel import parse_bedrag, parse_datum, parse_gemeentecode

KOLOMMEN = (
    Kolom("referentie", VERPLICHT, "Uw kenmerk van de regel, uniek per bron (max. 100 tekens).",
          tekst(100)),
    Kolom("bsn", VERPLICHT, "BSN van de cliënt (elfproef); de persoon is bekend in regiozorg.",
          parse_bsn),
    Kolom("gemeente_herkomst", VERPLICHT, "CBS-code van de gemeente van herkomst.",
          parse_gemeentecode),
    Kolom("bron", VERPLICHT, "pgb of handmatig.", parse_bron),
    Kolom("periode_begin", VERPLICHT, "Eerste dag van de periode.", parse_datum),
    Kolom("periode_einde", VERPLICHT, "Laatste dag van de periode (zelfde jaar).", parse_datum),
    Kolom("bedrag", VERPLICHT, "Bedrag in euro, negatief voor een creditering.", parse_bedrag),
    Kolom("functie", OPTIONEEL, "Code van de functie in de catalogus van de regio.",
          parse_functiecode),
    Kolom("aanbieder_agb", OPTIONEEL, "AGB-code van de aanbieder.", parse_agb),
)  # fmt: skip


def importeer_kostenregels(regio, bestand, bestandsnaam: str, *, user) -> Importresultaat:
    """Import pgb payments and handmatige kostenregels of ``regio`` from a CSV or XLSX file
    (``bestand``: bytes or a binary file object such as an UploadedFile). All or nothing; see
    the module docstring for the columns and rules."""
    verwerking = Verwerking(
        "kostenregels", "financien.kostenregel", KOLOMMEN, regio, bestandsnaam, user
    )
    fouten = verwerking.fouten
    rijen = verwerking.rijen(bestand)
    if rijen is None:
        return verwerking.geweigerd()

    waarden = [w for _, w in rijen]
    clients, gemeenten, leden, aanbieders = opzoeken(regio, waarden)
    # The regio's whole catalogue (tens of products), keyed case-insensitively.
    producten = defaultdict(list)
    for product in Product.objects.filter(perceel__regio=regio):
        producten[product.code.lower()].append(product)
    opgeslagen = set()
    for brok in in_brokken({w["referentie"] for w in waarden if w["referentie"]}):
        opgeslagen |= set(
            Kostenregel.objects.filter(regio=regio, referentie__in=brok).values_list(
                "bron", "referentie"
            )
        )

    eerste_rij_van: dict[str, int] = {}
    nieuwe_regels = []
    for nummer, w in rijen:
        begin, einde = w["periode_begin"], w["periode_einde"]
        periode = begin is not None and einde is not None
        if periode and einde < begin:
            fouten.add(nummer, "periode_einde", "De periode eindigt vóór ze begint.")
            periode = False
        elif periode and einde.year != begin.year:
            fouten.add(
                nummer, "periode_einde",
                "Een kostenregel valt binnen één kalenderjaar; splits de periode per jaar.",
            )  # fmt: skip
            periode = False

        referentie = w["referentie"]
        if referentie:
            if referentie in eerste_rij_van:
                fouten.add(
                    nummer, "referentie",
                    f"Deze referentie staat ook in rij {eerste_rij_van[referentie]}.",
                )  # fmt: skip
            else:
                eerste_rij_van[referentie] = nummer
            if w["bron"] and (w["bron"], referentie) in opgeslagen:
                fouten.add(
                    nummer, "referentie",
                    f"Een {w['bron']}-regel met deze referentie is al vastgelegd.",
                )  # fmt: skip

        client_id = None
        if w["bsn"]:
            client_id = clients.get(w["bsn"])
            if client_id is None:
                fouten.add(
                    nummer, "bsn",
                    "Deze persoon is niet bekend in regiozorg; registreer de cliënt of neem hem "
                    "op in de conversie van het bestaande cliëntenbestand.",
                )  # fmt: skip

        gemeente = None
        if w["gemeente_herkomst"]:
            gemeente = controleer_gemeente(
                fouten, nummer, w["gemeente_herkomst"], gemeenten, leden, regio,
                begin if periode else None, einde, "in deze periode",
            )  # fmt: skip

        functie = None
        if w["functie"]:
            functie = _controleer_functie(
                fouten, nummer, w["functie"], producten, regio, begin if periode else None, einde
            )

        aanbieder = controleer_aanbieder(fouten, nummer, w["aanbieder_agb"], aanbieders)

        if not fouten:
            nieuwe_regels.append(
                Kostenregel(
                    regio=regio, jaar=begin.year, client_id=client_id, gemeente_herkomst=gemeente,
                    functie=functie, aanbieder=aanbieder, bron=w["bron"], referentie=referentie,
                    periode_begin=begin, periode_einde=einde, bedrag=w["bedrag"],
                )
            )  # fmt: skip

    if fouten:
        return verwerking.geweigerd()
    return verwerking.vastleggen(
        lambda: _schrijf_kostenregels(regio, nieuwe_regels, user, verwerking.resultaat)
    )


def _schrijf_kostenregels(regio, regels: list[Kostenregel], user, resultaat) -> dict:
    opgeslagen = Kostenregel.objects.bulk_create(regels, batch_size=2000)

    # The earliest period begin of each client in this file (ties: the first row).
    vroegste: dict = {}
    for regel in regels:
        huidig = vroegste.get(regel.client_id)
        if huidig is None or regel.periode_begin < huidig.periode_begin:
            vroegste[regel.client_id] = regel
    bestaand = {
        e.client_id: e
        for brok in in_brokken(vroegste)
        for e in EersteBWStart.objects.select_for_update().filter(client_id__in=brok)
    }
    nieuw, verlaagd = [], []
    for client_id, regel in vroegste.items():
        start = bestaand.get(client_id)
        if start is None:
            nieuw.append(
                EersteBWStart(
                    client_id=client_id, regio=regio, gemeente_herkomst=regel.gemeente_herkomst,
                    aanbieder=regel.aanbieder, datum=regel.periode_begin,
                    bron=EersteBWStart.Bron.REGIOZORG,
                )
            )  # fmt: skip
        elif start.bron == EersteBWStart.Bron.REGIOZORG and regel.periode_begin < start.datum:
            start.datum = regel.periode_begin
            start.regio = regio
            start.gemeente_herkomst = regel.gemeente_herkomst
            start.aanbieder = regel.aanbieder
            verlaagd.append(start)
    EersteBWStart.objects.bulk_create(nieuw, batch_size=2000)
    EersteBWStart.objects.bulk_update(
        verlaagd, ["datum", "regio", "gemeente_herkomst", "aanbieder"], batch_size=2000
    )
    aantallen = {
        "kostenregels": len(opgeslagen),
        "bedrag": sum((r.bedrag for r in regels), Decimal("0.00")),
        "eerste_starts_nieuw": len(nieuw),
        "eerste_starts_verlaagd": len(verlaagd),
    }
    audit.record(
        "create", objects=opgeslagen, actor=user,
        toelichting={
            "import": "kostenregels", "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
            "regio": regio.code, **aantallen, "bedrag": str(aantallen["bedrag"]),
        },
    )  # fmt: skip
    return aantallen


def _controleer_functie(fouten, nummer, code, producten, regio, van, tot):
    """The BW product of the regio's catalogue with ``code`` valid on a day of [van, tot];
    without a period (van None) only whether the code exists."""
    kandidaten = producten.get(code, ())
    if not kandidaten:
        fouten.add(
            nummer, "functie", f"Functie “{code}” staat niet in de catalogus van {regio.naam}."
        )
        return None
    if van is None:
        return None
    geldig = [p for p in kandidaten if overlapt(p.begin, p.einde, van, tot)]
    if not geldig:
        fouten.add(nummer, "functie", f"Functie “{code}” geldt niet in deze periode.")
    elif len(geldig) > 1:
        fouten.add(
            nummer, "functie", f"Functie “{code}” staat in deze periode in meer dan één perceel."
        )
    elif geldig[0].domein != Domein.BESCHERMD_WONEN:
        fouten.add(
            nummer, "functie",
            f"Functie “{code}” hoort niet bij beschermd wonen; alleen kosten van beschermd "
            "wonen worden geïmporteerd.",
        )  # fmt: skip
    else:
        return geldig[0]
    return None
