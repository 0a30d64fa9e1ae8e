#!/usr/bin/env bash
# What the test suite needs beyond the two Python environments: a Chromium for the browser tests, and the
# PostgreSQL and Redis servers the integration tests run against. Called by `make test` (and so by CI).
#
# - Chromium: Debian's package when we may install it (root with apt-get); otherwise an installed chromium
#   or chrome; otherwise Playwright's own browser (`playwright install chromium`, needs its download host);
#   otherwise one clear message with the command to run.
# - PostgreSQL, Redis and HAProxy (cluster tests): when ASSISTANT_TEST_POSTGRES_URL is not set and we may install (root with
#   apt-get), Debian's packages are installed and a PostgreSQL cluster and a Redis server are started on
#   loopback for the tests; the URLs are written to var/test-services.env, which `make test` reads.
#   Without root or apt-get the suite runs on SQLite only and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
APT_UPDATED=0
apt_install() {  # installs the Debian packages given that are not installed yet
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing ${missing[*]} (apt-get)"
  if [ "$APT_UPDATED" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

mkdir -p var
ENV_FILE=var/test-services.env
: > "$ENV_FILE"
chmod 600 "$ENV_FILE"  # it holds the test database's password

# --- Chromium for the browser tests -------------------------------------------------------------------
browser=""
if can_apt; then
  apt_install chromium chromium-driver
fi
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null; then browser=$(command -v "$name"); break; fi
done
if [ -z "$browser" ]; then
  say "No system Chromium; trying Playwright's own browser"
  if .venv/bin/python -m playwright install chromium >/dev/null 2>&1; then
    browser=$(.venv/bin/python -c "from playwright.sync_api import sync_playwright
with sync_playwright() as p: print(p.chromium.executable_path)")
  else
    die "the browser tests need Chromium and none could be installed.
  As root on Debian/Ubuntu: apt-get install -y chromium chromium-driver
  Otherwise: .venv/bin/python -m playwright install chromium   (needs access to Playwright's download host)"
  fi
fi
echo "ASSISTANT_TEST_BROWSER=$browser" >> "$ENV_FILE"

# --- PostgreSQL and Redis --------------------------------------------------------------------------------
if [ -n "${ASSISTANT_TEST_POSTGRES_URL:-}" ]; then
  echo "ASSISTANT_TEST_POSTGRES_URL=$ASSISTANT_TEST_POSTGRES_URL" >> "$ENV_FILE"
elif can_apt; then
  apt_install postgresql redis-server haproxy
  PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | grep -q "^$PG_VERSION main" || pg_createcluster "$PG_VERSION" main >/dev/null
  pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || true
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 || die "PostgreSQL did not start (pg_ctlcluster $PG_VERSION main start)"
  # The role's password is made once per machine (every checkout shares this server), kept readable by root
  # only, and goes to psql on stdin: never in the repository, argv or the logs.
  PG_PASSWORD_FILE=/var/lib/postgresql/assistant-test.password
  [ -s "$PG_PASSWORD_FILE" ] || (umask 077; .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(24))" > "$PG_PASSWORD_FILE")
  PG_PASSWORD=$(cat "$PG_PASSWORD_FILE")
  su postgres -c "psql -q -v ON_ERROR_STOP=1" >/dev/null <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='assistant') THEN CREATE ROLE assistant LOGIN CREATEDB; END IF; END\$\$;
ALTER ROLE assistant PASSWORD '$PG_PASSWORD';
SQL
  su postgres -c "psql -qtc \"SELECT 1 FROM pg_database WHERE datname='assistant_test'\" | grep -q 1 || createdb -O assistant assistant_test"
  echo "ASSISTANT_TEST_POSTGRES_URL=postgresql://assistant:$PG_PASSWORD@127.0.0.1:5432/assistant_test" >> "$ENV_FILE"
else
  say "Not root or no apt-get: the suite runs on SQLite only (set ASSISTANT_TEST_POSTGRES_URL for PostgreSQL)"
fi

if [ -n "${ASSISTANT_TEST_REDIS_URL:-}" ]; then
  echo "ASSISTANT_TEST_REDIS_URL=$ASSISTANT_TEST_REDIS_URL" >> "$ENV_FILE"
elif command -v redis-server >/dev/null; then
  if ! redis-cli -p 6399 ping >/dev/null 2>&1; then
    redis-server --port 6399 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --logfile "$PWD/var/test-redis.log" >/dev/null
    for _ in $(seq 20); do redis-cli -p 6399 ping >/dev/null 2>&1 && break; sleep 0.25; done
  fi
  echo "ASSISTANT_TEST_REDIS_URL=redis://127.0.0.1:6399/0" >> "$ENV_FILE"
fi
say "Test prerequisites ready: $(tr '\n' ' ' < "$ENV_FILE" | sed -E 's#://([^:/@]+):[^@]*@#://\1:***@#g')"
