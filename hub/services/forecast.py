"""Monthly demand forecasts with prediction intervals (backtested in hub/services/backtest.py).

With two full years of history: statsforecast's AutoETS over the additive-error seasonal models
(period 12; no, additive or damped trend, chosen by AICc) fitted to log(1 + y), so that
intervals widen with the level as count noise does and never go below zero. Additive errors on
that scale are multiplicative ones on the counts; trying multiplicative errors as well doubled
the fitting time for the same accuracy. The back-transformed mean is the forecast median, the
point that minimises absolute error. Shorter or degenerate histories fall back to seasonal naive
or naive with an interval from the series' own past errors (Student t, so that a few errors give
a wide interval; a Poisson interval while there are none); a year or more of one value is
forecast as that value. Measured in bench/services_forecast.py.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from hub.errors import BadInput

SEASON = 12
MAX_HORIZON = 12
MIN_SEASONAL_MODEL = 2 * SEASON  # months before the seasonal model is tried


@dataclass(frozen=True, slots=True)
class Forecast:
    """Forecast month k (1-based) is `mean[k-1]`, inside [`lower`, `upper`] with prob. `level`."""

    mean: list[float]
    lower: list[float]
    upper: list[float]
    method: str
    level: float

    def first_over(self, capacity: float) -> int | None:
        """The first month ahead (1-based) whose forecast exceeds `capacity`, if any."""
        return next((k for k, m in enumerate(self.mean, start=1) if m > capacity), None)


def forecast(history: Sequence[float], horizon: int = 6, level: float = 0.8) -> Forecast:
    """Forecast the `horizon` months after `history` (monthly counts, oldest first).

    Results are kept per process by history, horizon and level (a street's catalogue asks for
    the same series again until a month closes); each call gets its own lists."""
    made = _cached(tuple(_checked(history, horizon, level)), horizon, level)
    return replace(made, mean=list(made.mean), lower=list(made.lower), upper=list(made.upper))


@lru_cache(maxsize=8192)
def _cached(history: tuple[float, ...], horizon: int, level: float) -> Forecast:
    values = list(history)
    if len(values) >= SEASON and len(set(values)) == 1:  # a year without a change
        v = values[-1]
        return Forecast([v] * horizon, [v] * horizon, [v] * horizon, "constant", level)
    if len(values) >= MIN_SEASONAL_MODEL:
        fitted = _seasonal_ets(values, horizon, level)
        if fitted is not None:
            return fitted
    if len(values) > SEASON and _seasonal_errors_smaller(values):
        return _seasonal_naive(values, horizon, level)
    return _naive(values, horizon, level)


def _checked(history: Sequence[float], horizon: int, level: float) -> list[float]:
    if not 1 <= horizon <= MAX_HORIZON:
        raise BadInput(f"horizon must be 1–{MAX_HORIZON} months, got {horizon}")
    if not 0.5 <= level < 1:
        raise BadInput(f"level must be at least 0.5 and below 1, got {level}")
    values = [float(v) for v in history]
    if not values:
        raise BadInput("a forecast needs at least one month of history")
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise BadInput("demand history must be finite counts, zero or more")
    return values


def _seasonal_ets(values: list[float], horizon: int, level: float) -> Forecast | None:
    """AutoETS over the additive-error seasonal models on log(1 + y); None if none fits."""
    import numpy as np
    from statsforecast.models import AutoETS

    percent = round(level * 100, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model = AutoETS(season_length=SEASON, model="AZA").fit(np.log1p(values))
            out = model.predict(h=horizon, level=[percent])
        except Exception:  # statsforecast raises a bare Exception when nothing fits
            return None
    lo = next(v for k, v in out.items() if k.startswith("lo-"))
    hi = next(v for k, v in out.items() if k.startswith("hi-"))
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return None
    back = [max(0.0, float(math.expm1(v))) for v in out["mean"]]
    lower = [max(0.0, float(math.expm1(v))) for v in lo]
    upper = [max(m, float(math.expm1(v))) for m, v in zip(back, hi, strict=True)]
    method = f"{model.model_['method']} on log(1+y)"
    return Forecast(back, [min(lw, m) for lw, m in zip(lower, back, strict=True)], upper,
                    method, level)


def _seasonal_errors_smaller(values: list[float]) -> bool:
    """Whether last year's month clearly beat last month as a one-step forecast, over the same
    months (on noise without a season the two tie, and naive is the steadier)."""
    seasonal = [abs(values[t] - values[t - SEASON]) for t in range(SEASON, len(values))]
    naive = [abs(values[t] - values[t - 1]) for t in range(SEASON, len(values))]
    return sum(seasonal) < 0.8 * sum(naive)


def _seasonal_naive(values: list[float], horizon: int, level: float) -> Forecast:
    errors = [values[t] - values[t - SEASON] for t in range(SEASON, len(values))]
    mean = [values[len(values) - SEASON + (k % SEASON)] for k in range(horizon)]
    spread = [math.sqrt(1 + k // SEASON) for k in range(horizon)]
    return _with_interval(mean, spread, errors, level, "seasonal naive")


def _naive(values: list[float], horizon: int, level: float) -> Forecast:
    errors = [values[t] - values[t - 1] for t in range(1, len(values))]
    spread = [math.sqrt(k) for k in range(1, horizon + 1)]
    if len(errors) < 2 or not any(errors):  # no spread to learn from: take the count as Poisson
        sd = math.sqrt(max(values[-1], 1.0))
        return _interval([values[-1]] * horizon, [sd * s for s in spread],
                         _normal_quantile(level), level, "naive, Poisson interval")
    return _with_interval([values[-1]] * horizon, spread, errors, level, "naive")


def _with_interval(mean: list[float], spread: list[float], errors: list[float], level: float,
                   method: str) -> Forecast:
    """An interval from the root-mean-square of past errors, scaled by `spread` per month."""
    rms = math.sqrt(sum(e * e for e in errors) / len(errors))
    quantile = _t_quantile(level, len(errors))
    return _interval(mean, [rms * s for s in spread], quantile, level,
                     f"{method}, interval from {len(errors)} past errors")


def _interval(mean: list[float], sd: list[float], quantile: float, level: float,
              method: str) -> Forecast:
    lower = [max(0.0, m - quantile * s) for m, s in zip(mean, sd, strict=True)]
    upper = [m + quantile * s for m, s in zip(mean, sd, strict=True)]
    return Forecast(list(mean), lower, upper, method, level)


def _normal_quantile(level: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf((1 + level) / 2)


def _t_quantile(level: float, df: int) -> float:
    from scipy.stats import t

    return float(t.ppf((1 + level) / 2, df))
