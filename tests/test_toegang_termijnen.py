"""Deadline computation (toegang.termijnen) as a table of cases: Algemene termijnenwet (weekend,
Easter, Christmas, King's Day, 5 May, days put on a par by besluit, the two-working-days rule),
Wmo onderzoek- and beslistermijn, suspension (Awb 4:15), extension (Awb 4:14) and the dwangsom
(Awb 4:17). Pure functions: no database."""

import datetime
from decimal import Decimal

import pytest
from dateutil.easter import easter

from toegang import termijnen as t

D = datetime.date


@pytest.mark.parametrize(
    "jaar, paaszondag",
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)),
     (2027, D(2027, 3, 28)), (2038, D(2038, 4, 25)), (2285, D(2285, 3, 22))],
)  # fmt: skip
def test_easter_by_computus(jaar, paaszondag):
    assert t.pasen(jaar) == paaszondag


def test_computus_agrees_with_dateutil_over_three_centuries():
    assert all(t.pasen(jaar) == easter(jaar) for jaar in range(1900, 2200))


def test_feestdagen_2026_of_the_atw():
    assert t.feestdagen(2026) == {
        D(2026, 1, 1): "Nieuwjaarsdag",
        D(2026, 1, 2): "dag na Nieuwjaarsdag (gelijkgesteld)",
        D(2026, 4, 3): "Goede Vrijdag",
        D(2026, 4, 6): "tweede Paasdag",
        D(2026, 4, 27): "Koningsdag",
        D(2026, 5, 5): "Bevrijdingsdag (5 mei)",
        D(2026, 5, 14): "Hemelvaartsdag",
        D(2026, 5, 15): "dag na Hemelvaartsdag (gelijkgesteld)",
        D(2026, 5, 25): "tweede Pinksterdag",
        D(2026, 12, 25): "eerste Kerstdag",
        D(2026, 12, 26): "tweede Kerstdag",
    }


def test_kingsday_2025_is_the_26th_because_the_27th_is_a_sunday():
    assert D(2025, 4, 27).weekday() == 6
    assert t.koningsdag(2025) == D(2025, 4, 26)
    assert D(2025, 4, 26) in t.feestdagen(2025) and D(2025, 4, 27) not in t.feestdagen(2025)
    assert t.koningsdag(2026) == D(2026, 4, 27)
    assert t.koningsdag(2013) == D(2013, 4, 30)  # still Koninginnedag


def test_volgende_werkdag_and_plus_werkdagen():
    assert t.volgende_werkdag(D(2026, 3, 4)) == D(2026, 3, 4)  # a Wednesday stays
    assert t.volgende_werkdag(D(2026, 4, 3)) == D(2026, 4, 7)  # Good Friday → after Easter
    # Five working days after Friday 18 December 2026 skip Christmas and the weekend.
    assert t.plus_werkdagen(D(2026, 12, 18), 5) == D(2026, 12, 28)
    assert t.werkdagen_tussen(D(2026, 4, 2), D(2026, 4, 7)) == 1


# (what, start, computed end, expected end)
GEVALLEN = [
    ("weekday end stays", D(2026, 3, 2), t.beslistermijn(D(2026, 3, 2)), D(2026, 3, 16)),
    ("Saturday end → Monday", D(2026, 3, 7), t.beslistermijn(D(2026, 3, 7)), D(2026, 3, 23)),
    ("Sunday end → Monday", D(2026, 3, 8), t.beslistermijn(D(2026, 3, 8)), D(2026, 3, 23)),
    ("Easter Monday → Tuesday", D(2026, 3, 23), t.beslistermijn(D(2026, 3, 23)), D(2026, 4, 7)),
    ("Good Friday → after Easter", D(2026, 3, 20), t.beslistermijn(D(2026, 3, 20)),
     D(2026, 4, 7)),
    ("Christmas on Friday → Monday", D(2026, 12, 11), t.beslistermijn(D(2026, 12, 11)),
     D(2026, 12, 28)),
    ("Christmas on Thursday → Monday", D(2025, 12, 11), t.beslistermijn(D(2025, 12, 11)),
     D(2025, 12, 29)),
    ("King's Day 2026 (Monday) → Tuesday", D(2026, 4, 13), t.beslistermijn(D(2026, 4, 13)),
     D(2026, 4, 28)),
    ("King's Day 2025 (Saturday 26th) → Monday", D(2025, 4, 12),
     t.beslistermijn(D(2025, 4, 12)), D(2025, 4, 28)),
    ("5 May → 6 May", D(2026, 4, 21), t.beslistermijn(D(2026, 4, 21)), D(2026, 5, 6)),
    ("Ascension + the Friday put on a par", D(2026, 4, 30), t.beslistermijn(D(2026, 4, 30)),
     D(2026, 5, 18)),
    ("onderzoek: six weeks", D(2026, 11, 17), t.onderzoekstermijn(D(2026, 11, 17)),
     D(2026, 12, 29)),
    ("onderzoek ends on Christmas", D(2026, 11, 13), t.onderzoekstermijn(D(2026, 11, 13)),
     D(2026, 12, 28)),
    ("onderzoek ends on New Year", D(2026, 11, 20), t.onderzoekstermijn(D(2026, 11, 20)),
     D(2027, 1, 4)),
    # Awb 4:15: asked on 4 March, received 11 March: 5..10 March suspended (6 days).
    ("suspension adds its days", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), [(D(2026, 3, 4), D(2026, 3, 11))]), D(2026, 3, 23)),
    ("overlapping suspensions count once", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), [(D(2026, 3, 4), D(2026, 3, 11)),
                                     (D(2026, 3, 6), D(2026, 3, 9))]), D(2026, 3, 23)),
    ("information arrived the next day: nothing suspended", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), [(D(2026, 3, 4), D(2026, 3, 5))]), D(2026, 3, 16)),
    ("extension of 2 weeks from the end", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), verdaging_weken=2), D(2026, 3, 30)),
    ("extension ending on Easter Monday", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), verdaging_weken=3), D(2026, 4, 7)),
    ("suspension and extension", D(2026, 3, 2),
     t.beslistermijn(D(2026, 3, 2), [(D(2026, 3, 4), D(2026, 3, 11))], 2), D(2026, 4, 7)),
    # Atw art. 2: Thursday before Easter + 3 days holds no working day; extended to the second.
    ("Atw art. 2: two working days", D(2026, 4, 2), t.termijn_einde(D(2026, 4, 2), days=3),
     D(2026, 4, 8)),
]  # fmt: skip


