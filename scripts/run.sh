#!/usr/bin/env bash
# `make run`: the real bot from .env when BOT_TOKEN is set, otherwise the
# sandbox (the real bot against the built-in fake Telegram, with a web page).
# A first argument that is a subcommand (e.g. `sandbox`) is run instead.
#
# DATABASE_URL and REDIS_URL (from the environment or .env) are used as they
# are: when one does not answer, scripts/services.sh says which and why and
# nothing is started. Only when they are unset are local servers used, started
# under .tmp/ when none answer.
set -euo pipefail
cd "$(dirname "$0")/.."

# from_env_file NAME: NAME's value in .env, without surrounding quotes.
from_env_file() {
  [ -f .env ] && grep -E "^(export )?$1=" .env | tail -1 | cut -d= -f2- | sed -E "s/^\"(.*)\"\$/\1/; s/^'(.*)'\$/\1/" || true
}

scripts/deps.sh
for var in DATABASE_URL REDIS_URL; do
  [ -z "${!var:-}" ] && [ -n "$(from_env_file "$var")" ] && export "$var=$(from_env_file "$var")"
done
services=$(scripts/services.sh) || exit 1
eval "$services"
if [ -z "${DATABASE_URL:-}" ]; then
  server=${TEST_DATABASE_URL%%\?*}
  export DATABASE_URL="${server%/*}/memebot?sslmode=disable"
  psql "$TEST_DATABASE_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'memebot'" | grep -q 1 \
    || psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE memebot" >/dev/null
fi
export REDIS_URL=${REDIS_URL:-$TEST_REDIS_URL}
export OMP_THREAD_LIMIT=1

token=${BOT_TOKEN:-$(from_env_file BOT_TOKEN)}
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  cmd=$1
  shift
elif [ -z "$token" ]; then
  cmd=sandbox
  echo "BOT_TOKEN is not set: starting the sandbox (fake Telegram in your browser)."
else
  cmd=run
fi

[ -x bin/memebot ] || echo "building memebot: the first build compiles the OCR bindings (cgo) and takes 2-3 minutes..."
CGO_ENABLED=1 go build -o bin/memebot .
# exec: Ctrl-C reaches memebot itself, which stops cleanly and exits 0.
exec bin/memebot "$cmd" "$@"
