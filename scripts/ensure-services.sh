#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer at DATABASE_URL and REDIS_URL (the test defaults
# are the local ones). Starts them if installed but stopped; installs them with apt-get if
# absent and we are root; otherwise stops with a message naming the variables.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${REDIS_URL:?REDIS_URL is not set}"
PY=${PY:-.venv/bin/python}

pg_ok() {
  "$PY" - "$DATABASE_URL" <<'PYEOF' >/dev/null 2>&1
import sys, urllib.parse, psycopg2
u = urllib.parse.urlparse(sys.argv[1])
psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                 password=u.password or None, dbname="postgres", connect_timeout=3).close()
PYEOF
}
redis_ok() {
  "$PY" - "$REDIS_URL" <<'PYEOF' >/dev/null 2>&1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()
PYEOF
}
local_url() { case "$1" in *://127.0.0.1*|*://localhost*|*@127.0.0.1*|*@localhost*) return 0;; *) return 1;; esac; }
is_root() { [ "$(id -u)" -eq 0 ]; }
give_up() {
  echo "$1 is not reachable at $2." >&2
  echo "Start it, or point $3 at a running server, and run make test again." >&2
  exit 1
}

start_postgres() {
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    is_root || return 1
    echo "Installing PostgreSQL..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    # Local test connections as the postgres user without a password.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      grep -q '^host all postgres 127.0.0.1/32 trust' "$hba" || \
        sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    done
  fi
  is_root || return 1
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || \
      pg_ctlcluster "$version" main start 2>/dev/null || true
  done
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    is_root || return 1
    echo "Installing Redis..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  fi
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/civic.log
}

wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_ok; then
  local_url "$DATABASE_URL" || give_up PostgreSQL "$DATABASE_URL" DATABASE_URL
  start_postgres || give_up PostgreSQL "$DATABASE_URL" DATABASE_URL
  wait_for pg_ok || give_up PostgreSQL "$DATABASE_URL" DATABASE_URL
fi
if ! redis_ok; then
  local_url "$REDIS_URL" || give_up Redis "$REDIS_URL" REDIS_URL
  start_redis || give_up Redis "$REDIS_URL" REDIS_URL
  wait_for redis_ok || give_up Redis "$REDIS_URL" REDIS_URL
fi
echo "PostgreSQL and Redis are up."
