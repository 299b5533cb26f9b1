#!/usr/bin/env bash
# Runs recur and the scikit-learn reference on the same generated logs, one size after another,
# and prints per size: both wall times, both peak memories, both adjusted Rand indices against
# the generator's truth column, and the speed ratio. recur's figures are the median of three runs;
# the reference (over a minute at 1M rows) runs once.
# Usage: bash benches/reference/compare.sh [ROWS...]   (default: 10000 100000 1000000)
# The reference's Python packages go into a virtual environment under ~/.cache/recur-venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/recur-target}
venv=${RECUR_VENV:-$HOME/.cache/recur-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet scikit-learn PyStemmer
fi
cargo build --release --quiet --bins
bin="$CARGO_TARGET_DIR/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
printf '%-9s | %9s %9s %7s | %9s %9s %7s | %7s\n' rows recur_s recur_MB ari ref_s ref_MB ari speedup
for n in "${sizes[@]}"; do
  "$bin/recur-gen" --rows "$n" --seed 7 -o "$work/log.csv"
  sync  # the generator's writes are flushed before anything is timed
  k=$(python3 -c "import csv,sys; csv.field_size_limit(1<<30); print(len({r['truth'] for r in csv.DictReader(open('$work/log.csv'))}))")
  # recur: the median of three runs (it takes seconds, so one stray process skews a single run).
  : > "$work/t1s"
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/t1" "$bin/recur" analyze "$work/log.csv" --truth truth -o "$work/out" -q
    cat "$work/t1" >> "$work/t1s"
  done
  read -r w1 m1 < <(sort -n "$work/t1s" | sed -n 2p)
  a1=$(python3 -c "import json; print('%.3f' % json.load(open('$work/out/patterns.json'))['evaluation']['adjusted_rand_index'])")
  /usr/bin/time -f '%e %M' -o "$work/t2" "$venv/bin/python" benches/reference/reference.py "$work/log.csv" "$k" > "$work/ref.txt"
  read -r w2 m2 < "$work/t2"
  a2=$(sed -n 's/^ari=\([0-9.-]*\).*/\1/p' "$work/ref.txt")
  python3 - "$n" "$w1" "$m1" "$a1" "$w2" "$m2" "$a2" <<'PY'
import sys
n, w1, m1, a1, w2, m2, a2 = sys.argv[1:]
w1, w2 = float(w1), float(w2)
print(f"{n:<9} | {w1:>9.2f} {int(m1)/1024:>9.0f} {float(a1):>7.3f} | {w2:>9.2f} {int(m2)/1024:>9.0f} {float(a2):>7.3f} | {w2/w1:>6.1f}x")
PY
done
