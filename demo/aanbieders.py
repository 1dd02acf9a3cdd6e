"""Demo of what provider systems send (issue 8): start (and some stops) of care on the demo
toewijzingen that have started, and for the P×Q toewijzingen a declaratie per past month with
the volume the toewijzing allows — through the same services as the API, as the aanbieder's
system would. API credentials for two demo aanbieders are made by ``api_sleutels`` (dev only;
the tokens are printed once by the demo command)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from toegang.models import Declaratie, Toewijzing, Zorgperiode

D = datetime.date

# The README's "Calling the API" example works as printed against the demo data (dev settings
# only, like the demo passwords): the contractpartner's demo key is this known token, and one
# toewijzing of it (``api_voorbeeld``) is left without a start of care for the example to start.
README_TOKEN_PREFIX = "demo0100"
README_TOKEN_GEHEIM = "samen-verder-demo-sleutel"
README_TOKEN = f"rz_{README_TOKEN_PREFIX}_{README_TOKEN_GEHEIM}"
README_AANBIEDER = "75810100"
README_GEMEENTE = "0307"


def api_voorbeeld(vandaag: datetime.date | None = None) -> Toewijzing | None:
    """The toewijzing the README starts care on: the contractpartner's lowest-numbered active
    toewijzing in Amersfoort that runs today."""
    from django.db.models import Q

    vandaag = vandaag or datetime.date.today()
    return (
        Toewijzing.objects.filter(
            status=Toewijzing.Status.ACTIEF, aanbieder__agb_code=README_AANBIEDER,
            gemeente__code=README_GEMEENTE, ingangsdatum__lte=vandaag,
        )
        .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=vandaag))
        .order_by("nummer")
        .first()
    )  # fmt: skip


def zorg_en_declaraties(
    rng: random.Random, vandaag: datetime.date | None = None
) -> tuple[int, int]:
    """Returns (zorgperioden, declaratieregels) made; nothing when there are zorgperioden."""
    from toegang.toewijzingen import declaraties as declaratie_services
    from toegang.toewijzingen import zorg as zorg_services

    if Zorgperiode.objects.exists():
        return 0, 0
    vandaag = vandaag or datetime.date.today()
    voorbeeld = api_voorbeeld(vandaag)
    lopend = list(
        Toewijzing.objects.filter(status=Toewijzing.Status.ACTIEF, ingangsdatum__lte=vandaag)
        .exclude(pk=voorbeeld.pk if voorbeeld else None)
        .select_related("beschikt_product__product", "aanbieder", "gemeente", "contract")
        .order_by("pk")
    )
    perioden = 0
    for t in lopend:
        zorg_services.start_zorg(t, t.ingangsdatum, user=None)
        perioden += 1
        # About one in six stops again (the client moved on), a few days ago.
        stop = vandaag - datetime.timedelta(days=rng.randrange(2, 20))
        if t.einddatum:
            stop = min(stop, t.einddatum)
        if rng.random() < 0.16 and stop >= t.ingangsdatum:
            zorg_services.stop_zorg(t, t.ingangsdatum, stop, "19", user=None)
    regels = 0
    per_aanbieder = defaultdict(list)
    for t in lopend:
        if t.volume and t.contract.bekostiging == "pxq" and t.beschikt_product.product.productcode:
            per_aanbieder[(t.aanbieder, t.gemeente)].append(t)
    maand = vandaag.replace(day=1)
    maanden = []
    for _ in range(2):
        maand = (maand - datetime.timedelta(days=1)).replace(day=1)
        maanden.append(maand)
    for (aanbieder, gemeente), toewijzingen in sorted(
        per_aanbieder.items(), key=lambda item: (item[0][0].pk, item[0][1].pk)
    ):
        for begin in reversed(maanden):
            einde = (begin + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(1)
            lijst = []
            for t in toewijzingen:
                van, tot = max(begin, t.ingangsdatum), min(einde, t.einddatum or einde)
                if van > tot:
                    continue
                lijst.append(_regel(t, van, tot, len(lijst) + 1, begin))
            if not lijst:
                continue
            nummer = f"D{begin:%y%m}{aanbieder.pk:03d}{gemeente.code[-2:]}"[:12]
            if Declaratie.objects.filter(aanbieder=aanbieder, nummer=nummer).exists():
                continue
            declaratie_services.indienen(
                aanbieder, gemeente=gemeente, nummer=nummer, regels=lijst, user=None
            )
            regels += len(lijst)
    return perioden, regels


def _regel(t: Toewijzing, van: datetime.date, tot: datetime.date, n: int, maand) -> dict:
    """A line for the part of ``maand`` in care, declaring what the toewijzing allows (weekly:
    volume × days ÷ 7, rounded down to a whole unit; otherwise the volume), at the contract
    tariff (the service computes and checks the amount)."""
    from inkoop.contracten.services import tarief_op

    product = t.beschikt_product.product
    dagen = (tot - van).days + 1
    volume = Decimal(t.volume)
    if t.frequentie == "2":  # per week
        volume = (volume * dagen / 7).quantize(Decimal(1), rounding=ROUND_DOWN) or Decimal(1)
    tarief = tarief_op(product, van)
    bedrag = (volume * tarief.bedrag).quantize(Decimal("0.01")) if tarief else Decimal("0.00")
    if t.eenheid == "83":  # euro's: the volume is the amount (iWmo CS339)
        bedrag = volume
    return {
        "referentie": f"R{maand:%y%m}-{t.nummer}-{n}",
        "vorige_referentie": "",
        "toewijzingnummer": t.nummer,
        "productcategorie": product.productcategorie,
        "productcode": product.productcode,
        "periode_begin": van,
        "periode_einde": tot,
        "volume": volume,
        "eenheid": t.eenheid,
        "bedrag": bedrag,
        "debet_credit": "D",
    }


def api_sleutels() -> list[tuple[str, str]]:
    """Credentials for two demo aanbieders (the Amersfoort contractpartner and the first
    Oldambt-Stadskanaal aanbieder), made once; returns (aanbieder, token) of those made now."""
    from inkoop.apisleutels.services import hash_geheim, maak
    from inkoop.models import Aanbieder, ApiSleutel
    from regio.models import User

    gemaakt = []
    kandidaten = [
        ("beheer", Aanbieder.objects.filter(agb_code="75810100").first()),
        (
            "beheer-oldambt-stadskanaal",
            Aanbieder.objects.filter(contracten__regio__code="oldambt-stadskanaal")
            .order_by("pk")
            .first(),
        ),
    ]
    for beheerder, aanbieder in kandidaten:
        user = User.objects.filter(username=beheerder).first()
        if aanbieder is None or user is None:
            continue
        if ApiSleutel.objects.filter(aanbieder=aanbieder).exists():
            continue
        sleutel, token = maak(aanbieder, "Demo-koppeling", user)
        if aanbieder.agb_code == README_AANBIEDER:
            # The README's example key (dev only): a known token instead of the random one.
            sleutel.prefix = README_TOKEN_PREFIX
            sleutel.sleutel_hash = hash_geheim(README_TOKEN_GEHEIM)
            sleutel.save(update_fields=["prefix", "sleutel_hash"])
            token = README_TOKEN
        gemaakt.append((aanbieder.naam, token))
    return gemaakt
