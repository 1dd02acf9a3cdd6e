"""The verevening from the database: the DOMAIN.md worked example to the cent, the stored run
and its lines, vaststellen by a second person, immutability in PostgreSQL, scoping."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from financien import runs, scenario
from financien.models import (
    Jaarparameters,
    Kostenregel,
    Vereveningsregel,
    Vereveningsrun,
    Voorschot,
)
from financien.services import verdeelmodel_vastleggen
from financien.verevening import VereveningFout, bereken
from tests.factories import (
    ProductFactory,
    UserFactory,
    client_met_start,
    gemeente,
    grant,
    kosten,
    regio,
)
from toegang.models import Client

pytestmark = pytest.mark.django_db

D = datetime.date
# Runs of 2026 are vastgesteld before that year has ended (while these tests are young): a reason.
REDEN = "Voorlopige afrekening voor de begroting"
SCENARIO = Path(__file__).parent / "data" / "verevening_amersfoort.json"
AANDELEN = {"0307": "56.52", "0308": "6.35", "0313": "4.66", "0327": "7.45", "0267": "9.47",
            "0342": "12.08", "0351": "3.48"}  # fmt: skip
NIEUW = {"0307": "1100000", "0308": "100000", "0313": "60000", "0327": "150000",
         "0267": "250000", "0342": "300000", "0351": "40000"}  # fmt: skip
# DOMAIN.md's table: A_g, V_g, D_g.
VERWACHT = {
    "Amersfoort": ("1393929.36", "1243315.67", "150613.69"),
    "Baarn": ("141867.06", "139686.03", "2181.03"),
    "Bunschoten": ("95744.18", "102509.75", "-6765.57"),
    "Leusden": ("186865.69", "163883.61", "22982.08"),
    "Nijkerk": ("274613.16", "208319.17", "66293.99"),
    "Soest": ("338484.90", "265733.43", "72751.47"),
    "Woudenberg": ("68495.65", "76552.34", "-8056.69"),
}


@pytest.fixture
def amersfoort(refdata):
    """The worked example as stored data: shares, parameters, voorschotten split by the shares
    (DOMAIN.md's V_g), one new client per gemeente with N_g, and the existing caseload (in
    Amersfoort) making T = 12,000,000.00; plus costs that must not count."""
    r = regio("amersfoort")
    verdeelmodel_vastleggen(
        r, 2026, {gemeente(c): Decimal(p) for c, p in AANDELEN.items()}, bron="test", user=None
    )
    parameters = Jaarparameters.objects.create(
        regio=r, jaar=2026, peildatum_nieuw=D(2022, 1, 1), alpha=Decimal("0.5"),
        centrumgemeentebudget=Decimal("9500000.00"),
    )  # fmt: skip
    for naam, (_, v, _) in VERWACHT.items():
        g = next(g for g in map(gemeente, AANDELEN) if g.naam == naam)
        Voorschot.objects.create(parameters=parameters, gemeente=g, bedrag=Decimal(v))
    bw = ProductFactory(domein="beschermd_wonen")
    begeleiding = ProductFactory(domein="begeleiding")
    for code, bedrag in NIEUW.items():
        nieuw = client_met_start(r, code, D(2023, 3, 1))
        # Split over two lines (one on a BW functie, one without functie) to add up.
        kosten(r, nieuw, code, Decimal(bedrag) - 1000, D(2026, 2, 1), functie=bw)
        kosten(r, nieuw, code, "1000", D(2026, 3, 1))
    bestaand = client_met_start(r, "0307", D(2019, 5, 1))
    kosten(r, bestaand, "0307", "9999999.00", D(2026, 4, 1), functie=bw)
    kosten(r, bestaand, "0307", "1.00", D(2026, 5, 1))
    # Not counted: begeleiding, another year, another regio.
    kosten(r, bestaand, "0307", "55555.55", D(2026, 4, 1), functie=begeleiding)
    kosten(r, bestaand, "0307", "77777.77", D(2025, 4, 1))
    kosten(regio("groningen"), Client.objects.create(), "0014", "88888.88", D(2026, 4, 1))
    return r


def test_worked_example_to_the_cent_through_the_database(amersfoort):
    starter = UserFactory(username="fin-start")
    grant(starter, "financien", regio="amersfoort")
    run = runs.bereken_run(amersfoort, 2026, user=starter)
    assert (run.totale_kosten, run.centrumgemeente_deel, run.restant) == (
        Decimal("12000000.00"), Decimal("9500000.00"), Decimal("2500000.00")
    )  # fmt: skip
    regels = {
        r.gemeente.naam: (str(r.toegerekend), str(r.voorschot), str(r.verrekening))
        for r in run.regels.select_related("gemeente")
    }
    assert regels == VERWACHT
    assert sum(r.toegerekend for r in run.regels.all()) == Decimal("2500000.00")
    assert sum(r.verrekening for r in run.regels.all()) == Decimal("300000.00")
    assert any("genormaliseerd" in o for o in run.opmerkingen)


def test_database_path_and_scenario_command_give_the_same_csv(amersfoort):
    run = runs.bereken_run(amersfoort, 2026)
    assert runs.als_csv(run) == scenario.als_csv(bereken(scenario.lees_scenariobestand(SCENARIO)))
    # The snapshot is a scenario: read back, it computes to the same outcome.
    herlezen = scenario.lees_scenario(
        scenario.invoer_als_json(runs.invoer_uit_database(amersfoort, 2026))
    )
    assert scenario.als_csv(bereken(herlezen)) == runs.als_csv(run)


def test_a_batch_of_regions_gives_each_the_run_it_would_get_alone_all_or_nothing(amersfoort):
    # A second regio with a later cut-over (April 2026): its client who started in 2024 is not
    # new there, though under Amersfoort's cut-over (2022) they would be. The amounts prove each
    # regio's own cut-over and costs are used, though the batch reads all costs in one statement.
    groningen = regio("groningen")
    verdeelmodel_vastleggen(
        groningen, 2026, {gemeente("0014"): Decimal("100")}, bron="test", user=None
    )
    Jaarparameters.objects.create(
        regio=groningen, jaar=2026, peildatum_nieuw=D(2026, 4, 1), alpha=Decimal("0.5"),
        centrumgemeentebudget=Decimal("0.00"),
    )  # fmt: skip
    oud = client_met_start(groningen, "0014", D(2024, 1, 1))
    kosten(groningen, oud, "0014", "1000.00", D(2026, 5, 1))
    samen = runs.bereken_runs([groningen, amersfoort], 2026)
    assert [r.regio for r in samen] == [groningen, amersfoort]
    alleen = [runs.bereken_run(r, 2026) for r in (groningen, amersfoort)]
    assert [r.invoer_hash for r in samen] == [r.invoer_hash for r in alleen]
    assert [runs.als_csv(r) for r in samen] == [runs.als_csv(r) for r in alleen]
    nieuw = {g["code"]: g["kosten_nieuw"] for g in samen[0].invoer["gemeenten"]}
    assert Decimal(nieuw["0014"]) == Decimal("88888.88")  # the fixture's line; not the 2024 one
    assert samen[0].totale_kosten == Decimal("89888.88")
    assert samen[1].totale_kosten == Decimal("12000000.00")

    # One regio without parameters: nothing is stored for any of them.
    aantal = Vereveningsrun.objects.count()
    with pytest.raises(VereveningFout, match="geen vereveningsparameters voor"):
        runs.bereken_runs([amersfoort, groningen, regio("utrecht")], 2026)
    assert Vereveningsrun.objects.count() == aantal


def test_rerun_gives_identical_lines_and_hash(amersfoort):
    eerste, tweede = runs.bereken_run(amersfoort, 2026), runs.bereken_run(amersfoort, 2026)
    assert eerste.pk != tweede.pk
    assert eerste.invoer_hash == tweede.invoer_hash
    assert eerste.invoer == tweede.invoer
    assert runs.als_csv(eerste) == runs.als_csv(tweede)


def test_missing_parameters_or_shares_are_refused_in_dutch(refdata):
    with pytest.raises(VereveningFout, match="geen vereveningsparameters"):
        runs.bereken_run(regio("amersfoort"), 2026)
    assert not Vereveningsrun.objects.exists()


def test_vaststellen_needs_a_second_person_and_supersedes(amersfoort):
    a, b = UserFactory(username="fin-a"), UserFactory(username="fin-b")
    for user in (a, b):
        grant(user, "financien", regio="amersfoort")
    eerste = runs.bereken_run(amersfoort, 2026, user=a)
    with pytest.raises(ValidationError, match="vier ogen"):
        runs.vaststellen(eerste, a)
    runs.vaststellen(eerste, b, reden=REDEN)
    tweede = runs.bereken_run(amersfoort, 2026, user=b)
    runs.vaststellen(tweede, a, reden=REDEN)
    eerste.refresh_from_db()
    assert (eerste.status, eerste.vervangen_door_id) == ("vervangen", tweede.pk)
    assert Vereveningsrun.objects.filter(status="vastgesteld").get() == tweede
    with pytest.raises(ValidationError):
        runs.vaststellen(tweede, b)


def test_a_gemeente_role_cannot_start_or_fix_a_run(amersfoort):
    soest = UserFactory(username="fin-soest")
    grant(soest, "financien", gemeente="0342")
    with pytest.raises(PermissionDenied):
        runs.bereken_run(amersfoort, 2026, user=soest)
    # It sees its own clients' costs only, and the regional run with every gemeente's line.
    zichtbaar = Kostenregel.objects.visible_to(soest, "financien.view_kostenregel")
    assert set(zichtbaar.values_list("gemeente_herkomst__code", flat=True)) == {"0342"}
    run = runs.bereken_run(amersfoort, 2026)
    assert Vereveningsrun.objects.visible_to(soest, "financien.view_vereveningsrun").get() == run
    assert (
        Vereveningsregel.objects.visible_to(soest, "financien.view_vereveningsregel").count() == 7
    )


def test_a_vastgestelde_run_is_immutable_in_the_database(amersfoort):
    a, b = UserFactory(username="fin-a"), UserFactory(username="fin-b")
    for user in (a, b):
        grant(user, "financien", regio="amersfoort")
    run = runs.bereken_run(amersfoort, 2026, user=a)
    runs.vaststellen(run, b, reden=REDEN)
    regel = run.regels.first()
    pogingen = [
        lambda: Vereveningsrun.objects.filter(pk=run.pk).update(restant=Decimal("1.00")),
        lambda: Vereveningsrun.objects.filter(pk=run.pk).update(status="concept"),
        lambda: Vereveningsrun.objects.filter(pk=run.pk).delete(),
        lambda: Vereveningsregel.objects.filter(pk=regel.pk).update(verrekening=Decimal("0")),
        lambda: Vereveningsregel.objects.filter(pk=regel.pk).delete(),
        lambda: Vereveningsregel.objects.create(
            run=run,
            gemeente=gemeente("0014"),
            aandeel_verdeelmodel=0,
            kosten_nieuw=0,
            aandeel_nieuw=0,
            toegerekend=0,
            voorschot=0,
            verrekening=0,
        ),  # fmt: skip
    ]
    for poging in pogingen:
        with pytest.raises(DatabaseError), transaction.atomic():
            poging()
    run.refresh_from_db()
    assert (run.status, run.restant) == ("vastgesteld", Decimal("2500000.00"))


def test_a_concept_keeps_its_inputs_but_may_be_discarded(amersfoort):
    run = runs.bereken_run(amersfoort, 2026)
    with pytest.raises(DatabaseError), transaction.atomic():
        Vereveningsrun.objects.filter(pk=run.pk).update(totale_kosten=Decimal("1.00"))
    with transaction.atomic():
        Vereveningsregel.objects.filter(run=run).delete()
        Vereveningsrun.objects.filter(pk=run.pk).delete()
    assert not Vereveningsrun.objects.exists()
    assert connection.is_usable()


def test_command_from_the_database_stores_a_concept_and_prints_the_csv(amersfoort, capsys):
    from django.core.management import call_command

    call_command("verevening", "--regio", "amersfoort", "--jaar", "2026")
    uit, fout = capsys.readouterr()
    assert uit == scenario.als_csv(bereken(scenario.lees_scenariobestand(SCENARIO)))
    run = Vereveningsrun.objects.get()
    assert run.status == "concept" and f"Conceptrun {run.pk}" in fout


def test_command_for_all_regions_stores_one_concept_per_regio(amersfoort, capsys):
    from django.core.management import call_command

    call_command("verevening", "--alle", "--jaar", "2026")
    run = Vereveningsrun.objects.get()  # only Amersfoort has parameters for 2026
    assert run.regio == amersfoort and run.totale_kosten == Decimal("12000000.00")
    assert (
        capsys.readouterr().out == f"Conceptrun {run.pk} voor {amersfoort.naam} 2026 opgeslagen.\n"
    )


@pytest.mark.parametrize(
    "args, melding",
    [
        (["--regio", "nergens", "--jaar", "2026"], "Regio 'nergens' bestaat niet."),
        (["--regio", "amersfoort", "--jaar", "2019"], "geen vereveningsparameters"),
        (["--alle", "--jaar", "2019"], "Geen regio heeft vereveningsparameters voor 2019."),
        (["--alle", "--regio", "amersfoort", "--jaar", "2026"], "alleen --jaar"),
    ],
)
def test_command_from_the_database_refuses_in_dutch(amersfoort, args, melding):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=melding):
        call_command("verevening", *args)
    assert not Vereveningsrun.objects.exists()
