"""The layers hold (docs/ARCHITECTURE.md): config > demo > financien > toegang > inkoop > regio.

import-linter checks the imports in ``make lint``; these tests count them once more from the
source (every import statement, also inside functions, also under ``if TYPE_CHECKING``) and check
what the linter cannot see: the model relations, whose targets are strings."""

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
LAGEN = ["regio", "inkoop", "toegang", "financien", "demo", "config"]
RANG = {laag: i for i, laag in enumerate(LAGEN)}

# The one relation that points up a layer: a role grant names the aanbieder whose systems and
# staff it scopes. The aanbieder is inkoop's party (contracts, AGB-code, quality), a role grant
# only refers to it; regio reads it as one of the three scope kinds (gemeente, regio, aanbieder)
# through ``Roltoekenning.aanbieder_id`` and never imports inkoop.
UITZONDERINGEN = {("regio.Roltoekenning", "aanbieder")}


def opwaartse_imports(root: Path = ROOT) -> list[str]:
    gevonden = []
    for laag in LAGEN:
        for bestand in sorted((root / laag).rglob("*.py")):
            boom = ast.parse(bestand.read_text(), filename=str(bestand))
            for knoop in ast.walk(boom):
                if isinstance(knoop, ast.Import):
                    namen = [alias.name for alias in knoop.names]
                elif isinstance(knoop, ast.ImportFrom) and knoop.level == 0 and knoop.module:
                    namen = [knoop.module]
                else:
                    continue
                for naam in namen:
                    doel = naam.split(".")[0]
                    if doel in RANG and RANG[doel] > RANG[laag]:
                        plek = bestand.relative_to(root)
                        gevonden.append(f"{plek}:{knoop.lineno} importeert {naam}")
    return gevonden


def test_no_app_imports_a_higher_one():
    assert opwaartse_imports() == []


def test_no_relative_import_climbs_out_of_its_app():
    """A relative import stays inside its own app (``from ..x`` from an app's top would leave it
    unseen by the check above)."""
    fout = []
    for laag in LAGEN:
        for bestand in sorted((ROOT / laag).rglob("*.py")):
            diepte = len(bestand.relative_to(ROOT / laag).parts) - 1
            for knoop in ast.walk(ast.parse(bestand.read_text())):
                if isinstance(knoop, ast.ImportFrom) and knoop.level > diepte + 1:
                    fout.append(f"{bestand.relative_to(ROOT)}:{knoop.lineno}")
    assert fout == []


def test_the_count_sees_an_upward_import(tmp_path):
    """The check above can fail: a function of regio that imports toegang is reported."""
    for laag in LAGEN:
        (tmp_path / laag).mkdir()
    (tmp_path / "regio" / "x.py").write_text("def f():\n    from toegang.models import Dossier\n")
    assert opwaartse_imports(tmp_path) == ["regio/x.py:2 importeert toegang.models"]


def test_no_model_relation_points_up_a_layer_but_the_documented_one():
    omhoog = set()
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in RANG:
            continue
        for veld in model._meta.get_fields():
            # Forward relations only (ForeignKey, OneToOne, ManyToMany); reverse ones are no Field.
            if not (isinstance(veld, models.Field) and veld.is_relation and veld.related_model):
                continue
            doel = veld.related_model._meta.app_label
            if doel in RANG and RANG[doel] > RANG[app]:
                omhoog.add((f"{app}.{model.__name__}", veld.name))
    assert omhoog == UITZONDERINGEN
