"""The demo tells a story (issue 18): zorgbewegingen over the 24 months of the waiting list's
history, BW-regio Groningen with places its wachtlijstteam can fill, the README's API example
working exactly as printed, and unread notifications for every demo user that open a real page."""

import datetime
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

README = Path(__file__).resolve().parents[1] / "README.md"

# A stand-in for curl: prints the arguments bash gave it (after expanding $TOKEN and $(date)),
# one JSON list per call, so the test replays exactly what the printed commands send.
CURL_SHIM = """curl() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"; }\n"""


def readme_api_calls() -> list[list[str]]:
    tekst = README.read_text()
    sectie = tekst[tekst.index("## Calling the API") :]
    blok = re.search(r"```sh\n(.*?)```", sectie, re.S).group(1)
    uit = subprocess.run(
        ["bash", "-c", CURL_SHIM + blok], capture_output=True, text=True, check=True
    ).stdout
    return [json.loads(regel) for regel in uit.splitlines() if regel.strip()]


def replay(client: Client, argv: list[str]):
    """Send one curl call (``-H``, ``-d`` and a URL) through the Django test client."""
    headers, data, url = {}, None, None
    args = iter(argv)
    for arg in args:
        if arg == "-H":
            naam, _, waarde = next(args).partition(":")
            headers[naam.strip()] = waarde.strip()
        elif arg == "-d":
            data = next(args)
        else:
            url = arg
    assert url.startswith("http://127.0.0.1:8000/"), url
    pad = url.removeprefix("http://127.0.0.1:8000")
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    if data is None:
        return client.get(pad, **extra)
    content_type = extra.pop("HTTP_CONTENT_TYPE", "application/x-www-form-urlencoded")
    return client.post(pad, data=data, content_type=content_type, **extra)


@pytest.mark.slow(90)
@pytest.mark.django_db
def test_demo_tells_a_story():
    from demo.gebruikers import DEMO_ROLLEN
    from regio.models import Notificatie, User
    from toegang.models import Aanmelding, Plaatsing, Zorgbeweging
    from toegang.wachtlijst import services as wachtlijst

    uitvoer = io.StringIO()
    call_command("demo", stdout=uitvoer)
    print(uitvoer.getvalue().splitlines()[0])  # "Demodata klaar: … (n s)", shown with -s
    vandaag = datetime.date.today()

    # Zorgbewegingen over the 24 months the list's history covers: instroom of those placed
    # from the list nearly every month, and doorstroom and uitstroom after them.
    bewegingen = Zorgbeweging.objects.filter(regio__code="amersfoort")
    begin = vandaag - datetime.timedelta(days=730)
    maanden = {
        (d.year, d.month)
        for d in bewegingen.filter(soort="instroom", datum__gte=begin).values_list(
            "datum", flat=True
        )
    }
    assert len(maanden) >= 20
    assert bewegingen.filter(soort="doorstroom").exists()
    assert bewegingen.filter(soort="uitstroom").exists()
    assert Zorgbeweging.objects.filter(regio__code="groningen", soort="instroom").exists()

    # BW-regio Groningen: its wachtlijstteam sees a waiting client with a free place that fits,
    # and reserves it through the CT's service.
    ct = User.objects.get(username="ct-groningen")
    wachtend = (
        Aanmelding.objects.visible_to(ct, "toegang.view_aanmelding")
        .filter(regio__code="groningen", status=Aanmelding.Status.WACHTEND)
        .order_by("wachtend_sinds", "pk")
    )
    match = next(
        ((a, m[0]) for a in wachtend if (m := wachtlijst.passende_locaties(a, vandaag))), None
    )
    assert match is not None, "geen vrije plaats voor een wachtende cliënt in regio Groningen"
    aanmelding, gevonden = match
    plaatsing = wachtlijst.reserveren(aanmelding, gevonden.locatie, ct, vandaag)
    assert plaatsing.status == Plaatsing.Status.GERESERVEERD

    # The README's API example, exactly as printed (bash expands it; curl is replayed).
    from demo.aanbieders import README_TOKEN, api_voorbeeld

    calls = readme_api_calls()
    assert len(calls) == 2
    voorbeeld = api_voorbeeld(vandaag)
    body = json.loads(calls[1][calls[1].index("-d") + 1])
    assert (body["toewijzingNummer"], body["gemeente"]) == (
        voorbeeld.nummer,
        voorbeeld.gemeente.code,
    ), "README.md names another toewijzing than the demo leaves for the example"
    assert body["begindatum"] == vandaag.isoformat()
    assert f"Authorization: Bearer {README_TOKEN}" in calls[0]
    api = Client()
    lijst = replay(api, calls[0])
    assert lijst.status_code == 200, lijst.content
    assert lijst.json()["results"]
    start = replay(api, calls[1])
    assert start.status_code == 201, start.content
    assert replay(api, calls[1]).status_code == 201  # a retry with the same key: same answer

    # A few unread notifications for every demo user, each opening a page that user may see.
    usernames = {username for username, *_ in DEMO_ROLLEN}
    for username in sorted(usernames):
        user = User.objects.get(username=username)
        ongelezen = Notificatie.objects.filter(
            user=user, gelezen_op__isnull=True, sleutel__startswith=f"demo:{username}:"
        )
        assert ongelezen.count() >= 2, username
        web = Client()
        web.force_login(user)
        for notificatie in ongelezen:
            antwoord = web.get(notificatie.url)
            assert antwoord.status_code == 200, (username, notificatie.url, antwoord.status_code)
