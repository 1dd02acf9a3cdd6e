"""The API foundation: credential authentication (401 for a bad or revoked one), rate limit per
credential (429), idempotent POSTs (replay, 409, nothing half-stored), problem+json, keyset
pagination, unknown parameters, the capaciteit and rapportages endpoints, and the docs page."""

import datetime
import hashlib
import threading
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from inkoop.apisleutels import services as sleutels
from inkoop.models import (
    ApiSleutel,
    Capaciteit,
    Locatie,
    Rapportage,
    Rapportageregel,
    VrijePlaatsenMelding,
)
from regio import audit
from regio.api.idempotentie import IdempotentCreateMixin
from regio.api.pagination import KeysetCursorPagination
from regio.models import AuditEntry, IdempotentVerzoek, Rol
from regio.roles import BEHEERDER
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    gemeente,
    grant,
)

pytestmark = pytest.mark.django_db

CAPACITEIT = "/api/v1/capaciteit/"
RAPPORTAGES = "/api/v1/rapportages/"


def beheerder(username="beheerder-amf", regio="amersfoort"):
    """A functioneel beheerder with the API-key capabilities (the roles.py lines to come)."""
    Rol.objects.get(code=BEHEERDER).group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inkoop",
            codename__in=["view_apisleutel", "add_apisleutel", "change_apisleutel"],
        )
    )
    user = UserFactory(username=username)
    grant(user, BEHEERDER, regio=regio)
    return user


