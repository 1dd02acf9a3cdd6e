"""A few unread notifications for every demo user, so the first screen shows what reaches whom:
each names a real object of the demo data that the user may open (found through the same
scoping layer as the screens) and links to its page. ``sleutel`` is ``demo:<username>:<n>``, so a
second run adds nothing. Only ``user``, ``tekst``, ``url`` and ``sleutel`` are set."""

from __future__ import annotations

import datetime

from django.urls import reverse

from demo.gebruikers import DEMO_ROLLEN
from regio.models import Notificatie, User


def _consulent(user, vandaag):
    from toegang.models import Beschikking, Melding, Toewijzing

    meldingen = (
        Melding.objects.visible_to(user, "toegang.view_melding")
        .filter(consulent=user, aanvraag__isnull=True)
        .select_related("dossier__client__persoon")
        .order_by("ontvangen_op", "pk")
    )
    for melding in meldingen[:1]:
        yield (
            f"Melding van {_client(melding.dossier)} (ontvangen {melding.ontvangen_op:%d-%m-%Y}): "
            "rond het onderzoek af binnen de termijn van zes weken.",
            reverse("toegang:melding-detail", args=[melding.pk]),
        )
    concept = (
        Beschikking.objects.visible_to(user, "toegang.view_beschikking")
        .filter(status=Beschikking.Status.CONCEPT, opgesteld_door=user)
        .select_related("dossier__client__persoon")
        .order_by("pk")
        .first()
    )
    if concept is not None:
        yield (
            f"Uw conceptbeschikking voor {_client(concept.dossier)} is nog niet ter accordering "
            "ingediend.",
            reverse("toegang:beschikking-detail", args=[concept.pk]),
        )
    toewijzing = (
        Toewijzing.objects.visible_to(user, "toegang.view_toewijzing")
        .filter(status=Toewijzing.Status.ACTIEF)
        .select_related("aanbieder")
        .order_by("-pk")
        .first()
    )
    if toewijzing is not None:
        yield (
            f"{toewijzing.aanbieder.naam} is gestart met de zorg op toewijzing "
            f"{toewijzing.nummer}.",
            reverse("toegang:toewijzing-detail", args=[toewijzing.pk]),
        )
    yield (
        "Uw werkvoorraad: open meldingen, termijnen en verzoeken.",
        reverse("toegang:werkvoorraad"),
    )


def _teamleider(user, vandaag):
    from toegang.models import Beschikking

    wachtend = (
        Beschikking.objects.visible_to(user, "toegang.view_beschikking")
        .filter(status=Beschikking.Status.TER_ACCORDERING)
        .select_related("dossier__client__persoon")
        .order_by("pk")
    )
    for beschikking in wachtend[:2]:
        yield (
            f"Beschikking voor {_client(beschikking.dossier)} wacht op uw accordering.",
            reverse("toegang:beschikking-detail", args=[beschikking.pk]),
        )


def _centrale_toegang(user, vandaag):
    from toegang.models import Aanmelding, Plaatsing

    aanmelding = (
        Aanmelding.objects.visible_to(user, "toegang.view_aanmelding")
        .filter(status=Aanmelding.Status.WACHTEND)
        .order_by("-wachtend_sinds", "-pk")
        .first()
    )
    if aanmelding is not None:
        yield (
            f"Nieuwe cliënt op de wachtlijst sinds {aanmelding.wachtend_sinds:%d-%m-%Y}.",
            reverse("toegang:aanmelding_detail", args=[aanmelding.pk]),
        )
    plaatsing = (
        Plaatsing.objects.visible_to(user, "toegang.view_plaatsing")
        .filter(status=Plaatsing.Status.BEVESTIGD)
        .select_related("locatie")
        .first()
    )
    if plaatsing is not None:
        yield (
            f"{plaatsing.locatie.naam} heeft de plaats bevestigd; leg de plaatsing vast.",
            reverse("toegang:aanmelding_detail", args=[plaatsing.aanmelding_id]),
        )
    yield ("De wachtlijst: wie wacht, waar plaats is.", reverse("toegang:wachtlijst"))


def _contractmanager(user, vandaag):
    from inkoop.models import Contract, Rapportage

    rapportage = (
        Rapportage.objects.visible_to(user, "inkoop.view_rapportage")
        .filter(status="ingediend")
        .select_related("contract__aanbieder")
        .order_by("-jaar", "-kwartaal", "pk")
        .first()
    )
    if rapportage is not None:
        yield (
            f"{rapportage.contract.aanbieder.naam} heeft de rapportage over {rapportage.jaar} "
            f"kwartaal {rapportage.kwartaal} ingediend; beoordeel haar.",
            reverse("inkoop:rapportage-detail", args=[rapportage.pk]),
        )
    contract = (
        Contract.objects.visible_to(user, "inkoop.view_contract")
        .lopend_op(vandaag)
        .regionaal()
        .filter(verlengingsopties__benut__isnull=True)
        .order_by("verlengingsopties__besluit_uiterlijk", "pk")
        .first()
    )
    if contract is not None:
        yield (
            f"Contract {contract.kenmerk}: het volgende verlengingsbesluit komt eraan.",
            reverse("inkoop:contract-detail", args=[contract.pk]),
        )
    yield ("Signalen over aanbieders en bestedingsruimte.", reverse("inkoop:signaal-list"))


