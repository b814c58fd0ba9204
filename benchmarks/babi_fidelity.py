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
  questions masked: names, places, objects, shapes).

Two samples of 1000 drawn from the same distribution already differ: TV
distances of 0.02-0.06 and KS distances of 0.02-0.06 are sampling noise.

Usage::

    python benchmarks/babi_fidelity.py --data-dir path/to/tasks_1-20_v1-2/en
"""

import argparse
import re
from collections import Counter

import numpy as np

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
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="folder of the real bAbI qa*.txt files")
    parser.add_argument("--seed", type=int, default=0, help="random_state of make_babi")
    args = parser.parse_args()

    header = (
        f"{'task':>4} {'vocab %':>7} {'len real':>11} {'len gen':>11} {'len KS':>6} "
        f"{'sup TV':>6} {'ans TV':>6} {'q TV':>6}"
    )
    print(header)
    print("-" * len(header))
    rows = [compare(task, args.data_dir, args.seed) for task in range(1, 21)]
    for r in rows:
        print(
            f"{r['task']:>4} {r['vocab']:>7.1f} "
            f"{r['len_real'][0]:>5.1f}/{r['len_real'][1]:<5.0f} "
            f"{r['len_gen'][0]:>5.1f}/{r['len_gen'][1]:<5.0f} "
            f"{r['len_ks']:>6.3f} {r['sup_tv']:>6.3f} {r['ans_tv']:>6.3f} {r['q_tv']:>6.3f}"
        )
    print("-" * len(header))
    print(
        f"{'mean':>4} {np.mean([r['vocab'] for r in rows]):>7.1f} {'':>11} {'':>11} "
        f"{np.mean([r['len_ks'] for r in rows]):>6.3f} "
        f"{np.mean([r['sup_tv'] for r in rows]):>6.3f} "
        f"{np.mean([r['ans_tv'] for r in rows]):>6.3f} "
        f"{np.mean([r['q_tv'] for r in rows]):>6.3f}"
    )
    print("len: mean/90th percentile of story sentences per question")
    for r in rows:
        if r["missing"]:
            print(f"task {r['task']}: test-set words never generated: {', '.join(r['missing'])}")


if __name__ == "__main__":
    main()
