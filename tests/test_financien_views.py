"""The finance screens (issue 7): parameters per regio per year, voorschotten, budgets, weights
and the verdeelmodel; the verevening runs (start as a job in a real worker, detail, CSV, PDF
statement per gemeente, vaststellen by a second person); the dashboard; and the scoping of each
(another regio's finance user gets 404, a gemeente's finance user only looks)."""

import datetime
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from financien import runs
from financien.models import (
    Budget,
    Functiegewicht,
    Jaarparameters,
    Verdeelmodel,
    Vereveningsrun,
    Voorschot,
)
from financien.services import verdeelmodel_vastleggen
from financien.views.dashboard import prognose, verstreken_maanden
from regio.models import AuditEntry, JobRun
from tests.factories import (
    ProductFactory,
    UserFactory,
    client_met_start,
    gemeente,
    grant,
    kosten,
    regio,
)
from tests.wachten import wait_for

D = datetime.date
# Runs of 2026 are vastgesteld before that year has ended (while these tests are young): a reason.
REDEN = "Voorlopige afrekening voor de begroting"
AANDELEN = {"0307": "56.52", "0308": "6.35", "0313": "4.66", "0327": "7.45", "0267": "9.47",
            "0342": "12.08", "0351": "3.48"}  # fmt: skip
NIEUW = {"0307": "1100000", "0308": "100000", "0313": "60000", "0327": "150000",
         "0267": "250000", "0342": "300000", "0351": "40000"}  # fmt: skip
# DOMAIN.md's worked example: V_g and D_g per gemeente code.
VOORSCHOT = {"0307": "1243315.67", "0308": "139686.03", "0313": "102509.75", "0327": "163883.61",
             "0267": "208319.17", "0342": "265733.43", "0351": "76552.34"}  # fmt: skip
D_G = {"0307": "150613.69", "0313": "-6765.57", "0308": "2181.03"}


# --- setup (after tests/test_financien_runs.py) -------------------------------------------------


def user_met(username, **grant_kwargs):
    user = UserFactory(username=username)
    grant(user, "financien", **grant_kwargs)
    return user


@pytest.fixture
def functie(refdata):
    return ProductFactory(domein="beschermd_wonen", naam="Wonen met begeleiding")


@pytest.fixture
def parameters(refdata):
    return Jaarparameters.objects.create(
        regio=regio("amersfoort"), jaar=2026, peildatum_nieuw=D(2022, 1, 1),
        alpha=Decimal("0.5"), centrumgemeentebudget=Decimal("9500000.00"),
    )  # fmt: skip


@pytest.fixture
def amersfoort(parameters, functie):
    """DOMAIN.md's worked example as stored data (T = 12,000,000.00; R = 2,500,000.00)."""
    r = parameters.regio
    verdeelmodel_vastleggen(
        r, 2026, {gemeente(c): Decimal(p) for c, p in AANDELEN.items()}, bron="test", user=None
    )
    for code, bedrag in VOORSCHOT.items():
        Voorschot.objects.create(parameters=parameters, gemeente=gemeente(code), bedrag=bedrag)
    for code, bedrag in NIEUW.items():
        kosten(r, client_met_start(r, code, D(2023, 3, 1)), code, bedrag, D(2026, 2, 1), functie)
    kosten(r, client_met_start(r, "0307", D(2019, 5, 1)), "0307", "10000000.00", D(2026, 4, 1))
    return r


@pytest.fixture
def regio_fin(refdata):
    return user_met("fin-regio", regio="amersfoort")


@pytest.fixture
def regio_fin2(refdata):
    return user_met("fin-regio-2", regio="amersfoort")


@pytest.fixture
def baarn_fin(refdata):
    return user_met("fin-baarn", gemeente="0308")


@pytest.fixture
def groningen_fin(refdata):
    return user_met("fin-groningen", regio="groningen")


def as_user(client, user):
    client.force_login(user)
    return client


def pdf_tekst(inhoud: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=inhoud, capture_output=True, check=True
    ).stdout.decode("utf-8")


