"""Audit rows name the pseudonymous client; the privacy officer's "who looked at this dossier"
screen (search by BSN or dossier number within their own gemeenten, filters, export); every
download in the project is audited; a BSN never reaches an audit row or a URL."""

import csv
import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from regio import audit
from regio.models import AuditEntry, JobResultaat, JobRun, Regio
from tests.factories import UserFactory, consulent, dossier_in, grant, valid_bsn

pytestmark = pytest.mark.django_db

ZOEK = "/privacy/audit/"


# --- client_ids on every audit row ---------------------------------------------------------------


def met_persoonsgegevens():
    """Model labels that hold (or lead to) a person's data and so must say how to reach the
    client: models whose reads are audited, every toegang model, and anything pointing at a
    toegang.Client."""
    from toegang.models import Client

    labels = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        wijst_naar_client = any(
            f.is_relation and f.concrete and f.related_model is Client
            for f in model._meta.get_fields()
        )
        if getattr(model, "audit_reads", False) or model._meta.app_label == "toegang":
            labels.add(label)
        elif wijst_naar_client:
            labels.add(label)
    return labels


def ontbrekend(paths, geen):
    return sorted(label for label in met_persoonsgegevens() if label not in paths | geen)


def test_every_model_with_personal_data_says_how_to_reach_its_client():
    assert not ontbrekend(set(audit.CLIENT_PATHS), audit.GEEN_CLIENT)
    # The check bites: leave one out and it is named.
    zonder = set(audit.CLIENT_PATHS) - {"toegang.melding"}
    assert ontbrekend(zonder, audit.GEEN_CLIENT) == ["toegang.melding"]


def test_every_client_path_is_a_valid_lookup_to_a_client_key():
    from toegang.models import Client

    for label, path in audit.CLIENT_PATHS.items():
        model = apps.get_model(label)
        list(model._base_manager.values_list(path, flat=True)[:1])  # FieldError if wrong
        if path != "pk":
            *_, veld = path.split("__")
            assert veld.endswith("_id") or veld == "pk", label
        else:
            pk = model._meta.pk
            assert pk.related_model in (Client, apps.get_model("toegang.persoon")) or (
                model is Client
            ), label


def test_record_names_the_client_of_objects_and_of_object_ids(refdata):
    dossier = dossier_in("0342")
    with CaptureQueriesContext(connection) as queries:
        row = audit.record("view", objects=[dossier])
    assert row.client_ids == [dossier.client_id]
    assert len(queries) == 1  # the INSERT only: the key is on the object
    with CaptureQueriesContext(connection) as queries:
        row = audit.record("view", object_type="toegang.dossier", object_ids=[dossier.pk])
    assert row.client_ids == [dossier.client_id]
    assert len(queries) == 2  # one values_list over the pks, one INSERT
    # Explicit client ids win; nonsense ids and unknown types give none and never crash.
    anders = dossier_in("0342")
    row = audit.record("view", object_type="toegang.dossier", client_ids=[anders.client_id])
    assert row.client_ids == [anders.client_id]
    assert audit.record("view", object_type="toegang.dossier", object_ids=["x"]).client_ids == []
    assert audit.record("view", object_type="iets.anders", object_ids=[1]).client_ids == []
    assert audit.record("login").client_ids == []


def test_a_consulents_read_of_a_dossier_names_the_client(client, refdata):
    user = consulent("c-leest", "0342")
    dossier = dossier_in("0342")
    client.force_login(user)
    assert client.get(f"/toegang/dossiers/{dossier.pk}/").status_code == 200
    rij = AuditEntry.objects.filter(actie="view", object_type="toegang.dossier").latest("id")
    assert rij.client_ids == [dossier.client_id]


# --- the privacy officer's screen ----------------------------------------------------------------


@pytest.fixture
def officer(refdata):
    user = UserFactory(username="pf-soest")
    grant(user, "privacyfunctionaris", gemeente="0342")
    return user


@pytest.fixture
def gekeken(client, refdata):
    """A dossier of 0342 that a consulent looked at, and one of 0308 looked at by Baarn."""
    eigen, vreemd = dossier_in("0342"), dossier_in("0308")
    for user, dossier in (
        (consulent("c-soest", "0342"), eigen),
        (consulent("c-baarn", "0308"), vreemd),
    ):
        client.force_login(user)
        assert (
            client.get(f"/toegang/dossiers/{dossier.pk}/", REMOTE_ADDR="10.9.8.7").status_code
            == 200
        )
    client.logout()
    return eigen, vreemd


def zoek_bsn(client, bsn):
    return client.post(ZOEK, {"bsn": bsn})


