"""bAbI 1k benchmark of the memory networks against their papers.

One model per task, trained on the 1k training set and scored on the test
set, with the defaults of the estimator (the papers' recipes)::

    python benchmarks/babi.py --model memn2n --tasks 1 2 --data-dir data/babi/en
    python benchmarks/babi.py --model memnn              # all 20 tasks, fetch_babi cache
    python benchmarks/babi.py --train-on generated       # make_babi stories, real test set
    python benchmarks/babi.py --model entnet --train-on generated --n-train 10000  # 10k setting
    python benchmarks/babi.py --model dmn --set max_epochs=400   # any estimator parameter

Paper columns: MemN2N "PE LS RN" with 1k training examples (Sukhbaatar et
al. 2015, Table 1; mean 13.9%, 11 failed); strongly supervised MemNN
(Weston et al. 2015, "Towards AI-Complete Question Answering", Table 3;
mean 6.7%, 4 failed); EntNet (Henaff et al. 2017, "Tracking the World State
with Recurrent Entity Networks", appendix table of the 1k results: mean
29.6%, 15 failed; with ``--n-train 10000`` its Table 2, 10k: mean 0.5%); DMN+
(Xiong et al. 2016 report 10k only, Table 2: mean 2.8%, 1 failed; the 1k figure
is Seo et al. 2017, "Query-Reduction Networks", Table 1: mean 33.2%, 16 failed,
its task-wise column not reproduced here). A task fails when its test error
exceeds 5%.

Columns besides the errors: ``W tied``, whether the output matrix is tied to
the answers' word embeddings; ``samples/s``, training questions per second;
``support %``, how often the memory read most at the last hop is a
supporting fact; ``fresh %`` (with ``--train-on generated``), the error on
1,000 new ``make_babi`` questions drawn at another seed, by which runs of
several seeds can be compared as the papers pick theirs (on validation),
without looking at the test set.
"""

import argparse
import ast
import os
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skmem.datasets import fetch_babi, load_babi, make_babi
from skmem.estimators._dmn import DMNClassifier
from skmem.estimators._entnet import EntNetClassifier
from skmem.estimators._memnet import MemN2NClassifier, MemNNClassifier
from skmem.preprocessing import StoryVectorizer

PAPER_ERROR = {  # test error in %, tasks 1..20
    "memn2n": [0.0, 8.3, 40.3, 2.8, 13.1, 7.6, 17.3, 10.0, 13.2, 15.1,
               0.9, 0.2, 0.4, 1.7, 0.0, 1.3, 51.0, 11.1, 82.8, 0.0],
    "memnn": [0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 15.0, 9.0, 0.0, 2.0,
              0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 35.0, 5.0, 64.0, 0.0],
    "entnet": [0.7, 56.4, 69.7, 1.4, 4.6, 30.0, 22.3, 19.2, 31.5, 15.6,
               8.0, 0.8, 9.0, 62.9, 57.8, 53.2, 46.4, 8.8, 90.4, 2.6],
    "dmn": [float("nan")] * 20,  # only the summary below
}
PAPER_SUMMARY = {"dmn": (33.2, 16)}  # mean error and failed tasks, where no task-wise figures
PAPER_ERROR_10K = {  # the same with 10,000 training questions per task
    "entnet": [0.0, 0.1, 4.1, 0.0, 0.3, 0.2, 0.0, 0.5, 0.1, 0.6,
               0.3, 0.0, 1.3, 0.0, 0.0, 0.2, 0.5, 0.3, 2.3, 0.0],
    "dmn": [0.0, 0.3, 1.1, 0.0, 0.5, 0.0, 2.4, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.2, 0.0, 45.3, 4.2, 2.1, 0.0, 0.0],
}


def _restarts(n_init):
    """The estimator's ``n_init``: the one asked for, else its own default."""
    return {} if n_init is None else {"n_init": n_init}


def _memn2n(seed, n_init, vectorizer):
    clf = MemN2NClassifier(**_restarts(n_init), random_state=seed)
    return clf, {"vocabulary": vectorizer.vocabulary_}  # ties W to C^K where it can


def _memnn(seed, n_init, vectorizer):
    # the vectorized stories hold the supporting facts' memory slots: strong supervision
    return MemNNClassifier(random_state=seed), {}


def _entnet(seed, n_init, vectorizer):
    return EntNetClassifier(**_restarts(n_init), random_state=seed), {}


def _dmn(seed, n_init, vectorizer):
    return DMNClassifier(**_restarts(n_init), random_state=seed), {}


# name -> (seed, n_init, fitted StoryVectorizer) -> (estimator, fit params)
MODELS = {"memn2n": _memn2n, "memnn": _memnn, "entnet": _entnet, "dmn": _dmn}
FAILED = 5.0
N_FRESH, FRESH_SEED = 1000, 1_000_000  # the fresh column's questions and seed offset


def _estimator_param(text):
    """``--set`` argument: ``"max_epochs=400"`` -> ``("max_epochs", 400)``."""
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected PARAM=VALUE, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"{value!r} is not a Python literal") from None


