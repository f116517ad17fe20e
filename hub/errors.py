"""One error tree for the hub. Driver exceptions are converted at the boundary they cross."""

from enum import StrEnum


class ErrorCode(StrEnum):
    """Values of `extensions.code` in GraphQL errors."""

    BAD_ID = "BAD_ID"
    BAD_PAGE = "BAD_PAGE"
    BAD_FILTER = "BAD_FILTER"
    BAD_INPUT = "BAD_INPUT"
    SOURCE_UNAVAILABLE = "SOURCE_UNAVAILABLE"
    SOURCE_MALFORMED = "SOURCE_MALFORMED"
    GRAPH_UNAVAILABLE = "GRAPH_UNAVAILABLE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    CONFIG = "CONFIG"
    # refused before execution, or an answer too large to send (hub/limits.py)
    BAD_REQUEST = "BAD_REQUEST"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    ANSWER_TOO_LARGE = "ANSWER_TOO_LARGE"
    # the residents' voice (hub/civic)
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_PLACE = "UNKNOWN_PLACE"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    OUT_OF_JURISDICTION = "OUT_OF_JURISDICTION"
    BALLOT_CLOSED = "BALLOT_CLOSED"
    VOTING_NOT_OPEN = "VOTING_NOT_OPEN"
    ALREADY_VOTED = "ALREADY_VOTED"
    NOT_A_PARTICIPANT = "NOT_A_PARTICIPANT"
    PLAN_NOT_DONE = "PLAN_NOT_DONE"
    BAD_STATE = "BAD_STATE"
    # precise services (hub/services)
    ALREADY_ANSWERED = "ALREADY_ANSWERED"
    NOT_IN_AUDIENCE = "NOT_IN_AUDIENCE"


class HubError(Exception):
    """Root of every error the hub raises on purpose."""

    code: ErrorCode = ErrorCode.BAD_INPUT

    def __init__(
        self, message: str, *, suggestion: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message  # for the caller: names a department or store, never where
        self.suggestion = suggestion
        self.detail = detail  # for the server log only: addresses, what a driver said


class ConfigError(HubError):
    """Configuration that cannot work; raised at start-up, naming file and field."""

    code = ErrorCode.CONFIG


class BadInput(HubError):
    """A request the caller can fix."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.BAD_INPUT, **kw: str) -> None:
        super().__init__(message, **kw)
        self.code = code


class ConnectorError(HubError):
    """A department system failed. `retriable` says whether trying again may help."""

    code = ErrorCode.SOURCE_UNAVAILABLE

    def __init__(
        self, connector: str, message: str, *, retriable: bool = True, detail: str | None = None
    ) -> None:
        super().__init__(f"{connector}: {message}", detail=detail)
        self.connector = connector
        self.retriable = retriable


class MalformedRecord(ConnectorError):
    """A source row that does not fit its declared mapping; fails only the fields needing it."""

    code = ErrorCode.SOURCE_MALFORMED

    def __init__(self, connector: str, message: str) -> None:
        super().__init__(connector, message, retriable=False)


class GraphUnavailable(HubError):
    code = ErrorCode.GRAPH_UNAVAILABLE

    @classmethod
    def of(cls, store: str, where: str, exc: BaseException) -> "GraphUnavailable":
        """The store by name for the caller; where it runs and what failed for the log."""
        return cls(f"the link graph ({store}) is unavailable", detail=f"{where}: {exc}")


class AccessDenied(HubError):
    code = ErrorCode.FORBIDDEN


class Unauthenticated(HubError):
    """A token that is missing where required, malformed, expired, wrongly signed or unknown."""

    code = ErrorCode.UNAUTHENTICATED
