"""Locations of aanbieders: capacity over time, free places, the list with its filters and
exports, and who may see and change what."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from inkoop.locaties.forms import CapaciteitForm
from inkoop.locaties.services import (
    capaciteit_op,
    meld_vrije_plaatsen,
    plaatsen_per_gemeente,
    vrije_plaatsen,
)
from inkoop.models import Capaciteit, Locatie, VrijePlaatsenMelding
from regio.models import AuditEntry, Regio
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    ProductFactory,
    UserFactory,
    gemeente,
    grant,
)

pytestmark = pytest.mark.django_db
D = datetime.date
OVERLAP = "Deze locatie heeft in die periode al een capaciteit."


def maak_locatie(aanbieder, code="0307", **kwargs):
    velden = {
        "naam": "De Linde",
        "straat": "Lindelaan",
        "huisnummer": "1",
        "postcode": "3811 AB",
        "plaats": "Amersfoort",
        "gemeente": gemeente(code),
        **kwargs,
    }
    return Locatie.objects.create(aanbieder=aanbieder, **velden)


def gebruiker(naam, rol, **scope):
    user = UserFactory(username=naam)
    grant(user, rol, **scope)
    return user


@pytest.fixture
def wereld(refdata):
    """Aanbieder A and B with contracts in regio Amersfoort; a location of A with capacity;
    users of both aanbieders, RISB and CT of Amersfoort and of Groningen."""
    a = AanbiederFactory(naam="Huize A")
    b = AanbiederFactory(naam="Stichting B")
    contract_a = ContractFactory(aanbieder=a)
    ContractFactory(aanbieder=b)
    functie = ProductFactory(perceel=contract_a.percelen.get(), naam="Beschermd wonen")
    locatie = maak_locatie(a, naam="De Linde")
    locatie.functies.add(functie)
    vandaag = timezone.localdate()
    Capaciteit.objects.create(locatie=locatie, begin=vandaag - datetime.timedelta(days=30),
                              plaatsen=8)  # fmt: skip
    locatie_b = maak_locatie(b, naam="Het Baken", code="0342", plaats="Soest")
    return {
        "a": a,
        "b": b,
        "contract_a": contract_a,
        "functie": functie,
        "locatie": locatie,
        "locatie_b": locatie_b,
        "risb": gebruiker("risb-amf", "contractmanager", regio="amersfoort"),
        "risb_gron": gebruiker("risb-gron", "contractmanager", regio="groningen"),
        "ct": gebruiker("ct-amf", "centrale-toegang", regio="amersfoort"),
        "ct_gron": gebruiker("ct-gron", "centrale-toegang", regio="groningen"),
        "user_a": gebruiker("aanbieder-a", "aanbieder", aanbieder=a),
        "user_b": gebruiker("aanbieder-b", "aanbieder", aanbieder=b),
    }


def locatie_post(w, **overrides):
    data = {
        "aanbieder": w["a"].pk,
        "naam": "Het Anker",
        "straat": "Havenweg",
        "huisnummer": "12a",
        "postcode": "3811ab",
        "plaats": "Amersfoort",
        "gemeente": gemeente("0307").pk,
        "functies": [w["functie"].pk],
        "doelgroep": "Jongvolwassenen",
        "gender": "vrouwen",
        "huisdieren": "on",
        "actief": "on",
    }
    data.update(overrides)
    return data


# --- services ----------------------------------------------------------------------------------


def test_capaciteit_op_counts_inclusive_periods_and_zero_outside(wereld):
    locatie = maak_locatie(wereld["a"], naam="Tijdlijn")
    Capaciteit.objects.create(locatie=locatie, begin=D(2025, 1, 1), einde=D(2025, 12, 31),
                              plaatsen=10)  # fmt: skip
    Capaciteit.objects.create(locatie=locatie, begin=D(2026, 1, 1), plaatsen=12)
    assert capaciteit_op(locatie, D(2024, 12, 31)) == 0
    assert capaciteit_op(locatie, D(2025, 1, 1)) == 10
    assert capaciteit_op(locatie, D(2025, 12, 31)) == 10
    assert capaciteit_op(locatie, D(2026, 1, 1)) == 12
    assert capaciteit_op(locatie, D(2040, 1, 1)) == 12


def test_vrije_plaatsen_is_the_newest_report(wereld):
    locatie = wereld["locatie"]
    assert vrije_plaatsen(locatie) is None
    meld_vrije_plaatsen(locatie, 3, wereld["user_a"])
    nieuwste = meld_vrije_plaatsen(locatie, 1, wereld["user_a"])
    assert vrije_plaatsen(locatie) == nieuwste and vrije_plaatsen(locatie).vrije_plaatsen == 1


def test_meld_vrije_plaatsen_between_zero_and_capacity(wereld):
    locatie, user = wereld["locatie"], wereld["user_a"]
    with pytest.raises(ValidationError) as fout:
        meld_vrije_plaatsen(locatie, 9, user)
    assert "groter dan de capaciteit" in fout.value.message_dict["vrije_plaatsen"][0]
    with pytest.raises(ValidationError):
        meld_vrije_plaatsen(locatie, -1, user)
    assert not VrijePlaatsenMelding.objects.exists()
    melding = meld_vrije_plaatsen(locatie, 8, user)  # exactly the capacity is fine
    assert (melding.vrije_plaatsen, melding.gemeld_door) == (8, user)
    entry = AuditEntry.objects.get(actie="create", object_type="inkoop.vrijeplaatsenmelding")
    assert entry.object_ids == [str(melding.pk)] and entry.actor == "aanbieder-a"
    locatie.actief = False
    locatie.save()
    with pytest.raises(ValidationError):
        meld_vrije_plaatsen(locatie, 0, user)
    assert VrijePlaatsenMelding.objects.count() == 1


def test_plaatsen_per_gemeente_sums_active_locations_on_the_date(wereld):
    a, functie = wereld["a"], wereld["functie"]
    peildatum = D(2026, 6, 1)
    Capaciteit.objects.filter(locatie=wereld["locatie"]).delete()
    een = maak_locatie(a, naam="Een")
    twee = maak_locatie(a, naam="Twee")
    soest = maak_locatie(a, naam="Soest", code="0342")
    dicht = maak_locatie(a, naam="Dicht", code="0342", actief=False)
    oud = maak_locatie(a, naam="Oud", code="0308")
    een.functies.add(functie)
    for locatie, plaatsen in ((een, 10), (twee, 5), (soest, 7), (dicht, 100)):
        Capaciteit.objects.create(locatie=locatie, begin=D(2026, 1, 1), plaatsen=plaatsen)
    Capaciteit.objects.create(locatie=oud, begin=D(2025, 1, 1), einde=D(2026, 5, 31),
                              plaatsen=4)  # fmt: skip
    Capaciteit.objects.create(locatie=een, begin=D(2025, 1, 1), einde=D(2025, 12, 31),
                              plaatsen=99)  # fmt: skip
    locaties = Locatie.objects.filter(aanbieder=a)
    uitkomst = [(g.code, n) for g, n in plaatsen_per_gemeente(locaties, peildatum)]
    # Amersfoort 10 + 5 (+ De Linde without capacity), Baarn's period ended, Soest's inactive
    # location does not count.
    assert uitkomst == [("0307", 15), ("0308", 0), ("0342", 7)]
    met_functie = plaatsen_per_gemeente(locaties, peildatum, functie=functie)
    assert [(g.code, n) for g, n in met_functie] == [("0307", 10)]


# --- capacity ----------------------------------------------------------------------------------


def test_overlapping_capacity_is_refused_at_the_field_and_nothing_stored(client, wereld):
    locatie = wereld["locatie"]
    client.force_login(wereld["risb"])
    url = f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/"
    vandaag = timezone.localdate()
    response = client.post(url, {"begin": vandaag.isoformat(), "plaatsen": "12"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"begin": [OVERLAP]}
    assert OVERLAP in response.content.decode()
    assert Capaciteit.objects.filter(locatie=locatie).count() == 1
    # A period before the open one does not overlap and is stored.
    begin = vandaag - datetime.timedelta(days=400)
    einde = vandaag - datetime.timedelta(days=31)
    response = client.post(
        url, {"begin": begin.isoformat(), "einde": einde.isoformat(), "plaatsen": "6"}
    )
    assert response.status_code == 302 and response["Location"] == f"/inkoop/locaties/{locatie.pk}/"
    assert capaciteit_op(locatie, begin) == 6
    assert AuditEntry.objects.filter(actie="create", object_type="inkoop.capaciteit").exists()


def test_capacity_end_before_begin_is_refused_at_einde(client, wereld):
    locatie = maak_locatie(wereld["a"], naam="Leeg")
    client.force_login(wereld["risb"])
    response = client.post(
        f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/",
        {"begin": "2026-05-01", "einde": "2026-04-30", "plaatsen": "3"},
    )
    assert response.context["form"].errors == {"einde": ["De einddatum ligt vóór de begindatum."]}
    assert not Capaciteit.objects.filter(locatie=locatie).exists()


def test_capacity_form_checks_overlap_for_this_location_only(wereld):
    begin = timezone.localdate()
    anders = CapaciteitForm({"begin": begin, "plaatsen": 4}, locatie=wereld["locatie_b"])
    assert anders.is_valid(), anders.errors
    zelfde = CapaciteitForm({"begin": begin, "plaatsen": 4}, locatie=wereld["locatie"])
    assert not zelfde.is_valid() and zelfde.errors["begin"] == [OVERLAP]


def test_ending_a_period_through_update_then_adding_the_next(client, wereld):
    locatie = wereld["locatie"]
    periode = Capaciteit.objects.get(locatie=locatie)
    client.force_login(wereld["risb"])
    vandaag = timezone.localdate()
    response = client.post(
        f"/inkoop/capaciteit/{periode.pk}/wijzigen/",
        {"begin": periode.begin.isoformat(), "einde": vandaag.isoformat(), "plaatsen": "8"},
    )
    assert response.status_code == 302
    morgen = vandaag + datetime.timedelta(days=1)
    response = client.post(
        f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/",
        {"begin": morgen.isoformat(), "plaatsen": "10"},
    )
    assert response.status_code == 302
    assert capaciteit_op(locatie, vandaag) == 8 and capaciteit_op(locatie, morgen) == 10
    # Stretching the first period over the second one is refused at the field.
    response = client.post(
        f"/inkoop/capaciteit/{periode.pk}/wijzigen/",
        {"begin": periode.begin.isoformat(), "einde": "", "plaatsen": "8"},
    )
    assert response.context["form"].errors == {"begin": [OVERLAP]}
    periode.refresh_from_db()
    assert periode.einde == vandaag


# --- free places -------------------------------------------------------------------------------


def test_aanbieder_reports_free_places_through_the_form(client, wereld):
    locatie = wereld["locatie"]
    client.force_login(wereld["user_a"])
    url = f"/inkoop/locaties/{locatie.pk}/vrije-plaatsen/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"vrije_plaatsen": "9"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "vrije_plaatsen": [
            "Het aantal vrije plaatsen (9) is groter dan de capaciteit van deze locatie "
            "vandaag (8)."
        ]
    }
    response = client.post(url, {"vrije_plaatsen": "drie"})
    assert "vrije_plaatsen" in response.context["form"].errors
    assert not VrijePlaatsenMelding.objects.exists()
    response = client.post(url, {"vrije_plaatsen": "3"})
    assert response.status_code == 302
    melding = VrijePlaatsenMelding.objects.get()
    assert (melding.locatie, melding.vrije_plaatsen, melding.gemeld_door) == (
        locatie,
        3,
        wereld["user_a"],
    )
    detail = client.get(f"/inkoop/locaties/{locatie.pk}/").content.decode()
    assert "Laatst gemeld: <strong>3</strong> vrije plaatsen" in detail


def test_only_the_aanbieder_reports_free_places(client, wereld):
    url = f"/inkoop/locaties/{wereld['locatie'].pk}/vrije-plaatsen/"
    client.force_login(wereld["risb"])  # sees the location, may not report for it
    assert client.post(url, {"vrije_plaatsen": "1"}).status_code == 403
    client.force_login(wereld["user_b"])
    assert client.post(url, {"vrije_plaatsen": "1"}).status_code == 404
    assert not VrijePlaatsenMelding.objects.exists()


# --- create and update -------------------------------------------------------------------------


def test_aanbieder_creates_a_location_for_itself(client, wereld):
    client.force_login(wereld["user_a"])
    form = client.get("/inkoop/locaties/nieuw/").context["form"]
    assert list(form.fields["aanbieder"].queryset) == [wereld["a"]]
    assert wereld["functie"] in form.fields["functies"].queryset
    assert gemeente("0307") in form.fields["gemeente"].queryset
    assert gemeente("0014") not in form.fields["gemeente"].queryset  # no contract there
    response = client.post("/inkoop/locaties/nieuw/", locatie_post(wereld))
    locatie = Locatie.objects.get(naam="Het Anker")
    assert response.status_code == 302 and response["Location"] == f"/inkoop/locaties/{locatie.pk}/"
    assert (locatie.aanbieder, locatie.postcode, locatie.gender) == (wereld["a"], "3811 AB",
                                                                     "vrouwen")  # fmt: skip
    assert locatie.huisdieren and not locatie.rolstoeltoegankelijk
    assert list(locatie.functies.all()) == [wereld["functie"]]
    assert AuditEntry.objects.filter(actie="create", object_type="inkoop.locatie").exists()


def test_aanbieder_cannot_create_a_location_for_another_aanbieder(client, wereld):
    client.force_login(wereld["user_a"])
    response = client.post(
        "/inkoop/locaties/nieuw/", locatie_post(wereld, aanbieder=wereld["b"].pk)
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["aanbieder"]
    assert not Locatie.objects.filter(naam="Het Anker").exists()


def test_location_form_refuses_functies_outside_the_aanbieders_contracts(client, wereld):
    ander = ProductFactory(perceel=wereld["b"].contracten.get().percelen.get(), naam="Time-out")
    client.force_login(wereld["risb"])
    response = client.post("/inkoop/locaties/nieuw/", locatie_post(wereld, functies=[ander.pk]))
    assert response.context["form"].errors == {
        "functies": ["Deze aanbieder heeft geen contract voor: Time-out."]
    }
    assert not Locatie.objects.filter(naam="Het Anker").exists()
    response = client.post("/inkoop/locaties/nieuw/", locatie_post(wereld, postcode="38111"))
    assert "postcode" in response.context["form"].errors


def test_location_form_holds_age_limits_and_refuses_max_under_min_at_the_field(client, wereld):
    client.force_login(wereld["user_a"])
    response = client.post(
        "/inkoop/locaties/nieuw/", locatie_post(wereld, leeftijd_min="23", leeftijd_max="18")
    )
    assert response.context["form"].errors == {
        "leeftijd_max": ["De maximumleeftijd ligt onder de minimumleeftijd."]
    }
    assert not Locatie.objects.filter(naam="Het Anker").exists()
    response = client.post(
        "/inkoop/locaties/nieuw/", locatie_post(wereld, leeftijd_min="18", leeftijd_max="23")
    )
    locatie = Locatie.objects.get(naam="Het Anker")
    assert (locatie.leeftijd_min, locatie.leeftijd_max) == (18, 23)
    assert locatie.leeftijden == "18–23 jaar"
    html = client.get(f"/inkoop/locaties/{locatie.pk}/").content.decode()
    assert "18–23 jaar" in html
    # The database holds the same rule; an open side is no limit.
    wereld["locatie"].leeftijd_min, wereld["locatie"].leeftijd_max = 30, 20
    with pytest.raises(IntegrityError), transaction.atomic():
        wereld["locatie"].save()
    assert maak_locatie(wereld["a"], naam="Vanaf 18", leeftijd_min=18).leeftijden == "vanaf 18 jaar"


def test_update_keeps_the_aanbieder(client, wereld):
    locatie = wereld["locatie"]
    client.force_login(wereld["user_a"])
    data = locatie_post(wereld, naam="De Linde (vernieuwd)", aanbieder=wereld["b"].pk)
    response = client.post(f"/inkoop/locaties/{locatie.pk}/wijzigen/", data)
    assert response.status_code == 302
    locatie.refresh_from_db()
    assert locatie.naam == "De Linde (vernieuwd)" and locatie.aanbieder == wereld["a"]


def test_ct_sees_locations_but_changes_nothing(client, wereld):
    locatie = wereld["locatie"]
    client.force_login(wereld["ct"])
    assert client.get("/inkoop/locaties/").status_code == 200
    assert client.get(f"/inkoop/locaties/{locatie.pk}/").status_code == 200
    assert client.get("/inkoop/locaties/nieuw/").status_code == 403
    assert client.get(f"/inkoop/locaties/{locatie.pk}/wijzigen/").status_code == 404
    assert client.get(f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/").status_code == 403


# --- scoping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("wie", ["risb_gron", "ct_gron", "user_b"])
def test_foreign_users_get_404_on_a_location_and_its_children(client, wereld, wie):
    locatie = wereld["locatie"]
    periode = Capaciteit.objects.get(locatie=locatie)
    client.force_login(wereld[wie])
    for url in (
        f"/inkoop/locaties/{locatie.pk}/",
        f"/inkoop/locaties/{locatie.pk}/wijzigen/",
        f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/",
        f"/inkoop/locaties/{locatie.pk}/vrije-plaatsen/",
        f"/inkoop/capaciteit/{periode.pk}/wijzigen/",
    ):
        assert client.get(url).status_code == 404, url
    vandaag = timezone.localdate()
    later = (vandaag + datetime.timedelta(days=999)).isoformat()
    assert client.post(f"/inkoop/locaties/{locatie.pk}/capaciteit/nieuw/",
                       {"begin": later, "plaatsen": "1"}).status_code == 404  # fmt: skip
    assert client.post(f"/inkoop/locaties/{locatie.pk}/wijzigen/",
                       locatie_post(wereld, naam="Gekaapt")).status_code == 404  # fmt: skip
    assert Capaciteit.objects.filter(locatie=locatie).count() == 1
    locatie.refresh_from_db()
    assert locatie.naam == "De Linde"


def test_lists_exclude_foreign_locations(client, wereld):
    client.force_login(wereld["user_b"])
    namen = [loc.naam for loc in client.get("/inkoop/locaties/").context["object_list"]]
    assert namen == ["Het Baken"]
    client.force_login(wereld["risb"])
    namen = [loc.naam for loc in client.get("/inkoop/locaties/").context["object_list"]]
    assert namen == ["De Linde", "Het Baken"]
    client.force_login(wereld["risb_gron"])
    response = client.get("/inkoop/locaties/")
    assert list(response.context["object_list"]) == []
    assert "Er zijn nog geen locaties die u mag zien." in response.content.decode()
    csv_body = client.get("/inkoop/locaties/?export=csv").content.decode("utf-8-sig")
    assert csv_body.count("\n") == 1  # the header only


def test_risb_of_a_regio_without_contract_cannot_pick_the_aanbieder(client, wereld):
    client.force_login(wereld["risb_gron"])
    form = client.get("/inkoop/locaties/nieuw/").context["form"]
    assert wereld["a"] not in form.fields["aanbieder"].queryset
    response = client.post("/inkoop/locaties/nieuw/", locatie_post(wereld))
    assert "aanbieder" in response.context["form"].errors
    assert not Locatie.objects.filter(naam="Het Anker").exists()


# --- list, filters, exports --------------------------------------------------------------------


def test_list_filters_search_and_sort(client, wereld):
    a = wereld["a"]
    maak_locatie(a, naam="Rolstoel Soest", code="0342", rolstoeltoegankelijk=True,
                 gender="mannen")  # fmt: skip
    client.force_login(wereld["risb"])

    def namen(query):
        return [loc.naam for loc in client.get(f"/inkoop/locaties/?{query}").context["object_list"]]

    assert namen(f"gemeente={gemeente('0342').pk}") == ["Rolstoel Soest", "Het Baken"]
    assert namen("rolstoeltoegankelijk=ja") == ["Rolstoel Soest"]
    assert namen("gender=mannen") == ["Rolstoel Soest"]
    assert namen(f"functie={wereld['functie'].pk}") == ["De Linde"]
    assert namen(f"aanbieder={wereld['b'].pk}") == ["Het Baken"]
    assert namen("q=baken") == ["Het Baken"]
    assert namen("sort=-plaatsen") == ["De Linde", "Het Baken", "Rolstoel Soest"]
    assert namen("gemeente=abc&sort=bestaat-niet") == ["De Linde", "Rolstoel Soest", "Het Baken"]
    assert namen("aanbieder=99999999999999999999&functie=-1") == []  # out of range: no crash
    meld_vrije_plaatsen(wereld["locatie"], 2, wereld["user_a"])
    assert namen("vrij=ja") == ["De Linde"]
    response = client.get("/inkoop/locaties/?q=niets-gevonden")
    assert "Geen locaties gevonden" in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, wereld):
    client.force_login(wereld["risb"])
    client.get("/inkoop/locaties/")  # warm the session and permission caches

    def tel():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/inkoop/locaties/").status_code == 200
        return len(queries)

    weinig = tel()
    for n in range(6):
        locatie = maak_locatie(wereld["a"], naam=f"Extra {n}")
        locatie.functies.add(wereld["functie"])
        Capaciteit.objects.create(locatie=locatie, begin=D(2025, 1, 1), plaatsen=n + 1)
        meld_vrije_plaatsen(locatie, 0, wereld["user_a"])
    assert tel() == weinig


def test_export_csv_and_xlsx_hold_the_filtered_rows(client, wereld):
    meld_vrije_plaatsen(wereld["locatie"], 5, wereld["user_a"])
    client.force_login(wereld["ct"])
    response = client.get(f"/inkoop/locaties/?export=csv&gemeente={gemeente('0307').pk}")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="locaties-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    rij = dict(zip(header, data[0], strict=True))
    assert rij["Locatie"] == "De Linde" and rij["Aanbieder"] == "Huize A"
    assert rij["Gemeente"] == "Amersfoort" and rij["Functies"] == "Beschermd wonen"
    assert rij["Plaatsen vandaag"] == "8" and rij["Vrij volgens aanbieder"] == "5"
    response = client.get("/inkoop/locaties/?export=xlsx&sort=naam")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    waarden = list(sheet.iter_rows(values_only=True))
    assert waarden[0][0] == "Locatie"
    assert [r[0] for r in waarden[1:]] == ["De Linde", "Het Baken"]
    assert AuditEntry.objects.filter(actie="export").count() == 2


def test_detail_shows_capacity_features_and_history(client, wereld):
    locatie = wereld["locatie"]
    meld_vrije_plaatsen(locatie, 4, wereld["user_a"])
    meld_vrije_plaatsen(locatie, 2, wereld["user_a"])
    client.force_login(wereld["ct"])
    response = client.get(f"/inkoop/locaties/{locatie.pk}/")
    html = response.content.decode()
    assert response.context["plaatsen_vandaag"] == 8
    assert [m.vrije_plaatsen for m in response.context["meldingen"]] == [2, 4]
    assert "Beschermd wonen" in html and "<svg" in html and " style=" not in html
    assert "Capaciteit toevoegen" not in html and "Vrije plaatsen melden" not in html
    client.force_login(wereld["risb"])
    html = client.get(f"/inkoop/locaties/{locatie.pk}/").content.decode()
    assert "Capaciteit toevoegen" in html and "Locatie wijzigen" in html


def test_groningen_region_exists_for_the_scoping_tests(refdata):
    # The 404 tests above rely on regio Groningen sharing no gemeente with Amersfoort.
    amf = set(
        Regio.objects.get(code="amersfoort").lidmaatschappen.values_list("gemeente", flat=True)
    )
    gron = set(
        Regio.objects.get(code="groningen").lidmaatschappen.values_list("gemeente", flat=True)
    )
    assert amf and gron and not amf & gron
