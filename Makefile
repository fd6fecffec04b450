# Two commands set a new user up: `make run` and `make test`.
.PHONY: run test build install generate bench bench-large

run:
	go run ./cmd/agentgate serve

# The PostgreSQL tests need AGENTGATE_TEST_POSTGRES_URL, a database they may use; the
# browser tests need Chromium. Without them those tests skip, and the first line says so.
test:
	@skip=""; \
	[ -n "$$AGENTGATE_TEST_POSTGRES_URL" ] || skip="PostgreSQL (set AGENTGATE_TEST_POSTGRES_URL)"; \
	[ -n "$$AGENTGATE_TEST_CHROMIUM" ] || [ -x /usr/bin/chromium ] || \
		skip="$${skip:+$$skip and }Chromium (install it or set AGENTGATE_TEST_CHROMIUM)"; \
	[ -z "$$skip" ] || echo "make test: skipping the tests that need $$skip"
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

# Every published figure beside its ceiling, measured in the same run (BENCHMARKS.md); set
# PG_URL (or AGENTGATE_TEST_POSTGRES_URL) for the PostgreSQL ones. A few minutes.
bench:
	scripts/bench.sh

# The list and audit queries with 1,000,000 requests stored, on SQLite and (with
# AGENTGATE_TEST_POSTGRES_URL) PostgreSQL. Seeding takes several minutes.
bench-large:
	AGENTGATE_BENCH_LARGE=1 go test -run '^$$' -bench LargeLists -benchtime 100x -timeout 60m ./db

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
