"""The Kubernetes manifests (deploy/kubernetes/) are valid resources and agree with the settings,
as the compose file does (tests/test_deployment.py). Offline: kubernetes-validate carries the
schemas. None of these tests needs a database."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from tests.test_deployment import SECRETS, read_vars  # noqa: F401 (a fixture)

MAP = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"
KUBERNETES = "1.37.0"


def _documenten():
    for pad in sorted(MAP.glob("*.yaml")):
        for doc in yaml.safe_load_all(pad.read_text(encoding="utf-8")):
            if doc:
                yield pad.name, doc


DOCUMENTEN = list(_documenten())


def soort(kind: str) -> list[dict]:
    return [doc for _, doc in DOCUMENTEN if doc["kind"] == kind]


def een(kind: str, naam: str) -> dict:
    (doc,) = [d for d in soort(kind) if d["metadata"]["name"] == naam]
    return doc


def pod_specs():
    for doc in soort("Deployment") + soort("Job"):
        yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def containers():
    for naam, spec in pod_specs():
        for c in spec.get("initContainers", []) + spec["containers"]:
            yield naam, c


def commando(deployment: str) -> str:
    container = een("Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]
    return " ".join(container.get("command", []))  # PgBouncer runs its image's entrypoint


def test_there_is_every_part_of_the_installation():
    namen = {(doc["kind"], doc["metadata"]["name"]) for _, doc in DOCUMENTEN}
    assert {
        ("Deployment", "regiozorg-web"), ("Service", "regiozorg-web"),
        ("Deployment", "regiozorg-worker-interactive"), ("Deployment", "regiozorg-worker-batch"),
        ("Deployment", "regiozorg-beat"), ("Job", "regiozorg-migrate"),
        ("ConfigMap", "regiozorg-config"), ("Secret", "regiozorg-secrets"),
        ("PersistentVolumeClaim", "regiozorg-media"),
        ("HorizontalPodAutoscaler", "regiozorg-web"),
        ("HorizontalPodAutoscaler", "regiozorg-worker-interactive"),
        ("HorizontalPodAutoscaler", "regiozorg-worker-batch"),
        ("PodDisruptionBudget", "regiozorg-web"),
        ("PodDisruptionBudget", "regiozorg-worker-interactive"),
        ("PodDisruptionBudget", "regiozorg-worker-batch"),
    } <= namen  # fmt: skip


@pytest.mark.parametrize(
    "bestand,doc",
    DOCUMENTEN,
    ids=[f"{b}:{d['kind']}/{d['metadata']['name']}" for b, d in DOCUMENTEN],
)
def test_every_manifest_is_a_valid_kubernetes_resource(bestand, doc):
    # strict: an unknown or misspelt field is an error too, not silently ignored by the cluster.
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_configmap_and_secret_hold_exactly_what_the_production_settings_read(read_vars):  # noqa: F811
    config = set(een("ConfigMap", "regiozorg-config")["data"])
    geheim = set(een("Secret", "regiozorg-secrets")["stringData"])
    assert not config & geheim
    ontbreekt, onbekend = read_vars - config - geheim, (config | geheim) - read_vars
    assert not ontbreekt and not onbekend, f"missing: {ontbreekt}, not read: {onbekend}"
    assert set(SECRETS) <= geheim and not set(SECRETS) & config


def test_every_container_reads_both_and_has_resources():
    for naam, c in containers():
        assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"], naam
        assert c["resources"]["requests"]["cpu"], naam
        if not c["image"].startswith("regiozorg:"):
            continue  # PgBouncer reads its own ConfigMap and the password only (test_pgbouncer)
        bronnen = {next(iter(b.values()))["name"] for b in c["envFrom"]}
        assert bronnen == {"regiozorg-config", "regiozorg-secrets"}, naam
    for naam, spec in pod_specs():
        assert spec["securityContext"]["runAsNonRoot"] is True, naam


def test_web_runs_at_least_two_pods_with_live_and_ready_probes():
    web = een("Deployment", "regiozorg-web")
    assert web["spec"]["replicas"] >= 2
    assert een("HorizontalPodAutoscaler", "regiozorg-web")["spec"]["minReplicas"] >= 2
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert "gunicorn" in container["command"]
    live = container["livenessProbe"]["httpGet"]["path"]
    ready = container["readinessProbe"]["httpGet"]["path"]
    assert (live, ready) == ("/health/live/", "/health/ready/")
    assert resolve(live).url_name == "health-live" and resolve(ready).url_name == "health-ready"


def test_each_queue_has_its_own_workers():
    routed = {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    for wachtrij in routed:
        assert f"-Q {wachtrij} " in commando(f"regiozorg-worker-{wachtrij}") + " "
    namen = [d["metadata"]["name"] for d in soort("Deployment")]
    workers = [n for n in namen if "celery -A config worker" in commando(n)]
    assert len(workers) == len(routed)


def test_beat_is_one_and_never_scaled():
    beat = een("Deployment", "regiozorg-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert "celery -A config beat" in commando("regiozorg-beat")
    doelen = {h["spec"]["scaleTargetRef"]["name"] for h in soort("HorizontalPodAutoscaler")}
    assert "regiozorg-beat" not in doelen
    assert doelen <= {d["metadata"]["name"] for d in soort("Deployment")}


def test_disruption_budgets_select_real_pods():
    labels = [d["spec"]["template"]["metadata"]["labels"] for d in soort("Deployment")]
    for pdb in soort("PodDisruptionBudget"):
        kies = pdb["spec"]["selector"]["matchLabels"]
        assert any(kies.items() <= pod.items() for pod in labels), pdb["metadata"]["name"]


def test_the_migrate_job_migrates_and_loads_the_reference_data():
    job = een("Job", "regiozorg-migrate")
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "manage.py migrate" in command and "manage.py referentiedata" in command


def test_workers_and_web_share_the_media_volume():
    pvc = een("PersistentVolumeClaim", "regiozorg-media")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    media = een("ConfigMap", "regiozorg-config")["data"]["DJANGO_MEDIA_ROOT"]
    for naam in ("regiozorg-web", "regiozorg-worker-interactive", "regiozorg-worker-batch"):
        spec = een("Deployment", naam)["spec"]["template"]["spec"]
        assert {"name": "media", "persistentVolumeClaim": {"claimName": "regiozorg-media"}} in spec[
            "volumes"
        ]
        assert {"name": "media", "mountPath": media} in spec["containers"][0]["volumeMounts"]
