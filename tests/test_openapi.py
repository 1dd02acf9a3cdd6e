import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_committed_openapi_schema_is_current(tmp_path):
    """openapi.yaml is the API's contract for provider systems: regenerate it with
    `make openapi` whenever the API changes."""
    generated = tmp_path / "openapi.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn",
         "--file", str(generated)],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert generated.read_text() == (ROOT / "openapi.yaml").read_text(), (
        "openapi.yaml is out of date: run `make openapi`"
    )


def test_schema_endpoint_is_public(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/gemeenten/" in response.content
