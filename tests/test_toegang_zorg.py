"""Start and stop of care (iWmo WMO305/WMO307): the service's checks, each refusal at its field,
several start/stop pairs, no overlap (also when only the database notices), corrections by
delete-then-redeliver, and the API (problem+json, 404 for another aanbieder's toewijzing,
idempotent replay)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from rest_framework.test import APIClient

from regio.models import AuditEntry
from tests import scenarios
from toegang.models import Zorgperiode
from toegang.toewijzingen import zorg as zorg_services
from toegang.toewijzingen.services import trek_in
from toegang.toewijzingen.zorg import start_zorg, stop_zorg, verwijder_start, verwijder_stop

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST = "0342"


def bouw_opzet():
    """Soest: a taakgericht BW functie beschikt for 2025, assigned 1-2-2025 to 31-12-2025 to
    Huize Eemland; De Brug Wonen is contracted too but has no toewijzing here."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-zorg", SOEST), gemeenten=[SOEST],
        systemen=("systeem-eemland", "systeem-brug"),
    )  # fmt: skip
    traject = aanbod.traject(aanbieder=aanbod.aanbieder, vanaf=D(2025, 2, 1))
    return SimpleNamespace(
        consulent=aanbod.consulent, systeem=aanbod.systeem, systeem_ander=aanbod.systeem_ander,
        bp=traject.bp, toewijzing=traject.toewijzing,
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def fout_bij(exc, veld):
    return " ".join(exc.value.message_dict.get(veld, []))


def start(opzet, dag, **kwargs):
    return start_zorg(opzet.toewijzing, dag, user=opzet.systeem, **kwargs)


def stop(opzet, begin, eind, reden="19"):
    return stop_zorg(opzet.toewijzing, begin, eind, reden, user=opzet.systeem)


def lopend(opzet):
    return list(
        Zorgperiode.objects.filter(toewijzing=opzet.toewijzing, verwijderd_op__isnull=True)
        .order_by("begindatum")
        .values_list("begindatum", "einddatum", "reden_beeindiging")
    )


# --- services ------------------------------------------------------------------------------------


def test_start_and_stop_make_one_period_and_are_audited(opzet):
    periode = start(opzet, D(2025, 2, 3), bron="xml")
    assert (periode.begindatum, periode.einddatum, periode.bron) == (D(2025, 2, 3), None, "xml")
    stop(opzet, D(2025, 2, 3), D(2025, 6, 30), "23")
    assert lopend(opzet) == [(D(2025, 2, 3), D(2025, 6, 30), "23")]
    acties = list(
        AuditEntry.objects.filter(object_type="toegang.zorgperiode")
        .order_by("pk")
        .values_list("actie", "actor_id")
    )
    assert acties == [("create", opzet.systeem.pk), ("change", opzet.systeem.pk)]


def test_the_start_lies_within_the_toewijzing(opzet):
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 1, 31))
    assert "vóór de ingangsdatum van toewijzing" in fout_bij(exc, "begindatum")
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2026, 1, 1))
    assert "na de einddatum van toewijzing" in fout_bij(exc, "begindatum")
    assert not Zorgperiode.objects.exists()


@pytest.mark.iwmo_regel("TR134")
def test_no_date_in_the_future(opzet, monkeypatch):
    monkeypatch.setattr(zorg_services.timezone, "localdate", lambda: D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 3, 2))
    assert "in de toekomst" in fout_bij(exc, "begindatum")
    start(opzet, D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 1), D(2025, 3, 2))
    assert "in de toekomst" in fout_bij(exc, "einddatum")


def test_a_withdrawn_toewijzing_takes_no_start_or_stop(opzet):
    start(opzet, D(2025, 2, 1))
    trek_in(opzet.consulent, opzet.toewijzing)
    opzet.toewijzing.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 2, 1), D(2025, 2, 1))
    assert "is ingetrokken" in fout_bij(exc, "toewijzing")
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 3, 1))
    assert "is ingetrokken" in fout_bij(exc, "toewijzing")


