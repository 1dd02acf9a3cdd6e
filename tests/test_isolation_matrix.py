"""The isolation matrix (issue 9): every URL pattern of the project (web UI, API, admin; taken
from the resolver) x every role (plus a user without roles and anonymous), each filled with the
objects of a FOREIGN regio, gemeente and aanbieder. The answer must refuse (401/403/404/405, or
a redirect to a login page) and no response body, download or header may show anything of the
foreign objects (their marker ``Qzxf`` or the foreign client's BSN). Patterns without object
kwargs (lists, dashboards, create forms, exports) are requested too: then only the leak check
applies. A pattern the kwarg table cannot fill fails as "unclassified URL".

Second test: the strict CSP on every page the HOME users can open (filled with home objects):
the header, no inline <script>, no style attribute.

The world is built once per module inside one transaction that is rolled back at the end, so
the database stays clean for the other modules.
"""

from __future__ import annotations

import re
import time

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.isolation.routes import Unclassified, addresses_object, all_routes, fill, url_of
from tests.isolation.world import ANONYMOUS, FOREIGN_MARKER, HOME_MARKER, PRINCIPALS, build_world

ROUTES = all_routes()
REFUSED = {401, 403, 404, 405}
LOGIN_PAGES = ("/accounts/login/", "/accounts/tweestapsverificatie/", "/beheer/login/")
PAGES_CHECKED: list[str] = []  # the patterns the CSP test found a page for (for the summary)

# (route, principal) -> reason: a leak found and reported, kept visible as a strict xfail until
# it is fixed (the admin's regio filters and a crash of the contractpartner's empty wachtlijst
# were found this way and fixed).
KNOWN_LEAKS: dict[tuple[str, str], str] = {}

# (route, principal) -> reason: a crash (500) found and reported, kept visible as a strict xfail.
KNOWN_CRASHES: dict = {}

CASES = []
for _route in ROUTES:
    for _principal in PRINCIPALS:
        _marks = []
        _why = KNOWN_LEAKS.get((_route.route, _principal)) or KNOWN_CRASHES.get(
            (_route.route, _principal)
        )
        if _why:
            _marks.append(pytest.mark.xfail(strict=True, reason=_why))
        CASES.append(
            pytest.param(_route, _principal, id=f"{_route.route}|{_principal}", marks=_marks)
        )

CSP_CASES = [pytest.param(_route, id=_route.route) for _route in ROUTES]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _no_worker_ping():
    """health/ pings the Celery workers with a 1 s timeout (none run here): stubbed, so the 23
    requests of that pattern cost milliseconds. It holds no data of any gemeente."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("regio.health._worker", lambda: {"workers": []})
        yield


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    """One logged-in test client per principal (sessions live in the module's transaction). The
    module takes minutes, on a busy machine more than the 15-minute idle timeout: its sessions
    last a day, or a late case would see a login page instead of its object."""
    result = {}
    langer = override_settings(SESSION_COOKIE_AGE=24 * 3600)
    langer.enable()
    with django_db_blocker.unblock():
        for principal in PRINCIPALS:
            client = Client()
            if world.users.get(principal) is not None:
                client.force_login(world.users[principal])
            result[principal] = client
    yield result
    langer.disable()


@pytest.fixture(scope="module", autouse=True)
def report_size(request):
    """Prints "isolation matrix: N cases (U urls x R roles)" in the test output (README quotes
    it), with the module's run time."""
    started = time.monotonic()
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    line = (
        f"isolation matrix: {len(CASES)} cases ({len(ROUTES)} urls x {len(PRINCIPALS)} roles), "
        f"csp: {len(PAGES_CHECKED)} of {len(CSP_CASES)} url patterns open as a page for some "
        f"role; {time.monotonic() - started:.0f} s"
    )
    if capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)
    else:
        reporter.write_line(line)


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    headers = " ".join(
        response.get(h, "") for h in ("Location", "Content-Disposition", "X-Filename")
    ).encode()
    return data + b"\n" + headers


