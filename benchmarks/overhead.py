"""What training through skmem costs over a hand-written PyTorch loop.

Trains the same GRU module (hidden size 64) on token ids of shape (n, 50)
at batch size 32 three ways and prints training samples per second:

- a hand-written loop over shuffled tensor slices (the floor),
- ``skmem.RNNClassifier`` (skorch under the hood, batches cut from tensors),
- a plain ``skorch.NeuralNetClassifier`` with its default per-sample data
  loading, for reference.

Run: python benchmarks/overhead.py [--samples 4000] [--epochs 3] [--threads N]
"""

import argparse
import time

import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn

from skmem import RNNClassifier
from skmem.modules.rnn import RNN

VOCAB, T, HIDDEN, BATCH = 1000, 50, 64, 32


def make_data(n, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(2, VOCAB, size=(n, T)).astype(np.int64)
    y = (X[:, :5].sum(axis=1) % 2).astype(np.int64)
    return X, y


def hand_written(X, y, epochs):
    torch.manual_seed(0)
    module = RNN(VOCAB, 2, tokens=True, cell="gru", hidden_size=HIDDEN)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    module.train()
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), BATCH):
            idx = perm[i : i + BATCH]
            optimizer.zero_grad()
            loss = criterion(module(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            loss.item()  # skorch records every batch loss; so does the floor
    return len(X) * epochs / (time.perf_counter() - start)


def skmem_estimator(X, y, epochs):
    est = RNNClassifier(
        cell="gru", hidden_size=HIDDEN, max_epochs=epochs, batch_size=BATCH, random_state=0
    )
    start = time.perf_counter()
    est.fit(X, y)
    return len(X) * epochs / (time.perf_counter() - start)


def plain_skorch(X, y, epochs):
    torch.manual_seed(0)
    net = NeuralNetClassifier(
        RNN,
        module__n_inputs=VOCAB,
        module__n_outputs=2,
        module__tokens=True,
        module__cell="gru",
        module__hidden_size=HIDDEN,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=epochs,
        batch_size=BATCH,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
    )
    start = time.perf_counter()
    net.fit(X, y)
    return len(X) * epochs / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    X, y = make_data(args.samples)
    runners = {
        "hand-written loop": hand_written,
        "skmem RNNClassifier": skmem_estimator,
        "plain skorch (per-sample loading)": plain_skorch,
    }
    hand_written(X[:256], y[:256], 1)  # warm up
    # Interleave the runs so that load on the machine hits all alike.
    rates = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, run in runners.items():
            rates[name].append(run(X, y, args.epochs))
    floor = np.median(rates["hand-written loop"])
    print(f"GRU hidden {HIDDEN}, token ids ({args.samples}, {T}), batch {BATCH}, "
          f"{args.epochs} epochs, {torch.get_num_threads()} threads, "
          f"median of {args.repeats}")
    print(f"{'training path':36s} {'samples/s':>10s} {'vs loop':>8s}")
    for name, values in rates.items():
        rate = np.median(values)
        print(f"{name:36s} {rate:10.0f} {rate / floor:8.0%}")


if __name__ == "__main__":
    main()
