"""Demand forecasts by rolling origin: accuracy against seasonal naive and naive, interval coverage.

    python -m bench.services_forecast [--seeds 7 42 2025] [--origins 6] [--horizon 6]

Series: the demo demand history (demo/service_demand.py, 8 communities × 10 needs, 48 months,
per seed) and two shapes that generator does not produce, made here:
  sparse    — intermittent counts (mean 0.2–3 a month, many zero months), no seasonality, one
              level shift (× 0.4–2.5) at a random month;
  growth    — multiplicative seasonality riding on steady growth (1–3 % a month), so the
              seasonal swing widens with the level (the demo's season is a fixed share).
Each series: `origins` forecasts from the last possible origins, `horizon` months ahead
(hub/services/backtest.py). Reported per set: medians over series of MASE (scaled by the
in-sample one-step seasonal naive, m = 12, and naive, m = 1), of the relative MAE against the
seasonal naive and naive forecasts over the same months, and the share of actual months inside
the 80 % interval (median over series and pooled). Also the cost: import and first forecast
in a fresh process, and a forecast once warm (medians over repeats).
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from random import Random

from demo.service_demand import monthly_demand
from hub.services.backtest import Backtest, backtest

COMMUNITIES = [f"330105004{i:03d}" for i in range(1, 9)]
END = date(2025, 6, 1)
MONTHS = 48


def demo_series(seed: int) -> list[list[float]]:
    return [[float(v) for v in s] for s in monthly_demand(seed, COMMUNITIES, END, MONTHS).values()]


def sparse_series(seed: int, count: int = 80) -> list[list[float]]:
    rng = Random(f"bench-sparse:{seed}")
    out = []
    for _ in range(count):
        rate, shift_at, shift = rng.uniform(0.2, 3.0), rng.randrange(12, 40), rng.uniform(0.4, 2.5)
        out.append([float(_poisson(rng, rate * (shift if t >= shift_at else 1.0)))
                    for t in range(MONTHS)])
    return out


def growth_series(seed: int, count: int = 80) -> list[list[float]]:
    rng = Random(f"bench-growth:{seed}")
    out = []
    for _ in range(count):
        level, growth = rng.uniform(20, 120), rng.uniform(0.01, 0.03)
        amplitude, peak = rng.uniform(0.2, 0.45), rng.randrange(12)
        means = [level * math.exp(growth * t) * (1 + amplitude * math.cos(2 * math.pi * (t - peak)
                 / 12)) for t in range(MONTHS)]
        out.append([float(_poisson(rng, m * rng.gammavariate(100, 0.01))) for m in means])
    return out


def _poisson(rng: Random, mean: float) -> int:
    if mean >= 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, n = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        n += 1
    return n


def summarise(name: str, runs: list[Backtest]) -> dict[str, object]:
    def median(values: list[float | None]) -> float:
        return statistics.median(v for v in values if v is not None)

    pooled = [b.coverage for b in runs]
    methods = Counter(f.method.split(", ")[0] for b in runs for f in b.forecasts)
    return {
        "set": name, "series": len(runs),
        "mase_seasonal": median([b.mase_seasonal for b in runs]),
        "mase_naive": median([b.mase_naive for b in runs]),
        "rel_seasonal_naive": median([b.mae / b.benchmark_mae["seasonal_naive"]
                                      if b.benchmark_mae.get("seasonal_naive") else None
                                      for b in runs]),
        "rel_naive": median([b.mae / b.benchmark_mae["naive"] if b.benchmark_mae["naive"] else None
                             for b in runs]),
        "coverage_median": statistics.median(pooled),
        "coverage_pooled": statistics.fmean(pooled),
        "methods": dict(methods.most_common(4)),
    }


def cost(repeats: int = 3) -> dict[str, float]:
    """Import, first forecast (fresh process) and a warm forecast, medians over `repeats`."""
    probe = ("import time; t0 = time.perf_counter(); from hub.services.forecast import forecast;"
             "import statsforecast.models; t1 = time.perf_counter();"
             "y = [20 + (i % 12) + (i * 7) % 5 for i in range(48)]; forecast(y);"
             "t2 = time.perf_counter(); forecast(y[:-1]); t3 = time.perf_counter();"
             "print(t1 - t0, t2 - t1, t3 - t2)")
    rows = [[float(v) for v in subprocess.run([sys.executable, "-c", probe], check=True,
                                              capture_output=True, text=True).stdout.split()]
            for _ in range(repeats)]
    names = ("import_s", "first_forecast_s", "warm_forecast_s")
    return {n: statistics.median(r[i] for r in rows) for i, n in enumerate(names)}


def street_cost(repeats: int = 3) -> dict[str, float]:
    """A street's 80 demo series forecast once (cold) and again (kept), in a fresh process."""
    probe = ("import time; from datetime import date; from bench.services_forecast import *;"
             "from hub.services.forecast import forecast; forecast([1.0, 2.0]);"
             "s = list(monthly_demand(42, COMMUNITIES, END, MONTHS).values());"
             "t0 = time.perf_counter(); [forecast(x) for x in s]; t1 = time.perf_counter();"
             "[forecast(x) for x in s]; print(t1 - t0, time.perf_counter() - t1)")
    rows = [[float(v) for v in subprocess.run([sys.executable, "-c", probe], check=True,
                                              capture_output=True, text=True).stdout.split()]
            for _ in range(repeats)]
    return {"street_cold_s": statistics.median(r[0] for r in rows),
            "street_kept_s": statistics.median(r[1] for r in rows)}


def run_set(series: list[list[float]], horizon: int, origins: int) -> list[Backtest]:
    return [backtest(s, horizon, origins) for s in series]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 42, 2025])
    parser.add_argument("--origins", type=int, default=6)
    parser.add_argument("--horizon", type=int, default=6)
    args = parser.parse_args(argv)
    print(cost(), street_cost())
    sets: dict[str, Callable[[int], list[list[float]]]] = {
        "demo": demo_series, "sparse": sparse_series, "growth": growth_series}
    for name, make in sets.items():
        started = time.perf_counter()
        runs = [b for seed in args.seeds for b in run_set(make(seed), args.horizon, args.origins)]
        took = (time.perf_counter() - started) / (len(runs) * args.origins)
        print({**summarise(name, runs), "ms_per_forecast": round(1000 * took, 1)})


if __name__ == "__main__":
    main()
