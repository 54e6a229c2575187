#!/usr/bin/env bash
# Instructions (valgrind callgrind) of one CLI flight search and one paid booking, for builds
# side by side: `scripts/count-instructions.sh path/to/booksygo-a path/to/booksygo-b`. Counts do
# not depend on what else the machine is doing, so two builds compare within a fraction of a
# percent where wall-clock runs on a shared machine swing by tens of percent. Each build gets a
# fresh data directory, warmed by one search (the first run creates the database).
set -euo pipefail
export BOOKSYGO_NOW=2026-11-25T12:00:00Z BOOKSYGO_KEYRING=off NO_COLOR=1
count() { # prints the instruction total of one command
  local out; out="$(mktemp)"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}
printf '%-28s %16s %16s\n' build search booking
for bin in "$@"; do
  dir="$(mktemp -d)"
  export BOOKSYGO_HOME="$dir"
  "$bin" flights search LHR JFK --date 2027-03-14 --limit 1 --json >/dev/null
  search=$(count "$bin" flights search LHR JFK --date 2027-03-15 --limit 20 --json)
  offer=$("$bin" flights search LHR JFK --date 2027-03-16 --max-stops 0 --limit 1 --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  booking=$(count "$bin" book "$offer" --passenger Ada,Lovelace,1990-12-10 \
    --email ada@example.com --card 4242424242424242 --json)
  printf '%-28s %16s %16s\n' "$(basename "$bin")" "$search" "$booking"
  rm -rf "$dir"
done
