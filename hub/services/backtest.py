"""Rolling-origin backtest of `forecast`: forecast from several past months, compare with what came.

Origin `n` means "forecast from the first n months". MASE divides the forecast's mean absolute
error by the in-sample mean absolute error of the one-step seasonal naive (m = 12) or naive
(m = 1) forecast over the months before the first origin, the scale of Hyndman & Koehler (2006).
The benchmarks' own errors over the same test months are reported too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.errors import BadInput
from hub.services.forecast import SEASON, Forecast, forecast


@dataclass(frozen=True, slots=True)
class Backtest:
    origins: list[int]  # months of history each forecast was made from
    actual: list[list[float]]  # per origin, the `horizon` months that followed
    forecasts: list[Forecast]
    mae: float
    coverage: float  # share of actual months inside the forecast interval
    mase_seasonal: float | None  # None: under 13 months before the first origin, or no change
    mase_naive: float | None
    benchmark_mae: dict[str, float]  # "naive" and, with a year before each origin, "seasonal_naive"


def backtest(
    history: Sequence[float], horizon: int = 6, origins: int = 6, level: float = 0.8,
) -> Backtest:
    """Forecast `horizon` months from each of the last `origins` possible origins, a month apart."""
    values = [float(v) for v in history]
    first = len(values) - horizon - origins + 1
    if origins < 1 or first < 1:
        raise BadInput(f"{len(values)} months are too few for {origins} origins "
                       f"{horizon} months ahead")
    cuts = list(range(first, first + origins))
    actual = [values[n:n + horizon] for n in cuts]
    made = [forecast(values[:n], horizon, level) for n in cuts]
    mae = _mean_abs([a - m for f, act in zip(made, actual, strict=True)
                     for a, m in zip(act, f.mean, strict=True)])
    inside = [f.lower[k] <= a <= f.upper[k] for f, act in zip(made, actual, strict=True)
              for k, a in enumerate(act)]
    train = values[:first]
    return Backtest(cuts, actual, made, mae, sum(inside) / len(inside),
                    _scaled(mae, train, SEASON), _scaled(mae, train, 1),
                    _benchmarks(values, cuts, horizon))


def _mean_abs(errors: list[float]) -> float:
    return sum(abs(e) for e in errors) / len(errors)


def _scaled(mae: float, train: list[float], lag: int) -> float | None:
    if len(train) <= lag:
        return None
    scale = _mean_abs([train[t] - train[t - lag] for t in range(lag, len(train))])
    return mae / scale if scale > 0 else None


def _benchmarks(values: list[float], cuts: list[int], horizon: int) -> dict[str, float]:
    naive = [values[n + k] - values[n - 1] for n in cuts for k in range(horizon)]
    out = {"naive": _mean_abs(naive)}
    if cuts[0] >= SEASON:
        out["seasonal_naive"] = _mean_abs([values[n + k] - values[n - SEASON + k % SEASON]
                                           for n in cuts for k in range(horizon)])
    return out
