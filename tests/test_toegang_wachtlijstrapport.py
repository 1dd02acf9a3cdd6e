"""The waiting-list report (DOMAIN.md "The waiting-list report"): the invariant over a generated
24-month history, hand-computed percentiles and norm, a functie change, stability of a past month,
the monthly schedule, the job in a real Celery worker, the command, and the screen's scoping."""

import calendar
import datetime
import io
import random
import subprocess
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.urls import include, path

import config.urls
import toegang.urls
from demo import inkoop as inkoop_demo
from demo.wachtlijst import geschiedenis
from inkoop.models import Product
from regio.models import JobRun, Regio
from tests.factories import UserFactory, dossier_in, grant
from tests.wachten import wait_for
from toegang.models import Aanmelding, Wachtlijstgebeurtenis
from toegang.wachtlijst import rapport as wachtlijstrapport
from toegang.wachtlijst.tasks import SOORT, start_maandrapporten
from toegang.wachtlijst.views import rapport as rapport_views

D = datetime.date

# Until toegang/urls.py joins the report screen, this module serves as the URL conf with it.
_bekend = {p.name for p in toegang.urls.urlpatterns}
_erbij = [p for p in rapport_views.urlpatterns if p.name not in _bekend]
urlpatterns = [
    path("toegang/", include(([*toegang.urls.urlpatterns, *_erbij], "toegang")))
    if getattr(p, "app_name", None) == "toegang"
    else p
    for p in config.urls.urlpatterns
]


@pytest.fixture
def rapport_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()


def functie(code: str) -> Product:
    return Product.objects.get(perceel__code="wmo-begeleiding-en-beschermd-wonen", code=code)


def amersfoort() -> Regio:
    return Regio.objects.get(code="amersfoort")


def aanmelding(sinds: D, code="beschermd-wonen", gemeente="0307", herkomst="0307"):
    dossier = dossier_in(gemeente)
    door = UserFactory(username="ct-test")
    from regio.models import Gemeente

    return Aanmelding.objects.create(
        regio=amersfoort(),
        dossier=dossier,
        client=dossier.client,
        aangemeld_op=sinds,
        aangemeld_door=door,
        functie=functie(code),
        gemeente_herkomst=Gemeente.objects.get(code=herkomst) if herkomst else None,
        status=Aanmelding.Status.WACHTEND,
        wachtend_sinds=sinds,
    )


def event(a: Aanmelding, soort: str, datum: D, reden="", code=None):
    return Wachtlijstgebeurtenis.objects.create(
        aanmelding=a,
        regio=a.regio,
        client=a.client,
        functie=functie(code) if code else a.functie,
        gemeente_herkomst=a.gemeente_herkomst,
        soort=soort,
        reden=reden,
        datum=datum,
        wachtend_sinds=a.wachtend_sinds,
    )


def op_de_lijst(sinds: D, **kwargs) -> Aanmelding:
    a = aanmelding(sinds, **kwargs)
    event(a, "instroom", sinds)
    return a


def plus_kalendermaanden(dag: D, n: int) -> D:
    """PostgreSQL's date + interval 'n months': the same day, or the month's last day."""
    eerste = wachtlijstrapport.plus_maanden(dag.replace(day=1), n)
    return eerste.replace(day=min(dag.day, calendar.monthrange(eerste.year, eerste.month)[1]))


def regels_per(regels, maand):
    return {(r.functie, r.gemeente_herkomst): r for r in regels if r.maand == maand}