@pytest.mark.parametrize("wat, start, berekend, verwacht", GEVALLEN, ids=[g[0] for g in GEVALLEN])
def test_deadline_table(wat, start, berekend, verwacht):
    assert berekend == verwacht, f"{wat}: from {start} expected {verwacht}, got {berekend}"
    assert t.is_werkdag(berekend)


def test_an_open_suspension_means_no_end_date_yet():
    open_ = [(D(2026, 3, 4), D(2026, 3, 11)), (D(2026, 3, 12), None)]
    assert t.beslistermijn(D(2026, 3, 2), open_) is None
    assert t.opgeschorte_dagen(open_) is None


def test_suspensions_accept_model_like_objects():
    class Opschorting:
        van, tot = D(2026, 3, 4), D(2026, 3, 11)

    assert t.opgeschorte_dagen([Opschorting()]) == 6


def test_negative_term_is_refused():
    with pytest.raises(ValueError):
        t.termijn_einde(D(2026, 3, 2), days=-1)


@pytest.mark.parametrize(
    "peildatum, toestand, css",
    [(D(2026, 3, 13), t.OP_TIJD, ""), (D(2026, 3, 16), t.BIJNA, "signaal-oranje"),
     (D(2026, 3, 23), t.BIJNA, "signaal-oranje"), (D(2026, 3, 24), t.VERLOPEN, "signaal-rood")],
)  # fmt: skip
def test_termijnstand_before_near_after(peildatum, toestand, css):
    stand = t.termijnstand(D(2026, 3, 23), peildatum)
    assert (stand.toestand, stand.css) == (toestand, css)
    if toestand == t.VERLOPEN:
        assert stand.verlopen_sinds == D(2026, 3, 24)


def test_termijnstand_without_end():
    assert t.termijnstand(None, D(2026, 3, 2), opgeschort=True).toestand == t.OPGESCHORT
    assert t.termijnstand(None, D(2026, 3, 2)).toestand == t.GEEN


def test_dwangsom_amounts_of_awb_4_17():
    assert t.dwangsom_bedrag(14) == Decimal("322")
    assert t.dwangsom_bedrag(15) == Decimal("357")
    assert t.dwangsom_bedrag(28) == Decimal("812")
    assert t.dwangsom_bedrag(42) == t.dwangsom_bedrag(60) == t.DWANGSOM_MAXIMUM == Decimal("1442")


def test_dwangsom_status():
    einde = D(2026, 3, 16)
    assert not t.dwangsom_status(einde, D(2026, 3, 16)).verlopen
    assert not t.dwangsom_status(None, D(2026, 5, 1)).verlopen  # suspended: no end
    na = t.dwangsom_status(einde, D(2026, 3, 17))
    assert na.verlopen and na.dwangsom_mogelijk and na.verlopen_sinds == D(2026, 3, 17)
    assert na.eerste_dwangsomdag is None and na.verbeurd == 0
    # An ingebrekestelling received before the term passed does not count.
    assert t.dwangsom_status(einde, D(2026, 4, 30), D(2026, 3, 16)).ingebrekestelling_te_vroeg
    # Received 20 March: the penalty runs from two weeks later, 3 April, for at most 42 days.
    assert t.dwangsom_status(einde, D(2026, 4, 2), D(2026, 3, 20)).verbeurde_dagen == 0
    eerste = t.dwangsom_status(einde, D(2026, 4, 3), D(2026, 3, 20))
    assert eerste.eerste_dwangsomdag == D(2026, 4, 3)
    assert (eerste.verbeurde_dagen, eerste.verbeurd) == (1, Decimal("23"))
    lang = t.dwangsom_status(einde, D(2026, 9, 1), D(2026, 3, 20))
    assert (lang.verbeurde_dagen, lang.verbeurd) == (42, Decimal("1442"))
    # The decision stops the count.
    besloten = t.dwangsom_status(einde, D(2026, 9, 1), D(2026, 3, 20), besloten_op=D(2026, 4, 16))
    assert besloten.verbeurde_dagen == 14
    assert not t.dwangsom_status(einde, D(2026, 9, 1), besloten_op=D(2026, 3, 16)).verlopen
