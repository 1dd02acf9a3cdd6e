"""The Zorginstituut's case descriptions of iWmo 3.2 on start and stop of care ("Casusbeschrijvingen
bij de releases iWmo en iJw 3.2", cases 2, 3 and 4), each played through the JSON API and through
the iWmo XML import with the outcome the standard describes, and the stop rules they rest on
(OP072, OP155, OP377/OP378, TR413/TR414/TR415, OP033/OP033x2), each refusal with its WJ001
retourcode. Case 4 is written as Jeugdwet messages (JW305/JW307, 45A04): it is played with the
Wmo product 'Begeleiding individueel' of our catalogue. (Case 1, the verlenging of a toewijzing,
is the toewijzing service's.)"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from inkoop.models import Perceel, Product
from tests import scenarios
from tests.factories import ProductFactory, dossier_in
from tests.test_iwmo_xml import bericht, client_305
from toegang.models import Toewijzing, Zorgperiode
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer
from toegang.toewijzingen.services import Omvang

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST = "0342"
OK = ["0200"]


# --- the world of the cases ----------------------------------------------------------------------


def bouw_wereld():
    """Soest: a P×Q perceel since 2020 with Dagbesteding (07A12, dagdeel) and Begeleiding
    individueel (02R01, uur), Huize Eemland (AGB 75009001) under contract, its technical user."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-casus", SOEST), functie=None,
        product=dict(begeleiding=True, naam="Dagbesteding", productcategorie="07",
                     productcode="07A12", eenheid="16"),
        aanbieders=(dict(naam="Huize Eemland", agb_code="75009001"),),
        gemeenten=[SOEST], contract=dict(bekostiging="pxq", begin=D(2020, 1, 1)),
        systemen=("systeem-eemland",),
    )  # fmt: skip
    Perceel.objects.filter(pk=aanbod.pxq.pk).update(begin=D(2020, 1, 1))
    Product.objects.filter(pk=aanbod.product.pk).update(begin=D(2020, 1, 1))
    begeleiding = ProductFactory(perceel=aanbod.pxq, begeleiding=True, begin=D(2020, 1, 1))

    def toewijzing(product, bsn, nummer, ingang, einde, omvang):
        """The toewijzing of a case: the client with this BSN, its ToewijzingNummer."""
        dossier = dossier_in(SOEST, persoon__bsn=bsn)
        traject = aanbod.traject(
            product, aanbieder=aanbod.aanbieder, dossier=dossier, periode=(ingang, einde),
            omvang=omvang,
        )  # fmt: skip
        Toewijzing.objects.filter(pk=traject.toewijzing.pk).update(nummer=nummer)
        traject.toewijzing.refresh_from_db()
        return SimpleNamespace(t=traject.toewijzing, bsn=bsn)

    return SimpleNamespace(
        consulent=aanbod.consulent, systeem=aanbod.systeem, dagbesteding=aanbod.product,
        begeleiding=begeleiding, toewijzing=toewijzing,
    )  # fmt: skip


@pytest.fixture
def wereld(refdata):
    return bouw_wereld()


def casus_2(w):
    """Case 2: dagbesteding 6 dagdelen per week, 15-05-2023 to 31-12-2023, BSN 999996770."""
    return w.toewijzing(
        w.dagbesteding, "999996770", 668877, D(2023, 5, 15), D(2023, 12, 31),
        Omvang(Decimal("6"), "16", "2"),
    )  # fmt: skip


def casus_3(w):
    """Case 3: dagbesteding since 16-03-2020, BSN 999996782."""
    return w.toewijzing(
        w.dagbesteding, "999996782", 12563, D(2020, 3, 16), D(2023, 12, 31),
        Omvang(Decimal("6"), "16", "2"),
    )  # fmt: skip


def casus_4(w):
    """Case 4 (a JW case, 45A04 3 uur per week): Begeleiding individueel 3 uur per week,
    01-01-2023 to 30-06-2023, BSN 999900006."""
    return w.toewijzing(
        w.begeleiding, "999900006", 667899, D(2023, 1, 1), D(2023, 6, 30),
        Omvang(Decimal("3"), "04", "2"),
    )  # fmt: skip


def periode(c):
    """The current periods of a case's toewijzing: (begin, einde, reden, tijdelijke stop)."""
    return [
        (z.begindatum, z.einddatum, z.reden_beeindiging, z.einddatum_tijdelijke_stop)
        for z in Zorgperiode.objects.filter(toewijzing=c.t, verwijderd_op__isnull=True)
    ]


# --- the two ways in: each answers per record with its WJ001 retourcodes -------------------------


