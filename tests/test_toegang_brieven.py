"""Letters that read well (issue 18): the salutation and name lines in the PDF, the signature of
whoever decided under the gemeente's mandate text (kept with the last paragraph), the preview
with a CONCEPT watermark that is never stored, and the versioned letter texts per gemeente
(validated placeholders, only for functioneel beheer, a bekendgemaakte letter keeps its version).
"""

import hashlib
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from demo import inkoop as inkoop_demo
from regio.models import AuditEntry, Gemeente
from tests.factories import UserFactory, consulent, dossier_in, grant
from tests.test_toegang_beschikking import concept, met_adres, vastgesteld, vers
from toegang.beschikkingen import brieftekst, services
from toegang.models import Brieftekst, Document, Persoon

Soort, Blok = Brieftekst.Soort, Brieftekst.Blok
NIEUW_BESLUIT = "Wij kennen de aanvraag toe. {Wie} krijgt per {ingangsdatum} dit: {product}."


def paginas(inhoud: bytes) -> list[str]:
    """The text of each page (pdftotext separates pages by a form feed)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=inhoud, capture_output=True, check=True
    )
    return [re.sub(r"\s+", " ", p) for p in result.stdout.decode().split("\f") if p.strip()]


def brieftekst_van(b) -> str:
    with vers(b).brief.bestand.open("rb") as f:
        return " ".join(paginas(f.read()))


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()


@pytest.fixture
def dossier(catalogus):
    return met_adres(dossier_in("0342"))


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
def beheerder(refdata):
    user = UserFactory(username="beheer-amersfoort", first_name="Fenna", last_name="Beheer")
    grant(user, "functioneel-beheerder", regio="amersfoort")
    return user


def van_testweg(dossier, **velden):
    Persoon.objects.filter(client=dossier.client).update(
        geslacht="2", voorletters="A.", voornamen="Anna", voorvoegsel="van",
        geslachtsnaam="Testweg", **velden,
    )  # fmt: skip


# --- the letter reads well -----------------------------------------------------------------------


def test_letter_names_the_client_and_is_signed_under_the_mandate(dossier, soest_a, soest_b):
    van_testweg(dossier)
    soest_b.functie = "consulent Wmo"
    soest_b.save()
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    with vers(b).brief.bestand.open("rb") as f:
        pages = paginas(f.read())
    tekst = " ".join(pages)
    assert "Mevrouw A. van Testweg" in tekst  # the address line
    assert "Geachte mevrouw Van Testweg," in tekst
    assert "U krijgt de ondersteuning hieronder" in tekst  # spoken to the addressee
    assert "Namens het college van burgemeester en wethouders van Soest," in tekst
    assert "Bram Bos consulent Wmo" in tekst  # whoever decided (vastgesteld), with function
    # The signature is never alone on its page: the last paragraph stands with it.
    ondertekend = [p for p in pages if "Bram Bos" in p]
    assert len(ondertekend) == 1 and "Hebt u vragen over deze brief?" in ondertekend[0]


def test_letter_follows_naamgebruik_with_the_partner_name(dossier, soest_a, soest_b):
    van_testweg(
        dossier, naamgebruik="3", partner_voorvoegsel="van den", partner_geslachtsnaam="Berg"
    )
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    tekst = brieftekst_van(b)
    assert "Mevrouw A. van den Berg-van Testweg" in tekst
    assert "Geachte mevrouw Van den Berg-van Testweg," in tekst


# --- the preview ---------------------------------------------------------------------------------


def test_preview_has_concept_watermark_and_is_not_stored(dossier, soest_a, soest_b, client):
    van_testweg(dossier)
    b = vastgesteld(dossier, soest_a, soest_b)
    client.force_login(soest_a)
    url = reverse("toegang:beschikking-voorbeeld", args=[b.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    tekst = " ".join(paginas(response.content))
    assert "CONCEPT" in tekst and "Geachte mevrouw Van Testweg," in tekst
    b = vers(b)
    assert b.brief_id is None and b.status == services.Status.VASTGESTELD
    assert not Document.objects.exists() and not b.brieftekstversies.exists()
    assert not Brieftekst.objects.exists()  # the standard texts are not fixed by a preview
    assert AuditEntry.objects.filter(
        object_type="toegang.beschikking", object_ids__contains=[str(b.pk)],
        toelichting__brief="voorbeeld (concept)",
    ).exists()  # fmt: skip
    # The detail page offers it before bekendmaken.
    assert url in client.get(reverse("toegang:beschikking-detail", args=[b.pk])).content.decode()

    # Once made known the stored letter is the letter: no preview, no new rendering.
    services.maak_bekend(b, soest_b)
    assert "CONCEPT" not in brieftekst_van(b)
    response = client.get(url)
    assert response.status_code == 302 and Document.objects.count() == 1


def test_preview_of_a_concept_shows_where_the_signature_comes(dossier, soest_a, client):
    b = concept(dossier, soest_a)
    client.force_login(soest_a)
    response = client.get(reverse("toegang:beschikking-voorbeeld", args=[b.pk]))
    assert response.status_code == 200
    assert "[naam en functie van wie het besluit vaststelt]" in " ".join(paginas(response.content))


def test_preview_is_scoped(dossier, soest_a, baarn, client):
    b = concept(dossier, soest_a)
    client.force_login(baarn)
    assert client.get(reverse("toegang:beschikking-voorbeeld", args=[b.pk])).status_code == 404


# --- the letter texts ----------------------------------------------------------------------------


def test_new_version_is_used_by_new_letters_and_old_letters_keep_theirs(
    catalogus, soest_a, soest_b, beheerder, client
):
    soest = Gemeente.objects.get(code="0342")
    eerste = vastgesteld(met_adres(dossier_in("0342")), soest_a, soest_b)
    services.maak_bekend(eerste, soest_b)
    oud = vers(eerste)
    standaard = oud.brieftekstversies.get(blok=Blok.BESLUIT)
    assert (standaard.soort, standaard.versie, standaard.gemaakt_door) == (
        Soort.TOEKENNING, 1, None,
    )  # fmt: skip
    assert {v.blok for v in oud.brieftekstversies.all()} == set(Blok.values)
    sha = oud.brief.sha256

    nieuw = brieftekst.nieuwe_versie(
        soest, Soort.TOEKENNING, Blok.BESLUIT, NIEUW_BESLUIT, beheerder
    )
    assert nieuw.versie == 2 and nieuw.gemaakt_door == beheerder
    assert Brieftekst.objects.get(pk=standaard.pk).tekst == standaard.tekst  # never changed

    tweede = vastgesteld(met_adres(dossier_in("0342")), soest_a, soest_b)
    services.maak_bekend(tweede, soest_b)
    assert vers(tweede).brieftekstversies.get(blok=Blok.BESLUIT) == nieuw
    assert "U krijgt per 1 januari 2026 dit: Begeleiding en Beschermd wonen." in (
        brieftekst_van(tweede)
    )
    # The first letter keeps the version it was made with, and its stored file.
    oud = vers(eerste)
    assert oud.brieftekstversies.get(blok=Blok.BESLUIT) == standaard
    with oud.brief.bestand.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == sha
    assert "dit: Begeleiding" not in brieftekst_van(eerste)
    client.force_login(soest_a)
    for b, versie in ((eerste, 1), (tweede, 2)):
        pagina = client.get(reverse("toegang:beschikking-detail", args=[b.pk])).content.decode()
        assert f"ons besluit versie {versie}" in pagina


def test_first_edit_keeps_the_standard_text_as_version_one(refdata, beheerder):
    soest = Gemeente.objects.get(code="0342")
    nieuw = brieftekst.nieuwe_versie(
        soest, Soort.ALGEMEEN, Blok.ONDERTEKENING, "Namens de burgemeester,", beheerder
    )
    assert nieuw.versie == 2
    v1 = Brieftekst.objects.get(gemeente=soest, blok=Blok.ONDERTEKENING, versie=1)
    assert "Namens het college" in v1.tekst


@pytest.mark.parametrize(
    "tekst, fout",
    [
        ("Uw BSN is {bsn}.", "{bsn}"),
        ("Hallo {client.bsn}.", "{client.bsn}"),
        ("Per {ingangsdatum:%Y}.", "{ingangsdatum}"),
        ("Een losse { accolade.", "accolade"),
        ("   ", "Vul een tekst in"),
    ],
)
def test_unknown_placeholders_are_refused_at_the_field(refdata, beheerder, tekst, fout):
    soest = Gemeente.objects.get(code="0342")
    with pytest.raises(ValidationError) as exc:
        brieftekst.nieuwe_versie(soest, Soort.TOEKENNING, Blok.BESLUIT, tekst, beheerder)
    assert fout in exc.value.message_dict["tekst"][0]
    assert not Brieftekst.objects.exists()


def test_only_functioneel_beheer_of_the_regio_edits_texts(refdata, soest_a, client):
    soest = Gemeente.objects.get(code="0342")
    with pytest.raises(PermissionDenied):
        brieftekst.nieuwe_versie(soest, Soort.TOEKENNING, Blok.BESLUIT, NIEUW_BESLUIT, soest_a)
    elders = UserFactory(username="beheer-groningen")
    grant(elders, "functioneel-beheerder", regio="groningen")
    with pytest.raises(PermissionDenied):
        brieftekst.nieuwe_versie(soest, Soort.TOEKENNING, Blok.BESLUIT, NIEUW_BESLUIT, elders)
    assert not Brieftekst.objects.exists()
    client.force_login(soest_a)
    assert client.get(reverse("toegang:brieftekst-overzicht")).status_code == 403
    url = reverse("toegang:brieftekst-bewerk", args=["0342", "toekenning", "besluit"])
    assert client.post(url, {"tekst": NIEUW_BESLUIT, "opslaan": "1"}).status_code == 403
    client.force_login(elders)
    assert client.post(url, {"tekst": NIEUW_BESLUIT, "opslaan": "1"}).status_code == 404
    assert not Brieftekst.objects.exists()


def test_the_beheerder_previews_and_saves_a_text_on_the_page(refdata, beheerder, client):
    client.force_login(beheerder)
    overzicht = client.get(reverse("toegang:brieftekst-overzicht") + "?gemeente=0342")
    assert overzicht.status_code == 200 and "Namens het college" in overzicht.content.decode()
    url = reverse("toegang:brieftekst-bewerk", args=["0342", "toekenning", "besluit"])
    assert "{Wie} krijgt de ondersteuning" in client.get(url).content.decode()

    fout = client.post(url, {"tekst": "Voor {naam}.", "opslaan": "1"})
    assert fout.status_code == 200
    assert "Onbekende plaatshouder: {naam}" in fout.content.decode()
    assert fout.context["form"].errors["tekst"]

    voorbeeld = client.post(url, {"tekst": NIEUW_BESLUIT, "voorbeeld": "1"})
    assert "U krijgt per 1 januari 2026 dit: Begeleiding en Beschermd wonen." in (
        voorbeeld.content.decode()
    )
    assert not Brieftekst.objects.exists()

    opgeslagen = client.post(url, {"tekst": NIEUW_BESLUIT, "opslaan": "1"})
    assert opgeslagen.status_code == 302
    laatste = Brieftekst.objects.filter(soort="toekenning", blok="besluit").first()
    assert laatste.versie == 2 and laatste.tekst == NIEUW_BESLUIT
