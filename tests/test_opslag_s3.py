# ruff: noqa: F811 (the fixtures imported from tests.test_toegang_beschikking are parameters)
"""Files in S3-compatible object storage (README "Shared object storage"): the storage the
production settings configure with REGIOZORG_S3_BUCKET, run against moto's S3 server started on
127.0.0.1 for this module. A letter written by this process is read by another process with its
own Django (production settings) pointed at the same server; downloads stream the object through
the views with its SHA-256 checked, a tampered object is refused, and nothing is written under
MEDIA_ROOT."""

import hashlib
import json
import logging
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from moto.server import ThreadedMotoServer

from regio.jobs import JobContext
from regio.models import AuditEntry, JobRun, Regio
from tests.factories import UserFactory, grant
from tests.omgeving import subprocess_omgeving
from tests.test_toegang_beschikking import (  # noqa: F401 (fixtures)
    catalogus,
    dossier,
    soest_a,
    soest_b,
    vastgesteld,
    vers,
)
from toegang.beschikkingen import services

ROOT = Path(__file__).resolve().parents[1]
REGIO = "eu-central-1"
SLEUTEL, GEHEIM = "regiozorg-test-sleutel", "regiozorg-test-geheim"


@pytest.fixture(scope="module")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def productie_omgeving(endpoint: str, bucket: str) -> dict:
    """The environment of a production process using the object storage."""
    return subprocess_omgeving(
        REGIOZORG_S3_BUCKET=bucket,
        REGIOZORG_S3_ENDPOINT_URL=endpoint,
        REGIOZORG_S3_REGION=REGIO,
        REGIOZORG_S3_ACCESS_KEY_ID=SLEUTEL,
        REGIOZORG_S3_SECRET_ACCESS_KEY=GEHEIM,
    )


def in_productie(endpoint: str, bucket: str, code: str, *args: str) -> str:
    """Run ``code`` in a new interpreter with the production settings and Django set up."""
    script = "import django, sys; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=productie_omgeving(endpoint, bucket),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def productie_opslag(s3_server):
    """The default storage as config.settings.production makes it from the environment."""
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES))"
    return json.loads(in_productie(s3_server, "regiozorg-bestanden", code))["default"]


@dataclass
class S3:
    endpoint: str
    bucket: str
    client: object
    media_root: Path

    def inhoud(self, naam: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=naam)["Body"].read()

    def vervals(self, naam: str, inhoud: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=naam, Body=inhoud)

    def niets_lokaal(self) -> bool:
        return not [p for p in self.media_root.rglob("*") if p.is_file()]


@pytest.fixture
def s3(s3_server, productie_opslag, settings, tmp_path):
    """This process stores its files in a new bucket, as production does with S3 set."""
    bucket = f"regiozorg-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_server, region_name=REGIO,
        aws_access_key_id=SLEUTEL, aws_secret_access_key=GEHEIM,
    )  # fmt: skip
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGIO})
    opties = {**productie_opslag["OPTIONS"], "bucket_name": bucket}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {**productie_opslag, "OPTIONS": opties}}
    return S3(s3_server, bucket, client, tmp_path / "media")


def test_production_settings_make_a_private_s3_storage_from_the_environment(productie_opslag):
    assert productie_opslag["BACKEND"] == "storages.backends.s3.S3Storage"
    opties = productie_opslag["OPTIONS"]
    assert opties["bucket_name"] == "regiozorg-bestanden"
    assert opties["endpoint_url"].startswith("http://127.0.0.1:")
    assert (opties["region_name"], opties["access_key"], opties["secret_key"]) == (
        REGIO, SLEUTEL, GEHEIM,
    )  # fmt: skip
    # Private objects, no signed links: every file is streamed through Django.
    assert opties["default_acl"] is None and opties["querystring_auth"] is False
    assert opties["file_overwrite"] is False