def test_officer_finds_own_client_by_bsn_and_sees_who_looked(client, officer, gekeken):
    eigen, _ = gekeken
    client.force_login(officer)
    assert client.get(ZOEK).status_code == 200
    bsn = eigen.client.persoon.bsn
    response = zoek_bsn(client, f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}")  # typed with dots
    assert response.status_code == 302
    assert response.url == f"/privacy/audit/client/{eigen.client_id}/"
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wie heeft dit dossier ingezien?" in html
    assert "c-soest" in html and "Inzage" in html and "10.9.8.7" in html and "dossier" in html
    assert f"/toegang/dossiers/{eigen.pk}/" in html  # the path
    assert "c-baarn" not in html  # rows about another client are not shown
    assert bsn not in html
    # Looking at the audit trail is itself audited, with the client.
    eigen_rij = AuditEntry.objects.filter(object_type="regio.auditentry").latest("id")
    assert (eigen_rij.actor, eigen_rij.actie, eigen_rij.client_ids) == (
        "pf-soest",
        "view",
        [eigen.client_id],
    )


def test_officer_finds_own_client_by_dossier_number(client, officer, gekeken):
    eigen, _ = gekeken
    client.force_login(officer)
    response = client.post(ZOEK, {"dossier": str(eigen.pk)})
    assert response.status_code == 302 and str(eigen.client_id) in response.url


def test_a_client_of_another_gemeente_is_not_found_and_not_confirmed(client, officer, gekeken):
    _, vreemd = gekeken
    client.force_login(officer)
    bestaat = zoek_bsn(client, vreemd.client.persoon.bsn)
    onbekend = zoek_bsn(client, valid_bsn(987654))
    for response in (bestaat, onbekend):
        assert response.status_code == 200
        assert "Niet gevonden" in response.content.decode()
    # The same answer whether or not the person exists elsewhere.
    assert bestaat.context["bsn_form"].errors == onbekend.context["bsn_form"].errors
    assert vreemd.client.persoon.geslachtsnaam not in bestaat.content.decode()
    by_number = client.post(ZOEK, {"dossier": str(vreemd.pk)})
    assert by_number.status_code == 200 and "Niet gevonden" in by_number.content.decode()
    # Straight to the page of the foreign client: 404, and the attempt is audited as denied.
    assert client.get(f"/privacy/audit/client/{vreemd.client_id}/").status_code == 404
    assert client.get(f"/privacy/audit/client/{vreemd.client_id}/?export=csv").status_code == 404
    geweigerd = AuditEntry.objects.filter(actor="pf-soest", resultaat="denied")
    assert geweigerd.filter(client_ids__contains=[vreemd.client_id]).exists()


def test_invalid_bsn_is_an_error_at_the_field(client, officer):
    client.force_login(officer)
    response = zoek_bsn(client, "123456789")
    assert response.status_code == 200
    assert response.context["bsn_form"].errors["bsn"]
    assert "elfproef" in response.content.decode()
    for bad in ({"dossier": "abc"}, {"dossier": "-1"}, {"dossier": "9" * 30}, {}):
        assert client.post(ZOEK, bad).status_code == 200


def test_only_the_privacy_officer_may_enter(client, gekeken):
    client.force_login(consulent("c-nieuwsgierig", "0342"))
    assert client.get(ZOEK).status_code == 403
    eigen, _ = gekeken
    assert client.get(f"/privacy/audit/client/{eigen.client_id}/").status_code == 403


def test_filter_by_period_and_action_and_bad_dates(client, officer, gekeken):
    eigen, _ = gekeken
    client.force_login(officer)
    url = f"/privacy/audit/client/{eigen.client_id}/"
    assert "c-soest" in client.get(url, {"actie": "view"}).content.decode()
    assert "c-soest" not in client.get(url, {"actie": "export"}).content.decode()
    assert (
        "c-soest"
        not in client.get(url, {"van": "2000-01-01", "tot": "2000-12-31"}).content.decode()
    )
    assert "c-soest" in client.get(url, {"q": "c-soe"}).content.decode()
    rommel = client.get(url, {"van": "gisteren", "tot": "2000-01-01", "actie": "x", "page": "zz"})
    assert rommel.status_code in (200, 404)  # an impossible page is 404, never a 500
    fout = client.get(url, {"van": "2026-02-01", "tot": "2026-01-01"})
    assert fout.status_code == 200 and "vóór de begindatum" in fout.content.decode()
    assert client.get(url, {"sort": "-gebruiker"}).status_code == 200


