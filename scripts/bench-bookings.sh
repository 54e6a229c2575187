#!/usr/bin/env bash
# Booking load on the team server with wrk (apt-get install wrk sqlite3): 64 connections POST
# /api/bookings (card payment, so each answer is a CONFIRMED booking or a 409 once the seats are
# gone) over a few hundred offers for DURATION seconds. Prints confirmed bookings per second,
# checks that no flight sold more seats than it has and that every 201 is a booking in the
# database, and prints the server's RSS after the load.
set -euo pipefail
cd "$(dirname "$0")/.."
# BIN=path/to/booksygo measures another build (e.g. the previous commit's, side by side).
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin="${BIN:-${CARGO_TARGET_DIR:-./target}/release/booksygo}"
dir="$(mktemp -d)"
port="${PORT:-18098}"
duration="${DURATION:-10}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
export BOOKSYGO_NOW=2026-11-25T12:00:00Z BOOKSYGO_KEYRING=off
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$dir" --log-level warn 2>/dev/null &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo 'load test password' | "$bin" admin create-user --email load@bench.test --password-stdin --data-dir "$dir" >/dev/null
token=$(curl -sf "http://127.0.0.1:$port/api/auth/login" -H 'content-type: application/json' \
  -d '{"email":"load@bench.test","password":"load test password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# Offers on busy routes; each is booked until its flight is full.
offers="$dir/offers.txt"
for route in LHR:JFK JFK:LHR LHR:CDG CDG:LHR FRA:JFK AMS:BCN MAD:BCN LHR:DXB DXB:SIN SIN:SYD \
             LAX:JFK SFO:ORD ATL:MIA ORD:DFW NRT:HND CDG:FCO MUC:LIS DUB:LHR YYZ:LAX IST:FRA; do
  o=${route%:*}; d=${route#*:}
  curl -sf "http://127.0.0.1:$port/api/search/flights" -H 'content-type: application/json' \
    -d "{\"slices\":[{\"origin\":\"$o\",\"destination\":\"$d\",\"departure_date\":\"2027-03-14\"}],\"passengers\":[{\"type\":\"adult\"}],\"max_connections\":0,\"limit\":50}" \
    | python3 -c 'import json,sys; [print(o["id"]) for o in json.load(sys.stdin)["offers"]]' >> "$offers"
done
n=$(wc -l < "$offers")

{
  echo "local offers = {"; sed 's/.*/"&",/' "$offers"; echo "}"
  cat <<LUA
local counter = 0
local threads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
function setup(thread) table.insert(threads, thread) end
function init(args) created = 0; conflicts = 0; other = 0 end
function request()
  counter = counter + 1
  local offer = offers[(counter % #offers) + 1]
  return wrk.format(nil, nil, nil, '{"selected_offers":["' .. offer .. '"],"passengers":[{"given_name":"Load","family_name":"Test","born_on":"1990-01-01","type":"adult"}],"contact_email":"load@bench.test","payment":{"method":"card","card_number":"4242424242424242","expiry":"12/30"}}')
end
function response(status, headers, body)
  if status == 201 then created = created + 1 elseif status == 409 then conflicts = conflicts + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, x, o = 0, 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); x = x + t:get("conflicts"); o = o + t:get("other") end
  io.write(string.format("created %d (%.0f bookings/s), sold out or refused %d, other %d, p50 %.1f ms, p99 %.1f ms\n",
    c, c / (summary.duration / 1e6), x, o, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  local f = io.open("$dir/created", "w"); f:write(c); f:close()
end
LUA
} > "$dir/book.lua"

echo "== $n offers, 64 connections, ${duration}s: POST /api/bookings"
wrk -t2 -c64 -d"${duration}s" --latency -s "$dir/book.lua" "http://127.0.0.1:$port/api/bookings" | grep -E "^created|Requests/sec"
echo "== server RSS after the load (kB)"
grep VmRSS "/proc/$pid/status"
echo "== oversell check"
sqlite3 "$dir/booksygo.db" "SELECT 'flights over capacity: ' || count(*) FROM flight_inventory WHERE sold > capacity;
  SELECT 'confirmed bookings in the database: ' || count(*) FROM bookings WHERE status = 'CONFIRMED';"
echo "201 answers: $(cat "$dir/created")"
