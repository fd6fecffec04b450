#!/usr/bin/env bash
# Load test on loopback: the auto-approved gate check, and a page of 50 among 50,000 pending
# requests, against AgentGate (SQLite, and PostgreSQL when PG_URL is set) and against a bare
# Echo handler (the same JSON decoded; the same page sent). wrk settings as the issues give
# them: 1 thread, 16 connections, 20 s. RUN=list runs the listing instead of the gate check.
# Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-20s}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/agentgate" ./cmd/agentgate
go build -o "$work/httpceiling" ./cmd/httpceiling
export AGENTGATE_KEY="agk_loadtest_0123456789abcdef"

run_gate() { # $1 = label, $2 = DATABASE_URL
  PORT=3917 DATABASE_URL="$2" ADMIN_API_KEY="$AGENTGATE_KEY" LOG_LEVEL=warn LOG_FORMAT=json \
    "$work/agentgate" serve >"$work/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -fs localhost:3917/ready >/dev/null && break; sleep 0.05; done
  curl -fs -H "Authorization: Bearer $AGENTGATE_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench","priority":1,"rules":[{"match":{"action":"read_file"},"decision":"auto_approve"}]}' \
    localhost:3917/api/policies >/dev/null
  echo "== $1: auto-approved gate check"
  wrk -t1 -c16 -d"$DUR" --latency -s scripts/gatecheck.lua http://127.0.0.1:3917/api/requests | grep -E 'RESULT|Requests/sec'
  echo "   peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
  if [ "$1" = postgres ]; then # a key with a rate limit: its calls are counted in the database
    local limited
    limited=$(curl -fs -H "Authorization: Bearer $AGENTGATE_KEY" -H 'Content-Type: application/json' \
      -d "{\"name\":\"rate-limited-$(date +%s%N)\",\"scopes\":[\"request:create\"],\"rateLimit\":1000000}" \
      localhost:3917/api/api-keys | sed 's/.*"key":"\([^"]*\)".*/\1/')
    echo "== $1: the same with a rate-limited key"
    AGENTGATE_KEY=$limited wrk -t1 -c16 -d"$DUR" --latency -s scripts/gatecheck.lua http://127.0.0.1:3917/api/requests | grep -E 'RESULT|Requests/sec'
  fi
  kill -TERM $pid; wait $pid || true
}

# $1 = pid of the server, $2 = url: wrk on the list page, then the server's CPU time (user
# and system, from /proc) per page served.
measured_wrk() {
  local tick before out requests
  tick=$(getconf CLK_TCK)
  before=$(awk '{print $14 + $15}' /proc/$1/stat)
  out=$(wrk -t1 -c16 -d"$DUR" --latency -s scripts/listpending.lua "$2")
  echo "$out" | grep -E 'RESULT|Requests/sec'
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  awk -v t="$(awk '{print $14 + $15}' /proc/$1/stat)" -v b="$before" -v hz="$tick" -v n="$requests" \
    'BEGIN {printf "   server CPU: %.0f µs a page\n", (t - b) / hz * 1e6 / n}'
}

# $1 = label, $2 = DATABASE_URL: 50,000 pending requests, then the page of 50 under load.
run_list() {
  PORT=3917 DATABASE_URL="$2" ADMIN_API_KEY="$AGENTGATE_KEY" LOG_LEVEL=warn LOG_FORMAT=json \
    "$work/agentgate" serve >"$work/$1-list.log" 2>&1 &
  local pid=$! n=0
  for _ in $(seq 100); do curl -fs localhost:3917/ready >/dev/null && break; sleep 0.05; done
  pending() { curl -fs -H "Authorization: Bearer $AGENTGATE_KEY" 'localhost:3917/api/requests?status=pending&limit=1' |
    grep -o '"total":[0-9]*' | cut -d: -f2; }
  while n=$(pending); [ "$n" -lt 50000 ]; do # wrk runs its whole duration; seed in short runs
    SEED_COUNT=$((50000 - n)) wrk -t1 -c16 -d5s -s scripts/seedpending.lua http://127.0.0.1:3917/api/requests >/dev/null
  done
  echo "== $1: a page of 50 among $n pending requests"
  measured_wrk $pid "http://127.0.0.1:3917/api/requests?status=pending&limit=50"
  echo "   peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
  kill -TERM $pid; wait $pid || true
}

if [ "${RUN:-gate}" = list ]; then
  run_list sqlite "$work/list.db"
  if [ -n "${PG_URL:-}" ]; then run_list postgres "$PG_URL"; fi
  PORT=3918 "$work/httpceiling" &
  ceiling=$!
  for _ in $(seq 100); do curl -s -o /dev/null localhost:3918/ && break; sleep 0.05; done
  echo "== bare Echo handler sending the same page (HTTP ceiling)"
  measured_wrk $ceiling "http://127.0.0.1:3918/api/requests?status=pending&limit=50"
  exit 0
fi

run_gate sqlite "$work/bench.db"
# Cold start to /ready on the existing database.
start=$(date +%s%N)
PORT=3917 DATABASE_URL="$work/bench.db" ADMIN_API_KEY="$AGENTGATE_KEY" LOG_LEVEL=warn "$work/agentgate" serve >/dev/null 2>&1 &
pid=$!
# Poll with bash's own /dev/tcp: spawning curl each time would cost more than the start.
ready() { exec 3<>/dev/tcp/127.0.0.1/3917 && printf 'GET /ready HTTP/1.0\r\n\r\n' >&3 && head -c 12 <&3 | grep -q 200; } 2>/dev/null
until ready; do sleep 0.001; done
echo "== cold start to /ready on an existing database: $(( ($(date +%s%N) - start) / 1000000 )) ms"
kill -TERM $pid; wait $pid || true

if [ -n "${PG_URL:-}" ]; then
  run_gate postgres "$PG_URL"
  # The writes one transaction per request, what the batched writer is measured against:
  # the request and audit rows alone, and with the status count the gate check keeps too.
  for count in false true; do
    PORT=3919 DATABASE_URL="$PG_URL" WRITE_COUNT=$count "$work/httpceiling" &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null localhost:3919/ && break; sleep 0.05; done
    echo "== postgres, one transaction per request (bare Echo handler; the request and audit rows$([ $count = true ] && echo ', and the count'))"
    wrk -t1 -c16 -d"$DUR" --latency -s scripts/gatecheck.lua http://127.0.0.1:3919/api/requests | grep -E 'RESULT|Requests/sec'
    kill -TERM $pid; wait $pid || true
  done
fi

PORT=3918 "$work/httpceiling" &
for _ in $(seq 100); do curl -s -o /dev/null localhost:3918/ && break; sleep 0.05; done
echo "== bare Echo handler decoding the same JSON (HTTP ceiling)"
wrk -t1 -c16 -d"$DUR" --latency -s scripts/gatecheck.lua http://127.0.0.1:3918/api/requests | grep -E 'RESULT|Requests/sec'
