#!/usr/bin/env bash
# The package-search stall of the hardening issue, reproduced against the release server on
# loopback: eight anonymous `GET /api/packages?text=a a a ...` (N words each, 2 KB at N=1000)
# at once, while /healthz is timed. Prints each attack's status and time, and the health
# check's. Usage: scripts/probe-package-stall.sh [N]   (needs curl; loopback only)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
# BIN=path/to/booksygo probes another build (e.g. the previous commit's, side by side).
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin="${BIN:-${CARGO_TARGET_DIR:-./target}/release/booksygo}"
dir="$(mktemp -d)"
port="${PORT:-18098}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
BOOKSYGO_NOW=2026-11-25T12:00:00Z "$bin" serve --bind "127.0.0.1:$port" \
  --data-dir "$dir" --anonymous-search-rate 0 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
text="$(printf 'a+%.0s' $(seq "$n"))"
for i in $(seq 8); do
  curl -s -o /dev/null -w "attack $i: %{http_code} in %{time_total}s\n" --max-time 120 \
    "http://127.0.0.1:$port/api/packages?text=$text" &
done
sleep 0.2
curl -s -o /dev/null -w "healthz during the attack: %{http_code} in %{time_total}s\n" --max-time 120 \
  "http://127.0.0.1:$port/healthz"
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
