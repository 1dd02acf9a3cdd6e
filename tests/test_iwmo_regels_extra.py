"""iWmo rules that regiozorg enforces but no other test showed (docs/IWMO.md): what the WMO301
carries, the header's versions, and the parts of a WMO315/WMO317 refused whole."""

import datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from tests import test_iwmo_xml as xml
from tests.test_iwmo_xml import BEGIN, EIND, bericht, client_305, geldig
from tests.test_toegang_toewijzing import bouw_opzet as bouw_toewijzing_opzet
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer, valideer
from toegang.toewijzingen.iwmo_xml import export as iwmo_export
from toegang.toewijzingen.iwmo_xml.schema import NS_BASIS
from toegang.toewijzingen.services import wijzig_einddatum

XSD = Path(iwmo_export.__file__).resolve().parent / "xsd"
VOORBEELD_305 = Path(__file__).resolve().parent / "data" / "iwmo_wmo305_voorbeeld.xml"


def _persoon(**kwargs):
    waarden = dict(
        bsn="999990019", geboortedatum=None, datumgebruik="", geslacht="0",
        geslachtsnaam="Jansen", voorvoegsel="", voornamen="", voorletters="", naamgebruik="1",
        communicatievorm="",
    )  # fmt: skip
    return SimpleNamespace(**(waarden | kwargs))


def _geboorte(persoon):
    root = iwmo_export._root("301")
    client = iwmo_export._client(root, persoon, [])
    return client.findtext("{*}Geboortedatum/{*}Datum"), client.findtext(
        "{*}Geboortedatum/{*}DatumGebruik"
    )


@pytest.mark.iwmo_regel("OP252", "IV009")
def test_a_birth_date_says_which_part_is_known():
    # Wholly unknown: 01-01-1900 with DatumGebruik 3; partly known: the known part and its code.
    assert _geboorte(_persoon()) == ("1900-01-01", "3")
    bekend_jaar = _persoon(geboortedatum=datetime.date(1953, 1, 1), datumgebruik="2")
    assert _geboorte(bekend_jaar) == ("1953-01-01", "2")
    assert _geboorte(_persoon(geboortedatum=datetime.date(1980, 5, 17))) == ("1980-05-17", None)


def _toegewezen(productcode, volume):
    toewijzing = SimpleNamespace(
        nummer=7, aangemaakt_op=datetime.datetime(2025, 1, 2, 9, 0, tzinfo=datetime.UTC),
        ingangsdatum=datetime.date(2025, 2, 1), einddatum=datetime.date(2025, 12, 31),
        reden_wijziging="", volume=volume, eenheid="04" if volume else "",
        frequentie="2" if volume else "",
        beschikt_product=SimpleNamespace(
            productcategorie="02", product=SimpleNamespace(productcode=productcode)
        ),
    )  # fmt: skip
    root = iwmo_export._root("301")
    iwmo_export._toegewezen_product(root, toewijzing, None)
    return root.find("{*}ToegewezenProduct")


@pytest.mark.iwmo_regel("CD041", "CD079", "CD080", "IV075")
def test_a_toegewezen_product_has_an_omvang_exactly_when_it_has_a_productcode():
    pxq = _toegewezen("02A01", Decimal("3"))
    assert pxq.findtext("{*}Product/{*}Categorie") == "02"
    assert pxq.findtext("{*}Product/{*}Code") == "02A01"
    assert pxq.findtext("{*}Omvang/{*}Volume") == "3"
    taakgericht = _toegewezen("", None)  # a functie: only its categorie, no omvang
    assert taakgericht.findtext("{*}Product/{*}Categorie") == "02"
    assert taakgericht.find("{*}Product/{*}Code") is None
    assert taakgericht.find("{*}Omvang") is None


@pytest.mark.iwmo_regel("IV034", "CS015", "CS025")
def test_the_header_carries_the_versions_of_the_schemas_it_was_made_with():
    appinfo = {
        el.tag.split("}")[1]: el.text
        for naam in ("WMO301.xsd", "basisschema.xsd")
        for el in etree.parse(XSD / naam).iter(f"{{{NS_BASIS}}}*")
    }
    root = iwmo_export._root("301")
    iwmo_export._header(root, "301", "0342", "75009001", "250102000001", datetime.date(2025, 1, 2))
    header = root.find("{*}Header")
    assert (
        header.findtext("{*}XsdVersie/{*}BasisschemaXsdVersie") == appinfo["BasisschemaXsdVersie"]
    )
    assert header.findtext("{*}XsdVersie/{*}BerichtXsdVersie") == appinfo["BerichtXsdVersie"]
    assert (header.findtext("{*}BerichtVersie"), header.findtext("{*}BerichtSubversie")) == (
        "3", "2",
    )  # fmt: skip
    # A received message with another subversion is refused by its schema.
    voorbeeld = VOORBEELD_305.read_bytes()
    assert valideer(voorbeeld)[1] == []
    fouten = valideer(voorbeeld.replace(b"<BerichtSubversie>2<", b"<BerichtSubversie>3<"))[1]
    assert any("BerichtSubversie" in f.element or "BerichtSubversie" in f.melding for f in fouten)


