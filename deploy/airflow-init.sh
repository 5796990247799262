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

# Config sync: feeds, organizations and tracked deals, with the same function every news_ingest
# run starts with (so a config mistake shows here, before the Airflow steps, within seconds).
current="config sync (${NEWSFLOW_CONFIG_DIR:-config})"
step "${current}"
newsflow config sync

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
if [[ -n "${NEWSFLOW_ANALYST_PASSWORD:-}" ]]; then
    step "${current}"
    newsflow db analyst-password
else
    step "${current}: NEWSFLOW_ANALYST_PASSWORD is empty, role newsflow_analyst keeps no password"
fi

current="Airflow admin password"
step "${current}"
"${helpers[@]}" admin-password

current="done"
step "initialization complete"
