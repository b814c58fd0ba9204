"""Forecasting real series: the skmem regressors against the classic baselines.

Series that ship with statsmodels: yearly sunspots (1700-2008), weekly
Mauna Loa CO2 (1958-2001, 59 missing weeks, interpolated), monthly euro
area electrical equipment orders (1995-2016) and monthly Pacific sea
surface temperatures (El Nino, 1950-2010); the yearly Nile flow is
available too (``--series nile``). ::

    python benchmarks/forecasting.py                      # everything, ~20 min on 2 cores
    python benchmarks/forecasting.py --series sunspots --models gru ridge
    python benchmarks/forecasting.py --quick              # small settings, a smoke test

Evaluation: rolling origin. The last ``n_test`` forecast origins of each
series are cut into three consecutive blocks; for each block every model
is fitted (and tuned) on the series up to the block's first origin only,
then forecasts from every origin of the block, reading the true history up
to that origin. The windowed models (networks and Ridge) are searched and
fitted twice per block: for horizon 1, and for steps 1 to ``horizon`` at
once (direct multi-output); the statistical models forecast ``horizon``
steps, whose first is their horizon-1 forecast.

Metrics: MASE (mean absolute error over the in-sample MAE of the seasonal
naive forecast, lag = the period, 1 for yearly series, on each block's
training data) and sMAPE in %, averaged over the three blocks; the
multi-step figures average steps 1 to ``horizon``.

Models: LSTM, GRU, Transformer (and NTM when skmem has ``NTMRegressor``),
each as ``DifferencedRegressor(TransformedTargetRegressor(
make_pipeline(StandardScaler(), SlidingWindow(w), network), StandardScaler()))``.
``GridSearchCV`` picks the window length on two time-ordered folds of the
block's training data (each test fold after a gap of ``horizon - 1`` rows,
its first rows serving as history only); whether to difference (lag 1)
follows the KPSS test on the training data, as ARIMA's order of
differencing does. Baselines: last value, seasonal naive, statsmodels
ARIMA (orders by AIC, differencing by the KPSS test, Fourier terms for the
season) and ETS (by AICc), and Ridge on the same windows with the same
search (plus its penalty).
"""

import argparse
import os
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

import skmem
from skmem.preprocessing import DifferencedRegressor, SlidingWindow, align_target

# ---------------------------------------------------------------- the series


def _sunspots():
    import statsmodels.api as sm

    data = sm.datasets.sunspots.load_pandas().data
    return pd.Series(data["SUNACTIVITY"].to_numpy(), index=data["YEAR"].astype(int), name="sunspots")


def _nile():
    import statsmodels.api as sm

    data = sm.datasets.nile.load_pandas().data
    return pd.Series(data["volume"].to_numpy(), index=data["year"].astype(int), name="nile")


def _co2():
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]  # W-SAT, 59 weeks missing (NaN)
    return weekly.interpolate().rename("co2")  # SlidingWindow refuses NaN


def _elec_equip():
    from statsmodels.datasets import elec_equip

    return elec_equip.load_pandas().data.iloc[:, 0].rename("elec_equip")


def _elnino():
    from statsmodels.datasets import elnino

    table = elnino.load_pandas().data  # one row per year, one column per month
    values = table.drop(columns="YEAR").to_numpy().ravel()
    index = pd.date_range(f"{int(table['YEAR'].iloc[0])}-01", periods=len(values), freq="MS")
    return pd.Series(values, index=index, name="elnino")


@dataclass
class Spec:
    load: callable
    period: int  # seasonal period; 1 for yearly series
    horizon: int  # multi-step horizon
    n_test: int  # forecast origins evaluated, in three blocks
    windows: list  # window lengths searched
    epochs: int  # network training epochs
    batch_size: int = 32


