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
            await _record_refusal(runtime, exc.message, scope.get("path", ""))
            await _refuse(scope, receive, send, exc.message)
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


async def _record_refusal(runtime: Any, reason: str, path: str) -> None:
    entry = payload(
        principal="unauthenticated",
        decision="unauthenticated",
        detail={"reason": reason, "path": path, "code": ErrorCode.UNAUTHENTICATED.value},
    )
    try:
        await runtime.audit.append([entry])
    except Exception:  # the refusal stands either way
        log.exception("could not record a refused token")
