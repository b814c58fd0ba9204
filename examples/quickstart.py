"""Quickstart: answer bAbI questions with an End-To-End Memory Network.

``make_babi`` generates the bAbI question answering tasks (Weston et al.,
2015) from a seed. Task 1, "single supporting fact", tells a short story of
people moving between places and asks where one of them is::

    Mary moved to the bathroom. John went to the hallway. Where is Mary?

Every skmem model is a scikit-learn estimator, so a whole question
answering system is a two-step ``Pipeline``: ``StoryVectorizer`` turns each
story into a memory of sentences (token ids) and the question into token
ids, and ``MemN2NClassifier`` reads the memory, attending to the sentences
that matter, and picks the answer. Beside it, a GRU reads the same story as
one flat sequence of words. Both are trained on one generated set and
scored on another.
"""

import time

import numpy as np
import torch
from sklearn.pipeline import make_pipeline

from skmem import MemN2NClassifier, RNNClassifier
from skmem.datasets import make_babi
from skmem.preprocessing import StoryVectorizer

# Networks this small train fastest on one CPU thread.
torch.set_num_threads(1)
start = time.perf_counter()
X_train, y_train = make_babi(1, 1000, random_state=0)
X_test, y_test = make_babi(1, 1000, random_state=1)
example = X_train.iloc[3]
print("story:   ", " ".join(example["story"]))
print("question:", example["question"], "->", y_train.iloc[3], "\n")

memory = make_pipeline(
    StoryVectorizer(memory_size=10),
    MemN2NClassifier(max_epochs=40, linear_start=10, lr_halving_epochs=10, random_state=0),
)
memory.fit(X_train, y_train)
recurrent = make_pipeline(
    StoryVectorizer(flatten=True, memory_size=10),
    RNNClassifier(cell="gru", hidden_size=32, max_epochs=15, lr=0.01, random_state=0),
)
recurrent.fit(X_train, y_train)

print(f"test accuracy, chance {1 / y_train.nunique():.3f}:")
print(f"  End-To-End Memory Network: {memory.score(X_test, y_test):.3f}")
print(f"  GRU over the flat story:   {recurrent.score(X_test, y_test):.3f}\n")

# Which sentence did the memory network read at its last hop?
row = X_test.head(1)
attention = memory[-1].attention(memory[:-1].transform(row))  # (1, hops, memory)
story = row["story"].iloc[0][-10:]
print(" ".join(story), row["question"].iloc[0])
print(f"answer: {y_test.iloc[0]}, model: {memory.predict(row)[0]}, "
      f"read: {story[int(np.argmax(attention[0, -1, : len(story)]))]!r}")
print(f"total time: {time.perf_counter() - start:.0f} s")