SERIES = {
    "sunspots": Spec(_sunspots, 1, 6, 60, [12, 24], 60),
    "co2": Spec(_co2, 52, 13, 156, [26, 53], 12, batch_size=64),
    "elec_equip": Spec(_elec_equip, 12, 12, 48, [13, 25], 80),
    "elnino": Spec(_elnino, 12, 12, 72, [13, 25], 40),
    "nile": Spec(_nile, 1, 5, 30, [8, 16], 80),
}
DEFAULT_SERIES = ["sunspots", "co2", "elec_equip", "elnino"]

# ---------------------------------------------------------------- the models


def _lstm(spec, seed):
    return skmem.RNNRegressor(cell="lstm", hidden_size=32, max_epochs=spec.epochs, lr=0.005,
                              batch_size=spec.batch_size, random_state=seed)


def _gru(spec, seed):
    return skmem.RNNRegressor(cell="gru", hidden_size=32, max_epochs=spec.epochs, lr=0.005,
                              batch_size=spec.batch_size, random_state=seed)


def _transformer(spec, seed):
    return skmem.TransformerRegressor(d_model=32, num_heads=4, num_layers=1, pooling="last",
                                      max_epochs=spec.epochs, lr=0.002,
                                      batch_size=spec.batch_size, random_state=seed)


def _ntm(spec, seed):
    return skmem.NTMRegressor(controller="lstm", hidden_size=32, memory_slots=16, memory_dim=8,
                              optimizer="adam", lr=0.005, max_epochs=spec.epochs,
                              batch_size=spec.batch_size, random_state=seed)


def _ridge(spec, seed):
    from sklearn.linear_model import Ridge

    return Ridge()


# name -> (spec, seed) -> the regressor that reads the scaled windows
NETWORKS = {"lstm": _lstm, "gru": _gru, "transformer": _transformer}
if hasattr(skmem, "NTMRegressor"):
    NETWORKS["ntm"] = _ntm
WINDOW_MODELS = dict(NETWORKS, ridge=_ridge)
BASELINES = ["last_value", "seasonal_naive", "arima", "ets"]
LABELS = {"lstm": "LSTM", "gru": "GRU", "transformer": "Transformer", "ntm": "NTM",
          "ridge": "Ridge", "last_value": "last value", "seasonal_naive": "seasonal naive",
          "arima": "ARIMA", "ets": "ETS"}


