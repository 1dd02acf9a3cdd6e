"""The deployment files agree with the settings: docker-compose.yml, Dockerfile and
README.md. None of these tests needs a database."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_DOC = ROOT / "README.md"

APP_SERVICES = ("web-init", "web", "worker", "worker-batch", "beat")
MINIO_SERVICES = ("minio", "minio-init")  # profile "minio": object storage on the same machine
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES, *MINIO_SERVICES)
REQUIRED_ON_APP_SERVICES = (
    "DJANGO_SECRET_KEY",
    "REGIOZORG_BSN_HASH_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "POSTGRES_HOST",
    "REDIS_URL",
)
SECRETS = ("DJANGO_SECRET_KEY", "REGIOZORG_BSN_HASH_KEY", "POSTGRES_PASSWORD")
# Needed only with the "minio" profile: compose interpolates every service, whatever profile is
# active, so these cannot be ${NAME:?...}; still never a value in the file.
OPTIONAL_SECRETS = ("REGIOZORG_S3_SECRET_ACCESS_KEY", "MINIO_ROOT_PASSWORD")

READ_SCRIPT = (
    "import os, json; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; "
    "import django; from django.conf import settings; settings.INSTALLED_APPS; "
    "from config.env import READ; print(json.dumps(sorted(READ)))"
)


@pytest.fixture(scope="module")
def read_vars() -> set[str]:
    """The environment variables the production settings read (config.env.READ), found by
    importing them in a fresh interpreter with dummy values for the required ones."""
    env = dict(os.environ)
    env.update(
        DJANGO_SECRET_KEY="dummy-secret-key-for-test-deployment",
        REGIOZORG_BSN_HASH_KEY="dummy-bsn-hash-key-for-test-deployment",
        DJANGO_ALLOWED_HOSTS="regiozorg.test",
    )
    result = subprocess.run(
        [sys.executable, "-c", READ_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        "importing config.settings.production with dummy required variables failed "
        f"(exit {result.returncode}):\n{result.stderr}"
    )
    names = json.loads(result.stdout.strip().splitlines()[-1])
    assert names, "config.env.READ is empty: the production settings read no variables?"
    return set(names)


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict), "docker-compose.yml is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    services = compose.get("services")
    assert isinstance(services, dict), "docker-compose.yml has no `services:` mapping"
    return services


def command_text(service: dict) -> str:
    """A service's command (string or list) as one space-separated string."""
    command = service.get("command", "")
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command)


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or as a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    assert DOCKERFILE.is_file(), f"{DOCKERFILE} is missing"
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    if current:
        logical.append(current)
    pairs = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        pairs.append((instruction.upper(), args.strip()))
    return pairs


# docker-compose.yml: services and what they run


def test_compose_has_no_version_key(compose):
    assert "version" not in compose, (
        "docker-compose.yml has a top-level `version:` key; the Compose Specification drops it"
    )


