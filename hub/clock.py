"""The hub's "now" for business rules: ballot deadlines, last month, overdue tasks.

Real time unless set: `set_now(at)` makes the clock read `at` from that moment and run on from
there (`running=False` holds it at `at`); `pinned(at)` does so for a `with` block. Tests pin
dates this way instead of patching `datetime`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo


@dataclass
class _Setting:
    offset: timedelta = timedelta(0)
    held: datetime | None = None


_set = _Setting()


def now() -> datetime:
    """Aware UTC."""
    if _set.held is not None:
        return _set.held
    return datetime.now(UTC) + _set.offset


def today(tz: tzinfo) -> date:
    """The date in `tz` (periods and due dates are in China Standard Time)."""
    return now().astimezone(tz).date()


def set_now(at: datetime | None, running: bool = True) -> None:
    """Read `at` (aware) from now on, running on or held; None: real time again."""
    if at is not None and at.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    _set.offset = at - datetime.now(UTC) if at is not None and running else timedelta(0)
    _set.held = None if at is None or running else at.astimezone(UTC)


@contextmanager
def pinned(at: datetime, running: bool = True) -> Iterator[None]:
    """`set_now(at, running)` for the block, then the clock as it was."""
    before = replace(_set)
    set_now(at, running)
    try:
        yield
    finally:
        _set.offset, _set.held = before.offset, before.held