def window_model(spec, name, seed, lag=None):
    """The full forecaster: differencing, scaling, windows, regressor."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipeline = make_pipeline(StandardScaler(), SlidingWindow(spec.windows[0]),
                             WINDOW_MODELS[name](spec, seed))
    # StandardScaler inverts exactly; its check on a float32 subsample only warns of rounding
    scaled = TransformedTargetRegressor(regressor=pipeline, transformer=StandardScaler(),
                                        check_inverse=False)
    return DifferencedRegressor(scaled, lag=lag)


def grid(spec, name):
    params = {"regressor__regressor__slidingwindow__window": spec.windows}
    if name == "ridge":
        params["regressor__regressor__ridge__alpha"] = [0.1, 10.0]
    return params


def needs_difference(train):
    """Whether the KPSS test rejects level stationarity at 1% (auto-ARIMA's
    rule for d, at a stricter level): then the windowed models forecast
    changes (lag 1)."""
    from statsmodels.tsa.stattools import kpss

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # p-values outside the table's range
        return bool(kpss(train, regression="c", nlags="auto")[1] <= 0.01)


# ---------------------------------------------------------------- evaluation


class _Skipping:
    """Scorer: negative MAE over all steps, ignoring the first ``skip`` rows
    of each test fold, which only carry the history of the scored rows."""

    def __init__(self, skip):
        self.skip = skip

    def __call__(self, estimator, X, y):
        error = np.abs(estimator.predict(X) - y)[self.skip :]
        return -float(np.mean(error))


def inner_folds(n_rows, spec, horizon, n_splits=2):
    """Time-ordered (train, test) folds; test folds start with ``skip`` rows
    of history (inside the training range, not scored) and leave a gap of
    ``horizon - 1`` rows, so no training target reaches a scored one."""
    skip = max(spec.windows) + 1
    test_size = max(spec.horizon * 4, n_rows // (2 * n_splits + 2))
    folds = []
    for k in range(n_splits, 0, -1):
        test_end = n_rows - (k - 1) * test_size
        test_start = test_end - test_size
        train_end = test_start - (horizon - 1)
        folds.append((np.arange(train_end), np.arange(test_start - skip, test_end)))
    return folds, skip


def blocks(n, spec):
    """Three consecutive blocks of forecast origins (row t forecasts t+1..)."""
    origins = np.arange(n - spec.horizon - spec.n_test, n - spec.horizon)
    return np.array_split(origins, 3)


def forecast_window_model(series, spec, name, block, horizon, seed):
    """Tune on the series up to the block's first origin, forecast the block."""
    from sklearn.model_selection import GridSearchCV

    first = block[0]
    rows = series.to_frame()
    X, y = align_target(rows.iloc[: first + 1], horizon=horizon)
    lag = 1 if needs_difference(series.to_numpy()[: first + 1]) else None
    folds, skip = inner_folds(len(X), spec, horizon)
    search = GridSearchCV(window_model(spec, name, seed, lag), grid(spec, name), cv=folds,
                          scoring=_Skipping(skip), error_score="raise")
    search.fit(X, y)
    # Predict on the whole history up to the block's last origin: every
    # origin reads its complete past, nothing after it.
    forecast = search.predict(rows.iloc[: block[-1] + 1])[block]
    info = {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    return forecast.reshape(len(block), horizon), dict(info, lag=lag)


def _fourier(t, period, n_terms):
    columns = []
    for k in range(1, n_terms + 1):
        columns.append(np.cos(2 * np.pi * k * t / period))
        if 2 * k != period:  # sin(pi t) is zero
            columns.append(np.sin(2 * np.pi * k * t / period))
    return np.column_stack(columns)


def forecast_arima(series, spec, block):
    """ARIMA(p, d, q), d from the KPSS test, (p, q) by AIC; Fourier terms of
    the season as regressors. Fitted once per block; its parameters are then
    run over the history up to every origin of the block to forecast from it."""
    from statsmodels.tsa.arima.model import ARIMA

    y = series.to_numpy(dtype=float)
    t = np.arange(len(y) + spec.horizon)
    exog = _fourier(t, spec.period, min(6, spec.period // 2)) if spec.period > 1 else None
    first = block[0]
    train = y[: first + 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = int(needs_difference(train))
        best = None
        for p, q in [(1, 0), (2, 0), (3, 0), (1, 1)]:
            model = ARIMA(train, exog=None if exog is None else exog[: first + 1],
                          order=(p, d, q), trend="t" if d else "c")
            try:
                result = model.fit(cov_type="none")  # no standard errors: faster
            except (ValueError, np.linalg.LinAlgError):
                continue
            if best is None or result.aic < best[0]:
                best = (result.aic, model.filter(result.params), (p, d, q))  # no smoother
        result = best[1]
        out = []
        for origin in block:  # the fitted parameters, run over the history to the origin
            past = None if exog is None else exog[: origin + 1]
            future = None if exog is None else exog[origin + 1 : origin + 1 + spec.horizon]
            updated = result.apply(y[: origin + 1], exog=past)
            out.append(updated.forecast(spec.horizon, exog=future))
    return np.array(out), {"order": best[2]}


def forecast_ets(series, spec, block):
    """Additive ETS chosen by AICc among none / damped trend and none /
    additive season; fitted once per block, then run over the block with
    the fitted parameters to forecast from every origin."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = series.to_numpy(dtype=float)
    first, last = block[0], block[-1]
    seasonal = [None, "add"] if spec.period > 1 else [None]
    init = "heuristic" if spec.period > 24 else "estimated"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = None
        for trend in (None, "add"):
            for season in seasonal:
                kwargs = dict(error="add", trend=trend, damped_trend=trend is not None,
                              seasonal=season, seasonal_periods=spec.period if season else None,
                              initialization_method=init)
                result = ETSModel(y[: first + 1], **kwargs).fit(disp=False)
                if best is None or result.aicc < best[0]:
                    best = (result.aicc, result, kwargs)
        _, result, kwargs = best
        states = ETSModel(y[: last + 1], **kwargs).smooth(result.params).states
    # row t of the states: level, trend and season after observing y[t]
    names = ["level"] + (["trend"] if kwargs["trend"] else []) + (["season"] if kwargs["seasonal"] else [])
    states = dict(zip(names, np.asarray(states).T))
    phi = result.damping_trend if kwargs["trend"] else 1.0
    steps = np.arange(1, spec.horizon + 1)
    out = states["level"][block, None] + np.zeros(spec.horizon)
    if kwargs["trend"]:
        out = out + np.cumsum(phi ** steps) * states["trend"][block, None]  # phi + ... + phi^h
    if kwargs["seasonal"]:
        m = spec.period
        back = m * ((steps - 1) // m + 1)  # the same season, in the last cycle seen
        out = out + states["season"][block[:, None] + steps - back]
    return out, {"model": (kwargs["trend"], kwargs["seasonal"])}


def forecast_naive(series, spec, block, period):
    y = series.to_numpy(dtype=float)
    steps = np.arange(1, spec.horizon + 1)
    back = period * ((steps - 1) // period + 1)
    return y[block[:, None] + steps - back], {}


def run_task(series_name, model, block_id, horizon, seed, threads):
    """One model on one block: forecasts of shape (n_origins, horizon)."""
    import torch

    torch.set_num_threads(threads)
    spec = SERIES[series_name]
    series = spec.load()
    block = blocks(len(series), spec)[block_id]
    start = time.perf_counter()
    if model in WINDOW_MODELS:
        forecast, info = forecast_window_model(series, spec, model, block, horizon, seed)
    elif model == "arima":
        forecast, info = forecast_arima(series, spec, block)
    elif model == "ets":
        forecast, info = forecast_ets(series, spec, block)
    else:
        forecast, info = forecast_naive(series, spec, block,
                                        spec.period if model == "seasonal_naive" else 1)
    return series_name, model, block_id, horizon, forecast, info, time.perf_counter() - start


# ---------------------------------------------------------------- metrics


def mase(truth, forecast, scale):
    return float(np.mean(np.abs(truth - forecast)) / scale)


def smape(truth, forecast):
    return float(200 * np.mean(np.abs(truth - forecast) / (np.abs(truth) + np.abs(forecast))))


def score(series_name, results):
    """Per model: MASE and sMAPE at h=1 and over steps 1..H, block-averaged.

    ``results[model][(block_id, horizon)] = (forecast, seconds)``. The
    windowed models have one forecast per horizon (1 and H), each from its
    own search; the others forecast H steps, whose first serves h=1.
    """
    spec = SERIES[series_name]
    y = spec.load().to_numpy(dtype=float)
    table = {}
    for model, runs in results.items():
        rows = []
        for block_id, block in enumerate(blocks(len(y), spec)):
            multi = runs[(block_id, spec.horizon)][0]
            one = runs[(block_id, 1)][0] if (block_id, 1) in runs else multi
            truth = y[block[:, None] + np.arange(1, spec.horizon + 1)]
            train = y[: block[0] + 1]
            m = spec.period
            scale = np.mean(np.abs(train[m:] - train[:-m]))
            rows.append([mase(truth[:, 0], one[:, 0], scale), smape(truth[:, 0], one[:, 0]),
                         mase(truth, multi, scale), smape(truth, multi)])
        seconds = sum(seconds for _, seconds in runs.values())
        table[model] = list(np.mean(rows, axis=0)) + [seconds]
    return table


def report(tables, models):
    networks = [m for m in models if m in NETWORKS]
    statistical = [m for m in models if m in ("arima", "ets")]
    lines = []
    header = "| series | model | MASE h=1 | sMAPE h=1 | MASE 1..H | sMAPE 1..H | fit s |"
    lines += [header, "|---|---|---:|---:|---:|---:|---:|"]
    for series_name, table in tables.items():
        spec = SERIES[series_name]
        for model in models:
            if model not in table:
                continue
            m1, s1, mh, sh, seconds = table[model]
            lines.append(f"| {series_name} (H={spec.horizon}) | {LABELS[model]} | {m1:.3f} | "
                         f"{s1:.2f} | {mh:.3f} | {sh:.2f} | {seconds:.0f} |")
    print("\n".join(lines))
    if not networks or not statistical:
        return
    print()
    for column, what in ((0, "h=1"), (2, "1..H")):
        best_net = [min(t[m][column] for m in networks) for t in tables.values()]
        best_stat = [min(t[m][column] for m in statistical) for t in tables.values()]
        snaive = [t["seasonal_naive"][column] for t in tables.values()]
        wins = sum(b < s for b, s in zip(best_net, snaive))
        single_net = min(networks, key=lambda m: np.mean([t[m][column] for t in tables.values()]))
        single_stat = min(statistical, key=lambda m: np.mean([t[m][column] for t in tables.values()]))
        print(f"MASE {what}, mean over {len(tables)} series: best skmem model per series "
              f"{np.mean(best_net):.3f}, best of ARIMA/ETS per series {np.mean(best_stat):.3f} "
              f"(ratio {np.mean(best_net) / np.mean(best_stat):.3f}); best single skmem model "
              f"{LABELS[single_net]} {np.mean([t[single_net][column] for t in tables.values()]):.3f}, "
              f"best single statistical model {LABELS[single_stat]} "
              f"{np.mean([t[single_stat][column] for t in tables.values()]):.3f}; "
              f"best skmem model beats seasonal naive on {wins}/{len(tables)} series.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", nargs="+", default=DEFAULT_SERIES, choices=sorted(SERIES))
    parser.add_argument("--models", nargs="+", default=list(NETWORKS) + ["ridge"] + BASELINES,
                        choices=list(WINDOW_MODELS) + BASELINES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per fit")
    parser.add_argument("--jobs", type=int, default=2, help="fits run side by side")
    parser.add_argument("--quick", action="store_true",
                        help="few epochs and one window: checks that everything runs")
    parser.add_argument("--verbose", action="store_true", help="print each task as it ends")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    start = time.perf_counter()
    tasks = []
    for series_name in args.series:
        spec = SERIES[series_name]
        for model in args.models:
            horizons = [1, spec.horizon] if model in WINDOW_MODELS else [spec.horizon]
            tasks += [(series_name, model, b, h) for b in range(3) for h in horizons]
    # the longest tasks first, so that the workers finish together
    cost = {"ntm": 5, "transformer": 3, "lstm": 1, "gru": 2, "ridge": 0.1, "arima": 2, "ets": 0.5}
    tasks.sort(key=lambda t: -cost.get(t[1], 0) * len(SERIES[t[0]].load()) * max(SERIES[t[0]].windows))
    done = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(_task)(*task, args.seed, args.threads, args.quick) for task in tasks)
    results = {}
    for series_name, model, block_id, horizon, forecast, info, seconds in done:
        results.setdefault(series_name, {}).setdefault(model, {})[(block_id, horizon)] = (
            forecast, seconds)
        if args.verbose:
            print(f"{series_name:10s} {model:14s} block {block_id} h={horizon:<2d} "
                  f"{seconds:6.1f} s {info}", flush=True)
    tables = {s: score(s, results[s]) for s in args.series}
    report(tables, args.models)
    print(f"\ntotal wall time: {time.perf_counter() - start:.0f} s with {args.jobs} jobs, "
          f"{args.threads} torch thread(s) each")


def _task(series_name, model, block_id, horizon, seed, threads, quick):
    if quick:  # worker processes do not see main's changes to SERIES
        spec = SERIES[series_name]
        spec.epochs, spec.windows = 2, spec.windows[:1]
    return run_task(series_name, model, block_id, horizon, seed, threads)


if __name__ == "__main__":
    main()
