"""The verevening's calculation core (financien.verevening), its file formats (financien.scenario)
and the what-if command: DOMAIN.md's worked example to the cent, properties over generated
inputs, every bad-input case of issue 7, and a second strategy. None of it touches the database:
these tests run with pytest-django's database block in place."""

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from financien import scenario, verevening
from financien.verevening import (
    GemeenteInvoer,
    VereveningFout,
    VereveningInvoer,
    Vereveningsstrategie,
    bereken,
)

ROOT = Path(__file__).resolve().parent.parent
VOORBEELD = Path(__file__).parent / "data" / "verevening_amersfoort.json"

# DOMAIN.md "The verevening (risk equalisation) model", worked example: s_g %, u_g %, A_g, V_g, D_g.
TABEL = {
    "Amersfoort": ("56.5143", "55.0000", "1393929.36", "1243315.67", "150613.69"),
    "Baarn": ("6.3494", "5.0000", "141867.06", "139686.03", "2181.03"),
    "Bunschoten": ("4.6595", "3.0000", "95744.18", "102509.75", "-6765.57"),
    "Leusden": ("7.4493", "7.5000", "186865.69", "163883.61", "22982.08"),
    "Nijkerk": ("9.4691", "12.5000", "274613.16", "208319.17", "66293.99"),
    "Soest": ("12.0788", "15.0000", "338484.90", "265733.43", "72751.47"),
    "Woudenberg": ("3.4797", "2.0000", "68495.65", "76552.34", "-8056.69"),
}
VOORBEELD_CSV = """\
gemeente_code,gemeente,aandeel_verdeelmodel,aandeel_nieuw,toegerekend,voorschot,verrekening
0307,Amersfoort,0.565143,0.550000,1393929.36,1243315.67,150613.69
0308,Baarn,0.063494,0.050000,141867.06,139686.03,2181.03
0313,Bunschoten,0.046595,0.030000,95744.18,102509.75,-6765.57
0327,Leusden,0.074493,0.075000,186865.69,163883.61,22982.08
0267,Nijkerk,0.094691,0.125000,274613.16,208319.17,66293.99
0342,Soest,0.120788,0.150000,338484.90,265733.43,72751.47
0351,Woudenberg,0.034797,0.020000,68495.65,76552.34,-8056.69
,totaal,1.000000,1.000000,2500000.00,2200000.00,300000.00
"""


def voorbeeld() -> dict:
    return json.loads(VOORBEELD.read_text(encoding="utf-8"))


def schrijf(tmp_path, inhoud, naam="scenario.json") -> str:
    pad = tmp_path / naam
    if isinstance(inhoud, bytes):
        pad.write_bytes(inhoud)
    else:
        pad.write_text(inhoud if isinstance(inhoud, str) else json.dumps(inhoud), encoding="utf-8")
    return str(pad)


