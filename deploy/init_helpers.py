"""Steps of deploy/airflow-init.sh that need Python: the newsflow_db connection, the admin password.

Usage: python init_helpers.py connection-file PATH | admin-password

Everything comes from the environment (docker-compose.yml passes it from .env); a missing or
malformed value ends in one line naming the variable and exit code 2.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

CONN_ID = "newsflow_db"


class InitError(Exception):
    """A setting the operator has to fix; the message names it."""


def connection_from_url(url: str) -> dict[str, object]:
    """The Airflow connection fields (postgres type) equivalent to a PostgreSQL URL."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except ProgrammingError:
        info = {}
    if not info.get("host") or not info.get("dbname"):
        raise InitError(
            "NEWSFLOW_DATABASE_URL must look like postgresql://user:password@host:5432/dbname "
            "(host and database name are required); check NEWSFLOW_DB_* in .env"
        )
    return {
        "conn_type": "postgres",
        "description": "newsflow data (written by airflow-init from NEWSFLOW_DATABASE_URL)",
        "host": info["host"],
        "port": int(info.get("port") or 5432),
        "login": info.get("user") or "",
        "password": info.get("password") or "",
        "schema": info["dbname"],
    }


def write_connection_file(path: Path, url: str) -> None:
    """Write {CONN_ID: fields} for `airflow connections import`, readable by the owner only."""
    fields = connection_from_url(url)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({CONN_ID: fields}, fh)
    print(f"connection {CONN_ID}: postgres {fields['host']}:{fields['port']}/{fields['schema']}")


def set_admin_password(passwords_file: Path, user: str, password: str) -> str:
    """Record the admin's password for Airflow's simple auth manager, keeping other users."""
    if not password:
        return (
            f"AIRFLOW_ADMIN_PASSWORD is empty: the api-server generates one for {user} on first "
            "start and prints it in its log"
        )
    passwords: dict[str, str] = {}
    if passwords_file.exists() and passwords_file.read_text(encoding="utf-8").strip():
        try:
            passwords = json.loads(passwords_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise InitError(
                f"{passwords_file} is not valid JSON; fix or delete it and run airflow-init again"
            ) from None
    passwords[user] = password
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o660)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(passwords) + "\n")
    return f"Airflow user {user}: password set from AIRFLOW_ADMIN_PASSWORD"


def _require(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise InitError(f"{name} is not set; it is derived from NEWSFLOW_DB_* in .env")
    return value


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["connection-file"] and len(argv) == 2:
            write_connection_file(Path(argv[1]), _require("NEWSFLOW_DATABASE_URL"))
        elif argv == ["admin-password"]:
            default_file = Path(os.environ.get("AIRFLOW_HOME", "/opt/airflow")) / (
                "simple_auth_manager_passwords.json.generated"
            )
            file = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
            print(
                set_admin_password(
                    Path(file) if file else default_file,
                    os.environ.get("AIRFLOW_ADMIN_USER") or "admin",
                    os.environ.get("AIRFLOW_ADMIN_PASSWORD", ""),
                )
            )
        else:
            print(__doc__.splitlines()[2], file=sys.stderr)
            return 2
    except InitError as exc:
        print(f"airflow-init: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
