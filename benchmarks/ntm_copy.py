"""Copy task of the Neural Turing Machine paper: NTM against an LSTM.

Graves, Wayne & Danihelka (2014), "Neural Turing Machines", section 4.1:
sequences of 1 to 20 random 8-bit vectors are shown, then a delimiter, and
the model must write them out again. Both models train on fresh sequences
with lengths drawn uniformly from 1..20 (no curriculum), in chunks of
``--eval-every`` sequences (one ``partial_fit`` each); after every chunk
the bits wrong per sequence (outputs thresholded at 0.5, summed over the
sequence) are counted on a fixed held-out set of lengths 1..20. After
training, generalisation is scored on sequences of lengths 20, 40 and 80.

Models (the paper's Table 3 settings):

- ``ntm``: ``NTMRegressor(loss="bce")`` with its defaults: LSTM controller
  of 100 units, 128 x 20 memory, one read and one write head, shifts of
  -1..1, RMSprop with learning rate 3e-4 and momentum 0.9, batches of 16,
  gradient norm clipped to 10.
- ``lstm``: 3 stacked LSTM layers of 256 units with an output at every
  step, RMSprop with learning rate 3e-5 and momentum 0.9, the same batches,
  clipping and masked loss, trained through skorch on the same data path.

Usage::

    python benchmarks/ntm_copy.py                     # 3 seeds, both models, 100,000 sequences
    python benchmarks/ntm_copy.py --models ntm --seeds 0 --plot-dir plots
    python benchmarks/ntm_copy.py --speed --threads 2 # training sequences per second only
"""

import argparse
import os
import time

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import GradientNormClipping
from torch import nn

from skmem import NTMRegressor
from skmem.datasets import make_copy
from skmem.estimators._base import BatchIterator
from skmem.estimators._ntm import MaskedLoss, _LengthBucketIterator, _TrimmedDataset

N_BITS = 8
TRAIN_LENGTHS = (1, 20)
THRESHOLD = 0.1  # bits wrong per sequence counted as learned


# ---------------------------------------------------------------- models


class StepLSTM(nn.Module):
    """Stacked LSTM with an output at every step (the paper's baseline)."""

    def __init__(self, input_size, output_size, hidden_size=256, num_layers=3):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.out(self.lstm(x)[0])  # (B, T, output_size) logits


class LSTMBaseline:
    """The LSTM as a skorch net with the NTM estimators' masked loss, batches
    cut to their last target and drawn by length."""

    def __init__(self, seed, batch_size):
        torch.manual_seed(seed)
        self.net = NeuralNet(
            StepLSTM, module__input_size=N_BITS + 1, module__output_size=N_BITS,
            criterion=MaskedLoss("bce"), optimizer=torch.optim.RMSprop, lr=3e-5,
            optimizer__momentum=0.9, optimizer__alpha=0.95, batch_size=batch_size,
            max_epochs=1, dataset=_TrimmedDataset, dataset__per_step=True,
            iterator_train=_LengthBucketIterator, iterator_train__shuffle=True,
            iterator_valid=BatchIterator,
            train_split=None, callbacks=[GradientNormClipping(10.0)],
            predict_nonlinearity=None, verbose=0,
        ).initialize()

    def partial_fit(self, X, y):
        self.net.partial_fit(torch.from_numpy(X), torch.from_numpy(y))
        return self

    def predict(self, X):
        with torch.no_grad():
            return torch.sigmoid(self.net.forward(torch.from_numpy(X))).numpy()


def make_model(name, seed, batch_size):
    if name == "ntm":
        return NTMRegressor(loss="bce", batch_size=batch_size, max_epochs=1, random_state=seed)
    return LSTMBaseline(seed, batch_size)


# ---------------------------------------------------------------- scoring


def bits_wrong(model, X, y):
    """Bits wrong per sequence: thresholded outputs against the due targets."""
    due = ~np.isnan(y)
    wrong = (model.predict(X) > 0.5) != (y > 0.5)
    return float((wrong & due).sum() / len(X))


