"""Demo history of the regional waiting list: Aanmeldingen and their Wachtlijstgebeurtenissen
over ``maanden`` months at the seed's scale (regio Amersfoort: about 50–60 waiting, inflow and
outflow each 6–10 a month with seasonal noise), and a small list for BW regio Groningen.

Reproducible (the caller's ``random.Random``), idempotent (a regio that already has aanmeldingen
is skipped) and fast (bulk inserts). The list is simulated month by month; every Aanmelding's
status, wachtend_sinds, uitstroom and functie agree with its last event.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from django.utils import timezone

from inkoop.models import Product
from regio.models import Domein, Lidmaatschap, Regio, User
from toegang.models import Aanmelding, Client, Dossier, Uitstroomreden, Wachtlijstgebeurtenis

AMERSFOORT_PERCEEL = "wmo-begeleiding-en-beschermd-wonen"
AMERSFOORT_FUNCTIES = {"beschermd-wonen": 6, "beschermd-thuis": 3, "stabilisatie-en-observatie": 1}
GRONINGEN_PERCEEL = "beschermd-wonen-groningen"

# Outflow reasons with their weights: mostly placed.
REDENEN = [
    (Uitstroomreden.GEPLAATST, 75),
    (Uitstroomreden.INGETROKKEN, 8),
    (Uitstroomreden.WLZ, 5),
    (Uitstroomreden.VERHUISD, 5),
    (Uitstroomreden.OVERLEDEN, 2),
    (Uitstroomreden.ANDERS, 5),
]

# Scale per regio: (target list size, lowest and highest monthly flow).
SCHAAL = {"amersfoort": (55, 6, 10), "groningen": (8, 1, 3)}


@dataclass
class _Wachtende:
    dossier: Dossier
    functie: object
    herkomst_id: int | None
    sinds: datetime.date
    aangemeld_op: datetime.date
    events: list = field(default_factory=list)
    einde: tuple | None = None  # (datum, reden)


def _plus_maanden(dag: datetime.date, aantal: int) -> datetime.date:
    index = dag.year * 12 + dag.month - 1 + aantal
    return datetime.date(index // 12, index % 12 + 1, 1)


def _functies(regio: Regio) -> dict:
    from inkoop.models import Bekostiging, Perceel, Product

    if regio.code == "amersfoort":
        producten = Product.objects.filter(
            perceel__regio=regio, perceel__code=AMERSFOORT_PERCEEL, code__in=AMERSFOORT_FUNCTIES
        )
        return {p: AMERSFOORT_FUNCTIES[p.code] for p in producten}
    producten = list(Product.objects.filter(perceel__regio=regio, soort="functie"))
    if not producten:
        # No catalogue for this regio in the demo: one functie beschermd wonen.
        perceel, _ = Perceel.objects.get_or_create(
            regio=regio,
            code=GRONINGEN_PERCEEL,
            defaults={
                "naam": "Beschermd wonen",
                "bekostiging": Bekostiging.TAAKGERICHT,
                "begin": datetime.date(2023, 1, 1),
            },
        )
        product, _ = Product.objects.get_or_create(
            perceel=perceel,
            code="beschermd-wonen",
            defaults={
                "naam": "Beschermd wonen",
                "soort": "functie",
                "domein": Domein.BESCHERMD_WONEN,
                "productcategorie": "15",
                "begin": datetime.date(2023, 1, 1),
            },
        )
        producten = [product]
    return {p: 1 for p in producten}


def _door(door):
    if door is not None:
        return door
    user, created = User.objects.get_or_create(username="wachtlijst-historie")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def geschiedenis(
    rng: random.Random,
    regio_code: str = "amersfoort",
    maanden: int = 24,
    eind: datetime.date | None = None,
    door=None,
    schaal: tuple[int, int, int] | None = None,
) -> int:
    """Create ``maanden`` months of list history up to ``eind`` (default today) for the regio;
    returns the number of aanmeldingen created (0 when the regio already has some)."""
    regio = Regio.objects.get(code=regio_code)
    if Aanmelding.objects.filter(regio=regio).exists():
        return 0
    eind = eind or timezone.localdate()
    doel, laag, hoog = schaal or SCHAAL.get(regio_code, SCHAAL["groningen"])
    functies = _functies(regio)
    if not functies:
        return 0
    functie_lijst, gewichten = list(functies), list(functies.values())
    gemeente_ids = list(
        Lidmaatschap.objects.active_on(eind)
        .filter(regio=regio, domein=Domein.BESCHERMD_WONEN)
        .values_list("gemeente_id", flat=True)
    )
    pool = list(
        Dossier.objects.filter(verantwoordelijke_gemeente_id__in=gemeente_ids).order_by("pk")
    )
    rng.shuffle(pool)
    nieuw_dossiers: list[Dossier] = []

    def dossier() -> Dossier:
        if pool:
            return pool.pop()
        # Too few demo dossiers: a pseudonymous client with a dossier (no person data).
        client = Client()
        gemeente_id = rng.choice(gemeente_ids)
        gevonden = Dossier(
            client=client,
            verantwoordelijke_gemeente_id=gemeente_id,
            geopend_op=begin - datetime.timedelta(days=rng.randint(30, 400)),
            gemeente_herkomst_id=gemeente_id if rng.random() < 0.85 else None,
        )
        nieuw_dossiers.append(gevonden)
        return gevonden

    def aanmelden(sinds: datetime.date) -> _Wachtende:
        gekozen = dossier()
        herkomst = gekozen.gemeente_herkomst_id
        if herkomst is None and rng.random() < 0.5:
            herkomst = gekozen.verantwoordelijke_gemeente_id
        wachtende = _Wachtende(
            dossier=gekozen,
            functie=rng.choices(functie_lijst, gewichten)[0],
            herkomst_id=herkomst,
            sinds=sinds,
            aangemeld_op=sinds - datetime.timedelta(days=rng.randint(3, 21)),
        )
        wachtende.events.append(("instroom", "", sinds, wachtende.functie))
        return wachtende

    begin = _plus_maanden(eind.replace(day=1), -maanden + 1)
    # The list as it stood at the start: waiting for up to a year already.
    wachtend = [
        aanmelden(begin - datetime.timedelta(days=rng.randint(1, 365)))
        for _ in range(doel + rng.randint(-3, 3))
    ]
    klaar: list[_Wachtende] = []
    for n in range(maanden):
        maand = _plus_maanden(begin, n)
        laatste = min(_plus_maanden(maand, 1) - datetime.timedelta(days=1), eind)
        dagen = (laatste - maand).days
        seizoen = math.cos(2 * math.pi * (maand.month - 1) / 12)  # more in winter
        midden = (laag + hoog) / 2
        instroom = round(midden + seizoen * (hoog - laag) / 4 + rng.gauss(0, 1))
        uitstroom = round(midden + (len(wachtend) - doel) * 0.3 + rng.gauss(0, 1))
        instroom = max(laag, min(hoog, instroom))
        uitstroom = max(laag, min(hoog, uitstroom, len(wachtend)))
        # Outflow first from those waiting longest (placement follows the order of the list).
        wachtend.sort(key=lambda w: w.sinds)
        kandidaten = wachtend[: max(uitstroom * 3, uitstroom)]
        for weg in rng.sample(kandidaten, uitstroom):
            datum = maand + datetime.timedelta(days=rng.randint(0, dagen))
            datum = max(datum, weg.sinds, weg.events[-1][2])
            reden = rng.choices([r for r, _ in REDENEN], [w for _, w in REDENEN])[0]
            weg.events.append(("uitstroom", reden, datum, weg.functie))
            weg.einde = (datum, reden)
            wachtend.remove(weg)
            klaar.append(weg)
        for _ in range(instroom):
            wachtend.append(aanmelden(maand + datetime.timedelta(days=rng.randint(0, dagen))))
        # Now and then the CT changes a waiting client's functie (uitstroom anders + instroom).
        if len(functie_lijst) > 1 and rng.random() < 0.3 and wachtend:
            wissel = rng.choice(wachtend)
            datum = maand + datetime.timedelta(days=rng.randint(0, dagen))
            if datum > wissel.events[-1][2]:
                nieuw = rng.choice([f for f in functie_lijst if f != wissel.functie])
                wissel.events.append(("uitstroom", Uitstroomreden.ANDERS, datum, wissel.functie))
                wissel.events.append(("instroom", "", datum, nieuw))
                wissel.functie = nieuw

    Client.objects.bulk_create([d.client for d in nieuw_dossiers])
    for d in nieuw_dossiers:
        d.client_id = d.client.pk
    Dossier.objects.bulk_create(nieuw_dossiers)
    _personen(nieuw_dossiers, rng)

    door = _door(door)
    alle = klaar + wachtend
    # Only an aanmelding of an era whose catalogue has arrangementen (BW until 2022) has one.
    arrangement_perioden = list(
        Product.objects.filter(
            perceel__regio=regio, domein=Domein.BESCHERMD_WONEN, soort="arrangement"
        ).values_list("begin", "einde")
    )

    def arrangement(op: datetime.date, gekozen: int) -> int | None:
        geldt = any(b <= op and (e is None or op <= e) for b, e in arrangement_perioden)
        return gekozen if geldt else None

    aanmeldingen = []
    for w in alle:
        status = Aanmelding.Status.WACHTEND
        uitstroom_op, reden = None, ""
        if w.einde:
            uitstroom_op, reden = w.einde
            status = (
                Aanmelding.Status.GEPLAATST
                if reden == Uitstroomreden.GEPLAATST
                else Aanmelding.Status.UITGESTROOMD
            )
        aanmeldingen.append(
            Aanmelding(
                regio=regio,
                dossier=w.dossier,
                client_id=w.dossier.client_id,
                aangemeld_op=w.aangemeld_op,
                aangemeld_door=door,
                functie=w.functie,
                arrangement=arrangement(w.aangemeld_op, rng.choice([1, 2, 2, 3])),
                urgentie=rng.choices(["regulier", "urgent", "crisis"], [85, 12, 3])[0],
                gemeente_herkomst_id=w.herkomst_id,
                status=status,
                wachtend_sinds=w.sinds,
                uitstroom_op=uitstroom_op,
                uitstroomreden=reden,
            )
        )
    Aanmelding.objects.bulk_create(aanmeldingen)
    Wachtlijstgebeurtenis.objects.bulk_create(
        [
            Wachtlijstgebeurtenis(
                aanmelding=aanmelding,
                regio=regio,
                client_id=aanmelding.client_id,
                functie=functie,
                gemeente_herkomst_id=w.herkomst_id,
                soort=soort,
                reden=reden,
                datum=datum,
                wachtend_sinds=w.sinds,
            )
            for w, aanmelding in zip(alle, aanmeldingen, strict=True)
            for soort, reden, datum, functie in w.events
        ]
    )
    return len(aanmeldingen)


def demo(rng: random.Random, vandaag: datetime.date | None = None) -> int:
    """Both demo lists (the entry point for ``python manage.py demo``) up to ``vandaag``, the
    zorgbewegingen of the clients placed over those months, and a few placements in progress at
    the demo locations of regio Amersfoort."""
    vandaag = vandaag or datetime.date.today()
    aantal = geschiedenis(rng, "amersfoort", eind=vandaag) + geschiedenis(
        rng, "groningen", eind=vandaag
    )
    for regio_code in ("amersfoort", "groningen"):
        zorgbewegingen(random.Random(f"zorgbewegingen-{regio_code}"), regio_code, vandaag)
    plaatsingen(rng, vandaag=vandaag)
    regie(vandaag=vandaag)
    contractpartner_houdt_lijst_bij()
    from toegang.wachtlijst import wachtstatus as wachtstatus_services

    wachtstatus_services.versturen()
    return aantal


# Where care ends for those placed from the list: doorstroom (weights) or uitstroom.
EINDE_ZORG = [
    ("doorstroom", "beschermd_thuis", 30), ("doorstroom", "begeleid_wonen", 20),
    ("uitstroom", "zelfstandig", 25), ("uitstroom", "wlz", 8), ("uitstroom", "andere_regio", 8),
    ("uitstroom", "overleden", 3), ("uitstroom", "anders", 6),
]  # fmt: skip
NAAR_FUNCTIE = {"beschermd_thuis": "beschermd-thuis", "begeleid_wonen": "begeleid-wonen",
                "beschermd_wonen": "beschermd-wonen"}  # fmt: skip


def zorgbewegingen(rng: random.Random, regio_code: str, vandaag: datetime.date) -> int:
    """The monitoring history that goes with the list's history: every client placed from the
    list (uitstroom geplaatst) starts care at an aanbieder offering the functie that day
    (instroom via the list), and those placed long enough ago moved on (doorstroom to beschermd
    thuis or begeleid wonen; from stabilisatie en observatie mostly to beschermd wonen) or left
    care. Bulk inserts; nothing when the history already has them."""
    from inkoop.models import Locatie
    from toegang.models import Zorgbeweging

    regio = Regio.objects.get(code=regio_code)
    door = _door(None)
    if Zorgbeweging.objects.filter(regio=regio, door=door).exists():
        return 0
    geplaatst = list(
        Aanmelding.objects.filter(
            regio=regio, status=Aanmelding.Status.GEPLAATST, uitstroom_op__isnull=False,
            plaatsingen__isnull=True,
        ).select_related("functie").order_by("uitstroom_op", "pk")
    )  # fmt: skip
    functies = {
        p.code: p for p in Product.objects.filter(perceel__regio=regio, perceel__einde__isnull=True)
    }
    aanbieders: dict[int, list[int]] = {}
    for product in {a.functie for a in geplaatst if a.functie_id}:
        aanbieders[product.pk] = sorted(
            set(Locatie.objects.filter(functies=product).values_list("aanbieder_id", flat=True))
        )
    rijen = []
    for a in geplaatst:
        if a.functie_id is None:
            continue
        aanbieder_id = rng.choice(aanbieders[a.functie_id]) if aanbieders[a.functie_id] else None
        gemeen = {
            "aanmelding": a, "regio": regio, "client_id": a.client_id,
            "gemeente_herkomst_id": a.gemeente_herkomst_id, "aanbieder_id": aanbieder_id,
            "via_wachtlijst": True, "door": door,
        }  # fmt: skip
        rijen.append(
            Zorgbeweging(soort="instroom", datum=a.uitstroom_op, functie_id=a.functie_id, **gemeen)
        )
        # Stabilisatie en observatie is short; a place in beschermd wonen one to two years.
        kort = a.functie.code == "stabilisatie-en-observatie"
        einde = a.uitstroom_op + datetime.timedelta(
            days=rng.randint(30, 120) if kort else rng.randint(150, 720)
        )
        if einde >= vandaag:
            continue  # still in care
        if kort and rng.random() < 0.7:
            soort, bestemming = "doorstroom", "beschermd_wonen"
        else:
            soort, bestemming, _ = rng.choices(EINDE_ZORG, [w for *_, w in EINDE_ZORG])[0]
        naar = functies.get(NAAR_FUNCTIE.get(bestemming, "")) if soort == "doorstroom" else None
        rijen.append(
            Zorgbeweging(
                soort=soort,
                datum=einde,
                functie_id=a.functie_id,
                bestemming=bestemming,
                naar_functie=naar if naar is not None and naar.pk != a.functie_id else None,
                **gemeen,
            )  # fmt: skip
        )
    Zorgbeweging.objects.bulk_create(rijen)
    return len(rijen)


def regie(regio_code: str = "amersfoort", vandaag: datetime.date | None = None):
    """A trajectplan with two goals and a first evaluation for the first client placed (the
    second placed client shows under "plan ontbreekt"), and an open quality signal to RISB."""
    from inkoop.kwaliteit import signalen as kwaliteitssignaal_services
    from regio.models import User
    from toegang.models import Plaatsing, Trajectplan
    from toegang.wachtlijst import regie as regie_services

    ct = User.objects.filter(username=f"ct-{regio_code}").first()
    geplaatst = (
        Plaatsing.objects.filter(aanmelding__regio__code=regio_code, status="geplaatst")
        .select_related("locatie__aanbieder", "aanmelding__regio")
        .order_by("pk")
        .first()
    )
    if ct is None or geplaatst is None or Trajectplan.objects.filter(plaatsing=geplaatst).exists():
        return
    vandaag = vandaag or datetime.date.today()
    plan = regie_services.trajectplan_opstellen(
        geplaatst, ct, vandaag, client_akkoord_op=vandaag, aanbieder_akkoord_op=vandaag,
        toelichting="Opgesteld in het intakegesprek met cliënt, begeleider en Centrale Toegang.",
        eerste_evaluatie=vandaag + datetime.timedelta(days=12),
    )  # fmt: skip
    regie_services.doel_toevoegen(
        plan, ct, "wonen", "Zelfstandig de eigen kamer en het huishouden bijhouden.",
        vandaag + datetime.timedelta(days=180),
    )  # fmt: skip
    regie_services.doel_toevoegen(
        plan, ct, "financien", "Schulden in beeld en een budgetplan met de bewindvoerder.",
        vandaag + datetime.timedelta(days=120),
    )  # fmt: skip
    kwaliteitssignaal_services.melden(
        ct,
        geplaatst.aanmelding.regio,
        geplaatst.locatie.aanbieder,
        "samenwerking",
        "De persoonlijk begeleider was drie weken niet bereikbaar voor de evaluatieafspraak; "
        "de locatie reageerde pas na herhaald bellen.",
        locatie=geplaatst.locatie,
    )


def contractpartner_houdt_lijst_bij(regio_code: str = "amersfoort", kenmerk: str = "WBBW-2023-01"):
    """As in regio Amersfoort's 2023 contract (seed 004 §3.2.11): the contractpartner keeps the
    waiting list; its staff (demo user ``cp-amersfoort``) work in the CT screens for the
    percelen of that contract. The regional CT user stays for the demo's other flows."""
    from inkoop.models import Contract

    Regio.objects.filter(code=regio_code).update(wachtlijstbeheer="contractpartner")
    Contract.objects.filter(regio__code=regio_code, kenmerk=kenmerk).update(wachtlijstbeheer=True)