@pytest.mark.django_db
def test_invariant_holds_for_every_row_of_a_24_month_history(catalogus):
    eind = D(2025, 6, 20)
    aantal = geschiedenis(random.Random(7), "amersfoort", maanden=24, eind=eind)
    assert aantal > 200
    regels = wachtlijstrapport.bereken(amersfoort(), D(2023, 7, 1), D(2025, 6, 1))
    maanden = sorted({r.maand for r in regels})
    assert len(maanden) == 24 and maanden[0] == "2023-07" and maanden[-1] == "2025-06"
    for r in regels:
        assert r.stand_begin + r.instroom - r.uitstroom == r.stand_eind, r
        assert r.stand_begin >= 0 and r.stand_eind >= 0, r
        assert 0 <= r.aantal_boven_norm <= r.stand_eind, r
    # Each month's stand_begin is the previous month's stand_eind (a missing row is zero).
    per_groep = defaultdict(dict)
    for r in regels:
        per_groep[(r.functie, r.gemeente_herkomst)][r.maand] = r
    for rijen in per_groep.values():
        for vorige, maand in zip(maanden, maanden[1:], strict=False):
            eind_vorige = rijen[vorige].stand_eind if vorige in rijen else 0
            begin_nu = rijen[maand].stand_begin if maand in rijen else 0
            assert begin_nu == eind_vorige, (maand, rijen.get(maand))
    # Independently, from the events in Python: who waits on each peildatum, per group.
    events = list(
        Wachtlijstgebeurtenis.objects.values_list(
            "aanmelding_id", "functie__code", "gemeente_herkomst__code", "soort", "datum",
            "wachtend_sinds",
        )
    )  # fmt: skip
    for maand in maanden:
        peil = wachtlijstrapport.plus_maanden(D(*map(int, maand.split("-")), 1), 1)
        peil -= datetime.timedelta(days=1)
        saldo, sinds = defaultdict(int), {}
        for aanmelding_id, code, herkomst, soort, datum, wachtend_sinds in events:
            if datum <= peil:
                key = (aanmelding_id, code, herkomst or "onbekend")
                saldo[key] += 1 if soort == "instroom" else -1
                sinds[key] = wachtend_sinds
        verwacht = defaultdict(lambda: [0, 0, None])
        for key, n in saldo.items():
            if n > 0:
                groep = verwacht[key[1:]]
                groep[0] += 1
                if plus_kalendermaanden(sinds[key], 3) < peil:
                    groep[1] += 1
                groep[2] = max(groep[2] or 0, (peil - sinds[key]).days)
        rijen = regels_per(regels, maand)
        for groep, (aantal, boven, langste) in verwacht.items():
            rij = rijen[groep]
            assert rij.stand_eind == aantal, (maand, groep)
            assert rij.langste_wachttijd_dagen == langste, (maand, groep)
            assert rij.aantal_boven_norm == boven, (maand, groep)
        assert sum(r.stand_eind for r in rijen.values()) == sum(a for a, _, _ in verwacht.values())
    # At the seed's scale: a list of about 50-60 that neither empties nor explodes.
    for maand in maanden:
        rijen = [r for r in regels if r.maand == maand]
        stand = sum(r.stand_eind for r in rijen)
        assert 40 <= stand <= 75, (maand, stand)
        uit = sum(r.uitstroom - r.uitstroom_anders for r in rijen)
        assert uit <= 10, (maand, uit)
    # The list at the end is what the aanmeldingen say.
    laatste = sum(r.stand_eind for r in regels if r.maand == "2025-06")
    assert laatste == Aanmelding.objects.filter(regio=amersfoort(), status="wachtend").count()
    assert {r.functie for r in regels} == {
        "beschermd-wonen",
        "beschermd-thuis",
        "stabilisatie-en-observatie",
    }
    assert sum(r.uitstroom_geplaatst for r in regels) > sum(r.uitstroom_wlz for r in regels) > 0


