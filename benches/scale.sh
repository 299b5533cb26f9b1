#!/usr/bin/env bash
# Scale benchmark: generates logs of 10k / 100k / 1M rows with recur-gen and times the release
# binary on each (whole `recur analyze` run, reports and charts included), printing wall time,
# peak memory and the adjusted Rand index against the generator's hidden truth column.
# Usage: bash benches/scale.sh [ROWS...]   (default: 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/recur-target}
cargo build --release --quiet --bins
bin="$CARGO_TARGET_DIR/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
printf '%-10s %10s %12s %8s %9s\n' rows wall_s peak_MB ari patterns
for n in "${sizes[@]}"; do
  "$bin/recur-gen" --rows "$n" --seed 7 -o "$work/log.csv"
  sync  # the generator's writes are flushed before anything is timed
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin/recur" analyze "$work/log.csv" \
    --truth truth -o "$work/out" -q
  read -r wall kb < "$work/time"
  python3 - "$work/out/patterns.json" "$n" "$wall" "$kb" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n, wall, kb = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
print(f"{n:<10} {wall:>10.2f} {kb/1024:>12.1f} {d['evaluation']['adjusted_rand_index']:>8.3f} {len(d['patterns']):>9}")
PY
done
