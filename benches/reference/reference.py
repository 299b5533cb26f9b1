"""Reference pipeline for comparison with recur: what a user would write with scikit-learn.

Same stages and settings as recur's defaults: root cause + lesson + behavioural change text,
lowercase, stop words removed, Snowball (PyStemmer) English stems, unigrams and two-word phrases,
TF-IDF (sublinear tf, min_df 2, max_df 0.5), truncated SVD to 64 dimensions, L2 normalization,
k-means (k-means++, 10 initializations). The reference is *given* the true number of patterns
(it has no automatic choice), which only helps it.

Usage: python reference.py LOG.csv K  -> prints `ari=<adjusted Rand index> k=<K>`
"""
import csv
import re
import sys

import Stemmer
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

csv.field_size_limit(1 << 30)


def main():
    path, k = sys.argv[1], int(sys.argv[2])
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [" ".join((r["root_cause"], r["lesson"], r["behavioral_change"])) for r in rows]
    truth = [r["truth"] for r in rows]
    stemmer = Stemmer.Stemmer("english")
    word = re.compile(r"[^\W\d_][\w']*")

    def analyzer(text):
        stems = stemmer.stemWords(
            [w for w in word.findall(text.lower()) if w not in ENGLISH_STOP_WORDS and len(w) > 1]
        )
        return stems + [a + " " + b for a, b in zip(stems, stems[1:]) if a != b]

    x = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(texts)
    z = normalize(TruncatedSVD(64, random_state=42).fit_transform(x))
    labels = KMeans(k, n_init=10, random_state=42).fit_predict(z)
    print(f"ari={adjusted_rand_score(truth, labels):.4f} k={k}")


if __name__ == "__main__":
    main()
