#!/usr/bin/env bash
# Regenerates the images the README shows from the current build, on the sample log it ships:
#   docs/quarterly.png  ← charts/quarterly.png of `recur analyze data/failure-log.csv`
#   docs/forecast.png   ← charts/forecast.png of the same run
# Run from anywhere: bash scripts/readme-images.sh (uses CARGO_TARGET_DIR when set).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release --quiet --bin recur
bin="${CARGO_TARGET_DIR:-$root/target}/release/recur"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" analyze data/failure-log.csv -o "$out/report" --format md --charts png -q
for name in quarterly forecast; do
  cp "$out/report/charts/$name.png" "docs/$name.png"
  echo "docs/$name.png"
done
