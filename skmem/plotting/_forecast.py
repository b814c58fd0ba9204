"""Forecast plots: the history, what happened next, and what was forecast."""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from skmem.plotting._core import _axes


def _values(data, name):
    """``data`` as a 1-D float array, and its pandas index (or ``None``)."""
    index = data.index if isinstance(data, (pd.Series, pd.DataFrame)) else None
    if isinstance(index, pd.PeriodIndex):  # a PeriodIndex: plot at its start times
        index = index.to_timestamp()
    values = data.to_numpy() if hasattr(data, "to_numpy") else data
    values = np.asarray(values, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:  # a one-column frame or array
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be one series (1-D, or a single column), got shape "
            f"{values.shape}; plot one forecast horizon or one origin at a time."
        )
    return values, index


def _continue(index, n):
    """The ``n`` positions after a pandas ``index``, or ``None`` if unknown."""
    if len(index) == 0:
        return None
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (index.inferred_freq if len(index) > 2 else None)
        if freq is None:
            return None
        return pd.date_range(index[-1], periods=n + 1, freq=freq)[1:]
    if pd.api.types.is_numeric_dtype(index.dtype):
        step = index[-1] - index[-2] if len(index) > 1 else 1
        return index[-1] + step * np.arange(1, n + 1)
    return None


def plot_forecast(history, forecast=None, *, truth=None, n_history=None, ax=None,
                  title=None, xlabel=None, ylabel=None):
    """Plot a series' history, the true continuation and one or more forecasts.

    Parameters
    ----------
    history : array-like of shape (n_history,), or pandas Series
        The values the forecast was made from, oldest first.
    forecast : array-like of shape (n_forecast,), pandas Series, or dict, default=None
        The forecast values; a dict maps a label to each of several
        forecasts (e.g. one per model) drawn on the same axes.
    truth : array-like of shape (n_forecast,), or pandas Series, default=None
        What really happened over the forecast period.
    n_history : int, default=None
        Show only the last ``n_history`` values of ``history``; all when
        ``None``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    title, xlabel, ylabel : str, default=None
        Title and axis labels. ``ylabel`` defaults to the name of
        ``history`` when it is a named pandas Series.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    The time axis comes from the data. When ``history`` is a pandas Series,
    the forecast period takes the index of ``truth`` or of a forecast if
    one is a Series, else continues the index of ``history`` (its frequency
    for dates, its step for numbers such as years). Otherwise both are
    drawn at the positions ``0, 1, ...``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from skmem.plotting import plot_forecast
    >>> history = pd.Series([3.0, 5.0, 4.0, 6.0], index=[2001, 2002, 2003, 2004])
    >>> ax = plot_forecast(history, {"model": [5.5, 6.5], "naive": [6.0, 6.0]},
    ...                    truth=[5.0, 7.0])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['history', 'truth', 'model', 'naive']
    >>> ax.get_lines()[1].get_xdata().tolist()
    [2005, 2006]
    """
    hist, hist_index = _values(history, "history")
    if hist.size == 0:
        raise ValueError("history is empty.")
    if n_history is not None:
        if not isinstance(n_history, (int, np.integer)) or n_history < 1:
            raise ValueError(f"n_history must be a positive integer, got {n_history!r}.")
        hist = hist[-n_history:]
        hist_index = hist_index[-n_history:] if hist_index is not None else None
    if forecast is None:
        forecasts = {}
    elif isinstance(forecast, Mapping):
        forecasts = dict(forecast)
    else:
        forecasts = {"forecast": forecast}
    series = {}  # label -> (values, own index)
    if truth is not None:
        series["truth"] = _values(truth, "truth")
    for label, values in forecasts.items():
        series[str(label)] = _values(values, f"forecast {label!r}")
    lengths = {label: len(values) for label, (values, _) in series.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"truth and forecasts must cover the same period; got lengths {lengths}."
        )
    n_future = next(iter(lengths.values()), 0)

    # x positions: the pandas index of truth or a forecast, else history's
    # index continued, else plain positions for both.
    future_index = next((idx for _, idx in series.values() if idx is not None), None)
    if hist_index is not None and future_index is None:
        future_index = _continue(hist_index, n_future)
    if hist_index is None or future_index is None:
        hist_x = np.arange(len(hist))
        future_x = len(hist) + np.arange(n_future)
    else:
        hist_x, future_x = hist_index, future_index

    ax = _axes(ax, figsize=(9.0, 3.5))
    ax.plot(hist_x, hist, color="0.55", label="history")
    if "truth" in series:
        ax.plot(future_x, series.pop("truth")[0], color="black", label="truth")
    for label, (values, _) in series.items():
        ax.plot(future_x, values, label=label, marker="." if n_future <= 30 else None)
    if n_future:
        ax.axvline(hist_x[-1], color="0.8", linestyle=":", linewidth=1)
    ax.legend(loc="best")
    if ylabel is None and getattr(history, "name", None) is not None:
        ylabel = str(history.name)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax
