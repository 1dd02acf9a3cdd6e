"""Demo data of the finance workplace for regio Amersfoort (seed figures, DOMAIN.md "Figures"):
parameters for last year and this year (cut-over 1 January 2022, alpha 0.5), voorschotten split
by the verdeelmodel, budgets per gemeente for beschermd wonen and beschermd thuis, monthly costs
of about 250 BW clients (222 in care, 31 with a pgb, spread over the gemeenten as in 2020; about
one in five new since the cut-over) over both years, a vastgestelde run for last year and a
concept for this year. The costs stand for the realised costs taken over from the previous
administration (bron handmatig, and pgb); from now on they come from declaraties and the
taakgericht allocation.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from financien import runs
from financien.models import (
    Budget,
    EersteBWStart,
    Jaarparameters,
    Kostenregel,
    Vereveningsrun,
    Voorschot,
)
from financien.verevening import GemeenteInvoer, voorschotten_naar_verdeelmodel
from inkoop.models import Product
from regio.models import Gemeente, Regio, User
from toegang.models import Client

D = datetime.date
# 2020 BW clients (zin, pgb) per gemeente (DOMAIN.md); Bunschoten's pgb count is unknown (1).
CLIENTEN = {"0307": (176, 15), "0308": (12, 0), "0313": (0, 1), "0327": (13, 15),
            "0267": (6, 0), "0342": (15, 1), "0351": (0, 0)}  # fmt: skip
# Last year and this year (relative to the day the demo runs).
PARAMETERS = {-1: Decimal("12000000.00"), 0: Decimal("12400000.00")}
VOORSCHOT_TOTAAL = {-1: Decimal("2500000.00"), 0: Decimal("2600000.00")}
PEILDATUM_NIEUW = D(2022, 1, 1)
FUNCTIEDELEN = {"beschermd-wonen": Decimal("0.85"), "beschermd-thuis": Decimal("0.15")}


def _maanden(jaar: int, tot: datetime.date):
    for maand in range(1, 13):
        begin = D(jaar, maand, 1)
        if begin > tot:
            return
        einde = (begin.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        yield begin, einde - datetime.timedelta(days=1)


def demo(rng: random.Random, vandaag: datetime.date | None = None) -> int:
    """Load it all once (does nothing when regio Amersfoort has runs). Returns the number of
    kostenregels made."""
    regio = Regio.objects.get(code="amersfoort")
    if Vereveningsrun.objects.filter(regio=regio).exists():
        return 0
    vandaag = vandaag or datetime.date.today()
    parameters_per_jaar = {vandaag.year + d: b for d, b in PARAMETERS.items()}
    voorschot_totaal = {vandaag.year + d: b for d, b in VOORSCHOT_TOTAAL.items()}
    gemeenten = {g.code: g for g in Gemeente.objects.filter(code__in=CLIENTEN)}
    functies = {
        p.code: p
        for p in Product.objects.filter(
            perceel__regio=regio, code__in=["beschermd-wonen", "beschermd-thuis"]
        )
    }
    verdeelmodel = {code: Decimal(p) for code, p in _verdeelmodel(regio, vandaag.year).items()}
    for jaar, budget in parameters_per_jaar.items():
        parameters = Jaarparameters.objects.create(
            regio=regio, jaar=jaar, peildatum_nieuw=PEILDATUM_NIEUW, alpha=Decimal("0.5"),
            centrumgemeentebudget=budget,
        )  # fmt: skip
        invoer = [
            GemeenteInvoer(code, gemeenten[code].naam, verdeelmodel[code], Decimal(0), Decimal(0))
            for code in sorted(verdeelmodel)
        ]
        for g in voorschotten_naar_verdeelmodel(invoer, voorschot_totaal[jaar]):
            Voorschot.objects.create(
                parameters=parameters, gemeente=gemeenten[g.code], bedrag=g.voorschot
            )
        for code, share in verdeelmodel.items():
            totaal = (budget + voorschot_totaal[jaar]) * share / 100
            for functie, deel in FUNCTIEDELEN.items():
                if functie in functies:
                    bedrag = (totaal * deel / 1000).quantize(Decimal(1)) * 1000
                    Budget.objects.create(
                        parameters=parameters, gemeente=gemeenten[code],
                        functie=functies[functie], bedrag=bedrag,
                    )  # fmt: skip
    regels = _kosten(rng, regio, gemeenten, functies, vandaag, list(parameters_per_jaar))
    _runs(regio, vandaag.year)
    return regels


def _verdeelmodel(regio, jaar: int) -> dict:
    from financien.models import VerdeelmodelAandeel

    return dict(
        VerdeelmodelAandeel.objects.filter(
            verdeelmodel__regio=regio, verdeelmodel__jaar=jaar
        ).values_list("gemeente__code", "percentage")
    )


def _kosten(rng, regio, gemeenten, functies, vandaag, jaren) -> int:
    tot = vandaag.replace(day=1) - datetime.timedelta(days=1)
    clients, starts, regels = [], [], []
    for code, (zin, pgb) in sorted(CLIENTEN.items()):
        for soort, aantal in (("zin", zin), ("pgb", pgb)):
            for _ in range(aantal):
                client = Client()
                clients.append(client)
                nieuw = rng.random() < 0.2
                start = (
                    PEILDATUM_NIEUW + datetime.timedelta(days=rng.randrange(0, 1400))
                    if nieuw
                    else D(2012, 1, 1) + datetime.timedelta(days=rng.randrange(0, 3500))
                )
                starts.append(
                    EersteBWStart(
                        client=client,
                        regio=regio,
                        gemeente_herkomst=gemeenten[code],
                        datum=start,
                        bron=EersteBWStart.Bron.CONVERSIE,
                    )  # fmt: skip
                )
                thuis = rng.random() < 0.15
                functie = functies.get("beschermd-thuis" if thuis else "beschermd-wonen")
                bereik = (3800, 6200) if soort == "zin" else (2400, 3800)
                per_maand = Decimal(rng.randrange(*bereik))
                for jaar in jaren:
                    for begin, einde in _maanden(jaar, tot):
                        if einde < start:
                            continue
                        regels.append(
                            Kostenregel(
                                regio=regio,
                                jaar=jaar,
                                client=client,
                                gemeente_herkomst=gemeenten[code],
                                functie=functie if soort == "zin" else None,
                                bron="handmatig" if soort == "zin" else "pgb",
                                referentie=f"demo-{len(regels) + 1:06d}",
                                periode_begin=begin,
                                periode_einde=einde,
                                bedrag=per_maand,
                            )  # fmt: skip
                        )
    Client.objects.bulk_create(clients)
    EersteBWStart.objects.bulk_create(starts)
    Kostenregel.objects.bulk_create(regels, batch_size=2000)
    return len(regels)


def _runs(regio, jaar: int):
    """Last year vastgesteld (started by the regional finance officer, fixed by a colleague),
    and a concept for this year."""
    starter = User.objects.filter(username="financien-amersfoort").first()
    collega = User.objects.filter(username="soest-en-financien").first()
    vorig = runs.bereken_run(regio, jaar - 1, user=starter)
    if collega is not None:
        runs.vaststellen(vorig, collega)
    runs.bereken_run(regio, jaar, user=starter)