class Api:
    """The JSON API: one POST per record; the retourcodes of a refusal are in invalidParams."""

    naam = "api"

    def __init__(self, w):
        self.client = APIClient()
        self.client.force_authenticate(w.systeem)

    def _post(self, pad, body):
        response = self.client.post(pad, body, format="json")
        if response.status_code in (200, 201):
            return OK
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        return sorted({p["code"] for p in response.json()["invalidParams"]})

    def start(self, c, begindatum, status="1"):
        body = {"toewijzingNummer": c.t.nummer, "gemeente": SOEST, "statusAanlevering": status,
                "begindatum": begindatum.isoformat()}  # fmt: skip
        return self._post("/api/v1/start-zorg/", body)

    def stops(self, c, *stops):
        """Each (begindatum, einddatum, reden, status) posted in the given order."""
        return [
            self._post(
                "/api/v1/stop-zorg/",
                {
                    "toewijzingNummer": c.t.nummer,
                    "gemeente": SOEST,
                    "statusAanlevering": status,
                    "begindatum": begin.isoformat(),
                    "einddatum": eind.isoformat(),
                    "redenBeeindiging": reden,
                },
            )  # fmt: skip
            for begin, eind, reden, status in stops
        ]


def _product(c):
    bp = c.t.beschikt_product
    return [("Categorie", bp.productcategorie), ("Code", bp.product.productcode)]


class Xml:
    """The iWmo XML import: the records of one WMO305/WMO307 message, as an aanbieder's system
    builds it (tests/test_iwmo_xml.py)."""

    naam = "xml"

    def __init__(self, w):
        self.systeem = w.systeem

    def _importeer(self, inhoud):
        return [r["retourcodes"] for r in importeer(inhoud, user=self.systeem)]

    def start(self, c, begindatum, status="1"):
        product = ("StartProduct", [
            ("ToewijzingNummer", c.t.nummer), ("Product", _product(c)),
            ("ToewijzingIngangsdatum", c.t.ingangsdatum.isoformat()),
            ("Begindatum", begindatum.isoformat()), ("StatusAanlevering", status),
        ])  # fmt: skip
        [codes] = self._importeer(bericht("305", client_305(c.bsn, [product])))
        return codes

    def stops(self, c, *stops):
        """All (begindatum, einddatum, reden, status) in one WMO307, in the given order."""
        producten = [
            (
                "StopProduct",
                [
                    ("ToewijzingNummer", c.t.nummer),
                    ("Product", _product(c)),
                    ("ToewijzingIngangsdatum", c.t.ingangsdatum.isoformat()),
                    ("Begindatum", begin.isoformat()),
                    ("RedenBeeindiging", reden),
                    ("Einddatum", eind.isoformat()),
                    ("StatusAanlevering", status),
                ],
            )  # fmt: skip
            for begin, eind, reden, status in stops
        ]
        return self._importeer(bericht("307", client_305(c.bsn, producten, "StopProducten")))


@pytest.fixture(params=[Api, Xml], ids=["api", "xml"])
def kanaal(request, wereld):
    return request.param(wereld)


def stop(kanaal, c, begin, eind, reden, status="1"):
    """One stop in its own message (XML) or request (API): its retourcodes."""
    [codes] = kanaal.stops(c, (begin, eind, reden, status))
    return codes


# --- the cases -----------------------------------------------------------------------------------


@pytest.mark.iwmo_regel("OP072", "OP155", "OP377", "OP378", "TR414")
def test_casus_2_temporary_stop_then_definitive_stop_on_the_same_day(wereld, kanaal):
    """Case 2, "Van Levering via Tijdelijke Stopzorg naar Definitieve Stopzorg (gelijke
    einddatum)": started 17-05-2023, temporarily stopped 20-06-2023 (hospital, reden 20), then
    definitively stopped with the same einddatum (reden 23, the client goes to a nursing home):
    accepted without a new start; the care ran up to 20-06-2023."""
    c = casus_2(wereld)
    assert kanaal.start(c, D(2023, 5, 17)) == OK
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "20") == OK
    assert periode(c) == [(D(2023, 5, 17), D(2023, 6, 20), "20", None)]
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "23") == OK
    assert periode(c) == [(D(2023, 5, 17), D(2023, 6, 20), "23", D(2023, 6, 20))]
    assert Zorgperiode.objects.get(toewijzing=c.t).levering_tot == D(2023, 6, 20)


@pytest.mark.iwmo_regel("OP377", "OP378", "TR414")
def test_casus_3_temporary_stop_then_definitive_stop_later(wereld, kanaal):
    """Case 3, "Van Tijdelijke Stopzorg naar Definitieve Stopzorg (ongelijke einddatum)": care
    since 30-03-2020, temporarily stopped 07-06-2023, definitively stopped 29-06-2023 (the day it
    was known the client will not return): accepted; the care was delivered up to the temporary
    stop only, so nothing counts between 08-06 and 29-06."""
    c = casus_3(wereld)
    assert kanaal.start(c, D(2020, 3, 30)) == OK
    assert stop(kanaal, c, D(2020, 3, 30), D(2023, 6, 7), "20") == OK
    assert stop(kanaal, c, D(2020, 3, 30), D(2023, 6, 29), "23") == OK
    assert periode(c) == [(D(2020, 3, 30), D(2023, 6, 29), "23", D(2023, 6, 7))]
    assert Zorgperiode.objects.get(toewijzing=c.t).levering_tot == D(2023, 6, 7)


