"""Each list of the national benchmark (issue 10) — web pages and API list endpoints — runs the
same number of queries with 5 rows as with 25, so an N+1 regression fails here rather than at
national scale."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inkoop.models import Rapportage
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    aanbiedersysteem,
    beschikt_product,
    consulent,
    dossier_in,
    gemeente,
    grant,
    regio,
)
from toegang.models import Aanmelding, Declaratie, Declaratieregel, Melding, Persoon, Toewijzing

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
SOEST = "0342"


class Wereld:
    """Regio Amersfoort, gemeente Soest: a consulent, the Centrale Toegang, a contract manager,
    an aanbieder with a P×Q contract and its API user; ``maak(n)`` adds n rows to every list."""

    def __init__(self):
        self.regio = regio("amersfoort")
        self.soest = gemeente(SOEST)
        self.consulent = consulent("qc-consulent", SOEST)
        self.ct = UserFactory(username="qc-ct")
        grant(self.ct, "centrale-toegang", regio="amersfoort")
        self.cm = UserFactory(username="qc-contractmanager")
        grant(self.cm, "contractmanager", regio="amersfoort")
        self.pxq = PerceelFactory(bekostiging="pxq")
        self.product = ProductFactory(
            perceel=self.pxq, soort="product", domein="begeleiding", productcategorie="02",
            productcode="02R01", eenheid="04",
        )  # fmt: skip
        bw = PerceelFactory(begin=D(2020, 1, 1))
        self.bw = ProductFactory(perceel=bw, naam="Beschermd wonen", code="bw")
        self.aanbieder = AanbiederFactory(naam="Huize Query")
        self.contract = ContractFactory(
            aanbieder=self.aanbieder, percelen=[self.pxq, bw], begin=D(2023, 1, 1),
            einde=VANDAAG + datetime.timedelta(days=400),
        )  # fmt: skip
        self.api_user = aanbiedersysteem(self.aanbieder, "qc-api")
        self.n = 0

    def maak(self, aantal: int):
        for _ in range(aantal):
            self.n += 1
            i = self.n
            dossier = dossier_in(SOEST)
            Persoon.objects.filter(client=dossier.client).update(geslachtsnaam=f"Jansen {i}")
            Melding.objects.create(
                dossier=dossier, ontvangen_op=VANDAAG - datetime.timedelta(days=10),
                hulpvraag="Hulp", consulent=self.consulent,
                volgende_termijn=VANDAAG + datetime.timedelta(days=i),
            )  # fmt: skip
            bp = beschikt_product(
                dossier, self.product, D(2025, 1, 1), D(2027, 12, 31), self.consulent,
                volume=Decimal("10"), eenheid="04", frequentie="2",
            )  # fmt: skip
            toewijzing = Toewijzing.objects.create(
                beschikt_product=bp, aanbieder=self.aanbieder, contract=self.contract,
                gemeente=self.soest, nummer=i, ingangsdatum=D(2025, 1, 1),
                einddatum=D(2027, 12, 31), volume=Decimal("10"), eenheid="04", frequentie="2",
            )  # fmt: skip
            declaratie = Declaratie.objects.create(
                aanbieder=self.aanbieder, gemeente=self.soest, nummer=f"Q{i}", bron="api"
            )
            Declaratieregel.objects.create(
                declaratie=declaratie, aanbieder=self.aanbieder, referentie=f"QR{i}",
                toewijzing=toewijzing, toewijzingnummer=i, productcategorie="02",
                productcode="02R01", periode_begin=D(2025, 3, 1), periode_einde=D(2025, 3, 31),
                volume=Decimal("10"), eenheid="04", tarief=Decimal("50.00"),
                bedrag=Decimal("500.00"), debet_credit="D", status="toegekend",
                retourcodes=["0200"],
            )  # fmt: skip
            Aanmelding.objects.create(
                regio=self.regio, dossier=dossier, client=dossier.client,
                aangemeld_op=VANDAAG - datetime.timedelta(days=60 + i),
                aangemeld_door=self.ct, functie=self.bw, status="wachtend",
                wachtend_sinds=VANDAAG - datetime.timedelta(days=50 + i),
                gemeente_herkomst=self.soest,
            )  # fmt: skip
            contract = ContractFactory(
                percelen=[self.pxq], begin=D(2023, 1, 1),
                einde=VANDAAG + datetime.timedelta(days=100 + i),
            )  # fmt: skip
            Rapportage.objects.create(contract=contract, jaar=VANDAAG.year, kwartaal=1)
            self.kenmerk = contract.kenmerk


def _web(wereld, user_attr):
    from django.test import Client

    client = Client()
    client.force_login(getattr(wereld, user_attr))
    return client


def _api(wereld):
    client = APIClient()
    client.force_authenticate(wereld.api_user)
    return client


LIJSTEN = {
    "werkvoorraad (team)": ("consulent", "/toegang/werkvoorraad/?tab=team"),
    "werkvoorraad (mijn)": ("consulent", "/toegang/werkvoorraad/"),
    "client search by name": ("consulent", "/toegang/clienten/zoeken/?naam=Jansen"),
    "declaraties page": ("consulent", "/toegang/declaraties/"),
    "wachtlijst": ("ct", "/toegang/wachtlijst/"),
    "contract dashboard": ("cm", "/inkoop/regio/amersfoort/dashboard/?alles=budget"),
    "API toewijzingen gewijzigdSinds": (
        "api", "/api/v1/toewijzingen/?gewijzigdSinds=2020-01-01T00:00:00Z"
    ),
    "API declaraties": ("api", "/api/v1/declaraties/"),
}  # fmt: skip

# What the newest row shows on the page (so the rows are really listed); the API lists are
# counted instead.
KENMERK = {
    "werkvoorraad (team)": lambda w: f"Jansen {w.n}",
    "werkvoorraad (mijn)": lambda w: f"Jansen {w.n}",
    "client search by name": lambda w: f"Jansen {w.n}",
    "declaraties page": lambda w: f"Q{w.n}",
    "wachtlijst": lambda w: f"Jansen {w.n}",
    "contract dashboard": lambda w: w.kenmerk,
}

# Lists that are not constant yet: the benchmark's fix round repairs the view, then the xfail
# (strict) goes.
NIET_CONSTANT: dict[str, str] = {}


def _aantal_queries(client, url, naam, wereld) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if naam in KENMERK:
        assert KENMERK[naam](wereld) in response.content.decode()
    else:
        data = response.json()
        rijen = data["results"] if isinstance(data, dict) else data
        assert len(rijen) == wereld.n
    return len(queries)


@pytest.mark.parametrize(
    "naam",
    [
        pytest.param(
            naam,
            marks=pytest.mark.xfail(strict=True, reason=NIET_CONSTANT[naam])
            if naam in NIET_CONSTANT
            else (),
        )
        for naam in LIJSTEN
    ],
)
def test_a_list_uses_as_many_queries_for_25_rows_as_for_5(refdata, naam):
    wereld = Wereld()
    wie, url = LIJSTEN[naam]
    client = _api(wereld) if wie == "api" else _web(wereld, wie)
    wereld.maak(5)
    client.get(url)  # warm-up: content types, session, first-use caches
    vijf = _aantal_queries(client, url, naam, wereld)
    wereld.maak(20)
    vijfentwintig = _aantal_queries(client, url, naam, wereld)
    assert vijf == vijfentwintig, f"{naam}: {vijf} queries with 5 rows, {vijfentwintig} with 25"
