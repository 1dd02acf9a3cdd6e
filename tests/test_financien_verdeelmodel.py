import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from demo import inkoop as inkoop_demo
from financien.models import Verdeelmodel
from financien.services import aandelen_van, normaliseer, verdeelmodel_vastleggen
from inkoop.models import Capaciteit, Locatie
from regio.models import Gemeente, Regio
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def shares(**percentages):
    return {Gemeente.objects.get(code=code[1:]): Decimal(p) for code, p in percentages.items()}


@pytest.fixture
def amersfoort_2021(refdata):
    return {Gemeente.objects.get(code=c): Decimal(p)
            for c, p in inkoop_demo.VERDEELMODEL_AMERSFOORT.items()}  # fmt: skip


def test_rounded_shares_are_normalised_as_in_the_worked_example(amersfoort_2021):
    aandelen = normaliseer(amersfoort_2021)
    assert aandelen.som == Decimal("100.01") and aandelen.genormaliseerd
    assert abs(sum(aandelen.fracties.values()) - 1) < Decimal("1e-20")
    by_code = {g.code: f for g, f in aandelen.fracties.items()}
    # DOMAIN.md's worked example: s_g % Amersfoort 56.5143, Woudenberg 3.4797.
    assert (by_code["0307"] * 100).quantize(Decimal("0.0001")) == Decimal("56.5143")
    assert (by_code["0351"] * 100).quantize(Decimal("0.0001")) == Decimal("3.4797")


@pytest.mark.parametrize("extra", ["0.06", "-0.06"])
def test_shares_further_off_are_refused(amersfoort_2021, extra):
    amersfoort = Gemeente.objects.get(code="0307")
    amersfoort_2021[amersfoort] += Decimal(extra) - Decimal("0.01")
    with pytest.raises(ValidationError, match="het verschil is groter dan 0.05%-punt"):
        normaliseer(amersfoort_2021)


def test_exactly_100_is_not_normalised(refdata):
    assert not normaliseer(shares(g0307="60", g0342="40")).genormaliseerd


def test_vastleggen_checks_membership_and_replaces_whole(amersfoort_2021):
    regio = Regio.objects.get(code="amersfoort")
    veenendaal = Gemeente.objects.get(code="0345")
    with pytest.raises(ValidationError, match="geen lid van Amersfoort.*Veenendaal"):
        verdeelmodel_vastleggen(
            regio, 2022, {**amersfoort_2021, veenendaal: Decimal("0")}, user=None
        )
    assert not Verdeelmodel.objects.exists()
    verdeelmodel_vastleggen(regio, 2021, {**amersfoort_2021, veenendaal: Decimal("0")}, user=None)
    model = verdeelmodel_vastleggen(regio, 2021, amersfoort_2021, user=None)
    assert model.aandelen.count() == 7 and Verdeelmodel.objects.count() == 1
    assert aandelen_van(model).genormaliseerd


def test_dashboard_advises_where_to_build_up_and_scale_down(client, amersfoort_2021):
    regio = Regio.objects.get(code="amersfoort")
    verdeelmodel_vastleggen(regio, 2021, amersfoort_2021, user=None)
    contract = ContractFactory(aanbieder=AanbiederFactory())
    locatie = Locatie.objects.create(
        aanbieder=contract.aanbieder, naam="Alles in Amersfoort", straat="Eemweg",
        huisnummer="1", postcode="3811 AB", plaats="Amersfoort",
        gemeente=Gemeente.objects.get(code="0307"),
    )  # fmt: skip
    Capaciteit.objects.create(locatie=locatie, begin=datetime.date(2020, 1, 1), plaatsen=20)
    risb = UserFactory(username="risb-spreiding")
    grant(risb, "contractmanager", regio="amersfoort")
    client.force_login(risb)
    export = client.get("/inkoop/regio/amersfoort/dashboard/?export=spreiding&formaat=csv")
    rows = {line.split(";")[0]: line.split(";") for line in
            export.content.decode("utf-8-sig").splitlines()[1:]}  # fmt: skip
    assert rows["Amersfoort"][1:] == ["20", "100,0", "56,5", "43,5", "afbouwen"]
    assert rows["Soest"][1:] == ["0", "0,0", "12,1", "-12,1", "opbouwen"]  # Dutch Excel
    html = client.get("/inkoop/regio/amersfoort/dashboard/").content.decode()
    assert "genormaliseerd" in html and "Opbouwen" in html


def test_verdeelmodel_is_scoped_per_regio(amersfoort_2021):
    verdeelmodel_vastleggen(Regio.objects.get(code="amersfoort"), 2021, amersfoort_2021, user=None)
    groningen = UserFactory(username="fin-groningen")
    grant(groningen, "financien", regio="groningen")
    soest = UserFactory(username="fin-soest")
    grant(soest, "financien", gemeente="0342")
    assert not Verdeelmodel.objects.visible_to(groningen, "financien.view_verdeelmodel").exists()
    assert Verdeelmodel.objects.visible_to(soest, "financien.view_verdeelmodel").count() == 1
