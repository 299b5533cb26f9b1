#!/usr/bin/env python3
"""Cross-validates recur end to end: each fold of held-out sets is scored by a reader that has
not seen it.

usage: crossval.py [--recur BIN] [--folds 37-43,44-50,51-57,58-63] [--extra DIR ...]
                   [--args "..."] [--train-args "..."] [--out DIR] [--compare DIR]

The learned reader (scripts/train_reader.py) is trained on every set it learns from (its SETS).
A fresh-voice set scored with the shipped reader after that reader learnt from it is scored
in-sample, so such a score says little about a new user's log. Here each fold (a range of
tests/data/voices/holdoutN sets) gets its own reader, trained on SETS minus the fold's sets
(plus any `--extra` log folders, for a change to the training data), written to
OUT/readers/FOLD.tsv; then every log of the fold is scored by `score.py` with
`--args=--reader OUT/readers/FOLD.tsv` (plus `--args`), with the binary given (for a change to
recur itself). The per-log lines go to OUT/scores/FOLD.txt; the summary to stdout and
OUT/summary.md: pooled mean ARI, logs under 0.5 and with no pattern, and sets meeting the bar
of issue 12 (mean ARI >= 0.7, no log under 0.5). `--compare DIR` (an earlier OUT) adds the
paired difference per fold and per set, with a bootstrap over sets.

Training is single-threaded and deterministic (train_reader.py pins BLAS to one thread), so the
same inputs give the same readers and scores. Each fold takes 1-2 minutes to train on a 2-core
machine and about a minute to score. Needs what score.py and train_reader.py need.
"""
import argparse, os, random, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VOICES = os.path.join(ROOT, "tests", "data", "voices")
DEFAULT_FOLDS = "37-43,44-50,51-57,58-63"


def training_sets():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import train_reader  # noqa: E402  (its SETS: the folders the shipped reader learnt from)
    return list(train_reader.SETS)


def folds_of(spec):
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        hi = hi or lo
        out.append((f"F{lo}-{hi}", [f"holdout{i}" for i in range(int(lo), int(hi) + 1)]))
    return out


def logs_of(sets):
    return [os.path.join(VOICES, s, f) for s in sets
            for f in sorted(os.listdir(os.path.join(VOICES, s))) if f.endswith(".csv")]


def run_fold(args, name, sets, train_sets):
    readers = os.path.join(args.out, "readers")
    scores = os.path.join(args.out, "scores")
    os.makedirs(readers, exist_ok=True)
    os.makedirs(scores, exist_ok=True)
    reader = os.path.join(readers, f"{name}.tsv")
    dirs = [os.path.join(VOICES, s) for s in train_sets if s not in sets] + args.extra
    if not os.path.exists(reader):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "train_reader.py"),
                        "--out", reader] + args.train_args.split() + dirs, check=True,
                       stdout=subprocess.DEVNULL)
    logs = logs_of(sets)
    extra = f"--reader {reader} {args.args}".strip()
    out = subprocess.run([sys.executable, os.path.join(HERE, "score.py"), "--quiet",
                          "--recur", args.recur, f"--args={extra}"] + logs,
                         check=True, capture_output=True, text=True).stdout
    with open(os.path.join(scores, f"{name}.txt"), "w", encoding="utf-8") as fh:
        fh.write(out)
    return parse_fold(out, logs)


def parse_fold(text, logs):
    """score.py --quiet output for `logs`, in order → {set/log: (entries, patterns, ARI)}
    (score.py names a log by its file; the fold's sets tell them apart)."""
    lines = [l for l in text.splitlines() if "ARI=" in l and not l.startswith("mean")]
    if len(lines) != len(logs):
        sys.exit(f"crossval: {len(lines)} scored lines for {len(logs)} logs")
    result = {}
    for path, line in zip(logs, lines):
        if line.split()[0] != os.path.basename(path):
            sys.exit(f"crossval: scores out of order at {path}")
        n = int(re.search(r"n=\s*(\d+)", line).group(1))
        k = int(re.search(r"patterns=\s*(\d+)", line).group(1))
        a = float(re.search(r"ARI=([-\d.]+)", line).group(1))
        result[f"{os.path.basename(os.path.dirname(path))}/{os.path.basename(path)}"] = (n, k, a)
    return result


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def passes(vals):
    return mean(vals) >= 0.7 and min(vals) >= 0.5


