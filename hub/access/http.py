"""The HTTP door: authenticate before any resolver runs; refuse bad tokens with 401, on record."""

import logging
from typing import Any, NamedTuple

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.access.gate import Gatekeeper
from hub.access.principal import ANONYMOUS, Principal
from hub.audit.log import payload
from hub.errors import ErrorCode, GraphUnavailable, Unauthenticated

log = logging.getLogger("hub.access")

PRINCIPAL = "hub.principal"  # the ASGI scope key the authenticated principal travels under


def principal_of(scope: Any) -> Principal:
    """The principal AuthGate put on this request (anonymous when none)."""
    return scope.get(PRINCIPAL, ANONYMOUS)  # type: ignore[no-any-return]


class AuthGate:
    """Wraps an ASGI app (the GraphQL endpoint, the log export) with authentication."""

    def __init__(self, app: ASGIApp, gate: Gatekeeper) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        runtime = scope["app"].state.runtime
        header = Headers(scope=scope).get("authorization")
        try:
            scope[PRINCIPAL] = await self.gate.principal(header, runtime.policies, runtime.links)
        except GraphUnavailable as exc:  # the token's jurisdiction cannot be checked now
            log.warning("%s: %s", exc.message, exc.detail)
            await _reject(scope, receive, send, _GRAPH_DOWN, exc.message, {"Retry-After": "5"})
            return
        except Unauthenticated as exc:
            wait = await refused(self.gate, runtime, scope, exc.message)
            if wait is None:
                await _refuse(scope, receive, send, exc.message)
            else:
                await _too_many(scope, receive, send, wait)
            return
        await self.app(scope, receive, send)


async def refused(gate: Gatekeeper, runtime: Any, scope: Scope, reason: str) -> float | None:
    """A token refused on this connection, on record (or counted, past the client's burst):
    None when it was recorded, else the seconds the client is to wait (429)."""
    client = (scope.get("client") or ("unknown", 0))[0]
    wait = await gate.refusals.note(client, runtime.redis)
    entries = gate.refusals.summaries()
    if wait is None:
        entries.append(_refusal(reason, scope.get("path", "")))
    await record_refusals(runtime, entries)
    return wait


class _Rejection(NamedTuple):
    status: int  # HTTP
    close_code: int  # WebSocket
    reason: str
    code: str  # the GraphQL error's extensions.code


_UNAUTHENTICATED = _Rejection(401, 4401, "unauthenticated", "UNAUTHENTICATED")
_TOO_MANY = _Rejection(429, 4429, "too many refused tokens", "RATE_LIMITED")
_GRAPH_DOWN = _Rejection(503, 1013, "graph unavailable", ErrorCode.GRAPH_UNAVAILABLE.value)


async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    await _reject(scope, receive, send, _UNAUTHENTICATED, message, headers)


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float) -> None:
    message = "too many refused tokens from this address; try again later"
    headers = {"Retry-After": str(int(wait + 0.999))}
    await _reject(scope, receive, send, _TOO_MANY, message, headers)


async def _reject(
    scope: Scope,
    receive: Receive,
    send: Send,
    rejection: _Rejection,
    message: str,
    headers: dict[str, str],
) -> None:
    """A GraphQL error answer, or a WebSocket close."""
    if scope["type"] == "websocket":
        await send(
            {"type": "websocket.close", "code": rejection.close_code, "reason": rejection.reason}
        )
        return
    error = {"message": message, "extensions": {"code": rejection.code}}
    body = {"data": None, "errors": [error]}
    await JSONResponse(body, status_code=rejection.status, headers=headers)(scope, receive, send)


def _refusal(reason: str, path: str) -> dict[str, Any]:
    return payload(
        principal="unauthenticated",
        decision="unauthenticated",
        detail={"reason": reason, "path": path, "code": ErrorCode.UNAUTHENTICATED.value},
    )


async def record_refusals(runtime: Any, entries: list[dict[str, Any]]) -> None:
    if not entries:
        return
    try:
        await runtime.audit.append(entries)
    except Exception:  # the refusal stands either way
        log.exception("could not record refused tokens")
