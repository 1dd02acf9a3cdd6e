"""Regie (seed 000 §9): the trajectplan of a placed client with goals and evaluations, the
worklist of evaluations due, and passing a quality signal about the aanbieder to RISB."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from inkoop.models import Kwaliteitssignaal
from regio.models import AuditEntry, Rol
from tests import factories, scenarios
from tests.factories import ContractFactory, UserFactory, consulent, grant, valid_bsn
from toegang.models import Evaluatie, Trajectdoel, Trajectplan
from toegang.wachtlijst import regie as rs
from toegang.wachtlijst import services as ws

pytestmark = pytest.mark.django_db

D = datetime.date
VANDAAG = datetime.date.today()
DAG = datetime.timedelta(days=1)


# --- setup: the shared waiting list (tests/scenarios.py) --------------------------------------


def bouw_opzet():
    """Regio Amersfoort with a BW perceel, one contracted aanbieder, a CT user and RISB."""
    return scenarios.wachtlijst(
        ct="ct-regie", risb=scenarios.Gebruiker("risb-regie", "contractmanager")
    )


def locatie(aanbieder, plaatsen=5, **velden):
    return factories.locatie(aanbieder, plaatsen, **velden)


def wachtend(opzet, gemeente_code="0307", sinds=None):
    sinds = sinds or VANDAAG - datetime.timedelta(300)
    return scenarios.aanmelding(
        opzet, gemeente_code, aangemeld_op=sinds, functie=opzet.bw, beoordeeld_op=sinds,
        wachtend_sinds=sinds,
    )  # fmt: skip


def geplaatst(opzet, loc=None, op=None, gemeente_code="0307"):
    """A client placed at ``loc`` on ``op`` (200 days ago by default)."""
    loc = loc or locatie(opzet.aanbieder, functies=[opzet.bw])
    a = wachtend(opzet, gemeente_code)
    return scenarios.plaatsing(opzet, a, loc, op or VANDAAG - datetime.timedelta(200))


def plan_voor(opzet, plaatsing, opgesteld_op=None, **kwargs):
    return rs.trajectplan_opstellen(
        plaatsing, opzet.ct, opgesteld_op or plaatsing.geplaatst_op + 10 * DAG, **kwargs
    )


def ct_van_groningen():
    user = UserFactory(username="ct-groningen-regie")
    grant(user, "centrale-toegang", regio="groningen")
    return user


def veldfout(response, tekst):
    """The error is shown at the field (the form include's markup), in Dutch."""
    html = response.content.decode()
    return 'class="field-error"' in html and tekst in html


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


# --- services ----------------------------------------------------------------------------------


def test_plan_with_first_evaluation_is_made_and_audited(opzet):
    p = geplaatst(opzet)
    plan = plan_voor(
        opzet, p, toelichting=" Samen gemaakt. ", client_akkoord_op=p.geplaatst_op + 12 * DAG,
        aanbieder_akkoord_op=p.geplaatst_op + 11 * DAG,
        eerste_evaluatie=rs.voorgestelde_evaluatie(p.geplaatst_op),
    )  # fmt: skip
    plan.refresh_from_db()
    assert (plan.plaatsing, plan.opgesteld_door, plan.toelichting) == (
        p,
        opzet.ct,
        "Samen gemaakt.",
    )
    (e,) = plan.evaluaties.all()
    assert e.gepland_op == rs.voorgestelde_evaluatie(p.geplaatst_op)
    assert AuditEntry.objects.filter(
        actie="create", object_type="toegang.trajectplan", object_ids=[str(plan.pk)]
    ).exists()
    assert AuditEntry.objects.filter(
        actie="create", object_type="toegang.evaluatie", object_ids=[str(e.pk)]
    ).exists()


def test_first_evaluation_is_proposed_three_months_after_placement():
    assert rs.voorgestelde_evaluatie(D(2024, 1, 31)) == D(2024, 4, 30)
    assert rs.voorgestelde_evaluatie(D(2024, 11, 15)) == D(2025, 2, 15)


def test_plan_only_for_a_placed_client_and_only_once(opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    gereserveerd = ws.reserveren(wachtend(opzet), loc, opzet.ct, VANDAAG)
    with pytest.raises(ValidationError, match="geplaatste cliënt"):
        rs.trajectplan_opstellen(gereserveerd, opzet.ct, VANDAAG)
    p = geplaatst(opzet, loc)
    plan_voor(opzet, p)
    with pytest.raises(ValidationError, match="al een trajectplan"):
        plan_voor(opzet, p)
    assert Trajectplan.objects.count() == 1


def test_plan_dates_are_checked_at_the_field(opzet):
    p = geplaatst(opzet)
    with pytest.raises(ValidationError) as fout:
        rs.trajectplan_opstellen(p, opzet.ct, VANDAAG + DAG)
    assert set(fout.value.message_dict) == {"opgesteld_op"}
    with pytest.raises(ValidationError) as fout:
        rs.trajectplan_opstellen(
            p, opzet.ct, VANDAAG - 50 * DAG, client_akkoord_op=VANDAAG - 60 * DAG,
            aanbieder_akkoord_op=VANDAAG + DAG, eerste_evaluatie=VANDAAG - 50 * DAG,
        )  # fmt: skip
    fouten = fout.value.message_dict
    assert set(fouten) == {"client_akkoord_op", "aanbieder_akkoord_op", "eerste_evaluatie"}
    assert "vóór" in fouten["client_akkoord_op"][0]
    assert "toekomst" in fouten["aanbieder_akkoord_op"][0]
    assert Trajectplan.objects.count() == 0


def test_goals_are_added_and_changed_with_checks(opzet):
    plan = plan_voor(opzet, geplaatst(opzet))
    with pytest.raises(ValidationError) as fout:
        rs.doel_toevoegen(plan, opzet.ct, "wonen", "  ", plan.opgesteld_op - DAG)
    assert set(fout.value.message_dict) == {"omschrijving", "streefdatum"}
    doel = rs.doel_toevoegen(plan, opzet.ct, "financien", "Schulden op orde", VANDAAG + 90 * DAG)
    rs.doel_wijzigen(doel, opzet.ct, "financien", "Schulden op orde", None, "behaald")
    doel.refresh_from_db()
    assert (doel.status, doel.streefdatum) == ("behaald", None)
    acties = set(
        AuditEntry.objects.filter(object_type="toegang.trajectdoel").values_list("actie", flat=True)
    )
    assert acties == {"create", "change"}


def test_recording_an_evaluation_checks_dates_and_plans_the_next(opzet):
    p = geplaatst(opzet)
    plan = plan_voor(opzet, p, opgesteld_op=p.geplaatst_op + 10 * DAG)
    e = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG - 5 * DAG)
    for datum, veld in (
        (VANDAAG + DAG, "uitgevoerd_op"),  # not in the future
        (plan.opgesteld_op - DAG, "uitgevoerd_op"),  # not before the plan
    ):
        with pytest.raises(ValidationError) as fout:
            rs.evaluatie_vastleggen(e, opzet.ct, datum, "doorgaan", "Besproken.")
        assert set(fout.value.message_dict) == {veld}
    with pytest.raises(ValidationError) as fout:
        rs.evaluatie_vastleggen(e, opzet.ct, VANDAAG, "", "", volgende_op=VANDAAG - DAG)
    assert set(fout.value.message_dict) == {"uitkomst", "verslag", "volgende_op"}
    e.refresh_from_db()
    assert e.uitgevoerd_op is None

    e, volgende = rs.evaluatie_vastleggen(
        e, opzet.ct, VANDAAG - 2 * DAG, "bijstellen", "Doel wonen bijgesteld.",
        volgende_op=VANDAAG + 90 * DAG,
    )  # fmt: skip
    assert (e.uitgevoerd_op, e.uitgevoerd_door, e.uitkomst) == (
        VANDAAG - 2 * DAG, opzet.ct, "bijstellen"
    )  # fmt: skip
    assert volgende.gepland_op == VANDAAG + 90 * DAG and volgende.uitgevoerd_op is None
    with pytest.raises(ValidationError, match="al vastgelegd"):
        rs.evaluatie_vastleggen(e, opzet.ct, VANDAAG, "doorgaan", "Nog eens.")
    assert AuditEntry.objects.filter(
        actie="change", object_type="toegang.evaluatie", object_ids=[str(e.pk)]
    ).exists()


def test_evaluation_is_planned_after_the_plan_and_can_be_moved(opzet):
    plan = plan_voor(opzet, geplaatst(opzet))
    with pytest.raises(ValidationError) as fout:
        rs.evaluatie_plannen(plan, opzet.ct, plan.opgesteld_op)
    assert set(fout.value.message_dict) == {"gepland_op"}
    e = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + 10 * DAG)
    rs.evaluatie_verzetten(e, opzet.ct, VANDAAG + 20 * DAG)
    e.refresh_from_db()
    assert e.gepland_op == VANDAAG + 20 * DAG