def summarize(res, folds, other=None):
    out = []
    keys = sorted(res, key=lambda k: (int(k.split("/")[0][7:]), k))
    sets = sorted({k.split("/")[0] for k in keys}, key=lambda s: int(s[7:]))
    by_set = {s: [res[k][2] for k in keys if k.startswith(s + "/")] for s in sets}
    v = [res[k][2] for k in keys]
    out.append(f"{len(keys)} logs in {len(sets)} sets, {len(folds)} folds "
               f"({', '.join(n for n, _ in folds)}), each scored by a reader that had not seen it.\n")
    out.append("| fold | logs | mean ARI | logs < 0.5 | no pattern | sets passing |")
    out.append("|---|---|---|---|---|---|")
    for name, fsets in folds + [("all", sets)]:
        ks = [k for k in keys if k.split("/")[0] in fsets]
        fv = [res[k][2] for k in ks]
        ps = sum(passes(by_set[s]) for s in fsets if s in by_set)
        out.append(f"| {name} | {len(ks)} | {mean(fv):.3f} | {sum(x < 0.5 for x in fv)} | "
                   f"{sum(res[k][1] == 0 for k in ks)} | {ps}/{sum(s in by_set for s in fsets)} |")
    out.append("\nPer set (mean ARI, lowest in brackets; * meets the bar):\n")
    for s in sets:
        line = f"- {s}: {mean(by_set[s]):.3f}{'*' if passes(by_set[s]) else ''} ({min(by_set[s]):.3f})"
        if other:
            ov = [other[k][2] for k in keys if k.startswith(s + "/") and k in other]
            if len(ov) == len(by_set[s]):
                line += f"; compared: {mean(ov):.3f}{'*' if passes(ov) else ''} ({min(ov):.3f}), " \
                        f"difference {mean(by_set[s]) - mean(ov):+.3f}"
        out.append(line)
    if other:
        shared = [k for k in keys if k in other]
        d = {s: [res[k][2] - other[k][2] for k in shared if k.startswith(s + "/")] for s in sets}
        d = {s: x for s, x in d.items() if x}
        pooled = [x for s in d for x in d[s]]
        rng = random.Random(0)
        names = sorted(d)
        boot = []
        for _ in range(10000):
            pick = [names[rng.randrange(len(names))] for _ in names]
            boot.append(mean([x for s in pick for x in d[s]]))
        boot.sort()
        better = sum(x > 0.0005 for x in pooled)
        worse = sum(x < -0.0005 for x in pooled)
        out.append(f"\nThis run minus the compared one, over {len(pooled)} shared logs: "
                   f"{mean(pooled):+.4f} (95% bootstrap over sets [{boot[249]:+.4f}, {boot[9749]:+.4f}]); "
                   f"logs better/worse/equal: {better}/{worse}/{len(pooled) - better - worse}.")
    low = [f"{k} {res[k][2]:.3f}" for k in keys if res[k][2] < 0.5]
    out.append("\nLogs under 0.5: " + (", ".join(low) or "none"))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recur", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "recur"))
    ap.add_argument("--folds", default=DEFAULT_FOLDS)
    ap.add_argument("--extra", nargs="*", default=[], help="more log folders to train on")
    ap.add_argument("--args", default="", help="more arguments for recur analyze")
    ap.add_argument("--train-args", default="", help="more arguments for train_reader.py (--C X)")
    ap.add_argument("--out", default="crossval-out")
    ap.add_argument("--compare", help="an earlier --out to compare with, log by log")
    args = ap.parse_args()
    args.extra = [os.path.abspath(e) for e in args.extra]
    train_sets = training_sets()
    folds = folds_of(args.folds)
    res = {}
    for name, sets in folds:
        missing = [s for s in sets if not os.path.isdir(os.path.join(VOICES, s))]
        if missing:
            sys.exit(f"crossval: no such set: {', '.join(missing)}")
        res.update(run_fold(args, name, sets, train_sets))
        print(f"{name}: {len(sets)} sets scored", file=sys.stderr)
    other = None
    if args.compare:
        other = {}
        for name, sets in folds:
            path = os.path.join(args.compare, "scores", f"{name}.txt")
            if not os.path.exists(path):
                sys.exit(f"crossval: {path} is missing (run the comparison with the same --folds)")
            other.update(parse_fold(open(path, encoding="utf-8").read(), logs_of(sets)))
    text = summarize(res, folds, other)
    with open(os.path.join(args.out, "summary.md"), "w", encoding="utf-8") as fh:
        fh.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
