"""The import screen: a valid file is written and summarised, a wrong one is refused whole
with every error at its row, and only a regio-wide finance role may import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from financien.models import Kostenregel
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

KOPJE = "referentie;bsn;gemeente_herkomst;bron;periode_begin;periode_einde;bedrag\n"


@pytest.fixture
def fin(refdata):
    user = UserFactory(username="fin-import")
    grant(user, "financien", regio="amersfoort")
    return user


def upload(client, inhoud: str, soort="kostenregels"):
    bestand = SimpleUploadedFile("kosten.csv", inhoud.encode("utf-8"), "text/csv")
    return client.post(
        reverse("financien:import", args=["amersfoort"]), {"soort": soort, "bestand": bestand}
    )


def test_a_wrong_file_is_refused_whole_with_its_errors(client, fin):
    client.force_login(fin)
    pagina = upload(client, KOPJE + "r1;123456789;0307;pgb;01-02-2026;28-02-2026;12,5\n")
    assert pagina.status_code == 200
    html = pagina.content.decode()
    assert "Er is niets vastgelegd" in html and "<td>2</td>" in html
    assert "123456789" not in html  # an (invalid) BSN is never echoed
    assert not Kostenregel.objects.exists()


def test_no_file_is_an_error_at_the_field(client, fin):
    client.force_login(fin)
    pagina = client.post(reverse("financien:import", args=["amersfoort"]), {"soort": "conversie"})
    assert "Kies een bestand." in pagina.content.decode()


def test_only_regio_wide_finance_roles_import(client, refdata):
    soest = UserFactory(username="fin-soest-import")
    grant(soest, "financien", gemeente="0342")
    client.force_login(soest)
    assert client.get(reverse("financien:import", args=["amersfoort"])).status_code == 404
    groningen = UserFactory(username="fin-gr-import")
    grant(groningen, "financien", regio="groningen")
    client.force_login(groningen)
    assert client.get(reverse("financien:import", args=["amersfoort"])).status_code == 404
    assert client.get(reverse("financien:import", args=["groningen"])).status_code == 200


def test_a_valid_file_is_written_and_summarised(client, fin):
    from tests.factories import dossier_in

    bsn = dossier_in("0307").client.persoon.bsn
    client.force_login(fin)
    antwoord = upload(client, KOPJE + f"r1;{bsn};0307;pgb;01-02-2026;28-02-2026;1234,50\n")
    assert antwoord.status_code == 302
    regel = Kostenregel.objects.get()
    assert (regel.bron, str(regel.bedrag), regel.gemeente_herkomst.code) == (
        "pgb",
        "1234.50",
        "0307",
    )
    pagina = client.get(antwoord["Location"])
    assert "1 kostenregels vastgelegd" in pagina.content.decode()
