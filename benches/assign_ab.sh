#!/usr/bin/env bash
# Times `recur assign` builds against each other on one input, the builds taken in turn so that
# a VM whose speed drifts treats them alike (benches/PERFORMANCE.md quotes its min and median).
#
# usage: benches/assign_ab.sh MODEL INPUT ROUNDS BIN...
#   e.g. benches/assign_ab.sh m1m.rcm g1m.csv 6 /tmp/recur-main target/release/recur
# Prints per binary the min and median wall and user seconds over ROUNDS runs of
# `BIN assign --model MODEL INPUT -o - -q > /dev/null` (GNU time).
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,8p "$0"; exit 2; }
model=$1 input=$2 rounds=$3
shift 3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for _ in $(seq "$rounds"); do
  for b in "$@"; do
    /usr/bin/time -f "$b %e %U" -a -o "$log" "$b" assign --model "$model" "$input" -o - -q > /dev/null
  done
done
python3 - "$log" <<'P'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    b, wall, user = line.rsplit(None, 2)
    runs.setdefault(b, []).append((float(wall), float(user)))
for b, v in runs.items():
    w = [x[0] for x in v]; u = [x[1] for x in v]
    print(f"{b}: wall min {min(w):.2f} median {st.median(w):.2f} s, "
          f"user min {min(u):.2f} median {st.median(u):.2f} s ({len(v)} runs)")
P
