#!/usr/bin/env bash
# Flight search on the team server against the yardstick of issue 14: the smallest axum server
# answering the very same bytes from memory (crates/server/examples/answer_from_memory.rs), on
# the same machine, in alternating wrk runs (2 threads, 64 connections, loopback only).
#
#   scripts/bench-server-search.sh            # needs wrk (apt-get install wrk) and curl
#   ROUNDS=3 DURATION=10 ENCODING=gzip scripts/bench-server-search.sh
#
# ENCODING=gzip (or zstd) sends `Accept-Encoding: <it>` to the server, and the yardstick serves
# the compressed answer the server gave. BIN=path/to/booksygo and YARDSTICK=path/to/
# answer_from_memory measure other builds (nothing is built then).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-2}"
duration="${DURATION:-10}"
encoding="${ENCODING:-}"
target="${CARGO_TARGET_DIR:-./target}"
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin booksygo
    cargo build --release --quiet -p booksygo-server --example answer_from_memory
fi
bin="${BIN:-$target/release/booksygo}"
yardstick="${YARDSTICK:-$target/release/examples/answer_from_memory}"
dir="$(mktemp -d)"
port="${PORT:-18099}"
yport="$((port + 1))"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT

body='{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"2027-03-14"}],"passengers":[{"type":"adult"}]}'
BOOKSYGO_NOW=2026-11-25T12:00:00Z BOOKSYGO_KEYRING=off "$bin" serve --bind "127.0.0.1:$port" \
    --data-dir "$dir/data" --anonymous-search-rate 0 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

accept=()
if [ -n "$encoding" ]; then accept=(-H "Accept-Encoding: $encoding"); fi
# The answer as the server sends it (the first search fills the cache; the copy is the second).
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/api/search/flights"
curl -sf -D "$dir/headers" -o "$dir/answer" "${accept[@]}" -X POST -H 'Content-Type: application/json' \
    -d "$body" "http://127.0.0.1:$port/api/search/flights"
sent_encoding="$(grep -i '^content-encoding:' "$dir/headers" | awk '{print $2}' | tr -d '\r' || true)"
echo "answer: $(wc -c < "$dir/answer") bytes, content-encoding: ${sent_encoding:-identity}," \
    "$(grep -i '^x-cache:' "$dir/headers" | tr -d '\r' || echo 'no x-cache header')"

"$yardstick" "127.0.0.1:$yport" "$dir/answer" ${sent_encoding:+"$sent_encoding"} &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null -X POST "http://127.0.0.1:$yport/api/search/flights" && break; sleep 0.1; done
cmp -s <(curl -sf "${accept[@]}" -X POST -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$yport/api/search/flights") "$dir/answer" \
    || { echo "the yardstick does not answer the same bytes" >&2; exit 1; }

{
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    if [ -n "$encoding" ]; then echo "wrk.headers[\"Accept-Encoding\"] = \"$encoding\""; fi
    echo "wrk.body = '$body'"
} > "$dir/search.lua"

# "Requests/sec" and the 99th percentile (in ms) of one wrk run.
run() {
    wrk -t2 -c64 -d"${duration}s" --latency -s "$dir/search.lua" "http://127.0.0.1:$1/api/search/flights" |
        awk '
            /Requests\/sec/ { rps = $2 }
            /Non-2xx/ { bad = $NF }
            $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
            END { if (bad != "") { print "non-2xx answers: " bad > "/dev/stderr"; exit 1 }; printf "%.0f %.2f\n", rps, p99 }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-22s %-10s %-22s %-10s %s\n' round "yardstick req/s" "p99 ms" "server req/s" "p99 ms" ratio
for r in $(seq "$rounds"); do
    read -r yr yp < <(run "$yport")
    read -r sr sp < <(run "$port")
    printf '%-6s %-22s %-10s %-22s %-10s %s\n' "$r" "$yr" "$yp" "$sr" "$sp" "$(awk -v a="$sr" -v b="$yr" 'BEGIN { printf "%.2f", a / b }')"
done
echo "server RSS after the load: $(grep VmRSS "/proc/${pids[0]}/status" | awk '{print $2, $3}')"
