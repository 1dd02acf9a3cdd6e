import pytest
from django.test import override_settings

from config.embedded import free_port


@pytest.mark.worker
@pytest.mark.django_db
def test_health_ok_with_database_broker_and_worker(client, celery_worker_thread):
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert all(body["checks"][name]["ok"] for name in ("database", "broker", "worker"))


@pytest.mark.django_db
def test_health_503_when_broker_is_down(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["regiozorg.test"])
def test_liveness_needs_nothing_and_readiness_no_worker(client):
    """A Kubernetes probe: the kubelet calls the pod's own address (not an allowed host) over
    plain HTTP; liveness asks only whether the process answers, readiness whether it can serve
    (database and broker), never whether a worker runs."""
    live = client.get("/health/live/", HTTP_HOST="10.1.2.3:8000")
    assert live.status_code == 200 and live.json() == {"status": "ok", "checks": {}}
    ready = client.get("/health/ready/", HTTP_HOST="10.1.2.3:8000")
    assert ready.status_code == 200, ready.json()
    assert set(ready.json()["checks"]) == {"database", "broker"}
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        assert client.get("/health/ready/", HTTP_HOST="10.1.2.3").status_code == 503
        assert client.get("/health/live/", HTTP_HOST="10.1.2.3").status_code == 200
    # Anything else from such a host is still refused.
    assert client.get("/health/", HTTP_HOST="10.1.2.3").status_code == 400
