#!/bin/bash
# Probe (not part of recur): end-to-end leave-one-set-out for the learned reader.
#
# For each held-out set given (default holdout7–holdout10): trains assets/reader.tsv on every
# other set of scripts/train_reader.py's SETS, builds the release binary, and scores the set's
# logs with it (benches/quality/score.py), with and without the reader. Restores the shipped
# reader and rebuilds at the end. Takes about 3 minutes per set on 2 cores.
# usage: bash benches/quality/probes/reader_loso_e2e.sh [SET ...]
set -euo pipefail
cd "$(dirname "$0")/../../.."
ALL=$(python3 -c "import importlib.util as u; s=u.spec_from_file_location('t','scripts/train_reader.py'); m=u.module_from_spec(s); s.loader.exec_module(m); print(' '.join(m.SETS))")
TESTS=${*:-holdout7 holdout8 holdout9 holdout10}
cp assets/reader.tsv /tmp/reader-shipped.tsv
trap 'cp /tmp/reader-shipped.tsv assets/reader.tsv' EXIT
for test in $TESTS; do
  dirs=""
  for s in $ALL; do [ "$s" != "$test" ] && dirs="$dirs tests/data/voices/$s"; done
  python3 scripts/train_reader.py $dirs > /dev/null
  cargo build --release -q
  echo "$test with reader:    $(python3 benches/quality/score.py --quiet tests/data/voices/$test/*.csv | tail -1)"
  echo "$test without reader: $(python3 benches/quality/score.py --quiet --args=--no-reader tests/data/voices/$test/*.csv | tail -1)"
done
cp /tmp/reader-shipped.tsv assets/reader.tsv
cargo build --release -q