@pytest.mark.django_db
@pytest.mark.iwmo_regel("CS336")
def test_redenwijziging_01_is_not_used(refdata):
    o = bouw_toewijzing_opzet()
    t = o.toewijzing()
    for reden in ("01", "13"):  # 01 vervallen; 13 only for a withdrawal (trek_in)
        with pytest.raises(ValidationError):
            wijzig_einddatum(o.consulent, t, datetime.date(2025, 9, 30), reden)
    t.refresh_from_db()
    assert (t.einddatum, t.reden_wijziging) == (datetime.date(2025, 12, 31), "")


@pytest.fixture
def opzet(refdata):
    """The setting of tests/test_iwmo_xml.py: Soest, two aanbieders, a client."""
    return xml.bouw_opzet()


def _aangevraagd(referentie, ingang=BEGIN):
    return ("AangevraagdProduct", [
        ("ReferentieAanbieder", referentie),
        ("Product", [("Categorie", "02"), ("Code", "02A01")]),
        ("ToewijzingIngangsdatum", ingang.isoformat()),
        ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
        ("Verwijzer", [("Type", "01")]),
    ])  # fmt: skip


def _weigering(inhoud, user) -> str:
    with pytest.raises(OngeldigBericht) as exc:
        importeer(inhoud, user=user)
    return " ".join(f"{f.element} {f.melding}" for f in exc.value.fouten)


@pytest.mark.django_db
@pytest.mark.iwmo_regel("TR383")
def test_a_referentie_aanbieder_once_per_wmo315(opzet):
    from toegang.models import Verzoek

    inhoud = bericht(
        "315",
        client_305(opzet.bsn, [_aangevraagd("VOT-A"), _aangevraagd("VOT-A")],
                   "AangevraagdeProducten"),
    )  # fmt: skip
    geldig("315", inhoud)
    assert "TR383" in _weigering(inhoud, opzet.systeem)
    assert not Verzoek.objects.exists()


def _wmo317(opzet, t, *, te_wijzigen: int, nieuw: bool):
    product = ("TeWijzigenProduct", [
        ("ToewijzingNummer", t.nummer), ("GewensteIngangsdatum", BEGIN.isoformat()),
        ("Einddatum", (EIND - datetime.timedelta(days=10)).isoformat()),
    ])  # fmt: skip
    verzoek = [("ReferentieAanbieder", "VOW-1"), ("RedenVerzoek", "1")]
    if te_wijzigen:
        verzoek.append(("TeWijzigenProducten", [product] * te_wijzigen))
    if nieuw:
        verzoek.append(("NieuweProducten", [("NieuwProduct", [
            ("Product", [("Categorie", "02"), ("Code", "02A01")]),
            ("GewensteIngangsdatum", BEGIN.isoformat()),
            ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
        ])]))  # fmt: skip
    inhoud = bericht("317", [("Client", [("Bsn", opzet.bsn), ("Verzoek", verzoek)])])
    geldig("317", inhoud)  # valid against the XSD: the refusal is regiozorg's own
    return inhoud


@pytest.mark.django_db
@pytest.mark.iwmo_regel("TR352", "TR353", "TR361", "TR410")
def test_a_wmo317_changes_exactly_one_toewijzing(opzet):
    from toegang.models import Verzoek

    t = opzet.toewijzing()
    twee = _wmo317(opzet, t, te_wijzigen=2, nieuw=False)
    assert "precies één te wijzigen product" in _weigering(twee, opzet.systeem)
    nieuw = _wmo317(opzet, t, te_wijzigen=1, nieuw=True)
    assert "NieuweProducten" in _weigering(nieuw, opzet.systeem)
    alleen_nieuw = _wmo317(opzet, t, te_wijzigen=0, nieuw=True)
    assert "TeWijzigenProducten" in _weigering(alleen_nieuw, opzet.systeem)
    assert not Verzoek.objects.exists()
