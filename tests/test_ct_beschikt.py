"""The Centrale Toegang may beschikken where its regio chose so (issue 17 item 10; seed 000 §9,
seed 003): ``Regio.ct_beschikt`` gives whoever keeps the regio's waiting list the beschikking
capabilities for the dossiers registered with it, for the functies of the BW domain only. With
the setting off the CT cannot draft; it never reaches a dossier not registered with it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from tests import scenarios
from tests.factories import ProductFactory, consulent, dossier_in
from toegang.beschikkingen import services
from toegang.beschikkingen.producten import ProductRegel, percelen_voor
from toegang.models import Beschikking, Dossier

pytestmark = pytest.mark.django_db

D = datetime.date
AMERSFOORT = "0307"


@pytest.fixture
def wereld(refdata):
    w = scenarios.wachtlijst()
    w.begeleiding = ProductFactory(
        perceel=w.perceel, naam="Begeleiding", code="begeleiding", domein="begeleiding"
    )
    w.aanmelding = scenarios.aanmelding(w)
    w.lokaal = consulent("consulent-amersfoort", AMERSFOORT)
    return w


def concept(w, user, product, dossier=None):
    return services.maak_concept(
        dossier or w.aanmelding.dossier, user, perceel=w.perceel, besluit="toekenning",
        motivering="Beschermd wonen is nodig.", ingangsdatum=D(2026, 1, 1),
        einddatum=D(2026, 12, 31), regels=[ProductRegel(product=product)],
    )  # fmt: skip


def test_without_the_setting_the_ct_cannot_beschikken(wereld):
    assert not wereld.regio.ct_beschikt
    with pytest.raises(Http404):
        concept(wereld, wereld.ct, wereld.bw)
    assert not Dossier.objects.visible_to(wereld.ct, "toegang.add_beschikking").exists()


def test_with_the_setting_the_ct_beschikt_bw_functies_of_its_own_dossiers(wereld, client):
    wereld.regio.ct_beschikt = True
    wereld.regio.save(update_fields=["ct_beschikt"])
    ct = wereld.ct
    b = concept(wereld, ct, wereld.bw)
    assert b.opgesteld_door == ct
    # Begeleiding is the lokaal team's: refused at the field, and not offered.
    with pytest.raises(ValidationError) as exc:
        concept(wereld, ct, wereld.begeleiding)
    assert "Centrale Toegang beschikt alleen" in exc.value.message_dict["producten"][0]
    assert percelen_voor(wereld.aanmelding.dossier, ct).filter(pk=wereld.perceel.pk).exists()
    # A dossier of the same gemeente that was never registered with the CT stays out of reach.
    ander = dossier_in(AMERSFOORT)
    with pytest.raises(Http404):
        concept(wereld, ct, wereld.bw, dossier=ander)
    eigen = concept(wereld, wereld.lokaal, wereld.bw, dossier=ander)
    assert (
        not Beschikking.objects.visible_to(ct, "toegang.view_beschikking")
        .filter(pk=eigen.pk)
        .exists()
    )
    # Four eyes as always: the lokaal team (or a second CT member) approves the CT's concept.
    services.dien_in(b, ct)
    with pytest.raises(ValidationError):
        services.stel_vast(b, ct)
    services.stel_vast(b, wereld.lokaal)
    # The aanmelding page offers the step.
    client.force_login(ct)
    page = client.get(reverse("toegang:aanmelding_detail", args=[wereld.aanmelding.pk]))
    assert page.status_code == 200 and page.context["mag_beschikken"]
    assert (
        client.get(
            reverse("toegang:beschikking-create", args=[wereld.aanmelding.dossier_id])
        ).status_code
        == 200
    )