@pytest.mark.iwmo_regel("OP072", "TR018", "TR382")
def test_a_stop_names_an_existing_start_ends_after_it_with_a_reason(opzet):
    start(opzet, D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 2), D(2025, 4, 1))
    assert "geen start zorg met begindatum 02-03-2025" in fout_bij(exc, "begindatum")
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 1), D(2025, 2, 28))
    assert "vóór de startdatum" in fout_bij(exc, "einddatum")
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 1), D(2026, 1, 1))
    assert "na de einddatum van toewijzing" in fout_bij(exc, "einddatum")
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 1), D(2025, 4, 1), reden="99")
    assert "WMO588" in fout_bij(exc, "reden_beeindiging")
    assert lopend(opzet) == [(D(2025, 3, 1), None, "")]
    # A stop on the start day itself is a one-day period: legal.
    stop(opzet, D(2025, 3, 1), D(2025, 3, 1))
    assert lopend(opzet) == [(D(2025, 3, 1), D(2025, 3, 1), "19")]


@pytest.mark.iwmo_regel("OP289", "OP379", "TR074", "TR326")
def test_several_start_stop_pairs_but_no_overlap(opzet):
    start(opzet, D(2025, 3, 1))
    stop(opzet, D(2025, 3, 1), D(2025, 3, 31))
    start(opzet, D(2025, 5, 1))
    stop(opzet, D(2025, 5, 1), D(2025, 5, 31))
    start(opzet, D(2025, 6, 1))  # the day after the previous stop
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 3, 15))
    assert "overlapt de zorgperiode vanaf 01-03-2025 tot en met 31-03-2025" in fout_bij(
        exc, "begindatum"
    )
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 4, 1))  # open-ended: runs into May's period
    assert "overlapt de zorgperiode vanaf 01-05-2025" in fout_bij(exc, "begindatum")
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 6, 1))
    assert "al een start zorg met begindatum 01-06-2025" in fout_bij(exc, "begindatum")
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 6, 15))  # June's delivery was not stopped yet
    assert "nog niet gestopt" in fout_bij(exc, "begindatum")
    assert exc.value.error_dict["begindatum"][0].code == "9326"
    assert lopend(opzet) == [
        (D(2025, 3, 1), D(2025, 3, 31), "19"),
        (D(2025, 5, 1), D(2025, 5, 31), "19"),
        (D(2025, 6, 1), None, ""),
    ]


def test_the_database_backs_the_overlap_check_with_a_dutch_error(opzet, monkeypatch):
    start(opzet, D(2025, 3, 1))
    # As if a concurrent delivery slipped past the check: PostgreSQL's exclusion constraint.
    monkeypatch.setattr(zorg_services, "_overlappend", lambda *a, **k: None)
    with pytest.raises(ValidationError) as exc:
        start(opzet, D(2025, 4, 1))
    assert "overlapt een andere zorgperiode" in fout_bij(exc, "begindatum")
    assert lopend(opzet) == [(D(2025, 3, 1), None, "")]


