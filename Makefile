# memebot: two commands for a fresh machine.
#   make run   runs the bot from .env (the sandbox when BOT_TOKEN is unset)
#   make test  runs every test (starts PostgreSQL and Redis when none answer)

GO ?= go

.PHONY: run sandbox test soak build migrate bench lint

run:
	scripts/run.sh $(ARGS)

sandbox:
	scripts/run.sh sandbox --demo

test:
	scripts/test.sh

# Fault-injection soak: Redis, PostgreSQL, the bot and the worker restarted at
# random under steady load (SOAK_DURATION, default 3m; loopback only).
soak:
	scripts/deps.sh
	eval "$$(scripts/services.sh)" && MEMEBOT_SOAK=1 $(GO) test -count=1 -v -timeout 30m -run TestSoakFaults ./e2e/ | grep -E 'SOAK|FAIL|^ok|lost|posted|stored'

build:
	CGO_ENABLED=1 $(GO) build -o bin/memebot .

migrate:
	$(GO) run . migrate

bench:
	scripts/deps.sh
	eval "$$(scripts/services.sh)" && $(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

lint:
	gofmt -l . && $(GO) vet ./...
