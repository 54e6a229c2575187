#!/usr/bin/env bash
# End-to-end CLI timing with hyperfine (apt-get install hyperfine): a warm sandbox store,
# `booksygo --version` as the floor, a JSON flight search as the job.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
export BOOKSYGO_HOME="$(mktemp -d)" BOOKSYGO_NOW=2026-11-25T12:00:00Z
trap 'rm -rf "$BOOKSYGO_HOME"' EXIT
bin=./target/release/booksygo
# First run: creates the database and loads the fixtures.
/usr/bin/time -f "first run (create + load fixtures + search): %e s" "$bin" flights search LHR JFK --date 2027-03-14 --json >/dev/null
hyperfine -N --warmup 5 --runs 100 \
  "$bin --version" \
  "$bin flights search LHR JFK --date 2027-03-14 --json" \
  "$bin hotels search LON --checkin 2027-03-14 --checkout 2027-03-17 --json" \
  "$bin places suggest lond --json"