@pytest.mark.django_db
def test_waiting_times_and_norm_match_a_hand_computed_case(catalogus):
    # Four placed in March 2025 after 10, 20, 30 and 40 days.
    for dagen in (10, 20, 30, 40):
        a = op_de_lijst(D(2025, 3, 20) - datetime.timedelta(days=dagen))
        event(a, "uitstroom", D(2025, 3, 20), reden="geplaatst")
    # Still waiting on 31 March: since 30 Dec (over the 3-month norm: 30 Mar < 31 Mar), since
    # 1 Jan (1 Apr is not before 31 Mar) and since 15 Mar.
    for sinds in (D(2024, 12, 30), D(2025, 1, 1), D(2025, 3, 15)):
        op_de_lijst(sinds)
    # Herkomst unknown: its own row "onbekend".
    op_de_lijst(D(2025, 3, 2), herkomst=None)

    regels = wachtlijstrapport.bereken(amersfoort(), D(2025, 3, 1), D(2025, 3, 1))
    rij = regels_per(regels, "2025-03")[("beschermd-wonen", "0307")]
    # On 1 March: those placed after 20, 30 and 40 days (since 28 Feb, 18 Feb, 8 Feb) and the
    # two waiting since December and January; in March: the one since 10 Mar and 15 Mar.
    assert (rij.stand_begin, rij.instroom) == (5, 2)
    assert rij.uitstroom_geplaatst == 4 and rij.stand_eind == 3
    assert rij.wachttijd_mediaan_dagen == 25.0
    assert rij.wachttijd_p90_dagen == pytest.approx(37.0)  # 30 + 0.7 * (40 - 30)
    assert rij.aantal_boven_norm == 1
    assert rij.langste_wachttijd_dagen == (D(2025, 3, 31) - D(2024, 12, 30)).days == 91
    onbekend = regels_per(regels, "2025-03")[("beschermd-wonen", "onbekend")]
    assert (onbekend.instroom, onbekend.stand_eind, onbekend.wachttijd_mediaan_dagen) == (
        1,
        1,
        None,
    )
    assert onbekend.langste_wachttijd_dagen == 29 and onbekend.aantal_boven_norm == 0

    csv_text = wachtlijstrapport.als_csv(wachtlijstrapport.rapport(amersfoort(), D(2025, 3, 1), 1))
    assert "2025-03,beschermd-wonen,0307,5,2,4,0,0,0,0,0,3,25,37,1,91" in csv_text.splitlines()
    assert "2025-03,beschermd-wonen,onbekend,0,1,0,0,0,0,0,0,1,,,0,29" in csv_text.splitlines()

    # The norm is the regio's setting: with 4 months nobody is over it.
    Regio.objects.filter(pk=amersfoort().pk).update(wachtlijst_norm_maanden=4)
    regels = wachtlijstrapport.bereken(amersfoort(), D(2025, 3, 1), D(2025, 3, 1))
    assert regels_per(regels, "2025-03")[("beschermd-wonen", "0307")].aantal_boven_norm == 0


@pytest.mark.django_db
def test_functie_change_while_waiting_is_uitstroom_anders_plus_instroom(catalogus):
    a = op_de_lijst(D(2025, 1, 10))
    event(a, "uitstroom", D(2025, 2, 5), reden="anders")
    event(a, "instroom", D(2025, 2, 5), code="beschermd-thuis")
    regels = wachtlijstrapport.bereken(amersfoort(), D(2025, 1, 1), D(2025, 5, 1))
    feb = regels_per(regels, "2025-02")
    bw, bt = feb[("beschermd-wonen", "0307")], feb[("beschermd-thuis", "0307")]
    assert (bw.stand_begin, bw.uitstroom_anders, bw.uitstroom, bw.stand_eind) == (1, 1, 1, 0)
    assert (bt.stand_begin, bt.instroom, bt.stand_eind) == (0, 1, 1)
    # The wait keeps counting from the original registration: over the norm in May.
    mei = regels_per(regels, "2025-05")
    assert ("beschermd-wonen", "0307") not in mei
    assert mei[("beschermd-thuis", "0307")].aantal_boven_norm == 1
    assert (
        mei[("beschermd-thuis", "0307")].langste_wachttijd_dagen
        == (D(2025, 5, 31) - D(2025, 1, 10)).days
    )


