"""How closely ``make_babi`` follows the real bAbI tasks.

For each of the 20 tasks, 1000 generated questions are compared with the
real 1k files:

- ``vocab``: share of the real test set's word types (case-sensitive, from
  stories, questions and answers) that the generated data contains;
- ``len real/gen``: mean and 90th percentile of the number of story
  sentences before each question, in the real training set and in the
  generated data, and ``len KS``, the Kolmogorov-Smirnov distance between
  the two distributions;
- ``sup TV``: total-variation distance between the distributions of the
  distance (in sentences) from each supporting fact back to the question;
- ``ans TV``: total-variation distance between the answer distributions;
- ``q TV``: total-variation distance between the distributions of question
  forms (questions with the words found in fewer than 40% of the real
  questions masked: names, places, objects, shapes);
- ``disc``: how well a classifier tells the generated questions from the
  real ones by the shape of their stories (cross-validated ROC AUC of
  gradient-boosted trees, 0.5: not at all), and ``base``, the same between
  the real training and test sets. The features see who and what the
  sentences name, not which words: how many sentences name each of the
  question's words and the answer, and how far back; how many of the
  question's words each of the last sentences names; how often the story's
  most named words recur; where the supporting facts are. A gap between the
  two flags a difference the other columns miss, such as which statements
  of a story link which places.

Two samples of 1000 drawn from the same distribution already differ: TV
distances of 0.02-0.06 and KS distances of 0.02-0.06 are sampling noise.

Usage::

    python benchmarks/babi_fidelity.py --data-dir path/to/tasks_1-20_v1-2/en
"""

import argparse
import re
from collections import Counter

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from threadpoolctl import threadpool_limits

from skmem.datasets import load_babi, make_babi

WORD = re.compile(r"[A-Za-z]+")


def words(X, y):
    """Word types of stories, questions and answers."""
    found = set()
    for story, question in zip(X["story"], X["question"]):
        for sentence in story:
            found.update(WORD.findall(sentence))
        found.update(WORD.findall(question))
    for answer in y:
        found.update(WORD.findall(answer))
    return found


def total_variation(a, b):
    """Total-variation distance between two samples' distributions."""
    pa, pb = Counter(a), Counter(b)
    na, nb = sum(pa.values()), sum(pb.values())
    return 0.5 * sum(abs(pa[k] / na - pb[k] / nb) for k in set(pa) | set(pb))


def ks_distance(a, b):
    """Kolmogorov-Smirnov distance between two samples of numbers."""
    a, b = np.sort(a), np.sort(b)
    grid = np.union1d(a, b)
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def question_forms(X, vocab_masked):
    """Questions with the words that vary between stories masked."""
    return [
        " ".join("_" if w.lower() in vocab_masked else w for w in WORD.findall(q))
        for q in X["question"]
    ]


def shape_features(X, y, content):
    """Features of each question's story that name no word: see ``disc``.

    ``content`` holds the words that vary between stories (names, places,
    objects), the ones counted.
    """
    rows = []
    for story, question, support, answer in zip(X["story"], X["question"],
                                                X["supporting_facts"], y):
        sentences = [set(w.lower() for w in WORD.findall(s)) & content for s in story]
        asked = set(w.lower() for w in WORD.findall(question)) & content
        n = len(story)

        def mentions(word):  # sentences naming the word, and how far back the last one is
            hits = [i for i, s in enumerate(sentences) if word in s]
            return [len(hits), n - hits[-1] if hits else -1]

        named = sorted((mentions(w) for w in asked), reverse=True)[:3]
        named += [[0, -1]] * (3 - len(named))
        recent = [len(s & asked) for s in sentences[::-1][:8]]
        recurrence = sorted(Counter(w for s in sentences for w in s).values(), reverse=True)[:8]
        back = sorted((n - f for f in support), reverse=True)[:3]
        answer_words = set(w.lower() for w in WORD.findall(answer)) & content
        rows.append([n, len(asked), *np.ravel(named),
                     *(recent + [-1] * (8 - len(recent))),
                     *(recurrence + [0] * (8 - len(recurrence))),
                     *(back + [-1] * (3 - len(back))),
                     *(mentions(min(answer_words)) if answer_words else [-2, -2])])
    return np.asarray(rows, dtype=float)