@pytest.mark.iwmo_regel("OP033", "OP033x2", "OP072", "OP155", "TR382")
def test_casus_4_correct_a_stop_by_deletion_and_new_delivery(wereld, kanaal):
    """Case 4, "Van levering via Stopzorg naar Corrigeren Stopzorg": started 05-01-2023, stopped
    17-06-2023 with the wrong reden (22); corrected by deleting that stop (StatusAanlevering 3)
    and delivering the right one (reden 19) — through the XML import in ONE message, through the
    API as two requests."""
    c = casus_4(wereld)
    assert kanaal.start(c, D(2023, 1, 5)) == OK
    assert stop(kanaal, c, D(2023, 1, 5), D(2023, 6, 17), "22") == OK
    correctie = kanaal.stops(
        c, (D(2023, 1, 5), D(2023, 6, 17), "22", "3"), (D(2023, 1, 5), D(2023, 6, 17), "19", "1")
    )
    assert correctie == [OK, OK]
    assert periode(c) == [(D(2023, 1, 5), D(2023, 6, 17), "19", None)]


@pytest.mark.iwmo_regel("OP033")
def test_a_correction_in_one_message_applies_its_deletion_first(wereld):
    """Case 4's correction message with the new stop before the deletion: the import applies
    the deletion first, so the correction is accepted all the same."""
    c = casus_4(wereld)
    xml = Xml(wereld)
    xml.start(c, D(2023, 1, 5))
    stop(xml, c, D(2023, 1, 5), D(2023, 6, 17), "22")
    correctie = xml.stops(
        c, (D(2023, 1, 5), D(2023, 6, 17), "19", "1"), (D(2023, 1, 5), D(2023, 6, 17), "22", "3")
    )
    assert correctie == [OK, OK]
    assert periode(c) == [(D(2023, 1, 5), D(2023, 6, 17), "19", None)]


# --- the stop rules behind the cases -------------------------------------------------------------


@pytest.mark.iwmo_regel("TR413", "OP378")
def test_a_second_temporary_stop_is_refused_9413(wereld, kanaal):
    """TR413: after a temporary stop, without a new start, only a definitive stop may follow."""
    c = casus_2(wereld)
    kanaal.start(c, D(2023, 5, 17))
    stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "20")
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 27), "20") == ["9413"]
    assert periode(c) == [(D(2023, 5, 17), D(2023, 6, 20), "20", None)]


@pytest.mark.iwmo_regel("TR414")
def test_a_definitive_stop_before_the_temporary_one_is_refused_9414(wereld, kanaal):
    """TR414: the definitive stop's einddatum is not before the temporary stop's."""
    c = casus_3(wereld)
    kanaal.start(c, D(2020, 3, 30))
    stop(kanaal, c, D(2020, 3, 30), D(2023, 6, 7), "20")
    assert stop(kanaal, c, D(2020, 3, 30), D(2023, 6, 6), "23") == ["9414"]
    assert periode(c) == [(D(2020, 3, 30), D(2023, 6, 7), "20", None)]


@pytest.mark.iwmo_regel("TR415", "OP377")
def test_no_stop_after_a_definitive_stop_9415(wereld, kanaal):
    """TR415: after a definitive stop no stop follows (neither temporary nor definitive), also
    not after a definitive stop that followed a temporary one."""
    c = casus_2(wereld)
    kanaal.start(c, D(2023, 5, 17))
    stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "20")
    stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "23")
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 30), "19") == ["9415"]
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 30), "20") == ["9415"]
    d = casus_4(wereld)
    kanaal.start(d, D(2023, 1, 5))
    stop(kanaal, d, D(2023, 1, 5), D(2023, 6, 17), "19")
    assert stop(kanaal, d, D(2023, 1, 5), D(2023, 6, 20), "20") == ["9415"]
    assert periode(d) == [(D(2023, 1, 5), D(2023, 6, 17), "19", None)]


