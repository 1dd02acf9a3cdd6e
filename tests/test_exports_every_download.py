"""Every download a person makes, in one dialect (issue 18, "Exports people can open"): each
export URL of the web UI is in EXPORTS below and is fetched as CSV and as XLSX, filled with the
isolation world's home side (tests/isolation/world.py), whose names are made formula-like.

- CSV: UTF-8 with a BOM, ``;`` between cells, CRLF, a decimal comma wherever a number with
  decimals occurs, and no cell that Excel would read as a formula (``=``, ``+``, ``-``, ``@``)
  unless it is neutralised with a leading apostrophe (a negative number stays a number).
- XLSX: opens with openpyxl, holds no formula cell, a formula-like text is a text cell with the
  quote prefix, and a list with numbers has them as number cells.

A list view that offers a download (``ExportableListMixin``, or its template includes
``includes/export_links.html``) and is missing here fails ``test_every_export_is_in_the_registry``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.db import transaction
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from inkoop.models import Aanbieder, Locatie, Perceel, Product
from regio.exports import ExportableListMixin
from regio.models import Gemeente
from tests.isolation.routes import all_routes
from tests.isolation.world import build_side, grant_role
from toegang.models import Persoon

FORMULE = re.compile(r"^[=+\-@\t\r]")
GETAL_MET_PUNT = re.compile(r"^-?\d+\.\d+$")  # 12.50: a number Dutch Excel reads as text


@dataclass(frozen=True)
class Export:
    url: str  # the URL name
    rol: str  # the role (on the home side) that downloads it
    query: dict = field(default_factory=dict)
    kwargs: tuple = ()  # (kwarg, world object name) pairs, filled with the object's pk
    slug: bool = False  # the regio's code as ``slug``
    formaat: str = "export"  # the query parameter that names csv/xlsx
    formule: bool = True  # a formula-like name of the world shows in it
    getal: bool = False  # it holds a number cell
    fmt_in_url: bool = False  # csv/xlsx is the URL's ``fmt``, not a query parameter
    pagina: str = ""  # the URL name of the page offering it, when another one


EXPORTS = [
    Export("toegang:werkvoorraad", "consulent", {"tab": "team"}, getal=True),
    Export("toegang:dossier-list", "consulent", getal=True),
    Export("toegang:beschikking-list", "consulent", getal=True),
    Export("toegang:toewijzing-list", "consulent", getal=True),
    Export("toegang:declaratie-list", "consulent", getal=True),
    Export("toegang:wachtlijst", "centrale-toegang"),
    Export("toegang:evaluaties", "centrale-toegang"),
    Export("toegang:zorgbewegingen", "centrale-toegang", {"tabel": "bewegingen"}, formule=False),
    Export(
        "toegang:zorgbewegingen", "centrale-toegang", {"tabel": "buitenregionaal"}, formule=False
    ),
    Export("audit:inloggen", "privacyfunctionaris", formule=False),
    Export("audit:client", "privacyfunctionaris", kwargs=(("client", "client"),), formule=False),
    Export("inkoop:aanbieder-list", "contractmanager"),
    Export("inkoop:contract-list", "contractmanager"),
    Export("inkoop:locatie-list", "contractmanager", getal=True),
    Export("inkoop:certificaat-list", "contractmanager"),
    Export("inkoop:melding-list", "contractmanager"),
    Export("inkoop:onderaanneming-list", "contractmanager", kwargs=(("contract_pk", "contract"),)),
    Export("inkoop:rapportage-list", "contractmanager", getal=True),
    Export(
        "inkoop:rapportage-template",
        "aanbieder",
        kwargs=(("pk", "rapportage"),),
        formule=False,
        fmt_in_url=True,
    ),
    Export(
        "inkoop:dashboard", "contractmanager", {"export": "budget"}, slug=True, formaat="formaat"
    ),
    Export(
        "financien:run-csv",
        "financien",
        kwargs=(("pk", "vereveningsrun"),),
        getal=True,
        pagina="run",
    ),
]


def _url(export: Export, side, fmt: str) -> str:
    kwargs = {"fmt": fmt} if export.fmt_in_url else {}
    for naam, objectnaam in export.kwargs:
        obj = side[objectnaam]
        kwargs[naam] = obj.pk
    if export.slug:
        kwargs["slug"] = side["regio"].code
    return reverse(export.url, kwargs=kwargs)


@pytest.fixture(scope="module")
def home(django_db_setup, django_db_blocker):
    """The home side, built once in a transaction rolled back at the end; its names start with
    a formula character."""
    from regio.roles import sync_roles

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            sync_roles()
            side = build_side("h", 2)
            Gemeente.objects.filter(pk=side["gemeente"].pk).update(naam="=Thuisdorp")
            Aanbieder.objects.filter(pk=side["aanbieder"].pk).update(naam="+Qzxh Zorggroep")
            Product.objects.filter(pk=side["product"].pk).update(naam="-Qzxh Beschermd wonen")
            Perceel.objects.filter(pk=side["perceel"].pk).update(naam="@Qzxh perceel")
            Locatie.objects.filter(aanbieder=side["aanbieder"]).update(naam="=Qzxh Huize")
            Persoon.objects.filter(pk=side["client"].persoon.pk).update(
                geslachtsnaam="=HYPERLINK(0)"
            )
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield side
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _client(home, rol: str) -> Client:
    from regio.models import User

    user, created = User.objects.get_or_create(username=f"export-{rol}")
    if created:
        grant_role(user, rol, home)
    client = Client()
    client.force_login(user)
    return client


def _download(home, export: Export, fmt: str):
    url = _url(export, home, fmt)
    query = export.query if export.fmt_in_url else {**export.query, export.formaat: fmt}
    response = _client(home, export.rol).get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    assert "attachment" in response["Content-Disposition"], url
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: f"{e.url}{e.query or ''}")
def test_csv_is_dutch_excel_and_neutralises_formulas(home, export):
    inhoud = b"".join(_download(home, export, "csv"))
    assert inhoud.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    tekst = inhoud.decode("utf-8-sig")
    assert "\r\n" in tekst and "\n" not in tekst.replace("\r\n", ""), "not CRLF"
    rijen = list(csv.reader(io.StringIO(tekst, newline=""), delimiter=";"))
    assert max(len(rij) for rij in rijen) > 1, f"not ';'-separated: {rijen[:3]}"
    cellen = [cel for rij in rijen for cel in rij]
    assert not [c for c in cellen if GETAL_MET_PUNT.match(c)], "a decimal point, not a comma"
    onveilig = [c for c in cellen if FORMULE.match(c) and not re.fullmatch(r"-\d+(,\d+)?", c)]
    assert not onveilig, f"formula-like cells: {onveilig}"
    if export.formule:
        assert [c for c in cellen if re.match(r"^'[=+\-@]", c)], "no neutralised cell"


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: f"{e.url}{e.query or ''}")
def test_xlsx_has_typed_cells_and_no_formula(home, export):
    inhoud = b"".join(_download(home, export, "xlsx"))
    blad = openpyxl.load_workbook(io.BytesIO(inhoud)).active
    cellen = [cel for rij in blad.iter_rows() for cel in rij if cel.value is not None]
    assert not [c.coordinate for c in cellen if c.data_type == "f"], "a formula cell"
    formules = [c for c in cellen if isinstance(c.value, str) and FORMULE.match(c.value)]
    assert all(c.data_type == "s" and c.quotePrefix for c in formules)
    if export.formule:
        assert formules, "no formula-like text in the download"
    if export.getal:
        getallen = [c for c in cellen[1:] if c.data_type == "n" and not c.is_date]
        assert getallen, "no number cell"
    assert not [
        c.value
        for c in cellen
        if isinstance(c.value, str) and re.fullmatch(r"-?\d+[.,]\d+", c.value)
    ], "a number written as text"


def _toont_export_links(view_class) -> bool:
    template_name = getattr(view_class, "template_name", None)
    if not template_name:
        return False
    bron = get_template(template_name).template.source
    return "includes/export_links.html" in bron or "export=" in bron


def test_every_export_is_in_the_registry():
    bekend = {e.url.split(":")[-1] for e in EXPORTS} | {e.pagina for e in EXPORTS}
    ontbreekt = []
    for route in all_routes():
        view_class = route.view_class
        if not view_class or route.route.startswith(("api/", "beheer/")):
            continue
        if issubclass(view_class, ExportableListMixin) or _toont_export_links(view_class):
            if route.name not in bekend:
                ontbreekt.append(f"{route.name} ({route.route})")
    assert not ontbreekt, f"downloads not tested in EXPORTS: {ontbreekt}"
