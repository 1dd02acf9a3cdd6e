"""Melding → onderzoek → aanvraag (toegang.meldingen.services and the meldingen screens): every
step recomputes and stores the next deadline and is audited; suspension, one extension before
expiry, withdrawal; the verslag as a PDF letter to the client or the vertegenwoordiger; document
upload checked by content; a melding or dossier of another gemeente answers 404."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from freezegun import freeze_time

from regio.models import AuditEntry
from tests.factories import UserFactory, consulent, dossier_in
from toegang import termijnen
from toegang.meldingen import services
from toegang.models import Aanvraag, Adres, Document, Melding, Relatie

D = datetime.date
VANDAAG = "2026-03-10"  # a Tuesday
GEMELD = D(2026, 3, 2)  # a Monday


@pytest.fixture
def soest(refdata):
    return consulent("consulent-soest", "0342", first_name="Sanne", last_name="de Vries")


@pytest.fixture
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


@pytest.fixture
def dossier(soest):
    dossier = dossier_in("0342")
    Adres.objects.create(
        persoon=dossier.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 AB", plaats="Soest",
    )  # fmt: skip
    return dossier


def melding_op(dossier, user, ontvangen_op=GEMELD, **kwargs):
    with freeze_time(VANDAAG):
        return services.melding_registreren(
            dossier, user=user, ontvangen_op=ontvangen_op, hulpvraag="Hulp bij het huishouden",
            **kwargs,
        )  # fmt: skip


def met_aanvraag(dossier, user, aanvraag_op=GEMELD):
    melding = melding_op(dossier, user, ontvangen_op=aanvraag_op)
    with freeze_time(VANDAAG):
        services.aanvraag_registreren(melding, user=user, ontvangen_op=aanvraag_op)
    melding.refresh_from_db()
    return melding


def fout(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- services --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_melding_stores_the_onderzoekstermijn_and_is_audited(dossier, soest):
    melding = melding_op(dossier, soest)
    assert melding.status == Melding.Status.ONDERZOEK and melding.consulent == soest
    assert melding.volgende_termijn == termijnen.onderzoekstermijn(D(2026, 3, 2)) == D(2026, 4, 13)
    entry = AuditEntry.objects.filter(actie="create", object_type="toegang.melding").get()
    assert entry.object_ids == [str(melding.pk)] and entry.actor == "consulent-soest"


@pytest.mark.django_db
def test_melding_input_errors_are_dutch_and_at_the_field(dossier, soest, baarn):
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.melding_registreren(
            dossier, user=soest, ontvangen_op=D(2026, 3, 11), hulpvraag=" ", urgent=True,
            consulent=baarn,
        )  # fmt: skip
    fouten = excinfo.value.message_dict
    assert fouten["ontvangen_op"] == ["Deze datum ligt in de toekomst."]
    assert fouten["hulpvraag"] == ["Beschrijf de hulpvraag."]
    assert "tijdelijke voorziening" in fouten["tijdelijke_voorziening"][0]
    assert fouten["consulent"] == ["Deze medewerker is geen consulent van deze gemeente."]
    assert not Melding.objects.exists()


@pytest.mark.django_db
def test_urgent_melding_keeps_its_tijdelijke_voorziening(dossier, soest):
    melding = melding_op(dossier, soest, urgent=True, tijdelijke_voorziening="Thuiszorg 2 weken")
    assert melding.urgent and melding.tijdelijke_voorziening == "Thuiszorg 2 weken"


@pytest.mark.django_db
def test_onderzoek_and_verslag_to_the_vertegenwoordiger(dossier, soest):
    persoon = dossier.client.persoon
    Relatie.objects.create(
        persoon=persoon, soort="15", geslachtsnaam="Mentorsma", voornamen="Mila",
        straat="Postbus", huisnummer="99", postcode="3800 AA", plaats="Amersfoort",
        ontvangt_post=True,
    )  # fmt: skip
    melding = melding_op(dossier, soest)
    with freeze_time(VANDAAG):
        with pytest.raises(ValidationError) as excinfo:
            services.verslag_versturen(melding, user=soest)
        assert "Rond eerst het onderzoek af" in fout(excinfo)
        services.onderzoek_vastleggen(
            melding, user=soest, gesprek_op=D(2026, 3, 5),
            gespreksverslag="Mevrouw redt het huishouden niet meer.",
            onderzoek_afgerond_op=D(2026, 3, 9),
        )  # fmt: skip
        melding.refresh_from_db()
        # The verslag is still due within the onderzoekstermijn.
        assert melding.volgende_termijn == D(2026, 4, 13)
        document = services.verslag_versturen(melding, user=soest)
    melding.refresh_from_db()
    assert melding.verslag_verstuurd_op == D(2026, 3, 10)
    assert melding.volgende_termijn is None  # nothing due until the client applies
    assert document.soort == Document.Soort.VERSLAG and document.dossier == dossier
    inhoud = document.bestand.read()
    assert inhoud.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(inhoud).hexdigest()
    # The letter goes to the mentor, about the client.
    context = services.verslag_context(melding, user=soest, verstuurd_op=D(2026, 3, 10))
    assert context["aan"].naam == "Mila Mentorsma" and context["aan"].is_relatie
    html = render_to_string("toegang/meldingen/melding_verslag_pdf.html", context)
    assert "Mila Mentorsma" in html and "Postbus 99" in html
    assert f"Betreft</th><td>{persoon.naam}" in html
    assert "Mevrouw redt het huishouden niet meer." in html
    assert persoon.bsn not in html


@pytest.mark.django_db
def test_verslag_goes_to_the_client_at_the_correspondence_address(dossier, soest):
    persoon = dossier.client.persoon
    Adres.objects.create(
        persoon=persoon, soort="02", straat="Postweg", huisnummer="3", huisletter="a",
        postcode="3762 CC", plaats="Soest",
    )  # fmt: skip
    aan = services.geadresseerde(persoon)
    assert aan.naam == persoon.naam and not aan.is_relatie
    assert aan.adresregels == ["Postweg 3a", "3762 CC  SOEST"]


@pytest.mark.django_db
def test_onderzoek_dates_are_checked(dossier, soest):
    melding = melding_op(dossier, soest)
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.onderzoek_vastleggen(
            melding, user=soest, gesprek_op=D(2026, 3, 1), gespreksverslag="",
            onderzoek_afgerond_op=D(2026, 3, 20),
        )  # fmt: skip
    fouten = excinfo.value.message_dict
    assert fouten["gesprek_op"] == ["Deze datum ligt vóór de melding (2 maart 2026)."]
    assert fouten["onderzoek_afgerond_op"] == ["Deze datum ligt in de toekomst."]
    assert "gespreksverslag" in fouten


@pytest.mark.django_db
def test_aanvraag_starts_the_beslistermijn_once(dossier, soest):
    melding = met_aanvraag(dossier, soest)
    assert melding.status == Melding.Status.AANVRAAG
    assert melding.volgende_termijn == D(2026, 3, 16)
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.aanvraag_registreren(melding, user=soest, ontvangen_op=D(2026, 3, 3))
    assert fout(excinfo) == "Voor deze melding is al een aanvraag geregistreerd."
    assert Aanvraag.objects.count() == 1


@pytest.mark.django_db
def test_aanvraag_before_the_melding_is_refused(dossier, soest):
    melding = melding_op(dossier, soest)
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.aanvraag_registreren(melding, user=soest, ontvangen_op=D(2026, 3, 1))
    assert excinfo.value.message_dict["ontvangen_op"] == [
        "Deze datum ligt vóór de melding (2 maart 2026)."
    ]


@pytest.mark.django_db
def test_suspension_stops_and_resumes_the_beslistermijn(dossier, soest):
    melding = met_aanvraag(dossier, soest)
    with freeze_time(VANDAAG):
        services.opschorting_starten(melding, user=soest, van=D(2026, 3, 4), reden="Medisch advies")
        melding.refresh_from_db()
        assert melding.volgende_termijn is None  # suspended: no end yet
        with pytest.raises(ValidationError) as excinfo:
            services.opschorting_starten(melding, user=soest, van=D(2026, 3, 5), reden="Nog iets")
        assert "al opgeschort" in fout(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.opschorting_beeindigen(melding, user=soest, tot=D(2026, 3, 3))
        assert "vóór het begin van de opschorting" in fout(excinfo)
        services.opschorting_beeindigen(melding, user=soest, tot=D(2026, 3, 10))
    melding.refresh_from_db()
    # 5..9 March suspended (5 days): 16 March + 5 = Saturday 21 March → Monday 23 March.
    assert melding.volgende_termijn == D(2026, 3, 23)
    assert AuditEntry.objects.filter(object_type="toegang.opschorting").count() == 2


@pytest.mark.django_db
def test_no_suspension_after_the_term_expired(dossier, soest):
    melding = met_aanvraag(dossier, soest, aanvraag_op=D(2026, 2, 2))  # ended 16 February
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.opschorting_starten(melding, user=soest, van=D(2026, 3, 2), reden="Te laat")
    assert "verstreken" in fout(excinfo)


@pytest.mark.django_db
def test_verdaging_only_once_and_only_before_expiry(dossier, soest):
    melding = met_aanvraag(dossier, soest)
    with freeze_time(VANDAAG):
        with pytest.raises(ValidationError) as excinfo:
            services.verdaging_vastleggen(
                melding, user=soest, verdaagd_op=D(2026, 3, 10), weken=2, reden=" "
            )
        assert excinfo.value.message_dict["reden"]
        services.verdaging_vastleggen(
            melding, user=soest, verdaagd_op=D(2026, 3, 10), weken=2, reden="Advies nodig"
        )
        melding.refresh_from_db()
        assert melding.volgende_termijn == D(2026, 3, 30)
        with pytest.raises(ValidationError) as excinfo:
            services.verdaging_vastleggen(
                melding, user=soest, verdaagd_op=D(2026, 3, 10), weken=1, reden="Nog eens"
            )
    assert fout(excinfo) == (
        "De beslistermijn is al op 10 maart 2026 verdaagd; verdagen kan maar één keer (Awb 4:14)."
    )
    verlopen = met_aanvraag(dossier, soest, aanvraag_op=D(2026, 2, 2))
    with freeze_time(VANDAAG), pytest.raises(ValidationError) as excinfo:
        services.verdaging_vastleggen(
            verlopen, user=soest, verdaagd_op=D(2026, 3, 10), weken=2, reden="Te laat"
        )
    assert excinfo.value.message_dict["verdaagd_op"] == [
        "De beslistermijn is op 16 februari 2026 verstreken; verdagen kan alleen vóór het einde "
        "van de termijn (Awb 4:14)."
    ]


@pytest.mark.django_db
def test_withdrawn_melding_has_no_deadline_and_stays_closed(dossier, soest):
    melding = met_aanvraag(dossier, soest)
    services.melding_intrekken(melding, user=soest)
    melding.refresh_from_db()
    assert melding.status == Melding.Status.INGETROKKEN and melding.volgende_termijn is None
    with pytest.raises(ValidationError) as excinfo:
        services.melding_intrekken(melding, user=soest)
    assert "ingetrokken" in fout(excinfo)


@pytest.mark.django_db
def test_afsluiten_after_the_decision(dossier, soest):
    melding = melding_op(dossier, soest)
    with pytest.raises(ValidationError):
        services.melding_afsluiten(melding, user=soest)
    melding = met_aanvraag(dossier, soest)
    services.melding_afsluiten(melding, user=soest)
    melding.refresh_from_db()
    assert melding.status == Melding.Status.BESLOTEN and melding.volgende_termijn is None


# --- screens ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_melding_through_the_form(client, dossier, soest):
    client.force_login(soest)
    url = f"/toegang/dossiers/{dossier.pk}/meldingen/nieuw/"
    with freeze_time(VANDAAG):
        assert client.get(url).status_code == 200
        response = client.post(url, {"ontvangen_op": "2026-03-02", "hulpvraag": "Begeleiding"})
    melding = Melding.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/toegang/meldingen/{melding.pk}/"
    )
    with freeze_time(VANDAAG):
        page = client.get(response["Location"]).content.decode()
    assert "maandag 13 april 2026" in page and "Op tijd" in page


@pytest.mark.django_db
def test_form_errors_are_shown_at_the_field(client, dossier, soest):
    client.force_login(soest)
    with freeze_time(VANDAAG):
        response = client.post(
            f"/toegang/dossiers/{dossier.pk}/meldingen/nieuw/",
            {"ontvangen_op": "2026-04-01", "hulpvraag": "x", "urgent": "on"},
        )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["ontvangen_op"] == ["Deze datum ligt in de toekomst."]
    assert "tijdelijke_voorziening" in form.errors
    assert not Melding.objects.exists()


@pytest.mark.django_db
def test_foreign_dossier_and_melding_answer_404(client, dossier, soest, baarn):
    andere = dossier_in("0308")
    client.force_login(soest)
    assert client.get(f"/toegang/dossiers/{andere.pk}/meldingen/nieuw/").status_code == 404
    assert client.get(f"/toegang/dossiers/{andere.pk}/documenten/nieuw/").status_code == 404
    assert AuditEntry.objects.filter(resultaat="denied", object_ids=[str(andere.pk)]).exists()
    baarn_melding = melding_op(andere, baarn)
    for pad in ("", "onderzoek/", "aanvraag/", "opschorting/", "verdaging/", "intrekken/"):
        assert client.get(f"/toegang/meldingen/{baarn_melding.pk}/{pad}").status_code == 404, pad
    assert client.post(f"/toegang/meldingen/{baarn_melding.pk}/intrekken/").status_code == 404
    baarn_melding.refresh_from_db()
    assert baarn_melding.status == Melding.Status.ONDERZOEK


@pytest.mark.django_db
def test_user_without_a_role_gets_nothing(client, dossier, soest):
    melding = melding_op(dossier, soest)
    client.force_login(UserFactory(username="zonder-rol"))
    assert client.get(f"/toegang/meldingen/{melding.pk}/").status_code == 404
    assert client.get(f"/toegang/dossiers/{dossier.pk}/meldingen/nieuw/").status_code == 404


@pytest.mark.django_db
def test_onderzoek_form_makes_the_verslag(client, dossier, soest):
    melding = melding_op(dossier, soest)
    client.force_login(soest)
    with freeze_time(VANDAAG):
        response = client.post(
            f"/toegang/meldingen/{melding.pk}/onderzoek/",
            {"gesprek_op": "2026-03-05", "gespreksverslag": "Gesprek thuis gevoerd.",
             "onderzoek_afgerond_op": "2026-03-09", "verslag_versturen": "on"},
        )  # fmt: skip
        assert response.status_code == 302
        document = Document.objects.get(soort=Document.Soort.VERSLAG)
        # Still on the frozen day: the session's 15-minute idle timeout runs on the same clock.
        download = client.get(f"/toegang/documenten/{document.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(actie="export", object_type="toegang.document").exists()


@pytest.mark.django_db
def test_verdaging_asks_for_confirmation_first(client, dossier, soest):
    melding = met_aanvraag(dossier, soest)
    client.force_login(soest)
    url = f"/toegang/meldingen/{melding.pk}/verdaging/"
    data = {"verdaagd_op": "2026-03-10", "weken": "2", "reden": "Advies van de GGD"}
    with freeze_time(VANDAAG):
        confirm = client.post(url, data)
        assert confirm.status_code == 200 and confirm.context["bevestigen"]
        assert "maandag 30 maart 2026" in confirm.content.decode()
        assert Aanvraag.objects.get().verdaagd_op is None  # nothing changed yet
        done = client.post(url, {**data, "bevestigd": "ja"})
    assert done.status_code == 302
    aanvraag = Aanvraag.objects.get()
    assert (aanvraag.verdaagd_op, aanvraag.verdaging_weken) == (D(2026, 3, 10), 2)
    melding.refresh_from_db()
    assert melding.volgende_termijn == D(2026, 3, 30)
    with freeze_time(VANDAAG):
        again = client.post(url, {**data, "bevestigd": "ja"})
    assert "maar één keer" in again.content.decode()


@pytest.mark.django_db
def test_intrekken_has_a_confirm_page(client, dossier, soest):
    melding = melding_op(dossier, soest)
    client.force_login(soest)
    url = f"/toegang/meldingen/{melding.pk}/intrekken/"
    assert client.get(url).status_code == 200
    melding.refresh_from_db()
    assert melding.status == Melding.Status.ONDERZOEK
    assert client.post(url).status_code == 302
    melding.refresh_from_db()
    assert melding.status == Melding.Status.INGETROKKEN
    # A closed melding sends every step back to its page with a message.
    response = client.get(f"/toegang/meldingen/{melding.pk}/onderzoek/", follow=True)
    assert "kan niet meer worden gewijzigd" in response.content.decode()


@pytest.mark.django_db
def test_detail_shows_the_dwangsom_risk_after_expiry(client, dossier, soest):
    melding = met_aanvraag(dossier, soest, aanvraag_op=D(2026, 2, 2))
    client.force_login(soest)
    with freeze_time(VANDAAG):
        page = client.get(f"/toegang/meldingen/{melding.pk}/").content.decode()
    assert "verlopen sinds 17 februari 2026 — dwangsom mogelijk" in page
    assert "signaal-rood" in page and "€ 1.442,00" in page


# --- documents -------------------------------------------------------------------------------


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archief:
        archief.writestr("[Content_Types].xml", "<Types/>")
        archief.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize(
    "naam, inhoud, goed",
    [("plan.pdf", b"%PDF-1.7\n%...", True), ("foto.png", PNG, True),
     ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, True), ("brief.docx", docx_bytes(), True),
     ("oud.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16, True),
     ("virus.exe", b"MZ\x90\x00", False), ("tekst.txt", b"hallo", False),
     ("nep.pdf", PNG, False), ("kapot.docx", b"PK\x03\x04rommel", False),
     ("archief.docx", b"PK\x05\x06" + b"\x00" * 18, False)],
)  # fmt: skip
@pytest.mark.django_db
def test_upload_is_checked_by_content(client, dossier, soest, naam, inhoud, goed):
    client.force_login(soest)
    response = client.post(
        f"/toegang/dossiers/{dossier.pk}/documenten/nieuw/",
        {"soort": "upload", "bestand": SimpleUploadedFile(naam, inhoud)},
    )
    if goed:
        assert response.status_code == 302, response.context["form"].errors
        document = Document.objects.get()
        assert document.sha256 == hashlib.sha256(inhoud).hexdigest()
        assert document.bestand.read() == inhoud
    else:
        assert response.status_code == 200 and response.context["form"].errors["bestand"]
        assert not Document.objects.exists()


@pytest.mark.django_db
def test_upload_over_20_mb_is_refused(client, dossier, soest):
    client.force_login(soest)
    groot = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    response = client.post(
        f"/toegang/dossiers/{dossier.pk}/documenten/nieuw/",
        {"soort": "upload", "bestand": SimpleUploadedFile("groot.pdf", groot)},
    )
    assert response.context["form"].errors["bestand"] == ["Het bestand is groter dan 20 MB."]


@pytest.mark.django_db
def test_bsn_in_an_upload_name_stays_out(client, dossier, soest, baarn):
    bsn = dossier.client.persoon.bsn
    client.force_login(soest)
    response = client.post(
        f"/toegang/dossiers/{dossier.pk}/documenten/nieuw/",
        {"soort": "upload", "bestand": SimpleUploadedFile(f"uittreksel {bsn}.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert bsn not in document.naam and bsn not in document.bestand.name
    refused = client.post(
        f"/toegang/dossiers/{dossier.pk}/documenten/nieuw/",
        {"soort": "upload", "naam": f"BSN {bsn}", "bestand": SimpleUploadedFile("a.pdf", b"%PDF-")},
    )
    assert "Zet geen BSN" in refused.context["form"].errors["naam"][0]
    # Another gemeente's consulent cannot download it.
    client.force_login(baarn)
    assert client.get(f"/toegang/documenten/{document.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_onderzoek_is_not_half_saved_when_the_letter_cannot_be_made(client, dossier, soest):
    melding = melding_op(dossier, soest)
    dossier.client.persoon.delete()  # erased: there is nobody to write to
    client.force_login(soest)
    with freeze_time(VANDAAG):
        response = client.post(
            f"/toegang/meldingen/{melding.pk}/onderzoek/",
            {"gesprek_op": "2026-03-05", "gespreksverslag": "Gesprek gevoerd.",
             "onderzoek_afgerond_op": "2026-03-09", "verslag_versturen": "on"},
        )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "De persoonsgegevens van deze cliënt zijn verwijderd."
    ]
    melding.refresh_from_db()
    assert melding.gespreksverslag == "" and melding.onderzoek_afgerond_op is None
    assert not Document.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_consulenten_registering_the_aanvraag_at_once(dossier, soest):
    """The melding row is locked: one aanvraag wins, the other gets a Dutch error (no 500)."""
    import threading

    from django.db import connection

    melding = melding_op(dossier, soest)
    start = threading.Barrier(2)
    uitkomsten = []

    def registreer():
        try:
            start.wait()
            services.aanvraag_registreren(melding, user=soest, ontvangen_op=GEMELD)
            uitkomsten.append("ok")
        except ValidationError as error:
            uitkomsten.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=registreer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(uitkomsten) == ["Voor deze melding is al een aanvraag geregistreerd.", "ok"]
    assert Aanvraag.objects.count() == 1


@pytest.mark.django_db
def test_aanvraag_form_records_the_requested_functies(client, dossier, soest):
    from demo import inkoop as inkoop_demo
    from inkoop.models import Product

    inkoop_demo.catalogus()
    melding = melding_op(dossier, soest)
    bw = Product.objects.get(code="beschermd-wonen", perceel__regio__code="amersfoort")
    oldambt_product = Product.objects.get(code="begeleiding-groep")  # not Soest's catalogue
    client.force_login(soest)
    url = f"/toegang/meldingen/{melding.pk}/aanvraag/"
    with freeze_time(VANDAAG):
        fout = client.post(url, {"ontvangen_op": "2026-03-09", "functies": [oldambt_product.pk]})
        assert fout.status_code == 200 and "functies" in fout.context["form"].errors
        client.post(url, {"ontvangen_op": "2026-03-09", "functies": [bw.pk]})
    aanvraag = Aanvraag.objects.get(melding=melding)
    assert list(aanvraag.functies.all()) == [bw]
