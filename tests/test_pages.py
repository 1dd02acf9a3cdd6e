"""Pages, PDF, API and the strict CSP."""

import subprocess
import tempfile

import pytest

from regio.charts import bar_chart
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def risb(client, refdata):
    user = UserFactory(username="risb-pages")
    grant(user, "contractmanager", regio="amersfoort")
    client.force_login(user)
    return user


def test_csp_header_is_strict_on_every_page(client, risb):
    for url in ["/mijn-werk/", "/regio/amersfoort/", "/accounts/wachtwoord/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url


def test_login_page_is_public(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Inloggen" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/mijn-werk/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_start_page_without_roles_has_empty_state(client):
    client.force_login(UserFactory(username="zonder-rol"))
    html = client.get("/mijn-werk/").content.decode()
    assert "U heeft nog geen rol" in html


def test_chart_is_svg_without_scripts_or_styles():
    svg = bar_chart(["2024", "2025"], {"BW": [3, 5], "Begeleiding": [2, 0]}, title="Leden <test>")
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert "Leden &lt;test&gt;" in svg and svg.count("<rect") == 4 + 2  # bars + legend


def test_regio_pdf_contains_chart_and_members(client, risb):
    response = client.get("/regio/amersfoort/overzicht.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(response.content)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    assert "Regio Amersfoort" in text
    assert "Aantal gemeenten in Amersfoort per 1 januari" in text  # the SVG chart's title
    assert "Veenendaal" in text and "Nijkerk" in text


def test_regio_page_of_other_regio_is_404(client, risb):
    assert client.get("/regio/groningen/").status_code == 404
    assert client.get("/regio/groningen/overzicht.pdf").status_code == 404


def test_api_lists_only_gemeenten_in_scope(client, risb):
    response = client.get("/api/v1/gemeenten/")
    assert response.status_code == 200
    codes = {g["code"] for g in response.json()["results"]}
    assert "0342" in codes and "0014" not in codes
    assert client.get("/api/v1/gemeenten/0014/").status_code == 404


def test_api_errors_are_problem_json(client, refdata):
    response = client.get("/api/v1/gemeenten/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["instance"] == "/api/v1/gemeenten/" and body["title"]


def test_validation_errors_name_the_field():
    from rest_framework import serializers

    from regio.api.problems import problem_exception_handler

    class Serializer(serializers.Serializer):
        code = serializers.RegexField(r"^\d{4}$", error_messages={"invalid": "Vier cijfers."})

    s = Serializer(data={"code": "12"})
    with pytest.raises(serializers.ValidationError) as exc:
        s.is_valid(raise_exception=True)
    response = problem_exception_handler(exc.value, {"request": None})
    assert response.status_code == 400
    assert response.data["invalidParams"] == [
        {"name": "code", "code": "invalid", "reason": "Vier cijfers."}
    ]


def test_password_change(client):
    user = UserFactory(username="wachtwoord-wijzigen")
    client.force_login(user)
    response = client.post(
        "/accounts/wachtwoord/",
        {"old_password": "demo", "new_password1": "Nieuw-wachtw00rd!", "new_password2": "x"},
    )
    assert response.status_code == 200
    assert "De twee wachtwoordvelden komen niet overeen" in response.content.decode()
    response = client.post(
        "/accounts/wachtwoord/",
        {
            "old_password": "demo",
            "new_password1": "Nieuw-wachtw00rd!",
            "new_password2": "Nieuw-wachtw00rd!",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nieuw-wachtw00rd!")


def test_membership_chart_counts_per_year(refdata):
    from regio.models import Regio
    from regio.services import leden_per_jaar

    chart = leden_per_jaar(Regio.objects.get(code="amersfoort"), range(2021, 2024))
    assert chart["categories"] == ["2021", "2022", "2023"]
    # Veenendaal left on 2022-01-01; Nijkerk is a member for BW only.
    # Veenendaal counts for beschermd wonen until 2021, never for begeleiding (seed 001).
    assert chart["series"] == {"Beschermd wonen / MO": [8, 7, 7], "Begeleiding": [6, 6, 6]}


def test_api_rejects_unknown_query_parameters(client, risb):
    response = client.get("/api/v1/gemeenten/?gemeentee=0342")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"] == [
        {"name": "gemeentee", "code": "invalid", "reason": "Onbekende parameter."}
    ]
    assert client.get("/api/v1/gemeenten/?page=1").status_code == 200
