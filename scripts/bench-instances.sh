#!/usr/bin/env bash
# Bookings/s and flight-search requests/s on the team server, side by side in one run:
# SQLite (one instance), then 1, 2 and 3 instances on one PostgreSQL database. The client is
# wrk (apt-get install wrk), one wrk per instance, the 64 connections split between them, so
# the load is spread as a load balancer would spread it. Bookings pay by card (each answer a
# CONFIRMED booking, or a 409 once a flight is full) over a few hundred offers; afterwards no
# flight may be over capacity, every 201 must be a confirmed booking in the database, and
# `admin check` must find nothing.
#
#   scripts/bench-instances.sh              # DURATION=10 seconds per measurement
#   PG_URL=postgres://postgres@127.0.0.1:5432/postgres BIN=target/release/booksygo ...
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin="${BIN:-${CARGO_TARGET_DIR:-./target}/release/booksygo}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
pg_server="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
duration="${DURATION:-10}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$pg_server" -c "DROP DATABASE IF EXISTS booksygo_bench WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export BOOKSYGO_NOW=2026-11-25T12:00:00Z BOOKSYGO_KEYRING=off
export BOOKSYGO_JWT_SECRET=bench-signing-key-0123456789abcdef0123 BOOKSYGO_ANONYMOUS_SEARCH_RATE=0
pg_db="${pg_server%/*}/booksygo_bench"

# start MODE N: N servers (MODE sqlite or postgres); sets ports=(...)
start() {
  local mode=$1 n=$2 i
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=(); ports=()
  if [ "$mode" = postgres ]; then
    psql -q "$pg_server" -c "DROP DATABASE IF EXISTS booksygo_bench WITH (FORCE)" >/dev/null
    psql -q "$pg_server" -c "CREATE DATABASE booksygo_bench" >/dev/null
  fi
  rm -rf "$work/data"; mkdir -p "$work/data"
  for i in $(seq "$n"); do
    local port=$((18200 + i))
    if [ "$mode" = postgres ]; then
      BOOKSYGO_HOME="$work/home$i" "$bin" serve --bind "127.0.0.1:$port" --database-url "$pg_db" --log-level error 2>>"$work/log" &
    else
      BOOKSYGO_HOME="$work/home$i" "$bin" serve --bind "127.0.0.1:$port" --data-dir "$work/data" --log-level error 2>>"$work/log" &
    fi
    pids+=($!); ports+=("$port")
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  done
  # Sixteen travellers, as a team has: one traveller's bookings take turns on its points.
  for u in $(seq 16); do
    curl -sf "http://127.0.0.1:${ports[0]}/api/auth/register" -H 'content-type: application/json' \
      -d "{\"email\":\"load$u@bench.test\",\"password\":\"load test password\",\"first_name\":\"Load\",\"last_name\":\"Test\"}" >/dev/null
  done
}

# The sixteen travellers' access tokens, as a Lua list.
tokens() {
  echo "local tokens = {"
  for u in $(seq 16); do
    curl -sf "http://127.0.0.1:${ports[0]}/api/auth/login" -H 'content-type: application/json' \
      -d "{\"email\":\"load$u@bench.test\",\"password\":\"load test password\"}" \
      | python3 -c 'import json,sys; print("\"" + json.load(sys.stdin)["access_token"] + "\",")'
  done
  echo "}"
}

