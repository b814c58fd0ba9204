"""NTM estimators beyond the common contract: sequence targets with NaN where
no target is due, batches cut to the steps they need, bucketing by length,
bad input."""

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score

from skmem import NTMClassifier, NTMRegressor
from skmem.datasets import make_copy
from skmem.estimators._ntm import MaskedLoss, _LengthBucketIterator, _TrimmedDataset

TINY = dict(hidden_size=16, memory_slots=8, memory_dim=6, optimizer="adam", lr=0.01,
            max_epochs=1, random_state=0)


@pytest.fixture(scope="module")
def copy_data():
    return make_copy(40, seq_len=(1, 4), n_bits=3, random_state=0)


@pytest.fixture(scope="module")
def fitted(copy_data):
    return NTMRegressor(loss="bce", **TINY).fit(*copy_data)


# ---------------------------------------------------------------- sequence targets


def test_sequence_targets_predict_every_step(fitted, copy_data):
    X, y = copy_data
    proba = fitted.predict(X)
    assert proba.shape == y.shape and fitted.target_ndim_ == 3 and fitted.n_outputs_ == 3
    assert ((proba >= 0) & (proba <= 1)).all()
    assert not hasattr(fitted, "n_features_in_")  # any length is read
    longer, _ = make_copy(5, seq_len=9, n_bits=3, random_state=1)
    assert fitted.predict(longer).shape == (5, 19, 3)


def test_score_is_r2_over_due_entries(fitted, copy_data):
    X, y = copy_data
    due = ~np.isnan(y)
    pred = fitted.predict(X)
    assert fitted.score(X, y) == pytest.approx(r2_score(y[due], pred[due]))
    weights = np.arange(len(X)) % 3
    expected = r2_score(y[due], pred[due],
                        sample_weight=np.broadcast_to(weights[:, None, None], y.shape)[due])
    assert fitted.score(X, y, sample_weight=weights) == pytest.approx(expected)


def test_learns_to_copy_short_sequences():
    X, y = make_copy(512, seq_len=(1, 2), n_bits=4, random_state=0)
    X_test, y_test = make_copy(200, seq_len=(1, 2), n_bits=4, random_state=1)
    ntm = NTMRegressor(loss="bce", **{**TINY, "hidden_size": 32, "max_epochs": 8}).fit(X, y)
    due = ~np.isnan(y_test)
    errors = (ntm.predict(X_test)[due] > 0.5) != y_test[due]
    assert errors.mean() < 0.05


def test_mse_sequence_targets_and_partial_fit_on_other_lengths(copy_data):
    X, y = copy_data
    ntm = NTMRegressor(**TINY).partial_fit(X, y)
    X2, y2 = make_copy(20, seq_len=7, n_bits=3, random_state=2)  # 15 steps, not 9
    ntm.partial_fit(X2, y2)
    assert len(ntm.history_) == 2
    assert ntm.predict(X2).shape == y2.shape


def test_token_ids_with_sequence_targets():
    rng = np.random.RandomState(0)
    X = rng.randint(1, 5, size=(30, 6))
    y = np.full((30, 6, 1), np.nan)
    y[:, 1:, 0] = X[:, :-1] == X[:, 1:]  # does this token repeat the last one?
    ntm = NTMRegressor(loss="bce", **TINY).fit(X, y)
    assert ntm.predict(X).shape == (30, 6, 1)


def test_one_target_per_sequence():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 5)).astype(np.float32)
    reg = NTMRegressor(**TINY).fit(X, X.sum(axis=1))
    assert reg.predict(X).shape == (30,) and reg.n_features_in_ == 5
    assert NTMRegressor(**TINY).fit(X, X[:, :2]).predict(X).shape == (30, 2)


def test_weightings_are_distributions_over_slots(fitted, copy_data):
    X, _ = copy_data
    read, write = fitted.weightings(X[:3])
    assert read.shape == (3, X.shape[1], 1, 8) and write.shape == (3, X.shape[1], 1, 8)
    np.testing.assert_allclose(read.sum(-1), 1, rtol=1e-5)
    np.testing.assert_allclose(write.sum(-1), 1, rtol=1e-5)


def test_classifier_ignores_trailing_padding():
    rng = np.random.RandomState(0)
    X = rng.randint(1, 6, size=(40, 5))
    X[::2, 3:] = 0
    clf = NTMClassifier(**TINY).fit(X, X[:, 0] > 2)
    padded = np.hstack([X, np.zeros((40, 3), dtype=X.dtype)])
    module = clf.net_.module_
    with torch.no_grad():
        wide = torch.softmax(module(torch.as_tensor(padded)).double(), -1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), wide, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- masking and cutting


def test_masked_loss_ignores_nan_entries():
    pred = torch.randn(4, 5, 3, requires_grad=True)
    target = torch.rand(4, 5, 3).round()
    target[:, :2] = float("nan")
    target[1, 4, 0] = float("nan")
    due = ~torch.isnan(target)
    for loss, manual in [
        ("mse", ((pred - target) ** 2)[due].mean()),
        ("bce", torch.nn.functional.binary_cross_entropy_with_logits(pred[due], target[due])),
    ]:
        value = MaskedLoss(loss)(pred, target)
        torch.testing.assert_close(value, manual)
        (grad,) = torch.autograd.grad(value, pred)
        assert (grad[~due] == 0).all() and torch.isfinite(grad).all()


