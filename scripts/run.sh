#!/usr/bin/env bash
# `make run`: the real bot from .env when BOT_TOKEN is set, otherwise the
# sandbox (the real bot against the built-in fake Telegram, with a web page).
# PostgreSQL and Redis are started when none answer, as for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
from_env_file() { [ -f .env ] && grep -E "^$1=" .env | tail -1 | cut -d= -f2- || true; }

eval "$(scripts/services.sh)"
if [ -z "${DATABASE_URL:-}" ] && [ -z "$(from_env_file DATABASE_URL)" ]; then
  server=${TEST_DATABASE_URL%%\?*}
  export DATABASE_URL="${server%/*}/memebot?sslmode=disable"
  psql "$TEST_DATABASE_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'memebot'" | grep -q 1 \
    || psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE memebot" >/dev/null
fi
if [ -z "${REDIS_URL:-}" ] && [ -z "$(from_env_file REDIS_URL)" ]; then
  export REDIS_URL="$TEST_REDIS_URL"
fi
export OMP_THREAD_LIMIT=1

token=${BOT_TOKEN:-$(from_env_file BOT_TOKEN)}
if [ -z "$token" ]; then
  echo "BOT_TOKEN is not set: starting the sandbox (fake Telegram in your browser)."
  exec go run . sandbox "$@"
fi
exec go run . run "$@"
