"""Probe (not part of recur): the reader-alone structure test, per log.

For each log: how many entries the reader (assets/reader.tsv, or READER=FILE) reads with
p >= 0.4, how many the same words shuffled across the entries give (each field's words drawn
from that field's words in all entries, 10 shuffles averaged, as `RunReader::shuffled`
does), their ratio, the binomial tail p of the count at the shuffled rate, z (the log's mean top
probability above 32 shuffles', in their standard deviations: `RunReader::shuffled_z`, the test recur applies), and per tendency the
author's count, the confident readings and the shuffled ones (-v).
usage: [READER=FILE] python3 benches/quality/probes/reader_alone_null.py [-v] LOG.csv ...
"""
import csv, importlib.util, math, os, random, sys
from collections import Counter
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
spec = importlib.util.spec_from_file_location("rf", os.path.join(ROOT, "scripts", "reader_fixture.py"))
rf = importlib.util.module_from_spec(spec); spec.loader.exec_module(rf)
READER = rf.Reader(os.environ.get("READER", os.path.join(ROOT, "assets", "reader.tsv")))
classes, probs = READER.classes, READER.probs


def confident(entries, p=0.4):
    c = Counter()
    for f in entries:
        pr = probs(f)
        if pr is None: continue
        j = max(range(len(pr)), key=lambda k: pr[k])
        if pr[j] >= p: c[classes[j]] += 1
    return c


def shuffles(entries, rounds, seed):
    """The log's words shuffled across its entries, `rounds` times: each field's words drawn from
    that field's words in all entries, each entry keeping its number of words per field."""
    rng = random.Random(seed)
    pools = [[w for f in entries for w in f[k].split()] for k in range(3)]
    for _ in range(rounds):
        its = []
        for k in range(3):
            w = pools[k][:]; rng.shuffle(w); its.append(iter(w))
        yield [[" ".join(next(its[k]) for _ in f[k].split()) for k in range(3)] for f in entries]


def shuffled(entries, rounds=10, seed=1):
    tot = Counter()
    for s in shuffles(entries, rounds, seed):
        tot.update(confident(s))
    return {k: v / rounds for k, v in tot.items()}


def mean_top(entries):
    tops = [max(p) if p else 0.0 for p in map(probs, entries)]
    return sum(tops) / max(len(tops), 1)


def top_z(entries, rounds=32, seed=7):
    """How far the log's mean top probability lies above its shuffled words', in their sds."""
    means = [mean_top(s) for s in shuffles(entries, rounds, seed)]
    m = sum(means) / rounds
    sd = math.sqrt(sum((x - m) ** 2 for x in means) / (rounds - 1))
    return (mean_top(entries) - m) / sd if sd > 0 else 0.0


def binom_sf(k, n, p):
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))


verbose = "-v" in sys.argv
for path in [a for a in sys.argv[1:] if a != "-v"]:
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    entries = [[r["root_cause"], r.get("lesson") or "", r.get("behavioral_change") or ""] for r in rows]
    c, z = confident(entries), shuffled(entries)
    tot, zt, n = sum(c.values()), sum(z.values()), len(rows)
    print(f"{os.path.basename(path):34s} n={n:3d} read={tot:3d} shuffled={zt:5.1f} "
          f"ratio={tot / max(zt, 0.1):4.1f} p={binom_sf(tot, n, min(zt / n, 1.0)):.2g} z={top_z(entries):4.1f}")
    if verbose:
        truth = Counter(r.get("tendency", "") for r in rows)
        for t in sorted(set(c) | set(z) | set(truth) - {""}):
            print(f"   {t:14s} tagged={truth.get(t, 0):2d} read={c.get(t, 0):2d} shuffled={z.get(t, 0):.1f}")
