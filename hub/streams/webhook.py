"""`POST /streams/{department}`: a platform that pushes HTTP sends its events here, signed
with its shared secret: header `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
The body is one event object or a JSON array of them; the answer (after they are stored)
counts what was stored, duplicated and kept aside. A wrong or missing signature is 401 and
nothing of the body is kept."""

from __future__ import annotations

import hashlib
import hmac

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.streams.ingest import Message

MAX_BODY = 1_000_000
HEADER = "x-hub-signature-256"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _messages(topic: str, body: bytes) -> list[Message]:
    """Each element of an array is a message; anything else is one (kept aside if bad)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return [Message(topic, body)]
    if isinstance(data, list):
        return [Message(topic, orjson.dumps(item)) for item in data]
    return [Message(topic, body)]


async def receive(request: Request) -> JSONResponse:
    name = request.path_params["department"]
    streams = getattr(request.app.state.runtime, "streams", None)
    secret = streams.secrets.get(name) if streams else None
    if secret is None:
        return _error(404, "NOT_FOUND", f"no webhook department {name[:40]!r}")
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return _error(413, "REQUEST_TOO_LARGE", f"body over {MAX_BODY} bytes")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "REQUEST_TOO_LARGE", f"body over {MAX_BODY} bytes")
    if not hmac.compare_digest(request.headers.get(HEADER, ""), sign(secret, body)):
        return _error(401, "UNAUTHENTICATED", f"{name}: signature does not match the body")
    outcome = await streams.ingests[name].handle(_messages(f"webhook/{name}", body))
    return JSONResponse({"stored": outcome.stored, "duplicates": outcome.duplicates,
                         "aside": outcome.aside})


def routes() -> list[Route]:
    return [Route("/streams/{department}", receive, methods=["POST"])]