JAAR = "/financien/jaren/amersfoort/2026/"


# --- the years and their parameters ----------------------------------------------------------


@pytest.mark.django_db
def test_years_list_empty_and_with_data(client, regio_fin, baarn_fin):
    response = as_user(client, regio_fin).get("/financien/")
    assert response.status_code == 200
    assert "Er zijn nog geen vereveningsparameters" in response.content.decode()
    assert "Nieuw jaar" in response.content.decode()
    Jaarparameters.objects.create(
        regio=regio("amersfoort"), jaar=2025, peildatum_nieuw=D(2022, 1, 1), alpha=1,
        centrumgemeentebudget=0,
    )  # fmt: skip
    body = client.get("/financien/").content.decode()
    assert "/financien/jaren/amersfoort/2025/" in body
    # A gemeente's finance user sees the years of its regio but may not add one.
    body = as_user(client, baarn_fin).get("/financien/").content.decode()
    assert "/financien/jaren/amersfoort/2025/" in body and "Nieuw jaar" not in body
    assert client.get("/financien/jaren/nieuw/").status_code == 403


@pytest.mark.django_db
def test_create_a_year_with_errors_at_the_field(client, regio_fin):
    as_user(client, regio_fin)
    assert client.get("/financien/jaren/nieuw/").status_code == 200
    response = client.post(
        "/financien/jaren/nieuw/",
        {"regio": regio("amersfoort").pk, "jaar": "2026", "peildatum_nieuw": "2022-01-01",
         "alpha": "1,5", "centrumgemeentebudget": "-5", "strategie": "bestaat-niet"},
    )  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["alpha"] == ["Alpha ligt tussen 0 en 1 (0 en 1 zelf mogen ook)."]
    assert form.errors["centrumgemeentebudget"] == ["Een bedrag kan niet negatief zijn."]
    assert form.errors["strategie"] == ["Kies een van de bekende vereveningsstrategieën."]
    assert not Jaarparameters.objects.exists()
    # Parameters the strategy does not know are refused at that field.
    response = client.post(
        "/financien/jaren/nieuw/",
        {"regio": regio("amersfoort").pk, "jaar": "2026", "peildatum_nieuw": "2022-01-01",
         "alpha": "0,5", "centrumgemeentebudget": "9500000", "strategie": "solidariteit",
         "strategie_parameters": '{"x": 1}'},
    )  # fmt: skip
    assert "kent geen parameters" in response.context["form"].errors["strategie_parameters"][0]
    response = client.post(
        "/financien/jaren/nieuw/",
        {"regio": regio("amersfoort").pk, "jaar": "2026", "peildatum_nieuw": "2022-01-01",
         "alpha": "0,5", "centrumgemeentebudget": "9500000,00", "strategie": "solidariteit"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == JAAR
    p = Jaarparameters.objects.get()
    assert (p.alpha, p.centrumgemeentebudget, p.strategie_parameters) == (
        Decimal("0.5"), Decimal("9500000.00"), {}
    )  # fmt: skip
    # The same year twice: said at the year.
    response = client.post(
        "/financien/jaren/nieuw/",
        {"regio": regio("amersfoort").pk, "jaar": "2026", "peildatum_nieuw": "2022-01-01",
         "alpha": "0", "centrumgemeentebudget": "0", "strategie": "solidariteit"},
    )  # fmt: skip
    assert response.context["form"].errors["jaar"] == [
        f"{regio('amersfoort').naam} heeft al parameters voor 2026."
    ]


@pytest.mark.django_db
def test_another_regio_cannot_be_chosen_when_creating(client, regio_fin):
    response = as_user(client, regio_fin).post(
        "/financien/jaren/nieuw/",
        {"regio": regio("groningen").pk, "jaar": "2026", "peildatum_nieuw": "2022-01-01",
         "alpha": "0,5", "centrumgemeentebudget": "1", "strategie": "solidariteit"},
    )  # fmt: skip
    assert "regio" in response.context["form"].errors
    assert not Jaarparameters.objects.exists()


@pytest.mark.django_db
def test_year_detail_empty_and_edit(client, parameters, regio_fin):
    as_user(client, regio_fin)
    body = client.get(JAAR).content.decode()
    assert "Er is geen verdeelmodel voor 2026 of eerder." in body
    assert "Nog geen voorschotten vastgelegd." in body and "Parameters wijzigen" in body
    response = client.post(
        f"{JAAR}wijzigen/",
        {"peildatum_nieuw": "2023-01-01", "alpha": "abc", "centrumgemeentebudget": "1,234",
         "strategie": "solidariteit"},
    )  # fmt: skip
    errors = response.context["form"].errors
    assert errors["alpha"] == ["Vul alpha in als getal van 0 tot en met 1, bijvoorbeeld 0,5."]
    assert errors["centrumgemeentebudget"] == [
        "Een bedrag heeft hoogstens twee cijfers achter de komma."
    ]
    response = client.post(
        f"{JAAR}wijzigen/",
        {"peildatum_nieuw": "2023-01-01", "alpha": "0,75", "centrumgemeentebudget": "100",
         "strategie": "solidariteit"},
    )  # fmt: skip
    assert response.status_code == 302
    parameters.refresh_from_db()
    assert (parameters.alpha, parameters.peildatum_nieuw) == (Decimal("0.75"), D(2023, 1, 1))


@pytest.mark.django_db
def test_year_detail_with_data_shows_normalisation(client, amersfoort, regio_fin, functie):
    p = Jaarparameters.objects.get()
    Budget.objects.create(parameters=p, gemeente=gemeente("0308"), functie=functie, bedrag=1000)
    Functiegewicht.objects.create(parameters=p, functie=functie, gewicht=Decimal("1.5"))
    body = as_user(client, regio_fin).get(JAAR).content.decode()
    assert "100,0100%" in body and "genormaliseerd naar precies 100%" in body
    assert "56,5143%" in body  # Amersfoort's normalised share (DOMAIN.md)
    assert "€ 2.200.000,00" in body  # the voorschotten
    assert "Wonen met begeleiding" in body and "1,500" in body


@pytest.mark.django_db
def test_gemeente_role_sees_but_cannot_edit(client, amersfoort, baarn_fin):
    as_user(client, baarn_fin)
    body = client.get(JAAR).content.decode()
    assert "Parameters wijzigen" not in body and "U kunt deze gegevens inzien" in body
    for pad in ("wijzigen/", "voorschotten/", "budgetten/", "functiegewichten/", "verdeelmodel/"):
        assert client.get(f"{JAAR}{pad}").status_code == 403, pad
        assert client.post(f"{JAAR}{pad}", {"opslaan": "1"}).status_code == 403, pad


@pytest.mark.django_db
def test_another_regio_gets_404_everywhere(client, amersfoort, regio_fin, groningen_fin):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    as_user(client, groningen_fin)
    for pad in ("", "wijzigen/", "voorschotten/", "budgetten/", "functiegewichten/",
                "verdeelmodel/", "verevening/"):  # fmt: skip
        assert client.get(f"{JAAR}{pad}").status_code == 404, pad
    assert client.post(f"{JAAR}verevening/").status_code == 404
    for pad in ("", "csv/", "afrekening/0307/", "vaststellen/"):
        assert client.get(f"/financien/runs/{run.pk}/{pad}").status_code == 404, pad
    assert client.post(f"/financien/runs/{run.pk}/vaststellen/").status_code == 404
    assert "/financien/jaren/amersfoort/" not in client.get("/financien/").content.decode()


@pytest.mark.django_db
def test_voorschotten_split_by_the_verdeelmodel_then_saved(client, parameters, regio_fin):
    verdeelmodel_vastleggen(
        parameters.regio, 2026, {gemeente(c): Decimal(p) for c, p in AANDELEN.items()}, user=None
    )
    as_user(client, regio_fin)
    body = client.get(f"{JAAR}voorschotten/").content.decode()
    assert "Baarn" in body and "Totaal van de voorschotten" in body
    response = client.post(f"{JAAR}voorschotten/", {"verdelen": "1", "verdeel-totaal": "-1"})
    assert response.context["verdeel_form"].errors["totaal"] == [
        "Een bedrag kan niet negatief zijn."
    ]
    response = client.post(
        f"{JAAR}voorschotten/", {"verdelen": "1", "verdeel-totaal": "2200000,00"}
    )
    form = response.context["form"]
    # DOMAIN.md: the worked example's V_g, to the cent; nothing saved yet.
    assert {c: str(form.initial.get(f"g{c}") or form.fields[f"g{c}"].initial) for c in VOORSCHOT} \
        == VOORSCHOT  # fmt: skip
    assert not Voorschot.objects.exists()
    data = {"opslaan": "1", **{f"g{c}": v.replace(".", ",") for c, v in VOORSCHOT.items()}}
    data["g0351"] = "-3"
    response = client.post(f"{JAAR}voorschotten/", data)
    assert response.context["form"].errors["g0351"] == ["Een voorschot kan niet negatief zijn."]
    assert not Voorschot.objects.exists()
    data["g0351"] = ""
    assert client.post(f"{JAAR}voorschotten/", data).status_code == 302
    opgeslagen = {v.gemeente.code: str(v.bedrag) for v in Voorschot.objects.all()}
    assert opgeslagen == {c: v for c, v in VOORSCHOT.items() if c != "0351"}


@pytest.mark.django_db
def test_budgets_and_weights(client, parameters, functie, regio_fin):
    as_user(client, regio_fin)
    body = client.get(f"{JAAR}budgetten/").content.decode()
    assert "Wonen met begeleiding" in body and "Woudenberg" in body
    veld = f"g0308-f{functie.pk}"
    response = client.post(f"{JAAR}budgetten/", {veld: "-1"})
    baarn = next(f for f in response.context["forms"] if f.gemeente.code == "0308")
    assert baarn.errors[f"f{functie.pk}"] == ["Een budget kan niet negatief zijn."]
    assert client.post(f"{JAAR}budgetten/", {veld: "125000,50"}).status_code == 302
    assert Budget.objects.get().bedrag == Decimal("125000.50")
    response = client.post(f"{JAAR}functiegewichten/", {f"f{functie.pk}": "0"})
    assert response.context["form"].errors[f"f{functie.pk}"] == [
        "Een gewicht is groter dan 0 (leeg laten = 1)."
    ]
    assert client.post(f"{JAAR}functiegewichten/", {f"f{functie.pk}": "1,25"}).status_code == 302
    assert Functiegewicht.objects.get().gewicht == Decimal("1.250")
    assert client.post(f"{JAAR}functiegewichten/", {f"f{functie.pk}": ""}).status_code == 302
    assert not Functiegewicht.objects.exists()


@pytest.mark.django_db
def test_budgets_and_weights_without_functies(client, parameters, regio_fin):
    as_user(client, regio_fin)
    assert "geen functies voor beschermd wonen" in client.get(f"{JAAR}budgetten/").content.decode()
    body = client.get(f"{JAAR}functiegewichten/").content.decode()
    assert "geen functies voor beschermd wonen" in body


@pytest.mark.django_db
def test_verdeelmodel_normalised_or_refused(client, parameters, regio_fin):
    as_user(client, regio_fin)
    assert client.get(f"{JAAR}verdeelmodel/").status_code == 200
    data = {f"g{c}": p.replace(".", ",") for c, p in AANDELEN.items()}
    data["g0351"] = "5"  # 101.53 %
    response = client.post(f"{JAAR}verdeelmodel/", data)
    assert "101.5300% in plaats van 100%" in response.context["form"].non_field_errors()[0]
    data["g0351"] = ""
    response = client.post(f"{JAAR}verdeelmodel/", data)
    assert response.context["form"].errors["g0351"] == ["Vul het aandeel in (0 mag)."]
    data["g0351"] = "3,48"
    assert client.post(f"{JAAR}verdeelmodel/", data).status_code == 302
    assert Verdeelmodel.objects.get().aandelen.count() == 7
    assert "genormaliseerd naar precies 100%" in client.get(JAAR).content.decode()


# --- the verevening ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_runs_list_empty_and_with_runs(client, amersfoort, regio_fin, regio_fin2, baarn_fin):
    as_user(client, regio_fin)
    body = client.get(f"{JAAR}verevening/").content.decode()
    assert "nog geen verevening berekend" in body and "Verevening berekenen" in body
    eerste = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    runs.vaststellen(eerste, regio_fin2, reden=REDEN)
    tweede = runs.bereken_run(amersfoort, 2026, user=regio_fin2)
    runs.vaststellen(tweede, regio_fin, reden=REDEN)
    body = client.get(f"{JAAR}verevening/").content.decode()
    assert f"Run {eerste.pk}" in body and f"Run {tweede.pk}" in body
    assert "Vervangen" in body and "Vastgesteld" in body
    assert "€ 12.000.000,00" in body and "€ 2.500.000,00" in body
    assert "fin-regio-2" in body
    # A gemeente's user sees the runs but gets no start button and cannot start one.
    body = as_user(client, baarn_fin).get(f"{JAAR}verevening/").content.decode()
    assert f"Run {tweede.pk}" in body and "Verevening berekenen" not in body
    assert client.post(f"{JAAR}verevening/").status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_run_detail_table_chart_and_csv(client, amersfoort, regio_fin):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    response = as_user(client, regio_fin).get(f"/financien/runs/{run.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "€ 150.613,69" in body and "€ -6.765,57" in body and "krijgt terug" in body
    assert "56,5143%" in body and "55,0000%" in body  # s_g, u_g of Amersfoort
    assert "€ 300.000,00" in body  # sum D
    assert "genormaliseerd" in body and "<svg" in body and "Krijgt terug" in body
    assert "Concept" in body
    # The starter gets no button that would refuse (four eyes), but is told who may.
    assert f'href="/financien/runs/{run.pk}/vaststellen/"' not in body
    assert "U startte deze run zelf" in body
    csv = client.get(f"/financien/runs/{run.pk}/csv/")
    assert csv["Content-Type"].startswith("text/csv")
    # Dutch Excel's dialect (regio.exports), not the command's machine format.
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert (
        "0307;Amersfoort;0,565143;0,550000;1393929,36;1243315,67;150613,69\r\n"
        in csv.content.decode("utf-8-sig")
    )
    xlsx = client.get(f"/financien/runs/{run.pk}/csv/?export=xlsx")
    blad = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in blad[2]][:3] == ["0307", "Amersfoort", 0.565143]


@pytest.mark.django_db
def test_vaststellen_needs_a_second_person_through_the_ui(
    client, amersfoort, regio_fin, regio_fin2
):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    as_user(client, regio_fin)
    assert client.get(f"/financien/runs/{run.pk}/vaststellen/").status_code == 200
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Een ander dan wie de run startte, stelt haar vast (vier ogen)."
    ]
    run.refresh_from_db()
    assert run.status == "concept"
    response = as_user(client, regio_fin2).post(
        f"/financien/runs/{run.pk}/vaststellen/", {"reden": REDEN}
    )
    assert response.status_code == 302 and response["Location"] == f"/financien/runs/{run.pk}/"
    run.refresh_from_db()
    assert (run.status, run.vastgesteld_door) == ("vastgesteld", regio_fin2)
    body = client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert "Vastgesteld" in body and f'href="/financien/runs/{run.pk}/vaststellen/"' not in body
    # Again: refused in Dutch, nothing changes.
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/")
    assert response.context["form"].non_field_errors() == [
        "Alleen een concept kan worden vastgesteld."
    ]


@pytest.mark.django_db
def test_only_whoever_may_fix_this_run_now_sees_the_button(
    client, amersfoort, regio_fin, regio_fin2, baarn_fin
):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    link = f'href="/financien/runs/{run.pk}/vaststellen/"'
    # The colleague may: the button, and the service agrees.
    assert runs.weigering_vaststellen(run, regio_fin2) is None
    assert link in as_user(client, regio_fin2).get(f"/financien/runs/{run.pk}/").content.decode()
    # The starter may not (four eyes): no button, and the POST is still refused.
    body = as_user(client, regio_fin).get(f"/financien/runs/{run.pk}/").content.decode()
    assert link not in body and "vier ogen" in body
    pagina = client.get(f"/financien/runs/{run.pk}/vaststellen/").content.decode()
    assert "vier ogen" in pagina and '<button type="submit" class="button">' not in pagina
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/", {"reden": REDEN})
    assert "vier ogen" in response.context["form"].non_field_errors()[0]
    # A gemeente's role: nothing, not even the reason.
    body = as_user(client, baarn_fin).get(f"/financien/runs/{run.pk}/").content.decode()
    assert link not in body and "vier ogen" not in body
    # Once vastgesteld, nobody sees it any more.
    runs.vaststellen(run, regio_fin2, reden=REDEN)
    body = as_user(client, regio_fin2).get(f"/financien/runs/{run.pk}/").content.decode()
    assert link not in body
    run.refresh_from_db()
    assert run.status == "vastgesteld"


@pytest.mark.django_db
def test_vaststellen_before_the_year_ended_asks_for_a_reason(
    client, amersfoort, regio_fin, regio_fin2, monkeypatch
):
    # Whatever today is: the year of the run has not ended.
    monkeypatch.setattr(runs, "jaar_voorbij", lambda jaar, vandaag=None: False)
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    with pytest.raises(ValidationError) as exc:
        runs.vaststellen(run, regio_fin2)
    assert "nog niet voorbij" in exc.value.message_dict["reden"][0]
    as_user(client, regio_fin2)
    pagina = client.get(f"/financien/runs/{run.pk}/vaststellen/").content.decode()
    assert "Het jaar 2026 is nog niet voorbij" in pagina and 'name="reden"' in pagina
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/", {"reden": "  "})
    assert "nog niet voorbij" in response.context["form"].errors["reden"][0]
    run.refresh_from_db()
    assert run.status == "concept"
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/", {"reden": "Begroting 2027"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.reden_voor_jaareinde) == ("vastgesteld", "Begroting 2027")
    entry = AuditEntry.objects.filter(object_type="financien.vereveningsrun", actie="change").get()
    assert entry.toelichting["reden_voor_jaareinde"] == "Begroting 2027"
    body = client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert "Vastgesteld voor het einde van 2026" in body and "Begroting 2027" in body


@pytest.mark.django_db
def test_vaststellen_after_the_year_ended_needs_no_reason(
    client, amersfoort, regio_fin, regio_fin2, monkeypatch
):
    monkeypatch.setattr(runs, "jaar_voorbij", lambda jaar, vandaag=None: True)
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    pagina = as_user(client, regio_fin2).get(f"/financien/runs/{run.pk}/vaststellen/")
    assert 'name="reden"' not in pagina.content.decode()
    assert client.post(f"/financien/runs/{run.pk}/vaststellen/").status_code == 302
    run.refresh_from_db()
    assert (run.status, run.reden_voor_jaareinde) == ("vastgesteld", "")


def test_a_year_has_ended_from_the_first_of_january():
    assert not runs.jaar_voorbij(2026, D(2026, 12, 31))
    assert runs.jaar_voorbij(2026, D(2027, 1, 1))


@pytest.mark.django_db
def test_gemeente_role_cannot_fix_a_run(client, amersfoort, regio_fin, baarn_fin):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    as_user(client, baarn_fin)
    assert client.get(f"/financien/runs/{run.pk}/").status_code == 200
    assert "Vaststellen</a>" not in client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert client.get(f"/financien/runs/{run.pk}/vaststellen/").status_code == 403
    assert client.post(f"/financien/runs/{run.pk}/vaststellen/").status_code == 403
    run.refresh_from_db()
    assert run.status == "concept"


@pytest.mark.django_db
def test_statement_pdf_per_gemeente(client, amersfoort, regio_fin, baarn_fin):
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    response = as_user(client, regio_fin).get(f"/financien/runs/{run.pk}/afrekening/0313/")
    assert response["Content-Type"] == "application/pdf"
    tekst = pdf_tekst(response.content)
    assert "Afrekening verevening 2026" in tekst
    assert "Gemeente Amersfoort" in tekst  # the centrumgemeente's letterhead
    assert "gemeente Bunschoten" in tekst
    assert "€ -6.765,57" in tekst and "Terug te ontvangen" in tekst
    assert "CONCEPT" in tekst
    assert "A_g = R × (alpha × s_g + (1 − alpha) × u_g)" in tekst
    # A gemeente's user: its own statement, and 404 for another gemeente's.
    as_user(client, baarn_fin)
    body = client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert f"/financien/runs/{run.pk}/afrekening/0308/" in body
    assert f"/financien/runs/{run.pk}/afrekening/0307/" not in body
    assert "€ 150.613,69" in body  # every line is visible
    eigen = client.get(f"/financien/runs/{run.pk}/afrekening/0308/")
    tekst = pdf_tekst(eigen.content)
    assert "€ 2.181,03" in tekst and "Te betalen door gemeente Baarn" in tekst
    assert client.get(f"/financien/runs/{run.pk}/afrekening/0307/").status_code == 404
    assert client.get(f"/financien/runs/{run.pk}/afrekening/9999/").status_code == 404


@pytest.mark.django_db
def test_statement_of_a_vastgestelde_run_has_no_concept_mark(client, amersfoort, regio_fin,
                                                            regio_fin2):  # fmt: skip
    run = runs.vaststellen(runs.bereken_run(amersfoort, 2026, user=regio_fin), regio_fin2,
                           reden=REDEN)  # fmt: skip
    response = as_user(client, regio_fin).get(f"/financien/runs/{run.pk}/afrekening/0307/")
    tekst = pdf_tekst(response.content)
    assert "€ 150.613,69" in tekst and "CONCEPT" not in tekst and "vastgesteld" in tekst


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_run_started_from_the_ui_in_a_real_worker(client, amersfoort, regio_fin,
                                                  celery_worker_thread):  # fmt: skip
    as_user(client, regio_fin)
    response = client.post(f"{JAAR}verevening/")
    job = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/financien/taken/{job.pk}/"
    assert (job.soort, job.parameters, job.gestart_door) == (
        "financien.verevening", {"regio_id": amersfoort.pk, "jaar": 2026}, regio_fin
    )  # fmt: skip
    body = client.get(f"/financien/taken/{job.pk}/").content.decode()
    assert "jobprogress" in body and f"/taken/{job.pk}/status/" in body
    status = wait_for(lambda: (s := client.get(f"/taken/{job.pk}/status/").json())["klaar"] and s)
    assert status["status"] == "gereed", status
    run = Vereveningsrun.objects.get()
    assert (run.job_id, run.gestart_door, run.restant) == (
        job.pk, regio_fin, Decimal("2500000.00")
    )  # fmt: skip
    response = client.get(f"/financien/taken/{job.pk}/uitkomst/")
    assert response["Location"] == f"/financien/runs/{run.pk}/"
    assert (
        f"/financien/runs/{run.pk}/" in client.get(f"/financien/taken/{job.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_progress_page_before_the_run_exists(client, amersfoort, regio_fin, groningen_fin):
    job = JobRun.objects.create(
        soort="financien.verevening", parameters={"regio_id": amersfoort.pk, "jaar": 2026},
        regio=amersfoort, gestart_door=regio_fin,
    )  # fmt: skip
    as_user(client, regio_fin)
    assert client.get(f"/financien/taken/{job.pk}/").status_code == 200
    response = client.get(f"/financien/taken/{job.pk}/uitkomst/", follow=True)
    assert "nog niet klaar" in response.content.decode()
    assert "Bezig" in client.get(f"{JAAR}verevening/").content.decode()
    as_user(client, groningen_fin)
    assert client.get(f"/financien/taken/{job.pk}/").status_code == 404


# --- the dashboard -----------------------------------------------------------------------------


def test_prognosis_extrapolates_whole_months():
    assert verstreken_maanden(2025, D(2026, 5, 10)) == 12
    assert verstreken_maanden(2026, D(2026, 5, 10)) == 4
    assert verstreken_maanden(2026, D(2026, 1, 31)) == 0
    assert verstreken_maanden(2027, D(2026, 5, 10)) == 0
    assert prognose(Decimal("400.00"), 4) == Decimal("1200.00")
    assert prognose(Decimal("100.00"), 3) == Decimal("400.00")
    assert prognose(Decimal("100.00"), 0) is None


@pytest.mark.django_db
def test_dashboard_empty(client, regio_fin):
    response = as_user(client, regio_fin).get("/financien/dashboard/?jaar=2026")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Geen budgetten en geen kosten in 2026." in body
    assert "Voor 2026 is nog geen verevening berekend." in body
    # Bad input does not crash.
    assert client.get("/financien/dashboard/?jaar=abc&regio=x&gemeente=zz").status_code == 200


@pytest.mark.django_db
def test_dashboard_without_any_finance_regio(client, refdata):
    user = UserFactory(username="geen-rol")
    assert as_user(client, user).get("/financien/dashboard/").status_code == 403


@pytest.mark.django_db
def test_dashboard_regio_and_gemeente(client, amersfoort, functie, regio_fin, regio_fin2,
                                      baarn_fin):  # fmt: skip
    p = Jaarparameters.objects.get()
    Budget.objects.create(parameters=p, gemeente=gemeente("0308"), functie=functie, bedrag=200000)
    Budget.objects.create(parameters=p, gemeente=gemeente("0307"), functie=functie, bedrag=900000)
    run = runs.bereken_run(amersfoort, 2026, user=regio_fin)
    as_user(client, regio_fin)
    response = client.get("/financien/dashboard/?regio=amersfoort&jaar=2026")
    context = response.context
    assert context["gemeente"] is None and context["hele_regio"]
    assert context["totaal_gerealiseerd"] == Decimal("12000000.00")
    assert context["totaal_budget"] == Decimal("1100000.00")
    assert context["run"] == run and len(context["regels"]) == 7
    body = response.content.decode()
    assert "conceptrun" in body and "€ 150.613,69" in body
    # One gemeente.
    context = client.get("/financien/dashboard/?regio=amersfoort&jaar=2026&gemeente=0308").context
    assert context["totaal_gerealiseerd"] == Decimal("100000.00")
    assert context["totaal_budget"] == Decimal("200000.00")
    assert [r.gemeente.code for r in context["regels"]] == ["0308"]
    # A gemeente's finance user: only its own clients' costs, whatever it asks for.
    as_user(client, baarn_fin)
    for vraag in ("", "&gemeente=0307"):
        response = client.get(f"/financien/dashboard/?regio=amersfoort&jaar=2026{vraag}")
        context = response.context
        assert context["gemeente"] == gemeente("0308") and not context["hele_regio"]
        assert context["totaal_gerealiseerd"] == Decimal("100000.00")
        assert [r.gemeente.code for r in context["regels"]] == ["0308"]
        assert "Hele regio" not in response.content.decode()
    # Once fixed, the dashboard says so.
    runs.vaststellen(run, regio_fin2, reden=REDEN)
    assert "vastgestelde run" in client.get("/financien/dashboard/?jaar=2026").content.decode()


@pytest.mark.django_db
def test_dashboard_of_another_regio_shows_nothing_of_amersfoort(client, amersfoort, groningen_fin):
    response = as_user(client, groningen_fin).get(
        "/financien/dashboard/?regio=amersfoort&jaar=2026"
    )
    assert response.context["regio"] == regio("groningen")
    assert response.context["totaal_gerealiseerd"] == Decimal("0.00")
    assert "Amersfoort" not in response.content.decode()
