"""Sliding windows over time series: ``SlidingWindow``, ``make_windows``, ``align_target``.

Two ways to turn a series into model input:

- :class:`SlidingWindow` is a transformer that keeps one output row per input
  row (row ``t`` becomes the window of rows ``t - window + 1 .. t``), so ``y``
  stays aligned and it can sit in a ``Pipeline`` under ``GridSearchCV`` with
  ``TimeSeriesSplit``. Pair it with :func:`align_target`, which builds
  ``y_t = series[t + 1 .. t + horizon]`` and drops the rows that have no future.
- :func:`make_windows` builds ready-made supervised ``(X, y)`` pairs with only
  complete windows, for use outside a pipeline.

:class:`DifferencedRegressor` wraps such a pipeline to forecast changes
(``lag=1``) or year-on-year changes (a seasonal ``lag``) instead of levels,
and turns its forecasts back into levels: the usual cure for trending
series, whose future levels lie outside anything seen in training.

Gaps: windows need a complete, regularly spaced series. NaN raises a
``ValueError`` that names the rows; impute first (``series.interpolate()``),
and turn missing time stamps into NaN rows with ``series.asfreq(freq)``.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted, check_scalar, validate_data

__all__ = ["DifferencedRegressor", "SlidingWindow", "align_target", "make_windows"]


def _shown(items):
    items = [str(item) for item in items]
    return ", ".join(items[:5]) + (", ..." if len(items) > 5 else "")


def _check_finite(values, name, index=None):
    """Raise a ValueError that names the bad rows and says how to fill them.

    ``index`` is the pandas index of the input, if any: its labels (dates,
    years) are named beside the positions.
    """
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))
        where = f"positions {_shown(rows)}"
        if index is not None and not isinstance(index, pd.RangeIndex):
            labels = index[rows[:5]]
            if isinstance(index, pd.DatetimeIndex):
                labels = labels.strftime("%Y-%m-%d")
            where += f"; index {_shown(labels)}" + (", ..." if len(rows) > 5 else "")
        raise ValueError(
            f"{name} contains NaN or infinity at {len(rows)} row(s) ({where}). "
            "Windows need a complete series: impute missing values first, e.g. "
            "with pandas `series.interpolate()` (or `.ffill()`), or "
            "sklearn.impute.SimpleImputer. Missing time stamps "
            "are gaps too: `series.asfreq(freq)` makes them NaN rows to impute."
        )


def _as_series_array(series, name="series"):
    """Return ``series`` as a 2-D float64 array (n_timesteps, n_features)."""
    values = series.to_numpy() if hasattr(series, "to_numpy") else series
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n_timesteps,) or 2-D (n_timesteps, n_features), "
            f"got shape {values.shape}."
        )
    if values.shape[0] == 0:
        raise ValueError(f"{name} is empty.")
    _check_finite(values, name, getattr(series, "index", None) if hasattr(series, "iloc") else None)
    return values


def _target_column(series, n_features, target):
    """Position of the target column, from ``None``, an int, or a column name."""
    if target is None:
        if n_features != 1:
            raise ValueError(
                f"series has {n_features} columns: pass target= (a column "
                "position, or a column name for a DataFrame) to choose what "
                "to forecast."
            )
        return 0
    columns = getattr(series, "columns", None)
    if columns is not None and not isinstance(target, (Integral, np.integer)):
        if target not in columns:
            raise ValueError(f"target {target!r} is not a column of series: {list(columns)}.")
        return int(columns.get_loc(target))
    if columns is not None and target in columns:  # integer column names
        return int(columns.get_loc(target))
    if not isinstance(target, (Integral, np.integer)) or not -n_features <= target < n_features:
        raise ValueError(
            f"target must be a column position in [0, {n_features}) or a "
            f"DataFrame column name, got {target!r}."
        )
    return int(target) % n_features


def _future(values, horizon):
    """Row ``t`` holds ``values[t + 1 .. t + horizon]``; ``len(values) - horizon`` rows."""
    n = len(values) - horizon
    return np.stack([values[k : k + n] for k in range(1, horizon + 1)], axis=1)


class SlidingWindow(TransformerMixin, BaseEstimator):
    """Replace each time step by the window of the most recent time steps.

    Each input row is one time step, oldest first. Output row ``t`` is the
    window of rows ``t - window + 1, ..., t`` (row ``t`` included), oldest
    first. There is exactly one output row per input row, so the output stays
    aligned with ``y`` and the transformer works inside ``Pipeline``,
    ``GridSearchCV`` and ``TimeSeriesSplit``; ``window`` is a tunable
    hyperparameter (``slidingwindow__window``).

    Parameters
    ----------
    window : int, default=10
        Number of time steps in each window.
    fill : "edge" or float, default="edge"
        What stands in for the missing history of the first ``window - 1``
        rows: ``"edge"`` repeats the first row passed; a number fills with
        that value (e.g. ``0.0``).

    Attributes
    ----------
    n_features_in_ : int
        Number of features (columns) seen during ``fit``; 1 for 1-D input.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during ``fit``, when ``X`` was a DataFrame with
        string column names.

    See Also
    --------
    make_windows : Supervised (X, y) pairs from complete windows only.
    align_target : Targets ``y_t = series[t + 1 .. t + horizon]`` aligned
        with the rows this transformer outputs.

    Notes
    -----
    Output is float32 of shape ``(n_timesteps, window)`` when there is one
    feature (1-D input or a single column), else
    ``(n_timesteps, window, n_features)``: the ``(batch, time)`` and
    ``(batch, time, features)`` inputs of the skmem sequence models.

    Each call to ``transform`` is self-contained: the first ``window - 1``
    rows of whatever it receives are padded, nothing from ``fit`` is carried
    over. In cross-validation the first ``window - 1`` rows of each training
    and test fold therefore see padded history (no leakage between folds).
    These rows count in fit and score, which slightly favours small windows
    when folds are short: keep folds much longer than the window (e.g.
    ``TimeSeriesSplit(test_size=...)``), or evaluate on complete windows
    only with :func:`make_windows`. To forecast right after the training
    data with full history, transform the concatenated series and keep the
    last rows.

    Rows are time steps, so shuffling or subsampling rows before the
    transform changes the result: use ``TimeSeriesSplit`` (or
    ``KFold(shuffle=False)``), never a shuffling splitter.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem.preprocessing import SlidingWindow, align_target
    >>> series = np.arange(6.0)
    >>> SlidingWindow(window=3).fit_transform(series)
    array([[0., 0., 0.],
           [0., 0., 1.],
           [0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.],
           [3., 4., 5.]], dtype=float32)

    Forecast the next value: drop the last row, which has no future.

    >>> X, y = align_target(series, horizon=1)
    >>> SlidingWindow(window=2, fill=-1).fit_transform(X)
    array([[-1.,  0.],
           [ 0.,  1.],
           [ 1.,  2.],
           [ 2.,  3.],
           [ 3.,  4.]], dtype=float32)
    >>> y
    array([1., 2., 3., 4., 5.], dtype=float32)

    In a pipeline searched over time-ordered folds:

    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    >>> from sklearn.pipeline import make_pipeline
    >>> weekly = np.tile([0.0, 1.0, 0.0, 0.0, 3.0, 0.0, 2.0], 30)
    >>> X, y = align_target(weekly)
    >>> search = GridSearchCV(make_pipeline(SlidingWindow(), Ridge()),
    ...                       {"slidingwindow__window": [2, 8]},
    ...                       cv=TimeSeriesSplit(n_splits=3))
    >>> search.fit(X, y).best_params_
    {'slidingwindow__window': 8}
    """

    def __init__(self, window=10, *, fill="edge"):
        self.window = window
        self.fill = fill

    def _check_params(self):
        check_scalar(self.window, "window", Integral, min_val=1)
        if isinstance(self.fill, str):
            if self.fill != "edge":
                raise ValueError(f'fill must be "edge" or a number, got {self.fill!r}.')
        elif not isinstance(self.fill, (Real, np.number)) or isinstance(self.fill, bool):
            raise ValueError(f'fill must be "edge" or a number, got {self.fill!r}.')

    def _validate(self, X, *, reset):
        index = X.index if hasattr(X, "iloc") else None
        ndim = getattr(X, "ndim", None)
        if ndim is None:  # list or other array-like
            ndim = np.asarray(X).ndim
        if ndim == 1:  # a univariate series: one feature
            if not reset and self.n_features_in_ != 1:
                raise ValueError(
                    f"X is 1-D (one feature), but SlidingWindow was fitted with "
                    f"{self.n_features_in_} features. Reshape your data to "
                    "(n_timesteps, n_features)."
                )
            X = np.asarray(X).reshape(-1, 1)
        X = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite=False)
        _check_finite(X, "X", index)
        return X

    def fit(self, X, y=None):
        """Check parameters and record the number of features.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
            The series, one row per time step, oldest first.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : SlidingWindow
            The fitted transformer.
        """
        self._check_params()
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Return, for each row, the window of rows ending at it.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
            The series, one row per time step, oldest first.

        Returns
        -------
        windows : ndarray of float32
            Shape ``(n_timesteps, window)`` for one feature, else
            ``(n_timesteps, window, n_features)``; row ``t`` holds rows
            ``t - window + 1 .. t`` of ``X``, oldest first.
        """
        check_is_fitted(self)
        self._check_params()
        X = self._validate(X, reset=False)
        n, n_features = X.shape
        pad = self.window - 1
        if self.fill == "edge":
            padded = np.concatenate([np.repeat(X[:1], pad, axis=0), X])
        else:
            padded = np.concatenate([np.full((pad, n_features), float(self.fill)), X])
        # windows[t, k] = padded[t + k] = X[t - pad + k]: (n, window, n_features)
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.window, axis=0)
        windows = windows.transpose(0, 2, 1).astype(np.float32)  # copy, C order
        if n_features == 1:
            windows = windows[:, :, 0]
        return np.ascontiguousarray(windows)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # 1-D input (a univariate series) is accepted too, but sklearn's
        # one_d_array tag means "1-D only" to its checks, so it stays False.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def make_windows(series, window, *, horizon=1, target=None, step=1):
    """Build supervised (X, y) pairs for forecasting from one series.

    Sample ``i`` takes the ``window`` consecutive rows starting at
    ``i * step`` as input and the ``horizon`` rows that follow as target.
    Only complete windows are produced, so there is no padding.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        The series, oldest first: a list, ndarray, pandas Series or DataFrame.
        Must not contain NaN (impute first, e.g. ``series.interpolate()``).
    window : int
        Number of past time steps in each input window.
    horizon : int, default=1
        Number of future values to predict. ``1`` gives a 1-D ``y`` (the next
        value); more gives a 2-D ``y`` whose column ``j`` is the value
        ``j + 1`` steps ahead (direct multi-step forecasting).
    target : int, str or None, default=None
        Column forecast when ``series`` has several features: a position, or
        a column name for a DataFrame. The input windows keep all columns.
        ``None`` is only allowed for a single feature.
    step : int, default=1
        Stride between the starts of consecutive windows.

    Returns
    -------
    X : ndarray of float32
        Shape ``(n_samples, window)`` for one feature, else
        ``(n_samples, window, n_features)``.
    y : ndarray of float32
        Shape ``(n_samples,)`` if ``horizon == 1``, else
        ``(n_samples, horizon)``.

    See Also
    --------
    SlidingWindow : The same windows as a transformer, one per input row.
    align_target : Targets aligned with the rows of ``SlidingWindow``.

    Notes
    -----
    ``n_samples = (n_timesteps - window - horizon) // step + 1``. The target
    of sample ``i`` starts at position ``i * step + window`` of ``series``
    (use it to recover dates from a pandas index). With ``step=1``,
    ``X`` equals rows ``window - 1 .. n_timesteps - horizon - 1`` of
    ``SlidingWindow(window).fit_transform(series)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmem.preprocessing import make_windows
    >>> X, y = make_windows(np.arange(6), window=3)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]], dtype=float32)
    >>> y
    array([3., 4., 5.], dtype=float32)
    >>> X, y = make_windows(np.arange(6), window=2, horizon=3)
    >>> y
    array([[2., 3., 4.],
           [3., 4., 5.]], dtype=float32)

    Several features, forecasting one of them:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"temp": [20., 21., 22., 23.], "rain": [0., 1., 0., 1.]})
    >>> X, y = make_windows(df, window=2, target="temp")
    >>> X.shape, y
    ((2, 2, 2), array([22., 23.], dtype=float32))
    """
    check_scalar(window, "window", Integral, min_val=1)
    check_scalar(horizon, "horizon", Integral, min_val=1)
    check_scalar(step, "step", Integral, min_val=1)
    values = _as_series_array(series)
    n, n_features = values.shape
    col = _target_column(series, n_features, target)
    if n < window + horizon:
        raise ValueError(
            f"series has {n} time steps, fewer than window + horizon = "
            f"{window + horizon} needed for a single sample."
        )
    starts = np.arange(0, n - window - horizon + 1, step)
    # X[i, k] = values[starts[i] + k]; y[i, j] = values[starts[i] + window + j, col]
    X = values[starts[:, None] + np.arange(window)]  # (n_samples, window, n_features)
    y = values[starts[:, None] + window + np.arange(horizon), col]  # (n_samples, horizon)
    if n_features == 1:
        X = X[:, :, 0]
    if horizon == 1:
        y = y[:, 0]
    return X.astype(np.float32), y.astype(np.float32)