# Random tokens could contain the marker by chance (they did, twice in one run).
CSRF_TOKEN = re.compile(rb'(csrfmiddlewaretoken" value="|name="csrf-token" content=")[^"]*"')


def leaks(response, side, about_object=False) -> list[str]:
    """The foreign markers in the response, each with the text around its first occurrence.
    An answer about one foreign object must not even name its gemeente (lists and forms may:
    gemeente names are public reference data)."""
    data = CSRF_TOKEN.sub(rb"\1", body_of(response))
    low = data.lower()
    found = []
    markers = [FOREIGN_MARKER.lower().encode(), side.bsn.encode()]
    if about_object:
        markers.append(side["gemeente"].naam.lower().encode())
    for marker in markers:
        at = low.find(marker)
        if at >= 0:
            context = data[max(0, at - 80) : at + 40].decode(errors="replace")
            found.append(f"{marker.decode()} in ...{' '.join(context.split())}...")
    return found


def refused(response, principal, route) -> bool:
    status = response.status_code
    if status in REFUSED:
        return True
    if status in {301, 302}:
        location = response.get("Location", "")
        if any(page in location for page in LOGIN_PAGES):
            return True
        # The admin answers an object outside the user's queryset by going back to its index
        # (with "does not exist"), and "<object_id>/" only forwards to ".../change/", itself a
        # case of the matrix. (A saved change would go to the changelist: not accepted.)
        if route.is_admin and (
            location == "/beheer/" or (route.name == "" and location.endswith("/change/"))
        ):
            return True
    return False


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "principal"), CASES)
def test_foreign_objects_are_refused_and_never_shown(route, principal, world, clients):
    try:
        values = fill(route, world.foreign)
    except Unclassified as exc:
        pytest.fail(str(exc))
    url = url_of(route, values)
    client = clients[principal]
    methods = ["get", "post"] if route.accepts_post else ["get"]
    problems = []
    for method in methods:
        response = getattr(client, method)(url)
        if found := leaks(response, world.foreign, about_object=addresses_object(route)):
            problems.append(f"{method.upper()} {url} as {principal}: shows {found}")
        if addresses_object(route) and not refused(response, principal, route):
            problems.append(
                f"{method.upper()} {url} as {principal}: answered {response.status_code} "
                f"for a foreign object"
            )
        if principal == ANONYMOUS and response.status_code == 200 and not route_is_public(route):
            problems.append(f"{method.upper()} {url}: answered 200 to anonymous")
    assert not problems, "\n".join(problems)


# The probes and /metrics hold no data of anyone; /metrics answers this machine (the test
# client's 127.0.0.1) or a token only (tests/test_metrics.py).
PUBLIC = {"login", "health", "health-live", "health-ready", "metrics", "schema", "docs", ""}


def route_is_public(route) -> bool:
    return route.name in PUBLIC or route.route in {"beheer/login/", "beheer/jsi18n/"}


# --- CSP on every page ------------------------------------------------------------------------