def api(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_problem(response, status_code):
    assert response.status_code == status_code
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    for key in ("type", "title", "status", "instance"):
        assert key in body, key
    assert body["status"] == status_code
    assert body["instance"] == response.wsgi_request.path
    return body


@pytest.fixture(autouse=True)
def _schone_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def o(refdata):
    """Aanbieder A with a location of 10 places in Soest and a contract (perceel with product
    'begeleiding') for Amersfoort and Soest; aanbieder B with its own location; a credential
    for each."""
    perceel = PerceelFactory(code="wmo", naam="Wmo begeleiding")
    ProductFactory(perceel=perceel, code="begeleiding", naam="Begeleiding")
    a, b = AanbiederFactory(naam="Huize Eemland"), AanbiederFactory(naam="De Brug")
    contract_a = ContractFactory(aanbieder=a, percelen=[perceel], gemeenten=["0307", "0342"])
    contract_b = ContractFactory(aanbieder=b, percelen=[perceel], gemeenten=["0307"])
    locaties = {}
    for aanbieder in (a, b):
        locatie = Locatie.objects.create(
            aanbieder=aanbieder, naam=f"Locatie {aanbieder.naam}", straat="Dorpsstraat",
            huisnummer="1", postcode="3761AB", plaats="Soest", gemeente=gemeente("0342"),
        )  # fmt: skip
        Capaciteit.objects.create(locatie=locatie, begin=datetime.date(2025, 1, 1), plaatsen=10)
        locaties[aanbieder.pk] = locatie
    user = beheerder()
    sleutel_a, token_a = sleutels.maak(a, "Systeem A", user)
    _, token_b = sleutels.maak(b, "Systeem B", user)
    return SimpleNamespace(
        a=a, b=b, contract_a=contract_a, contract_b=contract_b, beheerder=user,
        locatie_a=locaties[a.pk], locatie_b=locaties[b.pk], sleutel_a=sleutel_a,
        token_a=token_a, token_b=token_b,
    )  # fmt: skip


# --- authentication ----------------------------------------------------------------------------


def test_without_credential_401_with_bearer_challenge(o):
    response = api().get(CAPACITEIT)
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in body


def test_wrong_secret_or_garbage_is_401_and_audited(o):
    prefix = o.sleutel_a.prefix
    for token in (f"rz_{prefix}_verkeerd", "rz_kapot", "geen-sleutel"):
        assert_problem(api(token).get(CAPACITEIT), 401)
    entry = AuditEntry.objects.filter(actie="login_failed").order_by("pk").first()
    assert entry.resultaat == "denied" and entry.toelichting == {"prefix": prefix}


def test_valid_credential_works_and_records_last_use_once_a_minute(o):
    assert api(o.token_a).get(CAPACITEIT).status_code == 200
    o.sleutel_a.refresh_from_db()
    eerste = o.sleutel_a.laatst_gebruikt_op
    assert eerste is not None
    api(o.token_a).get(CAPACITEIT)
    o.sleutel_a.refresh_from_db()
    assert o.sleutel_a.laatst_gebruikt_op == eerste  # within the minute: no write
    ApiSleutel.objects.filter(pk=o.sleutel_a.pk).update(
        laatst_gebruikt_op=eerste - datetime.timedelta(minutes=2)
    )
    api(o.token_a).get(CAPACITEIT)
    o.sleutel_a.refresh_from_db()
    assert o.sleutel_a.laatst_gebruikt_op > eerste - datetime.timedelta(minutes=2)


def test_revoked_credential_answers_401(o):
    assert api(o.token_a).get(CAPACITEIT).status_code == 200
    sleutels.intrekken(o.sleutel_a, o.beheerder)
    body = assert_problem(api(o.token_a).get(CAPACITEIT), 401)
    assert "ingetrokken" in body["detail"]
    assert api(o.token_b).get(CAPACITEIT).status_code == 200


def test_secret_is_never_in_the_audit_log(o):
    api(o.token_a).get(CAPACITEIT)
    api(o.token_a).post(CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": 2}, format="json")
    geheim = sleutels.ontleed(o.token_a)[1]
    for entry in AuditEntry.objects.all():
        assert geheim not in f"{entry.pad} {entry.toelichting} {entry.actor}"


# --- rate limit --------------------------------------------------------------------------------


def test_throttle_per_credential_answers_429_with_retry_after(o, settings):
    settings.REGIOZORG_API_RATE = "3/min"
    for _ in range(3):
        assert api(o.token_a).get(CAPACITEIT).status_code == 200
    response = api(o.token_a).get(CAPACITEIT)
    body = assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert body["title"] == "Te veel verzoeken met deze API-sleutel."
    assert "seconden opnieuw" in body["detail"]
    # Another credential has its own budget.
    assert api(o.token_b).get(CAPACITEIT).status_code == 200


# --- problem+json and parameters ---------------------------------------------------------------


def test_validation_problem_has_invalid_params(o):
    response = api(o.token_a).post(
        CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": 11}, format="json"
    )
    body = assert_problem(response, 400)
    assert body["title"] == "De invoer is ongeldig."
    [param] = body["invalidParams"]
    assert param["name"] == "vrijePlaatsen" and param["code"]
    assert "groter dan de capaciteit" in param["reason"]


def test_unknown_query_parameter_is_400(o):
    body = assert_problem(api(o.token_a).get(CAPACITEIT, {"lokatie": 1}), 400)
    assert body["invalidParams"][0]["name"] == "lokatie"
    assert_problem(api(o.token_a).get(RAPPORTAGES, {"jaartal": 2026}), 400)


# --- idempotency: a small test-only viewset ----------------------------------------------------


class EffectSerializer(serializers.Serializer):
    waarde = serializers.IntegerField()


class EffectViewSet(IdempotentCreateMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Each create writes one audit row (the effect); waarde 7 is slow, 13 crashes after the
    effect."""

    serializer_class = EffectSerializer
    unscoped_reason = "test only"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = audit.record("create", object_type="test.effect", object_ids=["1"])
        if serializer.validated_data["waarde"] == 7:
            time.sleep(0.5)  # a slow effect: a concurrent retry arrives meanwhile
        if serializer.validated_data["waarde"] == 13:
            raise RuntimeError("crash na het effect")
        return Response({"effect": entry.pk}, status=status.HTTP_201_CREATED)


def post_effect(user, body, key=None):
    factory = APIRequestFactory()
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    request = factory.post("/test/effect/", body, format="json", **headers)
    force_authenticate(request, user=user)
    return EffectViewSet.as_view({"post": "create"})(request)


def effecten():
    return AuditEntry.objects.filter(object_type="test.effect").count()


def test_same_key_same_body_replays_without_second_effect(refdata):
    user = UserFactory(username="idem")
    first = post_effect(user, {"waarde": 1}, key="abc")
    second = post_effect(user, {"waarde": 1}, key="abc")
    assert first.status_code == second.status_code == 201
    assert second.data == first.data
    assert second["Idempotent-Replayed"] == "true"
    assert effecten() == 1
    stored = IdempotentVerzoek.objects.get()
    assert stored.status == 201 and stored.antwoord == first.data
    assert stored.body_hash == hashlib.sha256(b'{"waarde":1}').hexdigest()


def test_same_key_other_body_is_409(refdata):
    user = UserFactory(username="idem")
    post_effect(user, {"waarde": 1}, key="abc")
    response = post_effect(user, {"waarde": 2}, key="abc")
    response.render()
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert effecten() == 1


def test_keys_are_per_user_and_no_header_just_runs(refdata):
    een, ander = UserFactory(username="idem"), UserFactory(username="idem2")
    post_effect(een, {"waarde": 1}, key="abc")
    post_effect(ander, {"waarde": 1}, key="abc")
    assert effecten() == 2
    post_effect(een, {"waarde": 1})
    post_effect(een, {"waarde": 1})
    assert effecten() == 4
    assert IdempotentVerzoek.objects.count() == 2


def test_a_crash_leaves_neither_effect_nor_stored_response(refdata):
    user = UserFactory(username="idem")
    with pytest.raises(RuntimeError):
        post_effect(user, {"waarde": 13}, key="crash")
    assert effecten() == 0 and not IdempotentVerzoek.objects.exists()


def test_a_refusal_is_not_stored_so_a_corrected_retry_runs(refdata):
    user = UserFactory(username="idem")
    assert post_effect(user, {"waarde": "x"}, key="k").status_code == 400
    assert not IdempotentVerzoek.objects.exists()
    # The key stays free: the body changes (corrected), no 409.
    assert post_effect(user, {"waarde": 2}, key="k").status_code == 201
    assert effecten() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_have_one_effect(refdata):
    from django.db import connection

    user = UserFactory(username="idem-race")
    statussen = []

    def retry():
        try:
            response = post_effect(user, {"waarde": 7}, key="race")
            statussen.append((response.status_code, response.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert effecten() == 1
    assert sorted(statussen, key=lambda s: s[1] or "") == [(201, None), (201, "true")]


def test_too_long_key_is_400(refdata):
    user = UserFactory(username="idem")
    assert post_effect(user, {"waarde": 1}, key="x" * 201).status_code == 400
    assert effecten() == 0


# --- idempotency on a real endpoint: capaciteit ------------------------------------------------


def test_capaciteit_post_is_idempotent(o):
    client = api(o.token_a)
    body = {"locatie": o.locatie_a.pk, "vrijePlaatsen": 3}
    first = client.post(CAPACITEIT, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    second = client.post(CAPACITEIT, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert VrijePlaatsenMelding.objects.count() == 1
    other = client.post(
        CAPACITEIT, {**body, "vrijePlaatsen": 4}, format="json", HTTP_IDEMPOTENCY_KEY="m-1"
    )
    assert_problem(other, 409)
    assert VrijePlaatsenMelding.objects.count() == 1


# --- capaciteit --------------------------------------------------------------------------------


def test_capaciteit_report_and_list_own_only(o):
    response = api(o.token_a).post(
        CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": 3}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["locatie"], body["vrijePlaatsen"]) == (o.locatie_a.pk, 3)
    melding = VrijePlaatsenMelding.objects.get()
    assert melding.gemeld_door == o.sleutel_a.user
    api(o.token_b).post(CAPACITEIT, {"locatie": o.locatie_b.pk, "vrijePlaatsen": 1}, format="json")
    rows = api(o.token_a).get(CAPACITEIT).json()["results"]
    assert [r["id"] for r in rows] == [melding.pk]
    assert api(o.token_a).get(CAPACITEIT, {"locatie": o.locatie_b.pk}).json()["results"] == []


def test_capaciteit_on_a_foreign_location_is_refused(o):
    response = api(o.token_a).post(
        CAPACITEIT, {"locatie": o.locatie_b.pk, "vrijePlaatsen": 1}, format="json"
    )
    body = assert_problem(response, 400)
    assert body["invalidParams"][0]["name"] == "locatie"
    assert not VrijePlaatsenMelding.objects.exists()


def test_capaciteit_refusals_of_the_service(o):
    a = api(o.token_a)
    assert_problem(a.post(CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": -1}), 400)
    Locatie.objects.filter(pk=o.locatie_a.pk).update(actief=False)
    body = assert_problem(
        a.post(CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": 1}, format="json"), 400
    )
    assert "niet actief" in body["invalidParams"][0]["reason"]
    assert not VrijePlaatsenMelding.objects.exists()


def test_capaciteit_cursor_pages(o):
    a = api(o.token_a)
    for n in range(3):
        a.post(CAPACITEIT, {"locatie": o.locatie_a.pk, "vrijePlaatsen": n}, format="json")
    first = a.get(CAPACITEIT, {"aantal": 2}).json()
    assert [r["vrijePlaatsen"] for r in first["results"]] == [0, 1]
    second = a.get(first["next"]).json()
    assert [r["vrijePlaatsen"] for r in second["results"]] == [2]
    assert second["next"] is None


# --- rapportages -------------------------------------------------------------------------------


def rapportage_body(o, **extra):
    return {
        "contract": o.contract_a.pk,
        "jaar": 2026,
        "kwartaal": 2,
        "kengetallen": {
            "clientenInZorg": 12,
            "instroom": 3,
            "uitstroom": 2,
            "wachtenden": 4,
            "uitgavenTotNu": "25000.50",
            "clienttevredenheid": "7.5",
            "doelrealisatie": None,
            "incidenten": 0,
            "aandeelHbo": "60",
            "aandeelMbo": "40",
        },  # fmt: skip
        "regels": [
            {"product": "begeleiding", "gemeente": "0307", "volume": "120.5", "clienten": 8},
            {"product": "begeleiding", "gemeente": "0342", "volume": "40", "clienten": 4},
        ],
        **extra,
    }


def test_rapportage_post_creates_fills_and_submits(o):
    response = api(o.token_a).post(
        RAPPORTAGES, rapportage_body(o, indienen=True), format="json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    r = Rapportage.objects.get()
    assert (r.status, r.clienten_in_zorg, r.uitgaven_tot_nu) == (
        "ingediend", 12, Decimal("25000.50")
    )  # fmt: skip
    assert r.ingediend_op is not None
    assert r.regels.count() == 2
    assert body["status"] == "ingediend" and body["aantallenOnderdrukt"] is False
    assert {(x["gemeente"], x["clienten"]) for x in body["regels"]} == {("0307", 8), ("0342", 4)}
    # Once submitted it can no longer be changed.
    again = api(o.token_a).post(RAPPORTAGES, rapportage_body(o), format="json")
    assert_problem(again, 400)


def test_rapportage_post_again_replaces_a_concept(o):
    a = api(o.token_a)
    assert a.post(RAPPORTAGES, rapportage_body(o), format="json").status_code == 201
    body = rapportage_body(o)
    body["regels"] = body["regels"][:1]
    response = a.post(RAPPORTAGES, body, format="json")
    assert response.status_code == 200
    assert Rapportage.objects.get().status == "concept"
    assert Rapportageregel.objects.count() == 1


def test_rapportage_errors_per_field_and_nothing_stored(o):
    body = rapportage_body(o)
    body["regels"].append({"product": "onbekend", "gemeente": "0308", "volume": "1", "clienten": 1})
    body["regels"].append(dict(body["regels"][0]))  # duplicate line
    body["kengetallen"]["aandeelHbo"] = "70"  # hbo + mbo > 100
    response = api(o.token_a).post(RAPPORTAGES, body, format="json")
    problem = assert_problem(response, 400)
    namen = {p["name"] for p in problem["invalidParams"]}
    assert {"regels.2.product", "regels.2.gemeente", "regels.3", "kengetallen.aandeelMbo"} <= namen
    assert not Rapportage.objects.exists()


def test_rapportage_checks_like_the_web_form(o):
    a = api(o.token_a)
    toekomst = rapportage_body(o, jaar=timezone.localdate().year + 1, kwartaal=1)
    problem = assert_problem(a.post(RAPPORTAGES, toekomst, format="json"), 400)
    assert problem["invalidParams"][0]["name"] == "kwartaal"
    vreemd = rapportage_body(o, contract=o.contract_b.pk)
    problem = assert_problem(a.post(RAPPORTAGES, vreemd, format="json"), 400)
    assert problem["invalidParams"][0]["name"] == "contract"
    assert not Rapportage.objects.exists()


def test_rapportage_of_a_quarter_that_has_not_ended_is_refused_at_the_field(o):
    """Issue 18: the running quarter is refused by the service, named as the API names it."""
    vandaag = timezone.localdate()
    body = rapportage_body(o, jaar=vandaag.year, kwartaal=(vandaag.month - 1) // 3 + 1)
    problem = assert_problem(api(o.token_a).post(RAPPORTAGES, body, format="json"), 400)
    assert [p["name"] for p in problem["invalidParams"]] == ["kwartaal"]
    assert "nog niet voorbij" in problem["invalidParams"][0]["reason"]
    assert not Rapportage.objects.exists()


def test_rapportages_list_own_only_and_filters(o):
    api(o.token_a).post(RAPPORTAGES, rapportage_body(o), format="json")
    api(o.token_b).post(
        RAPPORTAGES,
        {**rapportage_body(o, contract=o.contract_b.pk), "regels": []},
        format="json",
    )
    assert Rapportage.objects.count() == 2
    rows = api(o.token_a).get(RAPPORTAGES).json()["results"]
    assert [r["contract"] for r in rows] == [o.contract_a.pk]
    assert api(o.token_a).get(RAPPORTAGES, {"kwartaal": 3}).json()["results"] == []
    b_rapportage = Rapportage.objects.get(contract=o.contract_b)
    assert_problem(api(o.token_a).get(f"{RAPPORTAGES}{b_rapportage.pk}/"), 404)


def test_rapportage_counts_below_5_are_suppressed_for_others(client, o):
    api(o.token_a).post(RAPPORTAGES, rapportage_body(o), format="json")
    risb = UserFactory(username="risb-api")
    grant(risb, "contractmanager", regio="amersfoort")
    client.force_login(risb)
    [row] = client.get(RAPPORTAGES).json()["results"]
    assert row["aantallenOnderdrukt"] is True
    assert row["kengetallen"]["clientenInZorg"] == 12
    assert row["kengetallen"]["instroom"] is None  # 3 clients: could be recognised
    assert {(x["gemeente"], x["clienten"]) for x in row["regels"]} == {("0307", 8), ("0342", None)}


# --- pagination unit ---------------------------------------------------------------------------


def test_cursor_round_trip_and_garbage():
    moment = timezone.now()
    cursor = KeysetCursorPagination.encode(moment, 42)
    assert KeysetCursorPagination.decode(cursor) == (moment, 42)
    from rest_framework.exceptions import ValidationError

    for kapot in ("", "xyz", KeysetCursorPagination.encode(moment, 1)[:-3]):
        with pytest.raises(ValidationError):
            KeysetCursorPagination.decode(kapot)


# --- docs --------------------------------------------------------------------------------------


def test_docs_page_uses_no_cdn_and_no_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<style" not in html and "cdn" not in html.lower()
    assert "<script>" not in html  # every script is a file
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_schema_documents_bearer_and_idempotency_key(client):
    schema = client.get("/api/v1/schema/").content.decode()
    assert "bearerFormat: rz_<prefix>_<geheim>" in schema
    assert "Idempotency-Key" in schema
    assert "/api/v1/toewijzingen/" in schema and "/api/v1/rapportages/" in schema


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_load_in_a_browser_without_csp_violations(page, live_server):
    from playwright.sync_api import expect

    from tests.browser import collect_csp_violations

    violations = collect_csp_violations(page)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("regiozorg API")
    expect(page.get_by_text("/api/v1/toewijzingen/").first).to_be_visible()
    assert violations == []
