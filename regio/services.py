import datetime
from dataclasses import dataclass

from django.urls import reverse

from regio.models import Domein, Lidmaatschap, Rol, Roltoekenning


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


# Per rol: (label, url name, argument). "regio": one link per regio the role holds; "lidregio":
# also one per regio a gemeente of the role is a member of.
ROL_LINKS = {
    "consulent": [("Werkvoorraad", "toegang:werkvoorraad", None),
                  ("Ter accordering", "toegang:werkvoorraad-ter-accordering", None),
                  ("Cliënt zoeken of registreren", "toegang:client-zoek", None),
                  ("Dossiers", "toegang:dossier-list", None),
                  ("Beschikkingen", "toegang:beschikking-list", None),
                  ("Herindicaties", "toegang:werkvoorraad-herindicaties", None),
                  ("Toewijzingen", "toegang:toewijzing-list", None),
                  ("Verzoeken van aanbieders", "toegang:verzoeken", None),
                  ("Declaraties", "toegang:declaratie-list", None),
                  ("Catalogus {regio}", "inkoop:catalogus", "lidregio"),
                  ("Contracten", "inkoop:contract-list", None)],
    "centrale-toegang": [("Wachtlijst", "toegang:wachtlijst", None),
                         ("Crisisplaatsingen zonder beschikking",
                          "toegang:werkvoorraad-crisisplaatsingen", None),
                         ("Evaluaties trajectplannen", "toegang:evaluaties", None),
                         ("In-, door- en uitstroom", "toegang:zorgbewegingen", None),
                         ("Wachtlijstrapportage", "toegang:wachtlijstrapport", None),
                         ("Kwaliteitssignalen", "inkoop:signaal-list", None),
                         ("Regio-overzicht {regio}", "regio:detail", "regio"),
                         ("Locaties en vrije plaatsen", "inkoop:locatie-list", None)],
    "wachtlijst-contractpartner": [("Wachtlijst", "toegang:wachtlijst", None),
                                   ("Evaluaties trajectplannen", "toegang:evaluaties", None),
                                   ("In-, door- en uitstroom", "toegang:zorgbewegingen", None),
                                   ("Wachtlijstrapportage", "toegang:wachtlijstrapport", None),
                                   ("Locaties en vrije plaatsen", "inkoop:locatie-list", None)],
    "contractmanager": [("Contractdashboard {regio}", "inkoop:dashboard", "regio"),
                        ("Aanbieders", "inkoop:aanbieder-list", None),
                        ("Contracten", "inkoop:contract-list", None),
                        ("Rapportages", "inkoop:rapportage-list", None),
                        ("Locaties", "inkoop:locatie-list", None),
                        ("Certificaten", "inkoop:certificaat-list", None),
                        ("Calamiteiten en incidenten", "inkoop:melding-list", None),
                        ("Kwaliteitssignalen van de Centrale Toegang", "inkoop:signaal-list", None),
                        ("Catalogus {regio}", "inkoop:catalogus", "lidregio")],
    "financien": [("Verevening en parameters per jaar", "financien:jaren", None),
                  ("Budgetten en prognose", "financien:dashboard", None),
                  ("Declaraties van aanbieders", "toegang:declaratie-list", None),
                  ("Regio-overzicht {regio}", "regio:detail", "regio"),
                  ("Contracten", "inkoop:contract-list", None)],
    "functioneel-beheerder": [("Regio-overzicht {regio}", "regio:detail", "regio"),
                              ("Brieven per gemeente", "toegang:brieftekst-overzicht", None),
                              ("Beheer", "admin:index", None)],
    "privacyfunctionaris": [("Wie heeft een dossier ingezien?", "audit:zoek", None),
                            ("Verwijderverzoeken (AVG)", "privacy:verzoek-list", None),
                            ("Vernietigingslijsten (bewaartermijnen)", "privacy:lijst-list", None),
                            ("Inlogpogingen van medewerkers", "audit:inloggen", None)],
    "aanbieder": [("Toewijzingen", "toegang:toewijzing-list", None),
                  ("Contracten", "inkoop:contract-list", None),
                  ("Rapportages", "inkoop:rapportage-list", None),
                  ("Locaties en vrije plaatsen", "inkoop:locatie-list", None),
                  ("Certificaten", "inkoop:certificaat-list", None),
                  ("Calamiteiten en incidenten", "inkoop:melding-list", None)],
}  # fmt: skip

ROL_BINNENKORT = {
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
    # Per rol: the regio's it holds, and also the regio's its gemeenten are members of.
    regios: dict[str, dict[int, dict]] = {"regio": {}, "lidregio": {}}
    for t in toekenningen:
        item = grouped.setdefault(t.rol_id, Werkterrein(t.rol, [], []))
        item.waar.append(t.gemeente or t.regio or t.aanbieder)
        if t.regio_id:
            for soort in ("regio", "lidregio"):
                regios[soort].setdefault(t.rol_id, {})[t.regio.code] = t.regio.naam
        elif t.gemeente_id:
            leden = Lidmaatschap.objects.active_on(on).filter(gemeente=t.gemeente)
            for lid in leden.select_related("regio"):
                regios["lidregio"].setdefault(t.rol_id, {})[lid.regio.code] = lid.regio.naam
    for rol_id, item in grouped.items():
        for label, url_name, argument in ROL_LINKS.get(item.rol.code, []):
            if argument in regios:
                for code, naam in sorted(regios[argument].get(rol_id, {}).items()):
                    item.links.append((label.format(regio=naam), reverse(url_name, args=[code])))
            else:
                item.links.append((label, reverse(url_name)))
        item.binnenkort = ROL_BINNENKORT.get(item.rol.code)
    return list(grouped.values())