def csp_problems(response, url, principal) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if not (
        "script-src 'self'" in csp
        and "style-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    ):
        problems.append(f"{url} as {principal}: CSP header is {csp!r}")
    html = response.content.decode(errors="replace").lower()
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag and 'type="application/json"' not in tag:
            problems.append(f"{url} as {principal}: inline {tag}")
    if re.search(r"\sstyle\s*=", html):
        problems.append(f"{url} as {principal}: style attribute")
    if "<style" in html:
        problems.append(f"{url} as {principal}: <style> element")
    return problems


# Who is asked first for a page under a prefix (the role that owns such objects); the others
# follow. One 200 text/html answer per page is enough: the CSP is the same for every role.
OWNERS = {
    "toegang/wachtlijst": ["centrale-toegang", "wachtlijst-contractpartner"],
    "toegang/regie": ["centrale-toegang"],
    "toegang/zorgbewegingen": ["centrale-toegang"],
    "toegang/": ["consulent", "centrale-toegang"],
    "inkoop/": ["contractmanager", "aanbieder", "functioneel-beheerder"],
    "financien/": ["financien"],
    "privacy/": ["privacyfunctionaris"],
    "beheer/": ["functioneel-beheerder"],
    "regio/": ["contractmanager", "functioneel-beheerder"],
    "taken/": ["centrale-toegang"],
}


def principals_for(route) -> list[str]:
    first = next((names for prefix, names in OWNERS.items() if route.route.startswith(prefix)), [])
    return [*first, *(p for p in PRINCIPALS if p not in first)]


@pytest.mark.django_db
@pytest.mark.parametrize("route", CSP_CASES)
def test_strict_csp_on_every_home_page(route, world, clients):
    try:
        values = fill(route, world.home)
    except Unclassified as exc:
        pytest.fail(str(exc))
    url = url_of(route, values)
    for principal in principals_for(route):
        response = clients[principal].get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            problems = csp_problems(response, url, principal)
            PAGES_CHECKED.append(route.route)
            assert not problems, "\n".join(problems)
            return
    # No role opens this pattern as a page (a download, a POST-only action, an API route, a
    # redirect): then there is no HTML to check, only the header on whatever it answered.
    assert "frame-ancestors 'none'" in response.get("Content-Security-Policy", ""), url


# --- the matrix can fail ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("principal", "name", "key"),
    [
        ("consulent", "dossier-detail", "dossier"),
        ("consulent", "beschikking-brief", "beschikking"),
        ("centrale-toegang", "aanmelding_detail", "aanmelding"),
        ("centrale-toegang", "jobrun-bestand", "jobrun"),
        ("contractmanager", "contract-detail", "contract"),
        ("aanbieder", "locatie-detail", "locatie"),
        ("financien", "run-csv", "vereveningsrun"),
        ("aanbiedersysteem", "toewijzing-detail", "toewijzing"),
    ],
)
def test_the_same_urls_with_home_objects_show_them_to_their_owner(
    principal, name, key, world, clients
):
    """Proves the world and the logged-in clients work: the HOME object of the same patterns is
    shown (with its marker) to the role that owns it, so the foreign refusals are not an
    accident of a broken login or an empty world."""
    route = next(r for r in ROUTES if r.name == name and "format" not in r.kwargs)
    url = url_of(route, fill(route, world.home))
    response = clients[principal].get(url)
    assert response.status_code == 200, (url, response.status_code)
    shown = body_of(response).lower()
    assert HOME_MARKER.lower().encode() in shown or b"thuisdorp" in shown, url
    assert world.home[key].pk  # the table filled the pattern from the home side


@pytest.mark.django_db
def test_leaks_and_refusals_are_recognised(world):
    from django.http import HttpResponse, HttpResponseRedirect

    route = next(r for r in ROUTES if r.name == "dossier-detail")
    shown = HttpResponse(f"<p>{FOREIGN_MARKER}sma</p>", status=404)
    assert leaks(shown, world.foreign)
    assert leaks(HttpResponse(f"bsn {world.foreign.bsn}"), world.foreign)
    assert not leaks(HttpResponse("<p>Niet gevonden</p>", status=404), world.foreign)
    assert leaks(HttpResponse("Buitendorp;12,00"), world.foreign, about_object=True)
    assert not refused(HttpResponse("ok"), "consulent", route)
    assert not refused(HttpResponseRedirect("/toegang/dossiers/"), "consulent", route)
    assert refused(HttpResponseRedirect("/accounts/login/?next=/x"), ANONYMOUS, route)


@pytest.mark.django_db
def test_a_pattern_the_table_cannot_fill_is_unclassified(world):
    from tests.isolation.routes import Route

    new = Route("toegang/nieuw/<int:raadsel_pk>/", "nieuw", lambda request: None)
    with pytest.raises(Unclassified, match="unclassified URL: toegang/nieuw/"):
        fill(new, world.foreign)
