"""bAbI 1k benchmark of the memory networks against their papers.

One model per task, trained on the 1k training set and scored on the test
set, with the defaults of the estimator (the papers' recipes)::

    python benchmarks/babi.py --model memn2n --tasks 1 2 --data-dir data/babi/en
    python benchmarks/babi.py --model memnn              # all 20 tasks, fetch_babi cache
    python benchmarks/babi.py --train-on generated       # make_babi stories, real test set

Paper columns: MemN2N "PE LS RN" with 1k training examples (Sukhbaatar et
al. 2015, Table 1; mean 13.9%, 11 failed); strongly supervised MemNN
(Weston et al. 2015, "Towards AI-Complete Question Answering", Table 3;
mean 6.7%, 4 failed). A task fails when its test error exceeds 5%.
"""

import argparse
import os
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skmem.datasets import fetch_babi, load_babi, make_babi
from skmem.estimators._memnet import MemN2NClassifier, MemNNClassifier
from skmem.preprocessing import StoryVectorizer

PAPER_ERROR = {  # test error in %, tasks 1..20
    "memn2n": [0.0, 8.3, 40.3, 2.8, 13.1, 7.6, 17.3, 10.0, 13.2, 15.1,
               0.9, 0.2, 0.4, 1.7, 0.0, 1.3, 51.0, 11.1, 82.8, 0.0],
    "memnn": [0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 15.0, 9.0, 0.0, 2.0,
              0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 35.0, 5.0, 64.0, 0.0],
}


def _memn2n(seed, n_init, vectorizer):
    clf = MemN2NClassifier(n_init=n_init, random_state=seed)
    return clf, {"vocabulary": vectorizer.vocabulary_}  # ties W to C^K where it can


def _memnn(seed, n_init, vectorizer):
    # the vectorized stories hold the supporting facts' memory slots: strong supervision
    return MemNNClassifier(random_state=seed), {}


# name -> (seed, n_init, fitted StoryVectorizer) -> (estimator, fit params)
MODELS = {"memn2n": _memn2n, "memnn": _memnn}
FAILED = 5.0


def run_task(model, task, data_dir, seed, train_on="real", n_init=1):
    if train_on == "generated":  # make_babi's stories in place of the real ones
        X_train, y_train = make_babi(task, 1000, random_state=seed)
    else:
        X_train, y_train = load_babi(task, subset="train", data_dir=data_dir)
    X_test, y_test = load_babi(task, subset="test", data_dir=data_dir)
    vectorizer = StoryVectorizer().fit(X_train, y_train)
    Xt = vectorizer.transform(X_train)
    clf, fit_params = MODELS[model](seed, n_init, vectorizer)
    start = time.perf_counter()
    clf.fit(Xt, y_train, **fit_params)
    seconds = time.perf_counter() - start
    pipe = make_pipeline(vectorizer, clf)  # both fitted: score the pipeline as a user would
    error = 100 * (1 - pipe.score(X_test, y_test))
    tied = getattr(clf, "answer_ids_", None) is not None
    speed = len(y_train) * len(clf.history_) * n_init / seconds
    return error, speed, tied, support_hits(clf, vectorizer.transform(X_test))


def support_hits(clf, Xt):
    """% of test questions whose most attended memory at the last hop is a
    supporting fact (NaN for models without attention over the memory)."""
    if not hasattr(clf, "attention"):
        return float("nan")
    top = clf.attention(Xt)[:, -1].argmax(axis=1)
    supports = np.asarray(Xt["supporting_facts"])
    return 100 * float(np.mean((supports == top[:, None]).any(axis=1)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="memn2n")
    parser.add_argument("--tasks", type=int, nargs="+", default=list(range(1, 21)))
    parser.add_argument("--data-dir", default=None,
                        help="folder with the bAbI en files (default: fetch_babi's cache)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-on", choices=["real", "generated"], default="real",
                        help="train on the real 1k training set or on 1,000 "
                        "make_babi questions (the test set is always the real one)")
    parser.add_argument("--n-init", type=int, default=1,
                        help="restarts per task (models with n_init), keeping the lowest training loss")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_dir = args.data_dir if args.data_dir is not None else fetch_babi()

    print(f"{args.model} on bAbI 1k, seed {args.seed}, trained on {args.train_on} stories")
    print(f"{'task':>4} {'error %':>8} {'paper %':>8} {'W tied':>7} {'samples/s':>10} {'support %':>10}")
    errors, papers, speeds = [], [], []
    for task in args.tasks:
        error, speed, tied, hits = run_task(args.model, task, data_dir, args.seed, args.train_on, args.n_init)
        paper = PAPER_ERROR[args.model][task - 1]
        errors.append(error), papers.append(paper), speeds.append(speed)
        print(f"{task:>4} {error:>8.1f} {paper:>8.1f} {str(tied):>7} {speed:>10.0f} {hits:>10.1f}",
              flush=True)
    print(f"{'mean':>4} {np.mean(errors):>8.1f} {np.mean(papers):>8.1f}")
    print(f"failed tasks (error > {FAILED:g}%): {sum(e > FAILED for e in errors)} "
          f"(paper: {sum(p > FAILED for p in papers)}) of {len(errors)}")
    print(f"training samples per second: {np.mean(speeds):.0f} "
          f"({torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