# --- screens: the plan -------------------------------------------------------------------------


def test_ct_makes_a_plan_through_the_screens(client, opzet):
    p = geplaatst(opzet, op=VANDAAG - 10 * DAG)
    client.force_login(opzet.ct)
    detail = client.get(reverse("toegang:aanmelding_detail", args=[p.aanmelding_id]))
    create_url = reverse("toegang:trajectplan_create", args=[p.pk])
    assert "Trajectplan opstellen" in detail.content.decode()
    assert create_url in detail.content.decode()

    form = client.get(create_url)
    assert form.status_code == 200
    voorstel = rs.voorgestelde_evaluatie(p.geplaatst_op)
    assert f'value="{voorstel.isoformat()}"' in form.content.decode()
    # Placed long ago: the proposal is three months from today, never in the past.
    oud = client.get(reverse("toegang:trajectplan_create", args=[geplaatst(opzet).pk]))
    assert f'value="{rs.voorgestelde_evaluatie(VANDAAG).isoformat()}"' in oud.content.decode()

    fout = client.post(
        create_url,
        {"opgesteld_op": (VANDAAG + DAG).isoformat(), "eerste_evaluatie": voorstel.isoformat()},
    )
    assert fout.status_code == 200
    assert veldfout(fout, "Deze datum ligt in de toekomst.")
    assert Trajectplan.objects.count() == 0

    leeg = client.post(create_url, {"opgesteld_op": ""})
    assert leeg.status_code == 200 and veldfout(leeg, "Dit veld is vereist.")

    ok = client.post(
        create_url,
        {
            "opgesteld_op": (p.geplaatst_op + 5 * DAG).isoformat(),
            "client_akkoord_op": (p.geplaatst_op + 6 * DAG).isoformat(),
            "aanbieder_akkoord_op": (p.geplaatst_op + 6 * DAG).isoformat(),
            "toelichting": "Met cliënt en begeleider.",
            "eerste_evaluatie": voorstel.isoformat(),
        },
    )
    plan = Trajectplan.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse(
        "toegang:trajectplan_detail", args=[plan.pk]
    )
    assert plan.evaluaties.get().gepland_op == voorstel

    url = reverse("toegang:trajectdoel_create", args=[plan.pk])
    fout = client.post(url, {"leefgebied": "wonen", "omschrijving": "", "status": "lopend"})
    assert veldfout(fout, "Dit veld is vereist.")
    client.post(
        url, {"leefgebied": "wonen", "omschrijving": "Zelfstandig wonen", "status": "lopend"}
    )
    assert Trajectdoel.objects.get().omschrijving == "Zelfstandig wonen"

    pagina = client.get(reverse("toegang:trajectplan_detail", args=[plan.pk])).content.decode()
    assert "Zelfstandig wonen" in pagina and "Plan wijzigen" in pagina
    assert AuditEntry.objects.filter(
        actie="view", object_type="toegang.trajectplan", object_ids=[str(plan.pk)]
    ).exists()

    detail = client.get(reverse("toegang:aanmelding_detail", args=[p.aanmelding_id]))
    html = detail.content.decode()
    assert reverse("toegang:trajectplan_detail", args=[plan.pk]) in html
    assert voorstel.strftime("%-d-%-m-%Y") in html  # the next evaluation