@pytest.mark.iwmo_regel("OP155", "TR382")
def test_after_a_restart_the_stop_refers_to_the_last_start(wereld, kanaal):
    """OP155: a temporary stop, then a new start (allowed after a (temporary) stop): the
    definitive stop now refers to the new start; on the earlier start it is refused (9069)."""
    c = casus_2(wereld)
    kanaal.start(c, D(2023, 5, 17))
    stop(kanaal, c, D(2023, 5, 17), D(2023, 6, 20), "20")
    assert kanaal.start(c, D(2023, 7, 3)) == OK
    assert stop(kanaal, c, D(2023, 5, 17), D(2023, 7, 10), "23") == ["9069"]
    assert stop(kanaal, c, D(2023, 7, 3), D(2023, 7, 10), "23") == OK
    assert periode(c) == [
        (D(2023, 5, 17), D(2023, 6, 20), "20", None),
        (D(2023, 7, 3), D(2023, 7, 10), "23", None),
    ]


@pytest.mark.iwmo_regel("OP072", "TR382")
def test_a_stop_only_follows_a_start_9069(wereld, kanaal):
    """OP072: no stop without a start with its begindatum (the key, TR382)."""
    c = casus_4(wereld)
    assert stop(kanaal, c, D(2023, 1, 5), D(2023, 6, 17), "19") == ["9069"]
    kanaal.start(c, D(2023, 1, 5))
    assert stop(kanaal, c, D(2023, 1, 6), D(2023, 6, 17), "19") == ["9069"]
    assert periode(c) == [(D(2023, 1, 5), None, "", None)]


@pytest.mark.iwmo_regel("OP033")
def test_deleting_the_temporary_or_the_definitive_stop(wereld, kanaal):
    """A stop's key includes its reden (iWmo 3.2): deleting the definitive stop leaves the
    temporary one (and a definitive stop may follow again); deleting the temporary one leaves
    the definitive stop, the care then ran up to it; a stop that was not delivered cannot be
    deleted (9063)."""
    c = casus_3(wereld)
    begin = D(2020, 3, 30)
    kanaal.start(c, begin)
    stop(kanaal, c, begin, D(2023, 6, 7), "20")
    stop(kanaal, c, begin, D(2023, 6, 29), "23")
    assert stop(kanaal, c, begin, D(2023, 6, 29), "19", "3") == ["9063"]
    assert stop(kanaal, c, begin, D(2023, 6, 29), "23", "3") == OK
    assert periode(c) == [(begin, D(2023, 6, 7), "20", None)]
    assert stop(kanaal, c, begin, D(2023, 6, 30), "21") == OK
    assert stop(kanaal, c, begin, D(2023, 6, 7), "20", "3") == OK
    assert periode(c) == [(begin, D(2023, 6, 30), "21", None)]
    assert Zorgperiode.objects.get(toewijzing=c.t).levering_tot == D(2023, 6, 30)
    assert stop(kanaal, c, begin, D(2023, 6, 30), "21", "3") == OK
    assert periode(c) == [(begin, None, "", None)]


@pytest.mark.iwmo_regel("OP033x2")
def test_status_aanlevering_2_is_refused(wereld):
    """OP033x2: StatusAanlevering 2 (changed) does not exist for start and stop: the API
    refuses it at the field and says how to correct, the XML import refuses the message."""
    c = casus_4(wereld)
    client = Api(wereld).client
    response = client.post(
        "/api/v1/start-zorg/",
        {"toewijzingNummer": c.t.nummer, "gemeente": SOEST, "statusAanlevering": "2",
         "begindatum": "2023-01-05"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    [fout] = response.json()["invalidParams"]
    assert fout["name"] == "statusAanlevering"
    assert "OP033x2" in fout["reason"] and "verwijderen en opnieuw aanleveren" in fout["reason"]
    with pytest.raises(OngeldigBericht) as exc:
        Xml(wereld).start(c, D(2023, 1, 5), status="2")
    assert any("OP033x2" in f.melding for f in exc.value.fouten)
    assert periode(c) == []


@pytest.mark.iwmo_regel("OP377", "OP378")
def test_the_api_answer_and_the_toewijzing_page_show_the_temporary_stop(wereld, client):
    """After case 3's definitive stop the API answers the period with both stops, and the
    consulent's toewijzing page says the care was delivered up to the temporary stop."""
    c = casus_3(wereld)
    api = Api(wereld)
    api.start(c, D(2020, 3, 30))
    [_] = api.stops(c, (D(2020, 3, 30), D(2023, 6, 7), "20", "1"))
    response = api.client.post(
        "/api/v1/stop-zorg/",
        {"toewijzingNummer": c.t.nummer, "gemeente": SOEST, "statusAanlevering": "1",
         "begindatum": "2020-03-30", "einddatum": "2023-06-29", "redenBeeindiging": "23"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["einddatum"], data["redenBeeindiging"], data["einddatumTijdelijkeStop"]) == (
        "2023-06-29", "23", "2023-06-07",
    )  # fmt: skip
    client.force_login(wereld.consulent)
    html = client.get(f"/toegang/toewijzingen/{c.t.pk}/").content.decode()
    assert "na tijdelijke stop op 7-6-2023 (zorg geleverd tot die dag)" in html
