import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from regio.models import Domein, Gemeente, Lidmaatschap, Regio, Roltoekenning, User
from regio.validators import is_valid_bsn, validate_bsn
from tests.omgeving import subprocess_omgeving
from toegang.models import Dossier, Persoon, bsn_hash

ROOT = Path(__file__).resolve().parents[1]


def members(regio, domein, on):
    return set(
        Lidmaatschap.objects.active_on(on)
        .filter(regio__code=regio, domein=domein)
        .values_list("gemeente__code", flat=True)
    )


@pytest.mark.django_db
def test_reference_data_regions_and_memberships(refdata):
    assert Regio.objects.count() == 44  # 43 BW regions + begeleiding regio Oldambt-Stadskanaal
    amersfoort_bw = {"0307", "0308", "0313", "0327", "0267", "0342", "0351"}
    assert members("amersfoort", Domein.BESCHERMD_WONEN, datetime.date(2024, 1, 1)) == amersfoort_bw
    assert members("amersfoort", Domein.BESCHERMD_WONEN, datetime.date(2021, 6, 1)) == (
        amersfoort_bw | {"0345"}
    )
    # Nijkerk joins regio Amersfoort for BW and BT only.
    assert members("amersfoort", Domein.BEGELEIDING, datetime.date(2024, 1, 1)) == (
        amersfoort_bw - {"0267"}
    )
    assert members("oldambt-stadskanaal", Domein.BEGELEIDING, datetime.date(2024, 1, 1)) == {
        "1895",
        "0037",
    }
    assert {"1895", "0037"} <= members(
        "groningen", Domein.BESCHERMD_WONEN, datetime.date(2024, 1, 1)
    )
    # Every gemeente is in exactly one BW region today.
    today = datetime.date.today()
    bw = Lidmaatschap.objects.active_on(today).filter(domein=Domein.BESCHERMD_WONEN)
    assert bw.count() == Gemeente.objects.count() == bw.values("gemeente").distinct().count()


@pytest.mark.django_db
def test_a_gemeente_cannot_be_in_two_regions_for_one_domein_at_once(refdata):
    soest = Gemeente.objects.get(code="0342")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lidmaatschap.objects.create(
            gemeente=soest,
            regio=Regio.objects.get(code="utrecht"),
            domein=Domein.BESCHERMD_WONEN,
            begin=datetime.date(2025, 1, 1),
        )
    lid = Lidmaatschap(
        gemeente=soest, regio=Regio.objects.get(code="utrecht"), domein=Domein.BESCHERMD_WONEN
    )
    with pytest.raises(ValidationError, match="al lid van een regio"):
        lid.full_clean()


def test_bsn_elfproef():
    assert is_valid_bsn("111222333") and is_valid_bsn("123456782")
    assert not is_valid_bsn("123456789") and not is_valid_bsn("12345678")
    with pytest.raises(ValidationError, match="elfproef"):
        validate_bsn("123456789")
    with pytest.raises(ValidationError, match="9 cijfers"):
        validate_bsn("12a456789")


@pytest.mark.slow(80)
@pytest.mark.django_db
def test_demo_is_reproducible_and_idempotent():
    call_command("demo", stdout=open(os.devnull, "w"))
    first = set(Persoon.objects.values_list("bsn_hash", flat=True))
    counts = (User.objects.count(), Roltoekenning.objects.count(), Dossier.objects.count())
    call_command("demo", stdout=open(os.devnull, "w"))
    assert (User.objects.count(), Roltoekenning.objects.count(), Dossier.objects.count()) == counts
    assert set(Persoon.objects.values_list("bsn_hash", flat=True)) == first
    for username in ["beheer", "consulent-soest", "consulent-baarn", "consulent-amersfoort",
                     "consulent-stadskanaal", "ct-amersfoort", "ct-groningen", "risb-amersfoort",
                     "financien-amersfoort"]:  # fmt: skip
        assert User.objects.get(username=username).check_password("demo"), username
    assert all(is_valid_bsn(p.bsn) and p.bsn_hash == bsn_hash(p.bsn) for p in Persoon.objects.all())
    # 15 demo clients in Soest, plus those the waiting-list history needed.
    assert Dossier.objects.filter(verantwoordelijke_gemeente__code="0342").count() >= 15
    assert all(p.bsn.startswith("9999") for p in Persoon.objects.all())
    # Placements in progress at the demo locations, through the CT's services.
    from toegang.models import Plaatsing

    assert sorted(Plaatsing.objects.values_list("status", flat=True)) == [
        "bevestigd", "geplaatst", "geplaatst", "gereserveerd",
    ]  # fmt: skip


@pytest.mark.django_db
def test_demo_refuses_without_dev_settings(settings):
    from django.core.management.base import CommandError

    settings.REGIOZORG_DEMO_PASSWORDS = False
    with pytest.raises(CommandError, match="dev-instellingen"):
        call_command("demo")


def test_manage_without_make_run_says_so_in_one_line(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev")
    env["POSTGRES_HOST"] = str(tmp_path / "geen-database")
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "De database is niet bereikbaar: start eerst `make run` in een andere terminal."
    )


@pytest.mark.django_db
def test_roltoekenning_must_fit_the_roles_scope(refdata):
    from regio.models import Rol
    from tests.factories import UserFactory

    user = UserFactory(username="scope-check")
    wrong = Roltoekenning(
        user=user, rol=Rol.objects.get(code="consulent"), regio=Regio.objects.get(code="amersfoort")
    )
    with pytest.raises(ValidationError, match="Consulent lokaal team geldt voor"):
        wrong.full_clean()
    for target in ({"gemeente": Gemeente.objects.get(code="0342")},
                   {"regio": Regio.objects.get(code="amersfoort")}):  # fmt: skip
        Roltoekenning(user=user, rol=Rol.objects.get(code="financien"), **target).full_clean()
    with pytest.raises(ValidationError, match="precies één"):
        Roltoekenning(user=user, rol=Rol.objects.get(code="financien")).full_clean()


def test_production_settings_pass_check_deploy():
    env = subprocess_omgeving()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
