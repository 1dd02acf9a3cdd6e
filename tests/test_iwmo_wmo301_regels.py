"""The iWmo fill-in rules of the WMO301 the gemeente sends (addresses, name, tolk, birth date,
omvang) and CS100 on a received WMO323: the export follows each rule, and where the client's or
the toewijzing's data cannot, it refuses with what the consulent should fill in."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from regio.models import Gemeente
from tests import test_iwmo_xml as xml
from tests.test_iwmo_xml import BEGIN, SOEST, VANDAAG, _maandeinde, geldig, prestatie, wmo323
from toegang.models import Adres, Declaratie, Persoon, UitgaandBericht
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer, wmo301_berichten
from toegang.toewijzingen.iwmo_xml import export as iwmo_export

D = datetime.date


@pytest.fixture
def opzet(refdata):
    return xml.bouw_opzet()


def _persoon(**kwargs) -> Persoon:
    waarden = dict(bsn="999990019", geslachtsnaam="Jansen", voornamen="Anna", naamgebruik="1")
    return Persoon(**(waarden | kwargs))


def _adres(**kwargs) -> Adres:
    waarden = dict(
        soort="01", straat="Torenstraat", huisnummer="12", postcode="3761 AB", plaats="Soest",
        land="NL",
    )  # fmt: skip
    return Adres(**(waarden | kwargs))


def _codes(persoon, adressen) -> list[str]:
    """The rules controleer_client refuses the client by ([] when it may be sent)."""
    try:
        iwmo_export.controleer_client(persoon, adressen)
    except ValidationError as exc:
        return sorted({e.code for e in exc.error_list})
    return []


def _client(persoon, adressen):
    return iwmo_export._client(iwmo_export._root("301"), persoon, adressen)


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR061", "IV047")
def test_a_client_needs_a_brp_or_verblijfadres():
    assert _codes(_persoon(), [_adres(soort="01")]) == []
    assert _codes(_persoon(), [_adres(soort="03")]) == []
    # No address, only a tijdelijk adres (TR061), only a briefadres (IV047): refused.
    assert _codes(_persoon(), []) == ["IV047"]
    assert _codes(_persoon(), [_adres(soort="04")]) == ["IV047"]
    assert _codes(_persoon(), [_adres(soort="02")]) == ["IV047"]
    assert _codes(_persoon(), [_adres(soort="02"), _adres(soort="03")]) == []


@pytest.mark.django_db
@pytest.mark.iwmo_regel("TR061", "IV047")
def test_export_of_a_client_with_only_a_briefadres_is_refused_and_nothing_stored(opzet):
    opzet.toewijzing()
    opzet.dossier.client.persoon.adressen.update(soort="02")
    with pytest.raises(ValidationError) as exc:
        wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)
    tekst = " ".join(exc.value.messages)
    assert "geen BRP-adres of verblijfadres" in tekst and "briefadres" in tekst
    assert opzet.bsn not in tekst
    assert not UitgaandBericht.objects.exists()


@pytest.mark.iwmo_regel("CD034")
def test_a_brp_or_verblijfadres_needs_a_postcode():
    assert _codes(_persoon(), [_adres(soort="01", postcode="")]) == ["CD034"]
    assert _codes(_persoon(), [_adres(soort="03", postcode="")]) == ["CD034"]
    assert _codes(_persoon(), [_adres(), _adres(soort="02", postcode="")]) == []


@pytest.mark.iwmo_regel("CS089")
def test_a_dutch_address_has_a_dutch_postcode():
    assert _codes(_persoon(), [_adres(postcode="12345")]) == ["CS089"]
    assert _codes(_persoon(), [_adres(postcode="0123 AB")]) == ["CS089"]
    assert _codes(_persoon(), [_adres(postcode="3761ab")]) == []  # sent as 3761AB
    buitenland = _adres(soort="03", land="DE", postcode="10115", plaats="Berlin")
    assert _codes(_persoon(), [buitenland]) == []
    adres = _client(_persoon(), [buitenland]).find("{*}Contactgegevens/{*}Contact/{*}Adres")
    assert (adres.findtext("{*}Postcode"), adres.findtext("{*}LandCode")) == ("10115", "DE")


@pytest.mark.iwmo_regel("CD005")
def test_landcode_exactly_when_there_is_a_postcode():
    met, zonder = _adres(), _adres(soort="02", postcode="", land="BE", plaats="Brussel")
    contacten = _client(_persoon(), [met, zonder]).findall("{*}Contactgegevens/{*}Contact")
    adressen = [c.find("{*}Adres") for c in contacten]
    assert adressen[0].findtext("{*}LandCode") == "NL"
    assert adressen[1].find("{*}Postcode") is None
    assert adressen[1].find("{*}LandCode") is None


@pytest.mark.iwmo_regel("CD025")
def test_a_dutch_address_has_a_huis():
    assert _codes(_persoon(), [_adres(huisnummer="zn")]) == ["CD025"]
    nl = _client(_persoon(), [_adres(huisnummer="12-3")]).find(".//{*}Adres")
    assert nl.findtext("{*}Huis/{*}Huisnummer") == "12"
    # Abroad a huisnummer without a number is left out rather than sent as 0.
    buitenland = _adres(soort="03", land="BE", huisnummer="bus", postcode="1000")
    assert _codes(_persoon(), [buitenland]) == []
    assert _client(_persoon(), [buitenland]).find(".//{*}Adres/{*}Huis") is None


@pytest.mark.iwmo_regel("CD009")
def test_no_address_carries_a_periode():
    tijdelijk = _adres(soort="04")
    client = _client(_persoon(), [_adres(), tijdelijk])
    soorten = [c.findtext("{*}Soort") for c in client.iter("{*}Contact")]
    assert soorten == ["01", "04"]
    assert not list(client.iter("{*}Periode"))


# --- name, tolk, birth date -----------------------------------------------------------------------


@pytest.mark.iwmo_regel("CS050")
def test_naamgebruik_fits_whether_there_is_a_partnernaam():
    partner = dict(partner_geslachtsnaam="Bakker", partner_voorvoegsel="de")
    for gebruik in "1234":
        assert _codes(_persoon(naamgebruik=gebruik, **partner), [_adres()]) == []
    assert _codes(_persoon(naamgebruik="5", **partner), [_adres()]) == ["CS050"]
    assert _codes(_persoon(naamgebruik="1"), [_adres()]) == []
    for gebruik in "2345":
        assert _codes(_persoon(naamgebruik=gebruik), [_adres()]) == ["CS050"]


@pytest.mark.iwmo_regel("CS318")
def test_naamgebruik_6_is_never_sent():
    assert _codes(_persoon(naamgebruik="6"), [_adres()]) == ["CS318"]
    assert _codes(_persoon(naamgebruik="6", partner_geslachtsnaam="Bakker"), [_adres()]) == [
        "CS318"
    ]


@pytest.mark.iwmo_regel("IV007")
def test_the_name_is_sent_in_its_separate_parts():
    persoon = _persoon(
        voornamen="Anna   Maria", voorletters="A.M.", voorvoegsel="van der", geslachtsnaam="Berg",
        partner_voorvoegsel="de", partner_geslachtsnaam="Bakker", naamgebruik="4",
    )  # fmt: skip
    naam = _client(persoon, [_adres()]).find("{*}Naam")
    assert naam.findtext("{*}Geslachtsnaam/{*}Achternaam") == "Berg"
    assert naam.findtext("{*}Geslachtsnaam/{*}Voorvoegsel") == "van der"
    assert naam.findtext("{*}Partnernaam/{*}Achternaam") == "Bakker"
    assert naam.findtext("{*}Partnernaam/{*}Voorvoegsel") == "de"
    assert naam.findtext("{*}Voornamen") == "Anna Maria"
    assert naam.findtext("{*}Voorletters") == "AM"
    assert naam.findtext("{*}NaamGebruik") == "4"


@pytest.mark.django_db
@pytest.mark.iwmo_regel("IV007", "CD007")
def test_partnernaam_and_taal_travel_in_a_valid_wmo301(opzet):
    opzet.toewijzing()
    Persoon.objects.filter(pk=opzet.dossier.client.persoon.pk).update(
        partner_geslachtsnaam="Bakker", naamgebruik="2", communicatievorm="1",
        communicatietaal="Pools",
    )  # fmt: skip
    [(_, xml)] = [
        b
        for b in wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)
        if opzet.bsn.encode() in b[1]
    ]
    geldig("301", xml)
    client = etree.fromstring(xml).find(".//{*}Client")
    assert client.findtext("{*}Naam/{*}Partnernaam/{*}Achternaam") == "Bakker"
    assert client.findtext("{*}Communicatie/{*}Taal") == "Pools"


@pytest.mark.iwmo_regel("CD007")
def test_a_tolk_taal_carries_the_language_and_only_then():
    assert _codes(_persoon(communicatievorm="1"), [_adres()]) == ["CD007"]
    met_taal = _persoon(communicatievorm="1", communicatietaal="Arabisch")
    assert _codes(met_taal, [_adres()]) == []
    assert _client(met_taal, [_adres()]).findtext("{*}Communicatie/{*}Taal") == "Arabisch"
    doventolk = _persoon(communicatievorm="2", communicatietaal="Arabisch")
    assert _client(doventolk, [_adres()]).find("{*}Communicatie/{*}Taal") is None


@pytest.mark.django_db
@pytest.mark.iwmo_regel("CD007")
def test_the_persoon_form_asks_the_language_with_a_tolk_taal():
    from toegang.dossiers.forms import PersoonForm

    data = dict(geslachtsnaam="Jansen", naamgebruik="1", geslacht="0", communicatievorm="1")
    form = PersoonForm(data=data, instance=Persoon(bsn="999990019"))
    assert not form.is_valid()
    assert "communicatietaal" in form.errors
    form = PersoonForm(data=data | {"communicatietaal": "Pools"}, instance=Persoon(bsn="999990019"))
    assert form.is_valid(), form.errors


@pytest.mark.iwmo_regel("CS139")
def test_the_birth_date_agrees_with_its_datumgebruik():
    def geboorte(gebruik):
        persoon = _persoon(geboortedatum=D(1980, 5, 17), datumgebruik=gebruik)
        el = _client(persoon, [_adres()]).find("{*}Geboortedatum")
        return el.findtext("{*}Datum"), el.findtext("{*}DatumGebruik")

    assert geboorte("") == ("1980-05-17", None)
    assert geboorte("1") == ("1980-05-01", "1")  # day unknown
    assert geboorte("2") == ("1980-01-01", "2")  # day and month unknown
    assert _client(_persoon(), [_adres()]).findtext("{*}Geboortedatum/{*}Datum") == "1900-01-01"


# --- omvang ---------------------------------------------------------------------------------------


EIND_2026 = D(2026, 12, 31)


def _toewijzing(eenheid="04", frequentie="2", einddatum=EIND_2026):
    return SimpleNamespace(
        nummer=7, volume=Decimal("3"), eenheid=eenheid, frequentie=frequentie, einddatum=einddatum
    )


def _omvang_codes(**kwargs) -> list[str]:
    try:
        iwmo_export.controleer_toewijzing(_toewijzing(**kwargs))
    except ValidationError as exc:
        return sorted({e.code for e in exc.error_list})
    return []


@pytest.mark.iwmo_regel("CD076")
def test_an_omvang_per_week_needs_an_einddatum():
    assert _omvang_codes(frequentie="2", einddatum=None) == ["CD076"]
    assert _omvang_codes(frequentie="2") == []
    assert _omvang_codes(frequentie="4", einddatum=None) == []
    assert _omvang_codes(frequentie="6", einddatum=None) == []


@pytest.mark.iwmo_regel("CS338")
def test_etmalen_dagdelen_euros_and_stuks_are_not_per_day():
    for eenheid in ("14", "16", "83", "84"):
        assert _omvang_codes(eenheid=eenheid, frequentie="1") == ["CS338"]
        assert _omvang_codes(eenheid=eenheid, frequentie="1", einddatum=None) == ["CS338"]
        for frequentie in ("2", "4", "6"):
            assert _omvang_codes(eenheid=eenheid, frequentie=frequentie) == []
    assert _omvang_codes(eenheid="14", frequentie="1", einddatum=D(2020, 12, 31)) == []
    assert _omvang_codes(eenheid="04", frequentie="1") == []  # uren per dag


@pytest.mark.django_db
@pytest.mark.iwmo_regel("CD076", "CS338")
def test_export_with_an_omvang_that_breaks_a_rule_is_refused(opzet):
    t = opzet.toewijzing()
    type(t).objects.filter(pk=t.pk).update(einddatum=None)
    with pytest.raises(ValidationError) as exc:
        wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)
    assert f"Toewijzing {t.nummer}" in " ".join(exc.value.messages)
    assert "CD076" in " ".join(exc.value.messages)
    assert not UitgaandBericht.objects.exists()


# --- CS100: a received WMO323 -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.iwmo_regel("CS100")
def test_a_declaratie_before_2021_is_refused(opzet):
    t = opzet.toewijzing()
    december = (D(2020, 12, 1), D(2020, 12, 31))
    inhoud = wmo323(opzet.bsn, [prestatie("R1", t.nummer, *december)], periode=december)
    with pytest.raises(OngeldigBericht) as exc:
        importeer(inhoud, user=opzet.systeem)
    fouten = [(f.element, f.melding) for f in exc.value.fouten if "CS100" in f.melding]
    assert [element for element, _ in fouten] == ["DeclaratiePeriode", "ProductPeriode"]
    assert not Declaratie.objects.exists()
    # From 2021 on nothing is refused for it.
    maand = (BEGIN, _maandeinde(BEGIN))
    [regel] = importeer(wmo323(opzet.bsn, [prestatie("R1", t.nummer, *maand)]), user=opzet.systeem)
    assert regel["retourcodes"] == ["0200"]
