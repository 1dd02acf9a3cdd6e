"""The one scoping layer: visible_to(user, capability), per capability, never the union."""

import datetime

import pytest
from guardian.shortcuts import assign_perm

from regio.models import Gemeente, JobRun, Lidmaatschap, Regio
from tests.factories import UserFactory, dossier_in, grant
from toegang.models import Dossier

pytestmark = pytest.mark.django_db

SOEST, BAARN, AMERSFOORT, STADSKANAAL, GRONINGEN = "0342", "0308", "0307", "0037", "0014"


def codes(qs):
    return {
        d.verantwoordelijke_gemeente.code for d in qs.select_related("verantwoordelijke_gemeente")
    }


@pytest.fixture
def dossiers(refdata):
    return {code: dossier_in(code) for code in (SOEST, BAARN, AMERSFOORT, STADSKANAAL, GRONINGEN)}


def test_consulent_soest_sees_soest_not_baarn(dossiers):
    user = UserFactory(username="c-soest")
    grant(user, "consulent", gemeente=SOEST)
    visible = Dossier.objects.visible_to(user, "toegang.view_dossier")
    assert codes(visible) == {SOEST}
    assert dossiers[BAARN] not in visible


def test_ct_amersfoort_sees_nothing_of_regio_groningen(dossiers):
    ct = UserFactory(username="ct-a")
    grant(ct, "centrale-toegang", regio="amersfoort")
    groningen = Regio.objects.get(code="groningen")
    assert not Regio.objects.visible_to(ct, "regio.view_regio").filter(pk=groningen.pk).exists()
    assert set(Regio.objects.visible_to(ct, "regio.view_regio").values_list("code", flat=True)) == {
        "amersfoort"
    }
    visible_gemeenten = set(
        Gemeente.objects.visible_to(ct, "regio.view_gemeente").values_list("code", flat=True)
    )
    groningen_leden = set(
        Lidmaatschap.objects.filter(regio=groningen).values_list("gemeente__code", flat=True)
    )
    assert SOEST in visible_gemeenten and "0267" in visible_gemeenten  # Nijkerk: BW member
    assert not visible_gemeenten & groningen_leden
    assert not Lidmaatschap.objects.visible_to(ct, "regio.view_lidmaatschap").exists()
    # The CT has no dossier capability (its own CT dossiers come with the waiting-list issue).
    assert not Dossier.objects.visible_to(ct, "toegang.view_dossier").exists()
    job = JobRun.objects.create(soort="x", regio=groningen)
    assert job not in JobRun.objects.visible_to(ct, "regio.view_jobrun")


def test_two_roles_get_each_capability_own_scope(dossiers):
    person = UserFactory(username="twee-rollen")
    grant(person, "consulent", gemeente=SOEST)
    grant(person, "financien", regio="amersfoort")
    # As consulent: Soest dossiers only — not Baarn's, though Baarn is in the finance regio.
    assert codes(Dossier.objects.visible_to(person, "toegang.view_dossier")) == {SOEST}
    # As finance officer: regional aggregates of regio Amersfoort.
    assert set(
        Regio.objects.visible_to(person, "regio.view_aggregates").values_list("code", flat=True)
    ) == {"amersfoort"}
    # And a capability neither role grants gives nothing.
    assert not Regio.objects.visible_to(person, "regio.manage_wachtlijst").exists()


def test_ended_role_grants_nothing(dossiers):
    user = UserFactory(username="oud")
    grant(user, "consulent", gemeente=SOEST, einde=datetime.date.today() - datetime.timedelta(1))
    assert not Dossier.objects.visible_to(user, "toegang.view_dossier").exists()
    assert not user.has_perm("toegang.view_dossier")


