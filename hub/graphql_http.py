"""GraphQL over HTTP at the door: body size, request shape, status codes, answer size.

Status codes follow the GraphQL-over-HTTP spec. A caller that accepts
`application/graphql-response+json` gets it, and a request error (a document that does not
parse or validate, variables that do not fit: an answer without data and without a field's
error) is HTTP 400. With plain `application/json` GraphQL errors stay HTTP 200, as legacy
clients expect, except for what is wrong with the request itself in any case: a body that is
not a JSON object with a query, an ambiguous operation, a document refused by the caller's
limits (400), a body over them (413).
"""

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.access.http import principal_of
from hub.errors import ErrorCode

GRAPHQL_RESPONSE = "application/graphql-response+json"
# Refused whatever the caller accepts: the request itself is wrong, not only its document.
ALWAYS_400 = {ErrorCode.BAD_REQUEST.value, ErrorCode.QUERY_TOO_COMPLEX.value}


def error_body(code: ErrorCode, message: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code.value, **extensions}}]}


def refusal(status: int, code: ErrorCode, message: str, accept: str | None = None) -> Response:
    """A request refused before any GraphQL was run, as a GraphQL answer without data."""
    media = GRAPHQL_RESPONSE if accepts_graphql_response(accept) else "application/json"
    return Response(orjson.dumps(error_body(code, message)), status, media_type=media)


def accepts_graphql_response(accept: str | None) -> bool:
    return GRAPHQL_RESPONSE in (accept or "")


def parse_body(raw: bytes | str) -> dict[str, Any]:
    """The request's JSON object; anything else is a 400 the caller can act on."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "the request body is not valid JSON") from None
    if isinstance(value, list):
        raise HTTPException(400, "batches are not accepted: send one operation per request")
    if not isinstance(value, dict):
        raise HTTPException(400, 'the request body must be a JSON object: {"query": "…"}')
    return value


def status_of(result: ExecutionResult, graphql_response: bool) -> int | None:
    """The HTTP status of this result when it is not 200."""
    errors = result.errors or []
    if any((e.extensions or {}).get("code") in ALWAYS_400 for e in errors):
        return 400
    request_error = errors and result.data is None and all(e.path is None for e in errors)
    return 400 if graphql_response and request_error else None


def within(encoded: bytes, limit: int) -> bool:
    return len(encoded) <= limit


def too_large_answer(size: int, limit: int) -> dict[str, Any]:
    message = (f"answer too large: {size} bytes exceeds the limit of {limit} for your role; "
               "ask for fewer or smaller pages")
    return {"data": None, **error_body(ErrorCode.ANSWER_TOO_LARGE, message, maximum=limit)}


class BodyLimit:
    """Refuses a body larger than the caller's role may send (413) from its Content-Length, or
    as soon as the bytes streamed in pass the limit: never read whole, never parsed. Sits
    behind AuthGate, which knows the caller."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = scope["app"].state.runtime.limits.of(principal_of(scope))
        headers = Headers(scope=scope)
        body = await _read(scope, headers, receive, limits.body_bytes)
        if body is None:
            message = f"request too large: the limit for your role is {limits.body_bytes} bytes"
            response = refusal(413, ErrorCode.REQUEST_TOO_LARGE, message, headers.get("accept"))
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read(scope: Scope, headers: Headers, receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is known to exceed `limit`."""
    if len(scope.get("query_string", b"")) > limit:
        return None
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # a disconnect, while the answer is computed
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