def train(name, seed, args, eval_set):
    """Learning curve: (sequences seen, bits wrong per sequence) and training speed."""
    model = make_model(name, seed, args.batch_size)
    rng = np.random.RandomState(1000 + seed)  # the training stream of this seed
    curve, seconds, seen = [], 0.0, 0
    while seen < args.sequences:
        n = min(args.eval_every, args.sequences - seen)
        X, y = make_copy(n, seq_len=TRAIN_LENGTHS, n_bits=N_BITS, random_state=rng)
        start = time.perf_counter()
        model.partial_fit(X, y)
        seconds += time.perf_counter() - start
        seen += n
        curve.append((seen, bits_wrong(model, *eval_set)))
        if args.verbose:
            print(f"  {name} seed {seed}: {seen:>7} sequences, {curve[-1][1]:7.3f} bits wrong, "
                  f"{seen / seconds:5.0f} seq/s", flush=True)
    return model, np.array(curve), seen / seconds


def settled(curve):
    """First point from which the curve stays below THRESHOLD (None if never)."""
    above = np.nonzero(curve[:, 1] >= THRESHOLD)[0]
    last = above[-1] + 1 if len(above) else 0
    return int(curve[last, 0]) if last < len(curve) else None


def summary(values):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{np.median(values):.2f} [{values.min():.2f}, {values.max():.2f}]"


# ---------------------------------------------------------------- plots


