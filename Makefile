# Two commands set a new user up: `make run` and `make test`.
.PHONY: run test build generate bench

run:
	go run ./cmd/agentgate serve

test:
	go test -race -count=1 ./...

build:
	CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o bin/agentgate ./cmd/agentgate

generate:
	go tool templ generate

bench:
	go test -run '^$$' -bench . -benchmem ./...
