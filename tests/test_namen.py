"""People by name, everywhere (issue 18): every page that shows a colleague shows the name, never
the username; the audit screens name the actor by ``actor_id`` (the stored username is only the
fallback for a deleted user); the header names who is logged in; the melding form offers
"Ikzelf" and not yourself a second time; the admin saves no person without a name.

The usernames here (``u-anna``) differ from the names (Anna de Vries) on purpose: a page that
shows a username fails."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from demo import inkoop as inkoop_demo
from financien.models import Vereveningsrun
from inkoop.models import Perceel, Product, Rapportage, Rapportageopmerking, Rapportagestap
from regio import audit
from regio.models import AuditEntry, JobRun, User
from tests.factories import (
    ContractFactory,
    JaarparametersFactory,
    UserFactory,
    dossier_in,
    gemeente,
    grant,
    regio,
)
from toegang.beschikkingen import bezwaar as bezwaren
from toegang.beschikkingen import producten, services
from toegang.models import Aanvraag, Beschikking, Melding, Verzoek

pytestmark = pytest.mark.django_db
D = datetime.date
SOEST = "0342"
WBBW = "wmo-begeleiding-en-beschermd-wonen"
USERNAMES = ("u-anna", "u-bert", "u-vera")


def mens(username, voornaam, achternaam, rol, **scope) -> User:
    user = UserFactory(username=username, first_name=voornaam, last_name=achternaam)
    grant(user, rol, **scope)
    return user


def consulenten():
    """Anna and Bert, consulenten in Soest who act; Vera, a colleague who looks."""
    return (
        mens("u-anna", "Anna", "de Vries", "consulent", gemeente=SOEST),
        mens("u-bert", "Bert", "Bakker", "consulent", gemeente=SOEST),
        mens("u-vera", "Vera", "Kijker", "consulent", gemeente=SOEST),
    )


def regio_rol(rol):
    return (
        mens("u-anna", "Anna", "de Vries", rol, regio="amersfoort"),
        mens("u-bert", "Bert", "Bakker", rol, regio="amersfoort"),
        mens("u-vera", "Vera", "Kijker", rol, regio="amersfoort"),
    )


def melding_van(consulent) -> Melding:
    return Melding.objects.create(
        dossier=dossier_in(SOEST), ontvangen_op=D(2025, 11, 1), hulpvraag="x", consulent=consulent
    )


def bekendgemaakte_beschikking(anna, bert) -> Beschikking:
    """Drafted and submitted by Anna, vastgesteld by Bert, made known on 2 March 2026."""
    inkoop_demo.catalogus()
    melding = melding_van(anna)
    aanvraag = Aanvraag.objects.create(
        melding=melding, dossier=melding.dossier, ontvangen_op=D(2025, 12, 1)
    )
    perceel = Perceel.objects.get(code=WBBW, regio__code="amersfoort")
    product = Product.objects.get(code="begeleiding", perceel=perceel)
    b = services.maak_concept(
        melding.dossier, anna, besluit="toekenning", perceel=perceel, aanvraag=aanvraag,
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31), motivering="Begeleiding nodig.",
        regels=[producten.ProductRegel(product=product, toegekend=True)],
    )  # fmt: skip
    services.dien_in(b, anna)
    services.stel_vast(b, bert)
    Beschikking.objects.filter(pk=b.pk).update(
        status=Beschikking.Status.BEKENDGEMAAKT, bekendgemaakt_op=D(2026, 3, 2)
    )
    return Beschikking.objects.get(pk=b.pk)


# --- the pages: each builds what it shows and answers (who looks, url, names shown) -------------


def beschikking_detail():
    anna, bert, vera = consulenten()
    b = bekendgemaakte_beschikking(anna, bert)
    # Opgesteld door, geaccordeerd door, the four-eyes line and the history (from the audit log).
    return (
        vera,
        reverse("toegang:beschikking-detail", args=[b.pk]),
        ["Anna de Vries", "Bert Bakker"],
    )


def beschikking_list():
    anna, bert, vera = consulenten()
    bekendgemaakte_beschikking(anna, bert)
    return vera, reverse("toegang:beschikking-list"), ["Anna de Vries"]


def bezwaar():
    anna, bert, vera = consulenten()
    b = bekendgemaakte_beschikking(anna, bert)
    bz = bezwaren.registreer_bezwaar(b, anna, ontvangen_op=D(2026, 4, 10))
    return vera, reverse("toegang:bezwaar-update", args=[bz.pk]), ["Anna de Vries"]


def werkvoorraad_bezwaren():
    vera, url, namen = bezwaar()
    return vera, reverse("toegang:werkvoorraad-bezwaren"), namen


def melding_detail():
    anna, _, vera = consulenten()
    melding = melding_van(anna)
    return vera, reverse("toegang:melding-detail", args=[melding.pk]), ["Anna de Vries"]


def werkvoorraad_team():
    anna, bert, vera = consulenten()
    melding_van(anna)
    melding_van(bert)
    # The column and the consulent filter.
    return vera, reverse("toegang:werkvoorraad") + "?tab=team", ["Anna de Vries", "Bert Bakker"]


def verzoek_detail():
    anna, _, vera = consulenten()
    inkoop_demo.catalogus()
    contract = ContractFactory(gemeenten=[SOEST])
    verzoek = Verzoek.objects.create(
        soort=Verzoek.Soort.TOEWIJZING, aanbieder=contract.aanbieder, gemeente=gemeente(SOEST),
        dossier=dossier_in(SOEST), referentie="REF-1", producten=[], bron="api",
        status=Verzoek.Status.AFGEWEZEN, reden_afwijzing="01", beantwoord_door=anna,
        beantwoord_op=timezone.now(),
    )  # fmt: skip
    return vera, reverse("toegang:verzoek-detail", args=[verzoek.pk]), ["Anna de Vries"]


def audit_client():
    anna, bert, _ = consulenten()
    vera = mens("u-vera", "Vera", "Kijker", "privacyfunctionaris", gemeente=SOEST)
    dossier = dossier_in(SOEST)
    audit.record("view", objects=[dossier], actor=anna)
    audit.record("change", objects=[dossier], actor=bert)
    return vera, reverse("audit:client", args=[dossier.client_id]), ["Anna de Vries", "Bert Bakker"]


def audit_inloggen():
    anna, bert, _ = consulenten()
    vera = mens("u-vera", "Vera", "Kijker", "privacyfunctionaris", gemeente=SOEST)
    audit.record("login", actor=anna, object_type="regio.user", object_ids=[anna.pk])
    # A failed login names no actor, only what was typed: Bert's username.
    audit.record("login_failed", resultaat="denied", toelichting={"gebruikersnaam": "u-bert"})
    return vera, reverse("audit:inloggen"), ["Anna de Vries", "Bert Bakker"]


def rapportage_detail():
    anna, bert, vera = regio_rol("contractmanager")
    r = Rapportage.objects.create(
        contract=ContractFactory(), jaar=2026, kwartaal=1, status=Rapportage.Status.IN_BEOORDELING
    )
    Rapportagestap.objects.create(
        rapportage=r, van=Rapportage.Status.INGEDIEND, naar=Rapportage.Status.IN_BEOORDELING,
        door=anna,
    )  # fmt: skip
    Rapportageopmerking.objects.create(rapportage=r, onderdeel="algemeen", tekst="?", door=bert)
    return vera, reverse("inkoop:rapportage-detail", args=[r.pk]), ["Anna de Vries", "Bert Bakker"]


def contract_detail():
    anna, bert, vera = regio_rol("contractmanager")
    contract = ContractFactory(
        soort="bdvo", bdvo_client=uuid.uuid4(), bdvo_tarief=Decimal("100.00"),
        opgesteld_door=anna, goedgekeurd_door=bert, goedgekeurd_op=timezone.now(),
    )  # fmt: skip
    return vera, reverse("inkoop:contract-detail", args=[contract.pk]), [
        "Anna de Vries", "Bert Bakker",
    ]  # fmt: skip


def jobrun_detail():
    anna, _, vera = regio_rol("financien")
    run = JobRun.objects.create(soort="x", gestart_door=anna, regio=regio("amersfoort"))
    return vera, reverse("regio:jobrun-detail", args=[run.pk]), ["Anna de Vries"]


def financien_runs():
    anna, bert, vera = regio_rol("financien")
    JaarparametersFactory(jaar=2026)
    Vereveningsrun.objects.create(
        regio=regio("amersfoort"), jaar=2026, strategie="x", invoer={}, invoer_hash="x",
        totale_kosten=0, centrumgemeente_deel=0, restant=0, gestart_door=anna,
        status=Vereveningsrun.Status.VASTGESTELD, vastgesteld_door=bert,
        vastgesteld_op=timezone.now(),
    )  # fmt: skip
    return vera, reverse("financien:runs", args=["amersfoort", 2026]), [
        "Anna de Vries", "Bert Bakker",
    ]  # fmt: skip


PAGINAS = [
    beschikking_detail,
    beschikking_list,
    bezwaar,
    werkvoorraad_bezwaren,
    melding_detail,
    werkvoorraad_team,
    verzoek_detail,
    audit_client,
    audit_inloggen,
    rapportage_detail,
    contract_detail,
    jobrun_detail,
    financien_runs,
]


@pytest.mark.parametrize("pagina", PAGINAS, ids=lambda p: p.__name__)
def test_pages_show_people_by_name_never_by_username(client, refdata, pagina):
    kijker, url, namen = pagina()
    client.force_login(kijker)
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    for naam in [*namen, "Vera Kijker"]:  # the header names who is logged in
        assert naam in html, naam
    for username in USERNAMES:
        assert username not in html, username


# --- the audit screens ---------------------------------------------------------------------------


def test_audit_rows_name_the_actor_by_id_and_keep_the_username_of_a_deleted_user(refdata):
    anna, bert, _ = consulenten()
    dossier = dossier_in(SOEST)
    rijen = [
        audit.record("view", objects=[dossier], actor=anna),
        audit.record("view", objects=[dossier], actor=bert),
        # A user deleted since: the row keeps the username it recorded.
        AuditEntry.objects.create(actie="view", actor_id=999_999, actor="u-weg"),
        audit.record("view", objects=[dossier]),  # the system
    ]
    rijen = list(AuditEntry.objects.filter(pk__in=[r.pk for r in rijen]).order_by("pk"))
    assert [r.door for r in audit.met_namen(rijen)] == [
        "Anna de Vries", "Bert Bakker", "u-weg", "",
    ]  # fmt: skip


def test_audit_screens_search_by_name(client, refdata):
    vera, url, _ = audit_client()
    client.force_login(vera)
    html = client.get(url, {"q": "de vries"}).content.decode()
    assert "Anna de Vries" in html and "Bert Bakker" not in html
    sorted_html = client.get(url, {"sort": "gebruiker"}).content.decode()
    assert sorted_html.index("Anna de Vries") < sorted_html.index("Bert Bakker")


def test_login_audit_export_names_people(client, refdata):
    vera, url, _ = audit_inloggen()
    client.force_login(vera)
    response = client.get(url, {"export": "csv"})
    tekst = b"".join(response.streaming_content if response.streaming else [response.content])
    tekst = tekst.decode("utf-8-sig")
    assert "Anna de Vries" in tekst and "Bert Bakker" in tekst
    assert "u-anna" not in tekst and "u-bert" not in tekst


# --- the melding form: "Ikzelf", then the colleagues --------------------------------------------


def test_melding_form_offers_ikzelf_and_not_yourself_again(client, refdata):
    anna, bert, vera = consulenten()
    dossier = dossier_in(SOEST)
    client.force_login(vera)
    response = client.get(reverse("toegang:melding-create", args=[dossier.pk]))
    keuzes = [label for _, label in response.context["form"].fields["consulent"].choices]
    assert keuzes == ["Ikzelf", "Bert Bakker", "Anna de Vries"]  # by last name


def test_werkvoorraad_consulent_filter_offers_ikzelf_and_not_yourself_again(client, refdata):
    anna, bert, _ = consulenten()
    melding_van(anna)
    melding_van(bert)
    client.force_login(anna)
    response = client.get(reverse("toegang:werkvoorraad"), {"tab": "team"})
    html = response.content.decode()
    keuzes = html[
        html.index('id="f-consulent"') : html.index("</select>", html.index('id="f-consulent"'))
    ]
    assert f'<option value="{anna.pk}">Ikzelf</option>' in keuzes
    assert "Bert Bakker" in keuzes and "Anna de Vries" not in keuzes
    # Ikzelf filters on yourself.
    gekozen = client.get(reverse("toegang:werkvoorraad"), {"tab": "team", "consulent": anna.pk})
    assert [m.consulent for m in gekozen.context["object_list"]] == [anna]


def test_verslag_is_signed_with_name_and_function(refdata):
    from django.template.loader import render_to_string

    anna, _, _ = consulenten()
    anna.functie = "consulent Wmo"
    html = render_to_string(
        "toegang/meldingen/melding_verslag_pdf.html",
        {"consulent": anna, "gemeente": gemeente(SOEST), "melding": melding_van(anna)},
    )
    assert "Anna de Vries<br>" in html and "Consulent Wmo, gemeente Soest" in html
    assert "u-anna" not in html


# --- the admin: no person without a name ---------------------------------------------------------


def test_admin_requires_first_and_last_name(client, refdata):
    beheerder = UserFactory(username="u-beheer", is_staff=True)
    grant(beheerder, "functioneel-beheerder", regio="amersfoort")
    client.force_login(beheerder)
    anna = UserFactory(username="u-anna")
    grant(anna, "consulent", gemeente=SOEST)
    url = reverse("admin:regio_user_change", args=[anna.pk])
    data = {
        "username": "u-anna", "first_name": "", "last_name": "", "functie": "", "team": "",
        "email": "", "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00",
        "roltoekenningen-TOTAL_FORMS": "0", "roltoekenningen-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    fouten = response.context["adminform"].form.errors
    assert "first_name" in fouten and "last_name" in fouten
    response = client.post(url, {**data, "first_name": "Anna", "last_name": "de Vries"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=anna.pk).naam == "Anna de Vries"

    add = client.post(
        reverse("admin:regio_user_add"),
        {"username": "u-nieuw", "usable_password": "false", "first_name": "", "last_name": ""},
    )
    assert add.status_code == 200 and "first_name" in add.context["adminform"].form.errors
    assert not User.objects.filter(username="u-nieuw").exists()
