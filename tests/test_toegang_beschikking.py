"""The beschikking: drafting, four-eyes, vaststellen, overlap, immutability (service and database),
wijzigen, intrekken, verlopen, the letter (PDF text and hash), bezwaar terms, the screens and
their scoping."""

import datetime
import hashlib
import re
import subprocess
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.urls import get_resolver, reverse

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from regio.models import AuditEntry, Gemeente, Regio
from tests.factories import UserFactory, consulent, dossier_in, grant, rol_met
from toegang.beschikkingen import bezwaar as bezwaren
from toegang.beschikkingen import producten, services
from toegang.models import Aanvraag, Adres, Beschikking, BeschiktProduct, Document, Melding, Relatie

D = datetime.date
Status = Beschikking.Status
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
def baarn(refdata):
    return consulent("consulent-baarn", "0308")


def met_adres(dossier, soort="01", straat="Steenhoffstraat", plaats="Soest"):
    Adres.objects.create(
        persoon=dossier.client.persoon,
        soort=soort,
        straat=straat,
        huisnummer="12",
        postcode="3764 BH",
        plaats=plaats,
    )
    return dossier


@pytest.fixture
def dossier(catalogus):
    return met_adres(dossier_in("0342"))


def perceel(code=WBBW, regio="amersfoort"):
    return Perceel.objects.get(code=code, regio__code=regio)


def product(code, perceel_code=WBBW, regio="amersfoort"):
    return Product.objects.get(code=code, perceel__code=perceel_code, perceel__regio__code=regio)


def regel(code, toegekend=True, perceel_code=WBBW, regio="amersfoort", **kwargs):
    return producten.ProductRegel(
        product=product(code, perceel_code, regio), toegekend=toegekend, **kwargs
    )


def concept(dossier, user, regels=None, besluit="toekenning", **kwargs):
    kwargs.setdefault("perceel", perceel())
    kwargs.setdefault("ingangsdatum", D(2026, 1, 1))
    kwargs.setdefault("einddatum", D(2026, 12, 31))
    kwargs.setdefault("motivering", "Uit het onderzoek blijkt dat begeleiding nodig is.")
    if regels is None:
        regels = [regel("begeleiding"), regel("beschermd-wonen")]
    return services.maak_concept(dossier, user, besluit=besluit, regels=regels, **kwargs)


def vastgesteld(dossier, drafter, approver, **kwargs):
    b = concept(dossier, drafter, **kwargs)
    services.dien_in(b, drafter)
    return services.stel_vast(b, approver)


def vers(b):
    return Beschikking.objects.get(pk=b.pk)


INTREKKING = dict(
    grond="verzoek", motivering="Op verzoek van de cliënt.", per=D(2026, 6, 1),
    terugwerkende_kracht="De cliënt vroeg om beëindiging per 1 juni.",
)  # fmt: skip


# --- drafting and the four-eyes flow ------------------------------------------------------------


def test_taakgericht_concept_fills_client_and_categorie_and_stays_inactive(dossier, soest_a):
    b = concept(dossier, soest_a)
    assert b.status == Status.CONCEPT
    assert b.opgesteld_door == soest_a
    producten = list(b.producten.order_by("productcategorie"))
    assert [(p.product.code, p.productcategorie) for p in producten] == [
        ("begeleiding", "02"),
        ("beschermd-wonen", "15"),
    ]
    assert all(p.client_id == dossier.client_id and not p.actief for p in producten)
    # Empty product dates take the beschikking's period; functies carry no omvang.
    assert {(p.ingangsdatum, p.einddatum, p.volume) for p in producten} == {
        (D(2026, 1, 1), D(2026, 12, 31), None)
    }
    assert AuditEntry.objects.filter(
        actie="create", object_type="toegang.beschikking", object_ids=[str(b.pk)]
    ).exists()


def test_four_eyes_on_drafter_cannot_approve_another_consulent_can(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a)
    assert services.toegestane_acties(b, soest_a) == ["indienen", "verwijderen"]
    with pytest.raises(ValidationError) as exc:
        services.stel_vast(b, soest_b)  # a concept is not approved directly under four-eyes
    assert "vier-ogenprincipe" in exc.value.messages[0]

    services.dien_in(b, soest_a)
    b = vers(b)
    assert b.status == Status.TER_ACCORDERING
    assert "vaststellen" not in services.toegestane_acties(b, soest_a)
    assert "vaststellen" in services.toegestane_acties(b, soest_b)
    with pytest.raises(ValidationError) as exc:
        services.stel_vast(b, soest_a)
    assert exc.value.code == "vier_ogen"
    assert vers(b).status == Status.TER_ACCORDERING

    services.stel_vast(b, soest_b)
    b = vers(b)
    assert b.status == Status.VASTGESTELD
    assert b.geaccordeerd_door == soest_b and b.vastgesteld_op is not None
    assert set(b.producten.values_list("actief", flat=True)) == {True}
    assert services.toegestane_acties(b, soest_a) == ["bekendmaken", "wijzigen", "intrekken"]


def test_four_eyes_off_drafter_may_vaststellen_directly(dossier, soest_a):
    Regio.objects.filter(code="amersfoort").update(vier_ogen_beschikking=False)
    b = concept(dossier, soest_a)
    assert "vaststellen" in services.toegestane_acties(b, soest_a)
    services.stel_vast(b, soest_a)
    b = vers(b)
    assert b.status == Status.VASTGESTELD
    assert b.opgesteld_door == b.geaccordeerd_door == soest_a


