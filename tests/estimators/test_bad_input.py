"""Bad input gets a ValueError, TypeError or NotFittedError naming the problem,
never an error from inside torch."""

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError

from skmem import RNNClassifier, RNNRegressor, TransformerClassifier, TransformerRegressor

CHEAP = {
    RNNClassifier: dict(hidden_size=4, max_epochs=1),
    RNNRegressor: dict(hidden_size=4, max_epochs=1),
    TransformerClassifier: dict(d_model=4, num_heads=1, num_layers=1, max_epochs=1),
    TransformerRegressor: dict(d_model=4, num_heads=1, num_layers=1, max_epochs=1),
}
ESTIMATORS = list(CHEAP)
N, T, F = 12, 5, 3


def _new(cls, **params):
    return cls(**{**CHEAP[cls], **params}, random_state=0)


def _y(est, n=N):
    return np.arange(n) % 2 if is_classifier(est) else np.linspace(-1, 1, n)


def _tokens(n=N):
    return np.random.RandomState(0).randint(1, 6, size=(n, T))  # ids 1..5


def _series(n=N, features=None):
    shape = (n, T) if features is None else (n, T, features)
    return np.random.RandomState(0).normal(size=shape)


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted_tokens(request):
    est = _new(request.param)
    return est.fit(_tokens(), _y(est))


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda c: c.__name__)
def fitted_series_3d(request):
    est = _new(request.param)
    return est.fit(_series(features=F), _y(est))


@pytest.fixture(params=ESTIMATORS, ids=lambda c: c.__name__)
def unfitted(request):
    return _new(request.param)


# ---------------------------------------------------------------- fit


@pytest.mark.parametrize("value, match", [(np.nan, "Input X contains NaN"),
                                          (np.inf, "Input X contains infinity")])
def test_non_finite_X(unfitted, value, match):
    X = _series()
    X[3, 2] = value
    with pytest.raises(ValueError, match=match):
        unfitted.fit(X, _y(unfitted))


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_nan_in_y(unfitted):
    y = _y(unfitted).astype(float)
    y[4] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        unfitted.fit(_series(), y)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(N), "Expected 2D array, got 1D array"),
        (np.zeros((N, T, F, 2)), "got 4 dimensions"),
        (np.zeros((N, T, 2), dtype=np.int64), "Token ids must be a 2-D array"),
    ],
    ids=["1d", "4d", "3d-tokens"],
)
def test_wrong_number_of_dimensions(unfitted, X, match):
    with pytest.raises(ValueError, match=match):
        unfitted.fit(X, _y(unfitted))


@pytest.mark.parametrize(
    "shape, match",
    [((0, T), "Found array with 0 sample"), ((N, 0), "Found array with 0 feature")],
    ids=["no-samples", "no-steps"],
)
def test_empty_X(unfitted, shape, match):
    y = _y(unfitted, shape[0])
    with pytest.raises(ValueError, match=match):
        unfitted.fit(np.zeros(shape), y)


def test_X_and_y_of_different_lengths(unfitted):
    with pytest.raises(ValueError, match="inconsistent numbers of samples: 12 and 7"):
        unfitted.fit(_tokens(), _y(unfitted)[:7])


def test_y_none(unfitted):
    with pytest.raises(ValueError, match="requires y to be passed"):
        unfitted.fit(_tokens(), None)


def test_negative_token_ids_at_fit(unfitted):
    X = _tokens()
    X[0, 0] = -1
    with pytest.raises(ValueError, match="Token ids must be non-negative"):
        unfitted.fit(X, _y(unfitted))


@pytest.mark.parametrize("X", [{"x": _tokens()}, {}], ids=["dict", "empty-dict"])
def test_dict_input(unfitted, X):
    with pytest.raises(ValueError, match="takes an array, not a dict"):
        unfitted.fit(X, _y(unfitted))


# ---------------------------------------------------------------- hyperparameters

COMMON_BAD = [
    ({"max_epochs": 0}, "max_epochs must be a positive integer, got 0"),
    ({"max_epochs": 2.5}, "max_epochs must be a positive integer"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"lr": -1}, "lr must be a positive number, got -1"),
    ({"lr": "fast"}, "lr must be a positive number"),
    ({"optimizer": "nope"}, "optimizer must be one of .* got 'nope'"),
    ({"validation_fraction": 2}, r"validation_fraction must be None or in \(0, 1\), got 2"),
    ({"validation_fraction": 0.0}, "validation_fraction must be None or in"),
]
RNN_BAD = [
    ({"cell": "foo"}, "cell must be one of .* got 'foo'"),
    ({"hidden_size": 0}, "hidden_size and num_layers must be positive"),
    ({"dropout": 1.5}, r"dropout must be in \[0, 1\)"),
]
TRANSFORMER_BAD = [
    ({"attention": "local"}, "attention='local' needs a positive window"),
    ({"attention": "foo"}, "attention must be one of"),
    ({"d_model": 10, "num_heads": 3}, r"d_model \(10\) must be divisible by num_heads \(3\)"),
    ({"positional_encoding": "rotary"}, "positional_encoding must be one of"),
    ({"pooling": "max"}, "pooling must be one of"),
]


