"""Reporting periods: calendar months in China Standard Time (no daylight saving)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from hub.errors import BadInput, ErrorCode

CST = timezone(timedelta(hours=8), "CST")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        local = self.start.astimezone(CST)
        return f"{local.year:04d}-{local.month:02d}"

    def before(self, count: int) -> "Period":
        """The `count` months just before this one, as one period."""
        start = self.start.astimezone(CST)
        for _ in range(count):
            start = (start - timedelta(days=1)).replace(day=1)
        return Period(start, self.start)


def month(label: str) -> Period:
    """'2025-06' → that month in CST; BAD_FILTER otherwise."""
    match = _MONTH.match(label or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadInput(f"'{label[:20]}' is not a month like 2025-06", ErrorCode.BAD_FILTER)
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=CST)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CST)
    return Period(start, end)


def month_of(at: datetime) -> Period:
    local = at.astimezone(CST)
    return month(f"{local.year:04d}-{local.month:02d}")


def beijing(at: datetime) -> datetime:
    """A date-time as given, or read as Beijing time (Asia/Shanghai) when it names no zone:
    staff type 19:00 for an evening session, wherever the hub runs."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=CST)).astimezone(UTC)
