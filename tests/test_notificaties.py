"""Work reaches the next person at once (issue 18): ``regio.notificaties.meld`` in the event's
own transaction, to whoever must act and may open the object, and the e-mail (direct and the
daily digest) through a real SMTP server, naming only the kind of event."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from regio import notificaties
from regio.models import Notificatie, User
from tests.factories import UserFactory, consulent, dossier_in
from toegang.beschikkingen import producten, services
from toegang.models import Adres

D = datetime.date
Soort = Notificatie.Soort
WBBW = "wmo-begeleiding-en-beschermd-wonen"


@pytest.fixture
def catalogus(refdata):
    inkoop_demo.catalogus()


@pytest.fixture
def soest_a(refdata):
    return consulent("consulent-soest-a", "0342", first_name="Anna", last_name="Aalbers")


@pytest.fixture
def soest_b(refdata):
    return consulent("consulent-soest-b", "0342", first_name="Bram", last_name="Bos")


@pytest.fixture
def soest_c(refdata):
    return consulent("consulent-soest-c", "0342")


@pytest.fixture
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


@pytest.fixture
def dossier(catalogus):
    d = dossier_in("0342")
    Adres.objects.create(
        persoon=d.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 BH", plaats="Soest",
    )  # fmt: skip
    return d


def regel(code):
    product = Product.objects.get(code=code, perceel__code=WBBW, perceel__regio__code="amersfoort")
    return producten.ProductRegel(product=product, toegekend=True)


def concept(dossier, user):
    return services.maak_concept(
        dossier, user, besluit="toekenning", regels=[regel("begeleiding")],
        perceel=Perceel.objects.get(code=WBBW, regio__code="amersfoort"),
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31),
        motivering="Uit het onderzoek blijkt dat begeleiding nodig is.",
    )  # fmt: skip


def ontvangers(soort):
    return set(Notificatie.objects.filter(soort=soort).values_list("user__username", flat=True))


# --- the beschikking --------------------------------------------------------------------------


def test_ter_accordering_reaches_who_may_accord_but_not_who_wrote_it(
    dossier, soest_a, soest_b, soest_c, baarn
):
    b = concept(dossier, soest_a)
    b.bewerkers.add(soest_b)  # as bewaar_concept records who changed it
    services.dien_in(b, soest_a)
    # soest_a wrote and submitted it, soest_b changed it; baarn cannot open it.
    assert ontvangers(Soort.TER_ACCORDERING) == {"consulent-soest-c"}
    n = Notificatie.objects.get(soort=Soort.TER_ACCORDERING)
    assert n.url == reverse("toegang:beschikking-detail", args=[b.pk])
    assert dossier.client.persoon.geslachtsnaam not in n.tekst


def test_vastgesteld_and_teruggestuurd_reach_the_opsteller(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    services.stuur_terug(b, soest_b, "Motivering aanvullen")
    assert ontvangers(Soort.TERUGGESTUURD) == {"consulent-soest-a"}
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    assert ontvangers(Soort.VASTGESTELD) == {"consulent-soest-a"}
    # Two submissions are two events: soest_b was told twice.
    assert Notificatie.objects.filter(user=soest_b, soort=Soort.TER_ACCORDERING).count() == 2


def test_taking_back_ones_own_concept_tells_nobody(dossier, soest_a):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    services.stuur_terug(b, soest_a)
    assert not Notificatie.objects.filter(soort=Soort.TERUGGESTUURD).exists()


def test_a_rolled_back_event_leaves_no_notification_and_sends_no_mail(
    dossier, soest_a, soest_b, mailoutbox
):
    User.objects.filter(pk=soest_b.pk).update(
        email="b@example.org", email_notificaties=User.Email.DIRECT
    )
    b = concept(dossier, soest_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dien_in(b, soest_a)
        assert ontvangers(Soort.TER_ACCORDERING) == {"consulent-soest-b"}
        raise RuntimeError("iets anders faalt in dezelfde transactie")
    assert not Notificatie.objects.exists()
    assert mailoutbox == []


# --- meld itself ------------------------------------------------------------------------------


def test_meld_with_a_key_tells_each_user_once(refdata):
    u = UserFactory(username="iemand")
    for _ in range(2):
        notificaties.meld([u, u], soort=Soort.OVERIG, tekst="Hallo", sleutel="een:sleutel")
    assert Notificatie.objects.filter(user=u).count() == 1