def test_terugsturen_makes_it_editable_again(dossier, soest_a, soest_b):
    b = concept(dossier, soest_a)
    services.dien_in(b, soest_a)
    with pytest.raises(ValidationError):
        services.bewaar_concept(
            b, soest_a, besluit="toekenning", motivering="x", ingangsdatum=D(2026, 1, 1),
            einddatum=D(2026, 12, 31), aanvraag=None, regels=[regel("begeleiding")],
        )  # fmt: skip
    services.stuur_terug(b, soest_b, "Motivering aanvullen")
    assert vers(b).status == Status.CONCEPT
    services.bewaar_concept(
        b, soest_a, besluit="toekenning", motivering="Aangevuld.", ingangsdatum=D(2026, 1, 1),
        einddatum=D(2026, 12, 31), aanvraag=None, regels=[regel("begeleiding")],
    )  # fmt: skip
    assert vers(b).motivering == "Aangevuld."
    assert [s["stap"] for s in services.geschiedenis(b)][-2:] == [
        "teruggestuurd naar concept",
        "concept bewerkt",
    ]


def test_who_may_do_what(dossier, soest_a, soest_b, baarn):
    aanbieder_user = UserFactory(username="zonder-rol")
    b = concept(dossier, soest_a)
    assert services.toegestane_acties(b, baarn) == []
    assert services.toegestane_acties(b, aanbieder_user) == []
    # A beschikking of another gemeente is invisible to Baarn's consulent: not found (404), as
    # its page answers, before anything about its status is said.
    for stap in (services.dien_in, services.verwijder_concept):
        with pytest.raises(Http404):
            stap(b, baarn)
    services.dien_in(b, soest_a)
    with pytest.raises(Http404):
        services.stel_vast(b, baarn)
    with pytest.raises(Http404):
        concept(dossier, baarn)  # a Soest dossier is not Baarn's to decide on
    services.stel_vast(b, soest_b)
    for stap in (services.maak_bekend, services.wijzig):
        with pytest.raises(Http404):
            stap(b, baarn)
    with pytest.raises(Http404):
        services.trek_in(b, baarn, **INTREKKING)
    # Someone who may see Soest's beschikkingen but not decide on them: refused (403).
    rol_met("alleen-lezen-beschikking", "toegang.view_beschikking", "toegang.view_dossier")
    lezer = UserFactory(username="alleen-lezen")
    grant(lezer, "alleen-lezen-beschikking", gemeente="0342")
    with pytest.raises(PermissionDenied) as exc:
        services.trek_in(b, lezer, **INTREKKING)
    assert str(exc.value) == "U mag voor deze gemeente geen beschikkingen opstellen."
    # A step from the wrong status is refused, whoever asks.
    with pytest.raises(ValidationError) as exc:
        services.dien_in(b, soest_a)
    assert exc.value.code == "status"


def test_besluit_must_match_products_and_have_motivering(dossier, soest_a):
    b = concept(dossier, soest_a, regels=[regel("begeleiding"), regel("begeleid-wonen", False)])
    with pytest.raises(ValidationError) as exc:
        services.dien_in(b, soest_a)  # 'toekenning' but one product is afgewezen
    assert "gedeeltelijke" in " ".join(exc.value.messages)
    leeg = concept(dossier, soest_a, regels=[])
    with pytest.raises(ValidationError) as exc:
        services.dien_in(leeg, soest_a)
    assert "ten minste één" in " ".join(exc.value.messages)
    Beschikking.objects.filter(pk=leeg.pk).update(motivering="   ")
    with pytest.raises(ValidationError) as exc:
        services.dien_in(leeg, soest_a)
    assert "motivering" in " ".join(exc.value.messages)


def test_afwijzing_grants_nothing_and_blocks_no_later_grant(dossier, soest_a, soest_b):
    af = vastgesteld(
        dossier, soest_a, soest_b, besluit="afwijzing",
        regels=[regel("beschermd-wonen", toegekend=False)],
        motivering="Met begeleiding thuis is de cliënt voldoende geholpen.",
    )  # fmt: skip
    assert vers(af).status == Status.VASTGESTELD
    # The refused product is not a grant: a toekenning for the same period is not an overlap.
    toe = vastgesteld(dossier, soest_a, soest_b, regels=[regel("beschermd-wonen")])
    assert vers(toe).status == Status.VASTGESTELD


def test_gedeeltelijke_toekenning(dossier, soest_a, soest_b):
    b = vastgesteld(
        dossier, soest_a, soest_b, besluit="gedeeltelijk",
        regels=[regel("begeleiding"), regel("beschermd-wonen", toegekend=False)],
    )  # fmt: skip
    toegekend = dict(b.producten.values_list("product__code", "toegekend"))
    assert toegekend == {"begeleiding": True, "beschermd-wonen": False}


# --- product rules -------------------------------------------------------------------------------


def test_products_must_belong_to_the_perceel_and_be_valid_in_the_period(dossier, soest_a):
    with pytest.raises(ValidationError) as exc:
        concept(dossier, soest_a, regels=[regel("arrangement-1", perceel_code="omnv-2018")])
    assert "hoort niet bij het perceel" in " ".join(exc.value.messages)
    old = perceel("omnv-2018")
    with pytest.raises(ValidationError) as exc:  # the old era's perceel ended in 2022
        concept(dossier, soest_a, perceel=old, regels=[])
    assert "ingangsdatum" in exc.value.message_dict
    b = concept(
        dossier, soest_a, perceel=old, ingangsdatum=D(2022, 7, 1), einddatum=D(2022, 12, 31),
        regels=[regel("arrangement-2", perceel_code="omnv-2018")],
    )  # fmt: skip
    assert b.producten.get().productcategorie == "15"
    with pytest.raises(ValidationError) as exc:
        concept(
            dossier, soest_a, perceel=old, ingangsdatum=D(2022, 7, 1), einddatum=D(2023, 6, 30),
            regels=[],
        )  # fmt: skip
    assert "einddatum" in exc.value.message_dict