def _aanbieder(user, vandaag):
    from inkoop.models import Rapportage

    rapportage = (
        Rapportage.objects.visible_to(user, "inkoop.view_rapportage")
        .filter(status__in=["in_beoordeling", "akkoord"])
        .order_by("-jaar", "-kwartaal", "pk")
        .first()
    )
    if rapportage is not None:
        yield (
            f"RISB beoordeelt uw rapportage over {rapportage.jaar} kwartaal {rapportage.kwartaal}.",
            reverse("inkoop:rapportage-detail", args=[rapportage.pk]),
        )
    yield ("Uw HKZ-certificaat verloopt binnenkort; lever het nieuwe aan.",
           reverse("inkoop:certificaat-list"))  # fmt: skip
    yield ("Meld uw vrije plaatsen per locatie.", reverse("inkoop:locatie-list"))


def _financien(user, vandaag):
    yield (
        f"De verevening {vandaag.year} staat als concept klaar; de verevening {vandaag.year - 1} "
        "is vastgesteld.",
        reverse("financien:jaren"),
    )
    yield ("Het dashboard: uitgaven tegen budget per gemeente.", reverse("financien:dashboard"))


def _beheerder(user, vandaag):
    from inkoop.models import Aanbieder

    aanbieder = (
        Aanbieder.objects.visible_to(user, "inkoop.view_aanbieder")
        .filter(api_sleutels__isnull=False)
        .order_by("pk")
        .first()
    )
    if aanbieder is not None:
        yield (
            f"{aanbieder.naam} koppelt zijn systeem met een API-sleutel; bekijk wanneer die "
            "laatst is gebruikt.",
            reverse("inkoop:aanbieder-detail", args=[aanbieder.pk]),
        )
    yield ("Aanbieders en hun contracten in uw regio.", reverse("inkoop:aanbieder-list"))


def _privacy(user, vandaag):
    yield ("Wie keek in welk dossier: het auditlog.", reverse("audit:zoek"))
    yield ("Verwijderverzoeken van burgers.", reverse("privacy:verzoek-list"))


PER_ROL = {
    "consulent": _consulent,
    "centrale-toegang": _centrale_toegang,
    "wachtlijst-contractpartner": _centrale_toegang,
    "contractmanager": _contractmanager,
    "aanbieder": _aanbieder,
    "financien": _financien,
    "functioneel-beheerder": _beheerder,
    "privacyfunctionaris": _privacy,
}


def _client(dossier) -> str:
    persoon = getattr(dossier.client, "persoon", None)
    if persoon is None:
        return "een cliënt"
    delen = (persoon.voorletters, persoon.voorvoegsel, persoon.geslachtsnaam)
    naam = " ".join(d for d in delen if d)
    return naam or "een cliënt"


def demo(vandaag: datetime.date | None = None, per_gebruiker: int = 3) -> int:
    """Up to ``per_gebruiker`` unread notifications for every demo user; returns those made."""
    vandaag = vandaag or datetime.date.today()
    rollen: dict[str, list[str]] = {}
    for username, rol, _, _ in DEMO_ROLLEN:
        if rol not in rollen.setdefault(username, []):
            rollen[username].append(rol)
    users = {u.username: u for u in User.objects.filter(username__in=rollen)}
    bestaand = set(
        Notificatie.objects.filter(user__in=users.values(), sleutel__startswith="demo:")
        .values_list("user__username", "sleutel")
    )  # fmt: skip
    nieuw = []
    for username, codes in rollen.items():
        user = users.get(username)
        if user is None:
            continue
        berichten = []
        if username.startswith("teamleider-"):
            berichten += list(_teamleider(user, vandaag))
        for code in codes:
            berichten += list(PER_ROL[code](user, vandaag))
        for n, (tekst, url) in enumerate(berichten[:per_gebruiker], start=1):
            sleutel = f"demo:{username}:{n}"
            if (username, sleutel) not in bestaand:
                nieuw.append(Notificatie(user=user, tekst=tekst[:300], url=url, sleutel=sleutel))
    Notificatie.objects.bulk_create(nieuw)
    return len(nieuw)
