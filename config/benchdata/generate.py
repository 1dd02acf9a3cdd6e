"""National-scale synthetic data for the benchmark (issue 10), loaded with PostgreSQL COPY.

``genereer(scale, seed)`` fills the database Django is connected to (schema migrated, reference
data from ``regio.referentiedata``) with, at scale 1.0: the 43 BW regions and their ~340
gemeenten (the reference data already spreads every CBS gemeente over a BW region), 400,000
clients (Client, Persoon with an elfproef BSN and its keyed hash, BRP address, Dossier, a
melding), 1,000,000 beschikkingen each with a beschikt product and (when granted) a toewijzing,
30,000 BW clients with 24 months of waiting-list history (aanmeldingen, instroom and uitstroom
events, plaatsingen), 5,000,000 kostenregels, 3,000 aanbieders with contracts, locations and
quarterly rapportages, declaraties on P×Q toewijzingen, users for every role and API keys for a
few aanbieders. Everything comes from ``random.Random(seed)`` and a fixed anchor date, so the
same seed gives the same rows (``Resultaat.digest`` covers every COPY stream).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from config.benchdata.copy import NU, Tabel, reset_sequences

D = datetime.date
NATIONAAL = {
    "clienten": 400_000,
    "beschikkingen": 1_000_000,
    "bw_clienten": 30_000,
    "kostenregels": 5_000_000,
    "aanbieders": 3_000,
    "declaratieregels": 200_000,
    "extra_kostenclienten": 20_000,
}
WACHTWOORD = "bench-wachtwoord"
API_SLEUTELS = 3

VOORNAMEN = [
    "Jan",
    "Anna",
    "Piet",
    "Fatima",
    "Mohamed",
    "Sanne",
    "Kees",
    "Lotte",
    "Ahmed",
    "Emma",
    "Daan",
    "Noor",
    "Willem",
    "Yara",
    "Bram",
    "Sophie",
    "Luuk",
    "Iris",
]
ACHTERNAMEN = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Yilmaz",
    "el Amrani",
    "Kaya",
    "Pinas",
    "Nguyen",
]
# Surnames of clients as they occur in the Netherlands: the most frequent names with roughly
# their real share of the population (de Jong about 0.5%, Jansen 0.44%, ...: Meertens
# Instituut), the rest a long tail of rarer names, each held by a few hundredths of a percent.
# A uniform pick from a short list would make every common name ten times too common, and a
# name search plan that fits such data does not fit the real thing.
VEELVOORKOMEND = {
    "de Jong": 0.50,
    "Jansen": 0.44,
    "de Vries": 0.42,
    "van den Berg": 0.35,
    "van Dijk": 0.33,
    "Bakker": 0.32,
    "Janssen": 0.31,
    "Visser": 0.29,
    "Smit": 0.26,
    "Meijer": 0.24,
    "de Boer": 0.22,
    "Mulder": 0.21,
    "de Groot": 0.21,
    "Bos": 0.20,
    "Vos": 0.18,
    "Peters": 0.18,
    "Hendriks": 0.18,
    "van Leeuwen": 0.17,
    "Dekker": 0.16,
    "Brouwer": 0.16,
    "de Wit": 0.15,
    "Dijkstra": 0.15,
    "Smits": 0.15,
    "de Graaf": 0.14,
    "van der Meer": 0.14,
    "Yilmaz": 0.10,
    "Kaya": 0.06,
    "el Amrani": 0.05,
    "Nguyen": 0.05,
    "Pinas": 0.02,
}
_VOORVOEGSELS = ("", "van ", "de ", "van der ", "van den ", "ter ", "van de ")
_STAMMEN = (
    "Berg Dijk Hoek Veen Brink Kamp Linden Wal Bosch Heuvel Molen Graaf Beek Hof Horst Laar "
    "Meulen Roos Steen Vliet Werf Zand Haar Kooi Akker Bree Dam Elst Gaal Haven Kruis Loon "
    "Noord Oost Plas Rijn Sluis Toren Weide Zwart"
).split()
_ACHTERVOEGSELS = ("", "man", "ink", "huis", "stra", "ema", "inga", "ers", "ing", "er", "sen")
ZELDZAAM = sorted(
    {v + s + a for v in _VOORVOEGSELS for s in _STAMMEN for a in _ACHTERVOEGSELS}
    - set(VEELVOORKOMEND)
)


def achternamen() -> tuple[list[str], list[float]]:
    """Every surname with its cumulative weight (for ``rng.choices(..., cum_weights=...)``)."""
    namen = list(VEELVOORKOMEND) + ZELDZAAM
    rest = (100 - sum(VEELVOORKOMEND.values())) / len(ZELDZAAM)
    totaal, cumulatief = 0.0, []
    for naam in namen:
        totaal += VEELVOORKOMEND.get(naam, rest)
        cumulatief.append(totaal)
    return namen, cumulatief


STRATEN = [
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Stationsweg",
    "Schoolstraat",
    "Beukenlaan",
    "Julianastraat",
    "Wilhelminaweg",
    "Eikenlaan",
    "Parkweg",
]
BW_FUNCTIES = ("beschermd-wonen", "beschermd-thuis")
# The catalogue each BW region gets (cloned from demo.inkoop.CATALOGUS).
PERCELEN = ("wmo-begeleiding-en-beschermd-wonen", "begeleiding-2023")


def aantallen(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in NATIONAAL.items()}


@dataclass
class Resultaat:
    scale: float
    seed: int
    anker: datetime.date
    tabellen: dict[str, tuple[int, float]] = field(default_factory=dict)  # rows, seconds
    seconden: float = 0.0
    digest: str = ""
    api_tokens: list[str] = field(default_factory=list)

    def regels(self) -> list[str]:
        return [
            f"{naam}: {rows:,} rows in {sec:.1f} s" for naam, (rows, sec) in self.tabellen.items()
        ]


def bsn_reeks(rng: random.Random):
    """Distinct nine-digit numbers passing the elfproef, from a seeded starting point."""
    prefix = 10_000_000 + rng.randrange(0, 40_000_000)
    while True:
        digits = f"{prefix:08d}"
        total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        check = total % 11
        if check < 10:
            yield digits + str(check)
        prefix += 1


def _next_id(cursor, model) -> int:
    cursor.execute(
        f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) FROM "{model._meta.db_table}"'
    )
    return cursor.fetchone()[0] + 1


def _maand_einde(d: datetime.date) -> datetime.date:
    volgende = (d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return volgende - datetime.timedelta(days=1)


class Generator:
    def __init__(self, cursor, scale: float, seed: int, anker: datetime.date):
        self.cursor = cursor
        self.scale = scale
        self.rng = random.Random(seed)
        self.anker = anker
        self.n = aantallen(scale)
        self.resultaat = Resultaat(scale=scale, seed=seed, anker=anker)
        self.hash = hashlib.sha256()

    # --- plumbing -----------------------------------------------------------------------------

    def tabel(self, model, **kwargs) -> Tabel:
        tabel = Tabel(model, self.cursor, **kwargs)
        original = tabel.flush

        def flush():
            if tabel.pending:
                self.hash.update(tabel.table.encode())
                self.hash.update(tabel.buffer.getvalue().encode())
            original()

        tabel.flush = flush
        return tabel

    def stap(self, naam: str, started: float, *tabellen: Tabel):
        rows = sum(t.close() for t in tabellen)
        seconds = time.perf_counter() - started
        self.resultaat.tabellen[naam] = (rows, seconds)
        print(f"  {naam}: {rows:,} rows in {seconds:.1f} s", flush=True)
        for t in tabellen:
            print(f"    {t.table}: {t.count:,} rows, COPY {t.seconds:.2f} s", flush=True)

    # --- the steps ----------------------------------------------------------------------------

    def run(self) -> Resultaat:
        started = time.perf_counter()
        self.referentie()
        self.catalogus()
        self.aanbieders()
        self.gebruikers()
        self.clienten()
        self.beschikkingen()
        self.wachtlijst()
        self.kosten()
        self.declaraties()
        self.financien_parameters()
        t = time.perf_counter()
        from django.apps import apps

        reset_sequences(self.cursor, apps.get_models(include_auto_created=True))
        self.cursor.execute("ANALYZE")
        self.resultaat.tabellen["sequences + ANALYZE"] = (0, time.perf_counter() - t)
        print(f"  ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
        self.resultaat.seconden = time.perf_counter() - started
        self.resultaat.digest = self.hash.hexdigest()
        return self.resultaat

    def referentie(self):
        from regio import referentiedata
        from regio.models import Domein, Gemeente, Lidmaatschap, Regio, Rol

        t = time.perf_counter()
        referentiedata.load()
        self.gemeenten = list(Gemeente.objects.order_by("code").values_list("pk", "code", "naam"))
        self.gemeente_naam = {pk: naam for pk, _, naam in self.gemeenten}
        leden = (
            Lidmaatschap.objects.active_on(self.anker)
            .filter(domein=Domein.BESCHERMD_WONEN)
            .values_list("regio_id", "gemeente_id")
            .order_by("regio_id", "gemeente_id")
        )
        self.regio_leden: dict[int, list[int]] = defaultdict(list)
        self.bw_regio: dict[int, int] = {}
        for regio_id, gemeente_id in leden:
            self.regio_leden[regio_id].append(gemeente_id)
            self.bw_regio[gemeente_id] = regio_id
        self.regios = sorted(self.regio_leden)
        self.regio_code = dict(Regio.objects.values_list("pk", "code"))
        self.rollen = {
            code: (pk, scope) for pk, code, scope in Rol.objects.values_list("pk", "code", "scope")
        }
        # Gemeenten with a BW region get clients, weighted by a (seeded) size.
        self.client_gemeenten = [g for g, _, _ in self.gemeenten if g in self.bw_regio]
        self.gewichten = [self.rng.lognormvariate(0, 1) for _ in self.client_gemeenten]
        self.resultaat.tabellen["reference data (ORM, regio.referentiedata)"] = (
            len(self.gemeenten),
            time.perf_counter() - t,
        )
        print(
            f"  reference: {len(self.gemeenten)} gemeenten, {len(self.regios)} BW regions",
            flush=True,
        )

    def catalogus(self):
        from demo.inkoop import CATALOGUS
        from inkoop.models import Perceel, Product, Tarief

        t = time.perf_counter()
        percelen, producten, tarieven = self.tabel(Perceel), self.tabel(Product), self.tabel(Tarief)
        perceel_id, product_id, tarief_id = (
            _next_id(self.cursor, m) for m in (Perceel, Product, Tarief)
        )
        bron = {code: rest for (_r, code, *rest) in CATALOGUS if code in PERCELEN}
        self.producten: dict[int, dict[str, dict]] = defaultdict(dict)  # regio → code → product
        for regio in self.regios:
            for code in PERCELEN:
                naam, bekostiging, begin, einde, items = bron[code]
                percelen.add(
                    {
                        "id": perceel_id,
                        "regio_id": regio,
                        "code": code,
                        "naam": naam,
                        "bekostiging": bekostiging,
                        "begin": begin,
                        "einde": einde,
                    }
                )
                for pcode, pnaam, soort, domein, cat, pc, eenheid, plafond, maanden, tar in items:
                    producten.add(
                        {
                            "id": product_id,
                            "perceel_id": perceel_id,
                            "code": pcode,
                            "naam": pnaam,
                            "soort": soort,
                            "domein": domein,
                            "productcategorie": cat,
                            "productcode": pc,
                            "eenheid": eenheid,
                            "jaarplafond": Decimal(plafond) if plafond else None,
                            "max_duur_maanden": maanden,
                            "begin": begin,
                            "einde": einde,
                        }
                    )
                    laatste = Decimal(tar[-1][1]) if tar else None
                    self.producten[regio][pcode] = {
                        "id": product_id,
                        "perceel_id": perceel_id,
                        "categorie": cat,
                        "productcode": pc,
                        "eenheid": eenheid,
                        "pxq": bool(pc),
                        "tarief": laatste,
                    }
                    for i, (tbegin, bedrag) in enumerate(tar):
                        volgende = tar[i + 1][0] if i + 1 < len(tar) else None
                        tarieven.add(
                            {
                                "id": tarief_id,
                                "product_id": product_id,
                                "begin": tbegin,
                                "einde": volgende - datetime.timedelta(days=1)
                                if volgende
                                else einde,
                                "bedrag": Decimal(bedrag),
                            }
                        )
                        tarief_id += 1
                    product_id += 1
                perceel_id += 1
        self.stap("catalogue (percelen, producten, tarieven)", t, percelen, producten, tarieven)

    def aanbieders(self):
        from inkoop.models import (
            Aanbieder,
            Capaciteit,
            Contract,
            Locatie,
            Rapportage,
        )

        t = time.perf_counter()
        rng = self.rng
        n = max(self.n["aanbieders"], 2 * len(self.regios))
        aanbieders, contracten = self.tabel(Aanbieder), self.tabel(Contract)
        c_percelen = self.tabel(Contract.percelen.through)
        c_gemeenten = self.tabel(Contract.gemeenten.through)
        locaties, l_functies = self.tabel(Locatie), self.tabel(Locatie.functies.through)
        capaciteit, rapportages = self.tabel(Capaciteit), self.tabel(Rapportage)
        ids = {
            m: _next_id(self.cursor, m)
            for m in (Aanbieder, Contract, Locatie, Capaciteit, Rapportage)
        }
        m2m = {
            m: 1
            for m in (
                Contract.percelen.through,
                Contract.gemeenten.through,
                Locatie.functies.through,
            )
        }
        self.aanbieder_ids: list[int] = []
        self.contracten_in: dict[int, list[tuple[int, int]]] = defaultdict(
            list
        )  # regio → (aanbieder, contract)
        self.locaties_in: dict[int, list[int]] = defaultdict(list)
        kwartalen = []
        jaar, kw = 2025, 1
        while D(jaar, 3 * kw, 1) < self.anker.replace(day=1):
            kwartalen.append((jaar, kw))
            jaar, kw = (jaar + 1, 1) if kw == 4 else (jaar, kw + 1)
        statussen = [
            "definitief",
            "definitief",
            "akkoord",
            "ingediend",
            "in_beoordeling",
            "concept",
        ]
        for i in range(n):
            aid = ids[Aanbieder]
            ids[Aanbieder] += 1
            self.aanbieder_ids.append(aid)
            aanbieders.add(
                {
                    "id": aid,
                    "naam": f"Zorgaanbieder {i + 1:04d} {rng.choice(ACHTERNAMEN)}",
                    "agb_code": f"{70_000_000 + aid:08d}",
                    "kvk_nummer": f"{50_000_000 + aid:08d}",
                    "plaats": rng.choice(self.gemeenten)[2],
                }
            )
            regios = [self.regios[i % len(self.regios)]]
            if rng.random() < 0.3:
                regios.append(rng.choice(self.regios))
            for regio in dict.fromkeys(regios):
                cid = ids[Contract]
                ids[Contract] += 1
                contracten.add(
                    {
                        "id": cid,
                        "aanbieder_id": aid,
                        "regio_id": regio,
                        "kenmerk": f"BENCH-{aid}-{regio}",
                        "soort": "raamovereenkomst",
                        "bekostiging": "taakgericht",
                        "begin": D(2023, 1, 1),
                        "einde": D(2027, 12, 31),
                        "looptijd_einde": D(2027, 12, 31),
                        "wachtlijstbeheer": False,
                        "signaaldrempel": 70,
                    }
                )
                self.contracten_in[regio].append((aid, cid))
                for perceel in sorted({p["perceel_id"] for p in self.producten[regio].values()}):
                    c_percelen.add(
                        {
                            "id": m2m[Contract.percelen.through],
                            "contract_id": cid,
                            "perceel_id": perceel,
                        }
                    )
                    m2m[Contract.percelen.through] += 1
                for gemeente in self.regio_leden[regio]:
                    c_gemeenten.add(
                        {
                            "id": m2m[Contract.gemeenten.through],
                            "contract_id": cid,
                            "gemeente_id": gemeente,
                        }
                    )
                    m2m[Contract.gemeenten.through] += 1
                lid = ids[Locatie]
                ids[Locatie] += 1
                gemeente = rng.choice(self.regio_leden[regio])
                locaties.add(
                    {
                        "id": lid,
                        "aanbieder_id": aid,
                        "naam": f"Locatie {lid}",
                        "straat": rng.choice(STRATEN),
                        "huisnummer": str(rng.randint(1, 200)),
                        "postcode": f"{rng.randint(1000, 9999)} AB",
                        "plaats": self.gemeente_naam[gemeente],
                        "gemeente_id": gemeente,
                        "gender": "gemengd",
                        "actief": True,
                    }
                )
                self.locaties_in[regio].append(lid)
                for code in BW_FUNCTIES:
                    l_functies.add(
                        {
                            "id": m2m[Locatie.functies.through],
                            "locatie_id": lid,
                            "product_id": self.producten[regio][code]["id"],
                        }
                    )
                    m2m[Locatie.functies.through] += 1
                capaciteit.add(
                    {
                        "id": ids[Capaciteit],
                        "locatie_id": lid,
                        "begin": D(2023, 1, 1),
                        "einde": None,
                        "plaatsen": rng.randint(6, 30),
                    }
                )
                ids[Capaciteit] += 1
                for jaar, kw in kwartalen:
                    status = rng.choice(statussen)
                    rapportages.add(
                        {
                            "id": ids[Rapportage],
                            "contract_id": cid,
                            "jaar": jaar,
                            "kwartaal": kw,
                            "status": status,
                            "clienten_in_zorg": rng.randint(0, 80),
                            "instroom": rng.randint(0, 10),
                            "uitstroom": rng.randint(0, 10),
                            "wachtenden": rng.randint(0, 20),
                            "uitgaven_tot_nu": Decimal(rng.randint(0, 2_000_000)),
                            "incidenten": rng.randint(0, 3),
                            "ingediend_op": None if status == "concept" else NU,
                        }
                    )
                    ids[Rapportage] += 1
        self.stap(
            "aanbieders, contracts, locations, rapportages",
            t,
            aanbieders,
            contracten,
            c_percelen,
            c_gemeenten,
            locaties,
            l_functies,
            capaciteit,
            rapportages,
        )

    def gebruikers(self):
        from django.contrib.auth.hashers import make_password

        from inkoop.apisleutels.services import TOKEN_PREFIX, hash_geheim
        from inkoop.models import ApiSleutel
        from regio.models import Roltoekenning, User

        t = time.perf_counter()
        wachtwoord = make_password(WACHTWOORD, salt="benchsalt")
        users, toekenningen = self.tabel(User), self.tabel(Roltoekenning)
        sleutels = self.tabel(ApiSleutel)
        uid, rid = _next_id(self.cursor, User), _next_id(self.cursor, Roltoekenning)
        self.consulenten: dict[int, list[int]] = defaultdict(list)
        self.ct: dict[int, int] = {}

        def user(username, rol, *, gemeente=None, regio=None, aanbieder=None, password=wachtwoord):
            nonlocal uid, rid
            users.add(
                {
                    "id": uid,
                    "username": username,
                    "password": password,
                    "first_name": "Bench",
                    "last_name": username,
                    "date_joined": NU,
                }
            )
            toekenningen.add(
                {
                    "id": rid,
                    "user_id": uid,
                    "rol_id": self.rollen[rol][0],
                    "gemeente_id": gemeente,
                    "regio_id": regio,
                    "aanbieder_id": aanbieder,
                    "begin": D(2020, 1, 1),
                }
            )
            uid += 1
            rid += 1
            return uid - 1

        for gemeente, code, _ in self.gemeenten:
            if gemeente not in self.bw_regio:
                continue
            for i in range(2):
                self.consulenten[gemeente].append(
                    user(f"consulent-{code}-{i}", "consulent", gemeente=gemeente)
                )
        for regio in self.regios:
            code = self.regio_code[regio]
            self.ct[regio] = user(f"ct-{code}", "centrale-toegang", regio=regio)
            user(f"contractmanager-{code}", "contractmanager", regio=regio)
            user(f"financien-{code}", "financien", regio=regio)
            user(f"privacy-{code}", "privacyfunctionaris", regio=regio)
            user(f"beheerder-{code}", "functioneel-beheerder", regio=regio)
        for aid in self.aanbieder_ids:
            user(f"aanbieder-{aid}", "aanbieder", aanbieder=aid)
        # API keys: technical users holding the aanbiedersysteem role, tokens from the seed.
        self.resultaat.api_tokens = []
        for aid in self.aanbieder_ids[:API_SLEUTELS]:
            prefix = f"{self.rng.getrandbits(32):08x}"
            geheim = f"{self.rng.getrandbits(256):064x}"
            technisch = user(f"api-{prefix}", "aanbiedersysteem", aanbieder=aid, password="!bench")
            sleutels.add(
                {
                    "id": _next_id(self.cursor, ApiSleutel) + len(self.resultaat.api_tokens),
                    "aanbieder_id": aid,
                    "naam": "Benchmark",
                    "prefix": prefix,
                    "sleutel_hash": hash_geheim(geheim),
                    "user_id": technisch,
                    "aangemaakt_op": NU,
                }
            )
            self.resultaat.api_tokens.append(f"{TOKEN_PREFIX}_{prefix}_{geheim}")
        self.stap("users, roltoekenningen, API keys", t, users, toekenningen, sleutels)

    def clienten(self):
        from toegang.models import Adres, Client, Dossier, Melding, Persoon
        from toegang.models import bsn_hash as hasher

        t = time.perf_counter()
        rng = self.rng
        clients, personen, adressen = self.tabel(Client), self.tabel(Persoon), self.tabel(Adres)
        dossiers, meldingen = self.tabel(Dossier), self.tabel(Melding)
        did, aid, mid = (_next_id(self.cursor, m) for m in (Dossier, Adres, Melding))
        bsns = bsn_reeks(rng)
        n = self.n["clienten"]
        gekozen = rng.choices(self.client_gemeenten, weights=self.gewichten, k=n)
        namen, cumulatief = achternamen()
        geslachtsnamen = rng.choices(namen, cum_weights=cumulatief, k=n)
        # Every gemeente with a BW region has at least one client.
        for i, g in enumerate(self.client_gemeenten[: min(n, len(self.client_gemeenten))]):
            gekozen[i] = g
        self.client_ids: list[uuid.UUID] = []
        self.client_gemeente: list[int] = []
        self.client_dossier: list[int] = []
        self.client_geopend: list[datetime.date] = []
        for i in range(n):
            cid = uuid.UUID(int=rng.getrandbits(128), version=4)
            gemeente = gekozen[i]
            bsn = next(bsns)
            geopend = D(2018, 1, 1) + datetime.timedelta(days=rng.randrange(0, 2900))
            clients.add({"id": cid, "aangemaakt_op": NU})
            voornaam = rng.choice(VOORNAMEN)
            personen.add(
                {
                    "client_id": cid,
                    "bsn": bsn,
                    "bsn_hash": hasher(bsn),
                    "voornamen": voornaam,
                    "voorletters": voornaam[0] + ".",
                    "geslachtsnaam": geslachtsnamen[i],
                    "geboortedatum": D(1940, 1, 1)
                    + datetime.timedelta(days=rng.randrange(0, 25000)),
                    "gemeente_woonplaats_id": gemeente,
                }
            )
            adressen.add(
                {
                    "id": aid,
                    "persoon_id": cid,
                    "soort": "01",
                    "straat": rng.choice(STRATEN),
                    "huisnummer": str(rng.randint(1, 300)),
                    "postcode": f"{rng.randint(1000, 9999)} CD",
                    "plaats": self.gemeente_naam[gemeente],
                }
            )
            aid += 1
            dossiers.add(
                {
                    "id": did,
                    "client_id": cid,
                    "verantwoordelijke_gemeente_id": gemeente,
                    "status": "open",
                    "geopend_op": geopend,
                    "aangemaakt_op": NU,
                }
            )
            open_ = rng.random() < 0.2
            ontvangen = (
                self.anker - datetime.timedelta(days=rng.randint(1, 40)) if open_ else geopend
            )
            meldingen.add(
                {
                    "id": mid,
                    "dossier_id": did,
                    "ontvangen_op": ontvangen,
                    "hulpvraag": "Ondersteuning bij zelfstandig wonen.",
                    "consulent_id": rng.choice(self.consulenten[gemeente]),
                    "status": "onderzoek" if open_ else "besloten",
                    "volgende_termijn": ontvangen + datetime.timedelta(days=rng.randint(10, 56))
                    if open_
                    else None,
                    "aangemaakt_op": NU,
                }
            )
            mid += 1
            self.client_ids.append(cid)
            self.client_gemeente.append(gemeente)
            self.client_dossier.append(did)
            self.client_geopend.append(geopend)
            did += 1
        self.stap(
            "clients (Client, Persoon, Adres, Dossier, Melding)",
            t,
            clients,
            personen,
            adressen,
            dossiers,
            meldingen,
        )

    def beschikkingen(self):
        from toegang.models import Beschikking, BeschiktProduct, Toewijzing, Toewijzingnummerreeks

        t = time.perf_counter()
        rng = self.rng
        beschikkingen, producten = self.tabel(Beschikking), self.tabel(BeschiktProduct)
        toewijzingen, reeksen = self.tabel(Toewijzing), self.tabel(Toewijzingnummerreeks)
        bid, pid, tid = (
            _next_id(self.cursor, m) for m in (Beschikking, BeschiktProduct, Toewijzing)
        )
        eerste = bid
        nummers: dict[int, int] = defaultdict(int)
        n_clients, n_besch = len(self.client_ids), self.n["beschikkingen"]
        keuzes = {regio: sorted(p.items()) for regio, p in self.producten.items()}
        self.pxq_toewijzingen: list[tuple] = []
        anker_dt = datetime.datetime.combine(self.anker, datetime.time(12), tzinfo=datetime.UTC)
        for c in range(n_clients):
            k = n_besch // n_clients + (1 if c < n_besch % n_clients else 0)
            gemeente = self.client_gemeente[c]
            regio = self.bw_regio[gemeente]
            begin = self.client_geopend[c]
            for _ in range(k):
                duur = rng.randint(90, 730)
                einde = begin + datetime.timedelta(days=duur)
                status = "verlopen" if einde < self.anker else "bekendgemaakt"
                code, product = rng.choice(keuzes[regio])
                toegekend = rng.random() >= 0.05
                consulenten = self.consulenten[gemeente]
                vastgesteld = datetime.datetime.combine(
                    begin - datetime.timedelta(days=7), datetime.time(10), tzinfo=datetime.UTC
                )
                beschikkingen.add(
                    {
                        "id": bid,
                        "dossier_id": self.client_dossier[c],
                        "perceel_id": product["perceel_id"],
                        "status": "concept",  # vastgesteld below, after the products
                        "besluit": "toekenning" if toegekend else "afwijzing",
                        "motivering": "Benchmarkgegevens.",
                        "ingangsdatum": begin,
                        "einddatum": einde,
                        "opgesteld_door_id": consulenten[0],
                        "geaccordeerd_door_id": consulenten[-1],
                        "vastgesteld_op": vastgesteld,
                        "bekendgemaakt_op": vastgesteld.date(),
                        "aangemaakt_op": vastgesteld,
                    }
                )
                pxq = product["pxq"]
                volume = Decimal(rng.randint(4, 40)) if pxq else None
                producten.add(
                    {
                        "id": pid,
                        "beschikking_id": bid,
                        "product_id": product["id"],
                        "toegekend": toegekend,
                        "ingangsdatum": begin,
                        "einddatum": einde,
                        "volume": volume,
                        "eenheid": product["eenheid"] if pxq else "",
                        "frequentie": "4" if pxq else "",
                        "client_id": self.client_ids[c],
                        "productcategorie": product["categorie"],
                        "actief": status == "bekendgemaakt",
                    }
                )
                if toegekend:
                    aanbieder, contract = rng.choice(self.contracten_in[regio])
                    nummers[gemeente] += 1
                    aangemaakt = min(vastgesteld + datetime.timedelta(days=3), anker_dt)
                    span = max(1, int((anker_dt - aangemaakt).total_seconds()))
                    gewijzigd = aangemaakt + datetime.timedelta(seconds=rng.randrange(span))
                    toewijzingen.add(
                        {
                            "id": tid,
                            "beschikt_product_id": pid,
                            "aanbieder_id": aanbieder,
                            "contract_id": contract,
                            "gemeente_id": gemeente,
                            "nummer": nummers[gemeente],
                            "ingangsdatum": begin,
                            "einddatum": einde,
                            "volume": volume,
                            "eenheid": product["eenheid"] if pxq else "",
                            "frequentie": "4" if pxq else "",
                            "status": "actief" if status == "bekendgemaakt" else "beeindigd",
                            "aangemaakt_op": aangemaakt,
                            "gewijzigd_op": gewijzigd,
                        }
                    )
                    if pxq:
                        self.pxq_toewijzingen.append(
                            (
                                tid,
                                aanbieder,
                                gemeente,
                                regio,
                                nummers[gemeente],
                                product,
                                begin,
                                einde,
                                c,
                            )
                        )
                    tid += 1
                pid += 1
                bid += 1
                begin = einde + datetime.timedelta(days=rng.randint(1, 60))
        for gemeente, laatste in sorted(nummers.items()):
            reeksen.add({"gemeente_id": gemeente, "laatste": laatste})
        self.stap(
            "beschikkingen, beschikte producten, toewijzingen",
            t,
            beschikkingen,
            producten,
            toewijzingen,
            reeksen,
        )
        # A vastgestelde beschikking's products are refused on INSERT (trigger), as in the app:
        # products first, then the beschikking moves on (one set-based UPDATE).
        t = time.perf_counter()
        self.cursor.execute(
            "UPDATE toegang_beschikking SET status = CASE WHEN einddatum < %s THEN 'verlopen' "
            "ELSE 'bekendgemaakt' END WHERE id >= %s AND status = 'concept'",
            [self.anker, eerste],
        )
        self.stap("beschikkingen vastgesteld (one UPDATE)", t)

    def wachtlijst(self):
        from toegang.models import Aanmelding, Plaatsing, Wachtlijstgebeurtenis

        t = time.perf_counter()
        rng = self.rng
        aanmeldingen, gebeurtenissen = self.tabel(Aanmelding), self.tabel(Wachtlijstgebeurtenis)
        plaatsingen = self.tabel(Plaatsing)
        aid, gid, plid = (
            _next_id(self.cursor, m) for m in (Aanmelding, Wachtlijstgebeurtenis, Plaatsing)
        )
        n = min(self.n["bw_clienten"], len(self.client_ids))
        self.bw_clienten = sorted(rng.sample(range(len(self.client_ids)), n))
        redenen = ["ingetrokken", "wlz", "verhuisd", "overleden", "anders"]
        for c in self.bw_clienten:
            gemeente = self.client_gemeente[c]
            regio = self.bw_regio[gemeente]
            functie = self.producten[regio][rng.choice(BW_FUNCTIES)]["id"]
            aangemeld = self.anker - datetime.timedelta(days=rng.randint(0, 730))
            wachtend = aangemeld + datetime.timedelta(days=rng.randint(0, 20))
            uit = wachtend + datetime.timedelta(days=rng.randint(14, 400))
            status, reden, uitstroom = "wachtend", "", None
            if wachtend >= self.anker:
                wachtend = None
                status = "aangemeld"
            elif uit < self.anker:
                status = "geplaatst" if rng.random() < 0.7 else "uitgestroomd"
                reden = "geplaatst" if status == "geplaatst" else rng.choice(redenen)
                uitstroom = uit
            urgentie = "urgent" if rng.random() < 0.1 else "regulier"
            ct = self.ct[regio]
            aanmeldingen.add(
                {
                    "id": aid,
                    "regio_id": regio,
                    "dossier_id": self.client_dossier[c],
                    "client_id": self.client_ids[c],
                    "route": "lokaal_team",
                    "aangemeld_op": aangemeld,
                    "aangemeld_door_id": ct,
                    "functie_id": functie,
                    "urgentie": urgentie,
                    "gemeente_herkomst_id": gemeente,
                    "status": status,
                    "wachtend_sinds": wachtend,
                    "uitstroom_op": uitstroom,
                    "uitstroomreden": reden,
                }
            )
            if wachtend is not None:
                gebeurtenissen.add(
                    {
                        "id": gid,
                        "aanmelding_id": aid,
                        "regio_id": regio,
                        "client_id": self.client_ids[c],
                        "functie_id": functie,
                        "gemeente_herkomst_id": gemeente,
                        "soort": "instroom",
                        "reden": "",
                        "datum": wachtend,
                        "wachtend_sinds": wachtend,
                        "vastgelegd_op": NU,
                    }
                )
                gid += 1
            if uitstroom is not None:
                gebeurtenissen.add(
                    {
                        "id": gid,
                        "aanmelding_id": aid,
                        "regio_id": regio,
                        "client_id": self.client_ids[c],
                        "functie_id": functie,
                        "gemeente_herkomst_id": gemeente,
                        "soort": "uitstroom",
                        "reden": reden,
                        "datum": uitstroom,
                        "wachtend_sinds": wachtend,
                        "vastgelegd_op": NU,
                    }
                )
                gid += 1
            if status == "geplaatst":
                plaatsingen.add(
                    {
                        "id": plid,
                        "aanmelding_id": aid,
                        "locatie_id": rng.choice(self.locaties_in[regio]),
                        "status": "geplaatst",
                        "gereserveerd_op": datetime.datetime.combine(
                            uitstroom, datetime.time(9), tzinfo=datetime.UTC
                        ),
                        "geplaatst_op": uitstroom,
                        "door_id": ct,
                    }
                )
                plid += 1
            aid += 1
        self.stap(
            "waiting list (aanmeldingen, gebeurtenissen, plaatsingen)",
            t,
            aanmeldingen,
            gebeurtenissen,
            plaatsingen,
        )

    def kosten(self):
        from financien.models import EersteBWStart, Kostenregel

        t = time.perf_counter()
        rng = self.rng
        regels, starts = self.tabel(Kostenregel), self.tabel(EersteBWStart)
        kid = _next_id(self.cursor, Kostenregel)
        extra = rng.sample(
            range(len(self.client_ids)), min(len(self.client_ids), self.n["extra_kostenclienten"])
        )
        pool = sorted(set(self.bw_clienten) | set(extra))
        for c in pool:
            gemeente = self.client_gemeente[c]
            starts.add(
                {
                    "client_id": self.client_ids[c],
                    "regio_id": self.bw_regio[gemeente],
                    "gemeente_herkomst_id": gemeente,
                    "datum": D(2012, 1, 1) + datetime.timedelta(days=rng.randrange(0, 5000)),
                    "bron": "conversie",
                }
            )
        jaar = self.anker.year
        maanden_dit_jaar = self.anker.month
        bronnen = ["declaratie"] * 6 + ["pgb"] + ["taakgericht"] * 3
        for i in range(self.n["kostenregels"]):
            c = pool[rng.randrange(len(pool))]
            gemeente = self.client_gemeente[c]
            regio = self.bw_regio[gemeente]
            if rng.random() < 0.8:
                j, maand = jaar, rng.randint(1, maanden_dit_jaar)
            else:
                j, maand = jaar - 1, rng.randint(1, 12)
            begin = D(j, maand, 1)
            functie = self.producten[regio][BW_FUNCTIES[i % 2]]["id"] if i % 5 else None
            regels.add(
                {
                    "id": kid,
                    "regio_id": regio,
                    "jaar": j,
                    "client_id": self.client_ids[c],
                    "gemeente_herkomst_id": gemeente,
                    "functie_id": functie,
                    "bron": bronnen[i % 10],
                    "referentie": f"k{kid}",
                    "periode_begin": begin,
                    "periode_einde": _maand_einde(begin),
                    "bedrag": Decimal(rng.randint(5_000, 500_000)) / 100,
                    "vastgelegd_op": NU,
                }
            )
            kid += 1
        self.stap("kostenregels + eerste BW-start", t, regels, starts)

    def declaraties(self):
        from toegang.models import Declaratie, Declaratieregel

        t = time.perf_counter()
        rng = self.rng
        kop, regels = self.tabel(Declaratie), self.tabel(Declaratieregel)
        did, rid = _next_id(self.cursor, Declaratie), _next_id(self.cursor, Declaratieregel)
        doel = self.n["declaratieregels"]
        kandidaten = list(self.pxq_toewijzingen)
        rng.shuffle(kandidaten)
        per_kop: dict[tuple, int] = {}
        gemaakt = 0
        for tid, aanbieder, gemeente, _regio, nummer, product, begin, einde, _c in kandidaten:
            if gemaakt >= doel:
                break
            maand = max(begin, self.anker.replace(day=1) - datetime.timedelta(days=365)).replace(
                day=1
            )
            laatste = min(einde, self.anker)
            while maand <= laatste and gemaakt < doel:
                sleutel = (aanbieder, gemeente, maand)
                if sleutel not in per_kop:
                    per_kop[sleutel] = did
                    kop.add(
                        {
                            "id": did,
                            "aanbieder_id": aanbieder,
                            "gemeente_id": gemeente,
                            "nummer": f"D{did}",
                            "bron": "api",
                            "ontvangen_op": datetime.datetime.combine(
                                _maand_einde(maand) + datetime.timedelta(days=5),
                                datetime.time(8),
                                tzinfo=datetime.UTC,
                            ),
                        }
                    )
                    did += 1
                volume = Decimal(rng.randint(4, 40))
                tarief = product["tarief"] or Decimal("50.00")
                regels.add(
                    {
                        "id": rid,
                        "declaratie_id": per_kop[sleutel],
                        "aanbieder_id": aanbieder,
                        "referentie": f"R{rid}",
                        "toewijzing_id": tid,
                        "toewijzingnummer": nummer,
                        "productcategorie": product["categorie"],
                        "productcode": product["productcode"],
                        "periode_begin": maand,
                        "periode_einde": _maand_einde(maand),
                        "volume": volume,
                        "eenheid": product["eenheid"],
                        "tarief": tarief,
                        "bedrag": volume * tarief,
                        "debet_credit": "D",
                        "status": "toegekend",
                        "retourcodes": ["0200"],
                    }
                )
                rid += 1
                gemaakt += 1
                maand = _maand_einde(maand) + datetime.timedelta(days=1)
        self.stap("declaraties + declaratieregels", t, kop, regels)

    def financien_parameters(self):
        """Verdeelmodel and jaarparameters per region for the anchor year (ORM: 43 rows each,
        through the service that checks the shares)."""
        from financien.models import Jaarparameters
        from financien.services import verdeelmodel_vastleggen
        from regio.models import Gemeente, Regio

        t = time.perf_counter()
        jaar = self.anker.year
        gemeenten = Gemeente.objects.in_bulk()
        for regio in Regio.objects.filter(pk__in=self.regios).order_by("pk"):
            leden = self.regio_leden[regio.pk]
            deel = (Decimal(100) / len(leden)).quantize(Decimal("0.01"))
            shares = {gemeenten[g]: deel for g in leden}
            shares[gemeenten[leden[0]]] += Decimal(100) - deel * len(leden)
            verdeelmodel_vastleggen(regio, jaar, shares, user=None)
            Jaarparameters.objects.get_or_create(
                regio=regio,
                jaar=jaar,
                defaults={
                    "peildatum_nieuw": D(2022, 1, 1),
                    "alpha": Decimal("0.5"),
                    "centrumgemeentebudget": Decimal("50000000.00"),
                },
            )
        self.resultaat.tabellen["verdeelmodellen + jaarparameters (ORM, service)"] = (
            len(self.regios),
            time.perf_counter() - t,
        )


def genereer(scale: float, seed: int, anker: datetime.date | None = None) -> Resultaat:
    """Generate into the database of Django's default connection (migrated, otherwise empty
    apart from what migrations make)."""
    from django.db import connection, transaction

    anker = anker or datetime.date.today().replace(day=1)
    with transaction.atomic(), connection.cursor() as cursor:
        return Generator(cursor, scale, seed, anker).run()
