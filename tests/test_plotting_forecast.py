"""Tests for ``skmem.plotting.plot_forecast``."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from skmem.plotting import plot_forecast

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_history_truth_and_forecast_are_drawn_at_their_positions():
    ax = plot_forecast([1.0, 2.0, 3.0], [3.5, 4.5], truth=[4.0, 5.0], title="t")
    lines = _lines(ax)
    assert list(lines) == ["history", "truth", "forecast"]
    np.testing.assert_array_equal(lines["history"].get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(lines["truth"].get_xdata(), [3, 4])
    np.testing.assert_array_equal(lines["forecast"].get_ydata(), [3.5, 4.5])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(lines)
    assert ax.get_title() == "t"


def test_dates_continue_the_history_frequency():
    index = pd.date_range("2020-01-01", periods=24, freq="MS")
    history = pd.Series(np.arange(24.0), index=index, name="sales")
    ax = plot_forecast(history, np.zeros(3))
    x = pd.to_datetime(_lines(ax)["forecast"].get_xdata())
    assert list(x) == list(pd.date_range("2022-01-01", periods=3, freq="MS"))
    assert ax.get_ylabel() == "sales"


def test_years_continue_and_truth_index_wins():
    history = pd.Series([1.0, 2.0, 3.0], index=[1990, 1991, 1992])
    ax = plot_forecast(history, [4.0])
    np.testing.assert_array_equal(_lines(ax)["forecast"].get_xdata(), [1993])
    truth = pd.Series([4.0, 5.0], index=[1995, 1996])  # e.g. a gap before the test years
    ax = plot_forecast(history, [4.0, 5.0], truth=truth)
    np.testing.assert_array_equal(_lines(ax)["forecast"].get_xdata(), [1995, 1996])


def test_several_forecasts_and_history_tail():
    history = pd.Series(np.arange(100.0))
    ax = plot_forecast(history, {"GRU": [1.0, 2.0], "naive": [99.0, 99.0]},
                       truth=[100.0, 101.0], n_history=10)
    lines = _lines(ax)
    assert list(lines) == ["history", "truth", "GRU", "naive"]
    np.testing.assert_array_equal(lines["history"].get_xdata(), np.arange(90, 100))
    np.testing.assert_array_equal(lines["naive"].get_xdata(), [100, 101])


def test_draws_on_given_axes_and_accepts_a_one_column_frame():
    _, ax = plt.subplots()
    frame = pd.DataFrame({"y": [1.0, 2.0]})
    assert plot_forecast(frame, [3.0], ax=ax) is ax
    ax = plot_forecast(np.arange(5.0))  # history alone
    assert list(_lines(ax)) == ["history"]


@pytest.mark.parametrize("kwargs, match", [
    ({"history": [], "forecast": [1.0]}, "history is empty"),
    ({"history": [1.0], "forecast": [1.0, 2.0], "truth": [1.0]}, "same period"),
    ({"history": [1.0], "forecast": np.ones((2, 3))}, "one series"),
    ({"history": [1.0], "forecast": [1.0], "n_history": 0}, "n_history"),
])
def test_bad_input_raises_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_forecast(**kwargs)
