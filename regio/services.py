import datetime
from dataclasses import dataclass

from .models import Domein, Lidmaatschap, Rol, Roltoekenning


def leden_per_jaar(regio, jaren: range) -> dict:
    """Chart data: number of member gemeenten of ``regio`` per domein on 1 January of each year."""
    lidmaatschappen = list(Lidmaatschap.objects.filter(regio=regio))
    series = {}
    for domein in Domein:
        counts = []
        for jaar in jaren:
            peildatum = datetime.date(jaar, 1, 1)
            counts.append(
                sum(
                    1
                    for lid in lidmaatschappen
                    if lid.domein == domein and lid.actief_op(peildatum)
                )
            )
        if any(counts):
            series[domein.label] = counts
    return {
        "title": f"Aantal gemeenten in {regio.naam} per 1 januari",
        "categories": [str(j) for j in jaren],
        "series": series,
    }


@dataclass
class Werkterrein:
    """One of the user's active roles, with where it applies and what it links to."""

    rol: Rol
    waar: list
    links: list


ROL_LINKS = {
    "consulent": [("Dossiers", "toegang:dossier-list")],
    "centrale-toegang": [("Regio-overzicht", "regio:detail")],
    "contractmanager": [("Regio-overzicht", "regio:detail")],
    "financien": [("Regio-overzicht", "regio:detail")],
    "functioneel-beheerder": [("Regio-overzicht", "regio:detail"), ("Beheer", "admin:index")],
    "aanbieder": [],
}

ROL_BINNENKORT = {
    "consulent": "Meldingen, onderzoek en beschikkingen",
    "centrale-toegang": "Wachtlijst beschermd wonen en plaatsingen",
    "contractmanager": "Aanbieders, contracten en rapportages",
    "financien": "Budgetten en verevening",
    "aanbieder": "Toewijzingen en declaraties",
}


def werkterreinen(user, on: datetime.date | None = None) -> list[Werkterrein]:
    """The user's active roles grouped per rol, for the start page."""
    on = on or datetime.date.today()
    toekenningen = (
        Roltoekenning.objects.active_on(on)
        .filter(user=user)
        .select_related("rol", "gemeente", "regio", "aanbieder")
        .order_by("rol__naam")
    )
    grouped: dict[int, Werkterrein] = {}
    for t in toekenningen:
        item = grouped.setdefault(t.rol_id, Werkterrein(t.rol, [], []))
        item.waar.append(t.gemeente or t.regio or t.aanbieder)
    for item in grouped.values():
        item.links = ROL_LINKS.get(item.rol.code, [])
        item.binnenkort = ROL_BINNENKORT.get(item.rol.code)
        item.regio_codes = [w.code for w in item.waar if hasattr(w, "centrumgemeente_id")]
    return list(grouped.values())
