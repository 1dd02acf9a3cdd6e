"""The demo users (password ``demo``, dev settings only). Plain data: the launcher prints it
without setting up Django."""

# (username, rol code, where: ("gemeente", CBS code) | ("regio", code) | ("aanbieder", AGB code),
#  description)
DEMO_ROLLEN = [
    (
        "beheer",
        "functioneel-beheerder",
        ("regio", "amersfoort"),
        "functioneel beheerder regio Amersfoort",
    ),
    (
        "beheer-oldambt-stadskanaal",
        "functioneel-beheerder",
        ("regio", "oldambt-stadskanaal"),
        "functioneel beheerder regio Oldambt-Stadskanaal",
    ),
    ("consulent-soest", "consulent", ("gemeente", "0342"), "consulent lokaal team Soest"),
    ("consulent-baarn", "consulent", ("gemeente", "0308"), "consulent lokaal team Baarn"),
    ("consulent-amersfoort", "consulent", ("gemeente", "0307"), "consulent lokaal team Amersfoort"),
    (
        "consulent-stadskanaal",
        "consulent",
        ("gemeente", "0037"),
        "consulent lokaal team Stadskanaal",
    ),
    (
        "ct-amersfoort",
        "centrale-toegang",
        ("regio", "amersfoort"),
        "Centrale Toegang regio Amersfoort",
    ),
    (
        "cp-amersfoort",
        "wachtlijst-contractpartner",
        ("aanbieder", "75810100"),
        "wachtlijstbeheer door de contractpartner in regio Amersfoort",
    ),
    (
        "ct-groningen",
        "centrale-toegang",
        ("regio", "groningen"),
        "wachtlijstteam BW-regio Groningen",
    ),
    (
        "risb-amersfoort",
        "contractmanager",
        ("regio", "amersfoort"),
        "RISB-contractmanager regio Amersfoort",
    ),
    (
        "risb-oldambt-stadskanaal",
        "contractmanager",
        ("regio", "oldambt-stadskanaal"),
        "RISB-contractmanager Oldambt-Stadskanaal",
    ),
    (
        "financien-amersfoort",
        "financien",
        ("regio", "amersfoort"),
        "financiën/beleid regio Amersfoort",
    ),
    (
        "aanbieder-demo",
        "aanbieder",
        ("aanbieder", "75810100"),
        "aanbieder Combinatie Samen Verder Amersfoort (web)",
    ),
    (
        "privacy-amersfoort",
        "privacyfunctionaris",
        ("gemeente", "0307"),
        "privacyfunctionaris gemeente Amersfoort (auditlog, verwijderverzoeken, vernietiging)",
    ),
    # One person, two roles: consulent in Soest and regional finance officer.
    (
        "soest-en-financien",
        "consulent",
        ("gemeente", "0342"),
        "consulent Soest én financiën regio Amersfoort",
    ),
    ("soest-en-financien", "financien", ("regio", "amersfoort"), ""),
]

# Consulenten of the other gemeenten, and one teamleider per region who approves beschikkingen
# (four-eyes): a consulent in every gemeente of the region.
for _code, _naam in [("0313", "bunschoten"), ("0327", "leusden"), ("0267", "nijkerk"),
                     ("0351", "woudenberg"), ("1895", "oldambt")]:  # fmt: skip
    DEMO_ROLLEN.append(
        (
            f"consulent-{_naam}",
            "consulent",
            ("gemeente", _code),
            f"consulent lokaal team {_naam.title()}",
        )
    )
for _gebruiker, _codes, _beschrijving in [
    ("teamleider-amersfoort", ["0307", "0308", "0313", "0327", "0267", "0342", "0351"],
     "teamleider lokale teams regio Amersfoort (accordeert beschikkingen)"),
    ("teamleider-oldambt-stadskanaal", ["1895", "0037"],
     "teamleider lokale teams Oldambt en Stadskanaal (accordeert beschikkingen)"),
]:  # fmt: skip
    for _i, _code in enumerate(_codes):
        DEMO_ROLLEN.append(
            (_gebruiker, "consulent", ("gemeente", _code), _beschrijving if _i == 0 else "")
        )

DEMO_USERS = [(username, description) for username, _, _, description in DEMO_ROLLEN if description]

# Who they are: (voornaam, achternaam, functie, team). Colleagues and letters show these, never
# the username.
DEMO_NAMEN = {
    "beheer": ("Joost", "van Dijk", "functioneel beheerder", "regio Amersfoort"),
    "beheer-oldambt-stadskanaal": (
        "Trijntje", "Bakker", "functioneel beheerder", "regio Oldambt-Stadskanaal"
    ),
    "consulent-soest": ("Anna", "de Vries", "consulent Wmo", "lokaal team Soest"),
    "consulent-baarn": ("Mohamed", "El Amrani", "consulent Wmo", "lokaal team Baarn"),
    "consulent-amersfoort": ("Sanne", "Jansen", "consulent Wmo", "lokaal team Amersfoort"),
    "consulent-stadskanaal": ("Harm", "Wubbels", "consulent Wmo", "lokaal team Stadskanaal"),
    "consulent-bunschoten": ("Gerda", "Koelewijn", "consulent Wmo", "lokaal team Bunschoten"),
    "consulent-leusden": ("Pieter", "van den Berg", "consulent Wmo", "lokaal team Leusden"),
    "consulent-nijkerk": ("Ilse", "Hendriks", "consulent Wmo", "lokaal team Nijkerk"),
    "consulent-woudenberg": ("Kees", "Verhoef", "consulent Wmo", "lokaal team Woudenberg"),
    "consulent-oldambt": ("Fenna", "Dijkstra", "consulent Wmo", "lokaal team Oldambt"),
    "teamleider-amersfoort": ("Marieke", "Smit", "teamleider lokale teams", "regio Amersfoort"),
    "teamleider-oldambt-stadskanaal": (
        "Albert", "Huizinga", "teamleider lokale teams", "Oldambt en Stadskanaal"
    ),
    "ct-amersfoort": ("Esther", "Visser", "medewerker Centrale Toegang", "regio Amersfoort"),
    "cp-amersfoort": (
        "Ruud", "Peters", "wachtlijstbeheerder", "Combinatie Samen Verder"
    ),
    "ct-groningen": ("Grietje", "Mulder", "medewerker wachtlijstteam", "BW-regio Groningen"),
    "risb-amersfoort": ("Thomas", "Bos", "contractmanager", "RISB regio Amersfoort"),
    "risb-oldambt-stadskanaal": (
        "Wietske", "Kuipers", "contractmanager", "RISB Oldambt-Stadskanaal"
    ),
    "financien-amersfoort": ("Linda", "Meijer", "beleidsadviseur financiën", "regio Amersfoort"),
    "aanbieder-demo": ("Yvonne", "Brouwer", "zorgadministratie", "Combinatie Samen Verder"),
    "privacy-amersfoort": ("Bram", "de Wit", "privacyfunctionaris", "gemeente Amersfoort"),
    "soest-en-financien": ("Noor", "Willems", "consulent Wmo en controller", "gemeente Soest"),
}  # fmt: skip
