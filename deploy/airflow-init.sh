#!/usr/bin/env bash
# One-shot initialization run by the airflow-init service before any other Airflow service starts
# (docker-compose.yml). Idempotent: it runs on every `docker compose up`, so a new image also
# applies its Airflow and newsflow migrations here. Any failure stops the deployment with the
# failing step named, instead of starting workers against a half-initialized database.
#
# Needs: NEWSFLOW_DATABASE_URL and the AIRFLOW__* settings in the environment; `airflow` and
# `newsflow` on PATH. Optional: NEWSFLOW_HTTP_POOL_SLOTS, NEWSFLOW_ANALYST_PASSWORD,
# AIRFLOW_ADMIN_USER / AIRFLOW_ADMIN_PASSWORD (see .env.example).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
helpers=(python "${here}/init_helpers.py")
pool="newsflow_http"
slots="${NEWSFLOW_HTTP_POOL_SLOTS:-8}"

conn_file=""

step() { printf '\n[airflow-init] %s\n' "$*"; }
finish() {
    local rc=$?
    [[ -z "${conn_file}" ]] || rm -f "${conn_file}"  # it holds the database password
    if [[ ${rc} -ne 0 ]]; then
        printf '\n[airflow-init] FAILED at: %s (exit %s); see the lines above\n' "${current:-start}" "${rc}" >&2
    fi
}
trap finish EXIT

if [[ -z "${NEWSFLOW_DATABASE_URL:-}" ]]; then
    echo "[airflow-init] NEWSFLOW_DATABASE_URL is not set; set NEWSFLOW_DB_* in .env" >&2
    exit 2
fi

current="newsflow migrations"
step "${current}"
newsflow db migrate

# Config sync: what this build of newsflow can sync. Areas added later by other features
# (organizations, tracked deals) are picked up as soon as their command exists. Runs before the
# Airflow steps so that a config mistake stops the deployment within seconds.
for area in feeds org alerts; do
    current="config sync: ${area}"
    if newsflow "${area}" sync --help > /dev/null 2>&1; then
        step "${current}"
        newsflow "${area}" sync
    else
        step "${current}: skipped, this build has no 'newsflow ${area} sync'"
    fi
done

current="Airflow metadata migrations"
step "${current}"
airflow db migrate

current="pool ${pool}"
step "${current} (${slots} slots: concurrent feed fetches across all workers)"
airflow pools set "${pool}" "${slots}" "newsflow: concurrent feed fetches across all workers"

current="connection newsflow_db"
step "${current} (from NEWSFLOW_DATABASE_URL)"
conn_file="$(mktemp --suffix=.json)"
"${helpers[@]}" connection-file "${conn_file}"
airflow connections import --overwrite "${conn_file}"
rm -f "${conn_file}"

current="analyst role password"
step "${current}"
"${helpers[@]}" analyst-password

current="Airflow admin password"
step "${current}"
"${helpers[@]}" admin-password

current="done"
step "initialization complete"
