"""Behaviour of the sequence estimators beyond the common sklearn contract."""

import io
import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from skorch.callbacks import EarlyStopping, LRScheduler

from skmem import RNNClassifier, RNNRegressor, TransformerClassifier, TransformerRegressor

CHEAP = {
    RNNClassifier: dict(hidden_size=8, max_epochs=2),
    RNNRegressor: dict(hidden_size=8, max_epochs=2),
    TransformerClassifier: dict(d_model=8, num_heads=2, num_layers=1, max_epochs=2),
    TransformerRegressor: dict(d_model=8, num_heads=2, num_layers=1, max_epochs=2),
}
ESTIMATORS = list(CHEAP)
N, T = 40, 10


def _new(cls, **params):
    return cls(**{**CHEAP[cls], **params}, random_state=0)


def _y(est, n=N):
    return np.arange(n) % 2 if is_classifier(est) else np.linspace(-1, 1, n)


def _padded_tokens(n=N, T=T, max_len=6, seed=0):
    """Token ids 1..7 with true lengths 1..max_len, zero-padded to width T."""
    rng = np.random.RandomState(seed)
    X = rng.randint(1, 8, size=(n, T))
    lengths = rng.randint(1, max_len + 1, size=n)
    X[np.arange(T)[None, :] >= lengths[:, None]] = 0
    return X


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def cls(request):
    return request.param


# ---------------------------------------------------------------- padding invariance

PADDING_CASES = {
    "rnn": (RNNClassifier, dict(cell="rnn")),
    "lstm": (RNNClassifier, dict(cell="lstm")),
    "gru-bidirectional": (RNNClassifier, dict(cell="gru", bidirectional=True, num_layers=2,
                                              dropout=0.2)),
    "transformer-full": (TransformerClassifier, dict(attention="full")),
    "transformer-causal-last": (TransformerClassifier, dict(attention="causal",
                                                            pooling="last")),
    "transformer-local": (TransformerClassifier, dict(attention="local", window=2,
                                                      positional_encoding="learned")),
}


