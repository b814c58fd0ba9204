"""Tests for ``SlidingWindow``, ``make_windows``, ``align_target`` and ``DifferencedRegressor``."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmem.preprocessing import DifferencedRegressor, SlidingWindow, align_target, make_windows


def _periodic(n=210):
    """A series with period 7 that only a window of 7 or more predicts exactly."""
    return np.tile([0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 2.0], n // 7)


# -- SlidingWindow: values and shapes --------------------------------------------


def test_window_rows_end_at_t_oldest_first():
    series = np.arange(10.0)
    out = SlidingWindow(window=4).fit_transform(series)
    assert out.shape == (10, 4)
    assert out.dtype == np.float32
    for t in range(3, 10):
        np.testing.assert_array_equal(out[t], series[t - 3 : t + 1])
    # the last column is the current row: alignment with y is one-to-one
    np.testing.assert_array_equal(out[:, -1], series)


def test_edge_padding_repeats_first_row():
    out = SlidingWindow(window=3).fit_transform(np.array([5.0, 6.0, 7.0]))
    np.testing.assert_array_equal(out, [[5, 5, 5], [5, 5, 6], [5, 6, 7]])


def test_numeric_fill_value():
    out = SlidingWindow(window=3, fill=-1).fit_transform([5.0, 6.0])
    np.testing.assert_array_equal(out, [[-1, -1, 5], [-1, 5, 6]])


def test_window_larger_than_series_is_fine():
    out = SlidingWindow(window=5).fit_transform([1.0, 2.0])
    np.testing.assert_array_equal(out, [[1, 1, 1, 1, 1], [1, 1, 1, 1, 2]])


def test_window_one_is_identity():
    series = np.random.RandomState(0).rand(6)
    out = SlidingWindow(window=1).fit_transform(series)
    np.testing.assert_allclose(out, series[:, None].astype(np.float32))


def test_multivariate_gives_3d_windows():
    X = np.arange(12.0).reshape(6, 2)  # rows: time steps, columns: features
    out = SlidingWindow(window=3).fit_transform(X)
    assert out.shape == (6, 3, 2)
    assert out.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(out[4], X[2:5])
    np.testing.assert_array_equal(out[0], [X[0], X[0], X[0]])
    np.testing.assert_array_equal(out[1], [X[0], X[0], X[1]])


@pytest.mark.parametrize(
    "make_input",
    [
        lambda s: s,
        lambda s: s.tolist(),
        lambda s: s.reshape(-1, 1),
        lambda s: pd.Series(s, index=pd.date_range("2000", periods=len(s), freq="D")),
        lambda s: pd.DataFrame({"y": s}),
    ],
    ids=["1d", "list", "column", "series", "dataframe"],
)
def test_univariate_input_types_give_2d_output(make_input):
    series = np.arange(5.0)
    out = SlidingWindow(window=2).fit_transform(make_input(series))
    expected = np.array([[0, 0], [0, 1], [1, 2], [2, 3], [3, 4]], dtype=np.float32)
    np.testing.assert_array_equal(out, expected)


def test_dataframe_feature_names_checked():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    sw = SlidingWindow(window=2).fit(df)
    np.testing.assert_array_equal(sw.feature_names_in_, ["a", "b"])
    assert sw.n_features_in_ == 2
    with pytest.raises(ValueError, match="feature names"):
        sw.transform(df[["b", "a"]])


def test_transform_is_self_contained_per_call():
    sw = SlidingWindow(window=3).fit(np.arange(10.0))
    np.testing.assert_array_equal(sw.transform([7.0, 8.0]), [[7, 7, 7], [7, 7, 8]])


def test_input_not_modified():
    series = pd.Series([1.0, 2.0, 3.0])
    array = np.array([[1.0, 2.0], [3.0, 4.0]])
    SlidingWindow(window=2).fit_transform(series)
    SlidingWindow(window=2).fit_transform(array)
    pd.testing.assert_series_equal(series, pd.Series([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(array, [[1.0, 2.0], [3.0, 4.0]])


# -- SlidingWindow: errors --------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_raises_with_advice(bad):
    message = r"NaN or infinity at 1 row\(s\) \(positions 2\).*interpolate"
    with pytest.raises(ValueError, match=message):
        SlidingWindow(window=2).fit([1.0, 2.0, bad, 4.0])
    sw = SlidingWindow(window=2).fit(pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="impute"):
        sw.transform(pd.DataFrame({"x": [1.0, bad]}))


@pytest.mark.parametrize(
    "params", [{"window": 0}, {"window": 2.0}, {"fill": "zero"}, {"fill": None}]
)
def test_bad_params_raise(params):
    with pytest.raises((ValueError, TypeError)):
        SlidingWindow(**params).fit([1.0, 2.0])


def test_wrong_number_of_features_raises():
    sw = SlidingWindow(window=2).fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="Reshape your data"):
        sw.transform(np.ones(4))
    with pytest.raises(ValueError, match="features"):
        sw.transform(np.ones((4, 2)))
    with pytest.raises(ValueError, match="dim 3"):
        SlidingWindow().fit(np.ones((2, 2, 2)))


# -- SlidingWindow: sklearn integration ----------------------------------------------


def test_clone_and_pickle():
    sw = SlidingWindow(window=3, fill=0.5).fit(np.ones((5, 2)))
    assert clone(sw).get_params() == {"window": 3, "fill": 0.5}
    restored = pickle.loads(pickle.dumps(sw))
    X = np.random.RandomState(0).rand(5, 2)
    np.testing.assert_array_equal(restored.transform(X), sw.transform(X))


def test_window_alignment_with_y_in_pipeline():
    # y_t = x_t + x_{t-1}: exact for a linear model on windows of 2, once the
    # edge-padded first row is excluded (x_{-1} is taken as x_0 there).
    x = np.random.RandomState(0).rand(50)
    y = x + np.r_[x[0], x[:-1]]
    model = make_pipeline(SlidingWindow(window=2), LinearRegression()).fit(x, y)
    np.testing.assert_allclose(model.predict(x), y, atol=1e-5)
    np.testing.assert_allclose(model[-1].coef_, [1.0, 1.0], atol=1e-5)


def test_grid_search_with_time_series_split_tunes_window():
    X, y = align_target(_periodic())
    search = GridSearchCV(
        make_pipeline(SlidingWindow(), Ridge(alpha=1e-6)),
        {"slidingwindow__window": [2, 7]},
        cv=TimeSeriesSplit(n_splits=3),
    )
    search.fit(X, y)
    assert search.best_params_ == {"slidingwindow__window": 7}
    # Only the first 6 (padded) rows of each test fold of 52 can be wrong.
    assert search.best_score_ > 0.75
    assert search.cv_results_["mean_test_score"][0] < 0.5


def test_time_series_split_folds_exact_after_padded_rows():
    s = pd.Series(_periodic(), index=pd.date_range("2000-01-01", periods=210, freq="D"))
    X, y = align_target(s, horizon=1)
    model = make_pipeline(SlidingWindow(window=7), Ridge(alpha=1e-6))
    for train, test in TimeSeriesSplit(n_splits=4).split(X):
        model.fit(X.iloc[train], y[train])
        pred = model.predict(X.iloc[test])
        assert pred.shape == y[test].shape
        # Each transform call pads its own first window - 1 rows. After them
        # the windows are complete and the period-7 series is predicted well
        # (not exactly: the padded training rows pull the least-squares fit).
        error = np.abs(pred - y[test])
        assert error[6:].max() < 0.25
        assert error[:6].max() > 1.0
    scores = cross_val_score(model, X, y, cv=TimeSeriesSplit(4))
    assert scores.shape == (4,)


# -- make_windows ----------------------------------------------------------------------


def test_make_windows_univariate():
    X, y = make_windows(np.arange(10), window=3)
    assert X.shape == (7, 3) and y.shape == (7,)
    assert X.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(X[0], [0, 1, 2])
    np.testing.assert_array_equal(y, np.arange(3, 10))


def test_make_windows_multi_step_horizon():
    series = np.arange(10.0) ** 2
    X, y = make_windows(series, window=3, horizon=4)
    assert X.shape == (4, 3) and y.shape == (4, 4)
    for i in range(4):
        np.testing.assert_array_equal(X[i], series[i : i + 3])
        np.testing.assert_array_equal(y[i], series[i + 3 : i + 7])


def test_make_windows_step():
    X, y = make_windows(np.arange(10), window=2, step=3)
    np.testing.assert_array_equal(X, [[0, 1], [3, 4], [6, 7]])
    np.testing.assert_array_equal(y, [2, 5, 8])


def test_make_windows_multivariate_with_target():
    df = pd.DataFrame({"a": np.arange(6.0), "b": 10 * np.arange(6.0)})
    X, y = make_windows(df, window=2, horizon=2, target="b")
    assert X.shape == (3, 2, 2) and y.shape == (3, 2)
    np.testing.assert_array_equal(X[1], [[1, 10], [2, 20]])
    np.testing.assert_array_equal(y[1], [30, 40])
    X2, y2 = make_windows(df.to_numpy(), window=2, horizon=2, target=1)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    _, y3 = make_windows(df.to_numpy(), window=2, target=-1)
    np.testing.assert_array_equal(y3, [20, 30, 40, 50])


def test_make_windows_integer_column_names():
    df = pd.DataFrame({10: np.arange(5.0), 20: -np.arange(5.0)})
    _, y = make_windows(df, window=2, target=20)
    np.testing.assert_array_equal(y, [-2, -3, -4])


def test_make_windows_matches_sliding_window():
    series = np.random.RandomState(0).rand(30, 2)
    window, horizon = 5, 3
    X, y = make_windows(series, window, horizon=horizon, target=0)
    X_aligned, y_aligned = align_target(series, horizon=horizon, target=0)
    windows = SlidingWindow(window).fit_transform(X_aligned)
    # Rows with a full history are exactly the complete windows.
    np.testing.assert_array_equal(windows[window - 1 :], X)
    np.testing.assert_array_equal(y_aligned[window - 1 :], y)


def test_make_windows_errors():
    with pytest.raises(ValueError, match="choose what to forecast"):
        make_windows(np.ones((10, 2)), 3)
    with pytest.raises(ValueError, match="not a column"):
        make_windows(pd.DataFrame({"a": np.ones(5)}), 2, target="b")
    with pytest.raises(ValueError, match="column position"):
        make_windows(np.ones((10, 2)), 3, target=2)
    with pytest.raises(ValueError, match="fewer than window \\+ horizon = 6"):
        make_windows(np.arange(5.0), 3, horizon=3)
    with pytest.raises(ValueError, match="interpolate"):
        make_windows(pd.Series([1.0, None, 3.0, 4.0]), 2)
    with pytest.raises(ValueError, match="numeric"):
        make_windows(["a", "b", "c"], 1)
    with pytest.raises((ValueError, TypeError)):
        make_windows(np.arange(5.0), 0)
    with pytest.raises(ValueError, match="empty"):
        make_windows([], 1)


def test_make_windows_input_not_modified():
    s = pd.Series([1.0, 2.0, 3.0, 4.0])
    X, _ = make_windows(s, 2)
    X[:] = 0
    pd.testing.assert_series_equal(s, pd.Series([1.0, 2.0, 3.0, 4.0]))


# -- align_target ------------------------------------------------------------------------


def test_align_target_horizon_one_and_many():
    series = np.arange(6.0)
    X, y = align_target(series)
    np.testing.assert_array_equal(X, series[:-1])
    np.testing.assert_array_equal(y, series[1:])
    X, y = align_target(series, horizon=3)
    assert y.shape == (3, 3)
    np.testing.assert_array_equal(y, [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    np.testing.assert_array_equal(y[:, -1], series[3:])  # y_t = series[t + horizon]


def test_align_target_keeps_pandas_index_and_columns():
    df = pd.DataFrame(
        {"temp": np.arange(5.0), "rain": np.ones(5)},
        index=pd.date_range("2020", periods=5, freq="h"),
    )
    X, y = align_target(df, target="temp")
    assert isinstance(X, pd.DataFrame)
    pd.testing.assert_frame_equal(X, df.iloc[:4])
    np.testing.assert_array_equal(y, [1, 2, 3, 4])


def test_align_target_returns_copy_for_arrays():
    series = np.arange(4.0)
    X, _ = align_target(series)
    X[:] = -1
    np.testing.assert_array_equal(series, np.arange(4.0))


def test_align_target_errors():
    with pytest.raises(ValueError, match="horizon \\+ 1 = 3"):
        align_target(np.arange(2.0), horizon=2)
    with pytest.raises(ValueError, match="target="):
        align_target(np.ones((5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        align_target(np.array([1.0, np.nan, 2.0]))


# -- gaps -------------------------------------------------------------------------------


def test_nan_error_names_the_dates_and_how_to_fill_them():
    index = pd.date_range("1958-03-29", periods=8, freq="W-SAT")
    s = pd.Series([1.0, 2.0, np.nan, np.nan, 5.0, 6.0, 7.0, 8.0], index=index)
    message = r"2 row\(s\) \(positions 2, 3; index 1958-04-12, 1958-04-19\).*interpolate.*asfreq"
    with pytest.raises(ValueError, match=message):
        align_target(s)
    with pytest.raises(ValueError, match=message):
        SlidingWindow(window=2).fit(s.to_frame())
    years = pd.Series([1.0, np.nan, 3.0], index=[1990, 1991, 1992])
    with pytest.raises(ValueError, match=r"positions 1; index 1991\)"):
        make_windows(years, 1)
    X, y = align_target(s.interpolate())  # the advised fix
    assert np.isfinite(y).all() and y[1] == 3.0


def test_real_weekly_co2_gaps_are_refused_then_interpolated():
    co2 = pytest.importorskip("statsmodels.datasets.co2")
    weekly = co2.load_pandas().data["co2"]
    with pytest.raises(ValueError, match=r"59 row\(s\) \(positions 6, 9, .*index 1958-05-10, 1958-05-31"):
        align_target(weekly)
    X, y = align_target(weekly.interpolate(), horizon=4)
    windows = SlidingWindow(window=52).fit_transform(X)
    assert windows.shape == (len(weekly) - 4, 52) and np.isfinite(windows).all()


# -- exogenous features ------------------------------------------------------------------------


def test_exogenous_column_in_the_windows_is_used():
    # Sales follow the advertising budget of the week before, plus noise.
    rng = np.random.RandomState(0)
    ads = rng.rand(300)
    sales = np.r_[0.0, 3.0 * ads[:-1]] + 0.1 * rng.rand(300)
    df = pd.DataFrame({"sales": sales, "ads": ads})
    X, y = align_target(df, target="sales")
    model = make_pipeline(SlidingWindow(window=2), FunctionTransformer(_flatten), Ridge(alpha=1e-3))
    with_ads = cross_val_score(model, X, y, cv=TimeSeriesSplit(3)).mean()
    without = cross_val_score(model, X[["sales"]], y, cv=TimeSeriesSplit(3)).mean()
    assert with_ads > 0.95 > 0.2 > without


def _flatten(windows):
    return windows.reshape(len(windows), -1)


# -- DifferencedRegressor -----------------------------------------------------------------------


class _Spy(DummyRegressor):
    """Predicts the mean and remembers the X it was fitted on."""

    def fit(self, X, y):
        self.seen_ = X.copy()
        return super().fit(X, y)


def test_differencing_known_answer_trend_and_long_horizon():
    # s_t = 2t: every change is 2, so the mean change forecasts exactly.
    X, y = align_target(2.0 * np.arange(30), horizon=3)
    model = DifferencedRegressor(_Spy(), lag=1).fit(X, y)
    np.testing.assert_allclose(model.regressor_.constant_.ravel(), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(model.predict(X[-2:]), y[-2:])
    np.testing.assert_allclose(model.predict(2.0 * np.arange(40, 45)), 2.0 * (np.arange(41, 46)[:, None] + np.arange(3)))
    assert len(model.regressor_.seen_) == len(X) - 1  # the first row has no change


def test_seasonal_lag_beyond_the_horizon_sums_step_by_step():
    # A period-4 pattern on a trend: year-on-year (lag 4) changes are constant.
    s = np.arange(40.0) + np.tile([0.0, 5.0, -3.0, 1.0], 10)
    X, y = align_target(s, horizon=6)  # steps 5 and 6 build on forecasts 1 and 2
    model = DifferencedRegressor(DummyRegressor(), lag=4).fit(X, y)
    np.testing.assert_allclose(model.regressor_.constant_.ravel(), 4.0)
    np.testing.assert_allclose(model.predict(X)[4:], y[4:])


def test_lag_none_passes_through_and_grid_search_chooses():
    X, y = align_target(np.arange(80.0) ** 1.5, horizon=2)
    windows = make_pipeline(SlidingWindow(window=3), DecisionTreeRegressor(random_state=0))
    plain = DifferencedRegressor(windows, lag=None).fit(X[:60], y[:60])
    np.testing.assert_allclose(plain.predict(X), clone(windows).fit(X[:60], y[:60]).predict(X))
    search = GridSearchCV(DifferencedRegressor(windows), {"lag": [None, 1]},
                          cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error")
    assert search.fit(X, y).best_params_ == {"lag": 1}  # the trend outgrows the levels seen


def test_only_the_target_column_is_differenced():
    df = pd.DataFrame({"y": [1.0, 3.0, 6.0, 10.0, 15.0], "month": [1.0, 2.0, 3.0, 4.0, 5.0]})
    X, y = align_target(df, target="y")
    model = DifferencedRegressor(_Spy(), lag=1, target="y").fit(X, y)
    seen = model.regressor_.seen_
    assert list(seen.columns) == ["y", "month"]
    np.testing.assert_array_equal(seen["y"], [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(seen["month"], [2.0, 3.0, 4.0])
    pd.testing.assert_frame_equal(X, df.iloc[:4])  # the input is not modified
    assert clone(model).get_params()["target"] == "y"
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


@pytest.mark.parametrize("kwargs, X, y, match", [
    ({"lag": 0}, np.arange(5.0), np.arange(5.0), "lag"),
    ({"lag": 5}, np.arange(5.0), np.arange(5.0), "differencing at lag=5"),
    ({}, np.arange(5.0), np.arange(4.0), "inconsistent numbers of samples"),
    ({}, np.ones((5, 2)), np.arange(5.0), "choose what to forecast"),
    ({}, [1.0, np.nan, 2.0], np.arange(3.0), "interpolate"),
])
def test_differencing_errors(kwargs, X, y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DifferencedRegressor(DummyRegressor(), **kwargs).fit(X, y)


def _differencing_failures(estimator):
    failures = {}
    if estimator.lag is not None:  # without differencing, Ridge decides
        failures["check_fit1d"] = "1-D X is a univariate series, accepted on purpose"
        reason = ("rows are time steps: differencing mixes neighbouring rows, so "
                  "shuffling or subsetting them changes the predictions by design")
        failures["check_methods_sample_order_invariance"] = reason
        failures["check_methods_subset_invariance"] = reason
        failures["check_regressors_train"] = (
            "the check's samples are independent, not a series: their differences "
            "are noise, and a high training score cannot be expected")
    return failures


@parametrize_with_checks(
    [DifferencedRegressor(Ridge(), lag=1, target=0), DifferencedRegressor(Ridge(), lag=None)],
    expected_failed_checks=_differencing_failures,
)
def test_sklearn_compatible_differenced_regressor(estimator, check):
    check(estimator)
