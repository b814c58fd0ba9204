"""EntNetClassifier: pipelines, explanations, early stopping, the schedule,
length buckets, input checks."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from skorch.helper import SliceDict

from skmem import EntNetClassifier
from skmem.datasets import make_babi
from skmem.estimators._entnet import _StoryDataset
from skmem.estimators._ntm import _LengthBucketIterator
from skmem.preprocessing import StoryVectorizer

SMALL = dict(embedding_dim=8, num_slots=4, n_init=1, random_state=0)


def _story_data(n=60, task=1):
    X, y = make_babi(task, n_samples=n, random_state=0)
    return StoryVectorizer(memory_size=8).fit(X, y).transform(X), np.asarray(y)


@pytest.fixture(scope="module")
def babi():
    X, y = make_babi(2, n_samples=80, random_state=0)
    return X, np.asarray(y)


def test_pipeline_fit_predict_and_explanations(babi):
    X, y = babi
    pipe = make_pipeline(StoryVectorizer(memory_size=10),
                         EntNetClassifier(**SMALL, num_hops=2, max_epochs=3)).fit(X, y)
    assert pipe.predict(X).shape == (len(X),) and set(pipe.predict(X)) <= set(y)
    assert pipe.predict_proba(X).shape == (len(X), len(np.unique(y)))

    Xt = pipe[:-1].transform(X.iloc[:5])
    clf = pipe[-1]
    gates, attention, read = clf.gates(Xt), clf.attention(Xt), clf.read_attention(Xt)
    M = Xt["story"].shape[1]
    assert gates.shape == (5, M, 4) and attention.shape == (5, 4, M) and read.shape == (5, 2, 4)
    np.testing.assert_array_equal(gates, attention.transpose(0, 2, 1))
    empty = ~Xt["story"].any(-1)  # (5, M)
    assert np.all(gates[empty] == 0) and np.all((gates[~empty] > 0) & (gates[~empty] < 1))
    np.testing.assert_allclose(read.sum(-1), 1.0, rtol=1e-6)


def test_story_attention_plot_shows_sentences_by_slot(babi):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skmem.plotting import plot_story_attention

    X, y = babi
    pipe = make_pipeline(StoryVectorizer(), EntNetClassifier(**SMALL, max_epochs=1)).fit(X, y)
    ax = plot_story_attention(pipe, X, index=2, y=y)
    assert len(ax.get_yticklabels()) == len(X["story"].iloc[2])
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"slot {k}" for k in range(1, 5)]


def test_learns_babi_task_1():
    X, y = make_babi(1, n_samples=400, random_state=0)
    X_test, y_test = make_babi(1, n_samples=200, random_state=1)
    pipe = make_pipeline(StoryVectorizer(), EntNetClassifier(embedding_dim=20, num_slots=6, n_init=1,
                                                             max_epochs=30, random_state=0))
    assert pipe.fit(X, y).score(X_test, y_test) > 0.6  # chance: 1 in 6


def test_early_stopping_restores_the_best_epoch():
    X, y = _story_data(n=80)
    est = EntNetClassifier(**SMALL, lr=0.05, max_epochs=60, n_iter_no_change=3).fit(X, y)
    losses = est.history_[:, "valid_loss"]
    best = int(np.argmin(losses))
    assert len(losses) == best + 4 < 60  # stopped three epochs after the best one
    net = est.net_  # its weights are the best epoch's: same validation loss
    _, valid = net.get_split_datasets(est._validate_input(X, reset=False),
                                      est._validate_target(y, reset=False))
    batch_losses, sizes = [], []
    for Xb, yb in net.get_iterator(valid, training=False):
        batch_losses.append(net.get_loss(net.evaluation_step((Xb, yb)), yb).item())
        sizes.append(len(yb))
    assert np.average(batch_losses, weights=sizes) == pytest.approx(losses[best], rel=1e-4)


def test_early_stopping_needs_a_validation_split():
    X, y = _story_data()
    with pytest.raises(ValueError, match="validation_fraction"):
        EntNetClassifier(validation_fraction=None, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="n_iter_no_change"):
        EntNetClassifier(n_iter_no_change=0, max_epochs=1).fit(X, y)
    est = EntNetClassifier(**SMALL, validation_fraction=None, n_iter_no_change=None,
                           max_epochs=2).fit(X, y)
    assert "valid_loss" not in est.history_[-1]


def test_learning_rate_halves():
    X, y = _story_data()
    est = EntNetClassifier(**SMALL, max_epochs=5, lr_halving_epochs=2, n_iter_no_change=None,
                           validation_fraction=None).fit(X, y)
    assert est.history_[:, "lr"] == [0.01, 0.01, 0.005, 0.005, 0.0025]


def test_training_batches_hold_stories_of_similar_length():
    X, y = _story_data(n=200, task=2)
    lengths = X["story"].any(-1).sum(1)  # stories have no gaps: length = non-empty sentences
    dataset = _StoryDataset({key: torch.as_tensor(value) for key, value in X.items()})
    np.testing.assert_array_equal(dataset.lengths.numpy(), lengths)
    spreads = [np.ptp(Xb["story"].any(-1).sum(1).numpy())
               for Xb, _ in _LengthBucketIterator(dataset, batch_size=16, shuffle=True)]
    assert np.mean(spreads) < np.ptp(lengths) / 4
    est = EntNetClassifier(**SMALL, max_epochs=1).fit(X, y)
    assert est.net_.iterator_train is _LengthBucketIterator


def test_tied_answers_with_vocabulary(babi):
    X, y = babi
    vec = StoryVectorizer().fit(X, y)
    Xt = vec.transform(X)
    est = EntNetClassifier(**SMALL, max_epochs=1).fit(Xt, y, vocabulary=vec.vocabulary_)
    assert [vec.tokens_[i] for i in est.answer_ids_] == list(est.classes_)
    assert est.net_.module_.R is None
    assert clone(est).fit(Xt, y).net_.module_.R is not None


def test_a_class_seen_once_still_gets_a_validation_split():
    X, y = _story_data()
    y = y.copy()
    y[0] = "attic"  # a single sample of this class: no stratified split
    est = EntNetClassifier(**SMALL, max_epochs=2).fit(X, y)
    assert "attic" in est.classes_ and "valid_loss" in est.history_[-1]


def test_bad_input_is_named():
    X, y = _story_data()
    est = EntNetClassifier(**SMALL, max_epochs=1)
    with pytest.raises(ValueError, match="StoryVectorizer"):
        est.fit(X["story"].reshape(len(y), -1), y)
    with pytest.raises(ValueError, match="story_mask_init must be one of"):
        clone(est).set_params(story_mask_init="zeros").fit(X, y)
    est.fit(X, y)
    longer = SliceDict(story=np.pad(X["story"], ((0, 0), (0, 0), (0, 2))), question=X["question"])
    with pytest.raises(ValueError, match="words per sentence"):
        est.predict(longer)
    more_sentences = SliceDict(story=np.pad(X["story"], ((0, 0), (0, 5), (0, 0))),
                               question=X["question"])
    np.testing.assert_array_equal(est.predict(more_sentences), est.predict(X))  # no memory limit


def test_keys_tied_to_words(babi):
    X, y = babi
    vec = StoryVectorizer().fit(X, y)
    Xt = vec.transform(X)
    words = ["Mary", "john", "football"]
    est = EntNetClassifier(**dict(SMALL, num_slots=9), key_words=words, max_epochs=1)
    est.fit(Xt, y, vocabulary=vec.vocabulary_)
    assert [vec.tokens_[i] for i in est.key_ids_] == ["mary", "john", "football"]
    module = est.net_.module_
    assert module.num_slots == 3 and module.keys is None
    assert est.gates(Xt[:2]).shape[-1] == 3
    with pytest.raises(ValueError, match="vocabulary"):
        clone(est).fit(Xt, y)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        clone(est).set_params(key_words=["unicorn"]).fit(Xt, y, vocabulary=vec.vocabulary_)
    assert clone(est).set_params(key_words=None).fit(Xt, y).key_ids_ is None


def test_n_init_keeps_the_restart_with_the_lowest_validation_loss():
    X, y = _story_data()
    params = dict(SMALL, max_epochs=3, n_iter_no_change=2)
    single = EntNetClassifier(**params).fit(X, y)
    several = EntNetClassifier(**dict(params, n_init=3)).fit(X, y)
    # The first restart is the single run; the kept one is never worse.
    assert min(several.history_[:, "valid_loss"]) <= min(single.history_[:, "valid_loss"])
    with pytest.raises(ValueError, match="n_init"):
        EntNetClassifier(**dict(params, n_init=0)).fit(X, y)


def test_n_init_compares_the_restarts_after_thirty_epochs(restart_epochs):
    X, y = _story_data()
    compared_at = restart_epochs(EntNetClassifier)
    params = dict(SMALL, embedding_dim=4, num_slots=2, n_iter_no_change=None)
    est = EntNetClassifier(**dict(params, max_epochs=32, n_init=2)).fit(X, y)
    assert compared_at == [30, 30] and len(est.history_) == 32  # the best seed trains on
    compared_at.clear()
    EntNetClassifier(**dict(params, max_epochs=3, n_init=2)).fit(X, y)
    assert compared_at == [3, 3]  # no longer than the screen: each seed trains to the end
    compared_at.clear()
    EntNetClassifier(**dict(params, max_epochs=32, n_init=2, validation_fraction=None)).fit(X, y)
    assert compared_at == [32, 32]  # nothing to compare on early


def test_a_restart_stopped_early_is_not_trained_on(restart_epochs):
    X, y = _story_data()
    compared_at = restart_epochs(EntNetClassifier)
    params = dict(SMALL, embedding_dim=4, num_slots=2, max_epochs=40, n_init=2,
                  n_iter_no_change=1, lr=0.5)
    est = EntNetClassifier(**params).fit(X, y)
    assert all(n < 30 for n in compared_at)
    assert len(est.history_) in compared_at  # the one kept, as it stopped
