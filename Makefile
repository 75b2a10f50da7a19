# memebot: two commands for a fresh machine.
#   make run   runs the bot from .env (the sandbox when BOT_TOKEN is unset)
#   make test  runs every test (starts PostgreSQL and Redis when none answer)

GO ?= go

.PHONY: run sandbox test build migrate bench lint

run:
	scripts/run.sh $(ARGS)

sandbox:
	scripts/run.sh sandbox --demo

test:
	scripts/test.sh

build:
	CGO_ENABLED=1 $(GO) build -o bin/memebot .

migrate:
	$(GO) run . migrate

bench:
	scripts/deps.sh
	eval "$$(scripts/services.sh)" && $(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

lint:
	gofmt -l . && $(GO) vet ./...
