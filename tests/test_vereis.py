"""The one check a service makes of its caller (``regio.query.vereis``): an object outside the
user's scope stays invisible (404), one the user may see but not change this way is refused
(403 with the Dutch reason); and the one way the API answers a service's refusal."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from regio.models import Gemeente
from regio.query import vereis
from tests.factories import (
    UserFactory,
    consulent,
    dossier_in,
    grant,
    rol_met,
)
from toegang.dossiers.services import wijzig_herkomst

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN = "0342", "0308"


@pytest.fixture
def lezer(refdata):
    """May see Soest's dossiers, and nothing more."""
    rol_met("dossierlezer", "toegang.view_dossier")
    user = UserFactory(username="dossierlezer")
    grant(user, "dossierlezer", gemeente=SOEST)
    return user


def test_in_scope_passes_out_of_scope_is_not_found_seen_but_not_allowed_is_refused(lezer):
    dossier = dossier_in(SOEST)
    vereis(consulent("c-soest", SOEST), "toegang.change_dossier", dossier)
    with pytest.raises(Http404):
        vereis(consulent("c-baarn", BAARN), "toegang.change_dossier", dossier)
    with pytest.raises(PermissionDenied) as exc:
        vereis(lezer, "toegang.change_dossier", dossier, "U mag dit dossier niet wijzigen.")
    assert str(exc.value) == "U mag dit dossier niet wijzigen."
    with pytest.raises(PermissionDenied) as exc:
        vereis(lezer, "toegang.change_dossier", dossier)
    assert str(exc.value) == "U heeft geen rol die dit hier mag."


def test_the_system_vouches_for_itself_and_the_tenants_are_no_secret(lezer):
    dossier = dossier_in(SOEST)
    vereis(None, "toegang.change_dossier", dossier)  # a job, a command, the XML import
    baarn = Gemeente.objects.get(code=BAARN)
    with pytest.raises(PermissionDenied):  # a gemeente is public: refused, not "not found"
        vereis(lezer, "toegang.add_dossier", baarn, openbaar=True)


def test_a_service_refuses_whoever_reaches_it_without_the_capability(lezer):
    """The service checks, whatever entry point calls it: the reader sees the dossier (403),
    the consulent of Baarn does not (404), and nothing changes."""
    dossier = dossier_in(SOEST)
    baarn = Gemeente.objects.get(code=BAARN)
    with pytest.raises(PermissionDenied):
        wijzig_herkomst(lezer, dossier, baarn)
    with pytest.raises(Http404):
        wijzig_herkomst(consulent("c-baarn", BAARN), dossier, baarn)
    dossier.refresh_from_db()
    assert dossier.gemeente_herkomst is None
    wijzig_herkomst(consulent("c-soest", SOEST), dossier, baarn)
    dossier.refresh_from_db()
    assert dossier.gemeente_herkomst == baarn


class ServiceWeigert(APIView):
    """An endpoint that lets its service's refusal propagate, as every viewset does."""

    permission_classes = [AllowAny]
    api_veldnamen = {"vrije_plaatsen": "vrijePlaatsen"}
    fout: Exception = None

    def post(self, request):
        raise self.fout


def test_the_api_answers_a_service_refusal_with_problem_json():
    """The one way from a service's refusal to the API: a ValidationError is a 400 naming each
    field as the API calls it (and the rest as nonFieldErrors), a PermissionDenied a 403 with
    the service's Dutch reason, an Http404 a 404, all problem+json."""
    verzoek = APIRequestFactory().post("/api/v1/x/", {}, format="json")
    fout = ValidationError(
        {"vrije_plaatsen": ValidationError("Te veel.", code="te_veel"), "__all__": ["Dicht."]}
    )
    response = ServiceWeigert.as_view(fout=fout)(verzoek).render()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert sorted((p["name"], p["code"], p["reason"]) for p in response.data["invalidParams"]) == [
        ("nonFieldErrors", "invalid", "Dicht."),
        ("vrijePlaatsen", "te_veel", "Te veel."),
    ]
    response = ServiceWeigert.as_view(fout=PermissionDenied("U mag dit niet."))(verzoek).render()
    assert (response.status_code, response.data["detail"]) == (403, "U mag dit niet.")
    assert response["Content-Type"].startswith("application/problem+json")
    response = ServiceWeigert.as_view(fout=Http404())(verzoek)
    assert (response.status_code, response.data["title"]) == (404, "Niet gevonden.")
