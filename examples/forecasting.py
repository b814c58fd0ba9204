"""Forecasting a real series with skmem, step by step.

Weekly CO2 concentration at Mauna Loa (1958-2001) ships with statsmodels.
It has everything a real series brings: missing weeks, a trend that keeps
climbing past anything seen in training, a yearly cycle, and a question
about how far ahead to forecast. This script walks through them in order:

1. gaps: skmem refuses NaN and says where they are; interpolate them;
2. exogenous features: calendar columns beside the series, read through
   the same windows (multivariate windows);
3. the target: the next 13 weeks at once (direct multi-output), built by
   ``align_target``;
4. the model: scaled windows into a GRU, the target scaled and unscaled by
   ``TransformedTargetRegressor``, differencing by ``DifferencedRegressor``,
   all tuned by ``GridSearchCV`` on time-ordered folds;
5. an honest test on the last two years, against the seasonal naive
   forecast, in MASE and sMAPE;
6. a plot with ``skmem.plotting.plot_forecast``, saved as
   ``co2_forecast.png`` in the working directory.

It runs in about a minute on two CPU cores.
"""

# %% Setup
import time

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from statsmodels.datasets import co2

from skmem import RNNRegressor
from skmem.plotting import plot_forecast
from skmem.preprocessing import DifferencedRegressor, SlidingWindow, align_target

# Small networks train fastest on one CPU thread.
torch.set_num_threads(1)
start = time.perf_counter()

# %% 1. The data, and its gaps
weekly = co2.load_pandas().data["co2"]  # weekly (W-SAT), ppm
print(f"{len(weekly)} weeks, {weekly.index[0]:%Y-%m-%d} to {weekly.index[-1]:%Y-%m-%d}")
try:
    align_target(weekly)
except ValueError as error:  # skmem names the missing weeks and the fix
    print("ValueError:", str(error)[:200], "...")

# Windows need a complete, regular series. Short gaps in a smooth series
# are safely interpolated. (Had the missing weeks been absent from the
# index instead of NaN, `weekly.asfreq("W-SAT")` would make them NaN first.)
weekly = weekly.interpolate()

# Keep the last 20 years: enough cycles to learn from, quick to train.
weekly = weekly.loc["1982":]

# %% 2. Exogenous features: where in the year each week falls
# Each row of `data` is one week: the series itself and two calendar
# columns. SlidingWindow turns each row into a (window, 3) block, so the
# network sees the season alongside the values.
day = weekly.index.day_of_year.to_numpy()
data = pd.DataFrame({
    "co2": weekly,
    "season_sin": np.sin(2 * np.pi * day / 365.25),
    "season_cos": np.cos(2 * np.pi * day / 365.25),
}, index=weekly.index)

# %% 3. The target: the next 13 weeks from every week
horizon = 13
X, y = align_target(data, horizon=horizon, target="co2")  # y[t, j] = co2 at t + j + 1
n_test = 104  # forecast from each of the last two years' weeks
X_train, y_train = X.iloc[:-n_test], y[:-n_test]
print(f"X: {X.shape} rows of (co2, calendar); y: {y.shape}, the next {horizon} weeks")

# %% 4. The model
# - StandardScaler: scales each column, fitted on the training rows only.
# - SlidingWindow: each week becomes the window of the weeks before it.
# - RNNRegressor: a GRU reads the window and outputs all 13 steps at once.
# - TransformedTargetRegressor: scales the target for training, undoes it
#   at predict time, so predictions come back in ppm.
# - DifferencedRegressor: the GRU learns changes instead of levels (lag 1:
#   week to week; lag 52: year on year), and predictions are summed back
#   onto the known levels. CO2 keeps rising beyond anything seen in
#   training; levels alone would have to be extrapolated.
network = make_pipeline(
    StandardScaler(),
    SlidingWindow(window=26),
    RNNRegressor(cell="gru", hidden_size=32, max_epochs=15, lr=0.005, batch_size=64,
                 random_state=0),
)
model = DifferencedRegressor(
    TransformedTargetRegressor(regressor=network, transformer=StandardScaler()),
    target="co2",
)

# The search runs on time-ordered folds of the training years. gap=horizon-1
# keeps every training target before the first validation row's targets.
search = GridSearchCV(
    model,
    {"lag": [1, 52], "regressor__regressor__slidingwindow__window": [26, 52]},
    cv=TimeSeriesSplit(n_splits=2, test_size=150, gap=horizon - 1),
    scoring="neg_mean_absolute_error",
)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)

# %% 5. The test: the last two years, never seen in the search
# SlidingWindow (and the differencing) pad the start of whatever they are
# given, so predict from the whole series and keep the test rows: each
# forecast then reads the true history up to its origin, and nothing after.
forecast = search.predict(X)[-n_test:]  # (104 origins, 13 steps)
truth = y[-n_test:]
values = X["co2"].to_numpy()
origins = np.arange(len(X) - n_test, len(X))
steps = np.arange(1, horizon + 1)
seasonal_naive = values[origins[:, None] + steps - 52]  # same week, a year before


def mase(truth, forecast, train, period=52):
    """Mean absolute error over the in-sample seasonal naive error."""
    scale = np.mean(np.abs(train[period:] - train[:-period]))
    return np.mean(np.abs(truth - forecast)) / scale


def smape(truth, forecast):
    return 200 * np.mean(np.abs(truth - forecast) / (np.abs(truth) + np.abs(forecast)))


train_values = values[: len(X) - n_test]
print(f"{'':16s} {'MASE h=1':>9s} {'MASE 1-13':>10s} {'sMAPE 1-13':>11s}")
for name, f in [("GRU (skmem)", forecast), ("seasonal naive", seasonal_naive)]:
    print(f"{name:16s} {mase(truth[:, 0], f[:, 0], train_values):9.3f} "
          f"{mase(truth, f, train_values):10.3f} {smape(truth, f):10.2f}%")

# %% 6. The plot: the one-week-ahead forecasts of both test years (for a
# longer view, plot a row of `forecast`: the 13 weeks after one origin).
dates = X.index[origins] + pd.Timedelta(weeks=1)  # the week each h=1 forecast is for
ax = plot_forecast(
    weekly.loc[: dates[0] - pd.Timedelta(weeks=1)],
    {"GRU, one week ahead": pd.Series(forecast[:, 0], index=dates),
     "seasonal naive": pd.Series(seasonal_naive[:, 0], index=dates)},
    truth=pd.Series(truth[:, 0], index=dates),
    n_history=156,
    title="Mauna Loa CO2: forecasts over the two held-out years",
    ylabel="CO2 (ppm)",
)
ax.figure.savefig("co2_forecast.png", dpi=120, bbox_inches="tight")
print("plot saved to co2_forecast.png")
print(f"total time: {time.perf_counter() - start:.0f} s")