def test_paginated_newest_first(client, officer, refdata):
    dossier = dossier_in("0342")
    for n in range(55):
        audit.record("view", objects=[dossier], toelichting={"n": n})
    client.force_login(officer)
    url = f"/privacy/audit/client/{dossier.client_id}/"
    eerste = client.get(url)
    regels = list(eerste.context["object_list"])
    assert len(regels) == 50 and eerste.context["is_paginated"]
    assert regels[0].toelichting == {"n": 54}
    tweede = client.get(url, {"page": 2})
    assert [r.toelichting for r in tweede.context["object_list"]][-1] == {"n": 0}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_works_and_is_audited_with_the_client(client, officer, gekeken, fmt):
    eigen, _ = gekeken
    client.force_login(officer)
    response = client.get(
        f"/privacy/audit/client/{eigen.client_id}/", {"export": fmt, "actie": "view"}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Tijdstip", "Gebruiker", "Actie"]
        assert any(r[1] == "c-soest" and r[2] == "Inzage" and r[3] == "dossier" for r in rows[1:])
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert any(row[1] == "c-soest" for row in sheet.iter_rows(values_only=True))
    export = AuditEntry.objects.filter(actie="export").latest("id")
    assert (export.actor, export.client_ids) == ("pf-soest", [eigen.client_id])


def test_bsn_never_in_an_audit_row_or_url(client, officer, gekeken):
    eigen, vreemd = gekeken
    client.force_login(officer)
    urls = []
    for bsn in (eigen.client.persoon.bsn, vreemd.client.persoon.bsn, valid_bsn(4242)):
        response = zoek_bsn(client, bsn)
        if response.status_code == 302:
            urls.append(response.url)
            client.get(response.url)
            client.get(response.url, {"export": "csv"})
    assert urls
    dump = str(list(AuditEntry.objects.values()))
    for bsn in (eigen.client.persoon.bsn, vreemd.client.persoon.bsn, valid_bsn(4242)):
        assert bsn not in dump
        assert all(bsn not in url for url in urls)
        assert not AuditEntry.objects.filter(pad__contains=bsn).exists()


# --- every download is audited -------------------------------------------------------------------


def test_downloads_are_audited(client, refdata):
    """A handful of the project's downloads, each leaves an export row (with the client where
    the file is about one)."""
    user = consulent("c-download", "0342")
    dossier = dossier_in("0342")
    client.force_login(user)
    upload = client.post(
        f"/toegang/dossiers/{dossier.pk}/documenten/nieuw/",
        {"soort": "upload", "bestand": SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%...")},
    )
    assert upload.status_code == 302
    document = dossier.documenten.get()

    def export_rijen():
        return AuditEntry.objects.filter(actie="export").count()

    voor = export_rijen()
    assert client.get(f"/toegang/documenten/{document.pk}/download/").status_code == 200
    assert export_rijen() == voor + 1
    rij = AuditEntry.objects.filter(actie="export").latest("id")
    assert (rij.object_type, rij.client_ids) == ("toegang.document", [dossier.client_id])

    # A job's result file.
    regio = Regio.objects.get(code="amersfoort")
    ct = UserFactory(username="ct-download")
    grant(ct, "centrale-toegang", regio=regio)
    run = JobRun.objects.create(soort="regio.ledenoverzicht", regio=regio, status="gereed")
    bestand = JobResultaat(jobrun=run, naam="leden.csv", content_type="text/csv")
    bestand.bestand.save("leden.csv", ContentFile(b"a;b\n"), save=True)
    client.force_login(ct)
    voor = export_rijen()
    response = client.get(f"/taken/{run.pk}/bestanden/{bestand.pk}/")
    assert response.status_code == 200, response.status_code
    assert export_rijen() == voor + 1

    # A list export (CSV) and the regio overview as PDF.
    voor = export_rijen()
    assert client.get("/toegang/wachtlijst/", {"export": "csv"}).status_code == 200
    assert client.get(f"/regio/{regio.code}/overzicht.pdf").status_code == 200
    assert export_rijen() == voor + 2


# --- login attempts ------------------------------------------------------------------------------


def test_login_attempts_of_own_staff_only(client, officer):
    eigen = consulent("c-inlog-soest", "0342")
    consulent("c-inlog-baarn", "0308")
    for username in ("c-inlog-soest", "c-inlog-baarn", "niemand"):
        audit.record(
            "login_failed",
            resultaat="denied",
            toelichting={"gebruikersnaam": username},
            actor=None,
        )
    audit.record("login", actor=eigen, object_type="regio.user", object_ids=[eigen.pk])
    client.force_login(officer)
    page = client.get("/privacy/audit/inloggen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("c-inlog-soest") == 2 and "Mislukte login" in html and "Ingelogd" in html
    assert "c-inlog-baarn" not in html and "niemand" not in html
    assert page.context["mislukt"] == 1
    alleen_mislukt = client.get("/privacy/audit/inloggen/", {"actie": "login_failed"})
    assert [r.actie for r in alleen_mislukt.context["object_list"]] == ["login_failed"]
    export = client.get("/privacy/audit/inloggen/", {"export": "csv"})
    assert export.status_code == 200 and "c-inlog-soest" in export.content.decode("utf-8-sig")
    assert "c-inlog-baarn" not in export.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(actor="pf-soest", actie="export").exists()
    assert client.get("/privacy/audit/inloggen/", {"van": "x", "actie": "view"}).status_code == 200
    client.force_login(eigen)
    assert client.get("/privacy/audit/inloggen/").status_code == 403
