"""When to compare the restarts (``n_init``) of a bAbI model.

Trains ``--restarts`` seeds of one estimator (its defaults) to the end on
each task, exactly as its own ``n_init`` restarts would start, and records
each one's validation loss per epoch and test error. It then prints, for
each number of restarts and each screening epoch, the mean test error and
training time that picking the restart of lowest validation loss by that
epoch would give (the one picked is taken to go on as it did alone)::

    python benchmarks/babi_restarts.py --model entnet --data-dir data/babi/en
    python benchmarks/babi_restarts.py --model entnet --tasks 10 15 --restarts 3

Models: those that keep the restart of lowest validation loss (EntNet).
"""

import argparse
import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skmem import EntNetClassifier
from skmem.datasets import fetch_babi, load_babi
from skmem.preprocessing import StoryVectorizer

MODELS = {"entnet": EntNetClassifier}
FAILED = 5.0  # a task fails above 5% test error


def train_restarts(model, task, data_dir, restarts, seed):
    """Each restart's validation losses, training seconds and test error."""
    X, y = load_babi(task, subset="train", data_dir=data_dir)
    X_test, y_test = load_babi(task, subset="test", data_dir=data_dir)
    vectorizer = StoryVectorizer().fit(X, y)
    clf = MODELS[model](n_init=restarts, random_state=seed)
    runs = []

    def every_restart(X, y, epochs, fit_params):  # stands in for clf._train_restarts
        for restart in range(restarts):
            torch.manual_seed(clf._seed(True) + restart)  # as _train_restarts seeds it
            net = clf._build_net()
            net.initialize()
            start = time.perf_counter()
            net.partial_fit(X, y, epochs=clf.max_epochs, **fit_params)
            runs.append((net, time.perf_counter() - start))
        return runs[0][0]

    clf._train_restarts = every_restart
    clf.fit(vectorizer.transform(X), y)
    pipe = make_pipeline(vectorizer, clf)
    results = []
    for net, seconds in runs:
        clf.net_, clf.history_ = net, net.history
        results.append(dict(valid_loss=np.asarray(net.history[:, "valid_loss"]), seconds=seconds,
                            error=100 * (1 - pipe.score(X_test, y_test))))
    return results


def pick(runs, n, screen):
    """Test error and seconds when the best of the first ``n`` runs by the
    lowest validation loss up to epoch ``screen`` (None: the end) trains on."""
    runs = runs[:n]
    losses = [run["valid_loss"][:screen].min() for run in runs]
    best = int(np.argmin(losses))
    if screen is None:
        return runs[best]["error"], sum(run["seconds"] for run in runs)
    seconds = 0.0
    for i, run in enumerate(runs):
        epochs = len(run["valid_loss"])
        share = 1.0 if i == best else min(screen, epochs) / epochs
        seconds += share * run["seconds"]
    return runs[best]["error"], seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="entnet")
    parser.add_argument("--tasks", type=int, nargs="+", default=list(range(1, 21)))
    parser.add_argument("--data-dir", default=None,
                        help="folder with the bAbI en files (default: fetch_babi's cache)")
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--screens", type=int, nargs="+", default=[10, 20, 25, 30, 40],
                        help="screening epochs to compare")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_dir = args.data_dir if args.data_dir is not None else fetch_babi()

    print(f"{args.model} on bAbI 1k, seed {args.seed}, {args.restarts} restarts per task")
    print(f"{'task':>4} {'restart':>7} {'epochs':>6} {'best valid loss':>15} {'error %':>8} "
          f"{'seconds':>8}")
    runs = {}
    for task in args.tasks:
        runs[task] = train_restarts(args.model, task, data_dir, args.restarts, args.seed)
        for i, run in enumerate(runs[task]):
            print(f"{task:>4} {i:>7} {len(run['valid_loss']):>6} {run['valid_loss'].min():>15.3f} "
                  f"{run['error']:>8.1f} {run['seconds']:>8.0f}", flush=True)

    print(f"\n{'n_init':>6} {'compared':>9} {'mean error %':>13} {'failed':>6} {'minutes':>8}")
    for n in range(1, args.restarts + 1):
        for screen in [None] + (args.screens if n > 1 else []):
            picked = [pick(runs[task], n, screen) for task in args.tasks]
            errors = [error for error, _ in picked]
            print(f"{n:>6} {'at end' if screen is None else f'epoch {screen}':>9} "
                  f"{np.mean(errors):>13.2f} {sum(e > FAILED for e in errors):>6} "
                  f"{sum(s for _, s in picked) / 60:>8.1f}")


if __name__ == "__main__":
    main()
