"""DMNClassifier: pipelines, attention gates per pass, early stopping,
length-bucketed batches, pickling, plots."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from skmem import DMNClassifier
from skmem.datasets import make_babi
from skmem.estimators._memnet import _MemoryNet
from skmem.preprocessing import StoryVectorizer

from test_common import CHEAP_PARAMS  # the settings the common suite uses

SMALL = dict(hidden_size=12, max_epochs=3, n_init=1, random_state=0)


@pytest.fixture(scope="module")
def babi():
    X, y = make_babi(2, n_samples=80, random_state=0)
    return X, np.asarray(y)


def _story_data(n=60):
    X, y = make_babi(1, n_samples=n, random_state=0)
    return StoryVectorizer(memory_size=8).fit(X, y).transform(X), np.asarray(y)


def test_pipeline_fit_predict_score_and_attention_gates(babi):
    X, y = babi
    pipe = make_pipeline(StoryVectorizer(memory_size=10), DMNClassifier(**SMALL)).fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
    assert set(pipe.predict(X)) <= set(y)
    assert pipe.predict_proba(X).shape == (len(X), len(np.unique(y)))

    Xt = pipe[:-1].transform(X.iloc[:5])
    gates = pipe[-1].attention(Xt)
    assert gates.shape == (5, 3, Xt["story"].shape[1])  # (samples, passes, slots)
    assert np.all((gates.sum(-1) > 0) & (gates.sum(-1) < 1))  # the rest on the null fact
    empty = ~Xt["story"].any(-1)  # (5, M)
    assert np.all(gates[np.broadcast_to(empty[:, None], gates.shape)] == 0)
    assert isinstance(pipe[-1].net_, _MemoryNet)


@pytest.mark.parametrize("params", CHEAP_PARAMS["DMNClassifier"])
def test_cheap_params_fit(params):
    X, y = _story_data()
    est = DMNClassifier(**params, random_state=0).fit(X, y)
    assert est.predict(X).shape == y.shape


def test_learns_task_1():
    X, y = make_babi(1, n_samples=400, random_state=0)
    Xte, yte = make_babi(1, n_samples=200, random_state=1)
    vec = StoryVectorizer().fit(X, y)
    est = DMNClassifier(hidden_size=24, num_passes=1, max_epochs=25, batch_size=32, lr=0.005,
                        n_iter_no_change=None, validation_fraction=None, n_init=1, random_state=0)
    est.fit(vec.transform(X), y)
    assert est.score(vec.transform(Xte), yte) > 0.9
    # the single pass attends to the supporting fact
    supports = vec.transform(Xte)["supporting_facts"][:, 0]
    top = est.attention(vec.transform(Xte))[:, 0].argmax(1)
    assert np.mean(top == supports) > 0.8


def test_early_stopping_restores_the_best_epoch():
    X, y = _story_data(n=80)
    est = DMNClassifier(hidden_size=12, max_epochs=40, lr=0.05, n_iter_no_change=3,
                        n_init=1, random_state=0).fit(X, y)
    accuracy = np.asarray(est.history_[:, "valid_acc"])
    best = len(accuracy) - 1 - int(np.argmax(accuracy[::-1]))  # the latest of the most accurate
    assert len(accuracy) == best + 1 + 3 < 40  # stopped three epochs after its best
    # the kept weights are the best epoch's: the same as training that many epochs
    again = clone(est).set_params(max_epochs=best + 1, n_iter_no_change=None).fit(X, y)
    np.testing.assert_allclose(est.predict_proba(X), again.predict_proba(X), rtol=1e-4, atol=1e-6)


def test_bad_parameters_are_named():
    X, y = _story_data()
    with pytest.raises(ValueError, match="validation_fraction"):
        DMNClassifier(validation_fraction=None, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="n_iter_no_change"):
        DMNClassifier(n_iter_no_change=0, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="StoryVectorizer"):
        DMNClassifier(max_epochs=1).fit(X["story"].reshape(len(y), -1), y)
    with pytest.raises(ValueError, match="num_passes"):
        DMNClassifier(num_passes=0, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="null_fact must be True or False"):
        DMNClassifier(null_fact="no", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="time_features must be True or False"):
        DMNClassifier(time_features=1, max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="embedding_std must be positive"):
        DMNClassifier(embedding_std=0.0, max_epochs=1).fit(X, y)


def test_pickle_round_trip_and_same_seed():
    X, y = _story_data()
    est = DMNClassifier(**SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est.predict_proba(X), restored.predict_proba(X))
    np.testing.assert_array_equal(est.attention(X), restored.attention(X))
    np.testing.assert_array_equal(est.predict_proba(X), clone(est).fit(X, y).predict_proba(X))


def test_plot_story_attention_has_a_column_per_pass(babi):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skmem.plotting import plot_story_attention

    X, y = babi
    pipe = make_pipeline(StoryVectorizer(), DMNClassifier(**SMALL)).fit(X, y)
    ax = plot_story_attention(pipe, X, index=2, y=y)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pass 1", "pass 2", "pass 3"]
    assert len(ax.get_yticklabels()) == len(X["story"].iloc[2])


def test_n_init_keeps_the_most_accurate_restart():
    X, y = _story_data(n=80)
    params = dict(hidden_size=8, max_epochs=4, lr=0.01, n_iter_no_change=2, n_init=1, random_state=0)
    one = DMNClassifier(**params).fit(X, y)  # the first of the restarts below
    best = DMNClassifier(**dict(params, n_init=3)).fit(X, y)
    assert max(best.history_[:, "valid_acc"]) >= max(one.history_[:, "valid_acc"])
    with pytest.raises(ValueError, match="n_init"):
        DMNClassifier(n_init=0, max_epochs=1).fit(X, y)


def test_n_init_compares_the_restarts_after_thirty_epochs(restart_epochs):
    X, y = _story_data(n=40)
    compared_at = restart_epochs(DMNClassifier)
    params = dict(hidden_size=4, num_passes=1, batch_size=40, n_iter_no_change=None,
                  random_state=0)
    est = DMNClassifier(**params, max_epochs=32, n_init=2).fit(X, y)
    assert compared_at == [30, 30] and len(est.history_) == 32  # the best seed trains on
    compared_at.clear()
    DMNClassifier(**params, max_epochs=3, n_init=2).fit(X, y)
    assert compared_at == [3, 3]  # no longer than the screen: each seed trains to the end
    compared_at.clear()
    DMNClassifier(**params, max_epochs=32, n_init=2, validation_fraction=None).fit(X, y)
    assert compared_at == [32, 32]  # nothing to compare on early
