"""The HTTP door: authenticate before any resolver runs; refuse bad tokens with 401, on record."""

import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.access.gate import Gatekeeper
from hub.access.principal import ANONYMOUS, Principal
from hub.audit.log import payload
from hub.errors import ErrorCode, Unauthenticated

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
        except Unauthenticated as exc:
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.gate.refusals.note(client)
            entries = self.gate.refusals.summaries()
            if wait is None:
                entries.append(_refusal(exc.message, scope.get("path", "")))
            await record_refusals(runtime, entries)
            if wait is None:
                await _refuse(scope, receive, send, exc.message)
            else:
                await _too_many(scope, receive, send, wait)
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4401, "reason": "unauthenticated"})
        return
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    await JSONResponse(body, status_code=401, headers=headers)(scope, receive, send)


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4429, "reason": "too many refused tokens"})
        return
    body = {
        "data": None,
        "errors": [
            {
                "message": "too many refused tokens from this address; try again later",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ],
    }
    headers = {"Retry-After": str(int(wait + 0.999))}
    await JSONResponse(body, status_code=429, headers=headers)(scope, receive, send)


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
