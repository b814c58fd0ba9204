"""Training speed of EntNet and DMN+ on bAbI task 1, at the settings of their goals.

- EntNet: 20 slots, embedding 100, batches of 32, 6 epochs;
- DMN+: hidden size 80, batches of 100, 12 epochs;

both with one seed, without a validation split or early stopping, so that
every epoch trains on all 1,000 stories. Each run prints the training
samples per second of its median epoch, leaving out the first (warm-up),
and of the whole fit; the last line is the median over the runs::

    python benchmarks/story_speed.py --model dmn --threads 2 --repeats 5 --data-dir data/babi/en
    python benchmarks/story_speed.py --model entnet --threads 2   # fetch_babi's cache
"""

import argparse

import numpy as np
import torch

from skmem import DMNClassifier, EntNetClassifier
from skmem.datasets import fetch_babi, load_babi
from skmem.preprocessing import StoryVectorizer

MODELS = {
    "entnet": lambda seed: EntNetClassifier(num_slots=20, embedding_dim=100, batch_size=32,
                                            max_epochs=6, n_init=1, validation_fraction=None,
                                            n_iter_no_change=None, random_state=seed),
    "dmn": lambda seed: DMNClassifier(hidden_size=80, batch_size=100, max_epochs=12, n_init=1,
                                      validation_fraction=None, n_iter_no_change=None,
                                      random_state=seed),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="dmn")
    parser.add_argument("--data-dir", default=None,
                        help="folder with the bAbI en files (default: fetch_babi's cache)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--repeats", type=int, default=3, help="fits, one after the other")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_dir = args.data_dir if args.data_dir is not None else fetch_babi()

    X, y = load_babi(1, subset="train", data_dir=data_dir)
    Xt = StoryVectorizer().fit(X, y).transform(X)
    print(f"{args.model}, bAbI task 1, {len(y)} training stories, {args.threads} thread(s)")
    print(f"{'run':>3} {'median epoch':>13} {'whole fit':>10}  (samples/s)")
    medians = []
    for run in range(args.repeats):
        clf = MODELS[args.model](run).fit(Xt, y)
        seconds = np.asarray(clf.history_[:, "dur"])
        medians.append(len(y) / np.median(seconds[1:]))
        print(f"{run:>3} {medians[-1]:>13.0f} {len(y) * len(seconds) / seconds.sum():>10.0f}",
              flush=True)
    print(f"median over {args.repeats} runs: {np.median(medians):.0f} samples/s")


if __name__ == "__main__":
    main()
