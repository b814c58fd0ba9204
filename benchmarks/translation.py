"""Date translation benchmark of Seq2SeqTranslator, both architectures.

Trains on human-written dates from ``make_dates`` and translates held-out
ones to ISO dates; reports the wall time of ``fit``, exact match and corpus
BLEU (greedy and beam search) and the time to translate the held-out set::

    python benchmarks/translation.py --threads 2
    python benchmarks/translation.py --architectures transformer --n-train 5000

The settings of each architecture are in ``SETTINGS``: character-level
tokens, the source lowercased, a cosine learning-rate decay over the epochs
(skorch's ``LRScheduler``) and small models without dropout, tuned so that
each trains in under three minutes on two CPU cores.
"""

import argparse
import os
import time

import numpy as np
import torch
from skorch.callbacks import LRScheduler

from skmem import Seq2SeqTranslator
from skmem.datasets import make_dates

SETTINGS = {
    "gru-attention": dict(hidden_size=64, num_layers=1, attention="additive", dropout=0.0,
                          max_epochs=6, lr=0.003),
    "transformer": dict(hidden_size=64, num_layers=2, num_heads=4, dropout=0.0,
                        max_epochs=14, lr=0.003),
}


def make_translator(architecture, seed):
    params = SETTINGS[architecture]
    return Seq2SeqTranslator(
        architecture=architecture,
        analyzer="char",
        lowercase=True,  # the source's letter case carries no information
        metric="exact_match",
        callbacks=[LRScheduler(policy="CosineAnnealingLR", T_max=params["max_epochs"])],
        random_state=seed,
        **params,
    )


def timed(function, *args):
    start = time.perf_counter()
    out = function(*args)
    return out, time.perf_counter() - start


def run(architecture, X_train, y_train, X_test, y_test, seed, beam_size):
    model = make_translator(architecture, seed)
    _, fit_seconds = timed(model.fit, X_train, y_train)
    row = {"architecture": architecture, "epochs": len(model.history_), "fit s": fit_seconds}
    for beam in (1, beam_size):
        model.set_params(beam_size=beam)
        predictions, seconds = timed(model.predict, X_test)
        name = "greedy" if beam == 1 else f"beam {beam}"
        correct = predictions == np.asarray(y_test, dtype=object)
        row[f"exact {name} %"] = 100 * float(np.mean(correct))
        row[f"BLEU {name}"] = 100 * model.set_params(metric="bleu").score(X_test, y_test)
        model.set_params(metric="exact_match")
        row[f"predict {name} s"] = seconds
    errors = [(x, t, p) for x, t, p in zip(X_test, y_test, predictions) if t != p]
    return row, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--architectures", nargs="+", choices=sorted(SETTINGS),
                        default=list(SETTINGS))
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--n-test", type=int, default=2_000)
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--show-errors", type=int, default=5,
                        help="held-out dates translated wrongly (by beam search) to print")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    X, y = make_dates(args.n_train + args.n_test, random_state=args.seed)
    X_train, y_train = X[: args.n_train], y[: args.n_train]
    X_test, y_test = X[args.n_train :], y[args.n_train :]
    seen = set(X_train)
    print(f"make_dates: {args.n_train} training pairs, {args.n_test} held out "
          f"({sum(x in seen for x in X_test)} of them also among the training strings), "
          f"seed {args.seed}, {torch.get_num_threads()} thread(s), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    rows = []
    for architecture in args.architectures:
        row, errors = run(architecture, X_train, y_train, X_test, y_test, args.seed,
                          args.beam_size)
        rows.append(row)
        print(f"{architecture} (load average now {os.getloadavg()[0]:.2f}): " + ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
            for k, v in row.items() if k != "architecture"
        ), flush=True)
        for source, target, predicted in errors[: args.show_errors]:
            print(f"    {source!r}: {predicted} (true {target})")
    keys = [k for k in rows[0] if k != "architecture"]
    print()
    print("| architecture | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for row in rows:
        cells = [f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in keys]
        print(f"| {row['architecture']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
