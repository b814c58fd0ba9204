"""Forecast yearly sunspot numbers with a recurrent network.

The yearly sunspot series (1700-2008) ships with statsmodels. Solar activity
rises and falls in a cycle of about 11 years, so the last value alone is a
poor forecast; a model that has seen the recent past can anticipate the
turns. This example shows the skmem way of forecasting inside scikit-learn:

- ``align_target`` pairs each year with the value of the following year;
- a ``Pipeline`` scales the series and turns each year into the window of
  the years before it (``SlidingWindow``), then an ``RNNRegressor`` (a GRU)
  reads the window and predicts the next value;
- ``TransformedTargetRegressor`` scales the target the same way and undoes
  the scaling on the predictions;
- ``GridSearchCV`` with ``TimeSeriesSplit`` picks the window length and the
  hidden size on time-ordered folds of the training years only.

The last 40 years are held out. Each held-out year is forecast one step
ahead from the true history, and the network is compared with the naive
forecast "next year equals this year". The plot is saved as
``sunspots_forecast.png`` in the working directory.
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import statsmodels.api as sm
import torch
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmem import RNNRegressor
from skmem.preprocessing import SlidingWindow, align_target

# Networks this small train fastest on one CPU thread; more threads only
# add overhead (and much more when other programs share the cores).
torch.set_num_threads(1)
start = time.perf_counter()

# ---------------------------------------------------------------- the data
data = sm.datasets.sunspots.load_pandas().data
series = data.set_index(data["YEAR"].astype(int))[["SUNACTIVITY"]]  # one column
print(f"{len(series)} yearly values, {series.index[0]}-{series.index[-1]}")

# Row t of X is year t; y[t] is the sunspot number of year t + 1.
X, y = align_target(series)
n_test = 40
X_train, y_train = X.iloc[:-n_test], y[:-n_test]
forecast_years = X.index[-n_test:] + 1  # the years being forecast
y_test = y[-n_test:]

# ---------------------------------------------------------------- the model
network = make_pipeline(
    StandardScaler(),
    SlidingWindow(),
    RNNRegressor(cell="gru", max_epochs=40, lr=0.01, random_state=0),
)
model = TransformedTargetRegressor(regressor=network, transformer=StandardScaler())

search = GridSearchCV(
    model,
    {
        "regressor__slidingwindow__window": [12, 24],
        "regressor__rnnregressor__hidden_size": [16, 32],
    },
    cv=TimeSeriesSplit(n_splits=3, test_size=40),
    scoring="neg_mean_absolute_error",
)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated MAE of the best model: {-search.best_score_:.1f}")

# ------------------------------------------------------- held-out forecast
# SlidingWindow pads the start of whatever it transforms, so predict on the
# whole series and keep the last rows: each held-out year then sees its
# complete true history, as a one-step-ahead forecast would.
rnn_forecast = search.predict(X)[-n_test:]
naive_forecast = X["SUNACTIVITY"].to_numpy()[-n_test:]  # next year = this year

rnn_mae = mean_absolute_error(y_test, rnn_forecast)
naive_mae = mean_absolute_error(y_test, naive_forecast)
print(f"held-out years {forecast_years[0]}-{forecast_years[-1]}, one step ahead:")
print(f"  naive last-value MAE: {naive_mae:6.1f}")
print(f"  GRU (skmem) MAE:      {rnn_mae:6.1f}")

# ---------------------------------------------------------------- the plot
fig, ax = plt.subplots(figsize=(10, 4))
history = series.loc[: forecast_years[0] - 1, "SUNACTIVITY"]
ax.plot(history.index, history.to_numpy(), color="0.6", label="history (training)")
ax.plot(forecast_years, y_test, color="black", label="truth (held out)")
ax.plot(forecast_years, rnn_forecast, color="tab:red", label=f"GRU forecast (MAE {rnn_mae:.1f})")
ax.plot(
    forecast_years, naive_forecast, color="tab:blue", linestyle="--",
    label=f"naive last value (MAE {naive_mae:.1f})",
)
ax.set_xlabel("year")
ax.set_ylabel("sunspot number")
ax.set_title("Yearly sunspots: one-step-ahead forecasts")
ax.legend(loc="upper left")
fig.tight_layout()
fig.savefig("sunspots_forecast.png", dpi=120)
print("plot saved to sunspots_forecast.png")
print(f"total time: {time.perf_counter() - start:.0f} s")