@pytest.mark.iwmo_regel("OP033", "TR071", "IV008")
def test_no_change_in_place_correct_by_delete_then_redeliver(opzet):
    start(opzet, D(2025, 3, 1))
    stop(opzet, D(2025, 3, 1), D(2025, 3, 31))
    with pytest.raises(ValidationError) as exc:
        stop(opzet, D(2025, 3, 1), D(2025, 4, 30))
    assert "al gestopt op 31-03-2025" in fout_bij(exc, "einddatum")
    assert "verwijder eerst de stop" in fout_bij(exc, "einddatum")
    # Deleting the start of a stopped period is refused: the stop goes first.
    with pytest.raises(ValidationError) as exc:
        verwijder_start(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert "verwijder eerst de stop" in fout_bij(exc, "begindatum")

    verwijder_stop(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert lopend(opzet) == [(D(2025, 3, 1), None, "")]
    stop(opzet, D(2025, 3, 1), D(2025, 4, 30), "21")
    assert lopend(opzet) == [(D(2025, 3, 1), D(2025, 4, 30), "21")]

    # A wrong start: delete stop and start, deliver the right start.
    verwijder_stop(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    verwijderd = verwijder_start(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert verwijderd.verwijderd_op is not None
    start(opzet, D(2025, 3, 1))  # the same key may be delivered anew
    assert lopend(opzet) == [(D(2025, 3, 1), None, "")]
    assert Zorgperiode.objects.filter(toewijzing=opzet.toewijzing).count() == 2  # kept
    assert AuditEntry.objects.filter(object_type="toegang.zorgperiode", actie="delete").exists()


@pytest.mark.iwmo_regel("TR063")
def test_deletes_name_what_they_delete(opzet):
    with pytest.raises(ValidationError) as exc:
        verwijder_start(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert "geen start zorg met begindatum 01-03-2025" in fout_bij(exc, "begindatum")
    start(opzet, D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        verwijder_stop(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert "geen stop" in fout_bij(exc, "einddatum")


def test_deleting_a_stop_may_not_make_periods_overlap(opzet):
    start(opzet, D(2025, 3, 1))
    stop(opzet, D(2025, 3, 1), D(2025, 3, 31))
    start(opzet, D(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        verwijder_stop(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem)
    assert "vanaf 01-05-2025: verwijder eerst die" in fout_bij(exc, "einddatum")
    assert lopend(opzet)[0] == (D(2025, 3, 1), D(2025, 3, 31), "19")


def test_another_aanbieders_system_may_not_report_care(opzet):
    # Another aanbieder's toewijzing is invisible to its system: not found.
    with pytest.raises(Http404):
        start_zorg(opzet.toewijzing, D(2025, 3, 1), user=opzet.systeem_ander)
    assert not Zorgperiode.objects.exists()


# --- API -----------------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(opzet, **kwargs):
    return {
        "toewijzingNummer": opzet.toewijzing.nummer,
        "gemeente": SOEST,
        "statusAanlevering": "1",
        **kwargs,
    }


def invalid(response):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return {p["name"]: p["reason"] for p in response.json()["invalidParams"]}


def test_api_start_stop_and_deletes(opzet):
    client = api(opzet.systeem)
    response = client.post(
        "/api/v1/start-zorg/", body(opzet, begindatum="2025-03-01"), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["toewijzingNummer"] == opzet.toewijzing.nummer and data["gemeente"] == SOEST
    assert (data["begindatum"], data["einddatum"], data["verwijderdOp"]) == (
        "2025-03-01", None, None,
    )  # fmt: skip

    stop_body = body(opzet, begindatum="2025-03-01", einddatum="2025-03-31", redenBeeindiging="19")
    response = client.post("/api/v1/stop-zorg/", stop_body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["einddatum"], response.json()["redenBeeindiging"]) == (
        "2025-03-31", "19",
    )  # fmt: skip

    # A second stop: refused at its field; delete the stop first (status 3), then redeliver.
    again = {**stop_body, "einddatum": "2025-04-30"}
    assert (
        "verwijder eerst de stop"
        in invalid(client.post("/api/v1/stop-zorg/", again, format="json"))["einddatum"]
    )
    delete = body(opzet, begindatum="2025-03-01", statusAanlevering="3")
    response = client.post("/api/v1/stop-zorg/", delete, format="json")
    assert response.status_code == 200 and response.json()["einddatum"] is None
    assert client.post("/api/v1/stop-zorg/", again, format="json").status_code == 201
    assert lopend(opzet) == [(D(2025, 3, 1), D(2025, 4, 30), "19")]

    client.post("/api/v1/stop-zorg/", delete, format="json")
    response = client.post("/api/v1/start-zorg/", delete, format="json")
    assert response.status_code == 200 and response.json()["verwijderdOp"] is not None
    assert lopend(opzet) == []


def test_api_refusals_name_the_field(opzet):
    client = api(opzet.systeem)
    fouten = invalid(
        client.post("/api/v1/start-zorg/", body(opzet, begindatum="2025-01-15"), format="json")
    )
    assert "vóór de ingangsdatum" in fouten["begindatum"]
    client.post("/api/v1/start-zorg/", body(opzet, begindatum="2025-03-01"), format="json")
    assert (
        "nog niet gestopt"
        in invalid(
            client.post("/api/v1/start-zorg/", body(opzet, begindatum="2025-04-01"), format="json")
        )["begindatum"]
    )
    stop_body = body(opzet, begindatum="2025-03-01", einddatum="2025-03-31", redenBeeindiging="77")
    assert (
        "WMO588"
        in invalid(client.post("/api/v1/stop-zorg/", stop_body, format="json"))["redenBeeindiging"]
    )
    fouten = invalid(
        client.post("/api/v1/stop-zorg/", body(opzet, begindatum="2025-03-01"), format="json")
    )
    assert set(fouten) == {"einddatum", "redenBeeindiging"}
    assert "statusAanlevering" in invalid(
        client.post(
            "/api/v1/start-zorg/",
            body(opzet, begindatum="2025-03-01", statusAanlevering="2"),
            format="json",
        )
    )
    trek_in(opzet.consulent, opzet.toewijzing)
    assert (
        "ingetrokken"
        in invalid(
            client.post("/api/v1/start-zorg/", body(opzet, begindatum="2025-06-01"), format="json")
        )["toewijzingNummer"]
    )


def test_api_another_aanbieders_toewijzing_answers_404(opzet):
    client = api(opzet.systeem_ander)
    for pad, extra in (
        ("/api/v1/start-zorg/", {"begindatum": "2025-03-01"}),
        ("/api/v1/stop-zorg/", {"begindatum": "2025-03-01", "einddatum": "2025-03-31",
                                "redenBeeindiging": "19"}),
    ):  # fmt: skip
        response = client.post(pad, body(opzet, **extra), format="json")
        assert response.status_code == 404, response.content
        assert response["Content-Type"].startswith("application/problem+json")
    unknown = body(opzet, begindatum="2025-03-01", toewijzingNummer=999)
    assert api(opzet.systeem).post("/api/v1/start-zorg/", unknown, format="json").status_code == 404
    assert not Zorgperiode.objects.exists()


def test_api_start_is_idempotent_with_a_key(opzet):
    client = api(opzet.systeem)
    data = body(opzet, begindatum="2025-03-01")
    first = client.post("/api/v1/start-zorg/", data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/start-zorg/", data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Zorgperiode.objects.count() == 1


def test_api_needs_the_capability(opzet):
    response = api(opzet.consulent).post(
        "/api/v1/start-zorg/", body(opzet, begindatum="2025-03-01"), format="json"
    )
    assert response.status_code == 403
    assert api(opzet.systeem).get("/api/v1/start-zorg/").status_code == 405


def test_toewijzing_detail_shows_the_zorgperioden(opzet, client):
    start(opzet, D(2025, 3, 1))
    stop(opzet, D(2025, 3, 1), D(2025, 3, 31), "23")
    start(opzet, D(2025, 5, 1))
    verwijder_start(opzet.toewijzing, D(2025, 5, 1), user=opzet.systeem)
    client.force_login(opzet.consulent)
    response = client.get(f"/toegang/toewijzingen/{opzet.toewijzing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zorgperioden" in html
    assert (
        "1-3-2025" in html and "31-3-2025" in html and "23 Levering is in overeenstemming" in html
    )
    assert "Verwijderd op" in html


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_leave_no_overlap(refdata):
    """Four starts on one toewijzing at once (each open-ended, so any two overlap): the row lock
    lets exactly one through; the others are told why."""
    import threading

    from django.db import connection

    opzet = bouw_opzet()
    start_ = threading.Barrier(4)
    gelukt, fouten = [], []

    def meld(dag):
        try:
            start_.wait(timeout=10)
            gelukt.append(start(opzet, dag).begindatum)
        except ValidationError as exc:
            fouten.append(" ".join(exc.message_dict["begindatum"]))
        finally:
            connection.close()

    dagen = [D(2025, 3, d) for d in (1, 5, 9, 13)]
    threads = [threading.Thread(target=meld, args=(dag,)) for dag in dagen]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(gelukt) == 1 and len(fouten) == 3, (gelukt, fouten)
    # Later days meet a delivery not stopped yet (TR326), earlier ones a period running over them.
    assert all("overlapt" in f or "nog niet gestopt" in f for f in fouten)
    assert lopend(opzet) == [(gelukt[0], None, "")]
