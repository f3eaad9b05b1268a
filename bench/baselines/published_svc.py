"""A published baseline's method on the development data, scored as bench/Drawbridge.Insights.Bench scores the engine.

The v6-framework report of the project the development data comes from (pxtextmining, current_best_model/v6_framework)
describes its support-vector model: word unigram and bigram TF-IDF (max_df 0.9) beside a one-hot of the question, one
RBF SVC per theme (C 15, balanced class weights, at most 1,000 iterations). This runs that method with 5-fold
cross-validation on phase1-text-data.csv, the 44 subcategories as one 0/1 column each, and prints macro-F1 over
themes with >= 50 examples (pooled out-of-fold predictions), micro-F1 and macro-F1 over all themes.

Needs Debian's python3-sklearn. Usage: python3 bench/baselines/published_svc.py [seed] [rbf|rbf-full|linear]
  rbf       the report's settings (at most 1,000 iterations)
  rbf-full  the same, run to convergence
  linear    a linear SVC (C 1, balanced), run to convergence
"""
import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import SVC, LinearSVC

warnings.filterwarnings("ignore")  # the report's 1,000-iteration cap warns on every theme


def find_data():
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data" / "feedback" / "phase1-text-data.csv"
        if candidate.exists():
            return candidate
    sys.exit("phase1-text-data.csv not found in shared/data/feedback above this folder")


def fit_one(kind, x_train, y, x_test):
    warnings.filterwarnings("ignore")  # in each worker process too
    if y.sum() == 0:
        return np.zeros(x_test.shape[0], dtype=int)
    if kind == "linear":
        model = LinearSVC(C=1, class_weight="balanced", max_iter=20000)
    else:
        model = SVC(C=15, class_weight="balanced", max_iter=1000 if kind == "rbf" else -1, cache_size=1000)
    model.fit(x_train, y)
    return model.predict(x_test)


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 17
    kind = sys.argv[2] if len(sys.argv) > 2 else "rbf"
    with open(find_data(), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["feedback"].strip()]
    text = np.array([r["feedback"] for r in rows], dtype=object)
    question = np.array([[r["question"]] for r in rows], dtype=object)
    themes = sorted({r["subcategory"] for r in rows if r["subcategory"].strip() and r["subcategory"] != "NA"})
    index = {t: i for i, t in enumerate(themes)}
    labels = np.zeros((len(rows), len(themes)), dtype=int)
    for i, r in enumerate(rows):
        if r["subcategory"] in index:
            labels[i, index[r["subcategory"]]] = 1
    folds = np.random.RandomState(seed).permutation(len(rows)) % 5
    predicted = np.zeros_like(labels)
    clock = time.time()
    for f in range(5):
        train, test = folds != f, folds == f
        words = TfidfVectorizer(max_df=0.9, ngram_range=(1, 2))
        questions = OneHotEncoder(handle_unknown="ignore")
        x_train = hstack([questions.fit_transform(question[train]), words.fit_transform(text[train])]).tocsr()
        x_test = hstack([questions.transform(question[test]), words.transform(text[test])]).tocsr()
        x_train.sort_indices()
        x_test.sort_indices()
        columns = Parallel(n_jobs=2)(delayed(fit_one)(kind, x_train, labels[train, j], x_test) for j in range(len(themes)))
        predicted[test] = np.stack(columns, axis=1)
        print(f"fold {f + 1}/5: {time.time() - clock:.0f} s", flush=True)
    support = labels.sum(axis=0)
    f1 = f1_score(labels, predicted, average=None, zero_division=0)
    print(f"{kind}, seed {seed}: {len(themes)} themes, {len(rows)} comments")
    print(f"macro-F1 over themes with >= 50 examples: {f1[support >= 50].mean():.3f} ({(support >= 50).sum()} themes); "
          f"micro-F1 {f1_score(labels, predicted, average='micro'):.3f}; macro-F1 over all themes {f1[support > 0].mean():.3f}")


if __name__ == "__main__":
    main()
