#!/usr/bin/env python3
"""Writes tests/data/reader/expected.tsv: texts and what assets/reader.tsv reads in them, computed
here with the trainer's analyzer (scripts/train_reader.py), so a Rust test can check that
src/tendency/reader.rs reads exactly as the trainer trained. Texts: the root causes of
data/failure-log.csv (not used in training) plus a few odd ones.

Imported, it gives `Reader(path)`: a reader file read the same way (`probs`, `read`), for the
probes in benches/quality/probes."""
import csv, importlib.util, math, os
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("tr", os.path.join(ROOT, "scripts", "train_reader.py"))
tr = importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)


class Reader:
    """A reader file (the format of assets/reader.tsv) and what it reads in an entry's fields."""

    def __init__(self, path=os.path.join(ROOT, "assets", "reader.tsv")):
        self.classes, self.bias, self.feats = [], [], {}
        for line in open(path, encoding="utf-8"):
            c = line.rstrip("\n").split("\t")
            if c[0] == "classes": self.classes = c[1:]
            elif c[0] == "bias": self.bias = [float(x) for x in c[1:]]
            elif c[0] == "f": self.feats[c[1]] = (float(c[2]), [float(x) for x in c[3:]])

    def probs(self, fields):
        """Per class, its probability; None when no feature of the reader occurs."""
        tf = {}
        for f in tr.analyzer("\n".join(fields)):
            if f in self.feats: tf[f] = tf.get(f, 0) + 1
        if not tf: return None
        vals = {f: (1 + math.log(n)) * self.feats[f][0] for f, n in tf.items()}
        norm = math.sqrt(sum(v * v for v in vals.values()))
        logits = list(self.bias)
        for f, v in vals.items():
            for i, w in enumerate(self.feats[f][1]): logits[i] += w * v / norm
        m = max(logits); e = [math.exp(l - m) for l in logits]; s = sum(e)
        return [x / s for x in e]

    def read(self, fields):
        """The most probable class and its probability, or None."""
        p = self.probs(fields)
        if p is None: return None
        i = max(range(len(p)), key=lambda j: p[j])
        return self.classes[i], p[i]


def main():
    reader = Reader()
    texts = [[r["root_cause"], r["lesson"], r["behavioral_change"]]
             for r in csv.DictReader(open(os.path.join(ROOT, "data", "failure-log.csv"), encoding="utf-8"))][:60]
    texts += [["Überstunden: we didn't say NO — again!", "", "Naïve café plan; 3rd time"],
              ["", "", ""], ["42 1999 7", "x y z", "__init__ and snake_case_words"]]
    out = os.path.join(ROOT, "tests", "data", "reader", "expected.tsv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for t in texts:
            r = reader.read(t)
            cells = [x.replace("\t", " ").replace("\n", " ") for x in t]
            fh.write("\t".join(cells + ([r[0], f"{r[1]:.5f}"] if r else ["-", "-"])) + "\n")
    print(out, len(texts))


if __name__ == "__main__":
    main()
