"""A tiny Starlette stand-in for the civil and urban REST systems, served by uvicorn in a
background thread. It records every request so tests can see what reached the server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.connectors import data

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class ServerState:
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failures_left: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    gather: int = 2  # how many requests the gathering endpoint holds until they are together
    gathered: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> None:
        self.requests.clear()
        self.failures_left = self.in_flight = self.max_in_flight = 0
        self.gathered = asyncio.Event()

    def params(self, path: str) -> list[dict[str, str]]:
        return [p for _, s, p in self.requests if s == path]


def _since(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _care_list(request: Request) -> Response:
    q = request.query_params
    page, size = int(q.get("page", 1)), int(q.get("page_size", 100))
    if size > 500 or page < 1:
        return JSONResponse({"detail": "bad page"}, status_code=422)
    rows = [
        r for r in data.CARE_RECORDS if r["community_code"].startswith(q.get("community_code", ""))
    ]
    if "name" in q:
        rows = [r for r in rows if r["name"] == q["name"]]
    if since := _since(q.get("updated_since")):
        rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= since]
    items = rows[(page - 1) * size : page * size]
    return JSONResponse({"items": items, "page": page, "page_size": size, "total": len(rows)})


async def _care_batch(request: Request) -> Response:
    ids = set((await request.json())["ids"])
    if len(ids) > 500:
        return JSONResponse({"detail": "too many ids"}, status_code=422)
    return JSONResponse({"items": [r for r in data.CARE_RECORDS if r["record_id"] in ids]})


def _care_one(request: Request) -> Response:
    for row in data.CARE_RECORDS:
        if row["record_id"] == request.path_params["id"]:
            return JSONResponse(row)
    return JSONResponse({"detail": "not found"}, status_code=404)


def _case_updated(row: dict[str, Any]) -> datetime | None:
    times = [t for t in (_time(row["reported_at"]), _time(row["closed_at"])) if t]
    return max(times) if times else None


def _case_list(request: Request) -> Response:
    q = request.query_params
    offset, limit = int(q.get("offset", 0)), int(q.get("limit", 100))
    if limit > 200:
        return JSONResponse({"detail": "limit too big"}, status_code=422)
    rows = [r for r in data.CASES if r["grid_code"].startswith(q.get("grid_code", ""))]
    for name in ("status", "category"):
        if name in q:
            rows = [r for r in rows if r[name] == q[name]]
    if since := _since(q.get("since")):
        rows = [r for r in rows if (u := _case_updated(r)) is not None and u >= since]
    return JSONResponse({"data": rows[offset : offset + limit], "total": len(rows)})


def _case_batch(request: Request) -> Response:
    ids = set(request.query_params.get("ids", "").split(","))
    if len(ids) > 200:
        return JSONResponse({"detail": "too many ids"}, status_code=422)
    return JSONResponse({"data": [r for r in data.CASES if r["case_no"] in ids]})


def _broken(request: Request) -> Response:
    return Response('{"items": [', media_type="application/json")


def _with_nan(request: Request) -> Response:
    """What a Python service writing with the standard json module sends for a missing float."""
    rows = [r | {"score": float("nan")} for r in data.CARE_RECORDS[:3]]
    return Response(json.dumps({"items": rows, "total": 3}), media_type="application/json")


def _not_a_list(request: Request) -> Response:
    return JSONResponse({"items": {"record_id": "MZ0000001"}, "total": 1})


def build_app(state: ServerState) -> Starlette:
    def logged(handler: Callable[[Request], Any]) -> Handler:
        async def endpoint(request: Request) -> Response:
            state.requests.append((request.method, request.url.path, dict(request.query_params)))
            result = handler(request)
            return await result if asyncio.iscoroutine(result) else result

        return endpoint

    async def flaky(request: Request) -> Response:
        if state.failures_left > 0:
            state.failures_left -= 1
            return JSONResponse({"detail": "try later"}, status_code=503)
        return _care_list(request)

    async def flaky_batch(request: Request) -> Response:
        if state.failures_left > 0:
            state.failures_left -= 1
            return JSONResponse({"detail": "try later"}, status_code=503)
        return await _care_batch(request)

    async def slow_batch(request: Request) -> Response:
        await asyncio.sleep(1)  # a hundred times the timeout test_timeout_is_retriable sets
        return await _care_batch(request)

    async def gathering_batch(request: Request) -> Response:
        """Answers once `state.gather` requests are in flight together (or after 3 s: a
        client sending one at a time never gets there), so concurrency shows whatever the
        timing; the most in flight at once is recorded. (3 s: within the civil timeout.)"""
        state.in_flight += 1
        state.max_in_flight = max(state.max_in_flight, state.in_flight)
        try:
            if state.in_flight >= state.gather:
                state.gathered.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.gathered.wait(), 3)
            return await _care_batch(request)
        finally:
            state.in_flight -= 1

    routes = {
        "/health": lambda r: JSONResponse({"status": "ok"}),
        "/api/v1/care-records": _care_list,
        "/api/v1/care-records/{id}": _care_one,
        "/api/cases": _case_list,
        "/api/cases/batch": _case_batch,
        "/flaky/care-records": flaky,
        "/broken/care-records": _broken,
        "/nan/care-records": _with_nan,
        "/wrong/care-records": _not_a_list,
    }
    posts = {
        "/api/v1/care-records/batch-query": _care_batch,
        "/slow/care-records/batch-query": slow_batch,
        "/gathering/care-records/batch-query": gathering_batch,
        "/flaky/care-records/batch-query": flaky_batch,
    }
    return Starlette(
        routes=[
            *(Route(p, logged(h), methods=["POST"]) for p, h in posts.items()),
            *(Route(p, logged(h)) for p, h in routes.items()),
        ]
    )


class FixtureServer:
    """Runs the app on a free loopback port until `stop()`."""

    def __init__(self) -> None:
        self.state = ServerState()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(
            build_app(self.state),
            log_level="warning",
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)

    def start(self) -> FixtureServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fixture server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port held, bound but not listening, while the block runs: connecting to it
    is refused, and no other process can take it meanwhile (a released port could be)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
