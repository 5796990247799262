"""A real Airflow 3 deployment on loopback for tests: api-server, scheduler, dag-processor and a
Celery worker (CeleryExecutor, Redis broker), metadata in its own PostgreSQL database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

from tests.conftest import ROOT, with_dbname

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("NEWSFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(url: str = REDIS_URL) -> bool:
    host, port = url.split("//")[1].split("/")[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class AirflowCluster:
    """Start with .start(); drive with .trigger()/.wait_run(); always .stop()."""

    def __init__(self, home: Path, admin_url: str, extra_env: dict[str, str]) -> None:
        self.home = home
        self.admin_url = admin_url
        self.meta_db = f"newsflow_airflow_{uuid.uuid4().hex[:10]}"
        meta = with_dbname(admin_url, self.meta_db)
        info = psycopg.conninfo.conninfo_to_dict(meta)
        sa_url = (
            f"postgresql+psycopg2://{info.get('user', 'postgres')}@{info.get('host')}:"
            f"{info.get('port', 5432)}/{self.meta_db}"
        )
        self.api_port = free_port()
        self.base = f"http://127.0.0.1:{self.api_port}"
        queue = f"newsflow_{uuid.uuid4().hex[:8]}"  # isolates this run on a shared Redis
        self.queue = queue
        self.env = {
            **os.environ,
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sa_url,
            "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sa_url.replace("+psycopg2", ""),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            "AIRFLOW__API__BASE_URL": self.base,
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
            "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            **extra_env,
        }
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def _run(self, *args: str, timeout: int = 180) -> None:
        subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env, check=True, timeout=timeout,
            capture_output=True, cwd=self.home,
        )  # fmt: skip

    def _spawn(self, name: str, *args: str) -> None:
        log = self.home / f"{name}.log"
        self.logs.append(log)
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "airflow"), *args], env=self.env, cwd=self.home,
                stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip

    def start(self, pools: dict[str, int]) -> AirflowCluster:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.meta_db)))
        self._run("db", "migrate")
        for pool, slots in pools.items():
            self._run("pools", "set", pool, str(slots), "newsflow test pool")
        self._spawn("api-server", "api-server", "--host", "127.0.0.1", "--port",
                    str(self.api_port), "--workers", "1")  # fmt: skip
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("worker", "celery", "worker", "--concurrency", "2", "-q", self.queue)
        self.wait_ready()
        return self

    def api(self, method: str, path: str, **kw) -> httpx.Response:
        r = httpx.request(method, f"{self.base}/api/v2{path}", timeout=10, **kw)
        r.raise_for_status()
        return r

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                dags = self.api("GET", "/dags").json()["dags"]
                if {"news_ingest", "news_alerts"} <= {d["dag_id"] for d in dags}:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError("Airflow did not become ready:\n" + self.tail_logs())

    def _check_alive(self) -> None:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"an Airflow process exited early:\n{self.tail_logs()}")

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str) -> str:
        return self.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None}).json()[
            "dag_run_id"
        ]

    def runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns").json()["dag_runs"]

    def wait_run(self, dag_id: str, run_id: str | None, timeout: float) -> dict:
        """Wait until the run (or, without run_id, any run) reaches a final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            for run in self.runs(dag_id):
                if (run_id is None or run["dag_run_id"] == run_id) and run["state"] in (
                    "success",
                    "failed",
                ):
                    return run
            time.sleep(1)
        raise TimeoutError(f"{dag_id} run {run_id} did not finish:\n{self.tail_logs()}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        return self.api("GET", path).json()["task_instances"]

    def tail_logs(self, lines: int = 25) -> str:
        out = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines() if log.exists() else []
            out.append(f"--- {log.name}\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    def stop(self) -> list[int]:
        """SIGTERM every process group, wait, drop the metadata database; exit codes."""
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        codes = []
        for p in self.procs:
            try:
                codes.append(p.wait(30))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                codes.append(p.wait(10))
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.meta_db)
                )
            )
        return codes
