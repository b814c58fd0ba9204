"""MemN2NClassifier and MemNNClassifier: pipelines, attention, linear start,
strong supervision, pickling."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from skorch.helper import SliceDict

from skmem.datasets import make_babi
from skmem.estimators._memnet import MemN2NClassifier, MemNNClassifier, _MemoryNet
from skmem.modules.memnn import supporting_fact_loss
from skmem.preprocessing import StoryVectorizer

from test_common import CHEAP_PARAMS  # the settings the common suite uses


def _story_data(estimator=None, n=60):
    """StoryVectorizer output of generated bAbI task 1 stories, and answers."""
    X, y = make_babi(1, n_samples=n, random_state=0)
    return StoryVectorizer(memory_size=8).fit(X, y).transform(X), np.asarray(y)


@pytest.fixture(scope="module")
def babi():
    X, y = make_babi(2, n_samples=80, random_state=0)
    return X, np.asarray(y)


def _supports(X, memory_size):
    facts = X["supporting_facts"].tolist()
    out = np.full((len(facts), max(map(len, facts))), -1, dtype=np.int64)
    for r, (story, row) in enumerate(zip(X["story"].tolist(), facts)):
        dropped = max(len(story) - memory_size, 0)
        out[r, : len(row)] = [p - dropped if p >= dropped else -1 for p in row]
    return out


ESTIMATORS = [
    MemN2NClassifier(embedding_dim=8, max_epochs=3, linear_start=1, random_state=0),
    MemNNClassifier(embedding_dim=8, max_epochs=3, random_state=0),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_pipeline_fit_predict_score_attention(estimator, babi):
    X, y = babi
    pipe = make_pipeline(StoryVectorizer(memory_size=10), clone(estimator)).fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
    assert set(pipe.predict(X)) <= set(y)
    assert 0.0 <= pipe.score(X, y) <= 1.0
    assert pipe.predict_proba(X).shape == (len(X), len(np.unique(y)))

    Xt = pipe[:-1].transform(X.iloc[:5])
    attention = pipe[-1].attention(Xt)
    assert attention.shape == (5, estimator.num_hops, Xt["story"].shape[1])
    real = Xt["story"].any(-1)  # (5, M)
    if getattr(estimator, "null_memory", False):  # the rest fell on the null memory
        assert np.all((attention.sum(-1) > 0) & (attention.sum(-1) < 1))
    else:
        np.testing.assert_allclose(attention.sum(-1), 1.0, rtol=1e-5)
    assert np.all(attention[:, :, :][np.broadcast_to(~real[:, None], attention.shape)] == 0)


@pytest.mark.parametrize("params", CHEAP_PARAMS["MemN2NClassifier"] + CHEAP_PARAMS["MemNNClassifier"])
def test_cheap_params_fit(params):
    cls = MemN2NClassifier if "weight_tying" in params or "linear_start" in params else MemNNClassifier
    X, y = _story_data()
    est = cls(**params, random_state=0).fit(X, y)
    assert est.predict(X).shape == y.shape


def test_linear_start_switches_softmax_and_schedule():
    X, y = _story_data()
    est = MemN2NClassifier(embedding_dim=8, max_epochs=5, linear_start=2,
                           lr_halving_epochs=2, lr=0.01, random_state=0).fit(X, y)
    assert est.history_[:, "linear_start"] == [True, True, False, False, False]
    assert est.history_[:, "lr"] == [0.01, 0.01, 0.01, 0.01, 0.005]
    assert est.net_.module_.use_softmax


def test_linear_start_auto_needs_validation_and_switches():
    X, y = _story_data(n=80)
    with pytest.raises(ValueError, match="validation_fraction"):
        MemN2NClassifier(linear_start="auto", max_epochs=1).fit(X, y)
    est = MemN2NClassifier(embedding_dim=8, linear_start="auto", validation_fraction=0.25,
                           max_epochs=12, lr=0.5, random_state=0).fit(X, y)
    flags = est.history_[:, "linear_start"]
    assert flags[0] and not flags[-1]  # started linear, switched on the validation loss
    assert flags == sorted(flags, reverse=True)


def test_linear_start_attention_is_raw_during_linear_phase():
    X, y = _story_data()
    est = MemN2NClassifier(embedding_dim=8, max_epochs=1, linear_start=5, random_state=0).fit(X, y)
    assert not est.net_.module_.use_softmax
    assert not np.allclose(est.attention(X).sum(-1), 1.0)


def test_strong_supervision_adds_attention_loss():
    X, y = make_babi(2, n_samples=60, random_state=0)
    vec = StoryVectorizer(memory_size=10).fit(X, y)
    strong = vec.transform(X)  # X has supporting_facts: so has the output
    supports = _supports(X, vec.memory_size_)
    np.testing.assert_array_equal(strong["supporting_facts"], supports)
    Xt = vec.transform(X.drop(columns="supporting_facts"))

    est = MemNNClassifier(embedding_dim=8, max_epochs=2, random_state=0).fit(strong, y)
    net = est.net_
    batch = {k: torch.as_tensor(v) for k, v in strong.items()}
    codes = torch.as_tensor(np.searchsorted(est.classes_, y))
    logits, attention = net.forward(batch, training=False)
    answer = net.criterion_(logits, codes)  # summed over the batch
    expected = answer + len(y) * supporting_fact_loss(attention, torch.as_tensor(supports))
    loss = net.get_loss((logits, attention), codes, X=batch)
    torch.testing.assert_close(loss, expected)
    assert loss > answer

    # weak supervision: same data without the facts trains differently
    weak = MemNNClassifier(embedding_dim=8, max_epochs=2, random_state=0).fit(Xt, y)
    assert weak.history_[:, "train_loss"] != est.history_[:, "train_loss"]
    # predict ignores the facts
    np.testing.assert_array_equal(est.predict(Xt), est.predict(strong))
    # supervision_weight=0 is weak supervision
    zero = MemNNClassifier(embedding_dim=8, max_epochs=2, supervision_weight=0.0,
                           random_state=0).fit(strong, y)
    np.testing.assert_allclose(zero.history_[:, "train_loss"], weak.history_[:, "train_loss"])


def test_supporting_facts_are_checked():
    X, y = _story_data()
    bad = SliceDict(**{**X, "supporting_facts": np.full((len(y), 1), 99)})
    with pytest.raises(ValueError, match="memory slots"):
        MemNNClassifier(max_epochs=1).fit(bad, y)


def test_answer_tying_with_vocabulary(babi):
    X, y = babi
    vec = StoryVectorizer().fit(X, y)
    Xt = vec.transform(X)
    est = MemN2NClassifier(embedding_dim=8, max_epochs=1, linear_start=0, random_state=0)
    est.fit(Xt, y, vocabulary=vec.vocabulary_)
    assert [vec.tokens_[i] for i in est.answer_ids_] == list(est.classes_)
    assert est.net_.module_.W is None  # W^T = C^K
    untied = clone(est).fit(Xt, y)
    assert untied.answer_ids_ is None and untied.net_.module_.W is not None
    with pytest.warns(UserWarning, match="not vocabulary words"):
        clone(est).fit(Xt, np.where(y == y[0], "x,y", y), vocabulary=vec.vocabulary_)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(estimator):
    X, y = _story_data()
    est = clone(estimator).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est.predict_proba(X), restored.predict_proba(X))
    np.testing.assert_array_equal(est.attention(X), restored.attention(X))
    assert isinstance(restored.net_, _MemoryNet)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_same_seed_same_model_and_partial_fit(estimator):
    X, y = _story_data()
    first = clone(estimator).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, clone(estimator).fit(X, y).predict_proba(X))
    est = clone(estimator)
    est.partial_fit(X, y, classes=np.unique(y))
    est.partial_fit(X, y)
    assert len(est.history_) == 2


def test_bad_input_is_named():
    X, y = _story_data()
    with pytest.raises(ValueError, match="StoryVectorizer"):
        MemN2NClassifier(max_epochs=1).fit(X["story"].reshape(len(y), -1), y)
    with pytest.raises(ValueError, match="memory_size"):
        MemN2NClassifier(max_epochs=1, memory_size=2).fit(X, y)
    with pytest.raises(ValueError, match="linear_start"):
        MemN2NClassifier(max_epochs=1, linear_start=-1).fit(X, y)
    with pytest.raises(ValueError, match="supervision_weight"):
        MemNNClassifier(max_epochs=1, supervision_weight=-1).fit(X, y)
    with pytest.raises(ValueError, match="time_features must be True or False"):
        MemNNClassifier(max_epochs=1, time_features="yes").fit(X, y)
    with pytest.raises(ValueError, match="temporal must be True or False"):
        MemN2NClassifier(max_epochs=1, temporal=1).fit(X, y)
    with pytest.raises(ValueError, match="question_match must be True or False"):
        MemNNClassifier(max_epochs=1, question_match="yes").fit(X, y)
    with pytest.raises(ValueError, match="null_memory must be True or False"):
        MemN2NClassifier(max_epochs=1, null_memory=None).fit(X, y)


def test_n_init_keeps_the_restart_with_the_lowest_training_loss():
    X, y = _story_data()
    params = dict(embedding_dim=8, num_hops=1, max_epochs=2, linear_start=0, random_state=0)
    single = MemN2NClassifier(**params).fit(X, y)
    several = MemN2NClassifier(**params, n_init=3).fit(X, y)
    # The first restart is the single run; the kept one is never worse.
    assert several.history_[-1, "train_loss"] <= single.history_[-1, "train_loss"]
    with pytest.raises(ValueError, match="n_init"):
        MemN2NClassifier(**dict(params, n_init=0)).fit(X, y)


def test_n_init_compares_the_restarts_soon_after_linear_start(restart_epochs):
    X, y = _story_data()
    compared_at = restart_epochs(MemN2NClassifier)
    params = dict(embedding_dim=8, num_hops=1, max_epochs=9, linear_start=2, random_state=0)
    est = MemN2NClassifier(**params, n_init=3).fit(X, y)
    assert compared_at == [7, 7, 7]  # each seed through linear start and 5 epochs more
    assert est.history_[:, "linear_start"] == [True] * 2 + [False] * 7
    compared_at.clear()
    MemN2NClassifier(**dict(params, linear_start=0), n_init=2).fit(X, y)
    assert compared_at == [9, 9]  # no linear start: each seed trains to the end
