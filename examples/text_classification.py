"""Text classification where word order matters: a GRU against bag-of-words.

No corpus of real text ships inside the installed packages, so the text is
generated: bAbI task 6 ("yes/no questions") stories from
``skmem.datasets.make_babi``, each joined into one plain string::

    "Mary moved to the bathroom. John went to the hallway.
     Mary travelled to the office. Is Mary in the bathroom?"   ->   "no"

The label is "yes" or "no". A bag of words sees which people and places
occur, but not in which order, so it cannot tell where Mary went *last*
and does no better than chance; a recurrent network reads the words in
order.

Both models are ordinary scikit-learn pipelines on lists of strings:

- baseline: ``CountVectorizer`` (words and word pairs) + ``LogisticRegression``;
- skmem: ``TextVectorizer`` (token ids) + ``RNNClassifier`` (a GRU).

Both are trained on 1000 generated texts and scored on 1000 others.
"""

import time

import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skmem import RNNClassifier
from skmem.datasets import make_babi
from skmem.preprocessing import TextVectorizer


def as_text(X):
    """One string per question: the story sentences, then the question."""
    return [" ".join(story) + " " + question for story, question in zip(X["story"], X["question"])]


# Networks this small train fastest on one CPU thread; more threads only
# add overhead (and much more when other programs share the cores).
torch.set_num_threads(1)
start = time.perf_counter()

X_train, y_train = make_babi(6, 1000, random_state=0)
X_test, y_test = make_babi(6, 1000, random_state=1)
texts_train, texts_test = as_text(X_train), as_text(X_test)
print("example text:", texts_train[3])
print("its label:   ", y_train.iloc[3])
print(f"{len(texts_train)} training texts, {len(texts_test)} test texts; "
      f"the most frequent label is {y_test.value_counts(normalize=True).max():.1%} of the test set")

baseline = make_pipeline(CountVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=2000))
baseline.fit(texts_train, y_train)
baseline_accuracy = baseline.score(texts_test, y_test)

rnn = make_pipeline(
    TextVectorizer(),
    RNNClassifier(cell="gru", hidden_size=32, max_epochs=15, lr=0.01, random_state=0),
)
rnn.fit(texts_train, y_train)
rnn_accuracy = rnn.score(texts_test, y_test)

print()
print("held-out accuracy")
print(f"  CountVectorizer + LogisticRegression: {baseline_accuracy:.3f}")
print(f"  TextVectorizer + RNNClassifier (GRU): {rnn_accuracy:.3f}")
print()
for text, truth, guess in zip(texts_test[:3], y_test[:3], rnn.predict(texts_test[:3])):
    print(f"{text}\n  answer: {truth}, GRU says: {guess}")
print(f"total time: {time.perf_counter() - start:.0f} s")