def test_record_evaluation_screen_refuses_a_future_date_at_the_field(client, opzet):
    plan = plan_voor(opzet, geplaatst(opzet))
    e = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG - DAG)
    client.force_login(opzet.ct)
    url = reverse("toegang:evaluatie_vastleggen", args=[e.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert (
        f'value="{rs.voorgestelde_evaluatie(VANDAAG - DAG).isoformat()}"' in form.content.decode()
    )
    fout = client.post(
        url, {"uitgevoerd_op": (VANDAAG + DAG).isoformat(), "uitkomst": "doorgaan", "verslag": "x"}
    )
    assert veldfout(fout, "Een evaluatie in de toekomst kan nog niet worden vastgelegd.")
    ok = client.post(
        url,
        {
            "uitgevoerd_op": VANDAAG.isoformat(),
            "uitkomst": "doorgaan",
            "verslag": "Gaat goed.",
            "volgende_op": (VANDAAG + 91 * DAG).isoformat(),
        },
    )
    assert ok.status_code == 302
    e.refresh_from_db()
    assert e.uitkomst == "doorgaan"
    assert plan.evaluaties.filter(uitgevoerd_op__isnull=True).get().gepland_op == VANDAAG + 91 * DAG
    # Recorded once: the page now sends the user back.
    assert client.get(url).status_code == 302


def test_no_plan_screen_for_a_plaatsing_that_is_not_placed(client, opzet):
    loc = locatie(opzet.aanbieder, functies=[opzet.bw])
    p = ws.reserveren(wachtend(opzet), loc, opzet.ct, VANDAAG)
    client.force_login(opzet.ct)
    url = reverse("toegang:trajectplan_create", args=[p.pk])
    assert client.get(url).status_code == 302
    client.post(url, {"opgesteld_op": VANDAAG.isoformat()})
    assert Trajectplan.objects.count() == 0


# --- scoping ------------------------------------------------------------------------------------


def test_ct_of_another_regio_gets_404_everywhere(client, opzet):
    p = geplaatst(opzet)
    plan = plan_voor(opzet, p)
    e = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + 10 * DAG)
    doel = rs.doel_toevoegen(plan, opzet.ct, "wonen", "Eigen huis")
    client.force_login(ct_van_groningen())
    for name, pk in (
        ("toegang:trajectplan_create", p.pk),
        ("toegang:kwaliteitssignaal_melden", p.pk),
        ("toegang:trajectplan_detail", plan.pk),
        ("toegang:trajectplan_wijzigen", plan.pk),
        ("toegang:trajectdoel_create", plan.pk),
        ("toegang:evaluatie_create", plan.pk),
        ("toegang:trajectdoel_wijzigen", doel.pk),
        ("toegang:evaluatie_verzetten", e.pk),
        ("toegang:evaluatie_vastleggen", e.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        if name != "toegang:trajectplan_detail":
            assert client.post(reverse(name, args=[pk]), {}).status_code == 404, name
    lijst = client.get(reverse("toegang:evaluaties"))
    assert lijst.status_code == 200 and list(lijst.context["object_list"]) == []
    assert lijst.context["zonder_plan"] == []
    assert Evaluatie.objects.get().gepland_op == VANDAAG + 10 * DAG


def test_consulent_without_the_capability_does_not_see_the_plan(client, opzet):
    """A beheerder may take the lokaal team's read access to trajectplannen away."""
    groep = Rol.objects.get(code="consulent").group
    for codename in ("view_trajectplan", "view_trajectdoel", "view_evaluatie"):
        groep.permissions.remove(
            Permission.objects.get(codename=codename, content_type__app_label="toegang")
        )
    p = geplaatst(opzet, gemeente_code="0342")
    plan = plan_voor(opzet, p)
    soest = consulent("consulent-soest-regie", "0342")
    client.force_login(soest)
    detail = client.get(reverse("toegang:aanmelding_detail", args=[p.aanmelding_id]))
    assert detail.status_code == 200  # the consulent sees the aanmelding itself
    assert "Regie: trajectplan" not in detail.content.decode()
    assert client.get(reverse("toegang:trajectplan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("toegang:evaluaties")).status_code == 403


def test_consulent_sees_the_plan_but_cannot_change_it(client, opzet):
    """The lokaal team of the dossier's gemeente reads the trajectplan (regio/roles.py);
    changing it stays with the Centrale Toegang."""
    p = geplaatst(opzet, gemeente_code="0342")
    plan = plan_voor(opzet, p)
    rs.doel_toevoegen(plan, opzet.ct, "wonen", "Eigen huis")
    e = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + 10 * DAG)
    client.force_login(consulent("consulent-soest-lezen", "0342"))
    pagina = client.get(reverse("toegang:trajectplan_detail", args=[plan.pk]))
    assert pagina.status_code == 200
    html = pagina.content.decode()
    assert "Eigen huis" in html
    assert "Plan wijzigen" not in html and "Doel toevoegen" not in html
    assert "Vastleggen" not in html
    for name, pk in (
        ("toegang:trajectplan_wijzigen", plan.pk),
        ("toegang:trajectdoel_create", plan.pk),
        ("toegang:evaluatie_vastleggen", e.pk),
    ):
        assert client.post(reverse(name, args=[pk]), {}).status_code == 404, name
    # A consulent of another gemeente still sees nothing.
    client.force_login(consulent("consulent-baarn-lezen", "0308"))
    assert client.get(reverse("toegang:trajectplan_detail", args=[plan.pk])).status_code == 404


# --- the worklist -------------------------------------------------------------------------------


def test_worklist_orders_overdue_first_with_badge_and_filters(client, opzet):
    plan = plan_voor(opzet, geplaatst(opzet))
    later = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + 60 * DAG)
    binnenkort = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + 5 * DAG)
    gisteren = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG - DAG)
    lang_geleden = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG - 30 * DAG)
    gedaan = rs.evaluatie_plannen(plan, opzet.ct, VANDAAG - 40 * DAG)
    rs.evaluatie_vastleggen(gedaan, opzet.ct, VANDAAG - 40 * DAG, "doorgaan", "Goed.")
    ander = AanbiederAndere(opzet)
    plan2 = plan_voor(opzet, geplaatst(opzet, locatie(ander, functies=[opzet.bw])))
    andere = rs.evaluatie_plannen(plan2, opzet.ct, VANDAAG + 10 * DAG)

    client.force_login(opzet.ct)
    url = reverse("toegang:evaluaties")
    r = client.get(url)
    rijen = list(r.context["object_list"])
    assert rijen == [lang_geleden, gisteren, binnenkort, andere, later]
    assert [e.te_laat for e in rijen] == [True, True, False, False, False]
    assert r.content.decode().count("badge signaal-rood") == 2

    assert list(client.get(url, {"termijn": "te_laat"}).context["object_list"]) == [
        lang_geleden, gisteren,
    ]  # fmt: skip
    assert list(client.get(url, {"termijn": "binnen_30"}).context["object_list"]) == [
        binnenkort, andere,
    ]  # fmt: skip
    assert list(client.get(url, {"aanbieder": ander.pk}).context["object_list"]) == [andere]
    assert list(client.get(url, {"regio": opzet.regio.pk}).context["object_list"]) == rijen
    # Bad input never crashes: an unknown aanbieder or termijn is ignored.
    assert client.get(url, {"aanbieder": "x", "termijn": "ooit"}).status_code == 200

    export = client.get(url, {"export": "csv"})
    regels = export.content.decode("utf-8-sig").splitlines()
    assert regels[0].startswith("Cliënt;Regio;Aanbieder;Locatie;Geplaatst op;Gepland op;Te laat")
    assert len(regels) == 6 and regels[1].endswith(";ja") and regels[-1].endswith(";nee")
    assert client.get(url, {"export": "xlsx"}).status_code == 200
    assert AuditEntry.objects.filter(actie="export").count() == 2


