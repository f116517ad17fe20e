"""Every request has a deadline (hub/limits.toml `[deadline] seconds`): set where the HTTP layer
takes the request (hub.web), carried as a context variable into every task the request starts,
and respected by each department, graph and cache call it makes: a call waits at most
min(its own timeout, the time left), and retries only within what is left.

Outside a request (linking, start-up, the CLI) there is no deadline: calls keep their own
timeouts.
"""

import time
from contextvars import ContextVar, Token

_DEADLINE: ContextVar[float | None] = ContextVar("hub_deadline", default=None)


def start(seconds: float) -> Token[float | None]:
    """From here on (in this task and those it starts), `seconds` from now is the deadline."""
    return _DEADLINE.set(time.monotonic() + seconds)


def reset(token: Token[float | None]) -> None:
    _DEADLINE.reset(token)


def left() -> float | None:
    """Seconds until the deadline (0 once passed); None outside a request."""
    at = _DEADLINE.get()
    return None if at is None else max(0.0, at - time.monotonic())


def budget(own: float) -> float:
    """What one call may wait: its own timeout, cut to the time left (0: none left)."""
    remaining = left()
    return own if remaining is None else min(own, remaining)
