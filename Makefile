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

# Coverage per package and in total, counting every test that runs a package's code
# (-coverpkg), including the agentgate binary that cmd/agentgate's tests run as a child:
# they build it instrumented and add what it ran to the profile. go test's own summary
# lines count only each test process's own package.
.PHONY: cover
cover:
	go test -count=1 -coverpkg=./... -coverprofile=cover.out ./...
	@awk '$$1 != "mode:" { split($$1, at, ":"); pkg = at[1]; sub(/\/[^\/]*$$/, "", pkg); \
		if (!($$1 in stmts)) { stmts[$$1] = $$2; of[$$1] = pkg } if ($$3 > 0) ran[$$1] = 1 } \
		END { for (b in stmts) { total[of[b]] += stmts[b]; all += stmts[b]; if (b in ran) { hit[of[b]] += stmts[b]; hits += stmts[b] } } \
		for (p in total) printf "%-56s %5.1f%%\n", p, 100 * hit[p] / total[p] | "sort"; close("sort"); \
		printf "%-56s %5.1f%%\n", "total", 100 * hits / all }' cover.out
