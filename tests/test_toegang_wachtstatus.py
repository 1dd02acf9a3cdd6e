"""Wachtstatus (issue 6): proactive updates to the client (letter) and the lokaal team (bericht
and notice) on every change on the waiting list and periodically while the client waits."""

import datetime
import importlib
import subprocess

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from regio.models import AuditEntry, Notificatie
from tests import scenarios
from tests.factories import (
    AanvraagFactory,
    MeldingFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    consulent,
    dossier_in,
    gemeente,
    grant,
    regio,
)
from toegang.models import Aanmelding, Adres, Wachtstatusbericht
from toegang.wachtlijst import services as ws
from toegang.wachtlijst import wachtstatus as wss

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
DAG = datetime.timedelta(days=1)


# --- setup: the shared waiting list (tests/scenarios.py) --------------------------------------


def bouw_opzet():
    """Regio Amersfoort with a BW perceel (BW, BT), one contracted aanbieder with a location, a
    CT member and a Soest consulent who registers the clients."""
    return scenarios.wachtlijst(
        ct="ct-ws",
        consulent=scenarios.consulent_van("consulent-soest-ws", "0342"),
        locaties=[
            dict(naam="De Linde", straat="Lindelaan", huisnummer="3", postcode="3761AA",
                 plaats="Soest", gemeente="0342", plaatsen=50),
        ],
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def aangemeld(opzet, sinds, door=None, gemeente_code="0342", consulent_melding=None):
    door = door or opzet.consulent
    melding = MeldingFactory(
        dossier=dossier_in(gemeente_code), ontvangen_op=sinds, hulpvraag="Wonen met begeleiding",
        consulent=consulent_melding or door,
    )  # fmt: skip
    return scenarios.aanmelding(
        opzet, gemeente_code, aangemeld_op=sinds, route="lokaal_team", door=door,
        dossier=melding.dossier, aanvraag=AanvraagFactory(melding=melding), functie=opzet.bw,
        overbruggingszorg="Ambulante begeleiding twee keer per week door het wijkteam.",
    )  # fmt: skip


def wachtend(opzet, sinds, **kwargs):
    return ws.op_wachtlijst(aangemeld(opzet, sinds, **kwargs), opzet.ct, sinds)


def per_ontvanger(berichten):
    return sorted((b.ontvanger, b.aanleiding) for b in berichten)


def bsn_van(a: Aanmelding) -> str:
    return a.dossier.client.persoon.bsn


# --- one bericht per ontvanger for each aanleiding; a rerun sends nothing ------------------------


def _reserveer(opzet, a):
    return ws.reserveren(a, opzet.locatie, opzet.ct, VANDAAG)


def _op_de_lijst(opzet, a):
    return None  # the client is on the list; nothing was sent before


def _gereserveerd(opzet, a):
    _reserveer(opzet, a)


def _vervallen(opzet, a):
    p = _reserveer(opzet, a)
    wss.bijwerken(a, VANDAAG)
    ws.vervallen(p, opzet.ct, VANDAAG)


def _geplaatst(opzet, a):
    p = _reserveer(opzet, a)
    ws.plaatsen(p, opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)


def _van_de_lijst(opzet, a):
    ws.van_de_lijst(a, opzet.ct, "wlz", VANDAAG)


def _functie(opzet, a):
    ws.functie_wijzigen(a, opzet.ct, opzet.bt, VANDAAG)


@pytest.mark.parametrize(
    ("actie", "aanleiding", "sleutel"),
    [
        (_op_de_lijst, "op_de_lijst", "op_de_lijst"),
        (_gereserveerd, "gereserveerd", "gereserveerd:"),
        (_vervallen, "gewijzigd", "vervallen:"),
        (_geplaatst, "geplaatst", "geplaatst"),
        (_van_de_lijst, "van_de_lijst", "van_de_lijst"),
        (_functie, "gewijzigd", "gewijzigd:"),
    ],
)
def test_each_aanleiding_sends_one_bericht_per_ontvanger_once(opzet, actie, aanleiding, sleutel):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    if actie is not _op_de_lijst:
        assert per_ontvanger(wss.bijwerken(a, VANDAAG)) == [
            ("client", "op_de_lijst"), ("lokaal_team", "op_de_lijst"),
        ]  # fmt: skip
    actie(opzet, a)
    nieuw = wss.bijwerken(a, VANDAAG)
    assert per_ontvanger(nieuw) == [("client", aanleiding), ("lokaal_team", aanleiding)]
    assert all(b.sleutel.startswith(sleutel) and b.datum == VANDAAG for b in nieuw)
    assert {b.wachtdagen for b in nieuw} == {5}
    # A rerun (the daily job, a redelivered task, the button) sends nothing.
    assert wss.bijwerken(a, VANDAAG) == []
    assert wss.versturen(VANDAAG)["client"] == 0
    assert wss.bijwerken(a, VANDAAG + DAG) == []
    assert Wachtstatusbericht.objects.filter(aanmelding=a, aanleiding=aanleiding).count() == 2


def test_client_letter_says_where_they_stand_norm_overbrugging_next_and_contact(opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    brief = next(b for b in wss.bijwerken(a, VANDAAG) if b.ontvanger == "client")
    tekst = brief.tekst
    assert "op de wachtlijst voor beschermd wonen" in tekst
    assert "Dat is nu 5 dagen" in tekst
    assert "geen wettelijke maximale wachttijd" in tekst and "niet langer dan 3 maanden" in tekst
    assert "Ambulante begeleiding twee keer per week" in tekst
    assert "Wat gebeurt er nu?" in tekst and "minstens elke 4 weken" in tekst
    assert "lokaal team van de gemeente Soest" in tekst and f"aanmelding: {a.pk}" in tekst
    assert bsn_van(a) not in tekst
    team = Wachtstatusbericht.objects.get(aanmelding=a, ontvanger="lokaal_team")
    assert bsn_van(a) not in team.tekst and a.dossier.client.persoon.geslachtsnaam not in team.tekst
    assert "5 dagen" in team.tekst and "Overbruggingszorg: Ambulante" in team.tekst


def test_a_bsn_typed_into_the_overbruggingszorg_never_reaches_a_letter(opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    Aanmelding.objects.filter(pk=a.pk).update(
        overbruggingszorg=f"Begeleiding (client {bsn_van(a)})"
    )
    for b in wss.bijwerken(a, VANDAAG):
        assert bsn_van(a) not in b.tekst and "*********" in b.tekst


def test_a_client_who_died_gets_no_letter_only_the_lokaal_team_is_told(opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    wss.bijwerken(a, VANDAAG)
    ws.van_de_lijst(a, opzet.ct, "overleden", VANDAAG)
    assert per_ontvanger(wss.bijwerken(a, VANDAAG)) == [("lokaal_team", "van_de_lijst")]
    assert wss.bijwerken(a, VANDAAG) == []
    assert not wss.te_versturen(VANDAAG).filter(pk=a.pk).exists()


def test_only_the_current_state_is_told_and_old_history_floods_nobody(opzet):
    # Placed before any run: the geplaatst letter only, not also "you are on the list".
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    ws.plaatsen(_reserveer(opzet, a), opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    assert per_ontvanger(wss.bijwerken(a, VANDAAG)) == [
        ("client", "geplaatst"), ("lokaal_team", "geplaatst"),
    ]  # fmt: skip
    # Left the list long ago (history from before this feature): no letter at all.
    oud = wachtend(opzet, D(2024, 1, 10))
    ws.van_de_lijst(oud, opzet.ct, "verhuisd", D(2024, 3, 1))
    assert wss.bijwerken(oud, VANDAAG) == []
    assert not wss.te_versturen(VANDAAG).filter(pk=oud.pk).exists()
    # Never on the list (still being assessed): nothing to tell.
    nieuw = aangemeld(opzet, VANDAAG)
    assert wss.bijwerken(nieuw, VANDAAG) == []


# --- the periodic rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("weken", [4, 3])
def test_periodic_bericht_at_the_regio_interval_not_a_day_before(opzet, weken):
    opzet.regio.wachtstatus_interval_weken = weken
    opzet.regio.save(update_fields=["wachtstatus_interval_weken"])
    a = wachtend(opzet, VANDAAG - 200 * DAG)
    p0 = VANDAAG - 60 * DAG
    # Waiting longer than the interval and nothing sent yet: a periodic bericht now.
    assert per_ontvanger(wss.bijwerken(a, p0)) == [
        ("client", "periodiek"), ("lokaal_team", "periodiek"),
    ]  # fmt: skip
    dag_ervoor = p0 + (7 * weken - 1) * DAG
    op_de_dag = p0 + 7 * weken * DAG
    assert not wss.te_versturen(dag_ervoor).filter(pk=a.pk).exists()
    assert wss.bijwerken(a, dag_ervoor) == []
    assert wss.te_versturen(op_de_dag).filter(pk=a.pk).exists()
    nieuw = wss.bijwerken(a, op_de_dag)
    assert per_ontvanger(nieuw) == [("client", "periodiek"), ("lokaal_team", "periodiek")]
    assert {b.wachtdagen for b in nieuw} == {(op_de_dag - a.wachtend_sinds).days}
    assert wss.bijwerken(a, op_de_dag) == []


def test_periodic_counts_from_the_last_status_bericht_and_also_while_a_place_is_reserved(opzet):
    a = wachtend(opzet, VANDAAG - 3 * DAG)
    wss.bijwerken(a, VANDAAG)  # op_de_lijst
    _reserveer(opzet, a)
    wss.bijwerken(a, VANDAAG)  # gereserveerd
    assert wss.bijwerken(a, VANDAAG + 27 * DAG) == []
    assert per_ontvanger(wss.bijwerken(a, VANDAAG + 28 * DAG)) == [
        ("client", "periodiek"), ("lokaal_team", "periodiek"),
    ]  # fmt: skip


def test_placed_client_gets_no_periodic_bericht(opzet):
    a = wachtend(opzet, VANDAAG - 3 * DAG)
    ws.plaatsen(_reserveer(opzet, a), opzet.ct, VANDAAG, crisis_reden=scenarios.CRISIS_REDEN)
    wss.bijwerken(a, VANDAAG)
    assert wss.bijwerken(a, VANDAAG + 200 * DAG) == []


def test_functie_changed_before_the_first_run_is_told_once_in_the_op_de_lijst_letter(opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    ws.functie_wijzigen(a, opzet.ct, opzet.bt, VANDAAG)
    nieuw = wss.bijwerken(a, VANDAAG)
    assert per_ontvanger(nieuw) == [("client", "op_de_lijst"), ("lokaal_team", "op_de_lijst")]
    assert "wachtlijst voor beschermd thuis" in nieuw[0].tekst
    assert wss.bijwerken(a, VANDAAG) == [] and not wss.te_versturen(VANDAAG).exists()


def test_each_regio_its_own_interval_in_one_run(opzet):
    groningen = regio("groningen")
    groningen.wachtstatus_interval_weken = 2
    groningen.save(update_fields=["wachtstatus_interval_weken"])
    ct_gron = UserFactory(username="ct-gron-interval")
    grant(ct_gron, "centrale-toegang", regio="groningen")
    functie = ProductFactory(
        perceel=PerceelFactory(regio=groningen, begin=D(2020, 1, 1)), naam="Beschermd wonen"
    )
    dossier = dossier_in("0014")
    g = ws.aanmelden(dossier, ct_gron, groningen, "crisis", VANDAAG - 300 * DAG)
    g = ws.beoordelen(g, ct_gron, functie, None, "crisis", "dakloos", gemeente("0014"))
    g = ws.op_wachtlijst(g, ct_gron, VANDAAG - 300 * DAG)
    a = wachtend(opzet, VANDAAG - 300 * DAG)
    p0 = VANDAAG - 100 * DAG
    assert wss.versturen(p0)["aanmeldingen"] == 2
    assert set(wss.te_versturen(p0 + 14 * DAG).values_list("pk", flat=True)) == {g.pk}
    assert wss.versturen(p0 + 14 * DAG)["aanmeldingen"] == 1
    assert set(wss.te_versturen(p0 + 28 * DAG).values_list("pk", flat=True)) == {a.pk, g.pk}
    # The Groningen CT (who registered it) gets the notice of their own client only.
    assert Notificatie.objects.filter(user=ct_gron).count() == 2
    assert not Notificatie.objects.filter(user=ct_gron, url__endswith=f"/{a.pk}/").exists()


# --- the notice to the lokaal team ---------------------------------------------------------------


def test_notice_reaches_the_registering_consulent_and_the_case_consulent(opzet):
    collega = consulent("collega-soest-ws", "0342")
    volger = consulent("volger-soest-ws", "0342")
    elders = consulent("elders-baarn-ws", "0308")
    a = wachtend(opzet, VANDAAG - 5 * DAG, consulent_melding=volger)
    UserFactory(username="niemand-ws")
    wss.bijwerken(a, VANDAAG)
    n = Notificatie.objects.get(user=opzet.consulent)
    assert n.url == reverse("toegang:aanmelding_detail", args=[a.pk])
    assert f"aanmelding {a.pk} (Soest)" in n.tekst and "op de wachtlijst" in n.tekst
    assert bsn_van(a) not in n.tekst and a.dossier.client.persoon.geslachtsnaam not in n.tekst
    assert Notificatie.objects.filter(user=volger).count() == 1
    # (The CT heard of the aanmelding itself at once: regio.notificaties, another soort.)
    wachtstatus = Notificatie.objects.filter(soort="wachtstatus")
    assert not wachtstatus.filter(user__in=[collega, elders, opzet.ct]).exists()
    wss.bijwerken(a, VANDAAG)
    assert wachtstatus.count() == 2


def test_no_notice_for_a_registrant_who_no_longer_sees_the_aanmelding(opzet):
    vertrokken = consulent("vertrokken-ws", "0342")
    a = wachtend(opzet, VANDAAG - 5 * DAG, door=vertrokken)
    vertrokken.roltoekenningen.all().delete()
    assert len(wss.bijwerken(a, VANDAAG)) == 2
    assert not Notificatie.objects.filter(user=vertrokken).exists()


# --- the set-based selection ---------------------------------------------------------------------


def _queries_van_versturen(peildatum):
    with CaptureQueriesContext(connection) as ctx:
        uitkomst = wss.versturen(peildatum)
    return len(ctx.captured_queries), uitkomst


def test_versturen_selects_set_based_query_count_flat_in_the_number_of_aanmeldingen(opzet):
    p = VANDAAG
    for _ in range(3):
        wachtend(opzet, p - 2 * DAG)
    drie, uitkomst = _queries_van_versturen(p)
    assert uitkomst["aanmeldingen"] == 3 and uitkomst["client"] == 3
    assert uitkomst["lokaal_team"] == 3
    for _ in range(30):
        wachtend(opzet, p - 2 * DAG)
    dertig, uitkomst = _queries_van_versturen(p)
    assert uitkomst["aanmeldingen"] == 30 and uitkomst["client"] == 30
    assert dertig == drie, (drie, dertig)
    assert Notificatie.objects.filter(user=opzet.consulent).count() == 33
    assert _queries_van_versturen(p)[1]["client"] == 0


def test_selection_matches_the_rule_per_aanmelding(opzet):
    """``te_versturen`` (SQL) selects exactly the aanmeldingen ``verschuldigd`` owes something."""
    p = VANDAAG
    oud = wachtend(opzet, p - 200 * DAG)  # periodic due
    vers = wachtend(opzet, p - 2 * DAG)  # op_de_lijst due
    klaar = wachtend(opzet, p - 2 * DAG)
    wss.bijwerken(klaar, p)  # nothing due any more
    gereserveerd = wachtend(opzet, p - 2 * DAG)
    wss.bijwerken(gereserveerd, p)
    _reserveer(opzet, gereserveerd)  # gereserveerd due
    gewijzigd = wachtend(opzet, p - 2 * DAG)
    wss.bijwerken(gewijzigd, p)
    ws.functie_wijzigen(gewijzigd, opzet.ct, opzet.bt, p)  # gewijzigd due
    weg = wachtend(opzet, p - 2 * DAG)
    wss.bijwerken(weg, p)
    ws.van_de_lijst(weg, opzet.ct, "ingetrokken", p)  # van_de_lijst due
    beoordeling = aangemeld(opzet, p)  # nothing
    geselecteerd = set(wss.te_versturen(p).values_list("pk", flat=True))
    alle = [oud, vers, klaar, gereserveerd, gewijzigd, weg, beoordeling]
    verwacht = {a.pk for a in wss._met_gegevens([a.pk for a in alle]) if wss.verschuldigd(a, p)}
    assert geselecteerd == verwacht == {
        oud.pk, vers.pk, gereserveerd.pk, gewijzigd.pk, weg.pk
    }  # fmt: skip
    uitkomst = wss.versturen(p)
    assert (uitkomst["aanmeldingen"], uitkomst["client"], uitkomst["lokaal_team"]) == (5, 5, 5)
    assert not wss.te_versturen(p).exists()


# --- screens: the berichten on the aanmelding page, the button, the PDF --------------------------


def test_consulent_sees_the_berichten_but_has_no_button(client, opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    wss.bijwerken(a, VANDAAG)
    client.force_login(opzet.consulent)
    pagina = client.get(reverse("toegang:aanmelding_detail", args=[a.pk]))
    html = pagina.content.decode()
    assert pagina.status_code == 200
    assert "Op de wachtlijst geplaatst" in html and "Lokaal team" in html
    assert reverse("toegang:wachtstatus_brief", args=[a.wachtstatusberichten.get(
        ontvanger="client").pk]) in html  # fmt: skip
    assert "Wachtstatus nu bijwerken" not in html
    bijwerken = reverse("toegang:wachtstatus_bijwerken", args=[a.pk])
    assert client.post(bijwerken).status_code == 404


def test_ct_button_sends_what_is_due_once(client, opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    client.force_login(opzet.ct)
    html = client.get(reverse("toegang:aanmelding_detail", args=[a.pk])).content.decode()
    assert "Wachtstatus nu bijwerken" in html and "Nog geen wachtstatusberichten" in html
    url = reverse("toegang:wachtstatus_bijwerken", args=[a.pk])
    assert client.get(url).status_code == 405
    antwoord = client.post(url, follow=True)
    assert "2 wachtstatusberichten verstuurd" in antwoord.content.decode()
    assert a.wachtstatusberichten.count() == 2
    assert "geen nieuw wachtstatusbericht" in client.post(url, follow=True).content.decode()
    assert a.wachtstatusberichten.count() == 2
    assert AuditEntry.objects.filter(
        actie="create", object_type="toegang.wachtstatusbericht", actor_id=opzet.ct.pk
    ).exists()


def pdf_tekst(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_pdf_letter_on_the_centrumgemeente_letterhead_with_waiting_days_and_no_bsn(client, opzet):
    a = wachtend(opzet, VANDAAG - 47 * DAG)
    Adres.objects.create(
        persoon=a.dossier.client.persoon, soort="01", straat="Kerkstraat", huisnummer="12",
        postcode="3761AB", plaats="Soest",
    )  # fmt: skip
    wss.bijwerken(a, VANDAAG)  # periodic (waiting longer than 4 weeks)
    brief = a.wachtstatusberichten.get(ontvanger="client")
    client.force_login(opzet.ct)
    antwoord = client.get(reverse("toegang:wachtstatus_brief", args=[brief.pk]))
    assert antwoord.status_code == 200 and antwoord["Content-Type"] == "application/pdf"
    assert antwoord["Content-Disposition"] == f'attachment; filename="wachtstatus-{brief.pk}.pdf"'
    tekst = pdf_tekst(antwoord.content)
    assert "Gemeente Amersfoort" in tekst  # the centrumgemeente, not Soest
    assert "47 dagen" in tekst and "Dat is nu 47 dagen" in " ".join(tekst.split())
    assert "geen wettelijke maximale wachttijd" in " ".join(tekst.split())
    assert a.dossier.client.persoon.geslachtsnaam in tekst
    assert "Kerkstraat 12 3761AB SOEST" in " ".join(tekst.split())
    assert bsn_van(a) not in tekst.replace(" ", "")
    assert AuditEntry.objects.filter(
        actie="export", object_type="toegang.wachtstatusbericht", object_ids=[str(brief.pk)]
    ).exists()


def test_pdf_scope_another_regio_and_the_team_bericht_answer_404(client, opzet):
    a = wachtend(opzet, VANDAAG - 5 * DAG)
    wss.bijwerken(a, VANDAAG)
    brief = a.wachtstatusberichten.get(ontvanger="client")
    team = a.wachtstatusberichten.get(ontvanger="lokaal_team")
    groningen = UserFactory(username="ct-groningen-ws")
    grant(groningen, "centrale-toegang", regio="groningen")
    client.force_login(groningen)
    assert client.get(reverse("toegang:wachtstatus_brief", args=[brief.pk])).status_code == 404
    assert client.post(reverse("toegang:wachtstatus_bijwerken", args=[a.pk])).status_code == 404
    baarn = consulent("consulent-baarn-ws", "0308")
    client.force_login(baarn)
    assert client.get(reverse("toegang:wachtstatus_brief", args=[brief.pk])).status_code == 404
    client.force_login(opzet.consulent)
    assert client.get(reverse("toegang:wachtstatus_brief", args=[brief.pk])).status_code == 200
    assert client.get(reverse("toegang:wachtstatus_brief", args=[team.pk])).status_code == 404
    assert AuditEntry.objects.filter(
        actie="view", resultaat="denied", object_type="toegang.wachtstatusbericht"
    ).exists()


# --- the daily job -------------------------------------------------------------------------------


def test_migration_schedules_the_daily_task_once_and_reverses(beat_schema):
    from django_celery_beat.models import PeriodicTask

    from toegang.wachtlijst.tasks import TASK_NAME

    migratie = importlib.import_module("toegang.migrations.0012_wachtstatus_plan")
    taak = PeriodicTask.objects.get(name=migratie.NAAM)
    assert taak.task == TASK_NAME == migratie.TASK and taak.enabled
    assert (taak.crontab.hour, taak.crontab.minute, str(taak.crontab.timezone)) == (
        "6", "30", "Europe/Amsterdam",
    )  # fmt: skip
    migratie.maak_taak(apps, None)
    assert PeriodicTask.objects.filter(name=migratie.NAAM).count() == 1
    migratie.verwijder_taak(apps, None)
    assert not PeriodicTask.objects.filter(name=migratie.NAAM).exists()
    migratie.maak_taak(apps, None)
    assert PeriodicTask.objects.filter(name=migratie.NAAM, task=TASK_NAME).count() == 1


def test_toegang_tasks_registers_the_task_with_celery():
    import toegang.tasks

    assert hasattr(toegang.tasks.wachtlijst, "wachtstatus_versturen")


def zonder_haak(monkeypatch, stap):
    """Do ``stap`` as if the hook after the change had not run (it is robust: when it fails, the
    daily job sends what is owed). In transactional tests the hook would run at commit."""
    with monkeypatch.context() as m:
        m.setattr(ws, "wachtstatus_na_wijziging", lambda *args, **kwargs: None)
        return stap()


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_each_bericht_once(refdata, monkeypatch):
    """The hook after a change, the button and the daily job at the same moment: the aanmelding
    row lock serialises them, so nobody fails on the unique sleutel and nothing is sent twice."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    opzet = bouw_opzet()
    a = zonder_haak(monkeypatch, lambda: wachtend(opzet, VANDAAG - 2 * DAG))
    start = Barrier(6)

    def run(i):
        try:
            start.wait()
            if i % 2:
                return len(wss.bijwerken(a.pk, VANDAAG))
            return wss.versturen(VANDAAG)["client"] + wss.versturen(VANDAAG)["lokaal_team"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(6) as pool:
        verstuurd = list(pool.map(run, range(6)))
    assert sum(verstuurd) == 2
    assert a.wachtstatusberichten.count() == 2
    assert Notificatie.objects.filter(user=opzet.consulent).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_in_a_real_celery_worker(refdata, celery_worker_thread, monkeypatch):
    from toegang.wachtlijst.tasks import TASK_NAME, wachtstatus_versturen

    assert TASK_NAME in celery_worker_thread.tasks
    opzet = bouw_opzet()
    a = zonder_haak(monkeypatch, lambda: wachtend(opzet, VANDAAG - 2 * DAG))
    resultaat = wachtstatus_versturen.delay(VANDAAG.isoformat()).get(timeout=30)
    assert resultaat == {
        "peildatum": VANDAAG.isoformat(), "aanmeldingen": 1, "client": 1, "lokaal_team": 1,
    }  # fmt: skip
    assert per_ontvanger(a.wachtstatusberichten.all()) == [
        ("client", "op_de_lijst"), ("lokaal_team", "op_de_lijst"),
    ]  # fmt: skip
    assert Notificatie.objects.filter(user=opzet.consulent).count() == 1
    assert wachtstatus_versturen.delay(VANDAAG.isoformat()).get(timeout=30)["client"] == 0


# --- the waiting-list services tell client and lokaal team after each change ------------------


def test_each_change_on_the_list_sends_its_wachtstatus_after_commit(
    opzet, django_capture_on_commit_callbacks
):
    a = aangemeld(opzet, VANDAAG - datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        ws.op_wachtlijst(a, opzet.ct, VANDAAG - datetime.timedelta(days=2))
    assert per_ontvanger(Wachtstatusbericht.objects.all()) == [
        ("client", "op_de_lijst"), ("lokaal_team", "op_de_lijst")
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        plaatsing = _reserveer(opzet, a)
    with django_capture_on_commit_callbacks(execute=True):
        ws.plaatsen(
            ws.bevestigen(plaatsing, opzet.ct),
            opzet.ct,
            VANDAAG,
            crisis_reden=scenarios.CRISIS_REDEN,
        )
    aanleidingen = Wachtstatusbericht.objects.filter(ontvanger="client").values_list(
        "aanleiding", flat=True
    )
    assert sorted(aanleidingen) == ["geplaatst", "gereserveerd", "op_de_lijst"]
    # (The placement itself is a notice of its own kind, at once: regio.notificaties.)
    wachtstatus = Notificatie.objects.filter(user=opzet.consulent, soort="wachtstatus")
    assert wachtstatus.count() == 3
