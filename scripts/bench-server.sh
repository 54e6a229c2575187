#!/usr/bin/env bash
# Load on the team server with wrk (apt-get install wrk): the flight search endpoint against
# the smallest JSON handler (/healthz) in the same run, 64 connections, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
# BIN=path/to/booksygo measures another build (e.g. the previous commit's, side by side).
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin="${BIN:-${CARGO_TARGET_DIR:-./target}/release/booksygo}"
dir="$(mktemp -d)"
port="${PORT:-18099}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
BOOKSYGO_NOW=2026-11-25T12:00:00Z "$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" --anonymous-search-rate 0 2>/dev/null &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
cat > "$dir/search.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"2027-03-14"}],"passengers":[{"type":"adult"}],"max_connections":1,"limit":20}'
LUA
echo "== minimal JSON handler: GET /healthz"
wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%|50%"
echo "== flight search: POST /api/search/flights (cached after the first answer, as a team server would be)"
wrk -t2 -c64 -d10s --latency -s "$dir/search.lua" "http://127.0.0.1:$port/api/search/flights" | grep -E "Requests/sec|99%|50%"
echo "== server RSS after the load (kB)"
grep VmRSS "/proc/$pid/status"
