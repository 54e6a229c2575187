#!/usr/bin/env bash
# Start to first frame of the terminal app, measured from outside: the time from asking tmux
# to start `booksygo tui` (80x24, warm sandbox store) until its search form is on the screen,
# polled with capture-pane. The same harness timing `printf 'From Flights'` gives the floor
# (tmux and polling overhead), printed alongside. Needs tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin booksygo
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/booksygo"
export BOOKSYGO_HOME="$(mktemp -d)" BOOKSYGO_NOW=2027-03-01T09:00:00Z
sock="booksygo-ff-$$"
trap 'rm -rf "$BOOKSYGO_HOME"' EXIT
"$bin" info >/dev/null   # create the store and load the fixtures once
runs="${RUNS:-20}"

n=0
measure() {  # $1: command; prints milliseconds until "From" and "Flights" are on screen
  n=$((n + 1))
  local s="$sock-$n-$RANDOM" start end screen
  start=$(date +%s%N)
  tmux -L "$s" new-session -d -s ff -x 80 -y 24 "$1; sleep 30"
  while :; do
    screen=$(tmux -L "$s" capture-pane -p -t ff 2>/dev/null || true)
    [[ $screen == *From* && $screen == *Flights* ]] && break
    (( $(date +%s%N) - start < 10000000000 )) || { echo "no frame after 10 s" >&2; exit 1; }
  done
  end=$(date +%s%N)
  tmux -L "$s" kill-server 2>/dev/null || true
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

app=$(for _ in $(seq "$runs"); do measure "env BOOKSYGO_HOME=$BOOKSYGO_HOME BOOKSYGO_NOW=$BOOKSYGO_NOW $bin tui"; done | median)
floor=$(for _ in $(seq "$runs"); do measure "printf 'From\\nFlights\\n'"; done | median)
echo "start to first frame, median of $runs: booksygo tui ${app} ms; harness floor ${floor} ms"
