"""接诉即办 indicators, computed from the records of one jurisdiction and period.

Definitions (also in README.md, "Residents' voice"): over the opinions *received* in the period
- responseRate: share with a first response within 24 hours of receipt;
- resolutionRate: among opinions with a resolution signal (the author's own "resolved?" answer,
  or a work order's 是否解决 field), share resolved; a hotline verdict alone is no such signal;
- satisfactionRate: among opinions with a satisfaction rating (the author's 1-5, or the
  hotline's callback verdict 满意 5 / 基本满意 4 / 不满意 2), share rated 4 or 5;
- hours to first response / to close: medians over opinions that have them.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from hub.civic.records import Opinion

RESPONSE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Kpis:
    received: int
    responded: int
    responded_in_time: int
    closed: int
    rated: int
    resolution_rated: int
    resolved: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    median_hours_to_first_response: float | None
    median_hours_to_close: float | None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_hours(deltas: list[timedelta]) -> float | None:
    return round(statistics.median(d.total_seconds() / 3600 for d in deltas), 2) if deltas else None


def compute(rows: Sequence[Opinion]) -> Kpis:
    first = [o.first_response_at - o.created_at for o in rows if o.first_response_at]
    close = [o.closed_at - o.created_at for o in rows if o.closed_at]
    rated = [o for o in rows if o.satisfaction is not None]
    judged = [o for o in rows if o.resolved is not None]
    in_time = sum(1 for d in first if d <= RESPONSE_WINDOW)
    resolved = sum(1 for o in judged if o.resolved)
    satisfied = sum(1 for o in rated if o.satisfaction >= 4)
    return Kpis(
        received=len(rows), responded=len(first), responded_in_time=in_time, closed=len(close),
        rated=len(rated), resolution_rated=len(judged), resolved=resolved, satisfied=satisfied,
        response_rate=_rate(in_time, len(rows)),
        resolution_rate=_rate(resolved, len(judged)),
        satisfaction_rate=_rate(satisfied, len(rated)),
        median_hours_to_first_response=_median_hours(first),
        median_hours_to_close=_median_hours(close),
    )
