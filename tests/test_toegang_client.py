"""Clients: BSN search through POST only, registration (new person, or a person known at another
gemeente), the person's iWmo details, addresses and relaties, and the dossier page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from regio.models import AuditEntry
from regio.validators import is_valid_bsn, validate_bsn
from tests.factories import UserFactory, dossier_in, gemeente, grant, rol_met
from toegang.dossiers.forms import BsnZoekForm
from toegang.dossiers.services import lijkt_op_bsn, registreer_client, zoek_op_bsn
from toegang.dossiers.views import optional_url
from toegang.models import Adres, Client, Dossier, Melding, Persoon, Relatie

pytestmark = pytest.mark.django_db

SOEST, BAARN, AMERSFOORT, GRONINGEN = "0342", "0308", "0307", "0014"
ZOEK, REGISTREER = "/toegang/clienten/zoeken/", "/toegang/clienten/registreren/"
BSN_NIEUW = "999990019"
BSN_NUL = "001000007"  # valid, with leading zeros


def consulent(client, username, *codes):
    user = UserFactory(username=username)
    for code in codes:
        grant(user, "consulent", gemeente=code)
    client.force_login(user)
    return user


def registratie(bsn, gemeente_code, **extra):
    data = {
        "bsn": bsn,
        "verantwoordelijke_gemeente": gemeente(gemeente_code).pk,
        "gemeente_herkomst": "",
        "geopend_op": "2026-02-01",
        "persoon-geslachtsnaam": "Verbeek",
        "persoon-voornamen": "Anna",
        "persoon-naamgebruik": "1",
        "persoon-geslacht": "2",
        "persoon-geboortedatum": "1980-05-17",
    }
    data.update(extra)
    return data


def audit_dump() -> str:
    return str(list(AuditEntry.objects.values()))


# --- BSN ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bsn, fout",
    [
        ("123456782", None),
        (BSN_NUL, None),  # leading zeros are part of the BSN
        ("999990019", None),
        ("123456781", "elfproef"),
        ("001000008", "elfproef"),
        ("01000007", "9 cijfers"),  # the leading zero dropped: 8 digits
        ("1234567820", "9 cijfers"),
        ("12345678a", "9 cijfers"),
        ("000000000", "elfproef"),
    ],
)
def test_elfproef(bsn, fout):
    if fout is None:
        validate_bsn(bsn)
        assert is_valid_bsn(bsn)
    else:
        with pytest.raises(ValidationError) as exc:
            validate_bsn(bsn)
        assert fout in exc.value.messages[0]


def test_bsn_form_keeps_leading_zeros_and_accepts_separators():
    form = BsnZoekForm({"bsn": "0010.00.007"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["bsn"] == BSN_NUL
    form = BsnZoekForm({"bsn": "123456781"})
    assert not form.is_valid()
    assert "elfproef" in form.errors["bsn"][0]


def test_no_url_pattern_carries_a_bsn():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    routes = list(walk(get_resolver().url_patterns))
    assert any("clienten/zoeken" in route for route, _ in routes)
    for route, pattern in routes:
        assert "bsn" not in route.lower(), route
        converters = getattr(pattern.pattern, "converters", {})
        assert not any("bsn" in name.lower() for name in converters), route


def test_bsn_search_is_post_only_and_a_get_does_nothing_with_a_bsn(client, refdata):
    consulent(client, "c-get", SOEST)
    dossier = dossier_in(SOEST)
    persoon = dossier.client.persoon
    for query in (
        f"?bsn={persoon.bsn}",
        f"?naam={persoon.bsn}",
        f"?naam={persoon.bsn[:4]}.{persoon.bsn[4:]}",
    ):
        response = client.get(ZOEK + query)
        assert response.status_code == 200
        html = response.content.decode()
        assert persoon.geslachtsnaam not in html
        assert persoon.bsn not in html  # not even echoed back into the form
        assert "hoort niet in een webadres" in html
    # The dossier list's name search does nothing with a BSN either.
    response = client.get(f"/toegang/dossiers/?q={persoon.bsn}")
    assert persoon.geslachtsnaam not in response.content.decode()
    assert not AuditEntry.objects.filter(toelichting__zoeken="bsn").exists()
    assert persoon.bsn not in audit_dump()

    response = client.post(ZOEK, {"bsn": persoon.bsn})
    html = response.content.decode()
    assert persoon.naam in html
    assert f"/toegang/dossiers/{dossier.pk}/" in html
    assert AuditEntry.objects.filter(toelichting__zoeken="bsn").count() == 1
    assert persoon.bsn not in audit_dump()


def test_invalid_bsn_gives_a_dutch_error_at_the_field(client, refdata):
    consulent(client, "c-fout", SOEST)
    response = client.post(ZOEK, {"bsn": "123456781"})
    assert "voldoet niet aan de elfproef" in response.content.decode()
    response = client.post(ZOEK, {"bsn": "12345"})
    assert "precies 9 cijfers" in response.content.decode()


def test_search_by_name_through_get(client, refdata):
    consulent(client, "c-naam", SOEST)
    eigen = dossier_in(SOEST)
    vreemd = dossier_in(BAARN)
    vreemd.client.persoon.geslachtsnaam = eigen.client.persoon.geslachtsnaam + "x"
    vreemd.client.persoon.save()
    html = client.get(ZOEK, {"naam": eigen.client.persoon.geslachtsnaam}).content.decode()
    assert f"/toegang/dossiers/{eigen.pk}/" in html
    assert f"/toegang/dossiers/{vreemd.pk}/" not in html


def test_lijkt_op_bsn():
    assert lijkt_op_bsn("123456782") and lijkt_op_bsn(" 1234.56.782 ") and lijkt_op_bsn(BSN_NUL)
    assert not lijkt_op_bsn("Jansen") and not lijkt_op_bsn("12345") and not lijkt_op_bsn("")


# --- registration --------------------------------------------------------------------------------


def test_register_new_client_in_one_go_without_bsn_in_audit(client, refdata):
    user = consulent(client, "c-reg", SOEST)
    response = client.post(ZOEK, {"bsn": BSN_NUL})
    html = response.content.decode()
    assert "Er is geen persoon met dit BSN bekend" in html
    assert "Cliënt registreren" in html

    data = registratie(
        BSN_NUL, SOEST, gemeente_herkomst=gemeente(GRONINGEN).pk,
        **{"adres-straat": "Kerkstraat", "adres-huisnummer": "1", "adres-postcode": "3761ab",
           "adres-plaats": "Soest"},
    )  # fmt: skip
    response = client.post(REGISTREER, data)
    assert response.status_code == 302
    persoon = Persoon.objects.get(bsn=BSN_NUL)
    dossier = Dossier.objects.get(client=persoon.client)
    assert response["Location"] == f"/toegang/dossiers/{dossier.pk}/"
    assert dossier.verantwoordelijke_gemeente.code == SOEST
    assert dossier.gemeente_herkomst.code == GRONINGEN  # outside the regio is fine
    adres = persoon.adressen.get()
    assert (adres.soort, adres.postcode, adres.land) == ("01", "3761 AB", "NL")
    assert (persoon.geslacht, persoon.geboortedatum) == ("2", datetime.date(1980, 5, 17))
    assert BSN_NUL not in audit_dump()
    assert AuditEntry.objects.filter(actie="create", actor_id=user.pk).count() >= 3
    assert BSN_NUL not in response["Location"]


def test_registration_is_all_or_nothing(refdata):
    user = UserFactory(username="c-atomic")
    grant(user, "consulent", gemeente=SOEST)
    clients = Client.objects.count()
    with pytest.raises(ValidationError):
        registreer_client(
            user, bsn=BSN_NIEUW, gemeente=gemeente(SOEST),
            persoon_gegevens={"geslachtsnaam": "Verbeek"},
            adres={"soort": "01", "straat": "X", "huisnummer": "1", "postcode": "fout",
                   "plaats": "Soest", "land": "NL"},
        )  # fmt: skip
    assert Client.objects.count() == clients
    assert not Persoon.objects.filter(bsn=BSN_NIEUW).exists()
    assert not Dossier.objects.filter(verantwoordelijke_gemeente__code=SOEST).exists()


def test_registration_errors_show_at_the_field_and_create_nothing(client, refdata):
    consulent(client, "c-reg-fout", SOEST)
    data = registratie(BSN_NIEUW, SOEST, **{"persoon-geslachtsnaam": "", "adres-straat": "X"})
    response = client.post(REGISTREER, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Dit veld is vereist.") == 4  # geslachtsnaam; huisnummer, postcode, plaats
    assert not Persoon.objects.filter(bsn=BSN_NIEUW).exists()
    data = registratie(BSN_NIEUW, SOEST, **{"persoon-geboortedatum": "2999-01-01"})
    assert "in de toekomst" in client.post(REGISTREER, data).content.decode()


def test_consulent_of_several_gemeenten_chooses_and_only_among_own(client, refdata):
    consulent(client, "c-twee", SOEST, BAARN)
    html = client.post(ZOEK, {"bsn": BSN_NIEUW}).content.decode()
    assert "Baarn" in html and "Soest" in html and "— kies —" in html
    response = client.post(REGISTREER, registratie(BSN_NIEUW, AMERSFOORT))
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Persoon.objects.filter(bsn=BSN_NIEUW).exists()
    response = client.post(REGISTREER, registratie(BSN_NIEUW, BAARN))
    assert Dossier.objects.get(client__persoon__bsn=BSN_NIEUW).verantwoordelijke_gemeente.code == (
        BAARN
    )


def test_person_known_elsewhere_is_reused_and_the_other_dossier_does_not_leak(client, refdata):
    baarn = dossier_in(BAARN)
    persoon = baarn.client.persoon
    persoon.geboortedatum = datetime.date(1966, 3, 4)
    persoon.save()
    Melding.objects.create(
        dossier=baarn, ontvangen_op=datetime.date(2026, 1, 5), hulpvraag="Geheime hulpvraag Baarn"
    )
    consulent(client, "c-elders", SOEST)

    html = client.post(ZOEK, {"bsn": persoon.bsn}).content.decode()
    assert "al bekend" in html
    for geheim in (persoon.geslachtsnaam, "4-3-1966", "bij Baarn", f"/dossiers/{baarn.pk}/"):
        assert geheim not in html, geheim
    assert "Dossier openen" in html

    personen = Persoon.objects.count()
    response = client.post(
        REGISTREER, registratie(persoon.bsn, SOEST, **{"persoon-geslachtsnaam": "Anders"})
    )
    assert response.status_code == 302
    assert Persoon.objects.count() == personen
    persoon.refresh_from_db()
    assert persoon.geslachtsnaam != "Anders"  # the known person is not overwritten
    soest = Dossier.objects.get(client=persoon.client, verantwoordelijke_gemeente__code=SOEST)
    assert soest.client_id == baarn.client_id

    page = client.get(f"/toegang/dossiers/{soest.pk}/").content.decode()
    assert persoon.geslachtsnaam in page  # the person's own details: now in a Soest dossier
    assert "Geheime hulpvraag" not in page and "bij Baarn" not in page
    assert client.get(f"/toegang/dossiers/{baarn.pk}/").status_code == 404
    assert persoon.bsn not in audit_dump()

    # Registering again at the same gemeente opens no second dossier.
    response = client.post(REGISTREER, registratie(persoon.bsn, SOEST))
    assert response["Location"] == f"/toegang/dossiers/{soest.pk}/"
    assert Dossier.objects.filter(client=persoon.client).count() == 2


def test_zoek_op_bsn_tells_only_that_a_person_is_known(refdata):
    baarn = dossier_in(BAARN)
    user = UserFactory(username="c-zoek-svc")
    grant(user, "consulent", gemeente=SOEST)
    resultaat = zoek_op_bsn(user, baarn.client.persoon.bsn)
    assert resultaat.elders_bekend and resultaat.dossiers == []
    assert [g.code for g in resultaat.open_in] == [SOEST]
    assert not zoek_op_bsn(user, BSN_NIEUW).gevonden


def test_bw_client_of_soest_living_in_amersfoort_stays_with_soest(client, refdata):
    soest_user = UserFactory(username="c-soest-bw")
    grant(soest_user, "consulent", gemeente=SOEST)
    amf_user = UserFactory(username="c-amf-bw")
    grant(amf_user, "consulent", gemeente=AMERSFOORT)
    registratie_ = registreer_client(
        soest_user, bsn=BSN_NIEUW, gemeente=gemeente(SOEST), gemeente_herkomst=gemeente(SOEST),
        persoon_gegevens={"geslachtsnaam": "Bosman", "gemeente_woonplaats": gemeente(AMERSFOORT)},
    )  # fmt: skip
    dossier = registratie_.dossier
    assert dossier.client.persoon.gemeente_woonplaats.code == AMERSFOORT

    client.force_login(soest_user)
    assert client.get(f"/toegang/dossiers/{dossier.pk}/").status_code == 200
    assert "Bosman" in client.get("/toegang/dossiers/").content.decode()
    client.force_login(amf_user)
    assert client.get(f"/toegang/dossiers/{dossier.pk}/").status_code == 404
    assert "Bosman" not in client.get("/toegang/dossiers/").content.decode()
    assert client.get(f"/toegang/dossiers/{dossier.pk}/persoon/").status_code == 404
    assert not Persoon.objects.visible_to(amf_user, "toegang.view_persoon").exists()
    assert Persoon.objects.visible_to(soest_user, "toegang.view_persoon").count() == 1


# --- editing -----------------------------------------------------------------------------------


def test_edit_person_details(client, refdata):
    consulent(client, "c-edit", SOEST)
    dossier = dossier_in(SOEST)
    url = f"/toegang/dossiers/{dossier.pk}/persoon/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"geslachtsnaam": "Jansen", "voornamen": "Piet", "voorletters": "p.", "naamgebruik": "1",
         "geboortedatum": "1970-01-01", "datumgebruik": "2", "geslacht": "1",
         "communicatievorm": "1", "communicatietaal": "Pools",
         "gemeente_woonplaats": gemeente(AMERSFOORT).pk},
    )  # fmt: skip
    assert response.status_code == 302
    persoon = Persoon.objects.get(client=dossier.client)
    assert (persoon.geslachtsnaam, persoon.voorletters, persoon.datumgebruik) == (
        "Jansen", "P.", "2",
    )  # fmt: skip
    page = client.get(f"/toegang/dossiers/{dossier.pk}/").content.decode()
    assert "1970" in page and "1 januari 1970" not in page  # only the year is known
    assert "(Pools)" in page  # the tolk's language (iWmo CD007)
    assert AuditEntry.objects.filter(actie="change", object_type="toegang.persoon").exists()
    assert persoon.bsn not in audit_dump()


def test_edit_pages_of_a_foreign_dossier_answer_404(client, refdata):
    consulent(client, "c-404", SOEST)
    baarn = dossier_in(BAARN)
    for part in ("persoon", "adressen", "relaties", "herkomst"):
        assert client.get(f"/toegang/dossiers/{baarn.pk}/{part}/").status_code == 404
        assert client.post(f"/toegang/dossiers/{baarn.pk}/{part}/", {}).status_code == 404


def formset_data(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def relatie(naam, soort="15", post=False, **extra):
    row = {"soort": soort, "geslachtsnaam": naam, "straat": "Laan", "huisnummer": "2",
           "postcode": "3761 AB", "plaats": "Soest"}  # fmt: skip
    if post:
        row["ontvangt_post"] = "on"
    row.update(extra)
    return row


def test_only_one_relatie_receives_the_post(client, refdata):
    consulent(client, "c-post", SOEST)
    dossier = dossier_in(SOEST)
    url = f"/toegang/dossiers/{dossier.pk}/relaties/"
    response = client.post(
        url,
        formset_data("relaties", [relatie("Mentor", post=True), relatie("Curator", "03", True)]),
    )
    assert response.status_code == 200
    assert "Er kan maar één relatie de post ontvangen" in response.content.decode()
    assert not Relatie.objects.exists()

    response = client.post(
        url,
        formset_data(
            "relaties",
            [relatie("Mentor", post=True, vertegenwoordiging="08"), relatie("Buurvrouw", "19")],
        ),
    )
    assert response.status_code == 302
    mentor = Relatie.objects.get(geslachtsnaam="Mentor")
    buur = Relatie.objects.get(geslachtsnaam="Buurvrouw")
    assert mentor.ontvangt_post and not buur.ontvangt_post
    page = client.get(f"/toegang/dossiers/{dossier.pk}/").content.decode()
    assert "Brieven gaan naar: <strong>Mentor" in page

    # Moving the post from one relatie to the other in one submit works (saved in order).
    # The new postontvanger comes first in the form, so saving in form order would collide.
    rows = [
        {**relatie("Buurvrouw", "19", post=True), "id": str(buur.pk)},
        {**relatie("Mentor", vertegenwoordiging="08"), "id": str(mentor.pk)},
    ]
    response = client.post(url, formset_data("relaties", rows, initial=2))
    assert response.status_code == 302, response.content.decode()
    assert list(Relatie.objects.filter(ontvangt_post=True).values_list("pk", flat=True)) == [
        buur.pk
    ]


def test_the_database_refuses_a_second_postontvanger(refdata):
    from django.db import IntegrityError, transaction

    persoon = dossier_in(SOEST).client.persoon
    Relatie.objects.create(persoon=persoon, soort="15", geslachtsnaam="A", ontvangt_post=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relatie.objects.create(persoon=persoon, soort="03", geslachtsnaam="B", ontvangt_post=True)


def test_postontvanger_needs_an_address(client, refdata):
    consulent(client, "c-post-adres", SOEST)
    dossier = dossier_in(SOEST)
    row = relatie("Mentor", post=True, straat="", huisnummer="")
    response = client.post(
        f"/toegang/dossiers/{dossier.pk}/relaties/", formset_data("relaties", [row])
    )
    assert "heeft een volledig adres nodig" in response.content.decode()


def test_addresses_one_per_soort(client, refdata):
    consulent(client, "c-adres", SOEST)
    dossier = dossier_in(SOEST)
    url = f"/toegang/dossiers/{dossier.pk}/adressen/"
    assert client.get(url).status_code == 200
    adres = {"straat": "Kerkstraat", "huisnummer": "1", "postcode": "3761AB", "plaats": "Soest",
             "land": "NL"}  # fmt: skip
    rows = [{**adres, "soort": "01"}, {**adres, "soort": "01"}]
    response = client.post(url, formset_data("adressen", rows))
    assert "één adres per soort" in response.content.decode()
    rows = [{**adres, "soort": "01"}, {**adres, "soort": "02", "straat": "Postbus"}]
    assert client.post(url, formset_data("adressen", rows)).status_code == 302
    assert sorted(Adres.objects.values_list("soort", flat=True)) == ["01", "02"]


def test_herkomst_outside_the_regio_or_unknown(client, refdata):
    consulent(client, "c-herkomst", SOEST)
    dossier = dossier_in(SOEST)
    url = f"/toegang/dossiers/{dossier.pk}/herkomst/"
    assert client.post(url, {"gemeente_herkomst": gemeente(GRONINGEN).pk}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.gemeente_herkomst.code == GRONINGEN
    assert client.post(url, {"gemeente_herkomst": ""}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.gemeente_herkomst is None
    assert "onbekend" in client.get(f"/toegang/dossiers/{dossier.pk}/").content.decode()


# --- the dossier page --------------------------------------------------------------------------


def test_optional_url_is_none_for_a_missing_screen():
    assert optional_url("toegang:bestaat-niet", 1) is None
    assert optional_url("toegang:dossier-detail", 1) == "/toegang/dossiers/1/"


def test_dossier_page_shows_a_timeline_in_date_order(client, refdata):
    from django.core.files.base import ContentFile

    from toegang.models import Document

    user = consulent(client, "c-tijdlijn", SOEST)
    dossier = dossier_in(SOEST)
    Melding.objects.create(
        dossier=dossier, ontvangen_op=datetime.date(2026, 1, 20), hulpvraag="Hulp bij wonen"
    )
    Melding.objects.create(
        dossier=dossier, ontvangen_op=datetime.date(2026, 3, 2), hulpvraag="Tweede melding"
    )
    document = Document(dossier=dossier, naam="Gespreksverslag.pdf", aangemaakt_door=user)
    document.bestand.save("verslag.pdf", ContentFile(b"%PDF-1.4"), save=True)
    html = client.get(f"/toegang/dossiers/{dossier.pk}/").content.decode()
    tijdlijn = html[html.index('id="tijdlijn"') :]
    assert tijdlijn.index("2-3-2026") < tijdlijn.index("20-1-2026")  # newest first
    assert "Gespreksverslag.pdf" in tijdlijn
    assert "Start en stop van de zorg" in html
    assert "de cliënt zelf" in html  # no relatie receives the post


def test_dossier_buttons_only_where_the_user_may_act_on_this_dossier(client, refdata):
    """Issue 18: a Baarn consulent who may also read Soest's dossiers sees no 'Melding
    registreren', 'Beschikking opstellen' or 'Document toevoegen' on a Soest dossier (before:
    holding those capabilities anywhere was enough); in Baarn they are there."""
    user = consulent(client, "c-baarn-lezer", BAARN)
    grant(user, rol_met("lezer-dossiers", "toegang.view_dossier", "toegang.view_melding",
                        "toegang.view_beschikking"), gemeente=SOEST)  # fmt: skip
    knoppen = ("Melding registreren", "Beschikking opstellen", "Document toevoegen")
    eigen = client.get(f"/toegang/dossiers/{dossier_in(BAARN).pk}/").content.decode()
    assert all(knop in eigen for knop in knoppen)
    soest = dossier_in(SOEST)
    response = client.get(f"/toegang/dossiers/{soest.pk}/")
    assert response.status_code == 200
    assert not any(knop in response.content.decode() for knop in knoppen)
    assert (response.context["melding_url"], response.context["beschikking_url"]) == (None, None)
    # And the form itself is refused.
    nieuw = reverse("toegang:melding-create", args=[soest.pk])
    assert client.post(nieuw, {"ontvangen_op": "2026-03-02", "hulpvraag": "x"}).status_code in (
        403, 404,
    )  # fmt: skip
    assert not Melding.objects.filter(dossier=soest).exists()


def test_dossier_page_of_an_erased_person_still_renders(client, refdata):
    consulent(client, "c-gewist", SOEST)
    dossier = dossier_in(SOEST)
    Persoon.objects.filter(client=dossier.client).delete()
    response = client.get(f"/toegang/dossiers/{dossier.pk}/")
    assert response.status_code == 200
    assert "(gegevens verwijderd)" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_register_a_client_by_bsn(page, live_server, refdata):
    from playwright.sync_api import expect

    from tests.browser import collect_csp_violations, login

    user = UserFactory(username="consulent-soest-reg")
    grant(user, "consulent", gemeente=SOEST)
    violations = collect_csp_violations(page)
    login(page, live_server, "consulent-soest-reg")
    page.goto(f"{live_server.url}/toegang/dossiers/")
    page.get_by_role("link", name="Cliënt zoeken op BSN of registreren").click()
    page.get_by_role("region", name="Op BSN").get_by_role("textbox", name="BSN").first.fill(
        "0010.00.007"
    )
    page.get_by_role("button", name="Zoeken op BSN").click()
    expect(page.get_by_text("Er is geen persoon met dit BSN bekend.")).to_be_visible()
    page.get_by_label("Geslachtsnaam").fill("Verbeek")
    page.get_by_label("Voornamen").fill("Anna")
    page.get_by_label("Gemeente van herkomst").select_option(label="Groningen (0014)")
    page.get_by_role("button", name="Registreren en dossier openen").click()
    expect(page.get_by_role("heading", name="Dossier Anna Verbeek")).to_be_visible()
    expect(page.get_by_text("De cliënt is geregistreerd")).to_be_visible()
    assert BSN_NUL not in page.url and "1000007" not in page.url
    page.get_by_role("link", name="Relaties wijzigen").click()
    page.get_by_label("Soort").select_option("15")
    page.get_by_label("Geslachtsnaam").fill("De Mentor")
    page.get_by_label("Ontvangt de post").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("heeft een volledig adres nodig")).to_be_visible()
    page.get_by_label("Straat").fill("Laan")
    page.get_by_label("Huisnummer").fill("2")
    page.get_by_label("Postcode").fill("3761 AB")
    page.get_by_label("Plaats").fill("Soest")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Brieven gaan naar: De Mentor")).to_be_visible()
    assert violations == []
    assert BSN_NUL not in audit_dump()
