"""The iWmo conformance table (docs/IWMO.md): generated from the rules' snapshot, the decisions in
toegang/toewijzingen/conformiteit.py and the tests' ``iwmo_regel`` markers, committed, and
checked here like openapi.yaml."""

import textwrap
from pathlib import Path

from regio.iwmo_regels import GEBOUWD, GEPLAND, bronregels, lost_op, rijen, verzamel_tests
from toegang.toewijzingen.conformiteit import besluiten, document

ROOT = Path(__file__).resolve().parents[1]


def _rijen():
    return rijen(besluiten(), verzamel_tests(ROOT / "tests"))


def test_committed_conformance_table_is_current():
    """docs/IWMO.md lists what the code and the tests say today: regenerate it with
    `make iwmo-docs` after adding a rule, a decision or an ``iwmo_regel`` marker."""
    tekst, _ = document(ROOT / "tests")
    assert (ROOT / "docs" / "IWMO.md").read_text(encoding="utf-8") == tekst, (
        "docs/IWMO.md is out of date: run `make iwmo-docs`"
    )


def test_readme_quotes_the_counts():
    _, samenvatting = document(ROOT / "tests")
    assert samenvatting in (ROOT / "README.md").read_text(encoding="utf-8"), (
        f"README.md's section iWmo-conformiteit should say: {samenvatting}"
    )


def test_every_rule_of_the_snapshot_has_a_decision_and_a_row():
    tekst = (ROOT / "docs" / "IWMO.md").read_text(encoding="utf-8")
    regels = bronregels()
    assert set(besluiten()) == set(regels)
    for id in regels:
        assert f"| **{id}** |" in tekst, id
    # Every rule file of the regelrapport folder of the copy is in the snapshot (23 OP files,
    # 78 TR, 35 IV, the CD/CS/RS table and the UP file), and so is every rule the case
    # descriptions, the Mutatieoverzicht and the UP relations name.
    bestanden = {r.bron for r in regels.values() if r.bron.startswith("regels/")}
    per_map = {}
    for bron in bestanden:
        per_map.setdefault(bron.split("/")[1], set()).add(bron)
    assert {map: len(b) for map, b in per_map.items()} == {
        "bedrijfsregels": 23, "technische-regels": 78, "invulinstructies": 35,
        "condities-constraints": 1, "uitgangspunten": 1,
    }  # fmt: skip
    genoemd = {"OP377", "OP378", "OP380", "OP257", "OP272", "IV008", "TR414", "OP155", "OP072"}
    assert genoemd <= set(regels)
    assert {"OP186", "OP295", "OP363", "OP379"} <= set(regels)  # UP relations only


def test_every_dotted_path_resolves():
    """Where a rule is enforced names a real function (or constant); a planned place may not
    exist yet (its part of issue 19 makes it)."""
    kapot = [
        (id, pad)
        for id, b in besluiten().items()
        if b.status != GEPLAND
        for pad in b.waar
        if not lost_op(pad)
    ]
    assert kapot == []


def test_a_built_rule_that_applies_has_a_test():
    """Every rule that applies to us and is built is shown by a test carrying its marker
    ``@pytest.mark.iwmo_regel("ID")``. A rule marked ``gepland`` or ``open`` is exempt until its
    flag is removed."""
    zonder = [
        r.bron.id
        for r in _rijen()
        if r.besluit.geldt and r.besluit.status == GEBOUWD and not r.getest
    ]
    assert zonder == []
    assert all(b.waar for b in besluiten().values() if b.geldt and b.status == GEBOUWD), (
        "a built rule names where"
    )


def test_markers_name_known_rules():
    onbekend = set(verzamel_tests(ROOT / "tests")) - set(bronregels())
    assert onbekend == set()


def test_markers_are_read_without_running_the_tests(tmp_path):
    (tmp_path / "test_voorbeeld.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from pytest import mark

            pytestmark = [pytest.mark.django_db, pytest.mark.iwmo_regel("UP003")]

            @pytest.mark.iwmo_regel("TR414", "OP377")
            @pytest.mark.parametrize("x", [1, 2])
            def test_een(x):
                pass

            @mark.iwmo_regel("TR413")
            async def test_twee():
                pass

            def helper_niet_test():
                pass

            @pytest.mark.iwmo_regel("TR415")
            class TestStop:
                pytestmark = pytest.mark.iwmo_regel("OP378")

                def test_drie(self):
                    pass
            """
        )
    )
    (tmp_path / "conftest.py").write_text('import pytest\n@pytest.mark.iwmo_regel("OP001")\n')
    gevonden = verzamel_tests(tmp_path)
    een, twee = f"{tmp_path.name}/test_voorbeeld.py::test_een", "test_voorbeeld.py::test_twee"
    drie = f"{tmp_path.name}/test_voorbeeld.py::TestStop::test_drie"
    assert gevonden == {
        "OP377": [een],
        "OP378": [drie],
        "TR413": [f"{tmp_path.name}/{twee}"],
        "TR414": [een],
        "TR415": [drie],
        "UP003": sorted([een, f"{tmp_path.name}/{twee}", drie]),
    }
