"""Translate human-written dates into ISO dates with an attentive GRU
encoder-decoder, then look at where it attended.

Run from the repository root (about a minute on one CPU core)::

    python examples/translate_dates.py

It prints the exact-match accuracy on 1,000 held-out dates and a few
translations, and writes the attention of one translation to
``date_alignment.png`` in the working directory.
"""

import matplotlib

matplotlib.use("Agg")  # write the figure to a file; no window needed

import matplotlib.pyplot as plt
import torch
from skorch.callbacks import LRScheduler

from skmem import Seq2SeqTranslator
from skmem.datasets import make_dates
from skmem.plotting import plot_alignment

# Networks this small train fastest on one CPU thread.
torch.set_num_threads(1)

# 10,000 pairs such as ("the 3rd of March 2021", "2021-03-03") to learn from, 1,000 to test on.
X, y = make_dates(11_000, random_state=0)
X_train, y_train, X_test, y_test = X[:10_000], y[:10_000], X[10_000:], y[10_000:]

translator = Seq2SeqTranslator(
    architecture="gru-attention",
    analyzer="char",  # dates are read and written character by character
    lowercase=True,  # "MARCH", "March" and "march" are one month
    hidden_size=64,
    num_layers=1,
    dropout=0.0,
    max_epochs=6,
    lr=0.003,
    callbacks=[LRScheduler(policy="CosineAnnealingLR", T_max=6)],  # decay the rate to zero
    metric="exact_match",
    random_state=0,
)
translator.fit(X_train, y_train)
losses = translator.history_[:, "train_loss"]
print("training loss per epoch:", ", ".join(f"{loss:.4f}" for loss in losses))
print(f"exact match on {len(X_test)} held-out dates: {translator.score(X_test, y_test):.2%}")

sources = ["Wednesday, March 3, 2021", "le 1er mai 99", "the 21st of June, 1999", "3.3.21"]
for source, translation in zip(sources, translator.set_params(beam_size=4).predict(sources)):
    print(f"{source!r:35} -> {translation}")

ax = plot_alignment(translator, "Mittwoch, den 3. März 2021")
ax.figure.tight_layout()
ax.figure.savefig("date_alignment.png", dpi=120)
plt.close(ax.figure)
print("attention of the decoder over the source: date_alignment.png")