offers() {
  : > "$work/offers.txt"
  for route in LHR:JFK JFK:LHR LHR:CDG CDG:LHR FRA:JFK AMS:BCN MAD:BCN LHR:DXB DXB:SIN SIN:SYD \
               LAX:JFK SFO:ORD ATL:MIA ORD:DFW NRT:HND CDG:FCO MUC:LIS DUB:LHR YYZ:LAX IST:FRA; do
    local o=${route%:*} d=${route#*:}
    curl -sf "http://127.0.0.1:${ports[0]}/api/search/flights" -H 'content-type: application/json' \
      -d "{\"slices\":[{\"origin\":\"$o\",\"destination\":\"$d\",\"departure_date\":\"2027-03-14\"}],\"passengers\":[{\"type\":\"adult\"}],\"max_connections\":0,\"limit\":50}" \
      | python3 -c 'import json,sys; [print(o["id"]) for o in json.load(sys.stdin)["offers"]]' >> "$work/offers.txt"
  done
}

# CPU seconds used so far by the servers and by PostgreSQL's backends (utime + stime)
cpu() {
  local who=$1 total=0 p
  if [ "$who" = servers ]; then set -- "${pids[@]}"; else set -- $(pgrep -u postgres postgres || true); fi
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# load KIND: KIND bookings or search; prints one line with the sums over the wrk processes
# and where the CPU went (servers, PostgreSQL, the rest: wrk and the system)
load() {
  local kind=$1 n=${#ports[@]} i c=$((64 / ${#ports[@]}))
  {
    echo "local offers = {"; sed 's/.*/"&",/' "$work/offers.txt"; echo "}"
    tokens
    cat <<LUA
local counter = 0
local threads = {}
local kind = "$kind"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; conflicts = 0; other = 0 end
function request()
  counter = counter + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]
  if kind == "search" then
    return wrk.format(nil, "/api/search/flights", nil, '{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"2027-03-14"}],"passengers":[{"type":"adult"}]}')
  end
  local offer = offers[(counter % #offers) + 1]
  return wrk.format(nil, "/api/bookings", nil, '{"selected_offers":["' .. offer .. '"],"passengers":[{"given_name":"Load","family_name":"Test","born_on":"1990-01-01","type":"adult"}],"contact_email":"load@bench.test","payment":{"method":"card","card_number":"4242424242424242","expiry":"12/30"}}')
end
function response(status, headers, body)
  if status == 201 or status == 200 then ok = ok + 1 elseif status == 409 then conflicts = conflicts + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, x, o = 0, 0, 0
  for _, t in ipairs(threads) do c = c + t:get("ok"); x = x + t:get("conflicts"); o = o + t:get("other") end
  io.write(string.format("RESULT %d %d %d %.1f %.1f %.3f\n", c, x, o,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
LUA
  } > "$work/load.lua"
  local wrks=() s0 p0 t0
  s0=$(cpu servers); p0=$(cpu postgres); t0=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
  local x0=0
  [ "$mode" = postgres ] && x0=$(psql -Atq "$pg_db" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  for port in "${ports[@]}"; do
    wrk -t1 -c"$c" -d"${duration}s" --latency -s "$work/load.lua" "http://127.0.0.1:$port" > "$work/wrk.$port" 2>&1 &
    wrks+=($!)
  done
  wait "${wrks[@]}"
  local ok=0 conflicts=0 other=0 p50=0 p99=0 secs=0
  for port in "${ports[@]}"; do
    read -r _ a b d e f g < <(grep '^RESULT' "$work/wrk.$port")
    ok=$((ok + a)); conflicts=$((conflicts + b)); other=$((other + d))
    p50=$(python3 -c "print(max($p50, $e))"); p99=$(python3 -c "print(max($p99, $f))"); secs=$g
  done
  echo "$ok" > "$work/ok"
  local s1 p1 t1 x1=0
  s1=$(cpu servers); p1=$(cpu postgres); t1=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
  [ "$mode" = postgres ] && x1=$(psql -Atq "$pg_db" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  local where
  where=$(python3 -c "
t = max($t1 - $t0, 1); s = ($s1 - $s0) / t * 100; p = ($p1 - $p0) / t * 100
tx = ($x1 - $x0) / max($ok, 1)
print(f'CPU: servers {s:.0f} %, PostgreSQL {p:.0f} %, the rest (wrk, system, idle) {100 - s - p:.0f} %' + (f'; {tx:.1f} transactions per answer' if '$mode' == 'postgres' else ''))")
  printf '%-8s %-9s %d instance(s): %6.0f /s  (ok %d, 409 %d, other %d)  p50 %s ms  p99 %s ms (worst instance)\n' \
    "$mode" "$kind" "$n" "$(python3 -c "print($ok / $secs)")" "$ok" "$conflicts" "$other" "$p50" "$p99"
  echo "         $where"
}

checks() {
  local over confirmed
  if [ "$mode" = postgres ]; then
    over=$(psql -Atq "$pg_db" -c "SELECT count(*) FROM flight_inventory WHERE sold > capacity")
    confirmed=$(psql -Atq "$pg_db" -c "SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'")
    BOOKSYGO_HOME="$work/admin" "$bin" admin check --database-url "$pg_db" >/dev/null || echo "   admin check FAILED"
  else
    over=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/data/booksygo.db').execute('SELECT count(*) FROM flight_inventory WHERE sold > capacity').fetchone()[0])")
    confirmed=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/data/booksygo.db').execute(\"SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'\").fetchone()[0])")
    BOOKSYGO_HOME="$work/admin" "$bin" admin check --data-dir "$work/data" >/dev/null || echo "   admin check FAILED"
  fi
  echo "         oversold flights: $over; confirmed in the database: $confirmed; 201 answers: $(cat "$work/ok")"
}

echo "== $(nproc) cores, ${duration}s per measurement, 64 connections split over the instances"
for setup in "sqlite 1" "postgres 1" "postgres 2" "postgres 3"; do
  read -r mode n <<< "$setup"
  start "$mode" "$n"
  offers
  load search
  load bookings
  checks
done