def _bad_cases():
    for cls in ESTIMATORS:
        specific = RNN_BAD if cls.__name__.startswith("RNN") else TRANSFORMER_BAD
        for params, match in COMMON_BAD + specific:
            yield pytest.param(cls, params, match, id=f"{cls.__name__}-{params}")


@pytest.mark.parametrize("cls, params, match", list(_bad_cases()))
def test_invalid_hyperparameters_raise_at_fit(cls, params, match):
    est = _new(cls, **params)  # __init__ only stores, never validates
    assert est.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(ValueError, match=match):
        est.fit(_tokens(), _y(est))


@pytest.mark.parametrize("lr", [float("nan"), float("inf")], ids=["nan", "inf"])
@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_non_finite_learning_rate(cls, lr):
    est = _new(cls, lr=lr)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        est.fit(_tokens(), _y(est))


# ---------------------------------------------------------------- predict


def test_predict_before_fit(unfitted):
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        unfitted.predict(_tokens())
    if is_classifier(unfitted):
        with pytest.raises(NotFittedError):
            unfitted.predict_proba(_tokens())


def test_different_number_of_steps_at_predict(fitted_tokens):
    with pytest.raises(ValueError, match=f"X has {T + 2} features, but .* expecting {T}"):
        fitted_tokens.predict(np.ones((3, T + 2), dtype=int))


def test_different_features_per_step_at_predict(fitted_series_3d):
    with pytest.raises(ValueError, match=f"X has 2 features per step, .* expecting {F}"):
        fitted_series_3d.predict(_series(3, features=2))
    with pytest.raises(ValueError, match=f"X has 1 features per step, .* expecting {F}"):
        fitted_series_3d.predict(_series(3))


def test_non_finite_X_at_predict(fitted_series_3d):
    X = _series(3, features=F)
    X[1, 1, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fitted_series_3d.predict(X)


def test_unknown_token_ids_map_to_unknown(fitted_tokens):
    est = fitted_tokens
    assert est.vocab_size_ == 6  # ids 0..5 seen in fit
    X = _tokens(4)
    X_unknown = X.copy()
    X_unknown[:, 1] = [6, 50, 10**6, 7]
    X_one = X.copy()
    X_one[:, 1] = 1  # the unknown id
    pred = est.predict(X_unknown)
    assert pred.shape == (4,)
    np.testing.assert_array_equal(pred, est.predict(X_one))
    if is_classifier(est):
        np.testing.assert_allclose(est.predict_proba(X_unknown), est.predict_proba(X_one))


def test_negative_token_ids_at_predict(fitted_tokens):
    X = _tokens(3)
    X[2, 4] = -3
    with pytest.raises(ValueError, match="Token ids must be non-negative"):
        fitted_tokens.predict(X)


def test_floats_at_predict_when_fitted_on_token_ids(fitted_tokens):
    with pytest.raises(ValueError, match="fitted on token ids but got floats"):
        fitted_tokens.predict(_tokens(3).astype(float))


def test_token_ids_at_predict_when_fitted_on_floats(fitted_series_3d):
    with pytest.raises(ValueError, match="fitted on float series but got token ids"):
        fitted_series_3d.predict(_tokens(3))


def test_dict_at_predict(fitted_tokens):
    with pytest.raises(ValueError, match="takes an array, not a dict"):
        fitted_tokens.predict({"x": _tokens(3)})


def test_empty_X_at_predict(fitted_tokens):
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        fitted_tokens.predict(np.zeros((0, T), dtype=int))


def test_unseen_class_in_later_partial_fit():
    est = _new(RNNClassifier)
    est.partial_fit(_tokens(), np.arange(N) % 2)
    with pytest.raises(ValueError, match=r"labels not seen in the first fit: \[2\]"):
        est.partial_fit(_tokens(), np.arange(N) % 3)


def test_different_number_of_outputs_in_later_partial_fit():
    est = _new(RNNRegressor)
    est.partial_fit(_series(), np.zeros((N, 2)))
    with pytest.raises(ValueError, match="y has 3 outputs, but RNNRegressor was fitted with 2"):
        est.partial_fit(_series(), np.zeros((N, 3)))


def test_errors_leave_a_fitted_estimator_usable(fitted_tokens):
    est = clone(fitted_tokens)
    with pytest.raises(ValueError):
        est.fit(_tokens(), _y(est)[:3])
    assert not hasattr(est, "net_")
    before = fitted_tokens.predict(_tokens(3))
    with pytest.raises(ValueError):
        fitted_tokens.predict(_tokens(3).astype(float))
    np.testing.assert_array_equal(fitted_tokens.predict(_tokens(3)), before)
