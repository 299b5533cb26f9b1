#!/usr/bin/env python3
"""Writes a copy of a log whose words are shuffled across all entries.

usage: shuffle_words.py IN.csv OUT.csv [SEED]

Every text column (root_cause, lesson, behavioral_change) keeps its number of words per entry,
but the words themselves are drawn, without replacement, from all entries' words of that column
in random order. Dates and other columns are kept. The result has the log's vocabulary and no
structure: recur must call it "no clear structure" (tests/data/shuffled-words.csv was made with
this script from data/failure-log.csv, seed 7).
"""
import csv, random, sys

src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
rows = list(csv.DictReader(open(src, encoding="utf-8-sig")))
cols = [c for c in ("root_cause", "lesson", "behavioral_change") if c in rows[0]]
for c in cols:
    words = [w for r in rows for w in r[c].split()]
    rng.shuffle(words)
    it = iter(words)
    for r in rows:
        r[c] = " ".join(next(it) for _ in r[c].split())
with open(dst, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