def test_batches_stop_at_their_last_target(copy_data):
    X, y = map(torch.as_tensor, copy_data)
    dataset = _TrimmedDataset(X, y, per_step=True)
    needed = 2 * (~torch.isnan(y).all(2)).sum(1) + 1  # 2L + 1 steps, L targets
    torch.testing.assert_close(dataset.lengths, needed)
    idx = torch.tensor([0, 5, 7])
    Xb, yb = dataset.take(idx)
    assert Xb.shape[1] == yb.shape[1] == int(needed[idx].max())
    # without targets (prediction) every step is kept
    assert _TrimmedDataset(X, per_step=True).take(idx)[0].shape[1] == X.shape[1]


def test_training_never_computes_steps_past_the_batch_targets(copy_data):
    X, y = copy_data
    widths = []
    ntm = NTMRegressor(**{**TINY, "batch_size": 4}).fit(X, y)
    hook = ntm.net_.module_.register_forward_pre_hook(lambda m, a: widths.append(a[0].shape[1]))
    ntm.set_params(warm_start=True).fit(X, y)
    hook.remove()
    needed = 2 * (~np.isnan(y).all(2)).sum(1) + 1
    assert max(widths) == needed.max() and sum(widths) < len(widths) * X.shape[1]
    # batches of similar lengths: the bucketed widths add up to about the mean length
    assert sum(widths) * 4 < 1.3 * needed.sum() + 4 * X.shape[1]


def test_bucket_iterator_visits_every_sample_once():
    lengths = torch.randint(1, 30, (103,))
    X = torch.zeros(103, 30)
    X[torch.arange(30) < lengths[:, None]] = 1.0
    y = torch.where(X.bool(), 1.0, float("nan")).unsqueeze(2)
    dataset = _TrimmedDataset(X, y, per_step=True)
    batches = list(_LengthBucketIterator(dataset, batch_size=8, shuffle=True))
    assert sum(len(b[0]) for b in batches) == 103
    seen = torch.cat([b[1][:, :, 0].nansum(1) for b in batches]).sort().values
    torch.testing.assert_close(seen, lengths.float().sort().values)
    spread = [int(n.max() - n.min()) for n in (b[1][:, :, 0].nansum(1) for b in batches)]
    assert max(spread) <= 10  # sorted within pools: neighbours in length


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("change, match", [
    (lambda X, y: (X, y[:, :-1]), "y has 8 steps but X has 9"),
    (lambda X, y: (X, np.full_like(y, np.nan)), "Every entry of y is NaN"),
    (lambda X, y: (X, np.where(np.isnan(y), np.nan, np.inf)), "infinity"),
    (lambda X, y: (X, y * 2), r'loss="bce" needs targets in \[0, 1\]'),
])
def test_bad_sequence_targets(copy_data, change, match):
    X, y = change(*copy_data)
    with pytest.raises(ValueError, match=match):
        NTMRegressor(loss="bce", **TINY).fit(X, y)


def test_target_kind_cannot_change_when_training_on(fitted, copy_data):
    X, y = copy_data
    with pytest.raises(ValueError, match="fitted on sequence targets"):
        fitted.partial_fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="2 outputs per step, but NTMRegressor was fitted with 3"):
        fitted.partial_fit(X, np.zeros(y.shape[:2] + (2,)))
    reg = NTMRegressor(**TINY).fit(X[:, :, 0], np.zeros(len(X)))
    with pytest.raises(ValueError, match="fitted on one target per sequence"):
        reg.partial_fit(X[:, :, 0], y[:, :, :1])


def test_bad_loss_and_classifier_sequence_targets(copy_data):
    X, y = copy_data
    with pytest.raises(ValueError, match="loss must be one of"):
        NTMRegressor(loss="hinge", **TINY).fit(X, y)
    with pytest.raises(ValueError):
        NTMClassifier(**TINY).fit(X, y)


@pytest.mark.parametrize("optimizer, params, expected", [
    ("rmsprop", None, {"momentum": 0.9, "alpha": 0.95}),
    (torch.optim.RMSprop, {"momentum": 0.5}, {"momentum": 0.5, "alpha": 0.99}),
    ("sgd", {"momentum": 0.8, "nesterov": True}, {"momentum": 0.8, "nesterov": True}),
])
def test_optimizer_params_reach_the_optimizer(copy_data, optimizer, params, expected):
    ntm = NTMRegressor(**{**TINY, "optimizer": optimizer, "optimizer_params": params})
    group = ntm.fit(*copy_data).net_.optimizer_.param_groups[0]
    assert {key: group[key] for key in expected} == expected


def test_optimizer_params_must_be_a_dict(copy_data):
    with pytest.raises(ValueError, match="optimizer_params must be a dict"):
        NTMRegressor(**{**TINY, "optimizer_params": [0.9]}).fit(*copy_data)
