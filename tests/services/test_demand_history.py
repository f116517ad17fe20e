"""The demo demand history: deterministic, complete, and showing what it says it planted."""

from datetime import date
from statistics import mean

import pytest

from demo.service_demand import NEEDS, demand_truth, month_starts, monthly_demand

COMMUNITIES = [f"330105004{i:03d}" for i in range(1, 9)]
END = date(2025, 6, 18)
SEEDS = [7, 42, 2025]


def months_back(day: date) -> int:
    """How many months before the month of END `day` is (0 = END's month)."""
    return (END.year - day.year) * 12 + END.month - day.month


def window(series: list[int], first_back: int, length: int = 12) -> list[int]:
    """`length` months starting `first_back` months before the last one."""
    start = len(series) - 1 - first_back
    return series[start:start + length]


def test_same_seed_same_history_other_seed_other_history() -> None:
    first = monthly_demand(7, COMMUNITIES, END)
    assert monthly_demand(7, COMMUNITIES, END) == first
    assert monthly_demand(8, COMMUNITIES, END) != first
    assert demand_truth(7, COMMUNITIES, END) == demand_truth(7, COMMUNITIES, END)


def test_every_pair_has_the_months_asked_for_ending_in_the_month_of_end() -> None:
    history = monthly_demand(7, COMMUNITIES, END, months=60)
    assert set(history) == {(c, n) for c in COMMUNITIES for n in NEEDS}
    assert {len(series) for series in history.values()} == {60}
    assert all(v >= 0 for series in history.values() for v in series)
    shorter = monthly_demand(7, COMMUNITIES, END, months=48)
    assert all(shorter[pair] == series[12:] for pair, series in history.items())
    starts = month_starts(END, 60)
    assert starts[-1] == date(2025, 6, 1) and starts[0] == date(2020, 7, 1)


def test_months_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        monthly_demand(7, COMMUNITIES, END, months=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_regime_changes_show_as_a_level_change_between_the_same_calendar_months(seed: int) -> None:
    history = monthly_demand(seed, COMMUNITIES, END)
    truth = demand_truth(seed, COMMUNITIES, END)
    assert len(truth.regime_changes) >= 3
    for change in truth.regime_changes:
        series = history[change.community, change.need]
        start = months_back(change.month)
        before = mean(window(series, start + 12))
        after = mean(window(series, start - change.ramp))
        halfway = 1 + (change.factor - 1) / 2
        ratio = after / before
        assert ratio < halfway if change.factor < 1 else ratio > halfway, (change, ratio)


@pytest.mark.parametrize("seed", SEEDS)
def test_unmet_needs_show_in_the_series_and_the_capacities(seed: int) -> None:
    history = monthly_demand(seed, COMMUNITIES, END)
    truth = demand_truth(seed, COMMUNITIES, END)
    kinds = {kind for _, _, kind in truth.unmet_needs}
    assert kinds == {"no_module", "over_capacity"} and len(truth.unmet_needs) >= 4
    unmet = {(c, n): kind for c, n, kind in truth.unmet_needs}
    for (community, need), series in history.items():
        kind = unmet.get((community, need))
        if kind == "no_module":
            assert (community, need) not in truth.capacity
            assert mean(series[-12:]) > 1.4 * mean(series[:12])
        elif kind == "over_capacity":
            assert mean(series[-6:]) > truth.capacity[community, need]
        else:
            assert max(series[-12:]) <= truth.capacity[community, need], (community, need)
    assert set(truth.descriptions) == set(unmet)


def test_a_single_community_gets_no_contradictory_plants() -> None:
    truth = demand_truth(7, COMMUNITIES[:1], END)
    pairs = [(c, n) for c, n, _ in truth.unmet_needs]
    assert len(pairs) == len(set(pairs)) >= 3
    regimes = {(r.community, r.need) for r in truth.regime_changes}
    assert all((c, n) not in regimes for c, n, kind in truth.unmet_needs if kind == "no_module")
    assert len(monthly_demand(7, COMMUNITIES[:1], END)) == len(NEEDS)
