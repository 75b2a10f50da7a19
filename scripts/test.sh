#!/usr/bin/env bash
# The whole test suite on a fresh machine: system packages, PostgreSQL and
# Redis (started when none answer), go vet, and go test -race.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
eval "$(scripts/services.sh)"
export OMP_THREAD_LIMIT=1

echo "== go vet"
go vet ./...
echo "== go test -race"
go test -race -count=1 -timeout 20m "${@:-./...}"
