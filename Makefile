# Two commands set a new user up: `make run` and `make test`.
.PHONY: run test build install generate bench

run:
	go run ./cmd/agentgate serve

test:
	go test -race -count=1 ./...

# VERSION stamps the binary, as the Dockerfile's build argument does: make build VERSION=v1.2.0
VERSION ?= dev

build:
	CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/agentgate ./cmd/agentgate

# install puts agentgate in $(go env GOBIN), else $(go env GOPATH)/bin: have that on PATH.
install:
	CGO_ENABLED=1 go install -trimpath -ldflags "-s -w -X main.version=$(VERSION)" ./cmd/agentgate

generate:
	go tool templ generate

bench:
	go test -run '^$$' -bench . -benchmem ./...
