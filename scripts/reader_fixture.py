#!/usr/bin/env python3
"""Writes tests/data/reader/expected.tsv: texts and what assets/reader.tsv reads in them, computed
here with the trainer's analyzer (scripts/train_reader.py), so a Rust test can check that
src/tendency/reader.rs reads exactly as the trainer trained. Texts: the root causes of
data/failure-log.csv (not used in training) plus a few odd ones."""
import csv, importlib.util, math, os
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("tr", os.path.join(ROOT, "scripts", "train_reader.py"))
tr = importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)
classes, bias, feats = [], [], {}
for line in open(os.path.join(ROOT, "assets", "reader.tsv"), encoding="utf-8"):
    c = line.rstrip("\n").split("\t")
    if c[0] == "classes": classes = c[1:]
    elif c[0] == "bias": bias = [float(x) for x in c[1:]]
    elif c[0] == "f": feats[c[1]] = (float(c[2]), [float(x) for x in c[3:]])
def read(fields):
    tf = {}
    for f in tr.analyzer("\n".join(fields)):
        if f in feats: tf[f] = tf.get(f, 0) + 1
    if not tf: return None
    vals = {f: (1 + math.log(n)) * feats[f][0] for f, n in tf.items()}
    norm = math.sqrt(sum(v * v for v in vals.values()))
    logits = list(bias)
    for f, v in vals.items():
        for i, w in enumerate(feats[f][1]): logits[i] += w * v / norm
    m = max(logits); s = sum(math.exp(l - m) for l in logits)
    i = max(range(len(logits)), key=lambda j: logits[j])
    return classes[i], math.exp(logits[i] - m) / s
texts = [[r["root_cause"], r["lesson"], r["behavioral_change"]]
         for r in csv.DictReader(open(os.path.join(ROOT, "data", "failure-log.csv"), encoding="utf-8"))][:60]
texts += [["Überstunden: we didn't say NO — again!", "", "Naïve café plan; 3rd time"],
          ["", "", ""], ["42 1999 7", "x y z", "__init__ and snake_case_words"]]
out = os.path.join(ROOT, "tests", "data", "reader", "expected.tsv")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w", encoding="utf-8") as fh:
    for t in texts:
        r = read(t)
        cells = [x.replace("\t", " ").replace("\n", " ") for x in t]
        fh.write("\t".join(cells + ([r[0], f"{r[1]:.5f}"] if r else ["-", "-"])) + "\n")
print(out, len(texts))