def separability(X_a, y_a, X_b, y_b, content, seed):
    """Cross-validated ROC AUC of a classifier telling sample ``a`` from ``b``."""
    features = np.vstack([shape_features(X_a, y_a, content), shape_features(X_b, y_b, content)])
    labels = np.r_[np.zeros(len(X_a)), np.ones(len(X_b))]
    model = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    with threadpool_limits(1):  # small fits: OpenMP threads only contend, as when training runs
        return float(cross_val_score(model, features, labels, cv=cv, scoring="roc_auc").mean())


def compare(task, data_dir, seed):
    X_train, y_train = load_babi(task, subset="train", data_dir=data_dir)
    X_test, y_test = load_babi(task, subset="test", data_dir=data_dir)
    X_gen, y_gen = make_babi(task, n_samples=1000, random_state=seed)

    test_words = words(X_test, y_test)
    coverage = len(test_words & words(X_gen, y_gen)) / len(test_words)
    missing = sorted(test_words - words(X_gen, y_gen))

    len_real = X_train["story"].map(len).to_numpy()
    len_gen = X_gen["story"].map(len).to_numpy()

    def back(X):
        return [len(s) - f for s, fs in zip(X["story"], X["supporting_facts"]) for f in fs]

    # masking: words in fewer than 40% of the real questions (names, places,
    # objects, shapes), so that forms are compared, not who or what is asked
    counts = Counter(w.lower() for q in X_train["question"] for w in set(WORD.findall(q)))
    masked = {w for w, c in counts.items() if c < 0.4 * len(X_train)}
    # content words: in fewer than 40% of the real sentences (not "the", "is", "to")
    sentences = [set(w.lower() for w in WORD.findall(s)) for story in X_train["story"]
                 for s in story]
    in_sentences = Counter(w for s in sentences for w in s)
    content = {w for w, c in in_sentences.items() if c < 0.4 * len(sentences)}
    return {
        "task": task,
        "vocab": 100 * coverage,
        "missing": missing,
        "len_real": (len_real.mean(), np.percentile(len_real, 90)),
        "len_gen": (len_gen.mean(), np.percentile(len_gen, 90)),
        "len_ks": ks_distance(len_real, len_gen),
        "sup_tv": total_variation(back(X_train), back(X_gen)),
        "ans_tv": total_variation(y_train, y_gen),
        "q_tv": total_variation(question_forms(X_train, masked), question_forms(X_gen, masked)),
        "disc": separability(X_train, y_train, X_gen, y_gen, content, seed),
        "base": separability(X_train, y_train, X_test, y_test, content, seed),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="folder of the real bAbI qa*.txt files")
    parser.add_argument("--seed", type=int, default=0, help="random_state of make_babi")
    args = parser.parse_args()

    header = (
        f"{'task':>4} {'vocab %':>7} {'len real':>11} {'len gen':>11} {'len KS':>6} "
        f"{'sup TV':>6} {'ans TV':>6} {'q TV':>6} {'disc':>5} {'base':>5}"
    )
    print(header)
    print("-" * len(header))
    rows = [compare(task, args.data_dir, args.seed) for task in range(1, 21)]
    for r in rows:
        print(
            f"{r['task']:>4} {r['vocab']:>7.1f} "
            f"{r['len_real'][0]:>5.1f}/{r['len_real'][1]:<5.0f} "
            f"{r['len_gen'][0]:>5.1f}/{r['len_gen'][1]:<5.0f} "
            f"{r['len_ks']:>6.3f} {r['sup_tv']:>6.3f} {r['ans_tv']:>6.3f} {r['q_tv']:>6.3f} "
            f"{r['disc']:>5.2f} {r['base']:>5.2f}"
        )
    print("-" * len(header))
    print(
        f"{'mean':>4} {np.mean([r['vocab'] for r in rows]):>7.1f} {'':>11} {'':>11} "
        f"{np.mean([r['len_ks'] for r in rows]):>6.3f} "
        f"{np.mean([r['sup_tv'] for r in rows]):>6.3f} "
        f"{np.mean([r['ans_tv'] for r in rows]):>6.3f} "
        f"{np.mean([r['q_tv'] for r in rows]):>6.3f} "
        f"{np.mean([r['disc'] for r in rows]):>5.2f} {np.mean([r['base'] for r in rows]):>5.2f}"
    )
    print("len: mean/90th percentile of story sentences per question")
    for r in rows:
        if r["missing"]:
            print(f"task {r['task']}: test-set words never generated: {', '.join(r['missing'])}")


if __name__ == "__main__":
    main()