def test_regio_role_follows_membership_over_time(refdata):
    """Veenendaal left regio Amersfoort on 2022-01-01: not in the CT's scope today."""
    ct = UserFactory(username="ct-veen")
    grant(ct, "centrale-toegang", regio="amersfoort")
    visible = set(
        Gemeente.objects.visible_to(ct, "regio.view_gemeente").values_list("code", flat=True)
    )
    assert "0345" not in visible
    veenendaal_2021 = Lidmaatschap.objects.active_on(datetime.date(2021, 6, 1)).filter(
        gemeente__code="0345"
    )
    # Beschermd wonen only: Veenendaal never joined the begeleiding region (seed 001).
    assert [lid.regio.code for lid in veenendaal_2021] == ["amersfoort"]
    veenendaal_2022 = Lidmaatschap.objects.active_on(datetime.date(2022, 6, 1)).filter(
        gemeente__code="0345"
    )
    assert [lid.regio.code for lid in veenendaal_2022] == ["vallei-regio"]


def test_guardian_grant_adds_one_dossier_only(dossiers):
    user = UserFactory(username="c-baarn")
    grant(user, "consulent", gemeente=BAARN)
    assign_perm("toegang.view_dossier", user, dossiers[SOEST])
    visible = Dossier.objects.visible_to(user, "toegang.view_dossier")
    assert set(visible) == {dossiers[BAARN], dossiers[SOEST]}
    extra_soest = dossier_in(SOEST)
    assert extra_soest not in Dossier.objects.visible_to(user, "toegang.view_dossier")
    # The grant is for viewing only.
    assert dossiers[SOEST] not in Dossier.objects.visible_to(user, "toegang.change_dossier")


def test_anonymous_sees_nothing(dossiers):
    from django.contrib.auth.models import AnonymousUser

    assert not Dossier.objects.visible_to(AnonymousUser(), "toegang.view_dossier").exists()


def test_dossier_scoped_by_verantwoordelijke_gemeente_not_residence(refdata):
    """A BW client from Soest placed in Amersfoort stays a Soest dossier."""
    dossier = dossier_in(SOEST)
    consulent_amersfoort = UserFactory(username="c-amf")
    grant(consulent_amersfoort, "consulent", gemeente=AMERSFOORT)
    assert dossier not in Dossier.objects.visible_to(consulent_amersfoort, "toegang.view_dossier")


def test_list_and_detail_views(client, dossiers):
    user = UserFactory(username="c-soest-web")
    grant(user, "consulent", gemeente=SOEST)
    client.force_login(user)
    listing = client.get("/toegang/dossiers/")
    assert listing.status_code == 200
    assert dossiers[SOEST].client.persoon.geslachtsnaam in listing.content.decode()
    assert dossiers[BAARN].client.persoon.geslachtsnaam not in listing.content.decode()
    assert client.get(f"/toegang/dossiers/{dossiers[SOEST].pk}/").status_code == 200
    assert client.get(f"/toegang/dossiers/{dossiers[BAARN].pk}/").status_code == 404


def test_list_view_without_capability_is_403(client, dossiers):
    ct = UserFactory(username="ct-web")
    grant(ct, "centrale-toegang", regio="amersfoort")
    client.force_login(ct)
    assert client.get("/toegang/dossiers/").status_code == 403