def plaatsingen(
    rng: random.Random,
    regio_code: str = "amersfoort",
    aantal: int = 4,
    vandaag: datetime.date | None = None,
):
    """Reserve places for the longest-waiting clients that have a matching location, through
    the same services the CT uses: two placed, one confirmed by the aanbieder, one reserved.
    Does nothing when the regio already has plaatsingen."""
    from regio.models import User
    from toegang.models import Plaatsing
    from toegang.wachtlijst import services

    if Plaatsing.objects.filter(aanmelding__regio__code=regio_code).exists():
        return
    ct = User.objects.filter(username=f"ct-{regio_code}").first()
    if ct is None:
        return
    vandaag = vandaag or datetime.date.today()
    wachtend = Aanmelding.objects.filter(
        regio__code=regio_code, status=Aanmelding.Status.WACHTEND
    ).order_by("wachtend_sinds", "pk")
    stappen = ["plaatsen", "plaatsen", "bevestigen", "reserveren"]
    for aanmelding in wachtend:
        if not stappen:
            break
        passend = services.passende_locaties(aanmelding, vandaag)
        if not passend:
            continue
        plaatsing = services.reserveren(aanmelding, passend[0].locatie, ct, vandaag)
        stap = stappen.pop(0)
        if stap in ("bevestigen", "plaatsen"):
            plaatsing = services.bevestigen(plaatsing, ct)
        if stap == "plaatsen":
            # A placement rests on a vastgestelde beschikking covering the functie; without
            # one it is a crisis placement with its reason, and the beschikking must follow
            # (the lokaal team sees it on its werkvoorraad).
            services.plaatsen(
                plaatsing, ct, vandaag,
                crisis_reden="Acute crisis: de cliënt kon niet langer thuis blijven; de "
                "beschikking volgt.",
            )  # fmt: skip


def _personen(dossiers: list[Dossier], rng: random.Random):
    """Names and test BSNs (9999xxxxx, elfproef) for the clients the history had to add, so
    the CT's list shows people, not erased records."""
    from demo.toegang import ACHTERNAMEN, VOORNAMEN, test_bsns
    from toegang.models import Persoon, bsn_hash

    bekend = set(Persoon.objects.values_list("bsn_hash", flat=True))
    vrij = (b for b in test_bsns() if bsn_hash(b) not in bekend)
    personen = []
    for d in dossiers:
        bsn = next(vrij)
        voorvoegsel, achternaam = rng.choice(ACHTERNAMEN)
        personen.append(
            Persoon(
                client_id=d.client_id,
                bsn=bsn,
                bsn_hash=bsn_hash(bsn),
                voornamen=rng.choice(VOORNAMEN),
                voorvoegsel=voorvoegsel,
                geslachtsnaam=achternaam,
                geboortedatum=datetime.date(1955, 1, 1)
                + datetime.timedelta(days=rng.randint(0, 20000)),
            )  # fmt: skip
        )
    Persoon.objects.bulk_create(personen)