def AanbiederAndere(opzet):
    contract = ContractFactory(
        percelen=[opzet.perceel], begin=D(2020, 1, 1), einde=VANDAAG + datetime.timedelta(400)
    )
    return contract.aanbieder


def test_worklist_lists_placed_clients_without_a_plan(client, opzet):
    zonder = geplaatst(opzet)
    met = geplaatst(opzet)
    plan_voor(opzet, met)
    client.force_login(opzet.ct)
    r = client.get(reverse("toegang:evaluaties"))
    assert [p.pk for p in r.context["zonder_plan"]] == [zonder.pk]
    html = r.content.decode()
    assert "Plan ontbreekt" in html
    assert reverse("toegang:trajectplan_create", args=[zonder.pk]) in html
    assert AuditEntry.objects.filter(
        actie="view", object_type="toegang.plaatsing", object_ids__contains=[str(zonder.pk)]
    ).exists()


def test_worklist_paginates(client, opzet):
    plan = plan_voor(opzet, geplaatst(opzet))
    for i in range(27):
        rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + (i + 1) * DAG)
    client.force_login(opzet.ct)
    url = reverse("toegang:evaluaties")
    assert len(client.get(url).context["object_list"]) == 25
    assert len(client.get(url, {"page": 2}).context["object_list"]) == 2