@pytest.mark.parametrize("case", list(PADDING_CASES))
def test_trailing_padding_never_changes_predict_proba(case):
    """Fit on width T; every row's prediction equals the module's output on
    the same tokens with the trailing all-padding columns cut away."""
    est_cls, params = PADDING_CASES[case]
    X = _padded_tokens()
    assert not X[:, 6:].any()  # the last four columns are pure padding
    y = (X == 7).any(axis=1)
    est = _new(est_cls, **params).fit(X, y)
    proba = est.predict_proba(X)
    module = est.net_.module_.eval()
    with torch.no_grad():
        for width in (6, 8):
            logits = module(torch.as_tensor(X[:, :width]))
            expected = torch.softmax(logits.double(), dim=-1).numpy()
            np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-6)
    # a row predicted alone, in a batch of long rows, or among short rows agrees
    short = np.argmin((X != 0).sum(axis=1))
    alone = est.predict_proba(X[short : short + 1])
    np.testing.assert_allclose(alone[0], proba[short], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", list(PADDING_CASES))
def test_prediction_does_not_depend_on_the_rest_of_the_batch(case):
    """A padded row gets the same prediction next to a full-length row (its
    padding then sits under real positions of the batch) as next to copies
    of itself and an all-padding row."""
    est_cls, params = PADDING_CASES[case]
    X = _padded_tokens()
    est = _new(est_cls, **params).fit(X, (X == 7).any(axis=1))
    row = np.array([[3, 5, 2, 0, 0, 0, 0, 0, 0, 0]])
    long = np.array([[3, 5, 2, 4, 4, 4, 4, 4, 4, 4]])
    batch_a = np.vstack([row, long])
    batch_b = np.vstack([row, row, np.zeros_like(row)])
    np.testing.assert_allclose(
        est.predict_proba(batch_a)[0], est.predict_proba(batch_b)[0], rtol=1e-5, atol=1e-6
    )


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize("est_cls", [RNNClassifier, TransformerClassifier])
def test_string_labels_and_probabilities(est_cls):
    X = _padded_tokens()
    y = np.array(["zebra", "apple", "mango"])[np.arange(N) % 3]
    est = _new(est_cls).fit(X, y)
    np.testing.assert_array_equal(est.classes_, ["apple", "mango", "zebra"])
    assert est.n_classes_ == 3
    proba = est.predict_proba(X)
    assert proba.shape == (N, 3) and proba.dtype == np.float64
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    pred = est.predict(X)
    assert set(pred) <= set(est.classes_)
    np.testing.assert_array_equal(pred, est.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize("est_cls", [RNNRegressor, TransformerRegressor])
def test_multi_output_and_single_output_regression(est_cls):
    X = np.random.RandomState(0).normal(size=(N, T)).astype(np.float32)
    Y = np.stack([X.sum(axis=1), X[:, 0], X[:, -1]], axis=1)
    multi = _new(est_cls).fit(X, Y)
    assert multi.n_outputs_ == 3 and multi.predict(X).shape == (N, 3)
    single = _new(est_cls).fit(X, Y[:, 0])
    assert single.n_outputs_ == 1 and single.predict(X).shape == (N,)
    column = _new(est_cls).fit(X, Y[:, :1])
    assert column.predict(X).shape == (N, 1)  # follows the shape of y


def test_three_d_float_input(cls):
    X = np.random.RandomState(0).normal(size=(N, T, 3)).astype(np.float32)
    est = _new(cls).fit(X, _y(_new(cls)))
    assert est.input_kind_ == "series" and est.n_channels_ == 3 and est.n_features_in_ == T
    assert est.predict(X[:5]).shape == (5,)
    if is_classifier(est):
        assert est.predict_proba(X[:5]).shape == (5, 2)


# ---------------------------------------------------------------- training records


def test_verbose_prints_epoch_table(cls, capsys):
    _new(cls, verbose=1).fit(_padded_tokens(), _y(_new(cls)))
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out
    assert len([line for line in out.splitlines() if line.strip().startswith(("1 ", "2 "))]) == 2


def test_verbose_zero_prints_nothing(cls, capsys):
    est = _new(cls).fit(_padded_tokens(), _y(_new(cls)))
    est.predict(_padded_tokens())
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_history_records_every_epoch(cls):
    est = _new(cls, max_epochs=3).fit(_padded_tokens(), _y(_new(cls)))
    assert len(est.history_) == 3
    assert est.history_[:, "epoch"] == [1, 2, 3]
    losses = est.history_[:, "train_loss"]
    assert all(np.isfinite(loss) for loss in losses)
    assert "valid_loss" not in est.history_[-1]


def test_validation_fraction_reports_valid_loss(cls):
    est = _new(cls, validation_fraction=0.2).fit(_padded_tokens(), _y(_new(cls)))
    valid = est.history_[:, "valid_loss"]
    assert len(valid) == 2 and all(np.isfinite(v) for v in valid)
    # 20% held out: 8 of 40 samples in the validation batches
    assert sum(b["valid_batch_size"] for b in est.history_[-1, "batches"]
               if "valid_batch_size" in b) == 8


# ---------------------------------------------------------------- callbacks


def test_early_stopping_callback_is_used_and_not_mutated(cls):
    # a relative threshold of 1 means no later epoch counts as an improvement
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=1.0, sink=lambda *a: None)
    state = dict(vars(stop))
    est = _new(cls, max_epochs=10, callbacks=[stop])
    est.fit(_padded_tokens(), _y(est))
    assert len(est.history_) == 2  # stopped after the first miss
    assert vars(stop) == state  # fit used a copy: misses_, dynamic_threshold_ untouched
    used = dict(est.net_.callbacks_)["EarlyStopping"]
    assert used is not stop and used.misses_ == 1
    assert est.get_params()["callbacks"][0] is stop


def test_lr_scheduler_callback_named_pair(cls):
    sched = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = _new(cls, max_epochs=3, lr=0.01, callbacks=[("halve", sched)])
    est.fit(_padded_tokens(), _y(est))
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01 * 0.5**3)
    assert "halve" in dict(est.net_.callbacks_)
    assert not hasattr(sched, "lr_scheduler_")
    # refitting starts again from the user's untouched schedule
    est.fit(_padded_tokens(), _y(est))
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01 * 0.5**3)


