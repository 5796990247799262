#!/bin/sh
# Write a .env for a first deployment: .env.example with every secret replaced by a fresh random
# value (Fernet key, JWT secret, API secret key, database, analyst and admin passwords).
#
#   deploy/make-env.sh            # writes ./.env next to docker-compose.yml
#   deploy/make-env.sh PATH       # writes PATH instead
#
# Refuses to overwrite an existing file: the databases keep the passwords they were created with,
# and a new Fernet key makes the stored Airflow connections unreadable.
set -eu

root="$(cd "$(dirname "$0")/.." && pwd)"
example="${root}/.env.example"
target="${1:-${root}/.env}"

GENERATED="AIRFLOW_FERNET_KEY AIRFLOW_JWT_SECRET AIRFLOW_API_SECRET_KEY AIRFLOW_DB_PASSWORD \
NEWSFLOW_DB_PASSWORD NEWSFLOW_ANALYST_PASSWORD AIRFLOW_ADMIN_PASSWORD"

if [ -e "${target}" ]; then
    echo "make-env: ${target} exists; edit it by hand (see docs/operations.md, Secrets)" >&2
    exit 2
fi

# 32 random bytes: url-safe base64 for the Fernet key (its required format), hex otherwise so the
# value is safe inside the postgresql:// URLs built from it.
random_value() {
    if command -v python3 > /dev/null 2>&1; then
        python3 -c "import base64, secrets, sys
raw = secrets.token_bytes(32)
print(base64.urlsafe_b64encode(raw).decode() if sys.argv[1] == 'fernet' else raw.hex())" "$1"
    elif command -v openssl > /dev/null 2>&1; then
        if [ "$1" = fernet ]; then openssl rand -base64 32 | tr '+/' '-_'; else openssl rand -hex 32; fi
    else
        echo "make-env: needs python3 or openssl to generate secrets" >&2
        exit 2
    fi
}

umask 077  # the file holds every secret of the deployment
tmp="${target}.tmp.$$"
trap 'rm -f "${tmp}"' EXIT
cp "${example}" "${tmp}"
for name in ${GENERATED}; do
    grep -q "^${name}=" "${tmp}" || { echo "make-env: ${example} lacks ${name}" >&2; exit 2; }
    kind=hex
    [ "${name}" = AIRFLOW_FERNET_KEY ] && kind=fernet
    value="$(random_value "${kind}")"
    # Values are [A-Za-z0-9_=-] only, so they need no escaping in the sed replacement.
    sed "s|^${name}=.*|${name}=${value}|" "${tmp}" > "${tmp}.new" && mv "${tmp}.new" "${tmp}"
done
mv "${tmp}" "${target}"
trap - EXIT
echo "make-env: wrote ${target} with fresh secrets (${GENERATED})"
