# ruff: noqa: E501  (the catalogue is a data table; one product per line reads best)
"""Demo data for the inkoop workplace: the catalogues of regio Amersfoort (both eras) and
Oldambt-Stadskanaal (old and new P×Q products), aanbieders, contracts with extensions and
budgets. Tariffs and budgets are illustrative, not the regions' real figures. Idempotent: what
exists (by natural key) is left alone."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from inkoop.models import (
    Aanbieder,
    Bekostiging,
    Bestedingsruimte,
    Contract,
    Onderaanneming,
    Perceel,
    Product,
    Tarief,
    Verlengingsoptie,
)
from regio.models import Domein, Gemeente, Regio

D = datetime.date
BW, BEG = Domein.BESCHERMD_WONEN, Domein.BEGELEIDING
# Oldambt-Stadskanaal (seed 002): the old products under the Ommelander overeenkomst until
# 2022-05-31, the new contract from 2022-06-01 for 4 years + 2 x 1. Planned dates, so data.
OS_OUD_EINDE, OS_NIEUW_BEGIN, OS_NIEUW_EINDE = D(2022, 5, 31), D(2022, 6, 1), D(2026, 5, 31)

# (regio, code, naam, bekostiging, begin, einde, products)
# product: (code, naam, soort, domein, categorie, productcode, eenheid, plafond, max maanden,
#           [(tarief begin, bedrag)])
CATALOGUS = [
    ("amersfoort", "ambulante-begeleiding-2018", "Ambulante begeleiding (interventieniveaus)",
     Bekostiging.PXQ, D(2018, 1, 1), D(2022, 12, 31), [
        ("interventieniveau-1", "Interventieniveau 1", "interventieniveau", BEG, "02", "02N01", "83", "1250", None, []),
        ("interventieniveau-2", "Interventieniveau 2", "interventieniveau", BEG, "02", "02N02", "83", "2000", None, []),
        ("interventieniveau-3", "Interventieniveau 3", "interventieniveau", BEG, "02", "02N03", "83", "7000", None, []),
        ("interventieniveau-4", "Interventieniveau 4", "interventieniveau", BEG, "02", "02N04", "83", "20000", None, []),
    ]),
    ("amersfoort", "omnv-2018", "Ondersteuning met noodzakelijk verblijf (arrangementen)",
     Bekostiging.PXQ, D(2018, 1, 1), D(2022, 12, 31), [
        ("arrangement-1", "Arrangement 1", "arrangement", BW, "15", "15A01", "14", None, None, [(D(2018, 1, 1), "95.00"), (D(2021, 1, 1), "98.50")]),
        ("arrangement-2", "Arrangement 2", "arrangement", BW, "15", "15A02", "14", None, None, [(D(2018, 1, 1), "125.00"), (D(2021, 1, 1), "129.40")]),
        ("arrangement-3", "Arrangement 3", "arrangement", BW, "15", "15A03", "14", None, None, [(D(2018, 1, 1), "160.00"), (D(2021, 1, 1), "165.60")]),
    ]),
    ("amersfoort", "wmo-begeleiding-en-beschermd-wonen", "Wmo begeleiding en beschermd wonen",
     Bekostiging.TAAKGERICHT, D(2023, 1, 1), None, [
        ("begeleiding", "Begeleiding", "functie", BEG, "02", "", "", None, None, []),
        ("beschermd-thuis", "Beschermd thuis", "functie", BW, "18", "", "", None, None, []),
        ("vinger-aan-de-pols", "Vinger aan de pols", "functie", BW, "02", "", "", None, None, []),
        ("begeleid-wonen", "Begeleid wonen", "functie", BEG, "02", "", "", None, None, []),
        ("stabilisatie-en-observatie", "Stabilisatie en observatie / time-out", "functie", BW, "04", "", "", None, None, []),
        ("beschermd-wonen", "Beschermd wonen", "functie", BW, "15", "", "", None, None, []),
    ]),
    ("oldambt-stadskanaal", "begeleiding-2019", "Wmo-begeleiding (oude producten)",
     Bekostiging.PXQ, D(2019, 1, 1), OS_OUD_EINDE, [
        ("bi-b", "Begeleiding individueel basis (BI-B)", "product", BEG, "02", "02B01", "04", None, None, [(D(2019, 1, 1), "58.20"), (D(2021, 1, 1), "61.10")]),
        ("bi-s", "Begeleiding individueel speciaal (BI-S)", "product", BEG, "02", "02B02", "04", None, None, [(D(2019, 1, 1), "68.40"), (D(2021, 1, 1), "71.80")]),
        ("bg-b", "Begeleiding groep basis (BG-B)", "product", BEG, "07", "07G01", "16", None, None, [(D(2019, 1, 1), "36.50")]),
        ("bg-s", "Begeleiding groep speciaal (BG-S)", "product", BEG, "07", "07G02", "16", None, None, [(D(2019, 1, 1), "46.90")]),
        ("kv", "Kortdurend verblijf (KV)", "product", BEG, "04", "04K01", "14", None, None, [(D(2019, 1, 1), "132.00")]),
    ]),
    ("oldambt-stadskanaal", "begeleiding-2023", "Wmo-begeleiding",
     Bekostiging.PXQ, OS_NIEUW_BEGIN, None, [
        ("begeleiding-individueel-regulier", "Begeleiding individueel regulier", "product", BEG, "02", "02R01", "04", None, None,
         [(OS_NIEUW_BEGIN, "64.80"), (D(2024, 1, 1), "67.30"), (D(2025, 1, 1), "69.50"), (D(2026, 1, 1), "71.60")]),
        ("begeleiding-individueel-plus", "Begeleiding individueel plus", "product", BEG, "02", "02P01", "04", None, 6,
         [(OS_NIEUW_BEGIN, "78.40"), (D(2024, 1, 1), "81.40"), (D(2025, 1, 1), "84.10"), (D(2026, 1, 1), "86.60")]),
        ("begeleiding-groep", "Begeleiding groep", "product", BEG, "07", "07G10", "16", None, None,
         [(OS_NIEUW_BEGIN, "40.20"), (D(2025, 1, 1), "43.10")]),
        ("kortdurend-verblijf", "Kortdurend verblijf", "product", BEG, "04", "04K10", "14", None, None,
         [(OS_NIEUW_BEGIN, "145.00"), (D(2025, 1, 1), "154.50")]),
    ]),
    # BW-regio Groningen: one functie beschermd wonen (illustrative; the waiting list uses it).
    ("groningen", "beschermd-wonen-groningen", "Beschermd wonen",
     Bekostiging.TAAKGERICHT, D(2023, 1, 1), None, [
        ("beschermd-wonen", "Beschermd wonen", "functie", BW, "15", "", "", None, None, []),
    ]),
]  # fmt: skip

BW_AANBIEDERS = [
    "Huize Eemland", "De Brug Wonen", "Stichting Anker", "Het Baken Beschermd Wonen",
    "Zorggroep De Horst", "Woonzorg Eemvallei", "Stichting Kompas", "De Waterlinie Zorg",
    "Herstelhuis Soest", "Villa Boschveld", "Stichting Thuisbasis", "De Linde Wonen",
    "Zorgcollectief Leusden", "Beschermd Wonen De Schans", "Stichting Nieuwe Start",
    "Het Eiland Herstelzorg", "Woongroep Bunschoten", "De Regenboog Zorg", "Stichting Lichtpunt",
    "Huis aan de Eem", "Zorgboerderij De Heuvel", "Stichting Samenwonen", "De Vlonder",
    "Herstelcentrum Baarn", "Stichting Draagkracht", "De Kapstok Wonen", "Zorghuis Woudenberg",
    "Stichting Perspectief Midden",
]  # fmt: skip
OS_AANBIEDERS = [
    "Begeleiding Oost-Groningen", "Stichting De Veenkoloniën", "Zorgkracht Oldambt",
    "Dagbesteding De Kanaalstreek", "Het Logeerhuis Blauwestad",
]  # fmt: skip
CONTRACTPARTNER = "Combinatie Samen Verder Amersfoort"
GRONINGEN_AANBIEDERS = ["Stichting Wonen aan het Hoornsediep", "Herstelhuis Ommeland"]


def catalogus():
    regios = {r.code: r for r in Regio.objects.filter(code__in={c[0] for c in CATALOGUS})}
    for regio, code, naam, bekostiging, begin, einde, producten in CATALOGUS:
        perceel, _ = Perceel.objects.get_or_create(
            regio=regios[regio],
            code=code,
            defaults={"naam": naam, "bekostiging": bekostiging, "begin": begin, "einde": einde},
        )
        for (
            pcode,
            pnaam,
            soort,
            domein,
            cat,
            productcode,
            eenheid,
            plafond,
            maanden,
            tarieven,
        ) in producten:
            product, created = Product.objects.get_or_create(
                perceel=perceel,
                code=pcode,
                defaults={
                    "naam": pnaam, "soort": soort, "domein": domein, "productcategorie": cat,
                    "productcode": productcode, "eenheid": eenheid,
                    "jaarplafond": Decimal(plafond) if plafond else None,
                    "max_duur_maanden": maanden, "begin": begin, "einde": einde,
                },
            )  # fmt: skip
            if not created:
                continue
            for i, (tbegin, bedrag) in enumerate(tarieven):
                next_begin = tarieven[i + 1][0] if i + 1 < len(tarieven) else None
                Tarief.objects.create(
                    product=product,
                    begin=tbegin,
                    einde=(next_begin - datetime.timedelta(days=1)) if next_begin else einde,
                    bedrag=Decimal(bedrag),
                )


def _aanbieder(naam: str, nummer: int) -> Aanbieder:
    aanbieder, _ = Aanbieder.objects.get_or_create(
        agb_code=f"7581{nummer:04d}",
        defaults={"naam": naam, "kvk_nummer": f"6112{nummer:04d}", "plaats": "Amersfoort"},
    )
    return aanbieder


def _contract(regio, aanbieder, kenmerk, percelen, gemeenten, begin, einde, bekostiging,
              soort="raamovereenkomst", opties=(), budgetten=()):  # fmt: skip
    contract = Contract.objects.filter(regio=regio, kenmerk=kenmerk).first()
    if contract is not None:
        return contract
    contract = Contract.objects.create(
        regio=regio, aanbieder=aanbieder, kenmerk=kenmerk, soort=soort, bekostiging=bekostiging,
        begin=begin, einde=einde,
    )  # fmt: skip
    contract.percelen.set(percelen)
    contract.gemeenten.set(gemeenten)
    for volgnummer, (maanden, besluit, benut) in enumerate(opties, start=1):
        Verlengingsoptie.objects.create(
            contract=contract, volgnummer=volgnummer, duur_maanden=maanden,
            besluit_uiterlijk=besluit, benut=benut,
        )  # fmt: skip
    if any(benut for _, _, benut in opties):
        contract.save()  # looptijd_einde includes the extensions used
    Bestedingsruimte.objects.bulk_create(
        Bestedingsruimte(contract=contract, jaar=jaar, bedrag=Decimal(bedrag))
        for jaar, bedrag in budgetten
    )
    return contract


def aanbieders_en_contracten(rng: random.Random):
    amersfoort = Regio.objects.get(code="amersfoort")
    os_regio = Regio.objects.get(code="oldambt-stadskanaal")
    percelen = {p.code: p for p in Perceel.objects.all()}
    bw_leden = list(
        Gemeente.objects.filter(
            code__in=["0307", "0308", "0313", "0327", "0267", "0342", "0351", "0345"]
        )
    )
    bw_nu = [g for g in bw_leden if g.code != "0345"]
    os_leden = list(Gemeente.objects.filter(code__in=["1895", "0037"]))

    bw = [_aanbieder(naam, n) for n, naam in enumerate(BW_AANBIEDERS, start=1)]
    for n, aanbieder in enumerate(bw, start=1):
        _contract(
            amersfoort, aanbieder, f"OMNV-2018-{n:02d}",
            [percelen["omnv-2018"], percelen["ambulante-begeleiding-2018"]], bw_leden,
            D(2018, 1, 1), D(2020, 12, 31), Bekostiging.PXQ, soort="deelovereenkomst",
            opties=[(12, D(2020, 6, 30), True), (12, D(2021, 6, 30), True)],
            budgetten=[(jaar, rng.randrange(300_000, 3_000_000, 10_000)) for jaar in (2020, 2021, 2022)],
        )  # fmt: skip

    partner = _aanbieder(CONTRACTPARTNER, 100)
    contract = _contract(
        amersfoort, partner, "WBBW-2023-01", [percelen["wmo-begeleiding-en-beschermd-wonen"]],
        bw_nu, D(2023, 1, 1), D(2026, 12, 31), Bekostiging.TAAKGERICHT,
        opties=[(24, D(2026, 6, 30), None), (24, D(2028, 6, 30), None)],
        budgetten=[(2023, "38000000"), (2024, "39200000"), (2025, "40400000"), (2026, "41600000")],
    )  # fmt: skip
    for aanbieder in bw[:8]:
        Onderaanneming.objects.get_or_create(
            contract=contract, naam=aanbieder.naam,
            defaults={"agb_code": aanbieder.agb_code, "begin": D(2023, 1, 1)},
        )  # fmt: skip

    for n, naam in enumerate(OS_AANBIEDERS, start=1):
        aanbieder = _aanbieder(naam, 200 + n)
        _contract(
            os_regio, aanbieder, f"OS-2019-{n:02d}", [percelen["begeleiding-2019"]], os_leden,
            D(2019, 1, 1), OS_OUD_EINDE, Bekostiging.PXQ,
            budgetten=[(2021, rng.randrange(400_000, 1_600_000, 10_000)), (2022, rng.randrange(400_000, 1_600_000, 10_000))],
        )  # fmt: skip
        _contract(
            os_regio, aanbieder, f"OS-2023-{n:02d}", [percelen["begeleiding-2023"]], os_leden,
            OS_NIEUW_BEGIN, OS_NIEUW_EINDE, Bekostiging.PXQ,
            opties=[(12, D(2025, 11, 30), None), (12, D(2026, 11, 30), None)],
            budgetten=[(jaar, rng.randrange(500_000, 1_800_000, 10_000)) for jaar in (2023, 2024, 2025, 2026)],
        )  # fmt: skip
    groningen = Regio.objects.get(code="groningen")
    gr_leden = list(
        Gemeente.objects.filter(
            lidmaatschappen__regio=groningen, lidmaatschappen__domein=BW,
            lidmaatschappen__einde__isnull=True,
        ).distinct()
    )  # fmt: skip
    for n, naam in enumerate(GRONINGEN_AANBIEDERS, start=1):
        aanbieder = _aanbieder(naam, 300 + n)
        _contract(
            groningen, aanbieder, f"BWG-2023-{n:02d}", [percelen["beschermd-wonen-groningen"]],
            gr_leden, D(2023, 1, 1), D(2026, 12, 31), Bekostiging.TAAKGERICHT,
            opties=[(24, D(2026, 6, 30), None), (24, D(2028, 6, 30), None)],
            budgetten=[(jaar, rng.randrange(2_000_000, 6_000_000, 10_000)) for jaar in (2023, 2024, 2025, 2026)],
        )  # fmt: skip
    return {"aanbieders": len(bw) + 1 + len(OS_AANBIEDERS) + len(GRONINGEN_AANBIEDERS)}


# Who takes the extension decisions per regio (the demo's contractmanagers); a regio without
# one in the demo decides as the system (user None).
BESLUITERS = {"amersfoort": "risb-amersfoort", "oldambt-stadskanaal": "risb-oldambt-stadskanaal"}
# An operational contract should run (extensions still open included) this far ahead.
HORIZON = datetime.timedelta(days=2 * 365)


def verlengingen(vandaag: datetime.date) -> int:
    """Record the extension decisions the regio would have taken by ``vandaag``: every open
    option whose decision date has passed is used, three weeks before that date, by the regio's
    contractmanager, through the contract service (which also stretches capped toewijzingen).
    Returns the number of decisions made."""
    from inkoop.contracten.services import verlenging_besluiten
    from regio.models import User

    users = {u.username: u for u in User.objects.filter(username__in=BESLUITERS.values())}
    opties = (
        Verlengingsoptie.objects.filter(benut__isnull=True, besluit_uiterlijk__lte=vandaag)
        .select_related("contract__regio")
        .order_by("contract__pk", "volgnummer")
    )
    aantal = 0
    for optie in opties:
        verlenging_besluiten(
            optie, True, user=users.get(BESLUITERS.get(optie.contract.regio.code)),
            op=optie.besluit_uiterlijk - datetime.timedelta(days=21),
            reden="Goede resultaten en tevreden cliënten; de regio benut de verlenging.",
        )  # fmt: skip
        aantal += 1
    return aantal


def _plus_jaren(dag: datetime.date, jaren: int) -> datetime.date:
    try:
        return dag.replace(year=dag.year + jaren)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year + jaren, day=28)


def vervolgcontracten(vandaag: datetime.date) -> int:
    """When an operational contract (on a catalogue without an end) will not run until
    ``vandaag`` plus the horizon, even with its open options, the regio has tendered again: a
    follow-up contract from the day after, for four years with the same options, percelen,
    gemeenten, subcontractors and budgets (+3% a year). Returns the number made."""
    laatste: dict = {}
    for contract in (
        Contract.objects.filter(soort="raamovereenkomst", percelen__einde__isnull=True)
        .distinct()
        .order_by("begin", "pk")
    ):
        laatste[(contract.regio_id, contract.aanbieder_id)] = contract
    gemaakt = 0
    for contract in laatste.values():
        opties = list(contract.verlengingsopties.order_by("volgnummer"))
        open_maanden = sum(o.duur_maanden for o in opties if o.benut is None)
        reikt = _plus_maanden_dag(contract.looptijd_einde, open_maanden)
        if reikt >= vandaag + HORIZON:
            continue
        begin = contract.looptijd_einde + datetime.timedelta(days=1)
        einde = _plus_jaren(begin, 4) - datetime.timedelta(days=1)
        prefix = contract.kenmerk.split("-")[0]
        volgnummer = contract.kenmerk.split("-")[-1]
        eind = einde
        nieuwe_opties = []
        for o in opties:
            # Decide six months before the end the option would extend.
            nieuwe_opties.append((o.duur_maanden, _plus_maanden_dag(eind, -6), None))
            eind = _plus_maanden_dag(eind, o.duur_maanden)
        budgetten = {b.jaar: b.bedrag for b in contract.budgetten.all()}
        bedrag = budgetten[max(budgetten)] if budgetten else Decimal("1000000")
        nieuw = _contract(
            contract.regio, contract.aanbieder, f"{prefix}-{begin.year}-{volgnummer}",
            list(contract.percelen.all()), list(contract.gemeenten.all()), begin, einde,
            contract.bekostiging, opties=nieuwe_opties,
            budgetten=[
                (jaar, (bedrag * Decimal("1.03") ** (jaar - max(budgetten or [begin.year]))).quantize(Decimal("1000")))
                for jaar in range(begin.year, einde.year + 1)
            ],
        )  # fmt: skip
        if contract.wachtlijstbeheer and not nieuw.wachtlijstbeheer:
            nieuw.wachtlijstbeheer = True
            nieuw.save(update_fields=["wachtlijstbeheer"])
        for sub in contract.onderaannemers.all():
            Onderaanneming.objects.get_or_create(
                contract=nieuw, naam=sub.naam, defaults={"agb_code": sub.agb_code, "begin": begin}
            )
        gemaakt += 1
    return gemaakt


def _plus_maanden_dag(dag: datetime.date, maanden: int) -> datetime.date:
    """``dag`` moved by whole months, for month ends: the last day of the target month when
    ``dag`` is a month's last day."""
    volgende = dag + datetime.timedelta(days=1)
    index = volgende.year * 12 + volgende.month - 1 + maanden
    if volgende.day == 1:
        return D(index // 12, index % 12 + 1, 1) - datetime.timedelta(days=1)
    return D(index // 12, index % 12 + 1, min(dag.day, 28))


def budgetten_bijwerken(vandaag: datetime.date) -> int:
    """A bestedingsruimte for every year up to next year that an operational contract runs in
    (the previous year's +3%), so the budget signals have a figure for the current year."""
    nieuw = []
    for contract in (
        Contract.objects.filter(percelen__einde__isnull=True, looptijd_einde__gte=vandaag)
        .exclude(soort="bdvo")
        .distinct()
        .prefetch_related("budgetten")
    ):
        bedragen = {b.jaar: b.bedrag for b in contract.budgetten.all()}
        if not bedragen:
            continue
        for jaar in range(
            min(bedragen) + 1, min(contract.looptijd_einde.year, vandaag.year + 1) + 1
        ):
            if jaar not in bedragen:
                bedragen[jaar] = (bedragen[jaar - 1] * Decimal("1.03")).quantize(Decimal("1000"))
                nieuw.append(Bestedingsruimte(contract=contract, jaar=jaar, bedrag=bedragen[jaar]))
    Bestedingsruimte.objects.bulk_create(nieuw)
    return len(nieuw)


def contracten_bijhouden(vandaag: datetime.date) -> dict:
    """Extension decisions, follow-up contracts and budgets as the calendar moved to ``vandaag``."""
    besluiten = vervolg = 0
    for _ in range(6):
        besluiten += verlengingen(vandaag)
        gemaakt = vervolgcontracten(vandaag)
        vervolg += gemaakt
        if not gemaakt:
            break
    return {"besluiten": besluiten, "vervolgcontracten": vervolg,
            "budgetten": budgetten_bijwerken(vandaag)}  # fmt: skip


# (aanbieder naam, locatie, gemeente, straat, functie codes, plaatsen, gender, huisdieren, rolstoel)
LOCATIES = [
    (CONTRACTPARTNER, "Herstelhuis De Eem", "0307", "Eemweg", ["beschermd-wonen"], 14, "gemengd", False, True),
    (CONTRACTPARTNER, "Woonhuis Vathorst", "0307", "Vathorsterweg", ["beschermd-wonen"], 10, "vrouwen", False, True),
    (CONTRACTPARTNER, "Time-outhuis Schothorst", "0307", "Schothorsterlaan", ["stabilisatie-en-observatie"], 15, "gemengd", False, True),
    ("Huize Eemland", "Huize Eemland Soest", "0342", "Van Weedestraat", ["beschermd-wonen"], 8, "gemengd", True, False),
    ("De Brug Wonen", "De Brug Baarn", "0308", "Brinkstraat", ["beschermd-wonen"], 6, "mannen", False, False),
    ("Stichting Anker", "Het Anker Leusden", "0327", "Hamersveldseweg", ["beschermd-wonen"], 6, "gemengd", True, True),
    ("Het Baken Beschermd Wonen", "Het Baken Nijkerk", "0267", "Holkerweg", ["beschermd-wonen"], 6, "gemengd", False, True),
    ("Zorggroep De Horst", "Crisisbedden De Horst", "0307", "Hogeweg", ["stabilisatie-en-observatie"], 10, "gemengd", False, True),
    # BW-regio Groningen, so its wachtlijstteam can place.
    ("Stichting Wonen aan het Hoornsediep", "Hoornsediep Groningen", "0014", "Hoornsediep", ["beschermd-wonen"], 12, "gemengd", False, True),
    ("Stichting Wonen aan het Hoornsediep", "Het Kanaalhuis Stadskanaal", "0037", "Navolaan", ["beschermd-wonen"], 8, "gemengd", True, True),
    ("Herstelhuis Ommeland", "Herstelhuis Winschoten", "1895", "Langestraat", ["beschermd-wonen"], 10, "gemengd", False, True),
]  # fmt: skip
# Age limits (inclusive) of a location for young adults; the waiting list matches on them.
LEEFTIJDEN = {"Het Anker Leusden": (18, 27, "Jongvolwassenen met psychische kwetsbaarheid")}


def locaties(rng: random.Random, gemeld_door=None):
    """About 75 intramural places in regio Amersfoort from 2023 (50 herstel en groei in
    beschermd wonen, 25 stabilisatie en observatie), with the latest free places."""
    from inkoop.models import Capaciteit, Locatie, VrijePlaatsenMelding

    functies = {
        (p.perceel.code, p.code): p
        for p in Product.objects.filter(
            perceel__code__in=["wmo-begeleiding-en-beschermd-wonen", "beschermd-wonen-groningen"]
        ).select_related("perceel")
    }
    gemeenten = {g.code: g for g in Gemeente.objects.all()}
    for (
        aanbieder_naam,
        naam,
        gemeente,
        straat,
        codes,
        plaatsen,
        gender,
        dieren,
        rolstoel,
    ) in LOCATIES:
        aanbieder = Aanbieder.objects.get(naam=aanbieder_naam)
        groningen = aanbieder_naam in GRONINGEN_AANBIEDERS
        perceel = "beschermd-wonen-groningen" if groningen else "wmo-begeleiding-en-beschermd-wonen"
        locatie, created = Locatie.objects.get_or_create(
            aanbieder=aanbieder, naam=naam,
            defaults={"straat": straat, "huisnummer": str(rng.randint(1, 120)), "postcode": f"{97 if groningen else 38}{rng.randint(10, 99)} {rng.choice(['AB', 'CD', 'EK', 'LM'])}",
                      "plaats": gemeenten[gemeente].naam, "gemeente": gemeenten[gemeente], "gender": gender,
                      "huisdieren": dieren, "rolstoeltoegankelijk": rolstoel, "doelgroep": "Volwassenen met psychische kwetsbaarheid"},
        )  # fmt: skip
        if created and naam in LEEFTIJDEN:
            locatie.leeftijd_min, locatie.leeftijd_max, locatie.doelgroep = LEEFTIJDEN[naam]
            locatie.save(update_fields=["leeftijd_min", "leeftijd_max", "doelgroep"])
        if not created:
            continue
        locatie.functies.set([functies[(perceel, c)] for c in codes])
        Capaciteit.objects.create(
            locatie=locatie, begin=D(2023, 1, 1), einde=D(2024, 12, 31), plaatsen=plaatsen + 2
        )
        Capaciteit.objects.create(locatie=locatie, begin=D(2025, 1, 1), plaatsen=plaatsen)
        VrijePlaatsenMelding.objects.create(
            locatie=locatie, vrije_plaatsen=rng.choice([1, 2, 2, 3]), gemeld_door=gemeld_door
        )


def _laatste_kwartalen(peildatum: datetime.date, aantal: int) -> list[tuple[int, int]]:
    jaar, kwartaal = peildatum.year, (peildatum.month - 1) // 3  # the last completed quarter
    if kwartaal == 0:
        jaar, kwartaal = jaar - 1, 4
    result = []
    for _ in range(aantal):
        result.append((jaar, kwartaal))
        jaar, kwartaal = (jaar - 1, 4) if kwartaal == 1 else (jaar, kwartaal - 1)
    return list(reversed(result))


def _gebruiker_van(aanbieder):
    """A (login-less) user of the aanbieder, to sign the demo reports' history."""
    from regio.models import Rol, Roltoekenning, User

    user, created = User.objects.get_or_create(username=f"aanbieder-{aanbieder.agb_code}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Roltoekenning.objects.create(
            user=user,
            rol=Rol.objects.get(code="aanbieder"),
            aanbieder=aanbieder,
            begin=D(2020, 1, 1),
        )
    return user


# AGB codes of the aanbieders whose reports the demo holds.
RAPPORTEURS = ["75810100", "75810201", "75810202", "75810203", "75810204"]


def rapportages(
    rng: random.Random, aanbieder_user, risb_users: dict, peildatum: datetime.date | None = None
):
    """Four quarters of reports in mixed review states for the current contracts; one
    Oldambt-Stadskanaal contract has not reported its last quarter (te laat)."""
    from inkoop.models import Rapportage, Rapportageopmerking, Rapportageregel, Rapportagestap

    peildatum = peildatum or datetime.date.today()
    kwartalen = _laatste_kwartalen(peildatum, 4)
    staten = ["definitief", "akkoord", "in_beoordeling", "ingediend"]
    # The operational contracts of the contractpartner and four Oldambt-Stadskanaal aanbieders
    # (whichever contract of theirs runs now: the 2023 one or its follow-up).
    contracten = list(
        Contract.objects.lopend_op(peildatum)
        .filter(aanbieder__agb_code__in=RAPPORTEURS, soort="raamovereenkomst", percelen__einde__isnull=True)
        .distinct().order_by("aanbieder__agb_code")
        .select_related("aanbieder", "regio").prefetch_related("percelen__producten", "gemeenten")
    )  # fmt: skip
    for contract in contracten:
        indiener = (
            aanbieder_user
            if contract.aanbieder.agb_code == "75810100"
            else _gebruiker_van(contract.aanbieder)
        )
        risb_user = risb_users[contract.regio.code]
        producten = [p for perceel in contract.percelen.all() for p in perceel.producten.all()]
        ruimte = {b.jaar: b.bedrag for b in contract.budgetten.all()}
        basis: dict = {}
        taakgericht = contract.bekostiging == Bekostiging.TAAKGERICHT
        clienten_basis = rng.randint(180, 240) if taakgericht else rng.randint(40, 90)
        for index, (jaar, kwartaal) in enumerate(kwartalen):
            if Rapportage.objects.filter(contract=contract, jaar=jaar, kwartaal=kwartaal).exists():
                continue
            agb = contract.aanbieder.agb_code
            status = staten[index] if agb in ("75810100", "75810201") else (
                "teruggestuurd" if (agb == "75810202" and index == 3) else "definitief")  # fmt: skip
            clienten = clienten_basis * rng.randint(96, 104) // 100
            budget = ruimte.get(jaar, Decimal("1000000"))
            aandeel = Decimal(kwartaal) / 4 * Decimal(rng.choice(["0.86", "0.95", "1.02"]))
            rapportage = Rapportage.objects.create(
                contract=contract, jaar=jaar, kwartaal=kwartaal, status=status,
                clienten_in_zorg=clienten, instroom=rng.randint(5, 20), uitstroom=rng.randint(4, 18),
                wachtenden=rng.randint(0, 12), uitgaven_tot_nu=(budget * aandeel).quantize(Decimal("0.01")),
                clienttevredenheid=Decimal(rng.choice(["7.4", "7.8", "8.1"])), doelrealisatie=Decimal(rng.choice(["62.0", "68.5", "71.0"])),
                incidenten=rng.randint(0, 4), aandeel_hbo=Decimal("70.0"), aandeel_mbo=Decimal("30.0"),
            )  # fmt: skip
            # Submitted about three weeks after the quarter ended.
            kwartaal_einde = D(jaar + (kwartaal == 4), 1 if kwartaal == 4 else 3 * kwartaal + 1, 1)
            ingediend = timezone.make_aware(
                datetime.datetime.combine(
                    kwartaal_einde + datetime.timedelta(days=rng.randint(12, 28)), datetime.time(10)
                )
            )
            rapportage.ingediend_op = min(ingediend, timezone.now())
            rapportage.save(update_fields=["ingediend_op"])
            regels = []
            for product in producten:
                if product.begin > D(jaar, 3 * kwartaal, 1):
                    continue
                for gemeente in contract.gemeenten.all():
                    if product.domein == Domein.BEGELEIDING and gemeente.code == "0267":
                        continue  # Nijkerk is in the regio for BW and BT only
                    # A stable base per line, varying a few percent per quarter, so that the
                    # reviewer's jump signal marks only the real outliers.
                    key = (product.pk, gemeente.pk)
                    basis.setdefault(key, (rng.randint(40, 900), rng.randint(2, 40)))
                    volume, regel_clienten = basis[key]
                    factor = Decimal(rng.randint(92, 108)) / 100
                    regels.append(Rapportageregel(
                        rapportage=rapportage, product=product, gemeente=gemeente,
                        volume=(volume * factor).quantize(Decimal("1")), clienten=regel_clienten,
                    ))  # fmt: skip
            if index == 3 and regels:
                regels[0].volume *= Decimal("1.45")  # one outlier in the newest quarter
            Rapportageregel.objects.bulk_create(regels)
            pad = {"ingediend": ["ingediend"], "in_beoordeling": ["ingediend", "in_beoordeling"],
                   "akkoord": ["ingediend", "in_beoordeling", "akkoord"],
                   "definitief": ["ingediend", "in_beoordeling", "akkoord", "definitief"],
                   "teruggestuurd": ["ingediend", "in_beoordeling", "teruggestuurd"]}[status]  # fmt: skip
            van = "concept"
            for naar in pad:
                door = indiener if naar == "ingediend" else risb_user
                Rapportagestap.objects.create(rapportage=rapportage, van=van, naar=naar, door=door)
                van = naar
            if status == "teruggestuurd":
                Rapportageopmerking.objects.create(
                    rapportage=rapportage, onderdeel="uitgaven_tot_nu", door=risb_user,
                    tekst="De uitgaven lijken hoger dan de volumes verklaren; graag toelichten of corrigeren.",
                )  # fmt: skip


# DOMAIN.md "Figures from the seeds": verdeelmodel 2021 (% of BW money), adding up to 100.01.
VERDEELMODEL_AMERSFOORT = {
    "0307": "56.52", "0308": "6.35", "0313": "4.66", "0327": "7.45", "0267": "9.47",
    "0342": "12.08", "0351": "3.48",
}  # fmt: skip


def verdeelmodellen(vandaag: datetime.date | None = None):
    """Regio Amersfoort's verdeelmodel: the 2021 figures, carried forward to the current year
    (illustrative)."""
    from financien.models import Verdeelmodel
    from financien.services import verdeelmodel_vastleggen

    regio = Regio.objects.get(code="amersfoort")
    percentages = {
        Gemeente.objects.get(code=code): Decimal(p) for code, p in VERDEELMODEL_AMERSFOORT.items()
    }
    vandaag = vandaag or datetime.date.today()
    for jaar in range(2021, max(vandaag.year, 2026) + 1):
        if not Verdeelmodel.objects.filter(regio=regio, jaar=jaar).exists():
            verdeelmodel_vastleggen(
                regio, jaar, percentages, bron="Startnotitie OMNV (2021)", user=None
            )


def kwaliteit(peildatum: datetime.date | None = None):
    """Certificates (one lapsing soon) and a few calamiteiten/incidenten of the contractpartner."""
    from inkoop.models import Certificaat, Melding

    peildatum = peildatum or datetime.date.today()
    partner = Aanbieder.objects.get(agb_code="75810100")
    if Certificaat.objects.filter(aanbieder=partner).exists():
        return
    Certificaat.objects.create(aanbieder=partner, soort="HKZ", nummer="HKZ-2023-0417",
                               geldig_tot=peildatum + datetime.timedelta(days=45))  # fmt: skip
    Certificaat.objects.create(aanbieder=partner, soort="ISO 9001", nummer="ISO-88213",
                               geldig_tot=peildatum + datetime.timedelta(days=700))  # fmt: skip
    for aanbieder in Aanbieder.objects.filter(naam__in=BW_AANBIEDERS[:8]):
        Certificaat.objects.create(aanbieder=aanbieder, soort="HKZ",
                                   geldig_tot=peildatum + datetime.timedelta(days=400))  # fmt: skip
    contract = Contract.objects.get(kenmerk="WBBW-2023-01")
    Melding.objects.create(
        aanbieder=partner, contract=contract, soort=Melding.Soort.CALAMITEIT,
        datum=peildatum - datetime.timedelta(days=9),
        omschrijving="Brand in een keuken van Herstelhuis De Eem; bewoners tijdelijk elders opgevangen.",
    )  # fmt: skip
    Melding.objects.create(
        aanbieder=partner, contract=contract, soort=Melding.Soort.INCIDENT,
        datum=peildatum - datetime.timedelta(days=60), status=Melding.Status.AFGEHANDELD,
        omschrijving="Medicatiefout bij de avondronde.", afgehandeld_op=peildatum - datetime.timedelta(days=40),
        opvolging="Dubbele controle bij uitgifte ingevoerd; medewerkers bijgeschoold.",
    )  # fmt: skip