def test_compose_has_all_services(services):
    missing = [name for name in ALL_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks the service(s) {missing}"


def test_web_init_migrates_and_collects_static(services):
    command = command_text(services["web-init"])
    assert "manage.py migrate" in command, (
        f"web-init does not run `manage.py migrate`; its command is {command!r}"
    )
    assert "manage.py collectstatic" in command, (
        f"web-init does not run `manage.py collectstatic`; its command is {command!r}"
    )
    assert "manage.py referentiedata" in command, (
        f"web-init does not load gemeenten and regio's (manage.py referentiedata): {command!r}"
    )
    assert str(services["web-init"].get("restart", "no")) == "no", (
        'web-init is a one-shot job and must have restart: "no", not '
        f"{services['web-init'].get('restart')!r}"
    )


def test_web_runs_gunicorn(services):
    command = command_text(services["web"])
    assert re.search(r"\bgunicorn\b.*\bconfig\.wsgi(:application)?\b", command), (
        f"web does not run gunicorn with config.wsgi; its command is {command!r}"
    )
    assert "8000" in command, f"web's gunicorn is not bound to port 8000: {command!r}"
    assert "-c config/gunicorn.conf.py" in command, f"web's gunicorn lacks our config: {command!r}"


def test_worker_runs_celery_worker(services):
    command = command_text(services["worker"])
    assert "celery -A config worker" in command, (
        f"worker does not run `celery -A config worker`; its command is {command!r}"
    )


def wachtrijen_van(command: str) -> set[str]:
    match = re.search(r"-Q (\S+)", command)
    return set(match.group(1).split(",")) if match else set()


def test_each_queue_has_its_own_worker(services):
    """Every queue a task is routed to is consumed, by a worker of its own."""
    from django.conf import settings

    routed = {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    per_worker = {
        name: wachtrijen_van(command_text(s))
        for name, s in services.items()
        if "celery -A config worker" in command_text(s)
    }
    assert per_worker == {"worker": {"interactive"}, "worker-batch": {"batch"}}
    assert set().union(*per_worker.values()) == routed


def test_beat_runs_celery_beat(services):
    command = command_text(services["beat"])
    assert "celery -A config beat" in command, (
        f"beat does not run `celery -A config beat`; its command is {command!r}"
    )


@pytest.mark.parametrize(
    "name", ["web", "worker", "worker-batch", "beat", "postgres", "redis", "minio"]
)
def test_service_has_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")
    assert isinstance(healthcheck, dict) and healthcheck.get("test"), (
        f"service {name} has no healthcheck with a `test`"
    )
    assert not healthcheck.get("disable"), f"service {name} disables its healthcheck"


def test_web_healthcheck_calls_health_endpoint(services):
    test = services["web"]["healthcheck"]["test"]
    test = " ".join(test) if isinstance(test, list) else str(test)
    assert "/health/" in test, f"web's healthcheck does not request /health/: {test!r}"


def test_web_waits_for_web_init(services):
    depends_on = services["web"].get("depends_on")
    assert isinstance(depends_on, dict) and "web-init" in depends_on, (
        "web must depend on web-init in the long form "
        "(`depends_on: {web-init: {condition: service_completed_successfully}}`), "
        f"not {depends_on!r}"
    )
    condition = (depends_on["web-init"] or {}).get("condition")
    assert condition == "service_completed_successfully", (
        f"web depends on web-init with condition {condition!r}, "
        "not service_completed_successfully: it could start before the migrations ran"
    )


def test_app_services_share_one_image(services):
    def build_of(name):
        service = services[name]
        build = service.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if build is not None:
            build = {
                "context": (ROOT / build.get("context", ".")).resolve(),
                "dockerfile": build.get("dockerfile", "Dockerfile"),
            }
        return build, service.get("image")

    builds = {name: build_of(name) for name in APP_SERVICES}
    for name, (build, image) in builds.items():
        assert build is not None or image, f"service {name} has neither `build` nor `image`"
        if build is not None:
            assert build["context"] == ROOT and build["dockerfile"] == "Dockerfile", (
                f"service {name} does not build from the repository's Dockerfile: {build!r}"
            )
    distinct = {repr(value) for value in builds.values()}
    listing = ", ".join(f"{name}={value!r}" for name, value in builds.items())
    assert len(distinct) == 1, f"the app services do not all use the same build/image: {listing}"


# docker-compose.yml: environment variables


def test_app_services_set_only_variables_the_settings_read(services, read_vars):
    for name in APP_SERVICES:
        unknown = sorted(set(environment(services[name])) - read_vars)
        assert not unknown, (
            f"service {name} sets {unknown}, which config.settings.production does not read "
            f"(it reads {sorted(read_vars)})"
        )


def test_app_services_set_the_required_variables(services):
    for name in APP_SERVICES:
        env = environment(services[name])
        missing = [var for var in REQUIRED_ON_APP_SERVICES if var not in env]
        assert not missing, f"service {name} does not set {missing}"


def test_compose_holds_no_literal_secrets(services):
    for name, service in services.items():
        for var, value in environment(service).items():
            if var in SECRETS:
                assert re.fullmatch(r"\$\{" + var + r":\?[^}]*\}", value), (
                    f"service {name} sets {var} to {value!r}; secrets must come from the .env "
                    f"file as ${{{var}:?message}}"
                )
            if var in OPTIONAL_SECRETS:
                assert value == f"${{{var}:-}}", (
                    f"service {name} sets {var} to {value!r}, not ${{{var}:-}} from the .env file"
                )


# docker-compose.yml: MinIO (profile "minio")


def test_minio_is_optional_and_pinned(services):
    for name in MINIO_SERVICES:
        assert services[name].get("profiles") == ["minio"], f"{name} is not in the minio profile"
        image = services[name]["image"]
        assert re.fullmatch(r"quay\.io/minio/(minio|mc):RELEASE\.[0-9T-]+Z", image), (
            f"{name}'s image {image!r} is not a pinned MinIO release"
        )
    minio = services["minio"]
    assert command_text(minio) == "server /data --console-address :9001"
    assert any(str(v).startswith("minio-data:/data") for v in minio["volumes"])
    assert services["minio-init"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert str(services["minio-init"]["restart"]) == "no"


def test_minio_init_makes_the_bucket_and_a_key_for_it_alone(services):
    script = command_text(services["minio-init"])
    env = environment(services["minio-init"])
    assert env["REGIOZORG_S3_BUCKET"] == "${REGIOZORG_S3_BUCKET:-}"
    assert 'mc mb "local/$$B"' in script and 'B="$$REGIOZORG_S3_BUCKET"' in script
    assert 'mc anonymous set none "local/$$B"' in script  # private: no anonymous reads
    assert 'mc admin user add local "$$KEY" "$$REGIOZORG_S3_SECRET_ACCESS_KEY"' in script
    assert '"Resource": ["arn:aws:s3:::\'"$$B"\'/*"]' in script  # that bucket only
    assert 'mc admin policy attach local regiozorg-bucket --user "$$KEY"' in script


def test_what_uses_files_reaches_minio_when_it_runs(services):
    for name in APP_SERVICES:
        env = environment(services[name])
        assert env["REGIOZORG_S3_BUCKET"] == "${REGIOZORG_S3_BUCKET:-}"  # empty: media volume
        # Unset: the minio service; set empty in .env: AWS itself.
        assert env["REGIOZORG_S3_ENDPOINT_URL"] == "${REGIOZORG_S3_ENDPOINT_URL-http://minio:9000}"
        assert env["REGIOZORG_S3_ACCESS_KEY_ID"] == "${REGIOZORG_S3_ACCESS_KEY_ID:-}"
    for name in ("web", "worker", "worker-batch"):
        # Waits for the bucket when the profile is on; without it minio-init is not required.
        assert services[name]["depends_on"]["minio-init"] == {
            "condition": "service_completed_successfully", "required": False,
        }  # fmt: skip


# Dockerfile


def test_dockerfile_installs_prod_requirements():
    runs = [args for instruction, args in dockerfile_instructions() if instruction == "RUN"]
    assert any(
        re.search(r"pip3? install\b.*-r\s+\S*requirements-prod\.lock", run) for run in runs
    ), "no RUN in the Dockerfile does `pip install -r requirements-prod.lock`"
    copies = [args for instruction, args in dockerfile_instructions() if instruction == "COPY"]
    assert any("requirements-prod.lock" in c or c.split()[0] == "." for c in copies), (
        "the Dockerfile does not COPY requirements-prod.lock into the image"
    )


def test_dockerfile_installs_weasyprint_libraries():
    runs = " ".join(args for instruction, args in dockerfile_instructions() if instruction == "RUN")
    missing = [
        lib
        for lib in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")
        if lib not in runs
    ]
    assert not missing, f"the Dockerfile does not apt-get install {missing}, which WeasyPrint needs"


def test_dockerfile_uses_production_settings():
    values = {}
    for instruction, args in dockerfile_instructions():
        if instruction != "ENV":
            continue
        if "=" in args.split()[0]:
            for pair in re.findall(r"(\S+?)=(\"[^\"]*\"|\S+)", args):
                values[pair[0]] = pair[1].strip('"')
        else:
            key, _, value = args.partition(" ")
            values[key] = value.strip().strip('"')
    assert values.get("DJANGO_SETTINGS_MODULE") == "config.settings.production", (
        "the Dockerfile does not set ENV DJANGO_SETTINGS_MODULE=config.settings.production "
        f"(it sets {values.get('DJANGO_SETTINGS_MODULE')!r})"
    )


def test_dockerfile_does_not_run_as_root():
    users = [args for instruction, args in dockerfile_instructions() if instruction == "USER"]
    assert users, "the Dockerfile has no USER line: the containers would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"the Dockerfile's last USER is {users[-1]!r}, i.e. root"


def test_dockerfile_runs_gunicorn_on_8000():
    instructions = dockerfile_instructions()
    cmds = [args for instruction, args in instructions if instruction == "CMD"]
    assert cmds and "gunicorn" in cmds[-1] and "config.wsgi:application" in cmds[-1], (
        f"the Dockerfile's CMD does not run gunicorn config.wsgi:application: {cmds!r}"
    )
    assert '"-c", "config/gunicorn.conf.py"' in cmds[-1], f"CMD lacks our gunicorn config: {cmds!r}"
    exposed = " ".join(args for instruction, args in instructions if instruction == "EXPOSE")
    assert "8000" in exposed.split(), f"the Dockerfile does not EXPOSE 8000 (EXPOSE {exposed!r})"


# README.md


def documented_table_names() -> set[str]:
    """The backticked names in the first column of the Markdown tables."""
    names = set()
    for line in ENV_DOC.read_text().splitlines():
        match = re.match(r"\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", line)
        if match:
            names.add(match.group(1))
    return names


def test_every_read_variable_is_documented(read_vars):
    assert ENV_DOC.is_file(), f"{ENV_DOC} is missing"
    text = ENV_DOC.read_text()
    missing = sorted(name for name in read_vars if f"`{name}`" not in text)
    assert not missing, (
        f"README.md does not document {missing} (as `NAME` in its table), "
        "which config.settings.production reads"
    )


def test_documented_variables_exist(read_vars):
    substituted = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", COMPOSE_FILE.read_text()))
    stale = sorted(documented_table_names() - read_vars - substituted)
    assert not stale, (
        f"README.md documents {stale}, which neither the production settings read "
        "nor docker-compose.yml substitutes"
    )


def test_production_shares_one_cache_so_the_api_rate_limit_counts_across_processes():
    script = (
        "import os, json; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; "
        "import django; from django.conf import settings; "
        "print(json.dumps([settings.CACHES['default']['BACKEND'], "
        "settings.CACHES['default']['LOCATION']]))"
    )
    env = dict(
        os.environ,
        DJANGO_SECRET_KEY="dummy-secret-key-for-test-deployment",
        REGIOZORG_BSN_HASH_KEY="dummy-bsn-hash-key-for-test-deployment",
        DJANGO_ALLOWED_HOSTS="regiozorg.test",
        REDIS_URL="redis://redis:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    backend, location = json.loads(result.stdout.strip().splitlines()[-1])
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert location == "redis://redis:6379/0"


def test_gunicorn_config_loads_and_freezes_the_imported_objects_in_each_worker():
    import gc
    import os
    import runpy
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    checked = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "config/gunicorn.conf.py",
         "config.wsgi:application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr[-2000:]
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        config["post_worker_init"](None)
        assert gc.get_freeze_count() > before + 10_000
    finally:
        gc.unfreeze()