def test_functies_of_one_categorie_run_together_in_one_beschikking(dossier, soest_a, soest_b):
    """Regio Amersfoort grants one beschikking per perceel naming several functies; begeleiding
    and begeleid wonen (both categorie 02) may run at the same time within it."""
    samen = concept(dossier, soest_a, regels=[regel("begeleiding"), regel("begeleid-wonen")])
    services.dien_in(samen, soest_a)
    services.stel_vast(samen, soest_b)
    assert vers(samen).producten.filter(actief=True).count() == 2
    # The same functie twice in one period is still refused.
    with pytest.raises(ValidationError) as exc:
        concept(dossier, soest_a, regels=[regel("begeleiding"), regel("begeleiding")])
    assert "twee keer in dezelfde periode" in " ".join(exc.value.messages)


def test_taakgericht_refuses_omvang(dossier, soest_a):
    with pytest.raises(ValidationError) as exc:
        concept(dossier, soest_a, regels=[regel("begeleiding", volume=Decimal(3))])
    assert "zonder omvang" in " ".join(exc.value.messages)


@pytest.fixture
def oldambt(catalogus):
    user = UserFactory(username="consulent-oldambt")
    grant(user, "consulent", gemeente="1895")
    d = met_adres(dossier_in("1895"), plaats="Winschoten")
    return user, d


def pxq(code, **kwargs):
    return regel(code, perceel_code="begeleiding-2023", regio="oldambt-stadskanaal", **kwargs)


def test_pxq_products_need_omvang_and_plus_a_maximum_duration(oldambt):
    user, d = oldambt
    p = perceel("begeleiding-2023", "oldambt-stadskanaal")
    with pytest.raises(ValidationError) as exc:
        concept(d, user, perceel=p, regels=[pxq("begeleiding-individueel-regulier")])
    tekst = " ".join(exc.value.messages)
    assert "volume" in tekst and "frequentie" in tekst
    b = concept(
        d, user, perceel=p,
        regels=[pxq("begeleiding-individueel-regulier", volume=Decimal(3), frequentie="2")],
    )  # fmt: skip
    bp = b.producten.get()
    assert (bp.volume, bp.eenheid, bp.frequentie) == (Decimal(3), "04", "2")  # eenheid: product's
    assert producten.omvang_label(bp.volume, bp.eenheid, bp.frequentie) == "3 uur per week"
    with pytest.raises(ValidationError) as exc:  # plus: at most 6 months
        concept(
            d, user, perceel=p,
            regels=[pxq("begeleiding-individueel-plus", volume=Decimal(4), frequentie="2")],
        )  # fmt: skip
    assert "ten hoogste 6 maanden" in " ".join(exc.value.messages)
    concept(
        d, user, perceel=p,
        regels=[pxq("begeleiding-individueel-plus", volume=Decimal(4), frequentie="2",
                    einddatum=D(2026, 6, 30))],
    )  # fmt: skip


def test_gemeente_must_be_member_for_the_products_domein(catalogus, refdata):
    nijkerk_user = UserFactory(username="consulent-nijkerk")
    grant(nijkerk_user, "consulent", gemeente="0267")
    d = met_adres(dossier_in("0267"))
    with pytest.raises(ValidationError) as exc:  # Nijkerk joins regio Amersfoort for BW only
        concept(d, nijkerk_user, regels=[regel("begeleiding")])
    assert "neemt ‘Begeleiding’ in die periode niet af" in " ".join(exc.value.messages)
    concept(d, nijkerk_user, regels=[regel("beschermd-wonen")])


# --- overlap -------------------------------------------------------------------------------------


def test_overlap_with_another_beschikking_is_refused_naming_it(dossier, soest_a, soest_b):
    eerste = vastgesteld(dossier, soest_a, soest_b, regels=[regel("begeleiding")])
    tweede = concept(
        dossier, soest_a, ingangsdatum=D(2026, 6, 1), einddatum=D(2027, 5, 31),
        regels=[regel("vinger-aan-de-pols")],
    )  # fmt: skip
    services.dien_in(tweede, soest_a)
    with pytest.raises(ValidationError) as exc:
        services.stel_vast(tweede, soest_b)
    melding = exc.value.messages[0]
    assert exc.value.code == "overlap"
    assert f"beschikking {eerste.pk} van gemeente Soest" in melding
    assert "01-01-2026 tot en met 31-12-2026" in melding
    assert "productcategorie 02 Begeleiding" in melding
    tweede = vers(tweede)
    assert tweede.status == Status.TER_ACCORDERING
    assert not tweede.producten.filter(actief=True).exists()


def test_overlap_with_a_beschikking_of_another_gemeente_does_not_name_it(
    dossier, soest_a, soest_b, baarn
):
    baarn_b = UserFactory(username="consulent-baarn-b")
    grant(baarn_b, "consulent", gemeente="0308")
    # The same person (client) also has a dossier in Baarn, with a grant there.
    baarn_dossier = dossier_in("0308", client=dossier.client, persoon=None)
    anders = vastgesteld(baarn_dossier, baarn, baarn_b, regels=[regel("beschermd-wonen")])
    b = concept(dossier, soest_a, regels=[regel("beschermd-wonen")])
    services.dien_in(b, soest_a)
    with pytest.raises(ValidationError) as exc:
        services.stel_vast(b, soest_b)
    melding = exc.value.messages[0]
    assert "een beschikking van een andere gemeente (01-01-2026 tot en met 31-12-2026)" in melding
    assert "Baarn" not in melding and f"beschikking {anders.pk}" not in melding


