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
