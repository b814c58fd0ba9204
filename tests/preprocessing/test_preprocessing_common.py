"""Checks shared by all transformers in ``skmem.preprocessing``.

``SlidingWindow`` takes numeric 2-D input and runs sklearn's full
``check_estimator`` suite. ``TextVectorizer`` and ``StoryVectorizer`` take
strings and DataFrames of lists, which that suite cannot generate; they
declare so in their tags and get the project's own contract checks here.
"""

import doctest
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import skmem.preprocessing
from skmem.preprocessing import SlidingWindow, StoryVectorizer, TextVectorizer
from skmem.preprocessing import _story, _text, _window

_ORDER_REASON = (
    "rows are time steps: a window mixes neighbouring rows, so shuffling or "
    "subsetting the rows changes the output by design"
)


def _expected_failed_checks(estimator):
    failures = {
        "check_fit1d": "1-D X is a univariate series, accepted on purpose",
    }
    if estimator.window > 1:
        failures["check_methods_sample_order_invariance"] = _ORDER_REASON
        failures["check_methods_subset_invariance"] = _ORDER_REASON
    return failures


@parametrize_with_checks(
    [SlidingWindow(window=3), SlidingWindow(window=1, fill=0.0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_sliding_window(estimator, check):
    check(estimator)


def _story_frame():
    return pd.DataFrame(
        {
            "story": [["Mary went to the garden.", "John went home."], ["Sandra left."]],
            "question": ["Where is Mary?", "Where is Sandra?"],
        }
    )


# Each estimator with two cheap settings and data it accepts.
CASES = [
    (TextVectorizer(), ["Where is Mary?", "Mary is here."]),
    (TextVectorizer(analyzer="char", max_len=3, truncation="pre"), ["abc", "abcd"]),
    (SlidingWindow(window=2), np.arange(8.0).reshape(4, 2)),
    (SlidingWindow(window=5, fill=0.0), np.arange(6.0)),
    (StoryVectorizer(), _story_frame()),
    (StoryVectorizer(memory_size=1, sentence_len=3, flatten=True), _story_frame()),
]
IDS = [f"{type(est).__name__}-{i}" for i, (est, _) in enumerate(CASES)]


def _as_arrays(out):
    return [out["story"], out["question"]] if hasattr(out, "keys") else [out]


@pytest.mark.parametrize("estimator, X", CASES, ids=IDS)
def test_contract(estimator, X):
    params = estimator.get_params()
    est = clone(estimator)
    assert est.fit(X) is est
    assert est.get_params() == params  # fit does not change hyperparameters
    out = est.transform(X)
    # fit_transform and a second fit give the same result (idempotent)
    for a, b in zip(_as_arrays(out), _as_arrays(clone(estimator).fit_transform(X))):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(_as_arrays(out), _as_arrays(est.fit(X).transform(X))):
        np.testing.assert_array_equal(a, b)
    # pickle round trip
    restored = pickle.loads(pickle.dumps(est))
    for a, b in zip(_as_arrays(out), _as_arrays(restored.transform(X))):
        np.testing.assert_array_equal(a, b)
    # dtypes torch can use directly
    expected = np.float32 if isinstance(est, SlidingWindow) else np.int64
    assert all(a.dtype == expected for a in _as_arrays(out))
    assert all(len(a) == len(X) for a in _as_arrays(out))


@pytest.mark.parametrize("estimator, X", CASES, ids=IDS)
def test_set_params_after_fit_then_refit(estimator, X):
    est = clone(estimator).fit(X)
    name = next(iter(est.get_params()))
    est.set_params(**{name: est.get_params()[name]})
    est.fit(X).transform(X)


def test_public_names():
    assert set(skmem.preprocessing.__all__) >= {
        "SlidingWindow",
        "StoryVectorizer",
        "TextVectorizer",
        "align_target",
        "make_windows",
        "tokenize",
    }
    for name in skmem.preprocessing.__all__:
        assert hasattr(skmem.preprocessing, name)


@pytest.mark.parametrize("module", [_text, _window, _story])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
