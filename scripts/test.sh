#!/usr/bin/env bash
# The whole test suite on a fresh machine: system packages, PostgreSQL and
# Redis (started when none answer), go vet, and go test -race.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
scripts/deps.sh
services=$(scripts/services.sh) || exit 1
eval "$services"
export OMP_THREAD_LIMIT=1

echo "== go vet ./... (compiles every package: a few minutes on a fresh machine, seconds later)"
go vet ./...
echo "== go test -race: about 9 minutes on 2 cores; a line per package as each finishes, in order"
go test -race -count=1 -timeout 20m "${@:-./...}"
echo "== all tests passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
