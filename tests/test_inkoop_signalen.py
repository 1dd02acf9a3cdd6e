"""Kwaliteitssignalen at RISB: passed by the Centrale Toegang, taken up and closed (with how) by
the contractmanager; only the regio's roles see them, never the aanbieder."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from inkoop.kwaliteit import signalen as ks
from inkoop.models import Kwaliteitssignaal
from regio.models import AuditEntry
from tests.factories import AanbiederFactory, UserFactory, grant, valid_bsn
from tests.test_toegang_regie import bouw_opzet, geplaatst, locatie

pytestmark = pytest.mark.django_db


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


def signaal(opzet, onderwerp="zorginhoud", omschrijving="Weinig begeleiding 's avonds.", **kw):
    return ks.melden(
        opzet.ct, opzet.regio, kw.pop("aanbieder", opzet.aanbieder), onderwerp, omschrijving, **kw
    )


def veldfout(response, tekst):
    html = response.content.decode()
    return 'class="field-error"' in html and tekst in html


# --- the BSN rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tekst",
    [
        "BSN {bsn} klaagt over de nachtdienst.",
        "Het gaat om {punten}, zie dossier.",
        "({bsn})",
    ],
)
def test_a_text_with_a_bsn_is_refused_at_the_field(opzet, tekst):
    bsn = valid_bsn(3)
    punten = f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}"
    with pytest.raises(ValidationError) as fout:
        signaal(opzet, omschrijving=tekst.format(bsn=bsn, punten=punten))
    assert fout.value.message_dict == {"omschrijving": [ks.BSN_FOUT]}
    assert ks.BSN_FOUT.startswith("Noem geen BSN")
    assert Kwaliteitssignaal.objects.count() == 0


def test_other_numbers_are_not_mistaken_for_a_bsn(opzet):
    bsn = valid_bsn(3)
    geen_bsn = bsn[:8] + str((int(bsn[8]) + 1) % 10)  # fails the elfproef
    assert not ks.bevat_bsn(f"Bel 0612345678 of 033-4567890; kenmerk {geen_bsn}; 12 cliënten.")
    assert ks.bevat_bsn(f"nummer {bsn}")
    assert not ks.bevat_bsn(f"IBAN NL91ABNA0{bsn}7")  # part of a longer number
    s = signaal(opzet, omschrijving=f"Kenmerk {geen_bsn}: bereikbaarheid 0612345678 slecht.")
    assert s.status == "open"


def test_onderwerp_and_omschrijving_are_required(opzet):
    with pytest.raises(ValidationError) as fout:
        signaal(opzet, onderwerp="", omschrijving="   ")
    assert set(fout.value.message_dict) == {"onderwerp", "omschrijving"}


def test_locatie_must_belong_to_the_aanbieder(opzet):
    vreemd = locatie(AanbiederFactory(), functies=[opzet.bw])
    with pytest.raises(ValidationError) as fout:
        signaal(opzet, locatie=vreemd)
    assert set(fout.value.message_dict) == {"locatie"}


def test_only_the_regios_own_roles_pass_signals(opzet):
    medewerker = UserFactory(username="aanbieder-medewerker")
    grant(medewerker, "aanbieder", aanbieder=opzet.aanbieder)
    groningen = UserFactory(username="ct-groningen-signaal")
    grant(groningen, "centrale-toegang", regio="groningen")
    for user in (medewerker, groningen, opzet.risb):
        with pytest.raises(PermissionDenied):
            ks.melden(user, opzet.regio, opzet.aanbieder, "anders", "Iets.")
    assert Kwaliteitssignaal.objects.count() == 0


# --- afhandelen ---------------------------------------------------------------------------------


def test_afhandeling_is_required_and_closes_the_signal(opzet):
    s = signaal(opzet)
    with pytest.raises(ValidationError) as fout:
        ks.afhandelen(s, opzet.risb, "  ")
    assert set(fout.value.message_dict) == {"afhandeling"}
    with pytest.raises(ValidationError) as fout:
        ks.afhandelen(s, opzet.risb, f"Besproken over {valid_bsn(4)}.")
    assert fout.value.message_dict == {"afhandeling": [ks.BSN_FOUT]}
    s.refresh_from_db()
    assert s.status == "open" and s.afgehandeld_op is None

    ks.in_behandeling_nemen(s, opzet.risb)
    with pytest.raises(ValidationError):
        ks.in_behandeling_nemen(s, opzet.risb)
    s = ks.afhandelen(s, opzet.risb, "Besproken in het contractoverleg; verbeterplan gevraagd.")
    assert (s.status, s.afgehandeld_door) == ("afgehandeld", opzet.risb)
    assert s.afgehandeld_op is not None
    with pytest.raises(ValidationError, match="al afgehandeld"):
        ks.afhandelen(s, opzet.risb, "Nog eens.")
    statussen = [
        e.toelichting.get("status")
        for e in AuditEntry.objects.filter(
            object_type="inkoop.kwaliteitssignaal", object_ids=[str(s.pk)], actie="change"
        ).order_by("pk")
    ]
    assert statussen == ["in_behandeling", "afgehandeld"]


def test_the_database_refuses_afgehandeld_without_afhandeling(opzet):
    s = signaal(opzet)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kwaliteitssignaal.objects.filter(pk=s.pk).update(status="afgehandeld")


# --- RISB's screens ---------------------------------------------------------------------------


def test_risb_list_open_first_with_filters_and_pagination(client, opzet):
    ander = AanbiederFactory()
    klaar = signaal(opzet, onderwerp="veiligheid")
    ks.afhandelen(klaar, opzet.risb, "Opgelost.")
    bezig = signaal(opzet, onderwerp="bejegening")
    ks.in_behandeling_nemen(bezig, opzet.risb)
    open_oud = signaal(opzet, onderwerp="veiligheid")
    open_nieuw = signaal(opzet, onderwerp="anders", aanbieder=ander)

    client.force_login(opzet.risb)
    url = reverse("inkoop:signaal-list")
    r = client.get(url)
    assert r.status_code == 200
    assert list(r.context["object_list"]) == [open_nieuw, open_oud, bezig, klaar]
    assert list(client.get(url, {"status": "open"}).context["object_list"]) == [
        open_nieuw, open_oud,
    ]  # fmt: skip
    assert list(client.get(url, {"onderwerp": "veiligheid"}).context["object_list"]) == [
        open_oud, klaar,
    ]  # fmt: skip
    assert list(client.get(url, {"aanbieder": ander.pk}).context["object_list"]) == [open_nieuw]
    assert client.get(url, {"aanbieder": "x", "status": "??"}).status_code == 200

    for _ in range(24):
        signaal(opzet)
    assert len(client.get(url).context["object_list"]) == 25
    assert len(client.get(url, {"page": 2}).context["object_list"]) == 3


def test_risb_takes_up_and_closes_a_signal_through_the_screens(client, opzet):
    s = signaal(opzet)
    client.force_login(opzet.risb)
    detail = client.get(reverse("inkoop:signaal-detail", args=[s.pk]))
    html = detail.content.decode()
    assert "In behandeling nemen" in html and "Afhandelen" in html

    client.post(reverse("inkoop:signaal-in-behandeling", args=[s.pk]))
    s.refresh_from_db()
    assert s.status == "in_behandeling"

    url = reverse("inkoop:signaal-afhandelen", args=[s.pk])
    assert client.get(url).status_code == 200  # the confirmation page
    fout = client.post(url, {"afhandeling": ""})
    assert fout.status_code == 200 and veldfout(fout, "Dit veld is vereist.")
    bsn = client.post(url, {"afhandeling": f"Cliënt {valid_bsn(5)} gesproken."})
    assert veldfout(bsn, "Noem geen BSN")
    s.refresh_from_db()
    assert s.status == "in_behandeling"

    ok = client.post(url, {"afhandeling": "Aanbieder heeft de nachtdienst uitgebreid."})
    assert ok.status_code == 302
    s.refresh_from_db()
    assert (s.status, s.afhandeling) == (
        "afgehandeld",
        "Aanbieder heeft de nachtdienst uitgebreid.",
    )
    assert client.get(url).status_code == 302  # closed: no second time


def test_aanbieder_users_never_see_signals(client, opzet):
    s = signaal(opzet)
    medewerker = UserFactory(username="aanbieder-signaal")
    grant(medewerker, "aanbieder", aanbieder=opzet.aanbieder)
    assert not Kwaliteitssignaal.objects.visible_to(medewerker, ks.AFHANDELEN).exists()
    assert not Kwaliteitssignaal.objects.visible_to(
        medewerker, "inkoop.view_kwaliteitssignaal"
    ).exists()
    client.force_login(medewerker)
    assert client.get(reverse("inkoop:signaal-list")).status_code == 403
    for name in ("inkoop:signaal-detail", "inkoop:signaal-afhandelen"):
        assert client.get(reverse(name, args=[s.pk])).status_code == 404, name
    assert client.post(reverse("inkoop:signaal-in-behandeling", args=[s.pk])).status_code == 404
    s.refresh_from_db()
    assert s.status == "open"


def test_ct_sees_the_status_but_does_not_handle_signals(client, opzet):
    s = signaal(opzet)
    client.force_login(opzet.ct)
    detail = client.get(reverse("inkoop:signaal-detail", args=[s.pk]))
    assert detail.status_code == 200
    assert "In behandeling nemen" not in detail.content.decode()
    assert client.get(reverse("inkoop:signaal-afhandelen", args=[s.pk])).status_code == 403
    assert client.post(reverse("inkoop:signaal-in-behandeling", args=[s.pk])).status_code == 403
    assert list(client.get(reverse("inkoop:signaal-list")).context["object_list"]) == [s]


def test_risb_of_another_regio_gets_404(client, opzet):
    s = signaal(opzet)
    groningen = UserFactory(username="risb-groningen")
    grant(groningen, "contractmanager", regio="groningen")
    client.force_login(groningen)
    for name in ("inkoop:signaal-detail", "inkoop:signaal-afhandelen"):
        assert client.get(reverse(name, args=[s.pk])).status_code == 404, name
    assert list(client.get(reverse("inkoop:signaal-list")).context["object_list"]) == []


def test_ct_sees_on_the_plan_page_how_risb_handled_its_signal(client, opzet):
    from toegang.wachtlijst import regie as rs

    p = geplaatst(opzet)
    plan = rs.trajectplan_opstellen(p, opzet.ct, p.geplaatst_op + datetime.timedelta(days=3))
    s = signaal(opzet, locatie=p.locatie)
    client.force_login(opzet.ct)
    url = reverse("toegang:trajectplan_detail", args=[plan.pk])
    assert "Open" in client.get(url).content.decode()
    ks.afhandelen(s, opzet.risb, "Opgelost met de aanbieder.")
    pagina = client.get(url).content.decode()
    assert "Afgehandeld" in pagina and reverse("inkoop:signaal-detail", args=[s.pk]) in pagina
    aanmelding = client.get(reverse("toegang:aanmelding_detail", args=[p.aanmelding_id]))
    assert "afgehandeld" in aanmelding.content.decode()


def test_list_query_count_does_not_grow_with_the_rows(client, opzet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(opzet.risb)
    url = reverse("inkoop:signaal-list")

    def tel():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    signaal(opzet, locatie=locatie(opzet.aanbieder, functies=[opzet.bw]))
    een = tel()
    for _ in range(5):
        signaal(opzet, aanbieder=AanbiederFactory(), onderwerp="anders")
    assert tel() == een
