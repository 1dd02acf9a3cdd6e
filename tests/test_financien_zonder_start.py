"""Issue 17 item 5: a client with BW costs but no first BW start (EersteBWStart) is neither
silently new nor silently existing. The run lists them per gemeente (number and costs) on its
page and in its CSV; a concept can be computed, but it cannot be vastgesteld while any remain,
and the list links to the conversie import that resolves them."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from financien import runs
from financien.models import EersteBWStart, Jaarparameters
from financien.services import verdeelmodel_vastleggen
from tests.factories import (
    ProductFactory,
    UserFactory,
    client_met_start,
    gemeente,
    grant,
    kosten,
    regio,
)
from toegang.models import Client

pytestmark = pytest.mark.django_db

D = datetime.date
# Runs of 2026 are vastgesteld before that year has ended (while these tests are young): a reason.
REDEN = "Voorlopige afrekening voor de begroting"
AANDELEN = {"0307": "56.52", "0308": "6.35", "0313": "4.66", "0327": "7.45", "0267": "9.47",
            "0342": "12.08", "0351": "3.48"}  # fmt: skip


@pytest.fixture
def wereld(refdata):
    """Amersfoort 2026: one existing client (start 2019) and, without a first start, two clients
    of Baarn (one with two lines) and one of Soest; plus a begeleiding line that never counts."""
    r = regio("amersfoort")
    verdeelmodel_vastleggen(
        r, 2026, {gemeente(c): Decimal(p) for c, p in AANDELEN.items()}, bron="test", user=None
    )
    Jaarparameters.objects.create(
        regio=r, jaar=2026, peildatum_nieuw=D(2022, 1, 1), alpha=Decimal("0.5"),
        centrumgemeentebudget=Decimal("0.00"),
    )  # fmt: skip
    bw = ProductFactory(domein="beschermd_wonen")
    kosten(r, client_met_start(r, "0307", D(2019, 5, 1)), "0307", "5000.00", D(2026, 3, 1), bw)
    baarn1, baarn2, soest = (Client.objects.create() for _ in range(3))
    kosten(r, baarn1, "0308", "1000.00", D(2026, 3, 1), bw)
    kosten(r, baarn1, "0308", "250.50", D(2026, 4, 1))
    kosten(r, baarn2, "0308", "300.00", D(2026, 5, 1), bw)
    kosten(r, soest, "0342", "700.00", D(2026, 6, 1), bw)
    kosten(r, soest, "0342", "99.00", D(2026, 6, 1), ProductFactory(domein="begeleiding"))
    starter, vaststeller = UserFactory(username="fin-a"), UserFactory(username="fin-b")
    grant(starter, "financien", regio=r)
    grant(vaststeller, "financien", regio=r)
    return r, starter, vaststeller, (baarn1, baarn2, soest)


def test_clients_without_first_start_are_listed_and_block_vaststellen(wereld):
    r, starter, vaststeller, clients = wereld
    run = runs.bereken_run(r, 2026, user=starter)  # a concept is computed
    zonder = runs.zonder_eerste_start(run)
    assert (zonder.aantal, zonder.kosten) == (3, Decimal("2250.50"))
    assert zonder.per_gemeente == (
        ("0308", "Baarn", 2, Decimal("1550.50")),
        ("0342", "Soest", 1, Decimal("700.00")),
    )
    # Provisionally new, as before (so the concept's N_g shows what they would move).
    nieuw = {g["code"]: Decimal(g["kosten_nieuw"]) for g in run.invoer["gemeenten"]}
    assert nieuw["0308"] == Decimal("1550.50") and nieuw["0307"] == 0

    csv = runs.als_csv(run)
    assert "zonder_eerste_start_gemeente_code,gemeente,clienten,kosten" in csv
    assert "0308,Baarn,2,1550.50\n0342,Soest,1,700.00\ntotaal,,3,2250.50\n" in csv

    with pytest.raises(ValidationError) as exc:
        runs.vaststellen(run, vaststeller)
    assert exc.value.messages == [
        "Deze run telt 3 cliënten zonder eerste start beschermd wonen (samen € 2.250,50) "
        "voorlopig als nieuw. Leg hun eerste start vast met de conversie-import en bereken een "
        "nieuwe run; pas dan kan de verevening worden vastgesteld."
    ]
    run.refresh_from_db()
    assert run.status == "concept"

    # The conversie resolves them; a new run can be vastgesteld and lists nobody.
    for client, code in zip(clients, ("0308", "0308", "0342"), strict=True):
        EersteBWStart.objects.create(
            client=client, regio=r, gemeente_herkomst=gemeente(code), datum=D(2020, 1, 1),
            bron="conversie",
        )  # fmt: skip
    tweede = runs.bereken_run(r, 2026, user=starter)
    assert runs.zonder_eerste_start(tweede).aantal == 0
    assert "zonder_eerste_start" not in runs.als_csv(tweede)
    nieuw = {g["code"]: Decimal(g["kosten_nieuw"]) for g in tweede.invoer["gemeenten"]}
    assert nieuw["0308"] == 0
    assert runs.vaststellen(tweede, vaststeller, reden=REDEN).status == "vastgesteld"


def test_the_run_page_lists_them_links_the_conversie_and_explains_the_button(client, wereld):
    r, starter, vaststeller, _ = wereld
    run = runs.bereken_run(r, 2026, user=starter)
    client.force_login(vaststeller)
    body = client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert "Cliënten zonder eerste start beschermd wonen" in body
    assert "3 cliënten met kosten in 2026" in body
    assert f'href="/financien/import/{r.code}/?soort=conversie"' in body
    # No button to vaststellen (issue 18: only buttons that work), but the reason why not.
    assert f'href="/financien/runs/{run.pk}/vaststellen/"' not in body
    assert "U kunt deze run nu niet vaststellen: Deze run telt 3 cliënten" in body
    assert "kan de run niet worden vastgesteld" in body

    pagina = client.get(f"/financien/runs/{run.pk}/vaststellen/").content.decode()
    assert "zonder eerste start beschermd wonen (samen € 2.250,50)" in pagina
    response = client.post(f"/financien/runs/{run.pk}/vaststellen/")
    assert "voorlopig als nieuw" in response.context["form"].non_field_errors()[0]

    csv = client.get(f"/financien/runs/{run.pk}/csv/").content.decode("utf-8-sig")
    assert "0308;Baarn;2;1550,50\r\n0342;Soest;1;700,00\r\n;Totaal;3;2250,50\r\n" in csv

    formulier = client.get(f"/financien/import/{r.code}/?soort=conversie")
    assert formulier.context["form"].initial == {"soort": "conversie"}


def test_a_run_computed_before_the_count_must_be_computed_again(wereld, client):
    r, starter, vaststeller, clients = wereld
    for c, code in zip(clients, ("0308", "0308", "0342"), strict=True):
        EersteBWStart.objects.create(
            client=c, regio=r, gemeente_herkomst=gemeente(code), datum=D(2020, 1, 1),
            bron="conversie",
        )  # fmt: skip
    run = runs.bereken_run(r, 2026, user=starter)
    assert run.zonder_start_geteld
    # As financien 0011 leaves a run computed before it (the column added with False); a run's
    # content is otherwise immutable, so its trigger is set aside for this one write.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        type(run).objects.filter(pk=run.pk).update(zonder_start_geteld=False)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    run.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        runs.vaststellen(run, vaststeller)
    assert "Bereken de run opnieuw" in exc.value.messages[0]
    client.force_login(vaststeller)
    page = client.get(f"/financien/runs/{run.pk}/").content.decode()
    assert "berekend voordat cliënten zonder eerste start" in page
    nieuw = runs.bereken_run(r, 2026, user=starter)
    assert runs.vaststellen(nieuw, vaststeller, reden=REDEN).status == "vastgesteld"
