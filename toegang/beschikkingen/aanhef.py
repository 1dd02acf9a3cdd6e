"""How a letter names a person: the salutation, the name in a sentence and the address line.

Pure functions on anything with the iWmo name fields (a ``Persoon``, a ``Relatie``, a stand-in
in a test): ``geslacht`` (COD046: 0 onbekend, 1 man, 2 vrouw), ``naamgebruik`` (COD700),
``voorletters``, ``voornamen``, ``voorvoegsel``, ``geslachtsnaam`` and the partner's
``partner_voorvoegsel`` and ``partner_geslachtsnaam``. A missing field counts as empty.

The rules:

- naamgebruik (COD700) chooses the surname: 1 eigen naam ("Van Testweg"), 2 the partner's name,
  3 partner's name then one's own ("Van den Berg-de Vries"), 4 one's own then the partner's
  ("De Vries-van den Berg"). Without a known partner name the own name is used.
- A tussenvoegsel is written with a capital when no initials or first name precede it
  ("Geachte mevrouw Van Testweg", "De heer Van den Berg"), in lower case after them
  ("mevrouw A. van Testweg"). Only the first tussenvoegsel of a double name can be capitalised.
- geslacht 1 is "heer"/"de heer", 2 "mevrouw"; unknown (0) gets the neutral form with the
  initials ("Geachte A. van Testweg").
"""

from __future__ import annotations

MAN, VROUW = "1", "2"
EIGEN, PARTNER, PARTNER_EIGEN, EIGEN_PARTNER = "1", "2", "3", "4"


def _veld(persoon, naam: str) -> str:
    return (getattr(persoon, naam, "") or "").strip()


def voorletters(persoon) -> str:
    """The initials as written in a letter ("A.J."): the stored voorletters, or taken from the
    first names."""
    letters = _veld(persoon, "voorletters")
    if letters:
        if "." in letters:
            return letters.replace(" ", "")
        return "".join(f"{c.upper()}." for c in letters if c.isalpha())
    return "".join(f"{v[0].upper()}." for v in _veld(persoon, "voornamen").split() if v)


def _deel(voorvoegsel: str, geslachtsnaam: str) -> str:
    return " ".join(p for p in (voorvoegsel.lower(), geslachtsnaam) if p)


def achternaam(persoon, hoofdletter: bool = False) -> str:
    """The surname the person uses (naamgebruik); ``hoofdletter`` when nothing precedes it but
    a title ("mevrouw Van Testweg") or the start of a sentence."""
    eigen = _deel(_veld(persoon, "voorvoegsel"), _veld(persoon, "geslachtsnaam"))
    partner = _deel(_veld(persoon, "partner_voorvoegsel"), _veld(persoon, "partner_geslachtsnaam"))
    gebruik = _veld(persoon, "naamgebruik") or EIGEN
    if not partner or gebruik not in (PARTNER, PARTNER_EIGEN, EIGEN_PARTNER):
        naam = eigen
    elif gebruik == PARTNER:
        naam = partner
    elif gebruik == PARTNER_EIGEN:
        naam = f"{partner}-{eigen}" if eigen else partner
    else:
        naam = f"{eigen}-{partner}" if eigen else partner
    return _kapitaal(naam) if hoofdletter else naam


def _kapitaal(tekst: str) -> str:
    for i, c in enumerate(tekst):
        if c.isalpha():
            return tekst[:i] + c.upper() + tekst[i + 1 :]
    return tekst


def _titel(persoon) -> str:
    return {MAN: "heer", VROUW: "mevrouw"}.get(_veld(persoon, "geslacht"), "")


def volledige_naam(persoon) -> str:
    """Initials and surname, no title: "A. van Testweg" (the surname capitalised when there are
    no initials)."""
    letters = voorletters(persoon)
    if letters:
        return f"{letters} {achternaam(persoon)}".strip()
    return achternaam(persoon, hoofdletter=True)


def aanhef(persoon) -> str:
    """The salutation: "Geachte mevrouw Van Testweg," / "Geachte heer Van den Berg," /
    "Geachte A. van Testweg," (geslacht unknown)."""
    titel = _titel(persoon)
    if titel:
        return f"Geachte {titel} {achternaam(persoon, hoofdletter=True)},"
    naam = volledige_naam(persoon)
    return f"Geachte {naam}," if naam else "Geachte heer, mevrouw,"


def naam_in_zin(persoon, begin_zin: bool = False) -> str:
    """The person in a sentence: "mevrouw Van Testweg", "de heer Van den Berg" ("De heer ..."
    at the start of a sentence), neutral "A. van Testweg" when geslacht is unknown."""
    titel = _titel(persoon)
    if titel:
        tekst = f"{'de heer' if titel == 'heer' else titel} {achternaam(persoon, hoofdletter=True)}"
    else:
        tekst = volledige_naam(persoon)
    return _kapitaal(tekst) if begin_zin else tekst


def adresregel(persoon) -> str:
    """The name line of the address: "Mevrouw A. van Testweg", "De heer A. van den Berg",
    "A. van Testweg" when geslacht is unknown."""
    titel = _titel(persoon)
    naam = volledige_naam(persoon)
    if not titel:
        return naam
    if not voorletters(persoon):
        naam = achternaam(persoon, hoofdletter=True)
    return f"{'De heer' if titel == 'heer' else 'Mevrouw'} {naam}"