def run_task(model, task, data_dir, seed, train_on="real", n_init=None, n_train=1000,
             params=None):
    if train_on == "generated":  # make_babi's stories in place of the real ones
        X_train, y_train = make_babi(task, n_train, random_state=seed)
    else:
        X_train, y_train = load_babi(task, subset="train", data_dir=data_dir)
    X_test, y_test = load_babi(task, subset="test", data_dir=data_dir)
    vectorizer = StoryVectorizer().fit(X_train, y_train)
    Xt = vectorizer.transform(X_train)
    clf, fit_params = MODELS[model](seed, n_init, vectorizer)
    clf.set_params(**dict(params or ()))
    start = time.perf_counter()
    clf.fit(Xt, y_train, **fit_params)
    seconds = time.perf_counter() - start
    pipe = make_pipeline(vectorizer, clf)  # both fitted: score the pipeline as a user would
    error = 100 * (1 - pipe.score(X_test, y_test))
    tied = getattr(clf, "answer_ids_", None) is not None
    # with restarts: the others stopped at the screening epoch (MemN2N: the end of
    # linear start) or, roughly, trained as many epochs as the one kept
    epochs = len(clf.history_)
    screened = clf._screening_epochs(epochs) if getattr(clf, "n_init", 1) > 1 else None
    epochs += (getattr(clf, "n_init", 1) - 1) * (epochs if screened is None else screened)
    speed = len(y_train) * epochs / seconds
    fresh = float("nan")
    if train_on == "generated":
        # new questions drawn at another seed: an error to pick runs by without the test set
        X_fresh, y_fresh = make_babi(task, N_FRESH, random_state=seed + FRESH_SEED)
        fresh = 100 * (1 - pipe.score(X_fresh, y_fresh))
    return error, speed, tied, support_hits(clf, vectorizer.transform(X_test)), fresh


def support_hits(clf, Xt):
    """% of test questions whose most attended memory at the last hop is a
    supporting fact (NaN for models without attention over the memory). For
    EntNet, the sentence most written into the slots the question read."""
    if not hasattr(clf, "attention"):
        return float("nan")
    if hasattr(clf, "read_attention"):  # attention: gates (n, slots, sentences)
        weights = np.einsum("ns,nsm->nm", clf.read_attention(Xt)[:, -1], clf.attention(Xt))
    else:
        weights = clf.attention(Xt)[:, -1]
    top = weights.argmax(axis=1)
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
                        help="train on the real 1k training set or on --n-train "
                        "make_babi questions (the test set is always the real one)")
    parser.add_argument("--n-train", type=int, default=1000,
                        help="make_babi questions per task with --train-on generated "
                        "(10000: the 10k setting, scored against the papers' 10k columns)")
    parser.add_argument("--n-init", type=int, default=None,
                        help="restarts per task (models with n_init), keeping the best "
                        "(default: the estimator's own n_init)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--set", metavar="PARAM=VALUE", action="append", default=[],
                        type=_estimator_param, dest="params",
                        help="set an estimator parameter, a Python literal "
                        "(e.g. --set max_epochs=400 --set n_iter_no_change=None); repeatable")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_dir = args.data_dir if args.data_dir is not None else fetch_babi()

    if args.n_train != 1000 and args.train_on != "generated":
        parser.error("--n-train needs --train-on generated (the real training set has 1,000)")
    ten_k = args.n_train >= 10000 and args.model in PAPER_ERROR_10K
    paper_errors = (PAPER_ERROR_10K if ten_k else PAPER_ERROR)[args.model]
    size = f"{args.n_train:,}" if args.train_on == "generated" else "1k"
    print(f"{args.model} on bAbI, {size} training questions, seed {args.seed}, trained on "
          f"{args.train_on} stories; paper column: {'10k' if ten_k else '1k'}"
          + "".join(f"; {name}={value!r}" for name, value in args.params))
    print(f"{'task':>4} {'error %':>8} {'paper %':>8} {'W tied':>7} {'samples/s':>10} "
          f"{'support %':>10} {'fresh %':>8}")
    errors, papers, speeds = [], [], []
    for task in args.tasks:
        error, speed, tied, hits, fresh = run_task(args.model, task, data_dir, args.seed,
                                                   args.train_on, args.n_init, args.n_train,
                                                   args.params)
        paper = paper_errors[task - 1]
        errors.append(error), papers.append(paper), speeds.append(speed)
        print(f"{task:>4} {error:>8.1f} {paper:>8.1f} {str(tied):>7} {speed:>10.0f} {hits:>10.1f} "
              f"{fresh:>8.1f}", flush=True)
    summary = None if ten_k else PAPER_SUMMARY.get(args.model)
    paper_mean, paper_failed = summary or (np.mean(papers), sum(p > FAILED for p in papers))
    print(f"{'mean':>4} {np.mean(errors):>8.1f} {paper_mean:>8.1f}"
          + (" (paper: all 20 tasks)" if summary else ""))
    print(f"failed tasks (error > {FAILED:g}%): {sum(e > FAILED for e in errors)} "
          f"(paper: {paper_failed}) of {len(errors)}")
    print(f"training samples per second: {np.mean(speeds):.0f} "
          f"({torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
