"""Work reaches the next person at once (issue 18): ``regio.notificaties.meld`` in the event's
own transaction, to whoever must act and may open the object, and the e-mail (direct and the
daily digest) through a real SMTP server, naming only the kind of event."""

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product, Rapportage
from inkoop.rapportages import services as rapportages
from regio import notificaties
from regio.jobs import job
from regio.models import JobRun, Notificatie, User
from tests import scenarios
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    UserFactory,
    consulent,
    dossier_in,
    gebruiker,
)
from tests.test_toegang_verzoeken import bouw_opzet
from toegang.beschikkingen import producten, services
from toegang.models import Adres
from toegang.wachtlijst import doorstroom

D = datetime.date
Soort = Notificatie.Soort
WBBW = "wmo-begeleiding-en-beschermd-wonen"


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()


@pytest.fixture
def soest_a(refdata):
    return consulent("consulent-soest-a", "0342", first_name="Anna", last_name="Aalbers")


@pytest.fixture
def soest_b(refdata):
    return consulent("consulent-soest-b", "0342", first_name="Bram", last_name="Bos")


@pytest.fixture
def soest_c(refdata):
    return consulent("consulent-soest-c", "0342")


@pytest.fixture
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


@pytest.fixture
def dossier(catalogus):
    d = dossier_in("0342")
    Adres.objects.create(
        persoon=d.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 BH", plaats="Soest",
    )  # fmt: skip
    return d


def regel(code):
    product = Product.objects.get(code=code, perceel__code=WBBW, perceel__regio__code="amersfoort")
    return producten.ProductRegel(product=product, toegekend=True)


def concept(dossier, user):
    return services.maak_concept(
        dossier, user, besluit="toekenning", regels=[regel("begeleiding")],
        perceel=Perceel.objects.get(code=WBBW, regio__code="amersfoort"),
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31),
        motivering="Uit het onderzoek blijkt dat begeleiding nodig is.",
    )  # fmt: skip


def ontvangers(soort):
    return set(Notificatie.objects.filter(soort=soort).values_list("user__username", flat=True))


# --- the beschikking --------------------------------------------------------------------------


def test_ter_accordering_reaches_who_may_accord_but_not_who_wrote_it(
    dossier, soest_a, soest_b, soest_c, baarn
):
    b = concept(dossier, soest_a)
    b.bewerkers.add(soest_b)  # as bewaar_concept records who changed it
    services.dien_in(b, soest_a)
    # soest_a wrote and submitted it, soest_b changed it; baarn cannot open it.
    assert ontvangers(Soort.TER_ACCORDERING) == {"consulent-soest-c"}
    n = Notificatie.objects.get(soort=Soort.TER_ACCORDERING)
    assert n.url == reverse("toegang:beschikking-detail", args=[b.pk])
    assert dossier.client.persoon.geslachtsnaam not in n.tekst


