"""The werkvoorraad: "mijn werk" and "team" sorted by the next deadline and coloured, filters,
search, pagination, a constant number of queries for 1,000 open cases; the herindicaties; and
the daily deadline notifications (called directly, and once through the real Celery worker
thread), created through the scoping layer and idempotent."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from regio.models import Gemeente, Notificatie, Regio
from tests.factories import (
    PerceelFactory,
    ProductFactory,
    UserFactory,
    consulent,
    dossier_in,
    grant,
    valid_bsn,
)
from toegang import termijnen
from toegang.meldingen.tasks import TASK_NAME, signaleer_termijnen, termijnen_signaleren
from toegang.models import (
    Beschikking,
    BeschiktProduct,
    Client,
    Dossier,
    Melding,
    Persoon,
    bsn_hash,
)

D = datetime.date
VANDAAG = "2026-03-10"  # a Tuesday; five working days on is Tuesday 17 March


@pytest.fixture
def soest(refdata):
    return consulent("consulent-soest", "0342", first_name="Sanne", last_name="de Vries")


@pytest.fixture
def collega(refdata):
    return consulent("collega-soest", "0342", first_name="Cor", last_name="Collega")


@pytest.fixture
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


def melding(code, consulent, termijn, *, status=Melding.Status.ONDERZOEK, naam=None, **kwargs):
    dossier = dossier_in(code, **({"persoon__geslachtsnaam": naam} if naam else {}))
    return Melding.objects.create(
        dossier=dossier, ontvangen_op=D(2026, 2, 1), hulpvraag="Hulp", consulent=consulent,
        status=status, volgende_termijn=termijn, **kwargs,
    )  # fmt: skip


def namen(response):
    return [m.dossier.client.persoon.geslachtsnaam for m in response.context["object_list"]]


# --- the list --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mijn_werk_and_team_sorted_by_deadline_and_coloured(client, soest, collega, baarn):
    melding("0342", soest, D(2026, 3, 30), naam="Later")
    melding("0342", soest, D(2026, 3, 16), naam="Bijna")
    melding("0342", soest, D(2026, 3, 2), naam="Verlopen", status=Melding.Status.AANVRAAG)
    melding("0342", soest, None, naam="Zonder", status=Melding.Status.AANVRAAG)
    melding("0342", collega, D(2026, 3, 1), naam="VanCollega")
    melding("0342", soest, D(2026, 3, 1), naam="Dicht", status=Melding.Status.INGETROKKEN)
    melding("0308", baarn, D(2026, 3, 1), naam="UitBaarn")
    client.force_login(soest)
    with freeze_time(VANDAAG):
        mijn = client.get("/toegang/werkvoorraad/")
        team = client.get("/toegang/werkvoorraad/?tab=team")
    assert namen(mijn) == ["Verlopen", "Bijna", "Later", "Zonder"]
    assert namen(team) == ["VanCollega", "Verlopen", "Bijna", "Later", "Zonder"]
    page = mijn.content.decode()
    assert '<td class="signaal-rood">ma 2-3-2026 — verlopen</td>' in page
    assert '<td class="signaal-oranje">ma 16-3-2026 — verloopt binnenkort</td>' in page
    assert '<td class="">ma 30-3-2026 — op tijd</td>' in page
    assert "UitBaarn" not in team.content.decode() and "Dicht" not in team.content.decode()


@pytest.mark.django_db
def test_filters_search_and_bad_input(client, soest, collega):
    melding("0342", soest, D(2026, 3, 16), naam="Jansen")
    melding("0342", collega, D(2026, 3, 17), naam="Pietersen", status=Melding.Status.AANVRAAG)
    melding("0342", collega, D(2026, 3, 18), naam="Klaassen", urgent=True)
    client.force_login(soest)

    def team(query):
        with freeze_time(VANDAAG):
            return namen(client.get(f"/toegang/werkvoorraad/?tab=team&{query}"))

    assert team("status=aanvraag") == ["Pietersen"]
    assert team(f"consulent={collega.pk}") == ["Pietersen", "Klaassen"]
    assert team("q=janse") == ["Jansen"]
    assert team("spoed=ja") == ["Klaassen"]
    assert team(f"gemeente={Gemeente.objects.get(code='0342').pk}") == [
        "Jansen", "Pietersen", "Klaassen",
    ]  # fmt: skip
    assert team("sort=-termijn") == ["Klaassen", "Pietersen", "Jansen"]
    assert team("sort=naam") == ["Jansen", "Klaassen", "Pietersen"]
    # Nonsense never crashes; it is ignored.
    assert team("consulent=abc&status=zomaar&gemeente=x&sort=drop&page=99") == [
        "Jansen", "Pietersen", "Klaassen",
    ]  # fmt: skip
    with freeze_time(VANDAAG):
        assert namen(client.get("/toegang/werkvoorraad/?tab=alles")) == ["Jansen"]  # mijn werk


@pytest.mark.django_db
def test_gemeente_filter_for_a_consulent_of_two_gemeenten(client, soest):
    grant(soest, "consulent", gemeente="0308")
    melding("0342", soest, D(2026, 3, 16), naam="Soester")
    melding("0308", soest, D(2026, 3, 17), naam="Baarnaar")
    client.force_login(soest)
    baarn = Gemeente.objects.get(code="0308")
    with freeze_time(VANDAAG):
        assert namen(client.get(f"/toegang/werkvoorraad/?gemeente={baarn.pk}")) == ["Baarnaar"]
        response = client.get("/toegang/werkvoorraad/")
    assert [g.code for g in response.context["gemeenten"]] == ["0308", "0342"]


def open_zaken(aantal: int, consulent, start: int = 0):
    """``aantal`` open cases in Soest, in bulk (the BSN hash that Persoon.save computes is set
    here by hand)."""
    soest = Gemeente.objects.get(code="0342")
    clients = Client.objects.bulk_create([Client() for _ in range(aantal)])
    Persoon.objects.bulk_create(
        Persoon(client=c, bsn=(bsn := valid_bsn(50_000 + start + i)), bsn_hash=bsn_hash(bsn),
                voornamen="Bulk", geslachtsnaam=f"Bulk{start + i:04d}")
        for i, c in enumerate(clients)
    )  # fmt: skip
    dossiers = Dossier.objects.bulk_create(
        Dossier(client=c, verantwoordelijke_gemeente=soest, geopend_op=D(2026, 1, 5))
        for c in clients
    )
    Melding.objects.bulk_create(
        Melding(dossier=d, ontvangen_op=D(2026, 2, 1), hulpvraag="Hulp", consulent=consulent,
                volgende_termijn=D(2026, 3, 1) + datetime.timedelta(days=i % 40))
        for i, d in enumerate(dossiers)
    )  # fmt: skip


@pytest.mark.django_db
def test_constant_number_of_queries_for_1000_open_cases(client, soest):
    client.force_login(soest)
    open_zaken(1, soest)

    def queries(url):
        with freeze_time(VANDAAG), CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response

    een = {
        url: queries(url)[0]
        for url in ("/toegang/werkvoorraad/", "/toegang/werkvoorraad/?tab=team")
    }
    open_zaken(999, soest, start=1)
    for url, aantal in een.items():
        duizend, response = queries(url)
        assert duizend == aantal, f"{url}: {aantal} queries for 1 case, {duizend} for 1,000"
        assert len(response.context["object_list"]) == 50
        assert response.context["paginator"].count == 1000
    # The next page follows the same order.
    with freeze_time(VANDAAG):
        tweede = client.get("/toegang/werkvoorraad/?page=2").context["object_list"]
    assert tweede[0].volgende_termijn >= response.context["object_list"][-1].volgende_termijn


# --- herindicaties ---------------------------------------------------------------------------


def beschikking(dossier, user, einddatum, *, status="vastgesteld", producten=(), perceel=None):
    perceel = perceel or PerceelFactory(regio=Regio.objects.get(code="amersfoort"))
    b = Beschikking.objects.create(
        dossier=dossier, perceel=perceel, besluit="toekenning", motivering="Nodig",
        ingangsdatum=D(2025, 6, 1), einddatum=einddatum, opgesteld_door=user,
    )  # fmt: skip
    for product, ingang in producten:
        BeschiktProduct.objects.create(
            beschikking=b, product=product, ingangsdatum=ingang, einddatum=einddatum,
            client=dossier.client, productcategorie=product.productcategorie,
        )  # fmt: skip
    if status != "concept":
        Beschikking.objects.filter(pk=b.pk).update(status=status, vastgesteld_op=timezone.now())
    return b


@pytest.mark.django_db
def test_herindicaties_within_the_regio_setting(client, soest, baarn):
    perceel = PerceelFactory(regio=Regio.objects.get(code="amersfoort"))
    binnen = beschikking(dossier_in("0342", persoon__geslachtsnaam="Binnen"), soest, D(2026, 5, 31))
    beschikking(dossier_in("0342", persoon__geslachtsnaam="Verweg"), soest, D(2026, 8, 31))
    beschikking(dossier_in("0342", persoon__geslachtsnaam="Concept"), soest, D(2026, 4, 30),
                status="concept")  # fmt: skip
    beschikking(dossier_in("0342", persoon__geslachtsnaam="Voorbij"), soest, D(2026, 3, 1))
    beschikking(dossier_in("0308", persoon__geslachtsnaam="Baarns"), baarn, D(2026, 4, 30))
    # A plus product (maximum 12 months) started 11 months ago reaches its maximum in time.
    plus = ProductFactory(perceel=perceel, max_duur_maanden=12, productcategorie="10")
    pas_begonnen = ProductFactory(perceel=perceel, max_duur_maanden=12, productcategorie="11")
    beschikking(dossier_in("0342", persoon__geslachtsnaam="Plus"), soest, None,
                perceel=perceel, producten=[(plus, D(2025, 4, 1))])  # fmt: skip
    beschikking(dossier_in("0342", persoon__geslachtsnaam="Nieuw"), soest, None,
                perceel=perceel, producten=[(pas_begonnen, D(2026, 2, 1))])  # fmt: skip
    client.force_login(soest)
    url = "/toegang/werkvoorraad/herindicaties/"
    with freeze_time(VANDAAG):
        response = client.get(url)
    assert [b.pk for b in response.context["object_list"]] == [binnen.pk]
    producten = list(response.context["producten"])
    assert [p.beschikking.dossier.client.persoon.geslachtsnaam for p in producten] == ["Plus"]
    assert producten[0].laatste_dag == D(2026, 3, 31)
    assert producten[0].stand.toestand == termijnen.OP_TIJD
    # Six months: the regio's setting decides (Verweg ends 31 August).
    Regio.objects.filter(code="amersfoort").update(herindicatie_maanden=6)
    with freeze_time(VANDAAG):
        response = client.get(url)
        gezocht = client.get(url + "?q=verw")
    namen_ = [b.dossier.client.persoon.geslachtsnaam for b in response.context["object_list"]]
    assert namen_ == ["Binnen", "Verweg"]
    assert [b.dossier.client.persoon.geslachtsnaam for b in gezocht.context["object_list"]] == [
        "Verweg"
    ]


# --- notifications ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_daily_notifications_within_five_working_days_scoped_and_idempotent(soest, collega):
    dichtbij = melding("0342", soest, D(2026, 3, 17))  # fifth working day after 10 March
    verlopen = melding("0342", soest, D(2026, 3, 2), status=Melding.Status.AANVRAAG)
    melding("0342", soest, D(2026, 3, 18))  # sixth working day: not yet
    melding("0342", soest, D(2026, 3, 12), status=Melding.Status.BESLOTEN)
    melding("0342", collega, D(2026, 3, 11), naam="VanCollega")
    # Assigned to consulent-soest, but in Baarn where she is not consulent: she is not told.
    melding("0308", soest, D(2026, 3, 11))
    assert termijnen.plus_werkdagen(D(2026, 3, 10), 5) == D(2026, 3, 17)

    assert signaleer_termijnen(D(2026, 3, 10))["notificaties"] == 3
    eigen = Notificatie.objects.filter(user=soest)
    assert {n.url for n in eigen} == {
        f"/toegang/meldingen/{dichtbij.pk}/",
        f"/toegang/meldingen/{verlopen.pk}/",
    }
    teksten = sorted(n.tekst for n in eigen)
    assert teksten == [
        f"Melding {dichtbij.pk} (Soest): de onderzoekstermijn verloopt op 17 maart 2026.",
        f"Melding {verlopen.pk} (Soest): de beslistermijn is verlopen op 2 maart 2026.",
    ]
    assert Notificatie.objects.filter(user=collega).count() == 1
    # Running again (or a redelivered task) creates nothing new.
    assert signaleer_termijnen(D(2026, 3, 10))["notificaties"] == 0
    assert signaleer_termijnen(D(2026, 3, 11))["notificaties"] == 1  # 18 March comes in range
    # A deadline that moves is notified again.
    Melding.objects.filter(pk=dichtbij.pk).update(volgende_termijn=D(2026, 3, 16))
    assert signaleer_termijnen(D(2026, 3, 11))["notificaties"] == 1
    assert Notificatie.objects.count() == 5


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_notification_task_runs_on_the_real_worker(refdata, celery_worker_thread):
    user = UserFactory(username="consulent-worker")
    grant(user, "consulent", gemeente="0342")
    te_melden = melding("0342", user, D(2026, 3, 12))
    resultaat = termijnen_signaleren.delay("2026-03-10").get(timeout=30)
    assert resultaat == {"peildatum": "2026-03-10", "notificaties": 1}
    assert (
        Notificatie.objects.get(user=user).sleutel == f"termijn:melding:{te_melden.pk}:2026-03-12"
    )


@pytest.mark.django_db
def test_migration_schedules_the_daily_task_once_and_reverses(beat_schema):
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    migratie = importlib.import_module("toegang.migrations.0004_termijn_notificaties")
    taak = PeriodicTask.objects.get(name=migratie.NAAM)
    assert taak.task == TASK_NAME and TASK_NAME in app.tasks and taak.enabled
    assert (taak.crontab.hour, taak.crontab.minute, str(taak.crontab.timezone)) == (
        "6", "0", "Europe/Amsterdam",
    )  # fmt: skip
    migratie.maak_taak(apps, None)  # idempotent
    assert PeriodicTask.objects.filter(name=migratie.NAAM).count() == 1
    migratie.verwijder_taak(apps, None)
    assert not PeriodicTask.objects.filter(name=migratie.NAAM).exists()
    migratie.maak_taak(apps, None)
    assert PeriodicTask.objects.filter(name=migratie.NAAM, task=TASK_NAME).count() == 1


@pytest.mark.django_db
def test_notificaties_page_shows_only_own_and_marks_read(client, soest, collega):
    Notificatie.objects.create(
        user=soest, tekst="Voor Sanne", sleutel="a", url="/toegang/werkvoorraad/"
    )
    Notificatie.objects.create(user=collega, tekst="Voor Cor", sleutel="a")
    client.force_login(soest)
    page = client.get("/toegang/notificaties/").content.decode()
    assert "Voor Sanne" in page and "Voor Cor" not in page
    assert client.post("/toegang/notificaties/gelezen/").status_code == 302
    assert Notificatie.objects.get(user=soest).gelezen_op is not None
    assert Notificatie.objects.get(user=collega).gelezen_op is None


@pytest.mark.django_db
def test_functie_filter_uses_the_functies_of_the_aanvraag(client, soest):
    from demo import inkoop as inkoop_demo
    from inkoop.models import Product
    from toegang.models import Aanvraag

    inkoop_demo.catalogus()
    bw = Product.objects.get(code="beschermd-wonen", perceel__regio__code="amersfoort")
    begeleiding = Product.objects.get(code="begeleiding")
    wonen = melding("0342", soest, D(2026, 3, 16), naam="Wonen", status=Melding.Status.AANVRAAG)
    thuis = melding("0342", soest, D(2026, 3, 17), naam="Thuis", status=Melding.Status.AANVRAAG)
    for m, functie in ((wonen, bw), (thuis, begeleiding)):
        aanvraag = Aanvraag.objects.create(melding=m, dossier=m.dossier, ontvangen_op=D(2026, 3, 2))
        aanvraag.functies.set([functie])
    client.force_login(soest)
    with freeze_time(VANDAAG):
        assert namen(client.get(f"/toegang/werkvoorraad/?functie={bw.pk}")) == ["Wonen"]
        response = client.get("/toegang/werkvoorraad/")
    assert set(response.context["functies"]) == {bw, begeleiding}