@pytest.mark.django_db
def test_report_for_a_past_month_is_unchanged_after_later_events(catalogus):
    geschiedenis(random.Random(3), "amersfoort", maanden=6, eind=D(2025, 6, 30))
    before = wachtlijstrapport.als_csv(wachtlijstrapport.rapport(amersfoort(), D(2025, 4, 1), 3))
    wachtend = Aanmelding.objects.filter(regio=amersfoort(), status="wachtend")[:5]
    for a in wachtend:
        event(a, "uitstroom", D(2025, 7, 3), reden="geplaatst")
    op_de_lijst(D(2025, 7, 4))
    after = wachtlijstrapport.als_csv(wachtlijstrapport.rapport(amersfoort(), D(2025, 4, 1), 3))
    assert after == before and before.count("\n") > 3
    juli = wachtlijstrapport.bereken(amersfoort(), D(2025, 7, 1), D(2025, 7, 1))
    assert sum(r.uitstroom_geplaatst for r in juli) == 5


@pytest.mark.django_db
def test_the_report_reads_only_inside_the_scope(catalogus):
    op_de_lijst(D(2025, 3, 2))
    gron = UserFactory(username="ct-gron-scope")
    grant(gron, "centrale-toegang", regio="groningen")
    ct = UserFactory(username="ct-amf-scope")
    grant(ct, "centrale-toegang", regio="amersfoort")
    assert wachtlijstrapport.bereken(amersfoort(), D(2025, 3, 1), D(2025, 3, 1), gron) == []
    assert len(wachtlijstrapport.bereken(amersfoort(), D(2025, 3, 1), D(2025, 3, 1), ct)) == 1
    groningen_scope = Regio.objects.get(code="groningen")
    from regio.query import regio_scope

    scope = regio_scope(groningen_scope.pk)
    assert wachtlijstrapport.bereken(amersfoort(), D(2025, 3, 1), D(2025, 3, 1), scope) == []


@pytest.mark.django_db
def test_monthly_beat_schedule_exists_and_starts_a_system_run_per_regio(catalogus, beat_schema):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="toegang.wachtlijstrapport_maandelijks")
    assert task.enabled and task.crontab.day_of_month == "1" and task.crontab.hour == "5"
    assert task.crontab.minute == "0" and str(task.crontab.timezone) == "Europe/Amsterdam"

    op_de_lijst(D(2025, 3, 2))
    gestart = start_maandrapporten(D(2025, 4, 1))
    run = JobRun.objects.get(pk__in=gestart)
    assert run.soort == SOORT and run.regio == amersfoort() and run.gestart_door is None
    assert run.parameters == {"regio_id": amersfoort().pk, "maand": "2025-03", "maanden": 12}
    # A redelivered task starts nothing twice.
    assert start_maandrapporten(D(2025, 4, 1)) == []


