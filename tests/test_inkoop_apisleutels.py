"""API credentials of aanbieders: made by the functioneel beheerder, the token shown once and
stored only as a hash, revoked (401 from then on), the screens and who may use them."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from inkoop.apisleutels import services
from inkoop.models import ApiSleutel
from regio.models import AuditEntry, Rol, Roltoekenning
from regio.roles import BEHEERDER
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

SLEUTEL_CAPS = ("view_apisleutel", "add_apisleutel", "change_apisleutel")


def geef_beheerder_sleutelrechten():
    """What the roles.py lines for the beheerder give (until they are in regio/roles.py)."""
    groep = Rol.objects.get(code=BEHEERDER).group
    groep.permissions.add(
        *Permission.objects.filter(content_type__app_label="inkoop", codename__in=SLEUTEL_CAPS)
    )


def beheerder(username="beheerder-amf", regio="amersfoort"):
    geef_beheerder_sleutelrechten()
    user = UserFactory(username=username)
    grant(user, BEHEERDER, regio=regio)
    return user


@pytest.fixture
def opzet(refdata):
    aanbieder = AanbiederFactory(naam="Huize Eemland")
    ContractFactory(aanbieder=aanbieder)
    return aanbieder, beheerder()


def test_token_is_returned_once_and_stored_only_as_hash(opzet):
    aanbieder, user = opzet
    sleutel, token = services.maak(aanbieder, "Cliëntsysteem", user)
    prefix, geheim = services.ontleed(token)
    assert token.startswith("rz_") and prefix == sleutel.prefix
    assert len(geheim) >= 43  # 32 bytes, base64
    assert sleutel.sleutel_hash == hashlib.sha256(geheim.encode()).hexdigest()
    stored = ApiSleutel.objects.values().get(pk=sleutel.pk)
    assert geheim not in str(stored) and token not in str(stored)
    assert services.zoek(token) == sleutel
    assert services.zoek(f"rz_{prefix}_{geheim}x") is None
    assert services.zoek(f"rz_00000000_{geheim}") is None
    assert services.zoek("iets anders") is None


def test_technical_user_holds_only_the_aanbiedersysteem_role(opzet):
    aanbieder, user = opzet
    sleutel, _ = services.maak(aanbieder, "Systeem", user)
    technisch = sleutel.user
    assert not technisch.has_usable_password()
    assert not technisch.is_staff and not technisch.is_superuser
    toekenning = Roltoekenning.objects.get(user=technisch)
    assert (toekenning.rol.code, toekenning.aanbieder) == ("aanbiedersysteem", aanbieder)
    assert technisch.has_perm("toegang.view_toewijzing")
    assert not technisch.has_perm("toegang.view_dossier")


def test_audit_rows_never_hold_the_secret(opzet):
    aanbieder, user = opzet
    sleutel, token = services.maak(aanbieder, "Systeem", user)
    services.intrekken(sleutel, user)
    rijen = AuditEntry.objects.filter(object_type="inkoop.apisleutel")
    assert [r.actie for r in rijen.order_by("pk")] == ["create", "change"]
    geheim = services.ontleed(token)[1]
    assert all(geheim not in str(r.toelichting) for r in rijen)


def test_revoke_ends_role_and_user_and_cannot_be_done_twice(opzet):
    aanbieder, user = opzet
    sleutel, token = services.maak(aanbieder, "Systeem", user)
    services.intrekken(sleutel, user)
    sleutel.refresh_from_db()
    sleutel.user.refresh_from_db()
    assert sleutel.ingetrokken_op is not None
    assert not sleutel.user.is_active
    assert Roltoekenning.objects.get(user=sleutel.user).einde is not None
    with pytest.raises(ValidationError):
        services.intrekken(sleutel, user)


def test_only_a_beheerder_of_the_regio_makes_or_revokes(opzet):
    aanbieder, user = opzet
    groningen = beheerder("beheerder-gron", regio="groningen")
    with pytest.raises(Http404):  # an aanbieder of another regio is not even found
        services.maak(aanbieder, "Systeem", groningen)
    eigen = UserFactory(username="eemland-medewerker")
    grant(eigen, "aanbieder", aanbieder=aanbieder)
    with pytest.raises(PermissionDenied):
        services.maak(aanbieder, "Systeem", eigen)
    sleutel, _ = services.maak(aanbieder, "Systeem", user)
    with pytest.raises(Http404):
        services.intrekken(sleutel, groningen)
    assert ApiSleutel.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.maak(aanbieder, "   ", user)
    assert "naam" in exc.value.message_dict


# --- screens -----------------------------------------------------------------------------------


def test_screens_create_shows_token_once_then_list_and_revoke(client, opzet):
    aanbieder, user = opzet
    client.force_login(user)
    lijst = reverse("inkoop:apisleutel-list", args=[aanbieder.pk])
    response = client.get(lijst)
    assert response.status_code == 200
    assert "nog geen API-sleutels" in response.content.decode()

    nieuw = reverse("inkoop:apisleutel-create", args=[aanbieder.pk])
    assert client.get(nieuw).status_code == 200
    response = client.post(nieuw, {"naam": ""})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = client.post(nieuw, {"naam": "Cliëntsysteem"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    sleutel = ApiSleutel.objects.get()
    token = response.context["token"]
    assert token in html and "één keer getoond" in html

    html = client.get(lijst).content.decode()
    assert "Cliëntsysteem" in html and f"rz_{sleutel.prefix}_" in html
    assert token not in html and "nooit" in html

    intrekken = reverse("inkoop:apisleutel-intrekken", args=[sleutel.pk])
    response = client.get(intrekken)
    assert response.status_code == 200 and "Sleutel intrekken" in response.content.decode()
    sleutel.refresh_from_db()
    assert sleutel.ingetrokken_op is None  # the confirm page changes nothing
    response = client.post(intrekken)
    assert response.status_code == 302
    sleutel.refresh_from_db()
    assert sleutel.ingetrokken_op is not None
    assert "Ingetrokken op" in client.get(lijst).content.decode()


def test_screens_of_a_foreign_aanbieder_answer_404(client, opzet):
    aanbieder, user = opzet
    sleutel, _ = services.maak(aanbieder, "Systeem", user)
    groningen = beheerder("beheerder-gron", regio="groningen")
    client.force_login(groningen)
    assert client.get(reverse("inkoop:apisleutel-list", args=[aanbieder.pk])).status_code == 404
    nieuw = reverse("inkoop:apisleutel-create", args=[aanbieder.pk])
    assert client.post(nieuw, {"naam": "x"}).status_code == 404
    intrekken = reverse("inkoop:apisleutel-intrekken", args=[sleutel.pk])
    assert client.post(intrekken).status_code == 404
    assert ApiSleutel.objects.get().ingetrokken_op is None


def test_aanbieder_user_cannot_see_the_credentials(client, opzet):
    aanbieder, user = opzet
    services.maak(aanbieder, "Systeem", user)
    eigen = UserFactory(username="eemland-medewerker")
    grant(eigen, "aanbieder", aanbieder=aanbieder)
    client.force_login(eigen)
    response = client.get(reverse("inkoop:apisleutel-list", args=[aanbieder.pk]))
    assert response.status_code == 403
