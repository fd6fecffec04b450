#!/usr/bin/env bash
# make bench: the figures BENCHMARKS.md publishes, each beside its ceiling measured in the
# same run. PostgreSQL figures need a database: PG_URL, else AGENTGATE_TEST_POSTGRES_URL
# (its public schema gets AgentGate's tables). A few minutes; DUR sets each load run (20s).
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_URL=${PG_URL:-${AGENTGATE_TEST_POSTGRES_URL:-}}

# The gate check over HTTP (wrk): SQLite beside the bare Echo handler; PostgreSQL (and a
# rate-limited key) beside the same writes made one transaction per request.
scripts/loadtest.sh

echo "== in-process: the gate check, and a decision waking a waiting agent (SQLite)"
go test -run '^$' -bench 'GateCheck$|DecisionToWaiter' -benchmem ./handlers | grep -E '^Benchmark'

if [ -n "$PG_URL" ]; then
  echo "== three instances on PostgreSQL: a decision on B wakes an agent waiting on A (beside the same on one instance)"
  AGENTGATE_TEST_POSTGRES_URL=$PG_URL go test -run '^$' -bench CrossInstanceWake -benchtime 200x ./cmd/agentgate | grep -E '^Benchmark'
else
  echo "(PG_URL is not set: no PostgreSQL figures)"
fi