def align_target(series, *, horizon=1, target=None):
    """Split a series into rows and the future values each row should predict.

    Use this with :class:`SlidingWindow` in a pipeline: row ``t`` of the
    returned ``X`` is row ``t`` of ``series``, and ``y[t]`` holds what comes
    after it, ``series[t + 1 .. t + horizon]`` of the target column. The last
    ``horizon`` rows, which have no future in ``series``, are dropped.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        The series, oldest first: a list, ndarray, pandas Series or DataFrame.
        Must not contain NaN (impute first, e.g. ``series.interpolate()``).
    horizon : int, default=1
        Number of future values per row. ``1`` gives a 1-D ``y`` with
        ``y[t] = series[t + 1]``; more gives a 2-D ``y`` whose column ``j``
        is the value ``j + 1`` steps ahead, so ``y[:, -1]`` is
        ``series[t + horizon]`` alone.
    target : int, str or None, default=None
        Column to forecast when ``series`` has several features (position, or
        column name for a DataFrame); ``None`` only for a single feature.

    Returns
    -------
    X : same type as ``series``
        The first ``n_timesteps - horizon`` rows of ``series`` (a pandas
        object keeps its index and columns; a list becomes an ndarray).
    y : ndarray of float32
        Shape ``(n_timesteps - horizon,)`` if ``horizon == 1``, else
        ``(n_timesteps - horizon, horizon)``.

    See Also
    --------
    SlidingWindow : Windows aligned one-to-one with these rows.
    make_windows : Complete-window (X, y) pairs without a transformer.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmem.preprocessing import align_target
    >>> s = pd.Series([1.0, 2.0, 4.0, 8.0], name="sales")
    >>> X, y = align_target(s, horizon=2)
    >>> X.tolist(), y
    ([1.0, 2.0], array([[2., 4.],
           [4., 8.]], dtype=float32))
    """
    check_scalar(horizon, "horizon", Integral, min_val=1)
    values = _as_series_array(series)
    n, n_features = values.shape
    col = _target_column(series, n_features, target)
    if n <= horizon:
        raise ValueError(
            f"series has {n} time steps; at least horizon + 1 = {horizon + 1} are needed."
        )
    y = _future(values[:, col], horizon).astype(np.float32)
    if horizon == 1:
        y = y[:, 0]
    if hasattr(series, "iloc"):
        X = series.iloc[: n - horizon]
    else:
        X = np.array(series)[: n - horizon]  # a copy, never a view of the input
    return X, y


class DifferencedRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Forecast the changes of a series, and return forecasts of its levels.

    Wraps a forecasting regressor (typically a pipeline ending in
    ``SlidingWindow`` and a skmem regressor) that reads the rows of a
    series and predicts its next ``horizon`` values, as prepared by
    :func:`align_target`. The wrapped regressor sees the ``lag``-step
    differences of the forecast column, ``x_t - x_{t - lag}``, and learns the
    matching differences of the future values; predictions are summed back
    onto the known levels, so :meth:`predict` and ``score`` speak in
    levels. ``lag=1`` forecasts the change from the last value and removes
    a trend; a seasonal ``lag`` (12 for monthly data) forecasts the change
    from the same season a cycle before. ``lag=None`` passes everything
    through unchanged, so that a grid search can decide whether to
    difference at all.

    Parameters
    ----------
    regressor : estimator
        The regressor fitted on the differenced rows, e.g.
        ``make_pipeline(SlidingWindow(24), RNNRegressor())``; cloned in fit.
    lag : int or None, default=1
        Difference between the values ``lag`` steps apart; ``None`` for no
        differencing.
    target : int, str or None, default=None
        The column of ``X`` holding the series that ``y`` forecasts, as in
        :func:`align_target`; ``None`` only for a single column. Other
        columns (exogenous features such as calendar terms) are passed on
        undifferenced. Unused when ``lag`` is ``None``.

    Attributes
    ----------
    regressor_ : estimator
        The fitted clone of ``regressor``.
    target_column_ : int or None
        Position of the forecast column in ``X`` (``None`` without
        differencing).
    n_features_in_ : int
        Number of columns of ``X`` seen in fit.

    See Also
    --------
    align_target : Rows and their future values, the input of this regressor.
    sklearn.compose.TransformedTargetRegressor : Scales the (differenced)
        target inside; it cannot difference, which needs ``X``.

    Notes
    -----
    ``y[t, j]`` must be the value ``j + 1`` steps after row ``t`` of the
    target column, as :func:`align_target` builds it. Its difference
    ``y[t, j] - x[t + j + 1 - lag]`` refers to a known value when
    ``j < lag``, and to the forecast of step ``j - lag`` beyond that, so
    long horizons are summed up step by step.

    Fit skips the first ``lag`` rows, which have no value ``lag`` steps
    earlier. Predict, which returns one forecast per row, takes the first
    row as the missing history there (as ``SlidingWindow`` pads the start):
    predict on the whole history and keep the last rows, as for windows.

    Examples
    --------
    A trend that ends beyond the training range: on levels a tree can only
    repeat the largest value it saw, on differences it continues the trend.

    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmem.preprocessing import DifferencedRegressor, SlidingWindow, align_target
    >>> X, y = align_target(np.arange(60.0), horizon=2)
    >>> windows = make_pipeline(SlidingWindow(3), DecisionTreeRegressor())
    >>> model = DifferencedRegressor(windows, lag=1).fit(X[:40], y[:40])
    >>> model.predict(X)[-1]
    array([58., 59.])
    >>> windows.fit(X[:40], y[:40]).predict(X)[-1]
    array([40., 41.])
    """

    def __init__(self, regressor, *, lag=1, target=None):
        self.regressor = regressor
        self.lag = lag
        self.target = target

    def _check_lag(self):
        if self.lag is not None:
            check_scalar(self.lag, "lag", Integral, min_val=1)

    def _validate(self, X, y=None, *, reset):
        """Check ``X`` (and ``y``) as sklearn does; NaN gets the gap advice."""
        index = X.index if hasattr(X, "iloc") else None
        ndim = getattr(X, "ndim", None)
        if ndim is None:  # list or other array-like
            ndim = np.asarray(X).ndim
        if ndim == 1:  # a univariate series: one feature
            if not reset and self.n_features_in_ != 1:
                raise ValueError(
                    f"X is 1-D (one feature), but DifferencedRegressor was fitted with "
                    f"{self.n_features_in_} features. Reshape your data to "
                    "(n_timesteps, n_features)."
                )
            X = np.asarray(X).reshape(-1, 1)
        kwargs = dict(dtype=np.float64, ensure_all_finite=False)
        if reset:
            values, y = validate_data(self, X, y, reset=True, multi_output=True,
                                      y_numeric=True, **kwargs)
        else:
            values = validate_data(self, X, reset=False, **kwargs)
        _check_finite(values, "X", index)
        return values, y

    def _differenced(self, X, values):
        """``X`` with its target column replaced by its ``lag``-differences."""
        col, lag = self.target_column_, self.lag
        series = values[:, col]
        earlier = series[np.maximum(np.arange(len(series)) - lag, 0)]  # first row as history
        change = series - earlier
        if hasattr(X, "iloc"):
            X = X.copy()
            if X.ndim == 1:
                X[:] = change
            else:
                X.iloc[:, col] = change
            return X
        out = values.copy()
        out[:, col] = change
        return out

    def _base(self, series, n_rows, step):
        """Known level ``step`` rows after each row (``step <= 0``)."""
        return series[np.clip(np.arange(n_rows) + step, 0, None)]

    def fit(self, X, y):
        """Fit the regressor on the differenced rows and future values.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
            The rows of the series, oldest first (a DataFrame keeps its
            column names for the wrapped regressor).
        y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
            The future values of the target column after each row.

        Returns
        -------
        self : DifferencedRegressor
            The fitted regressor.
        """
        self._check_lag()
        values, y = self._validate(X, y, reset=True)
        self.regressor_ = clone(self.regressor)
        if self.lag is None:
            self.target_column_ = None
            self.regressor_.fit(X, y)
            return self
        self.target_column_ = _target_column(X, values.shape[1], self.target)
        if len(values) <= self.lag:
            raise ValueError(
                f"X has {len(values)} sample(s); differencing at lag={self.lag} needs "
                f"at least {self.lag + 1}."
            )
        series = values[:, self.target_column_]
        future = y.reshape(len(y), -1)  # (n, horizon)
        change = np.empty_like(future, dtype=np.float64)
        for j in range(future.shape[1]):  # y[t, j] is the level at t + j + 1
            earlier = future[:, j - self.lag] if j >= self.lag else self._base(
                series, len(series), j + 1 - self.lag)
            change[:, j] = future[:, j] - earlier
        rows = slice(self.lag, None)  # rows with a real value lag steps back
        Xd = self._differenced(X, values)
        Xd = Xd.iloc[rows] if hasattr(Xd, "iloc") else Xd[rows]
        self.regressor_.fit(Xd, change[rows].reshape((-1,) + y.shape[1:]))
        return self

    def predict(self, X):
        """Forecast the levels after each row.

        Parameters
        ----------
        X : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
            The rows of the series, oldest first.

        Returns
        -------
        y : ndarray of shape (n_timesteps,) or (n_timesteps, horizon)
            Follows the shape of ``y`` in fit.
        """
        check_is_fitted(self)
        values, _ = self._validate(X, reset=False)
        if self.lag is None:
            return self.regressor_.predict(X)
        change = np.asarray(self.regressor_.predict(self._differenced(X, values)), dtype=np.float64)
        series = values[:, self.target_column_]
        levels = change.reshape(len(change), -1).copy()
        for j in range(levels.shape[1]):
            earlier = levels[:, j - self.lag] if j >= self.lag else self._base(
                series, len(series), j + 1 - self.lag)
            levels[:, j] += earlier
        return levels.reshape(change.shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # one column per step ahead
        tags.target_tags.single_output = True
        return tags
