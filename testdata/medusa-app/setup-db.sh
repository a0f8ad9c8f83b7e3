#!/usr/bin/env bash
# Idempotent database setup for the medusa-ls Medusa fixture (testdata/medusa-app).
#
#   bash testdata/medusa-app/setup-db.sh            # as root (CI, dev containers)
#
# 1. installs Debian's postgresql if it is missing (needs root / apt);
# 2. starts the newest local cluster if it is not running (no systemd needed);
# 3. creates role medusa/medusa (SUPERUSER) and database medusa_ls_test if missing;
# 4. runs `npm ci` if node_modules is missing, then `npx medusa db:migrate`.
#
# It never writes .env: migrate reads the connection settings from .env if the tests
# already wrote one, else from .env.example (exported into the environment for this run).
# Env knobs: PGPORT (5432), SKIP_MIGRATE=1 (stop after step 3).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGPORT=${PGPORT:-5432}
DB_NAME=medusa_ls_test
DB_USER=medusa
DB_PASS=medusa

as_postgres() (
  cd /   # postgres may not be able to read the caller's cwd
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"
  fi
)

# 1. install
if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "setup-db: installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

# 2. cluster: the newest installed major version, cluster "main"
PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main"' | grep -q .; then
  echo "setup-db: creating cluster $PGVER/main"
  pg_createcluster "$PGVER" main --port "$PGPORT"
fi
if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  echo "setup-db: starting cluster $PGVER/main"
  pg_ctlcluster "$PGVER" main start
fi
for _ in $(seq 1 30); do
  as_postgres psql -p "$PGPORT" -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 0.5
done

# 3. role and database
if [ "$(as_postgres psql -p "$PGPORT" -Atqc "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
  echo "setup-db: creating role $DB_USER"
  as_postgres psql -p "$PGPORT" -v ON_ERROR_STOP=1 -qc "CREATE ROLE $DB_USER WITH LOGIN SUPERUSER CREATEDB PASSWORD '$DB_PASS'"
fi
if [ "$(as_postgres psql -p "$PGPORT" -Atqc "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
  echo "setup-db: creating database $DB_NAME"
  as_postgres psql -p "$PGPORT" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB_NAME OWNER $DB_USER"
fi
# password login over TCP (scram, Debian's default pg_hba for 127.0.0.1) must work
PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PGPORT" -U "$DB_USER" -d "$DB_NAME" -Atqc 'select 1' >/dev/null

[ "${SKIP_MIGRATE:-}" = 1 ] && exit 0

# 4. dependencies and migrations
cd "$APP_DIR"
if [ ! -x node_modules/.bin/medusa ]; then
  echo "setup-db: npm ci"
  npm ci --no-audit --no-fund
fi
if [ ! -f .env ]; then
  set -a
  # shellcheck disable=SC1091
  . ./.env.example
  set +a
fi
# Migrations take ~10 s; skip them when this database was migrated with this package-lock.
STAMP=node_modules/.medusa-ls-migrated
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
MIGRATED=$(PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PGPORT" -U "$DB_USER" -d "$DB_NAME" -Atqc \
  "select count(*) from information_schema.tables where table_name='mikro_orm_migrations'" 2>/dev/null || echo 0)
if [ "$MIGRATED" = 1 ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$LOCK_SUM" ]; then
  echo "setup-db: database already migrated"
  exit 0
fi
echo "setup-db: medusa db:migrate"
npx --no-install medusa db:migrate
echo "$LOCK_SUM" > "$STAMP"
