"""Monthly demand for public services per community × need, with its ground truth.

Demand is what residents ask of a service in a month (requests, sign-ups, complaints about its
absence). Each series has a community-specific level, a slow trend, a yearly season (meals and
care up in winter, childcare enrolment in autumn, culture and sport in summer, jobs after the
Spring Festival), over-dispersed count noise, and for a few pairs a planted regime change or an
unmet need. `demand_truth` says what was planted and the monthly capacity of every module a
community runs (a pair without capacity has no module).

Everything is relative to the month of `end`; the value of one calendar month does not depend on
how many months are asked for. Pure Python, deterministic for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from random import Random

NEEDS: dict[str, str] = {
    "government": "政务服务",
    "elderly_care": "养老服务",
    "meals": "助餐服务",
    "childcare": "托育服务",
    "disability": "助残服务",
    "health": "医疗健康",
    "employment": "就业服务",
    "legal": "法律服务",
    "culture": "文体服务",
    "convenience": "便民服务",
}

# Requests a month in a community of about 2,500 residents of average age mix.
_BASE = {
    "government": 110, "elderly_care": 55, "meals": 45, "childcare": 22, "disability": 12,
    "health": 75, "employment": 26, "legal": 11, "culture": 48, "convenience": 85,
}
# Which side of the community's age mix drives a need: "old", "young" or neither.
_DRIVER = {
    "elderly_care": "old", "meals": "old", "health": "old", "disability": "old",
    "childcare": "young", "employment": "young", "culture": "young",
}
# Multipliers for January … December.
_SEASON = {
    "government": (1.00, 0.80, 1.15, 1.05, 1.00, 1.00, 0.95, 0.95, 1.05, 0.95, 1.00, 1.10),
    "elderly_care": (1.20, 1.15, 1.05, 0.95, 0.90, 0.85, 0.90, 0.90, 0.95, 1.00, 1.05, 1.15),
    "meals": (1.25, 1.20, 1.05, 0.95, 0.90, 0.85, 0.85, 0.85, 0.95, 1.00, 1.10, 1.20),
    "childcare": (0.85, 0.75, 1.00, 0.95, 0.95, 1.05, 1.10, 1.30, 1.40, 1.00, 0.85, 0.80),
    "disability": (1.05, 0.95, 1.00, 1.00, 1.00, 1.00, 0.95, 0.95, 1.00, 1.00, 1.05, 1.05),
    "health": (1.30, 1.20, 1.05, 0.95, 0.90, 0.85, 0.85, 0.85, 0.90, 0.95, 1.05, 1.25),
    "employment": (0.90, 1.35, 1.30, 1.10, 0.95, 0.90, 1.00, 0.95, 0.90, 0.90, 0.90, 0.85),
    "legal": (1.05, 0.85, 1.05, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.05),
    "culture": (0.80, 0.85, 0.95, 1.05, 1.10, 1.20, 1.35, 1.30, 1.05, 1.00, 0.75, 0.70),
    "convenience": (0.95, 0.80, 0.95, 1.00, 1.05, 1.10, 1.20, 1.15, 1.00, 0.95, 0.90, 0.95),
}
_DISPERSION = 120.0  # gamma shape of the month-to-month noise on the mean (CV about 9 %)


@dataclass(frozen=True, slots=True)
class RegimeChange:
    """From `month` on, demand moves towards `factor` × what it would have been, over `ramp`
    months (1 = a step)."""

    community: str
    need: str
    month: date
    factor: float
    ramp: int
    description: str


@dataclass(frozen=True, slots=True)
class DemandTruth:
    """What the generator planted for one seed, community list and end month."""

    regime_changes: list[RegimeChange]
    unmet_needs: list[tuple[str, str, str]]  # (community, need, "no_module" | "over_capacity")
    capacity: dict[tuple[str, str], int] = field(default_factory=dict)  # a month; absent: no module
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)  # of each unmet need


def month_starts(end: date, months: int) -> list[date]:
    """The first days of the `months` months up to and including the month of `end`."""
    return [_shift(end, k - months + 1) for k in range(months)]


def monthly_demand(
    seed: int, communities: Sequence[str], end: date, months: int = 48,
) -> dict[tuple[str, str], list[int]]:
    """(community, need) → counts per month, oldest first, the last one for the month of `end`."""
    if months < 1:
        raise ValueError("months must be at least 1")
    plan = _Plan(seed, communities, end)
    return {(c, n): [plan.count(c, n, k) for k in range(1 - months, 1)]
            for c in communities for n in NEEDS}


def demand_truth(seed: int, communities: Sequence[str], end: date) -> DemandTruth:
    """The regime changes, unmet needs and module capacities behind `monthly_demand`."""
    plan = _Plan(seed, communities, end)
    capacity = {(c, n): plan.capacity(c, n) for c in communities for n in NEEDS
                if (c, n, "no_module") not in plan.unmet}
    return DemandTruth(
        regime_changes=list(plan.regimes.values()),
        unmet_needs=list(plan.unmet),
        capacity=capacity,
        descriptions=dict(plan.unmet_descriptions),
    )


def _shift(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# (slot, need, factor, ramp, months before end it starts, description); slot picks a community.
_REGIMES = (
    (0, "meals", 0.6, 2, 15, "长者食堂开业，助餐相关的求助与投诉明显下降"),
    (1, "elderly_care", 1.7, 12, 26, "老旧小区老龄化加快，居家养老服务需求持续上升"),
    (2, "childcare", 1.6, 6, 20, "新建小区交付，年轻家庭入住，托育需求上升"),
    (3, "health", 0.7, 1, 30, "社区卫生服务站扩建，就医求助减少"),
)
# (slot, need, kind, growth factor over the last `ramp` months, ramp, description)
_UNMET = (
    (1, "elderly_care", "over_capacity", 1.0, 0, "居家养老需求已超过日间照料中心的服务能力"),
    (2, "childcare", "over_capacity", 1.0, 0, "托育需求超过现有托育点名额"),
    (4, "meals", "no_module", 2.2, 24, "独居老人多，助餐需求上升，但社区尚无助餐点"),
    (5, "childcare", "no_module", 2.2, 18, "婴幼儿家庭增多，社区尚无托育服务"),
    (6, "culture", "over_capacity", 1.45, 18, "文体活动报名超过活动室容量"),
)


class _Plan:
    """Levels, trends and planted events for one seed and community list."""

    def __init__(self, seed: int, communities: Sequence[str], end: date) -> None:
        self.seed, self.end = seed, end
        rng = Random(f"service-demand:{seed}")
        order = list(communities)
        rng.shuffle(order)
        self.profile = {c: self._profile(c) for c in communities}
        self.regimes: dict[tuple[str, str], RegimeChange] = {}
        self.growth: dict[tuple[str, str], tuple[float, int]] = {}
        self.unmet: dict[tuple[str, str, str], None] = {}
        self.unmet_descriptions: dict[tuple[str, str], str] = {}
        if order:
            self._plant(order)

    def _profile(self, community: str) -> tuple[float, float, float]:
        rng = Random(f"service-demand:{self.seed}:{community}")
        return rng.uniform(0.8, 1.25), rng.uniform(0.75, 1.35), rng.uniform(0.75, 1.35)

    def _plant(self, order: list[str]) -> None:
        for slot, need, factor, ramp, back, text in _REGIMES:
            c = order[slot % len(order)]
            if (c, need) not in self.regimes:
                month = _shift(self.end, -back)
                self.regimes[c, need] = RegimeChange(c, need, month, factor, ramp, text)
        for slot, need, kind, factor, ramp, text in _UNMET:
            c = order[slot % len(order)]
            taken = (c, need) in self.unmet_descriptions or (ramp and (c, need) in self.regimes)
            if taken:
                continue
            if ramp:
                self.growth[c, need] = (factor, ramp)
            self.unmet[c, need, kind] = None
            self.unmet_descriptions[c, need] = text

    def expected(self, community: str, need: str, k: int) -> float:
        """Mean demand `k` months after the month of `end` (k ≤ 0 is history)."""
        size, old, young = self.profile[community]
        mix = {"old": old, "young": young}.get(_DRIVER.get(need, ""), 1.0)
        trend = Random(f"service-demand:{self.seed}:{community}:{need}").uniform(-0.002, 0.003)
        month = _shift(self.end, k).month
        level = _BASE[need] * size * mix * math.exp(trend * k) * _SEASON[need][month - 1]
        return level * self._regime(community, need, k) * self._growth(community, need, k)

    def _regime(self, community: str, need: str, k: int) -> float:
        change = self.regimes.get((community, need))
        if change is None:
            return 1.0
        start = (change.month.year - self.end.year) * 12 + change.month.month - self.end.month
        done = min(1.0, max(0.0, (k - start + 1) / change.ramp))
        return 1.0 + (change.factor - 1.0) * done

    def _growth(self, community: str, need: str, k: int) -> float:
        factor, ramp = self.growth.get((community, need), (1.0, 1))
        done = min(1.0, max(0.0, (k + ramp) / ramp))
        return factor ** done

    def count(self, community: str, need: str, k: int) -> int:
        month = _shift(self.end, k)
        rng = Random(f"service-demand:{self.seed}:{community}:{need}:{month.isoformat()}")
        mean = self.expected(community, need, k) * rng.gammavariate(_DISPERSION, 1 / _DISPERSION)
        return _poisson(rng, mean)

    def capacity(self, community: str, need: str) -> int:
        """Comfortably above the last year's peak, except where over capacity was planted."""
        if (community, need, "over_capacity") in self.unmet:
            recent = sum(self.expected(community, need, k) for k in range(-5, 1)) / 6
            return max(1, round(recent * 0.75))
        peak = max(self.expected(community, need, k) for k in range(-11, 1))
        return 5 * math.ceil((1.3 * peak + 3 * math.sqrt(peak)) / 5)


def _poisson(rng: Random, mean: float) -> int:
    """A Poisson draw: Knuth's product method for small means, a rounded normal above."""
    if mean >= 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, n = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        n += 1
    return n
