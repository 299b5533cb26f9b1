#!/usr/bin/env python3
"""Cue precision audit of the built-in lexicon on tagged logs (a development tool).

Runs `target/release/examples/cues LOG tendency` on each log and counts, per cue (tendency:cue),
the entries it is found in and how many of them carry that tendency's tag. Prints the cues
whose precision is below MIN_PRECISION over at least MIN_HITS entries (most wrong first), and
for each the tendency its entries mostly carry. With --apply it removes them from
assets/tendencies.toml and moves a cue to another tendency when at least MOVE_SHARE of its
entries (and MOVE_MIN) carry that one.

Use it only on logs that will not judge the result: the lexicon learns from what it audits,
so a fresh held-out set must be scored afterwards (benches/QUALITY.md).

    cargo build --release --examples
    python3 benches/quality/cue_audit.py [--apply] LOG.csv...
"""
import collections
import re
import subprocess
import sys
import tomllib

MIN_HITS = 5
MIN_PRECISION = 0.25
MOVE_SHARE = 0.7
MOVE_MIN = 5
LEXICON = "assets/tendencies.toml"
LINE = re.compile(r"\s*\d+\s+(\S+)\s+\*?\s*(\S+)\s+[\d.]+\s+[\d.]+\s*(.*)")


def hits_per_cue(files):
    hits = collections.defaultdict(collections.Counter)
    for f in files:
        out = subprocess.run(["target/release/examples/cues", f, "tendency"],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = LINE.match(line)
            if not m:
                continue
            tag, found = m.group(1), m.group(3)
            for cue in {c.strip().rsplit("@", 1)[0] for c in found.split(" | ") if c.strip()}:
                hits[cue][tag] += 1
    return hits


def audit(hits, ids):
    remove, move = [], {}
    for key, tags in hits.items():
        tendency, cue = key.split(":", 1)
        n, ok = sum(tags.values()), tags[tendency]
        if n < MIN_HITS or ok / n >= MIN_PRECISION:
            continue
        remove.append((n - ok, n, ok, tendency, cue, tags.most_common(3)))
        other, count = max(((t, c) for t, c in tags.items() if t != tendency), key=lambda x: x[1])
        if other in ids and count >= MOVE_MIN and count / n >= MOVE_SHARE:
            move[(tendency, cue)] = other
    return sorted(remove, reverse=True), move


def apply(remove, move):
    gone = {(r[3], r[4]) for r in remove}
    adds = collections.defaultdict(list)
    kept, cur, section = [], None, None
    for line in open(LEXICON, encoding="utf-8").read().split("\n"):
        if m := re.match(r'id = "(\S+)"', line):
            cur = m.group(1)
        if m := re.match(r"(cues|hints) = \[", line):
            section = m.group(1)
        if (m := re.match(r'  "(.*)",$', line)) and (cur, m.group(1)) in gone:
            if (cur, m.group(1)) in move:
                adds[(move[(cur, m.group(1))], section)].append(m.group(1))
            continue
        kept.append(line)
    out, cur, section = [], None, None
    for line in kept:
        if m := re.match(r'id = "(\S+)"', line):
            cur = m.group(1)
        if m := re.match(r"(cues|hints) = \[", line):
            section = m.group(1)
        if line == "]" and (cur, section) in adds:
            out.extend(f'  "{c}",' for c in adds.pop((cur, section)))
        out.append(line)
    assert not adds, adds
    open(LEXICON, "w", encoding="utf-8").write("\n".join(out))


def main():
    args = sys.argv[1:]
    do_apply = "--apply" in args
    files = [a for a in args if a != "--apply"]
    ids = {t["id"] for t in tomllib.load(open(LEXICON, "rb"))["tendency"]}
    remove, move = audit(hits_per_cue(files), ids)
    for wrong, n, ok, tendency, cue, top in remove:
        to = move.get((tendency, cue))
        print(f"{tendency}:{cue}\tfound {n}, right {ok}\t{top}" + (f"\t-> {to}" if to else ""))
    print(f"{len(remove)} cues below {MIN_PRECISION:.0%} precision; {len(move)} move", file=sys.stderr)
    if do_apply:
        apply(remove, move)


if __name__ == "__main__":
    main()