# ---------------------------------------------------------------- randomness


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_leaves_global_torch_rng_unchanged(cls, random_state):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    est = cls(**CHEAP[cls], dropout=0.2, random_state=random_state)
    est.fit(_padded_tokens(), _y(est))
    est.predict(_padded_tokens())
    assert torch.equal(torch.get_rng_state(), before)


def test_fit_with_int_seed_leaves_global_numpy_rng_unchanged(cls):
    before = np.random.get_state()[1].copy()
    est = _new(cls, validation_fraction=0.2)
    est.fit(_padded_tokens(), _y(est))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


# ---------------------------------------------------------------- learning


def test_rnn_classifier_learns_a_token_task():
    rng = np.random.RandomState(0)
    X = rng.randint(2, 10, size=(300, 6))  # does token 5 occur?
    y = np.where((X == 5).any(axis=1), "yes", "no")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    assert max(np.mean(y_test == "yes"), np.mean(y_test == "no")) < 0.65  # no easy majority
    est = RNNClassifier(cell="gru", hidden_size=16, max_epochs=10, lr=0.01, random_state=0)
    assert est.fit(X_train, y_train).score(X_test, y_test) > 0.9


def test_rnn_regressor_learns_a_sine_window_task():
    t = np.arange(420, dtype=np.float32)
    series = np.sin(0.3 * t)
    X = np.stack([series[i : i + 10] for i in range(400)])
    y = series[10:410]
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    est = RNNRegressor(hidden_size=16, max_epochs=15, lr=0.01, random_state=0)
    assert est.fit(X_train, y_train).score(X_test, y_test) > 0.9


# ---------------------------------------------------------------- partial_fit


@pytest.mark.parametrize("est_cls", [RNNClassifier, TransformerClassifier])
def test_partial_fit_with_classes_missing_from_first_batch(est_cls):
    X = _padded_tokens(60)
    y = np.array(["a", "b", "c"])[np.arange(60) % 3]
    first = y != "c"
    est = _new(est_cls)
    est.partial_fit(X[first], y[first], classes=["c", "a", "b"])
    np.testing.assert_array_equal(est.classes_, ["a", "b", "c"])
    assert est.predict_proba(X).shape == (60, 3)
    net = est.net_
    est.partial_fit(X[~first], y[~first])  # the missing class arrives later
    assert est.net_ is net and len(est.history_) == 2
    assert est.predict_proba(X).shape == (60, 3)
    assert set(est.predict(X)) <= {"a", "b", "c"}


# ---------------------------------------------------------------- device


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_fit_on_cuda_pickle_then_predict_on_cpu(cls):
    X = _padded_tokens()
    est = _new(cls, device="cuda").fit(X, _y(_new(cls)))
    assert next(est.net_.module_.parameters()).is_cuda
    expected = est.predict_proba(X) if is_classifier(est) else est.predict(X)
    data = pickle.dumps(est)
    # Loading where CUDA is absent maps the tensors to the CPU.
    with mock.patch("torch.cuda.is_available", return_value=False):
        with pytest.warns(Warning, match="no CUDA devices"):
            restored = pickle.loads(data)
    assert not next(restored.net_.module_.parameters()).is_cuda
    got = restored.predict_proba(X) if is_classifier(est) else restored.predict(X)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    # and a cpu torch.save of the module's weights loads anywhere
    buffer = io.BytesIO()
    torch.save(est.net_.module_.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, map_location="cpu")
    assert all(not v.is_cuda for v in state.values())
