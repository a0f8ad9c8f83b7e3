#!/usr/bin/env bash
# Idempotent database setup for the medusa-ls Medusa fixture (testdata/medusa-app).
#
#   bash testdata/medusa-app/setup-db.sh            # as root (CI, dev containers)
#
# 1. installs Debian's postgresql if it is missing (needs root / apt);
# 2. starts the newest local cluster if it is not running (no systemd needed);
# 3. creates role medusa/medusa (SUPERUSER) and database medusa_ls_test if missing;
# 4. runs `npm ci` if node_modules is missing;
# 5. runs `npx medusa db:migrate` (module migrations, link sync) unless already done;
# 6. seeds a publishable key, an admin user, a product and a brand
#    (`npx medusa exec ./src/scripts/seed-fixture.ts`) unless already done.
# Steps 5 and 6 are skipped on a re-run when nothing they depend on changed (stamps in
# node_modules/; ~2 s in all).
#
# It never writes .env: migrate and the seed read the connection settings from .env if the tests
# already wrote one, else from .env.example (exported into the environment for this run).
# Env knobs: PGPORT (5432), SKIP_MIGRATE=1 (stop after step 3), FIXTURE_DB_NAME (medusa_ls_test;
# .env must then point DATABASE_URL at it: used to time a fresh setup beside the shared one).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGPORT=${PGPORT:-5432}
DB_NAME=${FIXTURE_DB_NAME:-medusa_ls_test}
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

# 4. dependencies
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
# psql on the fixture's database; prints nothing when it fails.
dbq() { PGPASSWORD=$DB_PASS psql -h 127.0.0.1 -p "$PGPORT" -U "$DB_USER" -d "$DB_NAME" -Atqc "$1" 2>/dev/null || true; }
# sha256 of the named files and of every file under the named directories (paths included).
sum_files() {
  find "$@" -type f 2>/dev/null | LC_ALL=C sort | while read -r f; do printf '%s  ' "$f"; sha256sum < "$f"; done | sha256sum | cut -d' ' -f1
}

# 5. migrations (~30 s), skipped when this database was migrated with the same package-lock,
# medusa-config, module migrations and links.
STAMP=node_modules/.medusa-ls-migrated
MIGRATE_SUM=$(sum_files package-lock.json medusa-config.ts src/links $(find src/modules -type d -name migrations 2>/dev/null))
if [ "$(dbq "select count(*) from information_schema.tables where table_name='mikro_orm_migrations'")" = 1 ] &&
   [ "$(cat "$STAMP" 2>/dev/null)" = "$MIGRATE_SUM" ]; then
  echo "setup-db: database already migrated"
else
  echo "setup-db: medusa db:migrate"
  npx --no-install medusa db:migrate
  echo "$MIGRATE_SUM" > "$STAMP"
fi

# 6. seed (~20 s): publishable key, admin user, product, brand. The seed writes
# node_modules/.medusa-ls-fixture.json (git-ignored; internal/medusafixture reads it). Skipped
# when that file is from the same migrations and seed script and its key is in this database.
SEED_STAMP=node_modules/.medusa-ls-seeded
SEED_SUM=$(printf '%s %s' "$MIGRATE_SUM" "$(sum_files src/scripts/seed-fixture.ts)" | sha256sum | cut -d' ' -f1)
FIXTURE_JSON=node_modules/.medusa-ls-fixture.json
KEY=$(sed -n 's/.*"publishable_key": *"\(pk_[0-9a-f]*\)".*/\1/p' "$FIXTURE_JSON" 2>/dev/null || true)
if [ -n "$KEY" ] && [ "$(cat "$SEED_STAMP" 2>/dev/null)" = "$SEED_SUM" ] &&
   [ "$(dbq "select count(*) from api_key where token='$KEY' and revoked_at is null and deleted_at is null")" = 1 ]; then
  echo "setup-db: database already seeded"
  exit 0
fi
echo "setup-db: medusa exec ./src/scripts/seed-fixture.ts"
npx --no-install medusa exec ./src/scripts/seed-fixture.ts
echo "$SEED_SUM" > "$SEED_STAMP"