@pytest.mark.django_db
def test_command_writes_the_csv_header(catalogus, tmp_path):
    op_de_lijst(D(2025, 3, 2))
    out = io.StringIO()
    call_command("wachtlijstrapport", "--regio", "amersfoort", "--maand", "2025-03", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "maand,functie,gemeente_herkomst,stand_begin,instroom,uitstroom_geplaatst,"
        "uitstroom_ingetrokken,uitstroom_wlz,uitstroom_verhuisd,uitstroom_overleden,"
        "uitstroom_anders,stand_eind,wachttijd_mediaan_dagen,wachttijd_p90_dagen,"
        "aantal_boven_norm,langste_wachttijd_dagen"
    )
    assert lines[1:] == ["2025-03,beschermd-wonen,0307,0,1,0,0,0,0,0,0,1,,,0,29"]
    pdf = tmp_path / "rapport.pdf"
    call_command(
        "wachtlijstrapport", "--regio", "amersfoort", "--maand", "2025-03",
        "--format", "pdf", "--output", str(pdf), stderr=io.StringIO(),
    )  # fmt: skip
    assert pdf.read_bytes().startswith(b"%PDF")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="JJJJ-MM"):
        call_command("wachtlijstrapport", "--regio", "amersfoort", "--maand", "maart")
    with pytest.raises(CommandError, match="Onbekende regio"):
        call_command("wachtlijstrapport", "--regio", "nergens", "--maand", "2025-03")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_real_worker_with_progress_csv_and_pdf(
    client, catalogus, rapport_urls, celery_worker_thread, tmp_path
):
    geschiedenis(random.Random(5), "amersfoort", maanden=14, eind=D(2025, 6, 30))
    ct = UserFactory(username="ct-amf-job")
    grant(ct, "centrale-toegang", regio="amersfoort")
    client.force_login(ct)
    response = client.post(
        "/toegang/wachtlijst/rapport/", {"regio": amersfoort().pk, "maand": "2025-06"}
    )
    run = JobRun.objects.get(soort=SOORT)
    assert response.status_code == 302
    assert response["Location"] == f"/toegang/wachtlijst/rapport/{run.pk}/"
    seen = set()

    def finished():
        current = JobRun.objects.get(pk=run.pk)
        if current.status == JobRun.Status.BEZIG:
            seen.add(current.voortgang)
        return current if current.klaar else None

    done = wait_for(finished, timeout=60.0)
    assert done.status == JobRun.Status.GEREED, done.fout
    assert seen - {0, 100}, f"no intermediate progress observed: {seen}"
    assert done.resultaat["maand"] == "2025-06" and done.resultaat["stand_eind"] > 30
    bestanden = {b.naam: b for b in done.bestanden.all()}
    csv_bestand = bestanden["wachtlijstrapport-amersfoort-2025-06.csv"]
    # A person's download: Dutch Excel's CSV with names beside the codes, and an XLSX.
    csv_text = csv_bestand.bestand.read().decode("utf-8-sig")
    assert csv_text.startswith("Maand;Functie;Productcode;Gemeente van herkomst;Gemeentecode;")
    rijen = [line.split(";") for line in csv_text.splitlines()[1:]]
    productcodes = {rij[2] for rij in rijen}
    gemeentecodes = {rij[4] for rij in rijen} - {""}
    assert "Amersfoort" in {rij[3] for rij in rijen} and "0307" in gemeentecodes
    assert "wachtlijstrapport-amersfoort-2025-06.xlsx" in bestanden
    assert {line[:7] for line in csv_text.splitlines()[1:]} == {
        f"{m:%Y-%m}" for m in (wachtlijstrapport.plus_maanden(D(2025, 6, 1), -n) for n in range(12))
    }
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(bestanden["wachtlijstrapport-amersfoort-2025-06.pdf"].bestand.read())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Wachtlijstrapportage" in text and "Amersfoort" in text and "2025-06" in text
    # The report reads as text: product and gemeente names, never their codes.
    woorden = set(text.split())
    assert not productcodes & woorden and not gemeentecodes & woorden, text
    # The screen lists it with its downloads.
    page = client.get("/toegang/wachtlijst/rapport/").content.decode()
    assert f"/taken/{run.pk}/bestanden/" in page and "2025-06" in page


