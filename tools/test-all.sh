#!/usr/bin/env bash
# The README's test command (and CI's): installs what the suite needs on a fresh machine
# (the supported Node, npm ci from the lockfile, Chromium, the PostgreSQL and MariaDB client
# tools), starts the local PostgreSQL and MariaDB servers when they are down, and runs
# every test on SQLite, PostgreSQL and MySQL.
# A provider that cannot be tested fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SUPPORTED_NODE:-}" ]; then SUPPORTED_NODE=1 exec tools/with-supported-node.sh bash tools/test-all.sh "$@"; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_for() { # wait_for DESCRIPTION COMMAND...
  local what=$1; shift
  for _ in $(seq 1 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "error: $what did not come up" >&2; return 1
}

tools/install-dependencies.sh

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "--- installing Chromium (Debian) for the browser test"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# The restore drill backs up and restores with each server's own client tools.
missing_packages=""
command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || missing_packages="$missing_packages postgresql-client"
command -v mariadb-dump >/dev/null && command -v mariadb >/dev/null || missing_packages="$missing_packages mariadb-client"
if [ -n "$missing_packages" ]; then
  echo "---$missing_packages: installing (Debian) for the restore drill"
  as_root apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq $missing_packages >/dev/null
fi

if [ -z "${TEST_POSTGRESQL_URL:-}" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo "--- starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    wait_for "PostgreSQL" pg_isready -h 127.0.0.1 -p 5432 -q
  fi
  export TEST_POSTGRESQL_URL="postgresql://root@127.0.0.1:5432/test"
fi

if [ -z "${TEST_MYSQL_URL:-}" ]; then
  if ! mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
    echo "--- starting MariaDB"
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_for "MariaDB" mariadb-admin -h 127.0.0.1 -u root ping
  fi
  export TEST_MYSQL_URL="mysql://root@127.0.0.1:3306/test"
fi

export REQUIRE_ALL_PROVIDERS=1
echo "--- tests on node $(node --version) (sqlite, postgresql: $TEST_POSTGRESQL_URL, mysql: $TEST_MYSQL_URL)"
npm test
