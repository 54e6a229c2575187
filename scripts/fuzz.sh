#!/usr/bin/env bash
# Fuzzes every parser of outside text for a bounded time: the offline assistant's reading of a
# message (whole, and its intent and dates alone), the package search text (run against the
# sandbox catalogue), the CLI's traveller, date and month arguments, recorded Duffel, Amadeus
# and Stripe answers changed in a few places, and Stripe-Signature headers and webhook bodies.
# Each target fails on a panic; this script also fails when any single input took longer than
# BOOKSYGO_FUZZ_MAX_MS (10 ms by default). It prints each target's input count and slowest
# input.
#
# Usage: scripts/fuzz.sh
#   PROPTEST_CASES=N          inputs per target (default 2000)
#   BOOKSYGO_FUZZ_MAX_MS=M    slowest input allowed, in ms (default 10)
#   BOOKSYGO_FUZZ_SECONDS=S   wall-clock bound of each test run, compile excluded (default 900)
#   BOOKSYGO_FUZZ_DEBUG=1     the core's targets in the test build too (about 15 times slower
#                             per input, so the 10 ms budget is then far stricter than needed)
#
# The core's targets run optimised (--release), as the server and the CLI ship: the budget is
# about them. The CLI's own parsers are small and run in the test build, which is slower, so
# passing there means passing in release.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_CASES="${PROPTEST_CASES:-2000}"
export BOOKSYGO_FUZZ_MAX_MS="${BOOKSYGO_FUZZ_MAX_MS:-10}"
seconds="${BOOKSYGO_FUZZ_SECONDS:-900}"
core_profile=(--release)
if [ "${BOOKSYGO_FUZZ_DEBUG:-0}" = 1 ]; then core_profile=(); fi
# The fuzz tests are #[ignore]d (a normal `cargo test` runs only a few cases of each) and
# named fuzz_*; one thread, so that no target is timed beside another.
run() {
  cargo test --quiet "$@" --no-run
  timeout "$seconds" cargo test --quiet "$@" -- --ignored --nocapture --test-threads=1 fuzz_
}
echo "fuzz: $PROPTEST_CASES cases per target, at most $BOOKSYGO_FUZZ_MAX_MS ms per input"
run "${core_profile[@]}" -p booksygo-core --lib
run -p booksygo --bin booksygo
