"""Conversie (``importeer_conversie``): the BW clients in care at a regio's cut-over, each with
their first BW start, gemeente van herkomst and current aanbieder, from a CSV or XLSX file, all
or nothing (columns and examples in financien/IMPORT.md; the file rules in regio.tabel and
financien.imports.bestand). The caller authorises.

- One row per person (a BSN twice is refused).
- ``eerste_start_bw`` on or before the regio's cut-over (``Jaarparameters.peildatum_nieuw``; see
  ``peildatum_conversie`` for which year's parameters) and not before the ``geboortedatum``.
- ``gemeente_herkomst``: a beschermd-wonen member of the regio on the cut-over date.
- ``aanbieder_agb``: the column is required, the value may be empty (pgb or unknown).
- A person unknown to regiozorg is created (Client + Persoon; the names and birth date are
  checked as Persoon requires: ``geslachtsnaam`` is required); for a known person the names in
  the file are ignored (as in the toegang's registration).
- ``EersteBWStart`` is the earliest date known: none yet → created (bron conversie); an existing
  row with a later date (regiozorg or an earlier conversie) is lowered and becomes bron
  conversie; an existing row with the same or an earlier date is kept as it is. Importing the
  same conversie again therefore changes nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from financien.imports.bestand import (
    KOLOM,
    OPTIONEEL,
    VERPLICHT,
    Kolom,
    parse_agb,
    parse_bsn,
    tekst,
)
from financien.imports.gedeeld import (
    Importresultaat,
    Verwerking,
    controleer_aanbieder,
    controleer_gemeente,
    in_brokken,
    opzoeken,
)
from financien.models import EersteBWStart, Jaarparameters
from regio import audit
from regio.tabel import ImportGeweigerd, parse_datum, parse_gemeentecode
from toegang.models import Client, Persoon, bsn_hash

KOLOMMEN = (
    Kolom("bsn", VERPLICHT, "BSN van de cliënt (elfproef).", parse_bsn),
    Kolom("geslachtsnaam", VERPLICHT, "Achternaam zonder voorvoegsel.", tekst(200)),
    Kolom("eerste_start_bw", VERPLICHT, "Eerste start beschermd wonen, op of vóór de peildatum.",
          parse_datum),
    Kolom("gemeente_herkomst", VERPLICHT, "CBS-code van de gemeente van herkomst.",
          parse_gemeentecode),
    Kolom("aanbieder_agb", KOLOM, "AGB-code van de huidige aanbieder; leeg bij pgb/onbekend.",
          parse_agb),
    Kolom("voornamen", OPTIONEEL, "Voornamen.", tekst(200)),
    Kolom("voorvoegsel", OPTIONEEL, "Voorvoegsel van de achternaam, bv. van der.", tekst(10)),
    Kolom("geboortedatum", OPTIONEEL, "Geboortedatum.", parse_datum),
)  # fmt: skip


def peildatum_conversie(regio, jaar: int | None = None) -> datetime.date:
    """The cut-over date for the conversie of ``regio``: ``peildatum_nieuw`` of the parameters of
    ``jaar`` when given; otherwise of the parameters of the cut-over's own year (the year whose
    peildatum lies in it), else of the earliest year with parameters. Raises ImportGeweigerd when
    the regio has none."""
    parameters = Jaarparameters.objects.filter(regio=regio).order_by("jaar")
    if jaar is not None:
        gekozen = parameters.filter(jaar=jaar).first()
        if gekozen is None:
            raise ImportGeweigerd.bestand(
                f"{regio.naam} heeft geen vereveningsparameters voor {jaar}; leg die eerst vast."
            )
        return gekozen.peildatum_nieuw
    alle = list(parameters)
    if not alle:
        raise ImportGeweigerd.bestand(
            f"{regio.naam} heeft nog geen vereveningsparameters (peildatum nieuwe cliënten); "
            "leg die eerst vast."
        )
    eigen_jaar = [p for p in alle if p.peildatum_nieuw.year == p.jaar]
    return (eigen_jaar or alle)[0].peildatum_nieuw


_PERSOON_VELDEN = ("geslachtsnaam", "voornamen", "voorvoegsel", "geboortedatum")


def importeer_conversie(
    regio, bestand, bestandsnaam: str, *, user, jaar: int | None = None
) -> Importresultaat:
    """Import the BW clients in care at ``regio``'s cut-over with each person's first BW start,
    gemeente van herkomst and current aanbieder. All or nothing; see the module docstring.
    ``jaar`` chooses whose Jaarparameters give the cut-over (see ``peildatum_conversie``)."""
    verwerking = Verwerking(
        "conversie", "financien.eerstebwstart", KOLOMMEN, regio, bestandsnaam, user
    )
    fouten = verwerking.fouten
    try:
        peildatum = peildatum_conversie(regio, jaar)
    except ImportGeweigerd as exc:
        return verwerking.geweigerd(exc.fouten)
    rijen = verwerking.rijen(bestand)
    if rijen is None:
        return verwerking.geweigerd()

    waarden = [w for _, w in rijen]
    clients, gemeenten, leden, aanbieders = opzoeken(regio, waarden)
    vandaag = datetime.date.today()

    rij_van_bsn: dict[str, int] = {}
    te_verwerken = []  # (client id or None, Persoon or None, start fields)
    for nummer, w in rijen:
        bsn = w["bsn"]
        if bsn:
            if bsn in rij_van_bsn:
                fouten.add(nummer, "bsn", f"Deze persoon staat ook in rij {rij_van_bsn[bsn]}.")
            else:
                rij_van_bsn[bsn] = nummer
        start, geboren = w["eerste_start_bw"], w["geboortedatum"]
        if start and start > peildatum:
            fouten.add(
                nummer, "eerste_start_bw",
                f"De eerste start ligt na de peildatum {peildatum:%d-%m-%Y}; deze cliënt is "
                "nieuw en hoort niet in de conversie.",
            )  # fmt: skip
        if geboren and geboren > vandaag:
            fouten.add(nummer, "geboortedatum", "De geboortedatum ligt in de toekomst.")
        elif start and geboren and start < geboren:
            fouten.add(nummer, "eerste_start_bw", "De eerste start ligt vóór de geboortedatum.")
        gemeente = None
        if w["gemeente_herkomst"]:
            gemeente = controleer_gemeente(
                fouten, nummer, w["gemeente_herkomst"], gemeenten, leden, regio, peildatum,
                peildatum, f"op de peildatum {peildatum:%d-%m-%Y}",
            )  # fmt: skip
        aanbieder = controleer_aanbieder(fouten, nummer, w["aanbieder_agb"], aanbieders)

        client_id = clients.get(bsn) if bsn else None
        persoon = None
        if bsn and client_id is None:
            persoon = Persoon(bsn=bsn, **{v: w[v] or "" for v in _PERSOON_VELDEN[:-1]})
            persoon.geboortedatum = geboren
            # What Persoon itself requires (the BSN was checked above; an empty geslachtsnaam
            # is reported once, as a required column).
            uitgezonderd = ["client", "bsn_hash", "bsn"]
            if w["geslachtsnaam"] is None:
                uitgezonderd.append("geslachtsnaam")
            try:
                persoon.full_clean(exclude=uitgezonderd)
            except ValidationError as exc:
                for veld, berichten in exc.message_dict.items():
                    for bericht in berichten:
                        fouten.add(nummer, veld if veld in _PERSOON_VELDEN else "", bericht)
        if not fouten:
            te_verwerken.append((client_id, persoon, start, gemeente, aanbieder))

    if fouten:
        return verwerking.geweigerd()
    return verwerking.vastleggen(
        lambda: _schrijf_conversie(regio, te_verwerken, user, verwerking.resultaat)
    )


def _schrijf_conversie(regio, te_verwerken, user, resultaat) -> dict:
    nieuwe_personen = [p for _, p, *_ in te_verwerken if p is not None]
    nieuwe_clients = Client.objects.bulk_create(
        [Client() for _ in nieuwe_personen], batch_size=2000
    )
    for client, persoon in zip(nieuwe_clients, nieuwe_personen, strict=True):
        persoon.client = client
        persoon.bsn_hash = bsn_hash(persoon.bsn)  # bulk_create skips Persoon.save()
    Persoon.objects.bulk_create(nieuwe_personen, batch_size=2000)

    bekende = [c for c, *_ in te_verwerken if c is not None]
    bestaand = {
        e.client_id: e
        for brok in in_brokken(bekende)
        for e in EersteBWStart.objects.select_for_update().filter(client_id__in=brok)
    }
    nieuw, verlaagd, ongewijzigd = [], [], 0
    for client_id, persoon, datum, gemeente, aanbieder in te_verwerken:
        client_id = client_id or persoon.client_id
        start = bestaand.get(client_id)
        if start is None:
            nieuw.append(
                EersteBWStart(
                    client_id=client_id, regio=regio, gemeente_herkomst=gemeente,
                    aanbieder=aanbieder, datum=datum, bron=EersteBWStart.Bron.CONVERSIE,
                )
            )  # fmt: skip
        elif datum < start.datum:
            start.datum = datum
            start.bron = EersteBWStart.Bron.CONVERSIE
            start.regio = regio
            start.gemeente_herkomst = gemeente
            start.aanbieder = aanbieder
            verlaagd.append(start)
        else:
            ongewijzigd += 1
    EersteBWStart.objects.bulk_create(nieuw, batch_size=2000)
    EersteBWStart.objects.bulk_update(
        verlaagd, ["datum", "bron", "regio", "gemeente_herkomst", "aanbieder"], batch_size=2000
    )
    aantallen = {
        "personen_nieuw": len(nieuwe_personen),
        "personen_bekend": len(bekende),
        "eerste_starts_nieuw": len(nieuw),
        "eerste_starts_verlaagd": len(verlaagd),
        "eerste_starts_ongewijzigd": ongewijzigd,
    }
    # The pseudonymous keys of everyone created or changed (EersteBWStart's key is the client).
    audit.record(
        "create", object_type="financien.eerstebwstart",
        object_ids=[e.client_id for e in (*nieuw, *verlaagd)], actor=user,
        toelichting={
            "import": "conversie", "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
            "regio": regio.code, **aantallen,
        },
    )  # fmt: skip
    return aantallen