def test_vastgesteld_and_teruggestuurd_reach_the_opsteller(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    services.stuur_terug(b, soest_b, "Motivering aanvullen")
    assert ontvangers(Soort.TERUGGESTUURD) == {"consulent-soest-a"}
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    assert ontvangers(Soort.VASTGESTELD) == {"consulent-soest-a"}
    # Two submissions are two events: soest_b was told twice.
    assert Notificatie.objects.filter(user=soest_b, soort=Soort.TER_ACCORDERING).count() == 2


def test_taking_back_ones_own_concept_tells_nobody(dossier, soest_a):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    services.stuur_terug(b, soest_a)
    assert not Notificatie.objects.filter(soort=Soort.TERUGGESTUURD).exists()


def test_a_rolled_back_event_leaves_no_notification_and_sends_no_mail(
    dossier, soest_a, soest_b, mailoutbox
):
    User.objects.filter(pk=soest_b.pk).update(
        email="b@example.org", email_notificaties=User.Email.DIRECT
    )
    b = concept(dossier, soest_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dien_in(b, soest_a)
        assert ontvangers(Soort.TER_ACCORDERING) == {"consulent-soest-b"}
        raise RuntimeError("iets anders faalt in dezelfde transactie")
    assert not Notificatie.objects.exists()
    assert mailoutbox == []


# --- meld itself ------------------------------------------------------------------------------


def test_meld_with_a_key_tells_each_user_once(refdata):
    u = UserFactory(username="iemand")
    for _ in range(2):
        notificaties.meld([u, u], soort=Soort.OVERIG, tekst="Hallo", sleutel="een:sleutel")
    assert Notificatie.objects.filter(user=u).count() == 1


# --- the waiting list -------------------------------------------------------------------------


@pytest.fixture
def wereld(refdata):
    return scenarios.wachtlijst(
        locaties=[{"naam": "De Horst"}],
        lt=scenarios.consulent_van("lt-amersfoort", scenarios.AMERSFOORT),
        lt_soest=scenarios.consulent_van("lt-soest", scenarios.SOEST),
    )


def test_aanmelding_reaches_the_ct_and_placement_and_uitstroom_the_lokaal_team(wereld):
    a = scenarios.aanmelding(
        wereld, door=wereld.lt, functie=wereld.bw, wachtend_sinds=scenarios.JAN_10_2024
    )
    # The lokaal team registered the client: the CT is told (not the team, not Soest).
    assert ontvangers(Soort.AANMELDING) == {"ct-test"}
    p = scenarios.plaatsing(wereld, a, wereld.locatie, scenarios.VANDAAG)
    assert ontvangers(Soort.PLAATSING) == {"lt-amersfoort"}
    n = Notificatie.objects.get(soort=Soort.PLAATSING)
    assert n.url == reverse("toegang:aanmelding_detail", args=[a.pk])
    assert a.dossier.client.persoon.geslachtsnaam not in n.tekst
    doorstroom.beeindigen(p, wereld.ct, "uitstroom", scenarios.VANDAAG, "wlz")
    assert ontvangers(Soort.UITSTROOM) == {"lt-amersfoort"}
    assert "uitstroom per" in Notificatie.objects.get(soort=Soort.UITSTROOM).tekst
    # The CT took these steps itself: it is told of none of them.
    assert not Notificatie.objects.filter(user=wereld.ct).exclude(soort=Soort.AANMELDING).exists()
    assert not Notificatie.objects.filter(user=wereld.lt_soest).exists()


def test_the_contractpartner_keeping_the_list_hears_of_an_aanmelding(wereld):
    wereld.regio.wachtlijstbeheer = "contractpartner"
    wereld.regio.save(update_fields=["wachtlijstbeheer"])
    scenarios.aanmelding(wereld, door=wereld.lt)
    assert ontvangers(Soort.AANMELDING) == set()  # the regio's CT does not keep this list


# --- verzoeken and rapportages ----------------------------------------------------------------


def test_a_verzoek_of_a_provider_reaches_the_consulenten_of_that_gemeente(refdata):
    opzet = bouw_opzet()
    verzoek = opzet.vot()
    assert ontvangers(Soort.VERZOEK) == {"consulent-verzoek"}  # not Baarn, not the system
    n = Notificatie.objects.get(soort=Soort.VERZOEK)
    assert n.url == reverse("toegang:verzoek-detail", args=[verzoek.pk])
    assert opzet.bsn not in n.tekst


def test_rapportage_ingediend_reaches_risb_and_the_answer_the_aanbieder(refdata):
    perceel = PerceelFactory(code="wmo", naam="Wmo")
    aanbieder = AanbiederFactory(naam="Zorggroep Eemland")
    contract = ContractFactory(aanbieder=aanbieder, kenmerk="AMF-R1", percelen=[perceel])
    andere = AanbiederFactory(naam="Andere Zorg")
    risb = gebruiker("risb-amf", "contractmanager", regio="amersfoort")
    gebruiker("risb-gron", "contractmanager", regio="groningen")
    eemland = gebruiker("eemland", "aanbieder", aanbieder=aanbieder)
    gebruiker("andere-zorg", "aanbieder", aanbieder=andere)
    r = Rapportage.objects.create(contract=contract, jaar=2025, kwartaal=4)
    S = Rapportage.Status
    rapportages.overgang(r, S.INGEDIEND, eemland)
    assert ontvangers(Soort.RAPPORTAGE_INGEDIEND) == {"risb-amf"}
    rapportages.overgang(r, S.IN_BEOORDELING, risb)
    rapportages.overgang(r, S.TERUGGESTUURD, risb, "Aantallen kloppen niet")
    assert ontvangers(Soort.RAPPORTAGE_TERUGGESTUURD) == {"eemland"}
    rapportages.overgang(r, S.INGEDIEND, eemland)
    rapportages.overgang(r, S.IN_BEOORDELING, risb)
    rapportages.overgang(r, S.AKKOORD, risb)
    assert ontvangers(Soort.RAPPORTAGE_AKKOORD) == {"eemland"}
    assert Notificatie.objects.get(soort=Soort.RAPPORTAGE_AKKOORD).url == reverse(
        "inkoop:rapportage-detail", args=[r.pk]
    )


# --- jobs -------------------------------------------------------------------------------------


@job("test.notificatie-gereed", "Testoverzicht", capability="regio.view_jobrun")
def gereed(ctx):
    return {"klaar": True}


@job("test.notificatie-mislukt", "Testoverzicht dat faalt", capability="regio.view_jobrun")
def mislukt(ctx):
    raise ValueError("bron ontbreekt")


def test_a_finished_job_tells_who_started_it_once(refdata):
    starter = UserFactory(username="starter")
    run = JobRun.objects.create(soort="test.notificatie-gereed", gestart_door=starter)
    gereed.definitie.task(run.pk)
    gereed.definitie.task(run.pk)  # redelivered: finds it finished
    (n,) = Notificatie.objects.filter(user=starter)
    assert (n.soort, n.tekst) == (Soort.TAAK_GEREED, "Testoverzicht: gereed.")
    assert n.url == reverse("regio:jobrun-detail", args=[run.pk])
    fout = JobRun.objects.create(soort="test.notificatie-mislukt", gestart_door=starter)
    with pytest.raises(ValueError):
        mislukt.definitie.task(fout.pk)
    assert Notificatie.objects.get(user=starter, soort=Soort.TAAK_MISLUKT).url.endswith(
        f"/taken/{fout.pk}/"
    )
    # A scheduled run (nobody started it) tells nobody.
    systeem = JobRun.objects.create(soort="test.notificatie-gereed")
    gereed.definitie.task(systeem.pk)
    assert Notificatie.objects.count() == 2


# --- e-mail through a real SMTP server --------------------------------------------------------


class Opvang:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.berichten = []

    async def handle_DATA(self, server, session, envelope):
        bericht = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.berichten.append((envelope.rcpt_tos, bericht))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        poort = s.getsockname()[1]
    opvang = Opvang()
    controller = Controller(opvang, hostname="127.0.0.1", port=poort)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", poort, False
    settings.SITE_URL = "https://regiozorg.example.nl"
    yield opvang
    controller.stop()


def tekst_van(bericht) -> str:
    return bericht.get_body(preferencelist=("plain",)).get_content()


def test_direct_email_after_commit_names_the_kind_and_a_link_only(
    dossier, soest_a, soest_b, soest_c, smtp, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=soest_b.pk).update(
        email="bram@example.org", email_notificaties=User.Email.DIRECT
    )
    User.objects.filter(pk=soest_c.pk).update(email="c@example.org")  # chose no e-mail
    b = concept(dossier, soest_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.dien_in(b, soest_a)
        assert smtp.berichten == []  # nothing before the commit
    ((aan, bericht),) = smtp.berichten
    assert aan == ["bram@example.org"]
    body = tekst_van(bericht)
    assert bericht["Subject"] == "regiozorg: Beschikking ter accordering"
    assert "Een beschikking wacht op uw accordering." in body
    assert "https://regiozorg.example.nl/toegang/notificaties/" in body
    persoon = dossier.client.persoon
    n = Notificatie.objects.get(user=soest_b)
    for persoonsgegeven in (persoon.geslachtsnaam, persoon.voornamen, persoon.bsn, n.tekst):
        assert persoonsgegeven not in body
        assert persoonsgegeven not in bericht["Subject"]
    assert n.gemaild_op is not None
    assert Notificatie.objects.get(user=soest_c).gemaild_op is None


def test_the_daily_deadline_warnings_are_mailed_to_who_chose_direct(
    refdata, smtp, django_capture_on_commit_callbacks
):
    """The deadline job goes through the same service as every event: "direct" means direct."""
    from tests.test_toegang_werkvoorraad import melding
    from toegang.meldingen.tasks import signaleer_termijnen

    soest = consulent(
        "termijn-mail", "0342", email="t@example.org", email_notificaties=User.Email.DIRECT
    )
    melding("0342", soest, datetime.date(2026, 3, 17))
    with django_capture_on_commit_callbacks(execute=True):
        assert signaleer_termijnen(datetime.date(2026, 3, 10))["notificaties"] == 1
    ((aan, bericht),) = smtp.berichten
    assert aan == ["t@example.org"]
    assert "Een termijn van een zaak van u verloopt binnenkort." in tekst_van(bericht)
    assert Notificatie.objects.get(user=soest).tekst not in tekst_van(bericht)
    assert Notificatie.objects.get(user=soest).gemaild_op is not None


def test_daily_digest_counts_per_kind_once(refdata, smtp):
    dagelijks = UserFactory(
        username="dagelijks", email="d@example.org", first_name="Dirk",
        email_notificaties=User.Email.DAGELIJKS,
    )  # fmt: skip
    direct = UserFactory(
        username="direct", email="e@example.org", email_notificaties=User.Email.DIRECT
    )
    for tekst in ("Beschikking 1 (Soest) van Jansen", "Beschikking 2 (Soest) van Pietersen"):
        notificaties.meld([dagelijks, direct], soort=Soort.TER_ACCORDERING, tekst=tekst)
    notificaties.meld([dagelijks], soort=Soort.PLAATSING, tekst="Aanmelding 3: geplaatst")
    gelezen = notificaties.meld([dagelijks], soort=Soort.VERZOEK, tekst="gelezen")
    Notificatie.objects.filter(user__in=gelezen, soort=Soort.VERZOEK).update(
        gelezen_op=timezone.now()
    )
    assert notificaties.stuur_samenvattingen() == {"gebruikers": 1, "verstuurd": 1}
    ((aan, bericht),) = smtp.berichten
    assert aan == ["d@example.org"]
    body = tekst_van(bericht)
    assert "U heeft 3 nieuwe notificatie(s)" in body
    assert "- Beschikking ter accordering: 2" in body and "- Plaatsing: 1" in body
    assert "Verzoek" not in body  # read already
    for woord in ("Jansen", "Pietersen", "Beschikking 1", "Aanmelding 3"):
        assert woord not in body
    # The next run has nothing new to say.
    assert notificaties.stuur_samenvattingen() == {"gebruikers": 0, "verstuurd": 0}


def test_the_digest_is_a_daily_beat_task(beat_schema):
    taak = PeriodicTask.objects.get(task="regio.notificaties_samenvatting")
    assert taak.enabled and taak.crontab.hour == "7"


# --- the screens ------------------------------------------------------------------------------


def test_mark_one_read_and_opening_the_link_marks_it_read(client, refdata):
    u, ander = UserFactory(username="lezer"), UserFactory(username="ander")
    notificaties.meld([u], soort=Soort.OVERIG, tekst="Eerste", url="/toegang/werkvoorraad/")
    notificaties.meld([u], soort=Soort.OVERIG, tekst="Tweede", url="//elders.example/")
    vreemd = notificaties.meld([ander], soort=Soort.OVERIG, tekst="Niet van u")
    eerste, tweede = Notificatie.objects.filter(user=u).order_by("pk")
    client.force_login(u)
    assert "Markeer als gelezen" in client.get("/toegang/notificaties/").content.decode()
    antwoord = client.post(reverse("toegang:notificatie-gelezen", args=[eerste.pk]))
    assert antwoord.status_code == 302
    eerste.refresh_from_db()
    assert eerste.gelezen_op is not None
    tweede.refresh_from_db()
    assert tweede.gelezen_op is None
    # Opening follows the link and marks it read; a link out of regiozorg is not followed.
    antwoord = client.get(reverse("toegang:notificatie-openen", args=[tweede.pk]))
    assert antwoord.url == reverse("toegang:notificaties")
    tweede.refresh_from_db()
    assert tweede.gelezen_op is not None
    (andermans,) = Notificatie.objects.filter(user__in=vreemd)
    assert (
        client.post(reverse("toegang:notificatie-gelezen", args=[andermans.pk])).status_code == 404
    )
    assert client.get(reverse("toegang:notificatie-openen", args=[andermans.pk])).status_code == 404
    andermans.refresh_from_db()
    assert andermans.gelezen_op is None


def test_opening_a_notification_goes_to_its_object(client, refdata):
    u = UserFactory(username="lezer")
    notificaties.meld([u], soort=Soort.OVERIG, tekst="Eerste", url="/toegang/werkvoorraad/")
    n = Notificatie.objects.get(user=u)
    client.force_login(u)
    assert client.get(reverse("toegang:notificatie-openen", args=[n.pk])).url == n.url
    assert client.get("/toegang/notificaties/").context["ongelezen"] == 0


def test_mijn_instellingen_sets_the_email_choice(client, refdata):
    u = UserFactory(username="instellen", email="i@example.org")
    client.force_login(u)
    pagina = client.get(reverse("regio:mijn-instellingen")).content.decode()
    assert "Eén samenvatting per dag" in pagina and "i@example.org" in pagina
    antwoord = client.post(reverse("regio:mijn-instellingen"), {"email_notificaties": "dagelijks"})
    assert antwoord.status_code == 302
    u.refresh_from_db()
    assert u.email_notificaties == User.Email.DAGELIJKS
    fout = client.post(reverse("regio:mijn-instellingen"), {"email_notificaties": "elk-uur"})
    assert fout.status_code == 200 and "field-error" in fout.content.decode()


def test_ter_accordering_tab_with_beslistermijn_and_counts(
    client, dossier, soest_a, soest_c, baarn
):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    client.force_login(soest_c)
    pagina = client.get(reverse("toegang:werkvoorraad-ter-accordering"))
    html = pagina.content.decode()
    assert "Ter accordering (1)" in html
    assert [r.pk for r in pagina.context["object_list"]] == [b.pk]
    client.force_login(soest_a)  # wrote it: four eyes
    html = client.get(reverse("toegang:werkvoorraad-ter-accordering")).content.decode()
    assert "Ter accordering (0)" in html and f"Beschikking {b.pk}" not in html
    client.force_login(baarn)
    assert (
        client.get(reverse("toegang:werkvoorraad")).content.decode().count("Ter accordering (0)")
        == 1
    )