def test_database_exclusion_constraint_is_the_safety_net(dossier, soest_a, soest_b, monkeypatch):
    eerste = vastgesteld(dossier, soest_a, soest_b, regels=[regel("begeleiding")])
    tweede = concept(dossier, soest_a, regels=[regel("begeleid-wonen")])
    services.dien_in(tweede, soest_a)
    echte = services._overlap_melding
    calls = []

    def eerst_niets(beschikking, user):
        calls.append(1)
        return None if len(calls) == 1 else echte(beschikking, user)

    monkeypatch.setattr(services, "_overlap_melding", eerst_niets)
    with pytest.raises(ValidationError) as exc:
        services.stel_vast(tweede, soest_b)
    assert f"beschikking {eerste.pk}" in exc.value.messages[0]
    assert vers(tweede).status == Status.TER_ACCORDERING  # nothing half-written


# --- immutability --------------------------------------------------------------------------------


def test_vastgestelde_beschikking_is_immutable_in_service_and_database(dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    with pytest.raises(ValidationError) as exc:
        services.bewaar_concept(
            b, soest_a, besluit="afwijzing", motivering="anders", ingangsdatum=D(2026, 1, 1),
            einddatum=None, aanvraag=None, regels=[],
        )  # fmt: skip
    assert exc.value.code == "status"
    with pytest.raises(IntegrityError), transaction.atomic():
        Beschikking.objects.filter(pk=b.pk).update(motivering="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        BeschiktProduct.objects.filter(beschikking=b).update(einddatum=D(2027, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Beschikking.objects.filter(pk=b.pk).update(status=Status.CONCEPT)
    with pytest.raises(IntegrityError), transaction.atomic():
        b.producten.all().delete()
    assert vers(b).motivering.startswith("Uit het onderzoek")


# --- wijzigen, intrekken, verlopen ---------------------------------------------------------------


def test_wijzigen_makes_a_new_version_and_ends_the_old_grants(dossier, soest_a, soest_b):
    oud = vastgesteld(dossier, soest_a, soest_b, regels=[regel("begeleiding")])
    nieuw = services.wijzig(oud, soest_b, grond="nieuw")
    assert nieuw.vorige == oud and nieuw.status == Status.CONCEPT
    assert nieuw.opgesteld_door == soest_b
    assert list(nieuw.producten.values_list("product__code", "actief")) == [("begeleiding", False)]
    assert vers(oud).status == Status.VASTGESTELD  # in force until the new one is decided
    with pytest.raises(ValidationError) as exc:
        services.wijzig(oud, soest_a)
    assert f"beschikking {nieuw.pk}" in exc.value.messages[0]

    services.bewaar_concept(
        nieuw, soest_b, besluit="toekenning", motivering="Meer ondersteuning nodig.",
        ingangsdatum=D(2026, 1, 1), einddatum=D(2026, 12, 31), aanvraag=None,
        regels=[regel("begeleid-wonen")],
    )  # fmt: skip
    # Begeleiding is no longer granted: to the client's disadvantage, so first heard (Awb 4:8).
    with pytest.raises(ValidationError) as exc:
        services.dien_in(nieuw, soest_b)
    assert "Awb 4:8" in exc.value.messages[0]
    services.hoor(nieuw, soest_b, gehoord_op=D(2026, 3, 1), hoorverslag="Cliënt stemt in.")
    services.dien_in(nieuw, soest_b)
    assert vers(nieuw).ten_nadele
    services.stel_vast(nieuw, soest_a)  # overlaps the old one: no refusal, it replaces it
    # In force only once made known (Awb 3:40): until then the old one stands.
    assert vers(oud).status == Status.VASTGESTELD
    assert set(vers(nieuw).producten.values_list("actief", flat=True)) == {False}
    services.maak_bekend(nieuw, soest_b)
    oud, nieuw = vers(oud), vers(nieuw)
    assert oud.status == Status.GEWIJZIGD
    assert set(oud.producten.values_list("actief", flat=True)) == {False}
    assert nieuw.status == Status.BEKENDGEMAAKT
    assert set(nieuw.producten.values_list("actief", flat=True)) == {True}
    assert "wijzigen" not in services.toegestane_acties(oud, soest_a)


def test_intrekken_is_a_besluit_that_ends_the_grants_once_made_known(dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    with pytest.raises(ValidationError) as exc:
        services.trek_in(b, soest_b, **{**INTREKKING, "motivering": "  "})
    assert "motivering" in exc.value.message_dict
    besluit = services.trek_in(b, soest_b, **INTREKKING)
    assert (besluit.besluit, besluit.vorige, besluit.status) == (
        "intrekking", b, Status.CONCEPT,
    )  # fmt: skip
    assert vers(b).status == Status.VASTGESTELD  # still in force
    services.dien_in(besluit, soest_b)
    services.stel_vast(besluit, soest_a)
    assert vers(b).status == Status.VASTGESTELD  # not yet made known
    services.maak_bekend(besluit, soest_b)
    b = vers(b)
    assert (b.status, b.ingetrokken_op) == (Status.INGETROKKEN, D(2026, 6, 1))
    assert f"besluit {besluit.pk}" in b.intrekkingsreden
    assert not b.producten.filter(actief=True).exists()
    assert services.toegestane_acties(b, soest_b) == []
    # A new grant for the same period is possible now.
    assert vers(vastgesteld(dossier, soest_a, soest_b)).status == Status.VASTGESTELD


def test_verlopen_job_moves_past_bekendgemaakte_beschikkingen(dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    lopend = vastgesteld(
        dossier, soest_a, soest_b, ingangsdatum=D(2027, 1, 1), einddatum=D(2027, 12, 31)
    )
    services.maak_bekend(lopend, soest_b)
    assert services.verloop_beschikkingen(D(2026, 12, 31)) == 0
    assert services.verloop_beschikkingen(D(2027, 1, 1)) == 1
    assert vers(b).status == Status.VERLOPEN
    assert vers(lopend).status == Status.BEKENDGEMAAKT
    assert services.verloop_beschikkingen(D(2027, 1, 1)) == 0  # idempotent


@pytest.mark.django_db(transaction=True)
def test_two_consulenten_cannot_both_accord(refdata, catalogus, soest_a, soest_b):
    soest_c = UserFactory(username="consulent-soest-c")
    grant(soest_c, "consulent", gemeente="0342")
    d = met_adres(dossier_in("0342"))
    b = concept(d, soest_a)
    services.dien_in(b, soest_a)
    barrier = threading.Barrier(2)
    uitkomsten = []

    def accordeer(user):
        try:
            barrier.wait(timeout=10)
            services.stel_vast(b, user)
            uitkomsten.append("ok")
        except ValidationError as exc:
            uitkomsten.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accordeer, args=(u,)) for u in (soest_b, soest_c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(uitkomsten) == ["ok", "status"]
    assert (
        AuditEntry.objects.filter(
            object_type="toegang.beschikking", toelichting__stap="geaccordeerd en vastgesteld"
        ).count()
        == 1
    )


# --- the letter ----------------------------------------------------------------------------------


def pdftekst(inhoud: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=inhoud, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


def test_bekendmaken_stores_the_letter_once_with_its_hash(dossier, soest_a, soest_b, client):
    Adres.objects.create(
        persoon=dossier.client.persoon, soort="02", straat="Postbus", huisnummer="77",
        postcode="3760 AA", plaats="Soest",
    )  # fmt: skip
    Gemeente.objects.filter(code="0342").update(
        postadres="Postbus 2000", postcode="3760 CA", plaats="Soest", telefoon="14 035",
        website="https://www.soest.nl",
    )  # fmt: skip
    b = vastgesteld(
        dossier, soest_a, soest_b, besluit="gedeeltelijk",
        regels=[regel("begeleiding"), regel("beschermd-wonen", toegekend=False)],
        motivering="Begeleiding thuis volstaat; beschermd wonen is niet nodig.",
    )  # fmt: skip
    services.maak_bekend(b, soest_b)
    b = vers(b)
    assert b.status == Status.BEKENDGEMAAKT and b.bekendgemaakt_op is not None
    document = b.brief
    assert document.soort == Document.Soort.BESCHIKKING and document.dossier == dossier
    bsn = dossier.client.persoon.bsn
    assert bsn not in document.bestand.name and bsn not in document.naam
    with document.bestand.open("rb") as f:
        opgeslagen = f.read()
    assert hashlib.sha256(opgeslagen).hexdigest() == document.sha256

    tekst = pdftekst(opgeslagen)
    assert "Gemeente Soest" in tekst and "Postbus 2000" in tekst and "14 035" in tekst
    assert "Postbus 77" in tekst  # the correspondentie-adres, not the BRP address
    assert "Steenhoffstraat" not in tekst
    assert "gedeeltelijk toe" in tekst
    assert "Wat wij toekennen" in tekst and "Begeleiding" in tekst
    assert "Wat wij afwijzen" in tekst and "Beschermd wonen" in tekst
    assert "Begeleiding thuis volstaat" in tekst
    assert "binnen zes weken na de datum van verzending" in tekst
    assert "college van burgemeester en wethouders van de gemeente Soest" in tekst
    assert "6:7" in tekst and "6:5" in tekst and "de gronden van het bezwaar" in tekst
    assert bsn in tekst  # the letter to the client itself may name the BSN

    # Never rendered again: a second bekendmaking is refused; downloads serve the stored file.
    with pytest.raises(ValidationError):
        services.maak_bekend(b, soest_b)
    client.force_login(soest_a)
    url = reverse("toegang:beschikking-brief", args=[b.pk])
    eerste, tweede = client.get(url), client.get(url)
    assert eerste.status_code == tweede.status_code == 200
    assert eerste["Content-Type"] == "application/pdf"
    assert eerste.content == tweede.content == opgeslagen
    assert hashlib.sha256(tweede.content).hexdigest() == vers(b).brief.sha256
    assert eerste["Content-Disposition"] == f'attachment; filename="beschikking-{b.pk}.pdf"'
    assert bsn not in url
    assert AuditEntry.objects.filter(actie="export", object_type="toegang.document").count() == 2


def test_letter_goes_to_the_vertegenwoordiger(dossier, soest_a, soest_b):
    Relatie.objects.create(
        persoon=dossier.client.persoon, soort="15", geslachtsnaam="Mentorink", voornamen="Mirjam",
        straat="Kerkstraat 3", postcode="3811 CV", plaats="Amersfoort", ontvangt_post=True,
    )  # fmt: skip
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    with vers(b).brief.bestand.open("rb") as f:
        tekst = pdftekst(f.read())
    assert "M. Mentorink" in tekst and "Kerkstraat 3" in tekst and "AMERSFOORT" in tekst
    assert "Geachte M. Mentorink," in tekst
    # The letter speaks to the mentor and names the client (geslacht unknown: neutral, with
    # the initials of the first names) where the client receives the support.
    persoon = dossier.client.persoon
    assert f"als mentor van J. {persoon.geslachtsnaam}." in tekst
    assert f"J. {persoon.geslachtsnaam} krijgt de ondersteuning hieronder" in tekst
    assert "U krijgt" not in tekst
    assert "Beschermd wonen" in tekst


def test_bekendmaken_without_address_is_refused_and_writes_nothing(catalogus, soest_a, soest_b):
    d = dossier_in("0342")
    b = vastgesteld(d, soest_a, soest_b)
    with pytest.raises(ValidationError) as exc:
        services.maak_bekend(b, soest_b)
    assert "geen adres" in exc.value.messages[0]
    assert vers(b).status == Status.VASTGESTELD and not Document.objects.exists()


def test_tampered_letter_is_not_served(dossier, soest_a, soest_b, client):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    Document.objects.filter(pk=vers(b).brief_id).update(sha256="0" * 64)
    client.force_login(soest_a)
    response = client.get(reverse("toegang:beschikking-brief", args=[b.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(actie="export", resultaat="error").exists()


# --- bezwaar -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bekendgemaakt", "termijn_einde", "beslissen"),
    [
        (D(2026, 3, 2), D(2026, 4, 13), D(2026, 5, 26)),  # 25 May 2026 is tweede Pinksterdag
        (D(2026, 3, 7), D(2026, 4, 20), D(2026, 6, 1)),  # a Saturday + 6 weeks: to Monday
        (D(2026, 3, 16), D(2026, 4, 28), D(2026, 6, 9)),  # 27 April: Koningsdag
        (D(2026, 11, 13), D(2026, 12, 28), D(2027, 2, 8)),  # 25 Dec: Kerst, 26th a Saturday
    ],
)
def test_bezwaartermijn_and_beslistermijn(bekendgemaakt, termijn_einde, beslissen):
    assert bezwaren.bezwaartermijn_einde(bekendgemaakt) == termijn_einde
    assert bezwaren.beslistermijn_bezwaar(bekendgemaakt) == beslissen


def test_bezwaar_registered_after_bekendmaking_with_computed_terms(dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    with pytest.raises(ValidationError):
        bezwaren.registreer_bezwaar(b, soest_a, ontvangen_op=D(2026, 3, 1))
    services.maak_bekend(b, soest_b)
    Beschikking.objects.filter(pk=b.pk).update(bekendgemaakt_op=D(2026, 3, 7))
    b = vers(b)
    with pytest.raises(ValidationError) as exc:
        bezwaren.registreer_bezwaar(b, soest_a, ontvangen_op=D(2026, 3, 1))
    assert "ontvangen_op" in exc.value.message_dict
    op_tijd = bezwaren.registreer_bezwaar(b, soest_a, ontvangen_op=D(2026, 4, 20))
    assert op_tijd.tijdig and op_tijd.beslistermijn_einde == D(2026, 6, 1)
    assert op_tijd.dossier == dossier
    te_laat = bezwaren.registreer_bezwaar(b, soest_a, ontvangen_op=D(2026, 4, 21))
    assert not te_laat.tijdig
    with pytest.raises(ValidationError) as exc:
        bezwaren.werk_bezwaar_bij(
            op_tijd, soest_b, ontvangen_op=D(2026, 4, 20), uitkomst="ongegrond"
        )
    assert "besloten_op" in exc.value.message_dict
    bezwaren.werk_bezwaar_bij(
        op_tijd, soest_b, ontvangen_op=D(2026, 4, 20), uitkomst="ongegrond",
        besloten_op=D(2026, 5, 28),
    )  # fmt: skip
    op_tijd.refresh_from_db()
    assert (op_tijd.uitkomst, op_tijd.besloten_op) == ("ongegrond", D(2026, 5, 28))


# --- the screens ---------------------------------------------------------------------------------


def test_screens_draft_edit_and_decide(dossier, soest_a, soest_b, client):
    melding = Melding.objects.create(dossier=dossier, ontvangen_op=D(2025, 11, 1), hulpvraag="x")
    aanvraag = Aanvraag.objects.create(
        melding=melding, dossier=dossier, ontvangen_op=D(2025, 12, 1)
    )
    client.force_login(soest_a)
    url = reverse("toegang:beschikking-create", args=[dossier.pk])
    page = client.get(url)
    assert page.status_code == 200
    percelen = {p.code for p in page.context["form"].fields["perceel"].queryset}
    assert WBBW in percelen and "begeleiding-2023" not in percelen  # Oldambt's is not Soest's
    fout = client.post(url, {"perceel": perceel().pk, "besluit": "toekenning", "motivering": " ",
                             "ingangsdatum": "2026-01-01", "einddatum": "2025-12-31"})  # fmt: skip
    assert fout.status_code == 200
    assert set(fout.context["form"].errors) == {"motivering", "einddatum"}
    response = client.post(url, {
        "perceel": perceel().pk, "aanvraag": aanvraag.pk, "besluit": "toekenning",
        "motivering": "Begeleiding nodig.", "ingangsdatum": "2026-01-01",
        "einddatum": "2026-12-31",
    })  # fmt: skip
    b = Beschikking.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "toegang:beschikking-edit", args=[b.pk]
    )
    assert b.aanvraag == aanvraag

    edit = client.get(response.url)
    formset = edit.context["formset"]
    keuzes = {p.code for p in formset.forms[0].fields["product"].queryset}
    assert keuzes == {
        "begeleiding", "beschermd-thuis", "vinger-aan-de-pols", "begeleid-wonen",
        "stabilisatie-en-observatie", "beschermd-wonen",
    }  # fmt: skip
    assert "volume" not in formset.forms[0].fields  # taakgericht: no omvang

    def post(rows, **extra):
        data = {
            "besluit": "toekenning", "motivering": "Begeleiding nodig.",
            "ingangsdatum": "2026-01-01", "einddatum": "2026-12-31", "aanvraag": aanvraag.pk,
            "producten-TOTAL_FORMS": str(len(rows)), "producten-INITIAL_FORMS": "0",
            "producten-MIN_NUM_FORMS": "0", "producten-MAX_NUM_FORMS": "30", **extra,
        }  # fmt: skip
        for i, row in enumerate(rows):
            data.update({f"producten-{i}-{k}": v for k, v in row.items()})
        return client.post(response.url, data)

    begeleiding, bw = product("begeleiding").pk, product("beschermd-wonen").pk
    fout = post([{"product": begeleiding, "toegekend": "ja", "einddatum": "2027-03-31"}])
    assert fout.status_code == 200
    assert "einddatum" in fout.context["formset"].forms[0].errors
    fout = post([{"product": begeleiding, "toegekend": "ja"},
                 {"product": begeleiding, "toegekend": "ja"}])  # fmt: skip
    assert fout.status_code == 200 and "twee keer in dezelfde periode" in fout.content.decode()
    ok = post([{"product": begeleiding, "toegekend": "ja"}, {"product": bw, "toegekend": "ja"},
               {"product": "", "toegekend": "ja"}])  # fmt: skip
    assert ok.status_code == 302
    assert b.producten.count() == 2

    detail = reverse("toegang:beschikking-detail", args=[b.pk])
    page = client.get(detail)
    assert [a["actie"] for a in page.context["acties"]] == ["indienen", "verwijderen"]
    stap = reverse("toegang:beschikking-actie", args=[b.pk, "indienen"])
    assert client.get(stap).status_code == 200  # the confirm page
    assert client.post(stap).status_code == 302
    assert vers(b).status == Status.TER_ACCORDERING
    # The drafter sees no approve button and a direct POST is refused with the four-eyes reason.
    page = client.get(detail)
    assert "vaststellen" not in [a["actie"] for a in page.context["acties"]]
    assert "Vier ogen" in page.content.decode()
    vaststellen = reverse("toegang:beschikking-actie", args=[b.pk, "vaststellen"])
    weiger = client.post(vaststellen, follow=True)
    assert "Vier ogen" in weiger.content.decode()
    assert vers(b).status == Status.TER_ACCORDERING

    client.force_login(soest_b)
    assert client.get(vaststellen).status_code == 200
    assert client.post(vaststellen).status_code == 302
    assert vers(b).status == Status.VASTGESTELD
    assert client.get(reverse("toegang:beschikking-edit", args=[b.pk])).status_code == 302
    bekend = reverse("toegang:beschikking-actie", args=[b.pk, "bekendmaken"])
    assert client.post(bekend).status_code == 302
    assert vers(b).status == Status.BEKENDGEMAAKT
    intrek = reverse("toegang:beschikking-actie", args=[b.pk, "intrekken"])
    leeg = client.post(intrek, {"grond": "verzoek", "motivering": " ", "per": "2026-06-01",
                                "reden_wijziging": "05"})  # fmt: skip
    assert leeg.status_code == 200 and "motivering" in leeg.context["form"].errors
    vroeg = client.post(intrek, {"grond": "verzoek", "motivering": "Op verzoek.",
                                 "per": "2026-06-01", "reden_wijziging": "05"})  # fmt: skip
    assert vroeg.status_code == 200 and "per" in vroeg.context["form"].errors  # Awb 3:40
    assert client.get(reverse("toegang:beschikking-actie", args=[b.pk, "onzin"])).status_code == 404

    bezwaar_url = reverse("toegang:bezwaar-create", args=[b.pk])
    assert client.post(bezwaar_url, {"ontvangen_op": "2999-01-01"}).status_code == 200
    assert (
        client.post(bezwaar_url, {"ontvangen_op": vers(b).bekendgemaakt_op.isoformat()}).status_code
        == 302
    )
    bezwaar = b.bezwaren.get()
    assert bezwaar.tijdig
    update = reverse("toegang:bezwaar-update", args=[bezwaar.pk])
    assert client.get(update).status_code == 200
    assert client.post(update, {"ontvangen_op": bezwaar.ontvangen_op.isoformat(),
                                "uitkomst": "gegrond"}).status_code == 200  # fmt: skip

    lijst = client.get(reverse("toegang:beschikking-list"), {"status": "bekendgemaakt"})
    assert [x.pk for x in lijst.context["object_list"]] == [b.pk]


def test_pxq_edit_screen_shows_omvang_fields_and_errors(oldambt, client):
    user, d = oldambt
    b = concept(d, user, perceel=perceel("begeleiding-2023", "oldambt-stadskanaal"), regels=[])
    client.force_login(user)
    url = reverse("toegang:beschikking-edit", args=[b.pk])
    page = client.get(url)
    form = page.context["formset"].forms[0]
    assert {"volume", "eenheid", "frequentie"} <= set(form.fields)
    keuzes = {p.code for p in form.fields["product"].queryset}
    assert "begeleiding-individueel-regulier" in keuzes and "bi-b" not in keuzes  # old era
    data = {
        "besluit": "toekenning", "motivering": "x", "ingangsdatum": "2026-01-01",
        "einddatum": "2026-12-31", "producten-TOTAL_FORMS": "1", "producten-INITIAL_FORMS": "0",
        "producten-MIN_NUM_FORMS": "0", "producten-MAX_NUM_FORMS": "30",
        "producten-0-product": product("begeleiding-individueel-regulier", "begeleiding-2023",
                                       "oldambt-stadskanaal").pk,
        "producten-0-toegekend": "ja", "producten-0-volume": "abc",
    }  # fmt: skip
    fout = client.post(url, data)
    assert fout.status_code == 200 and "volume" in fout.context["formset"].forms[0].errors
    data["producten-0-volume"] = "3"
    fout = client.post(url, data)
    assert "frequentie" in fout.context["formset"].forms[0].errors
    data["producten-0-frequentie"] = "2"
    assert client.post(url, data).status_code == 302
    assert b.producten.get().volume == Decimal(3)


def test_a_baarn_consulent_gets_404_on_a_soest_beschikking_and_its_letter(
    dossier, soest_a, soest_b, baarn, client
):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    client.force_login(baarn)
    urls = [
        reverse("toegang:beschikking-detail", args=[b.pk]),
        reverse("toegang:beschikking-brief", args=[b.pk]),
        reverse("toegang:beschikking-edit", args=[b.pk]),
        reverse("toegang:beschikking-actie", args=[b.pk, "intrekken"]),
        reverse("toegang:bezwaar-create", args=[b.pk]),
        reverse("toegang:beschikking-create", args=[dossier.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    intrekken = reverse("toegang:beschikking-actie", args=[b.pk, "intrekken"])
    response = client.post(intrekken, {"grond": "verzoek", "motivering": "x",
                                       "per": "2027-06-01", "reden_wijziging": "05"})  # fmt: skip
    assert response.status_code == 404
    assert vers(b).status == Status.BEKENDGEMAAKT
    assert b.pk not in [
        x.pk for x in client.get(reverse("toegang:beschikking-list")).context["object_list"]
    ]
    assert AuditEntry.objects.filter(resultaat="denied", object_type="toegang.beschikking").exists()


def test_no_bsn_in_any_url_or_audit_row(dossier, soest_a, soest_b, client):
    for route in _routes(get_resolver().url_patterns):
        if "beschikking" in route or "bezwa" in route:
            assert "bsn" not in route.lower(), route
            parameters = re.findall(r"<(\w+):(\w+)>", route)
            assert all(conv == "int" or name == "actie" for conv, name in parameters), route
    bsn = dossier.client.persoon.bsn
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    client.force_login(soest_a)
    for url in (
        reverse("toegang:beschikking-detail", args=[b.pk]),
        reverse("toegang:beschikking-brief", args=[b.pk]),
        reverse("toegang:beschikking-list") + "?q=Achternaam",
    ):
        assert bsn not in url
        assert client.get(url).status_code == 200
    for entry in AuditEntry.objects.all():
        assert bsn not in f"{entry.pad} {entry.object_ids} {entry.toelichting} {entry.actor}"


def _routes(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_an_abandoned_wijziging_concept_can_be_removed(dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    nieuw = services.wijzig(b, soest_a, grond="nieuw")
    with pytest.raises(ValidationError):
        services.verwijder_concept(b, soest_a)  # a decision is never thrown away
    services.verwijder_concept(nieuw, soest_a)
    assert not Beschikking.objects.filter(pk=nieuw.pk).exists()
    assert services.wijzig(b, soest_b).vorige == b  # a new version can be started again


def test_letterhead_logo_is_embedded(dossier, soest_a, soest_b):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (21, 66, 115)).save(buffer, format="PNG")
    soest = Gemeente.objects.get(code="0342")
    soest.logo.save("soest.png", ContentFile(buffer.getvalue()))
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    result = subprocess.run(
        ["pdfimages", "-list", vers(b).brief.bestand.path], capture_output=True, check=True
    )
    regels = result.stdout.decode().strip().splitlines()
    assert len(regels) == 3  # header, separator, the one image


def test_vaststellen_closes_the_melding_of_the_aanvraag(dossier, soest_a, soest_b):
    from toegang.meldingen import services as melding_services
    from toegang.models import Melding

    melding = melding_services.melding_registreren(
        dossier, user=soest_a, ontvangen_op=D(2025, 11, 3), hulpvraag="Hulp bij wonen."
    )
    aanvraag = melding_services.aanvraag_registreren(
        melding, user=soest_a, ontvangen_op=D(2025, 12, 1)
    )
    b = concept(dossier, soest_a, regels=[regel("begeleiding")], aanvraag=aanvraag)
    services.dien_in(b, soest_a)
    services.stel_vast(b, soest_b)
    melding.refresh_from_db()
    assert melding.status == Melding.Status.BESLOTEN and melding.volgende_termijn is None


@pytest.mark.django_db
def test_the_expiry_job_is_scheduled_daily_in_the_database(beat_schema):
    from django_celery_beat.models import PeriodicTask

    from toegang.beschikkingen import tasks

    taak = PeriodicTask.objects.get(task=tasks.VERLOOP_TASK_NAME)
    assert taak.enabled and taak.crontab.hour == "1" and taak.crontab.minute == "30"
    from config.celery import app

    assert tasks.VERLOOP_TASK_NAME in app.tasks


def test_open_bezwaren_are_in_the_werkvoorraad(client, dossier, soest_a, soest_b, baarn):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_a)
    bezwaar = bezwaren.registreer_bezwaar(vers(b), soest_a, ontvangen_op=vers(b).bekendgemaakt_op)
    client.force_login(soest_a)
    html = client.get("/toegang/werkvoorraad/bezwaren/").content.decode()
    assert f"/toegang/bezwaren/{bezwaar.pk}/" in html and dossier.client.persoon.naam in html
    client.force_login(baarn)
    html = client.get("/toegang/werkvoorraad/bezwaren/").content.decode()
    assert "Er zijn geen open bezwaren" in html and dossier.client.persoon.naam not in html
