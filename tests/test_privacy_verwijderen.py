"""Erasure requests (AVG art. 17): registered by BSN (never in a URL or the audit log), answered
within a month, carried out where no legal duty to keep applies or refused with the duty named;
scoped to the privacy officer's gemeenten."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from regio.models import AuditEntry
from tests.factories import UserFactory, dossier_in, gemeente, grant, valid_bsn
from tests.test_privacy_bewaren import JAREN, VANDAAG, bouw_opzet, gesloten, melding, toegekend
from toegang.models import Dossier, Persoon, Verwijderverzoek
from toegang.privacy import verwijderen as verwijder

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def officer(username="privacy-amersfoort", **scope):
    user = UserFactory(username=username)
    grant(user, "privacyfunctionaris", **(scope or {"gemeente": "0307"}))
    return user


def verzoek_voor(user, dossier, ontvangen_op=None):
    return verwijder.registreren(
        user=user, gemeente=dossier.verantwoordelijke_gemeente,
        bsn=dossier.client.persoon.bsn, ontvangen_op=ontvangen_op or VANDAAG,
        dossiers=Dossier.objects.visible_to(user, verwijder.ADD),
    )  # fmt: skip


def test_register_by_bsn_deadline_a_month_and_no_bsn_in_url_or_log(opzet, client):
    d = dossier_in("0307", persoon__bsn=valid_bsn(4242))
    user = officer()
    client.force_login(user)
    url = reverse("privacy:verzoek-registreren")
    assert client.get(url).status_code == 200
    antwoord = client.post(
        url,
        {"gemeente": gemeente("0307").pk, "bsn": valid_bsn(4242), "ontvangen_op": "2026-01-31"},
    )
    verzoek = Verwijderverzoek.objects.get()
    assert antwoord.status_code == 302
    assert antwoord.url == reverse("privacy:verzoek-detail", args=[verzoek.pk])
    assert valid_bsn(4242) not in antwoord.url
    assert (verzoek.client, verzoek.ontvangen_op, verzoek.antwoord_uiterlijk) == (
        d.client, D(2026, 1, 31), D(2026, 2, 28),
    )  # fmt: skip
    assert verzoek.geregistreerd_door == user and verzoek.status == "ontvangen"
    for entry in AuditEntry.objects.all():
        assert valid_bsn(4242) not in f"{entry.pad} {entry.object_ids} {entry.toelichting}"
    assert AuditEntry.objects.filter(actie="create", object_type="toegang.verwijderverzoek")


def test_register_refuses_bad_and_foreign_bsns_at_the_field(opzet, client):
    dossier_in("0342", persoon__bsn=valid_bsn(5151))  # known, but only in Soest
    client.force_login(officer())
    url = reverse("privacy:verzoek-registreren")
    for bsn, tekst in (
        ("123456789", "geen geldig BSN"),
        (valid_bsn(5151), "geen cliënt met dit BSN"),
        (valid_bsn(6161), "geen cliënt met dit BSN"),  # unknown: the same answer
    ):
        antwoord = client.post(
            url, {"gemeente": gemeente("0307").pk, "bsn": bsn, "ontvangen_op": "2026-01-05"}
        )
        assert antwoord.status_code == 200 and "field-error" in antwoord.text
        assert tekst in antwoord.text.lower() or tekst in antwoord.text
    # A gemeente outside the officer's scope is not a valid choice.
    antwoord = client.post(
        url, {"gemeente": gemeente("0342").pk, "bsn": valid_bsn(5151), "ontvangen_op": "2026-01-05"}
    )
    assert antwoord.status_code == 200 and "field-error" in antwoord.text
    assert not Verwijderverzoek.objects.exists()


def test_an_officer_of_another_gemeente_sees_nothing(opzet, client):
    d = dossier_in("0307")
    verzoek = verzoek_voor(officer(), d)
    client.force_login(officer("privacy-soest", gemeente="0342"))
    lijst = client.get(reverse("privacy:verzoek-list"))
    assert lijst.status_code == 200 and f"Verzoek {verzoek.pk}" not in lijst.text
    for naam in ("verzoek-detail", "verzoek-uitvoeren", "verzoek-afwijzen"):
        assert client.get(reverse(f"privacy:{naam}", args=[verzoek.pk])).status_code == 404
    antwoord = client.post(
        reverse("privacy:verzoek-afwijzen", args=[verzoek.pk]), {"toelichting": "x"}
    )
    assert antwoord.status_code == 404
    verzoek.refresh_from_db()
    assert verzoek.status == "ontvangen"


def test_carry_out_destroys_what_may_go_and_names_the_duty_for_the_rest(opzet, client):
    """A client at two gemeenten, officer for the whole regio: Amersfoort's dossier is past its
    retention, Soest's support ended two years ago and is kept."""
    amersfoort = gesloten("0307", geopend=D(2001, 1, 1))
    toegekend(opzet, amersfoort, D(2002, 1, 1), D(2005, 1, 1))
    soest = Dossier.objects.create(
        client=amersfoort.client, verantwoordelijke_gemeente=gemeente("0342"),
        geopend_op=D(2020, 1, 1), status="gesloten",
    )  # fmt: skip
    toegekend(opzet, soest, D(2020, 1, 1), VANDAAG - 2 * JAREN)
    user = officer("privacy-regio", regio="amersfoort")
    verzoek = verzoek_voor(user, amersfoort)
    client.force_login(user)

    detail = client.get(reverse("privacy:verzoek-detail", args=[verzoek.pk]))
    assert detail.status_code == 200
    assert "De bewaartermijn is verstreken." in detail.text and "Bewaarplicht" in detail.text
    url = reverse("privacy:verzoek-uitvoeren", args=[verzoek.pk])
    zonder = client.post(url, {"toelichting": ""})
    assert zonder.status_code == 200 and "noem de bewaarplicht" in zonder.text
    assert Dossier.objects.filter(vernietigd_op__isnull=False).count() == 0

    met = client.post(url, {"toelichting": "Het dossier in Soest: Archiefwet, tot 2039."})
    assert met.status_code == 302
    verzoek.refresh_from_db()
    assert verzoek.status == "uitgevoerd" and verzoek.besloten_door == user
    assert verzoek.toelichting.startswith("1 dossier(s) vernietigd, 1 bewaard.")
    amersfoort.refresh_from_db(), soest.refresh_from_db()
    assert amersfoort.vernietigd_op is not None and soest.vernietigd_op is None
    assert Persoon.objects.filter(client=amersfoort.client).exists()  # Soest still keeps it
    besluit = AuditEntry.objects.get(actie="change", object_type="toegang.verwijderverzoek")
    assert besluit.actor_id == user.pk and besluit.toelichting["besluit"] == "uitgevoerd"
    # Decided once: a second decision is refused.
    assert client.post(url, {"toelichting": "nog eens"}).status_code == 200
    with pytest.raises(ValidationError):
        verwijder.afwijzen(verzoek, user=user, toelichting="x")


