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
    # One person, two roles: consulent in Soest and regional finance officer.
    (
        "soest-en-financien",
        "consulent",
        ("gemeente", "0342"),
        "consulent Soest én financiën regio Amersfoort",
    ),
    ("soest-en-financien", "financien", ("regio", "amersfoort"), ""),
]

DEMO_USERS = [(username, description) for username, _, _, description in DEMO_ROLLEN if description]
