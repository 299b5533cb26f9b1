#!/usr/bin/env python3
"""Scores recur's default grouping of tagged logs against their authors' tags.

usage: score.py [--recur BIN] [--col tendency] [--args "..."] LOG.csv [LOG.csv ...]

For each log: runs `recur analyze LOG -o TMP --truth COL` (plus --args), then reads
assignments.csv and patterns.json and prints entries, tags, patterns, the share with no clear
pattern, ARI and NMI, and per tag with >= 3 entries whether a pattern holds it (at least half
of the tag's entries and at least half of the pattern) and whether that pattern carries the
tag's tendency name (ids and names from assets/tendencies.toml). Needs only the standard library.
"""
import argparse, csv, json, math, os, subprocess, sys, tempfile, tomllib
from collections import Counter, defaultdict

# recur-gen's truth keys and the lexicon ids they stand for.
ALIASES = {
    "underestimated-timeline": "estimate", "scope-change-unmanaged": "scope",
    "avoided-conversation": "conversation", "overcommitment": "overcommit",
    "insufficient-preparation": "prep", "unclear-requirements": "requirements",
    "late-escalation": "escalation", "dependency-failure": "dependency",
    "single-point-of-failure": "knowledge", "unreviewed-change": "review",
}

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def comb2(x):
    return x * (x - 1) / 2


def ari(a, b):
    n = len(a)
    cont = Counter(zip(a, b))
    sa, sb = Counter(a), Counter(b)
    idx = sum(comb2(v) for v in cont.values())
    ea = sum(comb2(v) for v in sa.values())
    eb = sum(comb2(v) for v in sb.values())
    exp = ea * eb / comb2(n) if n > 1 else 0
    mx = (ea + eb) / 2
    return 1.0 if mx == exp else (idx - exp) / (mx - exp)


def nmi(a, b):
    n = len(a)
    cont = Counter(zip(a, b))
    sa, sb = Counter(a), Counter(b)
    h = lambda s: -sum(v / n * math.log(v / n) for v in s.values())
    mi = sum(v / n * math.log(v * n / (sa[x] * sb[y])) for (x, y), v in cont.items())
    ha, hb = h(sa), h(sb)
    return 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--recur", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "recur"))
    ap.add_argument("--col", default="tendency")
    ap.add_argument("--args", default="")
    ap.add_argument("--quiet", action="store_true", help="one line per log")
    ap.add_argument("logs", nargs="+")
    o = ap.parse_args()
    names = {t["id"]: t["name"] for t in tomllib.load(open(os.path.join(ROOT, "assets", "tendencies.toml"), "rb"))["tendency"] if "id" in t}
    rows = []
    for log in o.logs:
        with tempfile.TemporaryDirectory() as out:
            cmd = [o.recur, "analyze", log, "-o", out, "--truth", o.col, "--quiet", "--charts", "none", "--format", "json"] + o.args.split()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            pj = json.load(open(os.path.join(out, "patterns.json")))
            assigned = list(csv.DictReader(open(os.path.join(out, "assignments.csv"), encoding="utf-8")))
        truth = [r[o.col] for r in csv.DictReader(open(log, encoding="utf-8-sig"))]
        # `row` is the record number (1 = first data row); a rejected row counts as unassigned.
        by_row = {int(a["row"]): a["pattern"] for a in assigned}
        pred = [by_row.get(i + 1, "0") for i in range(len(truth))]
        assert len(by_row) == len(assigned), (log, "rows repeat in assignments.csv")
        pats = {str(p["id"]): p for p in pj["patterns"]}
        by_tag, by_pat = defaultdict(list), defaultdict(list)
        for i, (t, p) in enumerate(zip(truth, pred)):
            by_tag[t].append(i)
            by_pat[p].append(i)
        found = named = wanted = 0
        detail = []
        for t, members in sorted(by_tag.items(), key=lambda x: -len(x[1])):
            if t in ("oneoff", "none", "") or len(members) < 3:
                continue
            wanted += 1
            best = max((p for p in by_pat if p != "0"), key=lambda p: len(set(by_pat[p]) & set(members)), default=None)
            ov = len(set(by_pat[best]) & set(members)) if best else 0
            ok = best is not None and ov * 2 >= len(members) and ov * 2 >= len(by_pat[best])
            nm = ok and pats[best].get("tendency") is not None and pats[best].get("tendency") == names.get(ALIASES.get(t, t))
            found += ok
            named += nm
            detail.append(f"    {t:14} {len(members):3}  → {('#' + best + ' ' + pats[best]['label'])[:60] if best else '-':62} overlap {ov:3}/{len(by_pat[best]) if best else 0:<4} {'found' if ok else 'MISSED'}{' named' if nm else ''}")
        r = dict(log=os.path.basename(log), n=len(truth), tags=len(set(truth)), k=len(pj["patterns"]),
                 none=by_pat.get("0", []).__len__() / len(truth), ari=ari(truth, pred), nmi=nmi(truth, pred),
                 found=found, named=named, wanted=wanted)
        rows.append(r)
        print(f"{r['log']:28} n={r['n']:4} tags={r['tags']:2} patterns={r['k']:2} none={r['none']:5.1%} ARI={r['ari']:.3f} NMI={r['nmi']:.3f} found {found}/{wanted} named {named}/{wanted}")
        if not o.quiet:
            print("\n".join(detail))
            for p in pj["patterns"]:
                print(f"      #{p['id']} {p['size']:3} {p['label'][:70]}")
    if len(rows) > 1:
        m = lambda k: sum(r[k] for r in rows) / len(rows)
        print(f"{'mean':28} ARI={m('ari'):.3f} (min {min(r['ari'] for r in rows):.3f}) NMI={m('nmi'):.3f} none={m('none'):.1%} found {sum(r['found'] for r in rows)}/{sum(r['wanted'] for r in rows)} named {sum(r['named'] for r in rows)}/{sum(r['wanted'] for r in rows)}")


if __name__ == "__main__":
    main()