def draai(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("verevening", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def draai_als_manage_py(capsys, *args) -> tuple[int, str, str]:
    """The command as `manage.py` runs it (CommandError → message on stderr, exit status)."""
    capsys.readouterr()
    argv = ["manage.py", "verevening", *args]
    try:
        # What manage.py does after django.setup() (which must not run twice: it would point
        # logging at capsys's stream).
        ManagementUtility(argv).fetch_command("verevening").run_from_argv(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code
    uit = capsys.readouterr()
    return code, uit.out, uit.err


# --- DOMAIN.md's worked example --------------------------------------------------------------


def test_worked_example_to_the_cent_through_the_function():
    uitkomst = bereken(scenario.lees_scenariobestand(VOORBEELD))
    assert (uitkomst.T, uitkomst.B_c) == (Decimal("12000000.00"), Decimal("9500000.00"))
    assert (uitkomst.C, uitkomst.R) == (Decimal("9500000.00"), Decimal("2500000.00"))
    assert uitkomst.genormaliseerd and uitkomst.aandelen_som == Decimal("100.01")
    assert uitkomst.opmerkingen == ("Aandelen verdeelmodel genormaliseerd van 100,01% naar 100%.",)
    vier = Decimal("0.0001")
    gevonden = {
        r.naam: (
            str((r.s_g * 100).quantize(vier)), str((r.u_g * 100).quantize(vier)),
            str(r.A_g), str(r.V_g), str(r.D_g),
        )
        for r in uitkomst.gemeenten
    }  # fmt: skip
    assert gevonden == TABEL
    assert [r.naam for r in uitkomst.gemeenten] == sorted(TABEL)
    assert uitkomst.som_A == Decimal("2500000.00")
    assert uitkomst.som_V == Decimal("2200000.00")
    assert uitkomst.som_D == Decimal("300000.00")
    assert uitkomst.som_N == Decimal("2000000.00")


def test_worked_example_through_the_command_as_csv():
    uit, fouten = draai("--scenario", str(VOORBEELD))
    assert uit == VOORBEELD_CSV
    assert fouten == "Aandelen verdeelmodel genormaliseerd van 100,01% naar 100%.\n"


def test_worked_example_through_the_command_as_json():
    uit, _ = draai("--scenario", str(VOORBEELD), "--format", "json")
    data = json.loads(uit)
    assert (data["centrumgemeente_deel"], data["restant"]) == ("9500000.00", "2500000.00")
    assert data["genormaliseerd"] is True and data["aandelen_som"] == "100.01"
    regels = {r["gemeente"]: r for r in data["gemeenten"]}
    for naam, (_, _, a, v, d) in TABEL.items():
        assert (regels[naam]["toegerekend"], regels[naam]["voorschot"]) == (a, v)
        assert regels[naam]["verrekening"] == d
    assert regels["Soest"]["aandeel_ingevoerd"] == "12.08"
    assert regels["Soest"]["kosten_nieuw"] == "300000.00"
    assert data["totaal"]["toegerekend"] == "2500000.00"
    assert data["totaal"]["verrekening"] == "300000.00"
    assert data["opmerkingen"] == ["Aandelen verdeelmodel genormaliseerd van 100,01% naar 100%."]


def test_own_voorschot_per_gemeente_instead_of_a_total(tmp_path):
    data = voorbeeld()
    del data["voorschot_totaal"]
    for gemeente in data["gemeenten"]:
        gemeente["voorschot"] = TABEL[gemeente["naam"]][3]
    uit, _ = draai("--scenario", schrijf(tmp_path, data))
    assert uit == VOORBEELD_CSV


def test_the_command_needs_no_database():
    from regio.models import Regio

    with pytest.raises(RuntimeError, match="Database access not allowed"):
        Regio.objects.exists()
    assert draai("--scenario", str(VOORBEELD))[0] == VOORBEELD_CSV


def test_manage_py_without_any_database_computes_and_refuses_in_one_line(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev")
    env["POSTGRES_HOST"] = str(tmp_path / "geen-database")
    goed = subprocess.run(
        [sys.executable, "manage.py", "verevening", "--scenario", str(VOORBEELD)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert goed.returncode == 0, goed.stderr
    assert goed.stdout == VOORBEELD_CSV
    fout = subprocess.run(
        [sys.executable, "manage.py", "verevening", "--scenario", schrijf(tmp_path, "{kapot")],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert fout.returncode == 1 and fout.stdout == ""
    assert fout.stderr == "CommandError: Het scenario is geen geldige JSON (regel 1, kolom 2).\n"


# --- bad input through the command -----------------------------------------------------------


def _zonder(veld):
    def wijzig(data):
        del data[veld]

    return wijzig


def _zet(veld, waarde):
    def wijzig(data):
        data[veld] = waarde

    return wijzig


def _gemeente(veld, waarde, nummer=0):
    def wijzig(data):
        if waarde is None:
            del data["gemeenten"][nummer][veld]
        else:
            data["gemeenten"][nummer][veld] = waarde

    return wijzig


def _dubbel(data):
    data["gemeenten"].append(dict(data["gemeenten"][1], aandeel="0"))


def _dubbele_naam(data):
    data["gemeenten"].append(dict(data["gemeenten"][1], code="9999", aandeel="0"))


def _beide_voorschotten(data):
    data["gemeenten"][2]["voorschot"] = "100.00"


def _geen_voorschot(data):
    del data["voorschot_totaal"]


FOUTE_SCENARIOS = {
    "aandelen te hoog": (
        _gemeente("aandeel", "56.60"), "tellen op tot 100.0900% in plaats van 100%"),
    "aandelen te laag": (
        _gemeente("aandeel", "56.45"), "het verschil is groter dan 0.05%-punt"),
    "alpha boven 1": (_zet("alpha", "1.5"), "alpha moet tussen 0 en 1 liggen (1.5)"),
    "alpha onder 0": (_zet("alpha", "-0.1"), "alpha moet tussen 0 en 1 liggen (-0.1)"),
    "negatief budget": (
        _zet("centrumgemeentebudget", "-1.00"),
        "Een negatief bedrag voor het centrumgemeentebudget kan niet (-1.00)."),
    "negatieve totale kosten": (
        _zet("totale_kosten", "-5"), "negatief bedrag voor de totale kosten kan niet"),
    "negatieve kosten nieuw": (
        _gemeente("kosten_nieuw", "-1.00", 3),
        "negatief bedrag voor de kosten van nieuwe cliënten van Leusden"),
    "negatief voorschot": (
        _zet("voorschot_totaal", "-2200000.00"),
        "negatief bedrag voor het totaal van de voorschotten"),
    "negatief aandeel": (
        _gemeente("aandeel", "-1"), "aandeel van Amersfoort in het verdeelmodel mag niet negatief"),
    "gemeente twee keer": (_dubbel, "Gemeente 0308 komt twee keer voor."),
    "naam twee keer": (_dubbele_naam, "De gemeentenaam 'Baarn' komt twee keer voor."),
    "geen gemeenten": (_zet("gemeenten", []), "Er zijn geen gemeenten opgegeven."),
    "veld ontbreekt": (_zonder("alpha"), "In het scenario ontbreekt het veld 'alpha'."),
    "gemeenteveld ontbreekt": (
        _gemeente("kosten_nieuw", None, 1), "In gemeente nr. 2 ontbreekt het veld 'kosten_nieuw'"),
    "alpha als getal": (_zet("alpha", 0.5), "moet het veld 'alpha' een getal als tekst zijn"),
    "bedrag als getal": (
        _gemeente("kosten_nieuw", 100000, 1), "het veld 'kosten_nieuw' een getal als tekst"),
    "jaar als tekst": (_zet("jaar", "2026"), "'jaar' moet een geheel getal zijn"),
    "gemeenten geen lijst": (_zet("gemeenten", {}), "'gemeenten' moet een lijst zijn"),
    "gemeente geen object": (_zet("gemeenten", ["0307"]), "gemeente nr. 1 geen JSON-object"),
    "komma als decimaalteken": (
        _zet("totale_kosten", "12.000.000,00"), "'totale_kosten' geen getal"),
    "NaN": (_zet("centrumgemeentebudget", "NaN"), "'centrumgemeentebudget' geen getal"),
    "drie decimalen": (_zet("totale_kosten", "12000000.001"), "meer dan twee decimalen"),
    "onbekend veld": (_zet("voorschot_totall", "1.00"), "onbekend veld: 'voorschot_totall'"),
    "voorschot dubbel opgegeven": (_beide_voorschotten, "geef het één of het ander"),
    "geen voorschot": (_geen_voorschot, "Gemeente nr. 1 (Amersfoort) heeft geen 'voorschot'"),
    "nieuw meer dan totaal": (
        _zet("totale_kosten", "1999999.99"), "zijn hoger dan de totale kosten"),
    "onbekende strategie": (_zet("strategie", "loting"), "Onbekende vereveningsstrategie"),
    "parameters voor solidariteit": (
        _zet("strategie_parameters", {"x": 1}), "kent geen parameters (x)"),
}  # fmt: skip


@pytest.mark.parametrize("geval", FOUTE_SCENARIOS)
def test_bad_scenario_exits_with_one_dutch_line(tmp_path, capsys, geval):
    wijzig, melding = FOUTE_SCENARIOS[geval]
    data = voorbeeld()
    wijzig(data)
    code, uit, fout = draai_als_manage_py(capsys, "--scenario", schrijf(tmp_path, data))
    assert code == 1 and uit == ""
    assert fout.count("\n") == 1 and fout.startswith("CommandError: "), fout
    assert melding.lower() in fout.lower()
    assert "Traceback" not in fout


@pytest.mark.parametrize(
    "inhoud, melding",
    [
        ("{niet json", "Het scenario is geen geldige JSON (regel 1, kolom 2)."),
        ("[1, 2]", "Het scenario moet een JSON-object zijn"),
        ('{"alpha": "0.5", "alpha": "0.6"}', "Het veld 'alpha' komt twee keer voor"),
        (b"\xff\xfe{", "Het scenario is geen UTF-8-tekst."),
        ("", "geen geldige JSON"),
        ("[" * 100000, "geen"),
    ],
)
def test_not_a_usable_json_file(tmp_path, capsys, inhoud, melding):
    code, uit, fout = draai_als_manage_py(capsys, "--scenario", schrijf(tmp_path, inhoud))
    assert code == 1 and uit == ""
    assert fout.count("\n") == 1 and melding in fout and "Traceback" not in fout


@pytest.mark.parametrize(
    "args, melding",
    [
        (["--scenario", "/bestaat/niet.json"], "scenariobestand /bestaat/niet.json bestaat niet."),
        (["--scenario", "/"], "kan niet gelezen worden"),
        (["--regio", "amersfoort", "--jaar", "26"], "geen jaartal (JJJJ)"),
        ([], "Geef --scenario BESTAND, of --regio CODE met --jaar JJJJ."),
        (["--scenario", str(VOORBEELD), "--regio", "amersfoort"], "niet allebei"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_with_one_dutch_line(capsys, args, melding):
    code, uit, fout = draai_als_manage_py(capsys, *args)
    assert code == 1 and uit == ""
    assert fout.count("\n") == 1 and melding in fout and "Traceback" not in fout


# --- the function directly -------------------------------------------------------------------


def gemeente(code, naam, aandeel, nieuw="0.00", voorschot="0.00"):
    return GemeenteInvoer(code, naam, Decimal(aandeel), Decimal(nieuw), Decimal(voorschot))


def invoer(gemeenten, *, alpha="0.5", budget="0.00", totaal="0.00", **extra):
    return VereveningInvoer(
        regio="test", jaar=2026, alpha=Decimal(alpha), centrumgemeentebudget=Decimal(budget),
        totale_kosten=Decimal(totaal), gemeenten=tuple(gemeenten), **extra,
    )  # fmt: skip


def test_ties_go_to_the_name_first_in_order():
    drie = [
        gemeente("3", "Cee", "33.33"),
        gemeente("1", "Aa", "33.33"),
        gemeente("2", "Bee", "33.33"),
    ]
    uitkomst = bereken(invoer(drie, alpha="1", totaal="1.00"))
    assert [(r.naam, str(r.A_g)) for r in uitkomst.gemeenten] == [
        ("Aa", "0.34"), ("Bee", "0.33"), ("Cee", "0.33")
    ]  # fmt: skip
    twee = verevening.voorschotten_naar_verdeelmodel(
        drie[:2] + [gemeente("4", "Ab", "33.33")], Decimal("0.02")
    )
    assert {g.naam: str(g.voorschot) for g in twee} == {"Cee": "0.00", "Aa": "0.01", "Ab": "0.01"}


def test_without_new_clients_the_remainder_follows_the_verdeelmodel_whatever_alpha():
    gemeenten = [gemeente("1", "Aa", "60"), gemeente("2", "Bee", "40")]
    for alpha in ("0", "0.3", "1"):
        uitkomst = bereken(invoer(gemeenten, alpha=alpha, totaal="10.01"))
        assert [r.u_g for r in uitkomst.gemeenten] == [r.s_g for r in uitkomst.gemeenten]
        assert [str(r.A_g) for r in uitkomst.gemeenten] == ["6.01", "4.00"]
        assert "u_g" in uitkomst.opmerkingen[0]


def test_float_input_is_a_programming_error():
    goed = invoer([gemeente("1", "Aa", "100")])
    with pytest.raises(TypeError, match="Decimal verwacht, niet float"):
        bereken(replace(goed, alpha=0.5))


# --- properties over generated inputs --------------------------------------------------------

NAMEN = ["Amersfoort", "Baarn", "Bunschoten", "Leusden", "Nijkerk", "Soest", "Woudenberg",
         "Eemnes", "Veenendaal", "Renswoude"]  # fmt: skip


@st.composite
def invoeren(draw, budget_dekt=None, zonder_nieuw=False):
    namen = draw(st.permutations(NAMEN))[: draw(st.integers(1, 8))]
    gewichten = draw(st.lists(st.integers(0, 50), min_size=len(namen), max_size=len(namen)))
    assume(sum(gewichten) > 0)
    honderdsten = [w * 10000 // sum(gewichten) for w in gewichten]
    grootste = gewichten.index(max(gewichten))
    honderdsten[grootste] += 10000 - sum(honderdsten) + draw(st.integers(-5, 5))
    centen = st.integers(0, 10**9)
    nieuw = [0] * len(namen) if zonder_nieuw else draw(st.lists(centen, min_size=len(namen),
                                                               max_size=len(namen)))  # fmt: skip
    voorschot = draw(st.lists(centen, min_size=len(namen), max_size=len(namen)))
    totaal = sum(nieuw) + draw(st.integers(0, 10**11))
    assume(totaal > 0 or budget_dekt is not False)
    if budget_dekt:
        budget = totaal + draw(st.integers(0, 10**9))
    else:
        budget = draw(st.integers(0, max(totaal - 1, 0) if budget_dekt is False else 2 * totaal))
    euro = lambda c: Decimal(c).scaleb(-2)  # noqa: E731
    return VereveningInvoer(
        regio="test",
        jaar=2026,
        alpha=draw(st.decimals(0, 1, places=4, allow_nan=False, allow_infinity=False)),
        centrumgemeentebudget=euro(budget),
        totale_kosten=euro(totaal),
        gemeenten=tuple(
            GemeenteInvoer(f"{i:04d}", naam, euro(h), euro(n), euro(v))
            for i, (naam, h, n, v) in enumerate(
                zip(namen, honderdsten, nieuw, voorschot, strict=True)
            )
        ),
    )


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(invoeren())
def test_the_parts_add_up_to_the_cent(invoer):
    uitkomst = bereken(invoer)
    assert uitkomst.C == min(uitkomst.T, uitkomst.B_c)
    assert uitkomst.R == uitkomst.T - uitkomst.C >= 0
    assert sum(r.A_g for r in uitkomst.gemeenten) == uitkomst.som_A == uitkomst.R
    assert sum(r.D_g for r in uitkomst.gemeenten) == uitkomst.som_D
    assert uitkomst.som_D == uitkomst.R - sum(r.V_g for r in uitkomst.gemeenten)
    for regel in uitkomst.gemeenten:
        assert regel.D_g == regel.A_g - regel.V_g
        assert regel.A_g == regel.A_g.quantize(Decimal("0.01"))
    with localcontext() as ctx:
        ctx.prec = 60
        assert abs(sum(r.s_g for r in uitkomst.gemeenten) - 1) < Decimal("1e-40")
        assert abs(sum(r.u_g for r in uitkomst.gemeenten) - 1) < Decimal("1e-40")


@PROPERTY
@given(invoeren())
def test_each_part_is_the_formula_rounded_by_largest_remainder(invoer):
    uitkomst = bereken(invoer)
    with localcontext() as ctx:
        ctx.prec = 60
        som = sum(g.aandeel for g in invoer.gemeenten)
        som_n = sum(g.kosten_nieuw for g in invoer.gemeenten)
        rest = {}
        for regel in uitkomst.gemeenten:
            s = regel.aandeel / som
            u = regel.N_g / som_n if som_n else s
            assert abs(regel.s_g - s) < Decimal("1e-45") and abs(regel.u_g - u) < Decimal("1e-45")
            exact = uitkomst.R * 100 * (invoer.alpha * s + (1 - invoer.alpha) * u)
            omlaag = exact.to_integral_value(rounding=ROUND_FLOOR)
            assert regel.A_g * 100 in (omlaag, omlaag + 1)
            rest[regel.naam] = (exact - omlaag, regel.A_g * 100 > omlaag)
    # Largest remainder: every gemeente rounded up had a remainder at least as large as any
    # rounded down, and on a tie it comes first by name.
    for naam, (r, op) in rest.items():
        for ander, (r2, op2) in rest.items():
            if op and not op2:
                assert r > r2 - Decimal("1e-20") and (
                    abs(r - r2) > Decimal("1e-20") or naam < ander
                )


@PROPERTY
@given(invoeren(budget_dekt=True))
def test_when_the_centrumgemeentebudget_covers_everything_nothing_is_split(invoer):
    uitkomst = bereken(invoer)
    assert invoer.totale_kosten <= invoer.centrumgemeentebudget
    assert uitkomst.C == uitkomst.T and uitkomst.R == 0
    assert all(r.A_g == 0 and r.D_g == -r.V_g for r in uitkomst.gemeenten)
    assert any("T ≤ B_c" in o for o in uitkomst.opmerkingen)


@PROPERTY
@given(invoeren(budget_dekt=False))
def test_the_centrumgemeentebudget_is_used_up_before_anything_is_split(invoer):
    uitkomst = bereken(invoer)
    assert uitkomst.C == uitkomst.B_c < uitkomst.T and uitkomst.R > 0


@PROPERTY
@given(invoeren(zonder_nieuw=True))
def test_without_new_clients_the_solidarity_term_vanishes(invoer):
    """sum(N) = 0: u_g = s_g, so alpha makes no difference at all."""
    uitkomst = bereken(invoer)
    assert all(r.u_g == r.s_g for r in uitkomst.gemeenten)
    for alpha in (Decimal(0), Decimal(1)):
        ander = bereken(replace(invoer, alpha=alpha))
        assert [r.A_g for r in ander.gemeenten] == [r.A_g for r in uitkomst.gemeenten]


@PROPERTY
@given(invoeren())
def test_the_solidarity_transfer_sums_to_zero(invoer):
    """A_g minus the pure verdeelmodel split (alpha = 1) moves money between gemeenten only."""
    uitkomst = bereken(invoer)
    verdeelmodel = bereken(replace(invoer, alpha=Decimal(1)))
    overdracht = [
        a.A_g - b.A_g for a, b in zip(uitkomst.gemeenten, verdeelmodel.gemeenten, strict=True)
    ]
    assert sum(overdracht) == 0


@PROPERTY
@given(invoeren(), st.randoms(use_true_random=False))
def test_same_input_same_output_byte_for_byte_in_any_order(invoer, random):
    csv_, json_ = scenario.als_csv(bereken(invoer)), scenario.als_json(bereken(invoer))
    geschud = list(invoer.gemeenten)
    random.shuffle(geschud)
    anders = replace(invoer, gemeenten=tuple(geschud))
    assert scenario.als_csv(bereken(anders)).encode() == csv_.encode()
    assert scenario.als_json(bereken(anders)).encode() == json_.encode()
    with localcontext() as ctx:  # the caller's decimal context does not leak in
        ctx.prec = 6
        assert scenario.als_csv(bereken(invoer)).encode() == csv_.encode()


@PROPERTY
@given(invoeren())
def test_snapshot_reads_back_to_the_same_input(invoer):
    tekst = scenario.invoer_als_json(invoer)
    terug = scenario.lees_scenario(tekst)
    assert sorted(terug.gemeenten, key=lambda g: g.naam) == sorted(
        invoer.gemeenten, key=lambda g: g.naam
    )
    assert scenario.invoer_als_json(terug) == tekst
    assert bereken(terug) == bereken(invoer)


# --- another region's rule: one class plus its parameters ------------------------------------


class PerIndicatie(Vereveningsstrategie):
    naam = "indicaties"
    omschrijving = "Het restant naar rato van het aantal indicaties per gemeente."

    def controleer(self, invoer):
        aantallen = invoer.strategie_parameters.get("indicaties")
        codes = {g.code for g in invoer.gemeenten}
        if not isinstance(aantallen, dict) or set(aantallen) != codes:
            raise VereveningFout("Geef per gemeente het aantal indicaties.")
        if not all(isinstance(n, int) and n >= 0 for n in aantallen.values()) or not any(
            aantallen.values()
        ):
            raise VereveningFout("Het aantal indicaties moet geheel en niet negatief zijn.")

    def delen(self, grondslag):
        aantallen = grondslag.invoer.strategie_parameters["indicaties"]
        totaal = sum(aantallen.values())
        return {code: grondslag.R * aantallen[code] / totaal for code in grondslag.s}


@pytest.fixture
def per_indicatie(monkeypatch):
    monkeypatch.setitem(verevening.STRATEGIEEN, PerIndicatie.naam, PerIndicatie)


def test_a_second_strategy_is_one_class_and_its_parameters(per_indicatie, tmp_path):
    data = voorbeeld()
    aantallen = {"0307": 50, "0308": 7, "0313": 3, "0327": 10, "0267": 12, "0342": 15, "0351": 3}
    data.update(strategie="indicaties", strategie_parameters={"indicaties": aantallen})
    uit, _ = draai("--scenario", schrijf(tmp_path, data), "--format", "json")
    regels = {r["gemeente_code"]: r for r in json.loads(uit)["gemeenten"]}
    # R = 2,500,000.00 over 100 indicaties: 25,000.00 each, whatever alpha or N.
    assert {c: regels[c]["toegerekend"] for c in aantallen} == {
        c: f"{25000 * n}.00" for c, n in aantallen.items()
    }
    assert regels["0307"]["verrekening"] == "6684.33"  # 1,250,000.00 - 1,243,315.67
    assert json.loads(uit)["strategie"] == "indicaties"


def test_a_strategy_refuses_its_own_bad_parameters(per_indicatie):
    basis = invoer([gemeente("1", "Aa", "50"), gemeente("2", "Bee", "50")], totaal="3.00")
    with pytest.raises(VereveningFout, match="Geef per gemeente het aantal indicaties"):
        bereken(replace(basis, strategie="indicaties"))
    goed = replace(
        basis, strategie="indicaties", strategie_parameters={"indicaties": {"1": 1, "2": 2}}
    )
    assert [str(r.A_g) for r in bereken(goed).gemeenten] == ["1.00", "2.00"]


def test_a_strategy_name_is_registered_once():
    class Nog1(Vereveningsstrategie):
        naam = "solidariteit"

        def delen(self, grondslag):
            return {}

    with pytest.raises(ValueError, match="al een vereveningsstrategie 'solidariteit'"):
        verevening.registreer(Nog1)
    assert verevening.STRATEGIEEN["solidariteit"] is verevening.Solidariteit
