"""Retention and destruction (issue 9): the retention rule's edge cases, the monthly job that
proposes destruction lists, approving and carrying out a list, and THE test that destruction
leaves neither BSN nor name anywhere in the database or the media files while history and
aggregates stay valid."""

import datetime
import os
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from financien.models import Jaarparameters, Kostenregel
from regio.models import AuditEntry, IdempotentVerzoek, JobRun
from tests import scenarios
from tests.factories import (
    AdresFactory,
    JaarparametersFactory,
    MeldingFactory,
    ToewijzingFactory,
    UserFactory,
    beschikt_product,
    dossier_in,
    gemeente,
    grant,
    valid_bsn,
)
from toegang.models import (
    Beschikking,
    BeschiktProduct,
    Document,
    Dossier,
    Melding,
    Persoon,
    Relatie,
    Toewijzing,
    Vernietigingslijst,
    Zorgbeweging,
)
from toegang.privacy import bewaren
from toegang.privacy import tasks as bewaren_tasks

D = datetime.date
VANDAAG = datetime.date.today()
JAREN = relativedelta(years=1)


# --- helpers -------------------------------------------------------------------------------------


def bouw_opzet():
    """A BW perceel in regio Amersfoort with one product, a contract and a consulent (the
    waiting list's BW aanbod, without its CT)."""
    return scenarios.wachtlijst(
        ct=None, functies={"bw": "Beschermd wonen"}, begin=D(2000, 1, 1), einde=VANDAAG + JAREN,
        user=scenarios.consulent_van("consulent-bewaren", "0307"),
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def gesloten(code="0307", geopend=None, **kwargs):
    return dossier_in(code, geopend_op=geopend or D(2005, 1, 10), status="gesloten", **kwargs)


def toegekend(opzet, dossier, ingang, eind, **kwargs):
    return beschikt_product(dossier, opzet.bw, ingang, eind, opzet.user, **kwargs)


def toewijzing(opzet, bp, ingang, eind, nummer=None):
    """Stored directly: the service would refuse care that ended years ago."""
    return ToewijzingFactory(
        beschikt_product=bp, contract=opzet.contract, ingangsdatum=ingang, einddatum=eind,
        nummer=nummer or Toewijzing.objects.count() + 1,
    )  # fmt: skip


def melding(dossier, op, status="ingetrokken", **velden):
    return MeldingFactory(dossier=dossier, ontvangen_op=op, status=status, **velden)


def voorbij(peildatum=VANDAAG, qs=None):
    return set(bewaren.voorbij_bewaartermijn(qs or Dossier.objects.all(), peildatum))


# --- the retention rule --------------------------------------------------------------------------


@pytest.mark.django_db
def test_granted_support_is_kept_fifteen_years_after_it_ended(opzet):
    einde = VANDAAG - 15 * JAREN - datetime.timedelta(days=1)
    oud = gesloten()
    toegekend(opzet, oud, einde - 2 * JAREN, einde)
    net_niet = gesloten("0342")
    toegekend(opzet, net_niet, einde - 2 * JAREN, einde + datetime.timedelta(days=2))

    termijn = bewaren.bewaartermijn(oud)
    assert termijn == bewaren.Bewaartermijn("ondersteuning", einde, einde + 15 * JAREN)
    assert termijn.voorbij(VANDAAG)
    assert not bewaren.bewaartermijn(net_niet).voorbij(VANDAAG)
    assert voorbij() == {oud}


@pytest.mark.django_db
def test_the_latest_end_of_product_toewijzing_or_withdrawal_counts(opzet):
    d = gesloten()
    bp = toegekend(opzet, d, D(2005, 1, 1), D(2006, 12, 31))
    toewijzing(opzet, bp, D(2005, 1, 1), D(2007, 6, 30))  # delivered longer than decided
    assert bewaren.bewaartermijn(d).einde == D(2007, 6, 30)

    # An open-ended product of a withdrawn beschikking ended on the day it was withdrawn.
    ingetrokken = gesloten("0342")
    bp = toegekend(opzet, ingetrokken, D(2005, 1, 1), None)
    Beschikking.objects.filter(pk=bp.beschikking_id).update(
        status="ingetrokken", ingetrokken_op=D(2006, 3, 1)
    )
    assert bewaren.bewaartermijn(ingetrokken).einde == D(2006, 3, 1)
    assert voorbij() == {d, ingetrokken}


@pytest.mark.django_db
def test_a_replaced_beschikking_ends_where_its_new_version_begins(opzet):
    d = gesloten()
    oud = toegekend(opzet, d, D(2004, 1, 1), None)  # open-ended, then replaced
    BeschiktProduct.objects.filter(pk=oud.pk).update(actief=False)
    Beschikking.objects.filter(pk=oud.beschikking_id).update(status="gewijzigd")
    nieuw = toegekend(opzet, d, D(2006, 1, 1), D(2007, 1, 1), status="concept")
    Beschikking.objects.filter(pk=nieuw.beschikking_id).update(
        vorige=oud.beschikking_id, status="verlopen", vastgesteld_op=timezone.now()
    )
    # Without the new version the open product would mean that support still runs.
    assert bewaren.bewaartermijn(d).einde == D(2007, 1, 1)


@pytest.mark.django_db
def test_nothing_granted_is_kept_five_years_after_the_last_activity(opzet):
    afgewezen = gesloten(geopend=D(2010, 1, 1))
    melding(afgewezen, VANDAAG - 5 * JAREN - datetime.timedelta(days=3))
    recent = gesloten("0342", geopend=D(2010, 1, 1))
    melding(recent, VANDAAG - 4 * JAREN)
    # A refused product is no grant.
    bp = toegekend(opzet, recent, D(2010, 2, 1), D(2010, 12, 31), status="concept")
    BeschiktProduct.objects.filter(pk=bp.pk).update(toegekend=False)
    Beschikking.objects.filter(pk=bp.beschikking_id).update(
        status="bekendgemaakt", besluit="afwijzing",
        vastgesteld_op=timezone.now() - 16 * JAREN,
        bekendgemaakt_op=D(2010, 2, 1),
    )  # fmt: skip

    termijn = bewaren.bewaartermijn(afgewezen)
    assert termijn.grondslag == "niets"
    assert termijn.einde == VANDAAG - 5 * JAREN - datetime.timedelta(days=3)
    assert bewaren.bewaartermijn(recent).grondslag == "niets"
    assert bewaren.bewaartermijn(recent).einde == VANDAAG - 4 * JAREN
    assert voorbij() == {afgewezen}


@pytest.mark.django_db
def test_open_dossiers_and_running_support_are_never_listed(opzet):
    open_dossier = dossier_in("0307", geopend_op=D(2000, 1, 1))  # status open
    lopend = gesloten()
    toegekend(opzet, lopend, D(2001, 1, 1), None)  # no end: support runs
    lopende_toewijzing = gesloten("0342")
    bp = toegekend(opzet, lopende_toewijzing, D(2001, 1, 1), D(2002, 1, 1))
    toewijzing(opzet, bp, D(2001, 1, 1), None)
    open_melding = gesloten("0313")
    melding(open_melding, D(2001, 1, 1), status="onderzoek")

    for d in (open_dossier, lopend, lopende_toewijzing, open_melding):
        assert bewaren.bewaartermijn(d) is None, d
    assert voorbij() == set()


@pytest.mark.django_db
def test_a_client_at_two_gemeenten_keeps_the_person_until_the_last_dossier_goes(opzet):
    amersfoort = gesloten("0307")
    toegekend(opzet, amersfoort, D(2001, 1, 1), D(2002, 1, 1))
    client = amersfoort.client
    leusden = Dossier.objects.create(
        client=client, verantwoordelijke_gemeente=gemeente("0327"), geopend_op=D(2020, 1, 1)
    )
    assert voorbij() == {amersfoort}  # Leusden's dossier is open

    assert bewaren.vernietig_dossier(amersfoort, user=None) is True
    assert Persoon.objects.filter(client=client).exists()  # still needed in Leusden
    assert bewaren.vernietig_dossier(amersfoort, user=None) is False  # idempotent
    Dossier.objects.filter(pk=leusden.pk).update(status="gesloten")
    bewaren.vernietig_dossier(leusden, user=None)
    assert not Persoon.objects.filter(client=client).exists()
    assert Dossier.objects.filter(client=client, vernietigd_op__isnull=False).count() == 2


def test_the_retention_query_is_one_statement(opzet, django_assert_num_queries):
    for n in range(5):
        d = gesloten(geopend=D(2001, 1, 1))
        toegekend(opzet, d, D(2002, 1, 1), D(2003, 1, 1 + n))
    with django_assert_num_queries(1):
        assert len(voorbij()) == 5


# --- the monthly job and the lists ---------------------------------------------------------------


def oude_dossiers(opzet, code, aantal):
    dossiers = []
    for _ in range(aantal):
        d = gesloten(code, geopend=D(2001, 1, 1))
        toegekend(opzet, d, D(2002, 1, 1), D(2004, 1, 1))
        dossiers.append(d)
    return dossiers


def draai_maandjob(peildatum=VANDAAG):
    """The beat task starts one run per gemeente; run each here, in this process."""
    from regio.jobs import JOBS

    ids = bewaren_tasks.start_lijsten(peildatum)
    for run in JobRun.objects.filter(pk__in=ids):
        JOBS[run.soort].task.apply(args=(run.pk,))
    return ids


@pytest.mark.django_db
def test_the_monthly_job_makes_one_list_per_gemeente_and_a_rerun_duplicates_nothing(opzet):
    a = oude_dossiers(opzet, "0307", 2)
    b = oude_dossiers(opzet, "0342", 1)
    gesloten("0313", geopend=VANDAAG - JAREN)  # not due: no list for Bunschoten

    runs = draai_maandjob()
    assert len(runs) == 3
    assert all(r.status == "gereed" for r in JobRun.objects.filter(pk__in=runs))
    assert draai_maandjob() == []  # a redelivered beat task starts nothing twice
    bewaren.lijst_bijwerken(
        gemeente("0307"), Dossier.objects.filter(verantwoordelijke_gemeente__code="0307"), VANDAAG
    )

    lijsten = {lijst.gemeente.code: lijst for lijst in Vernietigingslijst.objects.all()}
    assert set(lijsten) == {"0307", "0342"}
    assert {r.dossier for r in lijsten["0307"].regels.all()} == set(a)
    assert {r.dossier for r in lijsten["0342"].regels.all()} == set(b)
    assert lijsten["0307"].status == "concept"
    regel = lijsten["0307"].regels.first()
    assert (regel.grondslag, regel.einde, regel.bewaren_tot) == (
        "ondersteuning", D(2004, 1, 1), D(2019, 1, 1),
    )  # fmt: skip

    # A dossier reopened meanwhile leaves the list at the next run.
    Dossier.objects.filter(pk=a[0].pk).update(status="open")
    draai_maandjob(VANDAAG + datetime.timedelta(days=31))
    assert {r.dossier for r in lijsten["0307"].regels.all()} == {a[1]}
    assert Vernietigingslijst.objects.count() == 2


@pytest.mark.django_db
def test_approve_exclude_and_carry_out_a_list(opzet):
    d1, d2, d3 = oude_dossiers(opzet, "0307", 3)
    officer = UserFactory(username="privacy-amersfoort")
    grant(officer, "privacyfunctionaris", gemeente="0307")
    lijst = bewaren.lijst_bijwerken(gemeente("0307"), Dossier.objects.all(), VANDAAG)
    r1, r2, r3 = lijst.regels.order_by("dossier_id")

    with pytest.raises(ValidationError) as fout:
        bewaren.regel_uitzonderen(r2, user=officer, reden="  ")
    assert "reden" in fout.value.message_dict
    bewaren.regel_uitzonderen(r2, user=officer, reden="Lopende WOO-procedure.")
    with pytest.raises(ValidationError):
        bewaren.lijst_uitvoeren(lijst, user=None)  # not approved yet
    bewaren.goedkeuren(lijst, user=officer)
    lijst.refresh_from_db()
    assert lijst.beoordeeld_door == officer and lijst.beoordeeld_op is not None
    with pytest.raises(ValidationError):
        bewaren.regel_uitzonderen(r3, user=officer, reden="Te laat.")

    # d3 gets new support after approval: it is no longer due and is kept, with that reason.
    Dossier.objects.filter(pk=d3.pk).update(status="open")
    uitkomst = bewaren.lijst_uitvoeren(lijst, user=officer)
    assert uitkomst == {"vernietigd": 1, "overgeslagen": 1}
    lijst.refresh_from_db()
    assert lijst.status == "uitgevoerd" and lijst.uitgevoerd_op is not None
    r1.refresh_from_db(), r2.refresh_from_db(), r3.refresh_from_db()
    assert r1.vernietigd_op is not None and r2.vernietigd_op is None
    assert r3.uitgezonderd and "niet meer over de bewaartermijn" in r3.uitzondering_reden
    assert not Persoon.objects.filter(client=d1.client).exists()
    assert Persoon.objects.filter(client=d2.client).exists()
    assert Persoon.objects.filter(client=d3.client).exists()
    assert bewaren.lijst_uitvoeren(lijst, user=None) == {"vernietigd": 0, "overgeslagen": 0}
    assert AuditEntry.objects.filter(actie="delete", object_type="toegang.dossier").count() == 1

    # Next month d2 comes back, still excluded with the earlier reason.
    nieuw = bewaren.lijst_bijwerken(gemeente("0307"), Dossier.objects.all(), VANDAAG)
    (regel,) = nieuw.regels.all()
    assert regel.dossier == d2 and regel.uitgezonderd
    assert "Lopende WOO-procedure." in regel.uitzondering_reden


# --- screens -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_screens_approve_and_start_destruction_and_other_gemeenten_get_404(opzet, client):
    oude_dossiers(opzet, "0307", 3)
    oude_dossiers(opzet, "0342", 1)
    for code in ("0307", "0342"):
        bewaren.lijst_bijwerken(gemeente(code), Dossier.objects.all(), VANDAAG)
    lijst = Vernietigingslijst.objects.get(gemeente__code="0307")
    vreemd = Vernietigingslijst.objects.get(gemeente__code="0342")
    officer = UserFactory(username="privacy-0307")
    grant(officer, "privacyfunctionaris", gemeente="0307")
    client.force_login(officer)

    overzicht = client.get(reverse("privacy:lijst-list"))
    assert overzicht.status_code == 200
    assert "Amersfoort" in overzicht.text and "Soest" not in overzicht.text
    detail = client.get(reverse("privacy:lijst-detail", args=[lijst.pk]) + "?sort=-dossier")
    assert detail.status_code == 200 and detail.text.count("Uitzonderen<span") == 3
    for rommel in ("?page=abc&sort=zzz", "?page=999", "?sort=-"):
        url = reverse("privacy:lijst-detail", args=[lijst.pk]) + rommel
        assert client.get(url).status_code == 200, rommel
    assert client.get(reverse("privacy:lijst-list") + "?sort=x&page=-1").status_code in (200, 404)
    for naam in ("lijst-detail", "lijst-goedkeuren", "lijst-afwijzen", "lijst-uitvoeren"):
        assert client.get(reverse(f"privacy:{naam}", args=[vreemd.pk])).status_code == 404
    regel = vreemd.regels.first()
    assert client.get(reverse("privacy:regel-uitzonderen", args=[regel.pk])).status_code == 404

    # Excluding needs a reason, shown at the field.
    eigen = lijst.regels.order_by("pk").first()
    url = reverse("privacy:regel-uitzonderen", args=[eigen.pk])
    fout = client.post(url, {"reden": ""})
    assert fout.status_code == 200 and "field-error" in fout.text
    assert client.post(url, {"reden": "Archiefwaardig."}).status_code == 302

    bevestig = client.get(reverse("privacy:lijst-goedkeuren", args=[lijst.pk]))
    assert bevestig.status_code == 200 and "Goedkeuren" in bevestig.text
    assert client.post(reverse("privacy:lijst-goedkeuren", args=[lijst.pk])).status_code == 302
    lijst.refresh_from_db()
    assert lijst.status == "goedgekeurd" and lijst.beoordeeld_door == officer
    weer = client.post(reverse("privacy:lijst-goedkeuren", args=[lijst.pk]))
    assert weer.status_code == 200 and "kan niet meer" in weer.text

    antwoord = client.post(reverse("privacy:lijst-uitvoeren", args=[lijst.pk]))
    run = JobRun.objects.get(soort="toegang.vernietigen")
    assert antwoord.status_code == 302 and antwoord.url == reverse(
        "regio:jobrun-detail", args=[run.pk]
    )
    # Starting twice starts one run.
    client.post(reverse("privacy:lijst-uitvoeren", args=[lijst.pk]))
    assert JobRun.objects.filter(soort="toegang.vernietigen").count() == 1
    assert client.get(reverse("regio:jobrun-detail", args=[run.pk])).status_code == 200
    from regio.jobs import JOBS

    JOBS["toegang.vernietigen"].task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == "gereed" and run.resultaat == {"vernietigd": 2, "overgeslagen": 0}


@pytest.mark.django_db
def test_a_consulent_cannot_reach_the_privacy_screens(opzet, client):
    oude_dossiers(opzet, "0307", 1)
    lijst = bewaren.lijst_bijwerken(gemeente("0307"), Dossier.objects.all(), VANDAAG)
    client.force_login(opzet.user)
    assert client.get(reverse("privacy:lijst-list")).status_code == 403
    assert client.get(reverse("privacy:lijst-detail", args=[lijst.pk])).status_code == 404
    assert client.post(reverse("privacy:lijst-goedkeuren", args=[lijst.pk])).status_code == 404


def wachtlijst_opzet():
    """The waiting list of regio Amersfoort with one BW functie, a location of the contracted
    aanbieder, a Centrale Toegang user and a consulent of Amersfoort."""
    return scenarios.wachtlijst(
        ct="ct-bewaren", functies={"bw": "Beschermd wonen"}, einde=VANDAAG + 2 * JAREN,
        consulent=scenarios.consulent_van("consulent-alles", "0307"),
        locaties=[dict(naam="Huis Eik", plaatsen=3)],
    )  # fmt: skip


# --- THE test: nothing of the person is left, history and aggregates are ----------------------


BSN = valid_bsn(987_654)
NAAM = "Zwanenburgh-Quaestor"


def dump_database() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tabellen = [t for (t,) in cursor.fetchall()]
        inhoud = {}
        for tabel in tabellen:
            cursor.execute(f'SELECT t::text FROM "{tabel}" t')
            inhoud[tabel] = "\n".join(r for (r,) in cursor.fetchall())
    return inhoud


def media_bestanden() -> dict[str, bytes]:
    gevonden = {}
    for root, _, namen in os.walk(settings.MEDIA_ROOT):
        for naam in namen:
            pad = os.path.join(root, naam)
            with open(pad, "rb") as f:
                gevonden[pad] = f.read()
    return gevonden


def sporen(tabellen: dict[str, str], bestanden: dict[str, bytes]) -> list[str]:
    """Where the BSN or the name still occurs (tables, file paths, file contents)."""
    gevonden = [
        f"{tabel} ({kenmerk})"
        for tabel, tekst in tabellen.items()
        for kenmerk in (BSN, NAAM)
        if kenmerk in tekst
    ]
    for pad, inhoud in bestanden.items():
        for kenmerk in (BSN, NAAM):
            if kenmerk in pad or kenmerk.encode() in inhoud:
                gevonden.append(f"{pad} ({kenmerk})")
    return gevonden


def client_met_alles():
    """A client with everything the application can hold about a person, the BSN and the name
    written into every free-text field and file."""
    from toegang.models import (
        Aanmelding,
        Aanvraag,
        Bezwaar,
        Declaratie,
        Declaratieregel,
        Evaluatie,
        Opschorting,
        Plaatsing,
        Trajectdoel,
        Trajectplan,
        Verzoek,
        Wachtstatusbericht,
    )
    from toegang.toewijzingen.iwmo_xml.export import wmo301_berichten
    from toegang.wachtlijst import services as ws

    o = wachtlijst_opzet()
    over = f"{NAAM} (BSN {BSN})"
    d = dossier_in(
        "0307", geopend_op=D(2024, 1, 2), persoon__bsn=BSN, persoon__geslachtsnaam=NAAM,
        persoon__voornamen="Ida", persoon__geboortedatum=D(1970, 5, 6),
        persoon__telefoon="0612345678", persoon__email=f"{NAAM.lower()}@example.nl",
    )  # fmt: skip
    persoon = d.client.persoon
    AdresFactory(
        persoon=persoon, straat=f"{NAAM}straat", huisnummer="7", postcode="3811AB",
        plaats="Amersfoort",
    )  # fmt: skip
    Relatie.objects.create(
        persoon=persoon, soort="02", geslachtsnaam=NAAM, voornamen="Piet", ontvangt_post=True
    )
    m = melding(
        d, D(2024, 1, 3), status="besloten", hulpvraag=f"Hulpvraag van {over}",
        gespreksverslag=f"Gesprek met {over}", tijdelijke_voorziening=over,
    )  # fmt: skip
    aanvraag = Aanvraag.objects.create(
        melding=m, dossier=d, ontvangen_op=D(2024, 1, 20), omschrijving=over,
        verdaging_reden=over,
    )  # fmt: skip
    Opschorting.objects.create(
        aanvraag=aanvraag, dossier=d, van=D(2024, 1, 21), tot=D(2024, 1, 25), reden=over
    )
    upload = Document(dossier=d, soort="upload", naam=f"Brief {over}.pdf", sha256="ab" * 32)
    upload.bestand.save(f"{NAAM}.pdf", ContentFile(f"%PDF-1.4 {over}".encode()), save=True)
    bp = beschikt_product(d, o.bw, D(2024, 2, 1), D(2025, 12, 31), o.consulent, status="concept")
    Beschikking.objects.filter(pk=bp.beschikking_id).update(motivering=f"Motivering: {over}")
    Beschikking.objects.filter(pk=bp.beschikking_id).update(
        status="bekendgemaakt", vastgesteld_op=timezone.now()
    )
    BeschiktProduct.objects.filter(pk=bp.pk).update(actief=True)
    brief = Document(dossier=d, soort="beschikking", naam=f"Beschikking {over}.pdf")
    brief.bestand.save("beschikking.pdf", ContentFile(f"%PDF-1.4 {over}".encode()), save=True)
    Beschikking.objects.filter(pk=bp.beschikking_id).update(brief=brief)
    Bezwaar.objects.create(
        beschikking=bp.beschikking, dossier=d, ontvangen_op=D(2024, 3, 1),
        uitkomst="ongegrond", besloten_op=D(2024, 4, 1), toelichting=over,
    )  # fmt: skip
    t = toewijzing(o, bp, D(2024, 2, 1), D(2025, 12, 31), nummer=4711)
    (_, xml) = wmo301_berichten(gemeente("0307"), peildatum=D(2025, 6, 1))[0]
    assert BSN.encode() in xml  # the message as sent carries the BSN
    k = Kostenregel.objects.create(
        regio=o.regio, jaar=2025, client=d.client, gemeente_herkomst=gemeente("0307"),
        bron="declaratie", referentie="decl-1", periode_begin=D(2025, 3, 1),
        periode_einde=D(2025, 3, 31), bedrag=Decimal("2500.00"), functie=o.bw,
    )  # fmt: skip
    declaratie = Declaratie.objects.create(
        aanbieder=o.aanbieder, gemeente=gemeente("0307"), nummer="D1", bron="api"
    )
    k.declaratieregel = Declaratieregel.objects.create(
        declaratie=declaratie, aanbieder=o.aanbieder, referentie="r1", toewijzing=t,
        toewijzingnummer=4711, productcategorie="15", periode_begin=D(2025, 3, 1),
        periode_einde=D(2025, 3, 31), volume=Decimal("31"), eenheid="14",
        bedrag=Decimal("2500.00"), debet_credit="D", status="toegekend",
        retourcodes=["0200"],
    )  # fmt: skip
    k.save()
    Verzoek.objects.create(
        soort="toewijzing", aanbieder=o.aanbieder, gemeente=gemeente("0307"), dossier=d,
        referentie="vz-1", producten=[{"productcategorie": "15", "ingangsdatum": "2024-02-01"}],
        bron="api", status="afgewezen",
        reden_afwijzing="01", toelichting_antwoord=over,
    )  # fmt: skip

    a = ws.aanmelden(d, o.ct, o.regio, Aanmelding.Route.CRISIS, aangemeld_op=D(2024, 1, 10))
    a = ws.beoordelen(
        a, o.ct, o.bw, None, "urgent", f"Urgent: {over}", gemeente("0307"), bijzonderheden=over,
        overbruggingszorg=over,
    )  # fmt: skip
    a = ws.op_wachtlijst(a, o.ct, D(2024, 1, 10))
    Wachtstatusbericht.objects.create(
        aanmelding=a, ontvanger="client", aanleiding="op_de_lijst", datum=D(2024, 1, 10),
        tekst=f"Geachte mevrouw {NAAM}, ...", sleutel="test:1",
    )  # fmt: skip
    ws.van_de_lijst(a, o.ct, "verhuisd", D(2024, 3, 15))
    plaatsing = Plaatsing.objects.create(
        aanmelding=a, locatie=o.locatie, status="beeindigd", geplaatst_op=D(2024, 3, 1),
        beeindigd_op=D(2024, 3, 15), door=o.ct,
    )  # fmt: skip
    Zorgbeweging.objects.create(
        aanmelding=a, plaatsing=plaatsing, regio=o.regio, client=d.client, soort="uitstroom",
        datum=D(2024, 3, 15), functie=o.bw, bestemming="zelfstandig", door=o.ct,
        toelichting=f"Vertrokken: {over}",
    )  # fmt: skip
    plan = Trajectplan.objects.create(
        plaatsing=plaatsing, opgesteld_op=D(2024, 3, 2), opgesteld_door=o.ct, toelichting=over
    )
    Trajectdoel.objects.create(trajectplan=plan, leefgebied="wonen", omschrijving=over)
    Evaluatie.objects.create(
        trajectplan=plan, gepland_op=D(2024, 3, 10), uitgevoerd_op=D(2024, 3, 10),
        uitgevoerd_door=o.ct, uitkomst="doorgaan", verslag=over,
    )  # fmt: skip
    IdempotentVerzoek.objects.create(
        user=o.ct, sleutel="k1", methode="POST", pad="/api/v1/verzoeken/", body_hash="0" * 64,
        status=201, antwoord={"client": {"bsn": BSN, "naam": NAAM}},
    )  # fmt: skip
    return o, d


def verevening_invoer(o):
    from financien.runs import invoer_uit_database
    from financien.scenario import invoer_als_json
    from financien.services import verdeelmodel_vastleggen

    if not Jaarparameters.objects.filter(regio=o.regio, jaar=2025).exists():
        verdeelmodel_vastleggen(
            o.regio,
            2025,
            {gemeente("0307"): Decimal("60"), gemeente("0342"): Decimal("40")},
            user=None,
        )
        JaarparametersFactory(regio=o.regio, centrumgemeentebudget=Decimal("1000.00"))
    return invoer_als_json(invoer_uit_database(o.regio, 2025))


def wachtlijstcijfers(o):
    from toegang.wachtlijst import rapport as wachtlijstrapport

    r = wachtlijstrapport.rapport(o.regio, D(2024, 3, 1), maanden=3)
    return [(x.maand, x.functie, x.instroom, x.uitstroom, x.stand_eind) for x in r.regels]


@pytest.mark.django_db
def test_destruction_leaves_no_trace_of_the_person_and_keeps_history(refdata):
    o, d = client_met_alles()
    officer = UserFactory(username="privacy-dump")
    grant(officer, "privacyfunctionaris", gemeente="0307")
    client_id = d.client_id
    before_invoer, before_cijfers = verevening_invoer(o), wachtlijstcijfers(o)
    assert any(x[2] for x in before_cijfers)  # the report counts this client
    voor = sporen(dump_database(), media_bestanden())
    # Everywhere before: the test would notice a table the destruction forgets.
    plekken = (
        "toegang_persoon", "toegang_adres", "toegang_relatie", "toegang_melding",
        "toegang_aanvraag", "toegang_opschorting", "toegang_document", "toegang_bezwaar",
        "toegang_aanmelding", "toegang_wachtstatusbericht", "toegang_trajectplan",
        "toegang_trajectdoel", "toegang_evaluatie", "toegang_verzoek", "toegang_uitgaandbericht",
        "regio_idempotentverzoek", "toegang_beschikking", "toegang_zorgbeweging",
    )  # fmt: skip
    for plek in plekken:
        assert any(v.startswith(plek + " ") for v in voor), plek
    assert any(str(settings.MEDIA_ROOT) in v for v in voor)

    assert bewaren.vernietig_dossier(d, user=officer) is True

    tabellen = dump_database()
    assert sporen(tabellen, media_bestanden()) == []
    assert BSN not in tabellen["regio_auditentry"] and NAAM not in tabellen["regio_auditentry"]
    # History stays: the client key, its events, costs, the documents' metadata.
    d.refresh_from_db()
    assert d.vernietigd_op is not None and d.client_id == client_id
    assert Kostenregel.objects.filter(client_id=client_id).count() == 1
    assert Document.objects.filter(dossier=d).count() == 2
    assert Document.objects.get(dossier=d, soort="upload").sha256 == "ab" * 32
    assert verevening_invoer(o) == before_invoer
    assert wachtlijstcijfers(o) == before_cijfers
    entry = AuditEntry.objects.get(actie="delete", object_type="toegang.dossier")
    assert entry.actor_id == officer.pk and entry.object_ids == [str(d.pk)]
    assert entry.toelichting["persoon_verwijderd"] is True
    assert entry.toelichting["bestanden"] == 2
    assert bewaren.vernietig_dossier(d, user=officer) is False


@pytest.mark.django_db
def test_screens_of_a_destroyed_dossier_still_render(refdata, client):
    """History stays reachable for those who may see it, without the person."""
    o, d = client_met_alles()
    bewaren.vernietig_dossier(d, user=None)
    client.force_login(o.consulent)
    from toegang.models import Aanmelding, Toewijzing, Verzoek

    urls = [
        reverse("toegang:dossier-detail", args=[d.pk]),
        reverse("toegang:melding-detail", args=[Melding.objects.get(dossier=d).pk]),
        reverse("toegang:beschikking-detail", args=[Beschikking.objects.get(dossier=d).pk]),
        reverse("toegang:toewijzing-detail", args=[Toewijzing.objects.get().pk]),
        reverse("toegang:verzoek-detail", args=[Verzoek.objects.get().pk]),
        reverse("toegang:dossier-list"),
    ]
    for url in urls:
        antwoord = client.get(url)
        assert antwoord.status_code == 200, url
        assert NAAM not in antwoord.text and BSN not in antwoord.text
    client.force_login(o.ct)
    aanmelding = Aanmelding.objects.get(dossier=d)
    for url in (
        reverse("toegang:aanmelding_detail", args=[aanmelding.pk]),
        reverse("toegang:wachtlijst") + "?status=aangemeld",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_monthly_schedule_starts_the_retention_run(beat_schema):
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    taak = PeriodicTask.objects.get(task=bewaren_tasks.MAANDELIJKS_TASK_NAME)
    assert taak.enabled and taak.crontab.day_of_month == "2"
    assert bewaren_tasks.MAANDELIJKS_TASK_NAME in app.tasks


@pytest.mark.django_db
def test_only_a_destruction_may_empty_immutable_free_text_and_nothing_else(refdata):
    from django.db import DatabaseError, transaction

    o = wachtlijst_opzet()
    d = dossier_in("0307")
    bp = beschikt_product(d, o.bw, D(2024, 2, 1), D(2025, 12, 31), o.consulent)
    vastgesteld = Beschikking.objects.filter(pk=bp.beschikking_id)
    with pytest.raises(DatabaseError, match="onveranderlijk"), transaction.atomic():
        vastgesteld.update(motivering="")  # without the destruction's flag
    with pytest.raises(DatabaseError, match="onveranderlijk"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL regiozorg.vernietiging = 'aan'")
        vastgesteld.update(motivering="", einddatum=D(2030, 1, 1))  # more than the text
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL regiozorg.vernietiging = 'aan'")
        vastgesteld.update(motivering="")
    assert vastgesteld.get().motivering == ""
