"""How a letter names a person (toegang.beschikkingen.aanhef): naamgebruik (COD700), the capital
of a tussenvoegsel only when nothing precedes it, and the neutral form for an unknown geslacht."""

from types import SimpleNamespace

import pytest

from toegang.beschikkingen.aanhef import aanhef, adresregel, naam_in_zin, voorletters


def persoon(**kwargs):
    velden = dict(
        geslacht="2", naamgebruik="1", voorletters="A.", voornamen="Anna",
        voorvoegsel="van", geslachtsnaam="Testweg", partner_voorvoegsel="",
        partner_geslachtsnaam="",
    )  # fmt: skip
    velden.update(kwargs)
    return SimpleNamespace(**velden)


def test_vrouw_man_and_unknown_geslacht():
    assert aanhef(persoon()) == "Geachte mevrouw Van Testweg,"
    assert aanhef(persoon(geslacht="1", voorvoegsel="van den", geslachtsnaam="Berg")) == (
        "Geachte heer Van den Berg,"
    )
    assert aanhef(persoon(geslacht="0")) == "Geachte A. van Testweg,"


def test_tussenvoegsel_capital_only_when_nothing_precedes_it():
    p = persoon()
    assert naam_in_zin(p) == "mevrouw Van Testweg"
    assert adresregel(p) == "Mevrouw A. van Testweg"
    man = persoon(geslacht="1", voorletters="J.P.", voorvoegsel="Van den", geslachtsnaam="Berg")
    assert naam_in_zin(man, begin_zin=True) == "De heer Van den Berg"
    assert naam_in_zin(man) == "de heer Van den Berg"
    assert adresregel(man) == "De heer J.P. van den Berg"
    # Stored with a capital, written in lower case after initials.
    assert adresregel(persoon(voorvoegsel="Van")) == "Mevrouw A. van Testweg"


def test_unknown_geslacht_is_neutral_everywhere():
    p = persoon(geslacht="0")
    assert naam_in_zin(p) == "A. van Testweg"
    assert naam_in_zin(p, begin_zin=True) == "A. van Testweg"
    assert adresregel(p) == "A. van Testweg"
    # Without initials or first names the surname stands first and takes the capital.
    kaal = persoon(geslacht="0", voorletters="", voornamen="")
    assert aanhef(kaal) == "Geachte Van Testweg,"
    assert naam_in_zin(kaal) == "Van Testweg"


def test_without_tussenvoegsel():
    p = persoon(voorvoegsel="", geslachtsnaam="Jansen", geslacht="1", voorletters="P.")
    assert aanhef(p) == "Geachte heer Jansen,"
    assert adresregel(p) == "De heer P. Jansen"


@pytest.mark.parametrize(
    "naamgebruik, verwacht_aanhef, verwacht_adres",
    [
        ("1", "Geachte mevrouw De Vries,", "Mevrouw A. de Vries"),
        ("2", "Geachte mevrouw Van den Berg,", "Mevrouw A. van den Berg"),
        ("3", "Geachte mevrouw Van den Berg-de Vries,", "Mevrouw A. van den Berg-de Vries"),
        ("4", "Geachte mevrouw De Vries-van den Berg,", "Mevrouw A. de Vries-van den Berg"),
    ],
)
def test_naamgebruik(naamgebruik, verwacht_aanhef, verwacht_adres):
    p = persoon(
        naamgebruik=naamgebruik, voorvoegsel="de", geslachtsnaam="Vries",
        partner_voorvoegsel="van den", partner_geslachtsnaam="Berg",
    )  # fmt: skip
    assert aanhef(p) == verwacht_aanhef
    assert adresregel(p) == verwacht_adres


def test_partner_name_missing_falls_back_to_the_own_name():
    assert aanhef(persoon(naamgebruik="2")) == "Geachte mevrouw Van Testweg,"


def test_voorletters_are_written_with_dots_or_taken_from_the_first_names():
    assert voorletters(persoon(voorletters="AJ")) == "A.J."
    assert voorletters(persoon(voorletters="", voornamen="anna johanna")) == "A.J."
    assert voorletters(persoon(voorletters="Th.")) == "Th."


def test_an_object_without_geslacht_or_partner_fields_is_named_neutrally():
    relatie = SimpleNamespace(voornamen="Mirjam", voorvoegsel="", geslachtsnaam="Mentorink")
    assert aanhef(relatie) == "Geachte M. Mentorink,"
    assert adresregel(relatie) == "M. Mentorink"