def test_a_dossier_without_any_decision_is_erased_on_request(opzet):
    d = dossier_in("0307", geopend_op=VANDAAG - JAREN)  # open, a withdrawn melding only
    melding(d, VANDAAG - JAREN)
    user = officer()
    verzoek = verzoek_voor(user, d)
    (beoordeling,) = verwijder.beoordelen(verzoek, Dossier.objects.visible_to(user, verwijder.ADD))
    assert beoordeling.wissen and "Geen besluit" in beoordeling.reden
    uitkomst = verwijder.uitvoeren(
        verzoek, user=user, dossiers=Dossier.objects.visible_to(user, verwijder.CHANGE)
    )
    assert uitkomst == {"vernietigd": 1, "bewaard": 0}
    assert not Persoon.objects.filter(client=d.client).exists()


def test_running_support_cannot_be_erased_and_a_refusal_names_the_duty(opzet, client):
    d = gesloten("0307", geopend=VANDAAG - JAREN)
    toegekend(opzet, d, VANDAAG - JAREN, None)
    user = officer()
    verzoek = verzoek_voor(user, d)
    client.force_login(user)
    uitvoeren = client.post(reverse("privacy:verzoek-uitvoeren", args=[verzoek.pk]), {})
    assert uitvoeren.status_code == 200 and "Voor geen enkel dossier" in uitvoeren.text
    url = reverse("privacy:verzoek-afwijzen", args=[verzoek.pk])
    leeg = client.post(url, {"toelichting": " "})
    assert leeg.status_code == 200 and "field-error" in leeg.text
    assert client.post(url, {"toelichting": "De ondersteuning loopt nog (Wmo)."}).status_code == 302
    verzoek.refresh_from_db()
    assert verzoek.status == "afgewezen" and "loopt nog" in verzoek.toelichting
    assert verzoek.besloten_op is not None
    d.refresh_from_db()
    assert d.vernietigd_op is None and Persoon.objects.filter(client=d.client).exists()


def test_the_list_is_sorted_by_deadline_and_marks_overdue_and_near_ones(opzet, client):
    user = officer()
    te_laat = verzoek_voor(user, dossier_in("0307"), VANDAAG - datetime.timedelta(days=40))
    bijna = verzoek_voor(user, dossier_in("0307"), VANDAAG - datetime.timedelta(days=27))
    ruim = verzoek_voor(user, dossier_in("0307"), VANDAAG - datetime.timedelta(days=1))
    client.force_login(user)
    antwoord = client.get(reverse("privacy:verzoek-list"))
    tekst = antwoord.text
    assert tekst.index(f"Verzoek {te_laat.pk}<") < tekst.index(f"Verzoek {bijna.pk}<")
    assert tekst.index(f"Verzoek {bijna.pk}<") < tekst.index(f"Verzoek {ruim.pk}<")
    assert tekst.count("Termijn verstreken") == 1 and tekst.count("Termijn nadert") == 1
    assert "1 verzoek is niet binnen de termijn beantwoord" in tekst
    assert "1 verzoek moet binnen 7 dagen worden beantwoord" in tekst
    omgekeerd = client.get(reverse("privacy:verzoek-list") + "?sort=-termijn").text
    assert omgekeerd.index(f"Verzoek {ruim.pk}<") < omgekeerd.index(f"Verzoek {te_laat.pk}<")
    leeg = client.get(reverse("privacy:verzoek-list") + "?status=afgewezen").text
    assert "Geen verzoeken met deze status." in leeg


def test_a_request_for_data_already_destroyed_is_answered_as_carried_out(opzet):
    from toegang.privacy import bewaren as bewaren_services

    d = dossier_in("0307")
    user = officer()
    verzoek = verzoek_voor(user, d)
    bewaren_services.vernietig_dossier(d, user=None)
    verwijder.uitvoeren(
        verzoek, user=user, dossiers=Dossier.objects.visible_to(user, verwijder.CHANGE)
    )
    verzoek.refresh_from_db()
    assert verzoek.status == "uitgevoerd"
    assert verzoek.toelichting == "Er waren geen gegevens meer te verwijderen."
