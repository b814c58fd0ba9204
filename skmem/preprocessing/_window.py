"""Sliding windows over time series: ``SlidingWindow``, ``make_windows``, ``align_target``.

Two ways to turn a series into model input:

- :class:`SlidingWindow` is a transformer that keeps one output row per input
  row (row ``t`` becomes the window of rows ``t - window + 1 .. t``), so ``y``
  stays aligned and it can sit in a ``Pipeline`` under ``GridSearchCV`` with
  ``TimeSeriesSplit``. Pair it with :func:`align_target`, which builds
  ``y_t = series[t + 1 .. t + horizon]`` and drops the rows that have no future.
- :func:`make_windows` builds ready-made supervised ``(X, y)`` pairs with only
  complete windows, for use outside a pipeline.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, check_scalar, validate_data

__all__ = ["SlidingWindow", "make_windows", "align_target"]


def _check_finite(values, name):
    """Raise a ValueError that says how to fix NaN or infinite values."""
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(values), -1).any(axis=1))
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        raise ValueError(
            f"{name} contains NaN or infinity at {len(rows)} row(s) (positions "
            f"{shown}). Windows need a complete series: impute missing values "
            "first, e.g. with pandas `series.interpolate()` or `.ffill()`, or "
            "sklearn.impute.SimpleImputer."
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
    _check_finite(values, name)
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
    feature_names_in_ : ndarray of shape (n_features_in_,)
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
        _check_finite(X, "X")
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