def test_dossier_list_query_count_is_flat(client, refdata, django_assert_max_num_queries):
    user = UserFactory(username="c-soest-q")
    grant(user, "consulent", gemeente=SOEST)
    client.force_login(user)
    dossier_in(SOEST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/toegang/dossiers/")  # the session's first renewal (a write) is not the list's
    with CaptureQueriesContext(connection) as one:
        client.get("/toegang/dossiers/")
    for _ in range(20):
        dossier_in(SOEST)
    with CaptureQueriesContext(connection) as many:
        client.get("/toegang/dossiers/")
    assert len(many) == len(one)


def test_admin_is_scoped(client, refdata):
    beheer = UserFactory(username="beheer-t", is_staff=True)
    grant(beheer, "functioneel-beheerder", regio="amersfoort")
    client.force_login(beheer)
    index = client.get("/beheer/").content.decode()
    assert "/beheer/regio/regio/" in index and "/beheer/regio/rol/" not in index
    amersfoort = Regio.objects.get(code="amersfoort")
    groningen = Regio.objects.get(code="groningen")
    assert client.get(f"/beheer/regio/regio/{amersfoort.pk}/change/").status_code == 200
    assert (
        client.get(f"/beheer/regio/regio/{groningen.pk}/change/").status_code == 302
    )  # "not found"
    listing = client.get("/beheer/regio/regio/").content.decode()
    assert "Groninger gemeenten" not in listing
    # Technical tables are for superusers only.
    assert client.get("/beheer/regio/rol/").status_code == 403


def test_admin_cannot_link_to_a_regio_outside_scope(client, refdata):
    from regio.models import Rol, Roltoekenning

    beheer = UserFactory(username="beheer-fk", is_staff=True)
    grant(beheer, "functioneel-beheerder", regio="amersfoort")
    target = UserFactory(username="nieuwe-ct")
    client.force_login(beheer)
    groningen = Regio.objects.get(code="groningen")
    response = client.post(
        "/beheer/regio/roltoekenning/add/",
        {
            "user": target.pk,
            "rol": Rol.objects.get(code="centrale-toegang").pk,
            "regio": groningen.pk,
            "begin": "2026-01-01",
        },
    )
    assert response.status_code == 200  # the form again, with an error at the field
    assert "Selecteer een geldige keuze" in response.content.decode()
    assert not Roltoekenning.objects.filter(user=target).exists()


def test_a_meldings_copy_of_its_dossiers_gemeente_follows_the_dossier(refdata):
    """The werkvoorraad scopes meldingen by a copy of the dossier's gemeente that the database
    keeps (one index range per gemeente): set on every insert, bulk ones included, and carried
    along when the dossier's gemeente changes."""
    from toegang.models import Melding

    soest, baarn = UserFactory(username="c-soest-kopie"), UserFactory(username="c-baarn-kopie")
    grant(soest, "consulent", gemeente="0342")
    grant(baarn, "consulent", gemeente="0308")
    dossier = dossier_in("0342")
    Melding.objects.create(dossier=dossier, ontvangen_op=datetime.date(2026, 1, 5), hulpvraag="a")
    Melding.objects.bulk_create(
        [Melding(dossier=dossier, ontvangen_op=datetime.date(2026, 1, 6), hulpvraag="b")]
    )
    zichtbaar = lambda user: Melding.objects.visible_to(user, "toegang.view_melding").count()  # noqa: E731
    assert (zichtbaar(soest), zichtbaar(baarn)) == (2, 0)
    assert set(Melding.objects.values_list("gemeente__code", flat=True)) == {"0342"}
    Dossier.objects.filter(pk=dossier.pk).update(
        verantwoordelijke_gemeente=Gemeente.objects.get(code="0308")
    )
    assert (zichtbaar(soest), zichtbaar(baarn)) == (0, 2)


def test_capabilities_come_only_from_roles_and_cost_one_query(refdata):
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regio.models import User

    user = UserFactory(username="los-recht")
    recht = Permission.objects.get(content_type__app_label="toegang", codename="view_dossier")
    user.user_permissions.add(recht)  # Django's own permissions and groups grant nothing
    groep = Group.objects.create(name="los")
    groep.permissions.add(recht)
    user.groups.add(groep)
    assert not User.objects.get(pk=user.pk).has_perm("toegang.view_dossier")

    grant(user, "consulent", gemeente=SOEST)
    user = User.objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("toegang.view_dossier")
        assert not user.has_perm("financien.add_vereveningsrun")
        assert Dossier.objects.visible_to(user, "toegang.view_dossier").query  # scope: no query
    assert len(queries) == 1  # the grants, once per request, for permissions and scopes alike
    assert UserFactory(username="super", is_superuser=True).has_perm("toegang.view_dossier")