def plot_curves(curves, path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for (name, runs), color in zip(curves.items(), ("tab:blue", "tab:orange")):
        seen = runs[0][:, 0]
        values = np.stack([run[:, 1] for run in runs])
        ax.plot(seen, np.median(values, axis=0), color=color,
                label=f"{name.upper()}, median of {len(runs)}")
        ax.fill_between(seen, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2)
    ax.axhline(THRESHOLD, color="grey", linestyle="--", linewidth=1)
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("training sequences seen")
    ax.set_ylabel("bits wrong per sequence")
    ax.set_title("Copy, lengths 1-20 (band: min to max over seeds)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_outputs(model, path, lengths=(10, 20, 40, 80)):
    """Targets and outputs at several lengths (the paper's figure 4)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(lengths), figsize=(3 * len(lengths), 3.2),
                             gridspec_kw={"width_ratios": lengths})
    for col, L in enumerate(lengths):
        X, y = make_copy(1, seq_len=L, n_bits=N_BITS, random_state=L)
        out = model.predict(X)[0, L + 1:]  # (L, bits): the answer steps
        for row, (image, label) in enumerate([(y[0, L + 1:], "targets"), (out, "outputs")]):
            ax = axes[row, col]
            ax.imshow(image.T, cmap="gray_r", vmin=0, vmax=1, aspect="auto",
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_ylabel(label if col == 0 else "")
        axes[0, col].set_title(f"length {L}")
    fig.suptitle("NTM copy outputs (time runs left to right)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_memory(model, path, length=20):
    """Inputs, outputs, and the write and read weightings over time (figure 6)."""
    import matplotlib.pyplot as plt

    from skmem.plotting import plot_memory_use

    X, y = make_copy(1, seq_len=length, n_bits=N_BITS, random_state=0)
    axes = plot_memory_use(model, X, y=y)
    axes[0].figure.savefig(path, dpi=120)
    plt.close(axes[0].figure)


# ---------------------------------------------------------------- speed


def measure_speed(args):
    """Training sequences per second of NTMRegressor at lengths 1..20."""
    X, y = make_copy(args.speed_sequences, seq_len=TRAIN_LENGTHS, n_bits=N_BITS,
                     random_state=0)
    print(f"NTMRegressor training speed, copy lengths 1-20, batch {args.batch_size}, "
          f"{args.speed_sequences} sequences, {torch.get_num_threads()} thread(s)")
    for bucket in (True, False):
        model = NTMRegressor(loss="bce", batch_size=args.batch_size, max_epochs=1,
                             bucket_by_length=bucket, random_state=0)
        model.partial_fit(X[: 4 * args.batch_size], y[: 4 * args.batch_size])  # warm up
        start = time.perf_counter()
        model.partial_fit(X, y)
        speed = len(X) / (time.perf_counter() - start)
        print(f"  bucket_by_length={bucket!s:5}: {speed:6.0f} sequences/s", flush=True)


# ---------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=["ntm", "lstm"], default=["ntm", "lstm"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sequences", type=int, default=100_000,
                        help="training sequences per run")
    parser.add_argument("--eval-every", type=int, default=2000,
                        help="training sequences between evaluations")
    parser.add_argument("--eval-size", type=int, default=500,
                        help="held-out sequences (lengths 1..20) per evaluation")
    parser.add_argument("--lengths", type=int, nargs="+", default=[20, 40, 80],
                        help="generalisation lengths")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--plot-dir", default=None, help="save the figures here")
    parser.add_argument("--speed", action="store_true", help="only measure training speed")
    parser.add_argument("--speed-sequences", type=int, default=4000)
    parser.add_argument("--verbose", action="store_true", help="print every evaluation")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.speed:
        measure_speed(args)
        return

    eval_set = make_copy(args.eval_size, seq_len=TRAIN_LENGTHS, n_bits=N_BITS, random_state=12345)
    tests = {L: make_copy(200, seq_len=L, n_bits=N_BITS, random_state=L) for L in args.lengths}
    curves, rows, first_ntm = {}, [], None
    print(f"Copy task, lengths {TRAIN_LENGTHS[0]}-{TRAIN_LENGTHS[1]}, {args.sequences} training "
          f"sequences, batch {args.batch_size}, seeds {args.seeds}, {args.threads} thread(s), "
          f"{os.cpu_count()} CPUs")
    for name in args.models:
        runs = []
        for seed in args.seeds:
            model, curve, speed = train(name, seed, args, eval_set)
            runs.append(curve)
            general = {L: bits_wrong(model, *tests[L]) for L in args.lengths}
            below = curve[curve[:, 1] < THRESHOLD, 0]
            rows.append({"model": name, "seed": seed, "settled": settled(curve),
                         "first": int(below[0]) if len(below) else None,
                         "final": curve[-1, 1], "speed": speed, **general})
            print(f"{name} seed {seed}: first below {THRESHOLD} at {rows[-1]['first']}, "
                  f"stays below from {rows[-1]['settled']}, final {curve[-1, 1]:.3f}, "
                  + ", ".join(f"length {L}: {v:.2f}" for L, v in general.items())
                  + f", {speed:.0f} seq/s", flush=True)
            if name == "ntm" and first_ntm is None:
                first_ntm = model
        curves[name] = runs

    print("\nBits wrong per sequence on held-out lengths 1-20, median [min, max] over seeds:")
    checkpoints = [s for s in (10_000, 20_000, 30_000, 50_000, 70_000, 100_000, args.sequences)
                   if s <= args.sequences]
    checkpoints = sorted(set(checkpoints))
    print(f"{'sequences':>10} " + " ".join(f"{name:>24}" for name in curves))
    for point in checkpoints:
        cells = []
        for runs in curves.values():
            at = [run[np.searchsorted(run[:, 0], point), 1] for run in runs]
            cells.append(f"{summary(at):>24}")
        print(f"{point:>10} " + " ".join(cells))
    for name, runs in curves.items():
        median = np.median(np.stack([run[:, 1] for run in runs]), axis=0)
        curve = np.column_stack([runs[0][:, 0], median])
        below = curve[curve[:, 1] < THRESHOLD, 0]
        print(f"{name}: median first below {THRESHOLD} at "
              f"{int(below[0]) if len(below) else 'never'}, stays below from "
              f"{settled(curve) or 'never'}")

    print("\nGeneralisation, bits wrong per sequence, median [min, max] over seeds "
          "(200 sequences per length):")
    print(f"{'model':>6} " + " ".join(f"{'length ' + str(L):>24}" for L in args.lengths)
          + f" {'train seq/s':>12}")
    for name in curves:
        mine = [r for r in rows if r["model"] == name]
        print(f"{name:>6} " + " ".join(f"{summary([r[L] for r in mine]):>24}" for L in args.lengths)
              + f" {np.median([r['speed'] for r in mine]):>12.0f}")

    if args.plot_dir:
        os.makedirs(args.plot_dir, exist_ok=True)
        plot_curves(curves, os.path.join(args.plot_dir, "ntm_copy_learning_curves.png"))
        if first_ntm is not None:
            plot_outputs(first_ntm, os.path.join(args.plot_dir, "ntm_copy_outputs.png"))
            plot_memory(first_ntm, os.path.join(args.plot_dir, "ntm_copy_memory.png"))
        print(f"\nfigures saved in {args.plot_dir}")


if __name__ == "__main__":
    main()
