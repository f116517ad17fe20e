"""A circuit breaker per department: after `failures` consecutive failed round-trips it opens
and calls fail at once (SOURCE_UNAVAILABLE) instead of waiting for a department that does not
answer; after `cool_down_seconds` one call goes through as a probe (half-open), and its
outcome closes the breaker or opens it again.

Our own small class rather than a library: aiobreaker and purgatory wrap a coroutine per call,
while here a call's outcome is known only inside the connector's retry loop (a 404 or a
malformed body is an answer, a timeout is not), and the state must be readable for /ready and
a gauge. State lives per process, as the connector does.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from prometheus_client import Gauge

BREAKER_STATE = Gauge(
    "hub_connector_breaker_state",
    "Circuit breaker of a department: 0 closed, 1 half-open (probing), 2 open.",
    ["connector"],
)


class State(IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass(frozen=True)
class BreakerSettings:
    failures: int = 2  # consecutive failed round-trips that open it
    cool_down_seconds: float = 5.0  # open this long before a probe goes through


class Breaker:
    def __init__(
        self,
        name: str,
        settings: BreakerSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.settings = settings or BreakerSettings()
        self.clock = clock
        self.state = State.CLOSED
        self.failures = 0
        self._since = 0.0  # when it opened, or when the probe went out
        BREAKER_STATE.labels(name).set(0)

    def allow(self) -> bool:
        """Whether a round-trip may go out now (the first after a cool-down is the probe)."""
        if self.state is State.CLOSED:
            return True
        if self.clock() - self._since < self.settings.cool_down_seconds:
            return False  # open and cooling down, or a probe under way
        self._set(State.HALF_OPEN)  # a probe lost without an outcome is replaced, too
        return True

    def succeeded(self) -> None:
        self.failures = 0
        if self.state is not State.CLOSED:
            self._set(State.CLOSED)

    def failed(self) -> None:
        self.failures += 1
        if self.state is State.HALF_OPEN or self.failures >= self.settings.failures:
            self._set(State.OPEN)

    @property
    def label(self) -> str:
        return self.state.name.lower().replace("_", "-")

    def _set(self, state: State) -> None:
        self.state = state
        self._since = self.clock()
        BREAKER_STATE.labels(self.name).set(int(state))