# --- signal from the plaatsing -------------------------------------------------------------------


def test_ct_passes_a_signal_with_aanbieder_and_locatie_prefilled(client, opzet):
    p = geplaatst(opzet)
    plan = plan_voor(opzet, p)
    client.force_login(opzet.ct)
    url = reverse("toegang:kwaliteitssignaal_melden", args=[p.pk])
    form = client.get(url)
    assert form.status_code == 200 and opzet.aanbieder.naam in form.content.decode()
    assert form.context["form"].initial["locatie"] == p.locatie_id

    bsn = valid_bsn(7)
    fout = client.post(
        url,
        {
            "locatie": p.locatie_id,
            "onderwerp": "veiligheid",
            "omschrijving": f"Cliënt met BSN {bsn} voelt zich onveilig.",
        },
    )
    assert veldfout(fout, "Noem geen BSN")
    leeg = client.post(url, {"locatie": p.locatie_id, "onderwerp": "", "omschrijving": ""})
    assert veldfout(leeg, "Dit veld is vereist.")
    assert Kwaliteitssignaal.objects.count() == 0

    ok = client.post(
        url,
        {
            "locatie": p.locatie_id,
            "onderwerp": "veiligheid",
            "omschrijving": "Brandtrap op de locatie is geblokkeerd.",
        },
    )
    assert ok.status_code == 302
    assert ok["Location"] == reverse("toegang:trajectplan_detail", args=[plan.pk])
    s = Kwaliteitssignaal.objects.get()
    assert (s.regio, s.aanbieder, s.locatie, s.gemeld_door, s.status) == (
        opzet.regio, opzet.aanbieder, p.locatie, opzet.ct, "open"
    )  # fmt: skip
    assert AuditEntry.objects.filter(
        actie="create", object_type="inkoop.kwaliteitssignaal", object_ids=[str(s.pk)]
    ).exists()
    pagina = client.get(reverse("toegang:trajectplan_detail", args=[plan.pk])).content.decode()
    assert "Veiligheid" in pagina and "Open" in pagina


def test_locatie_of_another_aanbieder_is_not_a_choice(client, opzet):
    p = geplaatst(opzet)
    vreemd = locatie(AanbiederAndere(opzet), functies=[opzet.bw])
    client.force_login(opzet.ct)
    r = client.post(
        reverse("toegang:kwaliteitssignaal_melden", args=[p.pk]),
        {"locatie": vreemd.pk, "onderwerp": "anders", "omschrijving": "Iets."},
    )
    assert r.status_code == 200 and "locatie" in r.context["form"].errors
    assert Kwaliteitssignaal.objects.count() == 0


def test_worklist_query_count_does_not_grow_with_the_rows(client, opzet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(opzet.ct)
    url = reverse("toegang:evaluaties")

    def tel():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    plan = plan_voor(opzet, geplaatst(opzet))
    rs.evaluatie_plannen(plan, opzet.ct, VANDAAG + DAG)
    geplaatst(opzet)  # one without a plan
    een = tel()
    for i in range(4):
        rs.evaluatie_plannen(plan_voor(opzet, geplaatst(opzet)), opzet.ct, VANDAAG + i * DAG)
        geplaatst(opzet)
    assert tel() == een
