#!/usr/bin/env bash
# Prints `export` lines for TEST_DATABASE_URL and TEST_REDIS_URL pointing at a
# PostgreSQL and a Redis that answer.
#
# A URL that is set (TEST_DATABASE_URL or DATABASE_URL, TEST_REDIS_URL or
# REDIS_URL) is used as it is: when it does not answer, this says which one
# and why, and fails; nothing is started in its place. Only when none is set
# are the local defaults tried, and when those do not answer either, private
# servers are started on spare ports under .tmp/services/ (installing the
# Debian packages if missing); later runs reuse them.
#
# Usage: eval "$(scripts/services.sh)"     scripts/services.sh stop
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.tmp/services"
mkdir -p "$state"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

log() { echo "services: $*" >&2; }

install_if_missing() { # command package...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing $*"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

spare_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

pg_answers() { # url
  command -v psql >/dev/null 2>&1 && psql "$1" -Atqc 'select 1' >/dev/null 2>&1
}

redis_answers() { # url
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -u "$1" ping 2>/dev/null)" = "PONG" ]
}

# without_credentials URL: the URL without user and password.
without_credentials() { sed -E 's#//[^/@]*@#//#' <<<"$1"; }

# refuse VAR URL REASON: a URL that was set explicitly does not answer.
refuse() {
  log "$1 ($(without_credentials "$2")) does not answer: $3"
  log "fix $1, or unset it to use a local server"
  exit 1
}

stop_private() {
  if [ -f "$state/pgdata/postmaster.pid" ]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    runas=()
    [ "$(id -u)" -eq 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$pgbin/pg_ctl" -D "$state/pgdata" -m fast stop >/dev/null && log "stopped PostgreSQL"
  fi
  if [ -f "$state/redis.port" ]; then
    redis-cli -p "$(cat "$state/redis.port")" shutdown nosave >/dev/null 2>&1 && log "stopped Redis"
  fi
  rm -f "$state/pg.port" "$state/redis.port"
}

if [ "${1:-}" = "stop" ]; then
  stop_private
  exit 0
fi

# --- PostgreSQL -------------------------------------------------------------
base_db() { # the server part of DATABASE_URL, pointed at the postgres database
  local url=${1%%\?*}
  echo "${url%/*}/postgres?sslmode=disable"
}
db_var=""
[ -n "${DATABASE_URL:-}" ] && db_var=DATABASE_URL
[ -n "${TEST_DATABASE_URL:-}" ] && db_var=TEST_DATABASE_URL
db_url=${TEST_DATABASE_URL:-$(base_db "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}")}
if [ -n "$db_var" ]; then
  install_if_missing psql postgresql-client
  why=$(psql "$db_url" -Atqc "select 1" 2>&1 >/dev/null | head -1) || refuse "$db_var" "${!db_var}" "$why"
  log "using PostgreSQL from $db_var"
elif pg_answers "$db_url"; then
  log "using PostgreSQL at 127.0.0.1:5432"
else
  install_if_missing pg_ctl postgresql >/dev/null || true
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pgbin" ] || install_if_missing psql postgresql
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  port_file="$state/pg.port"
  if [ -f "$port_file" ] && pg_answers "postgres://postgres@127.0.0.1:$(cat "$port_file")/postgres?sslmode=disable"; then
    port=$(cat "$port_file")
  else
    port=$(spare_port)
    data="$state/pgdata"
    rm -rf "$data"; mkdir -p "$data"
    runas=()
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres:postgres "$state"
      runas=(runuser -u postgres --)
    fi
    "${runas[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
    "${runas[@]}" "$pgbin/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" -l "$state/pg.log" -w start >/dev/null
    echo "$port" > "$port_file"
    log "started PostgreSQL on port $port (data in .tmp/services/; scripts/services.sh stop stops it)"
  fi
  db_url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi

# --- Redis ------------------------------------------------------------------
redis_var=""
[ -n "${REDIS_URL:-}" ] && redis_var=REDIS_URL
[ -n "${TEST_REDIS_URL:-}" ] && redis_var=TEST_REDIS_URL
redis_url=${TEST_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379/0}}
if [ -n "$redis_var" ]; then
  install_if_missing redis-cli redis-tools
  answer=$(redis-cli --no-auth-warning -u "$redis_url" ping 2>&1 | head -1) || true
  [ "$answer" = "PONG" ] || refuse "$redis_var" "$redis_url" "${answer:-no answer}"
  log "using Redis from $redis_var"
elif redis_answers "$redis_url"; then
  log "using Redis at 127.0.0.1:6379"
else
  install_if_missing redis-server redis-server
  port_file="$state/redis.port"
  if [ -f "$port_file" ] && redis_answers "redis://127.0.0.1:$(cat "$port_file")/0"; then
    port=$(cat "$port_file")
  else
    port=$(spare_port)
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --dir "$state" --logfile "$state/redis.log" >/dev/null
    for _ in $(seq 50); do redis_answers "redis://127.0.0.1:$port/0" && break; sleep 0.1; done
    echo "$port" > "$port_file"
    log "started Redis on port $port (scripts/services.sh stop stops it)"
  fi
  redis_url="redis://127.0.0.1:$port/0"
fi

echo "export TEST_DATABASE_URL='$db_url'"
echo "export TEST_REDIS_URL='$redis_url'"
