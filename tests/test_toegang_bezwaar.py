"""The decision term on bezwaar (Awb 7:10): six or twelve weeks (adviescommissie) from the day
after the bezwaartermijn ended, with the Atw; suspended while a verzuim is repaired (lid 2);
verdaagd once (lid 3); further uitstel with consent (lid 4); the steps on the bezwaar's page
with Dutch errors at their fields; the werkvoorraad and the daily notifications; the data
migration that recomputes existing bezwaren."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from freezegun import freeze_time

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from regio.models import AuditEntry, Notificatie
from tests.factories import consulent, dossier_in, grant, rol_met
from toegang import termijnen
from toegang.beschikkingen import bezwaar as bezwaren
from toegang.beschikkingen import producten, services
from toegang.meldingen.tasks import signaleer_termijnen
from toegang.models import Aanvraag, Beschikking, Bezwaar, Melding

D = datetime.date
WBBW = "wmo-begeleiding-en-beschermd-wonen"


# --- the arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bekendgemaakt", "bezwaartermijn", "zes_weken", "twaalf_weken"),
    [
        # A Saturday: the bezwaartermijn ends on Monday 20 April, the term runs from the 21st.
        (D(2026, 3, 7), D(2026, 4, 20), D(2026, 6, 1), D(2026, 7, 13)),
        # 27 April is Koningsdag: the bezwaartermijn ends on the 28th and the decision term counts
        # from the day after that (not from the 27th: that would end on Monday 20 July).
        (D(2026, 3, 16), D(2026, 4, 28), D(2026, 6, 9), D(2026, 7, 21)),
        # Twelve weeks end on 25 May 2026, tweede Pinksterdag: to Tuesday the 26th.
        (D(2026, 1, 19), D(2026, 3, 2), D(2026, 4, 13), D(2026, 5, 26)),
        # Six weeks end on 25 May too.
        (D(2026, 3, 2), D(2026, 4, 13), D(2026, 5, 26), D(2026, 7, 6)),
    ],
)
def test_six_or_twelve_weeks_from_the_day_after_the_bezwaartermijn(
    bekendgemaakt, bezwaartermijn, zes_weken, twaalf_weken
):
    assert bezwaren.bezwaartermijn_einde(bekendgemaakt) == bezwaartermijn
    assert bezwaren.beslistermijn_bezwaar(bekendgemaakt) == zes_weken
    assert bezwaren.beslistermijn_bezwaar(bekendgemaakt, adviescommissie=True) == twaalf_weken


def test_suspension_verdaging_and_uitstel_arithmetic():
    bekend = D(2026, 3, 2)  # bezwaartermijn to 13 April; six weeks to 26 May (Pinksteren)
    # Herstel asked on 20 April, repaired on 30 April: 21-29 April (9 days) are suspended.
    hersteld = [(D(2026, 4, 20), D(2026, 4, 30))]
    assert termijnen.beslistermijn_bezwaar(bekend, opschortingen=hersteld) == D(2026, 6, 3)
    # Not repaired, the repair term (to 4 May) passed unused: 21 April - 3 May (13 days); the
    # end falls on Sunday 7 June and moves to Monday.
    ongebruikt = [(D(2026, 4, 20), D(2026, 5, 4))]
    assert termijnen.beslistermijn_bezwaar(bekend, opschortingen=ongebruikt) == D(2026, 6, 8)
    # Verdaging of six weeks counts from the end so far.
    assert termijnen.beslistermijn_bezwaar(bekend, opschortingen=hersteld, verdaging_weken=6) == D(
        2026, 7, 15
    )
    # Uitstel with consent to an agreed date; it never shortens the statutory term.
    assert termijnen.beslistermijn_bezwaar(
        bekend, verdaging_weken=6, uitgesteld_tot=D(2026, 9, 1)
    ) == D(2026, 9, 1)
    assert termijnen.beslistermijn_bezwaar(
        bekend, adviescommissie=True, uitgesteld_tot=D(2026, 6, 1)
    ) == D(2026, 7, 6)
    with pytest.raises(ValueError):
        termijnen.beslistermijn_bezwaar(bekend, opschortingen=[(D(2026, 4, 20), None)])


# --- the services --------------------------------------------------------------------------------


@pytest.fixture
def soest_a(refdata):
    return consulent("consulent-soest-a", "0342", first_name="Anna", last_name="Aalbers")


@pytest.fixture
def soest_b(refdata):
    return consulent("consulent-soest-b", "0342", first_name="Bram", last_name="Bos")


@pytest.fixture
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


@pytest.fixture
def beschikking(refdata, soest_a, soest_b):
    """A beschikking made known on Monday 2 March 2026 (bezwaar possible until 13 April)."""
    inkoop_demo.catalogus()
    dossier = dossier_in("0342")
    melding = Melding.objects.create(
        dossier=dossier, ontvangen_op=D(2025, 11, 1), hulpvraag="x", consulent=soest_b
    )
    aanvraag = Aanvraag.objects.create(
        melding=melding, dossier=dossier, ontvangen_op=D(2025, 12, 1)
    )
    perceel = Perceel.objects.get(code=WBBW, regio__code="amersfoort")
    product = Product.objects.get(code="begeleiding", perceel=perceel)
    b = services.maak_concept(
        dossier, soest_a, besluit="toekenning", perceel=perceel, aanvraag=aanvraag,
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31), motivering="Begeleiding nodig.",
        regels=[producten.ProductRegel(product=product, toegekend=True)],
    )  # fmt: skip
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    # As services.maak_bekend leaves it, without rendering the letter.
    Beschikking.objects.filter(pk=b.pk).update(
        status=Beschikking.Status.BEKENDGEMAAKT, bekendgemaakt_op=D(2026, 3, 2)
    )
    return Beschikking.objects.get(pk=b.pk)


def einde(bezwaar):
    return Bezwaar.objects.get(pk=bezwaar.pk).beslistermijn_einde


def fout(exc, veld=None):
    if veld is None:
        return " ".join(exc.value.messages)
    return " ".join(exc.value.message_dict[veld])


@freeze_time("2026-05-20")
def test_adviescommissie_at_registration_and_later_recomputes(beschikking, soest_a, soest_b):
    bezwaar = bezwaren.registreer_bezwaar(
        beschikking, soest_a, ontvangen_op=D(2026, 4, 10), adviescommissie=True
    )
    assert bezwaar.tijdig and bezwaar.beslistermijn_einde == D(2026, 7, 6)
    assert bezwaar.behandelaar == soest_a
    bezwaren.werk_bezwaar_bij(bezwaar, soest_b, ontvangen_op=D(2026, 4, 10), adviescommissie=False)
    assert einde(bezwaar) == D(2026, 5, 26)
    # Not saying (None) leaves it as it is.
    bezwaren.werk_bezwaar_bij(bezwaar, soest_b, ontvangen_op=D(2026, 4, 9))
    assert einde(bezwaar) == D(2026, 5, 26)
    wijziging = AuditEntry.objects.get(
        actie="change", object_type="toegang.bezwaar", actor=soest_b.get_username(),
        toelichting__has_key="beslistermijn_einde",
    )  # fmt: skip
    assert wijziging.toelichting["beslistermijn_einde"] == ["2026-07-06", "2026-05-26"]


@freeze_time("2026-05-20")
def test_verzuimherstel_suspends_the_term_until_repaired_or_the_repair_term_passes(
    beschikking, soest_a, soest_b, baarn
):
    bezwaar = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 10))
    assert bezwaar.beslistermijn_einde == D(2026, 5, 26)
    with pytest.raises(Http404):
        bezwaren.vraag_verzuimherstel(
            bezwaar, baarn, verzocht_op=D(2026, 4, 20), hersteltermijn_tot=D(2026, 5, 4),
            verzuim="De gronden ontbreken.",
        )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        bezwaren.vraag_verzuimherstel(
            bezwaar, soest_a, verzocht_op=D(2026, 4, 20), hersteltermijn_tot=D(2026, 4, 20),
            verzuim=" ",
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"hersteltermijn_tot", "verzuim"}
    herstel = bezwaren.vraag_verzuimherstel(
        bezwaar, soest_a, verzocht_op=D(2026, 4, 20), hersteltermijn_tot=D(2026, 5, 4),
        verzuim="De gronden ontbreken.",
    )  # fmt: skip
    assert herstel.verzocht_door == soest_a
    # Until the repair is recorded: as if the repair term passes unused (the latest end).
    assert einde(bezwaar) == D(2026, 6, 8)
    with pytest.raises(ValidationError) as exc:
        bezwaren.vraag_verzuimherstel(
            bezwaar, soest_a, verzocht_op=D(2026, 4, 22), hersteltermijn_tot=D(2026, 5, 6),
            verzuim="Geen handtekening.",
        )  # fmt: skip
    assert "loopt al een verzoek om herstel" in fout(exc)
    with pytest.raises(ValidationError) as exc:
        bezwaren.verzuim_hersteld(bezwaar, soest_b, hersteld_op=D(2026, 4, 19))
    assert "vóór het verzoek om herstel" in fout(exc, "hersteld_op")
    bezwaren.verzuim_hersteld(bezwaar, soest_b, hersteld_op=D(2026, 4, 30))
    assert einde(bezwaar) == D(2026, 6, 3)
    assert AuditEntry.objects.filter(
        actie="change", object_type="toegang.verzuimherstel", object_ids=[str(herstel.pk)],
        actor=soest_b.get_username(),
    ).exists()  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        bezwaren.verzuim_hersteld(bezwaar, soest_b, hersteld_op=D(2026, 5, 1))
    assert "geen verzoek om herstel" in fout(exc)


@freeze_time("2026-06-20")
def test_a_repair_after_the_repair_term_no_longer_suspends(beschikking, soest_a):
    bezwaar = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 10))
    bezwaren.vraag_verzuimherstel(
        bezwaar, soest_a, verzocht_op=D(2026, 4, 20), hersteltermijn_tot=D(2026, 5, 4),
        verzuim="De gronden ontbreken.",
    )  # fmt: skip
    bezwaren.verzuim_hersteld(bezwaar, soest_a, hersteld_op=D(2026, 5, 12))
    assert einde(bezwaar) == D(2026, 6, 8)


@freeze_time("2026-05-20")
def test_verdaging_once_before_the_term_expires(beschikking, soest_a, soest_b):
    bezwaar = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 10))
    with pytest.raises(ValidationError) as exc:
        bezwaren.verdaag_bezwaar(bezwaar, soest_b, verdaagd_op=D(2026, 5, 18), reden=" ", weken=7)
    assert set(exc.value.message_dict) == {"reden", "weken"}
    bezwaren.verdaag_bezwaar(
        bezwaar, soest_b, verdaagd_op=D(2026, 5, 18), reden="Advies van de GGD volgt."
    )
    b = Bezwaar.objects.get(pk=bezwaar.pk)
    assert (b.verdaagd_op, b.verdaging_weken, b.verdaagd_door) == (D(2026, 5, 18), 6, soest_b)
    assert b.beslistermijn_einde == D(2026, 7, 7)  # 26 May + 6 weeks
    with pytest.raises(ValidationError) as exc:
        bezwaren.verdaag_bezwaar(bezwaar, soest_b, verdaagd_op=D(2026, 5, 19), reden="Nog eens.")
    assert "verdagen kan maar één keer (Awb 7:10 lid 3)" in fout(exc)
    entry = AuditEntry.objects.filter(actie="change", object_type="toegang.bezwaar").first()
    assert entry.toelichting["stap"] == "verdaagd" and entry.actor == soest_b.get_username()


@freeze_time("2026-06-20")
def test_no_extension_after_the_term_expired(beschikking, soest_a):
    bezwaar = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 10))
    with pytest.raises(ValidationError) as exc:
        bezwaren.verdaag_bezwaar(bezwaar, soest_a, verdaagd_op=D(2026, 5, 27), reden="Te laat.")
    assert "op 26-05-2026 verstreken" in fout(exc, "verdaagd_op")
    with pytest.raises(ValidationError) as exc:
        bezwaren.stel_bezwaar_uit(
            bezwaar, soest_a, instemming_op=D(2026, 5, 27), uitgesteld_tot=D(2026, 7, 1)
        )
    assert "verstreken" in fout(exc, "instemming_op")
    assert einde(bezwaar) == D(2026, 5, 26)


@freeze_time("2026-07-01")
def test_uitstel_with_consent_after_the_verdaging(beschikking, soest_a, soest_b):
    bezwaar = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 10))
    bezwaren.verdaag_bezwaar(bezwaar, soest_a, verdaagd_op=D(2026, 5, 18), reden="Advies.")
    with pytest.raises(ValidationError) as exc:
        bezwaren.stel_bezwaar_uit(
            bezwaar, soest_b, instemming_op=D(2026, 6, 30), uitgesteld_tot=D(2026, 7, 7)
        )
    assert "na de huidige beslistermijn (07-07-2026)" in fout(exc, "uitgesteld_tot")
    uitstel = bezwaren.stel_bezwaar_uit(
        bezwaar, soest_b, instemming_op=D(2026, 6, 30), uitgesteld_tot=D(2026, 8, 31),
        toelichting="Hoorzitting na de zomer.",
    )  # fmt: skip
    assert uitstel.vastgelegd_door == soest_b
    assert einde(bezwaar) == D(2026, 8, 31)
    # Consent again, later, to a later date: the latest agreed date counts.
    bezwaren.stel_bezwaar_uit(
        bezwaar, soest_b, instemming_op=D(2026, 7, 1), uitgesteld_tot=D(2026, 9, 30)
    )
    assert einde(bezwaar) == D(2026, 9, 30)
    assert (
        AuditEntry.objects.filter(
            actie="create", object_type="toegang.bezwaaruitstel", actor=soest_b.get_username()
        ).count()
        == 2
    )
    # Once decided, the term no longer moves.
    bezwaren.werk_bezwaar_bij(
        bezwaar, soest_a, ontvangen_op=D(2026, 4, 10), uitkomst="ongegrond",
        besloten_op=D(2026, 7, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        bezwaren.stel_bezwaar_uit(
            bezwaar, soest_b, instemming_op=D(2026, 7, 1), uitgesteld_tot=D(2026, 10, 30)
        )
    assert "al beslist" in fout(exc)


# --- the bezwaar's page, the werkvoorraad, the notifications -----------------------------------


@freeze_time("2026-05-20")
def test_bijwerken_only_for_whoever_may_change_this_bezwaar(beschikking, soest_a, client):
    """Issue 18: a Baarn consulent who may also read Soest's beschikkingen and bezwaren gets
    no 'Bijwerken' on a Soest bezwaar (before: may change some bezwaar was enough)."""
    client.force_login(soest_a)
    client.post(reverse("toegang:bezwaar-create", args=[beschikking.pk]),
                {"ontvangen_op": "2026-04-10"})  # fmt: skip
    bezwaar = Bezwaar.objects.get()
    detail = reverse("toegang:beschikking-detail", args=[beschikking.pk])
    bijwerken = reverse("toegang:bezwaar-update", args=[bezwaar.pk])
    assert bijwerken in client.get(detail).content.decode()
    lezer = consulent("consulent-baarn-lezer", "0308")
    grant(lezer, rol_met("lezer-soest", "toegang.view_beschikking", "toegang.view_bezwaar",
                         "toegang.view_dossier"), gemeente="0342")  # fmt: skip
    client.force_login(lezer)
    response = client.get(detail)
    assert response.status_code == 200 and bijwerken not in response.content.decode()
    assert client.post(bijwerken, {"ontvangen_op": "2026-04-11"}).status_code in (403, 404)
    bezwaar.refresh_from_db()
    assert bezwaar.ontvangen_op == D(2026, 4, 10)


def test_steps_on_the_bezwaar_page_with_errors_at_their_fields(beschikking, soest_a, client):
    client.force_login(soest_a)
    registreer = client.post(
        reverse("toegang:bezwaar-create", args=[beschikking.pk]),
        {"ontvangen_op": "2026-04-10", "adviescommissie": "on"},
    )
    assert registreer.status_code == 302
    bezwaar = Bezwaar.objects.get()
    assert bezwaar.adviescommissie and bezwaar.beslistermijn_einde == D(2026, 7, 6)
    pagina = reverse("toegang:bezwaar-update", args=[bezwaar.pk])
    stap = reverse("toegang:bezwaar-termijn", args=[bezwaar.pk])
    response = client.get(pagina)
    assert set(response.context["stappen"]) == {"verzuim", "verdagen", "uitstel"}
    assert "12 weken na afloop van de bezwaartermijn" in response.content.decode()

    ok = client.post(stap, {"verzuim-stap": "verzuim", "verzuim-verzocht_op": "2026-04-20",
                            "verzuim-hersteltermijn_tot": "2026-05-04",
                            "verzuim-verzuim": "Handtekening ontbreekt"})  # fmt: skip
    assert ok.status_code == 302 and ok.url == pagina
    assert einde(bezwaar) == D(2026, 7, 20)  # 13 days suspended: 19 July is a Sunday
    assert "hersteld" in client.get(pagina).context["stappen"]
    ok = client.post(stap, {"hersteld-stap": "hersteld", "hersteld-hersteld_op": "2026-04-30"})
    assert ok.status_code == 302 and einde(bezwaar) == D(2026, 7, 15)

    verdaag = {"verdagen-stap": "verdagen", "verdagen-verdaagd_op": "2026-05-19",
               "verdagen-weken": "6", "verdagen-reden": "Advies"}  # fmt: skip
    assert client.post(stap, verdaag).status_code == 302
    assert einde(bezwaar) == D(2026, 8, 26)
    assert "verdagen" not in client.get(pagina).context["stappen"]
    tweede = client.post(stap, verdaag)
    assert tweede.status_code == 200
    assert "maar één keer" in " ".join(tweede.context["stappen"]["verdagen"].non_field_errors())

    leeg = client.post(stap, {"uitstel-stap": "uitstel", "uitstel-instemming_op": "2026-05-19"})
    assert leeg.status_code == 200
    assert "uitgesteld_tot" in leeg.context["stappen"]["uitstel"].errors
    te_vroeg = client.post(stap, {"uitstel-stap": "uitstel", "uitstel-instemming_op": "2026-05-19",
                                  "uitstel-uitgesteld_tot": "2026-08-01"})  # fmt: skip
    assert (
        "na de huidige beslistermijn"
        in te_vroeg.context["stappen"]["uitstel"].errors["uitgesteld_tot"][0]
    )
    ok = client.post(stap, {"uitstel-stap": "uitstel", "uitstel-instemming_op": "2026-05-19",
                            "uitstel-uitgesteld_tot": "2026-09-30"})  # fmt: skip
    assert ok.status_code == 302 and einde(bezwaar) == D(2026, 9, 30)
    tekst = client.get(pagina).content.decode()
    assert "uitgesteld met instemming tot 30-09-2026 (lid 4)" in tekst
    assert "Uitstel met instemming (lid 4)" in tekst


@freeze_time("2026-05-20")
def test_werkvoorraad_and_notifications_show_the_bezwaar_term(
    beschikking, soest_a, soest_b, client
):
    commissie = bezwaren.registreer_bezwaar(
        beschikking, soest_a, ontvangen_op=D(2026, 4, 10), adviescommissie=True
    )
    opgeschort = bezwaren.registreer_bezwaar(beschikking, soest_b, ontvangen_op=D(2026, 4, 11))
    bezwaren.vraag_verzuimherstel(
        opgeschort, soest_b, verzocht_op=D(2026, 5, 15), hersteltermijn_tot=D(2026, 5, 29),
        verzuim="Gronden",
    )  # fmt: skip
    dicht = bezwaren.registreer_bezwaar(beschikking, soest_a, ontvangen_op=D(2026, 4, 12))
    client.force_login(soest_a)
    response = client.get(reverse("toegang:werkvoorraad-bezwaren"))
    rijen = list(response.context["object_list"])
    # 26 May + 13 suspended days (16-28 May) = 8 June; twelve weeks: 6 July.
    assert [(r.pk, r.beslistermijn_einde) for r in rijen] == [
        (dicht.pk, D(2026, 5, 26)),
        (opgeschort.pk, D(2026, 6, 8)),
        (commissie.pk, D(2026, 7, 6)),
    ]
    assert [r.stand.toestand for r in rijen] == [termijnen.BIJNA, termijnen.OP_TIJD, "op_tijd"]
    assert [r.opgeschort for r in rijen] == [False, True, False]
    tekst = response.content.decode()
    assert "opgeschort: herstel verzuim gevraagd" in tekst
    assert "adviescommissie (12 weken)" in tekst and "verloopt binnenkort" in tekst

    # The daily notifications: only the term within five working days, to its behandelaar.
    assert signaleer_termijnen(D(2026, 5, 20))["notificaties"] == 1
    notificatie = Notificatie.objects.get(soort=Notificatie.Soort.TERMIJN)
    assert notificatie.user == soest_a
    assert notificatie.url == reverse("toegang:bezwaar-update", args=[dicht.pk])
    assert notificatie.tekst == (
        f"Bezwaar {dicht.pk} (Soest): de beslistermijn op bezwaar verloopt op 26 mei 2026."
    )
    assert signaleer_termijnen(D(2026, 5, 20))["notificaties"] == 0
    # A verdaging moves the term: no notice until the new one comes near.
    bezwaren.verdaag_bezwaar(dicht, soest_a, verdaagd_op=D(2026, 5, 20), reden="Advies.")
    assert signaleer_termijnen(D(2026, 5, 21))["notificaties"] == 0
    assert signaleer_termijnen(D(2026, 6, 1))["notificaties"] == 1  # the suspended one, 8 June


def test_data_migration_recomputes_existing_bezwaren(beschikking, soest_a, soest_b):
    oud = Bezwaar.objects.create(
        beschikking=beschikking, dossier=beschikking.dossier, ontvangen_op=D(2026, 4, 10),
        beslistermijn_einde=D(2026, 5, 25),
    )  # fmt: skip
    migratie = importlib.import_module("toegang.migrations.0023_bezwaar_termijnen_awb_7_10")
    migratie.herbereken_beslistermijnen(apps, None)
    oud.refresh_from_db()
    assert oud.beslistermijn_einde == D(2026, 5, 26)
    assert oud.behandelaar == soest_b  # the consulent of the melding the aanvraag came from