def test_without_a_bucket_production_keeps_the_local_filesystem():
    env = productie_omgeving("", "")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_a_letter_written_here_is_read_by_another_process(s3, dossier, soest_a, soest_b):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    document = vers(b).brief
    naam = document.bestand.name
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert hashlib.sha256(s3.inhoud(naam)).hexdigest() == document.sha256
    assert "X-Amz-Signature" not in default_storage.url(naam)  # no signed link handed out

    # Another process, its own Django with the production settings, the same bucket: it reads
    # the letter and writes a result of its own, which this process reads in turn.
    code = (
        "import hashlib, os\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "with default_storage.open(sys.argv[1], 'rb') as f:\n"
        "    digest = hashlib.sha256(f.read()).hexdigest()\n"
        "naam = default_storage.save('jobs/0/uit-ander-proces.csv', ContentFile(b'a;b\\n'))\n"
        "print(os.getpid(), type(default_storage._wrapped).__name__, digest, naam)"
    )
    pid, opslag, digest, andere = in_productie(s3.endpoint, s3.bucket, code, naam).split()
    assert int(pid) != os.getpid() and opslag == "S3Storage"
    assert digest == document.sha256
    with default_storage.open(andere, "rb") as f:
        assert f.read() == b"a;b\n"
    assert s3.niets_lokaal()


def test_downloads_stream_the_letter_from_s3_with_its_hash_checked(
    s3,
    dossier,
    soest_a,
    soest_b,
    client,
):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    document = vers(b).brief
    client.force_login(soest_a)

    brief = client.get(reverse("toegang:beschikking-brief", args=[b.pk]))
    assert brief.status_code == 200 and brief["Content-Type"] == "application/pdf"
    assert hashlib.sha256(brief.content).hexdigest() == document.sha256

    download = client.get(reverse("toegang:document-download", args=[document.pk]))
    assert download.status_code == 200 and download.streaming
    inhoud = b"".join(download.streaming_content)
    assert hashlib.sha256(inhoud).hexdigest() == document.sha256
    assert AuditEntry.objects.filter(
        actie="export", object_type="toegang.document", object_ids=[str(document.pk)],
        resultaat="ok",
    ).count() == 2  # fmt: skip
    assert s3.niets_lokaal()


def test_a_tampered_object_is_refused_by_every_download(s3, dossier, soest_a, soest_b, client):
    b = vastgesteld(dossier, soest_a, soest_b)
    services.maak_bekend(b, soest_b)
    document = vers(b).brief
    s3.vervals(document.bestand.name, b"%PDF-1.7 een andere brief")
    client.force_login(soest_a)

    for url in (
        reverse("toegang:beschikking-brief", args=[b.pk]),
        reverse("toegang:document-download", args=[document.pk]),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain, url  # back to a page, not the file
        assert "vingerafdruk (SHA-256)" in response.content.decode(), url
        assert b"een andere brief" not in response.content
    geweigerd = AuditEntry.objects.filter(
        actie="export", object_type="toegang.document", resultaat="error"
    )
    assert geweigerd.count() == 2
    assert not AuditEntry.objects.filter(
        actie="export", object_type="toegang.document", resultaat="ok"
    ).exists()


def test_a_job_result_in_s3_is_streamed_checked_and_refused_when_tampered(s3, client, refdata):
    regio = Regio.objects.get(code="amersfoort")
    ct = UserFactory(username="ct-s3")
    grant(ct, "centrale-toegang", regio=regio)
    run = JobRun.objects.create(soort="regio.ledenoverzicht", regio=regio, status="gereed")
    resultaat = JobContext(run).add_file("leden.csv", b"gemeente;leden\n0342;1\n", "text/csv")
    assert resultaat.sha256 == hashlib.sha256(b"gemeente;leden\n0342;1\n").hexdigest()
    assert s3.inhoud(resultaat.bestand.name) == b"gemeente;leden\n0342;1\n"
    client.force_login(ct)
    url = reverse("regio:jobrun-bestand", args=[run.pk, resultaat.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"gemeente;leden\n0342;1\n"

    s3.vervals(resultaat.bestand.name, b"gemeente;leden\n0342;999\n")
    response = client.get(url)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(actie="export", resultaat="error").count() == 1
    assert s3.niets_lokaal()


def test_the_letterhead_logo_is_read_through_the_storage(s3, dossier, soest_a, soest_b):
    from regio.models import Gemeente
    from regio.pdf import logo_uri

    soest = Gemeente.objects.get(code="0342")
    soest.logo.save("soest.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    assert logo_uri(soest).startswith("data:image/svg+xml;base64,")
    assert s3.niets_lokaal()


def test_check_deploy_is_clean_with_object_storage(s3_server):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=productie_omgeving(s3_server, "regiozorg-bestanden"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