@pytest.mark.django_db
def test_another_regios_ct_cannot_see_or_start_amersfoorts_reports(client, catalogus, rapport_urls):
    run = JobRun.objects.create(
        soort=SOORT,
        regio=amersfoort(),
        parameters={"regio_id": amersfoort().pk, "maand": "2025-03"},
    )
    ct = UserFactory(username="ct-amf-view")
    grant(ct, "centrale-toegang", regio="amersfoort")
    gron = UserFactory(username="ct-gron-view")
    grant(gron, "centrale-toegang", regio="groningen")

    client.force_login(ct)
    assert client.get(f"/toegang/wachtlijst/rapport/{run.pk}/").status_code == 200
    assert "2025-03" in client.get("/toegang/wachtlijst/rapport/").content.decode()

    client.force_login(gron)
    assert client.get(f"/toegang/wachtlijst/rapport/{run.pk}/").status_code == 404
    assert client.get(f"/taken/{run.pk}/status/").status_code == 404
    lijst = client.get("/toegang/wachtlijst/rapport/")
    assert (
        lijst.status_code == 200 and f"/wachtlijst/rapport/{run.pk}/" not in lijst.content.decode()
    )
    # A forged regio is refused at the field; nothing is started.
    response = client.post(
        "/toegang/wachtlijst/rapport/", {"regio": amersfoort().pk, "maand": "2025-03"}
    )
    assert response.status_code == 400
    assert "waarvan u de wachtlijst mag zien" in response.content.decode()
    response = client.post(
        "/toegang/wachtlijst/rapport/", {"regio": Regio.objects.get(code="groningen").pk,
                                         "maand": "2099-01"},
    )  # fmt: skip
    assert response.status_code == 400 and "toekomst" in response.content.decode()
    assert JobRun.objects.filter(soort=SOORT).count() == 1

    # A consulent has no report capability at all.
    consulent = UserFactory(username="consulent-view")
    grant(consulent, "consulent", gemeente="0307")
    client.force_login(consulent)
    assert client.get("/toegang/wachtlijst/rapport/").status_code == 403
    assert client.get(f"/toegang/wachtlijst/rapport/{run.pk}/").status_code == 404


def test_report_screens_pass_the_url_scoping_walk():
    from tests.test_url_scoping import classify

    for pattern in rapport_views.urlpatterns:
        assert classify(str(pattern.pattern), pattern.callback) is None, pattern.name


@pytest.mark.django_db
def test_demo_makes_a_small_list_for_groningen_and_is_idempotent(catalogus):
    eind = D(2025, 6, 20)
    assert geschiedenis(random.Random(2), "groningen", maanden=24, eind=eind) > 20
    assert geschiedenis(random.Random(2), "groningen", maanden=24, eind=eind) == 0
    groningen = Regio.objects.get(code="groningen")
    regels = wachtlijstrapport.bereken(groningen, D(2025, 6, 1), D(2025, 6, 1))
    stand = sum(r.stand_eind for r in regels)
    assert 3 <= stand <= 15
    assert stand == Aanmelding.objects.filter(regio=groningen, status="wachtend").count()
    # Aanmelding and its last event agree.
    for a in Aanmelding.objects.filter(regio=groningen).exclude(status="wachtend")[:10]:
        laatste = a.gebeurtenissen.order_by("datum", "pk").last()
        assert (laatste.soort, laatste.reden, laatste.datum) == (
            "uitstroom",
            a.uitstroomreden,
            a.uitstroom_op,
        )
    assert wachtlijstrapport.bereken(amersfoort(), D(2025, 6, 1), D(2025, 6, 1)) == []


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_ct_makes_a_report_in_the_browser(
    page, live_server, catalogus, rapport_urls, celery_worker_thread
):
    import re

    from playwright.sync_api import expect

    from tests.browser import collect_csp_violations, login

    geschiedenis(random.Random(9), "amersfoort", maanden=3, eind=D(2025, 6, 30))
    ct = UserFactory(username="ct-amersfoort")
    grant(ct, "centrale-toegang", regio="amersfoort")
    violations = collect_csp_violations(page)
    login(page, live_server, "ct-amersfoort")
    page.goto(f"{live_server.url}/toegang/wachtlijst/rapport/")
    expect(page.get_by_role("heading", name="Wachtlijstrapportage")).to_be_visible()
    page.get_by_label("Maand").fill("2025-06")
    page.get_by_role("button", name="Rapportage maken").click()
    expect(page).to_have_url(re.compile(r"/toegang/wachtlijst/rapport/\d+/$"))
    pdf_link = page.get_by_role("link", name="wachtlijstrapport-amersfoort-2025-06.pdf")
    expect(pdf_link).to_be_visible(timeout=30_000)
    expect(
        page.get_by_role("link", name="wachtlijstrapport-amersfoort-2025-06.csv")
    ).to_be_visible()
    page.get_by_role("link", name="Terug naar de rapportages").click()
    expect(page.get_by_role("cell", name="2025-06", exact=True)).to_be_visible()
    assert violations == []
