"""Demand forecasts: intervals, horizons, fallbacks, accuracy and coverage on simulated series."""

import math
from datetime import date
from random import Random

import pytest

from demo.service_demand import monthly_demand
from hub.errors import BadInput, ErrorCode
from hub.services.backtest import backtest
from hub.services.forecast import MAX_HORIZON, forecast

COMMUNITIES = ["330105004001", "330105004002"]


def seasonal_series(seed: int, months: int, level: float = 60.0, noise: float = 0.08) -> list[int]:
    """Counts around a yearly cycle (peak in January) with log-normal noise on the mean."""
    rng = Random(seed)
    return [round(level * math.exp(0.35 * math.cos(2 * math.pi * t / 12) + rng.gauss(0, noise)))
            for t in range(months)]


@pytest.fixture(scope="module")
def demo_history() -> dict[tuple[str, str], list[int]]:
    return monthly_demand(7, COMMUNITIES, date(2025, 6, 1))


@pytest.mark.parametrize("months", [1, 2, 6, 13, 23, 24, 48])
@pytest.mark.parametrize("horizon", [1, 6, MAX_HORIZON])
def test_intervals_are_ordered_non_negative_and_as_long_as_the_horizon(
    demo_history: dict[tuple[str, str], list[int]], months: int, horizon: int,
) -> None:
    for series in demo_history.values():
        made = forecast(series[:months], horizon)
        assert len(made.mean) == len(made.lower) == len(made.upper) == horizon
        assert all(0 <= lo <= m <= hi for lo, m, hi in zip(made.lower, made.mean, made.upper, strict=True))
        assert made.level == 0.8 and made.method


def test_a_wider_level_gives_a_wider_interval(demo_history: dict) -> None:
    series = demo_history["330105004001", "meals"]
    narrow, wide = forecast(series, 6, 0.8), forecast(series, 6, 0.95)
    assert narrow.mean == wide.mean
    assert all(w < n for w, n in zip(wide.lower, narrow.lower, strict=True) if n > 0)
    assert all(w > n for w, n in zip(wide.upper, narrow.upper, strict=True))


@pytest.mark.parametrize(("history", "horizon", "level", "message"), [
    ([], 6, 0.8, "at least one month"),
    ([3, -1, 4], 6, 0.8, "zero or more"),
    ([3, float("nan"), 4], 6, 0.8, "finite"),
    ([3, 4], 0, 0.8, "horizon"),
    ([3, 4], MAX_HORIZON + 1, 0.8, "horizon"),
    ([3, 4], 6, 1.0, "level"),
    ([3, 4], 6, 0.3, "level"),
])
def test_bad_input_is_refused_with_its_reason(
    history: list[float], horizon: int, level: float, message: str,
) -> None:
    with pytest.raises(BadInput, match=message) as raised:
        forecast(history, horizon, level)
    assert raised.value.code == ErrorCode.BAD_INPUT


def test_one_month_gets_a_poisson_interval_not_a_certainty() -> None:
    made = forecast([16], 4)
    assert made.method == "naive, Poisson interval" and made.mean == [16.0] * 4
    assert made.upper[0] - made.lower[0] == pytest.approx(2 * 1.2816 * 4, rel=1e-3)
    assert made.upper[3] - made.lower[3] > made.upper[0] - made.lower[0]


def test_a_few_months_fall_back_to_naive_with_the_spread_of_their_changes() -> None:
    made = forecast([10, 14, 9, 12, 11], 3)
    assert made.method == "naive, interval from 4 past errors" and made.mean == [11.0] * 3
    assert made.lower[0] < 11 < made.upper[0]
    assert forecast([3, 3, 3], 2).method == "naive, Poisson interval"


def test_under_two_years_a_clear_season_is_repeated_and_noise_is_not() -> None:
    seasonal = seasonal_series(1, 20, noise=0.01)
    made = forecast(seasonal, 6)
    assert made.method.startswith("seasonal naive") and made.mean == seasonal[8:14]
    rng = Random(2)
    flat = [round(rng.gauss(20, 4)) for _ in range(20)]
    assert forecast(flat, 6).method.startswith("naive")


@pytest.mark.parametrize("value", [0, 7])
def test_a_year_of_one_value_is_forecast_as_that_value(value: int) -> None:
    made = forecast([value] * 30, 6)
    assert made.method == "constant"
    assert made.mean == made.lower == made.upper == [float(value)] * 6


def test_sparse_counts_with_many_zeros_give_finite_forecasts() -> None:
    rng = Random(3)
    sparse = [1 if rng.random() < 0.2 else 0 for _ in range(40)]
    made = forecast(sparse, 6)
    assert all(math.isfinite(v) for v in made.mean + made.lower + made.upper)
    assert all(0 <= lo <= m <= hi <= 5 for lo, m, hi in zip(made.lower, made.mean, made.upper, strict=True))


def test_a_seasonal_series_is_forecast_better_than_naive_and_seasonal_naive() -> None:
    result = backtest(seasonal_series(5, 60), horizon=6, origins=12)
    assert all(f.method.startswith("ETS(") for f in result.forecasts)
    assert result.mae < 0.6 * result.benchmark_mae["naive"]
    assert result.mae < 0.9 * result.benchmark_mae["seasonal_naive"]
    assert result.mase_seasonal is not None and result.mase_seasonal < 0.9


def test_eighty_percent_intervals_cover_about_eighty_percent_of_a_long_series() -> None:
    covered = [backtest(seasonal_series(seed, 96), horizon=6, origins=12).coverage
               for seed in (11, 12, 13)]
    assert 0.7 <= sum(covered) / len(covered) <= 0.9, covered


def test_backtest_reports_each_origin_and_refuses_too_short_a_history() -> None:
    result = backtest(list(range(1, 21)), horizon=3, origins=4)
    assert result.origins == [14, 15, 16, 17]
    assert result.actual[0] == [15.0, 16.0, 17.0] and len(result.forecasts) == 4
    assert result.mase_seasonal == pytest.approx(result.mae / 12)
    assert result.mase_naive == pytest.approx(result.mae / 1)
    assert set(result.benchmark_mae) == {"naive", "seasonal_naive"}
    assert backtest([1, 2, 3, 4, 5, 6], horizon=2, origins=2).mase_seasonal is None
    with pytest.raises(BadInput, match="too few"):
        backtest([1, 2, 3], horizon=3, origins=1)


def test_first_over_names_the_first_month_above_capacity() -> None:
    made = forecast(list(range(10, 24)), 6)
    assert made.first_over(made.mean[2] - 0.5) in (1, 2, 3)
    assert made.first_over(max(made.mean)) is None


def test_a_repeated_forecast_is_the_same_but_the_caller_owns_its_lists() -> None:
    history = seasonal_series(21, 40)
    first = forecast(history, 6)
    first.mean[0] = -1.0
    again = forecast(history, 6)
    assert again.mean[0] != -1.0 and again == forecast(list(history), 6)
    assert again.mean is not forecast(history, 6).mean
