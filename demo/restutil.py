"""Shared plumbing of the two REST department systems: read-only SQLite, parameters, errors."""

import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

CHINA = timezone(timedelta(hours=8))


class BadRequest(Exception):
    """A request parameter is wrong; answered with HTTP 400."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def error_response(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status)


async def bad_request_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadRequest)
    return error_response(400, "bad_request", exc.message, parameter=exc.parameter)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = "not_found" if exc.status_code == 404 else "http_error"
    return error_response(exc.status_code, error, str(exc.detail))


EXCEPTION_HANDLERS = {BadRequest: bad_request_handler, HTTPException: http_error_handler}


class ReadOnlyDB:
    """One read-only SQLite connection per worker thread."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist; run `python -m demo generate` first")
        self._uri = path.resolve().as_uri() + "?mode=ro"
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only=1")
            self._local.conn = conn
        return conn

    def _run(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in self._conn().execute(sql, params)]

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return await run_in_threadpool(self._run, sql, params)

    async def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self.rows(sql, params)
        return next(iter(rows[0].values())) if rows else None


def int_param(request: Request, name: str, default: int, lo: int, hi: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be an integer, got {raw!r}") from None
    if value < lo or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise BadRequest(name, f"{name} must be {bounds}, got {value}")
    return value


def iso_param(request: Request, name: str) -> str | None:
    """An ISO 8601 date or date-time, as the `+08:00` text the systems store (naive = China)."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(name, f"{name} must be an ISO 8601 date-time, got {raw!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(CHINA).isoformat()


def code_prefix_param(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or not raw.isascii() or len(raw) > 14:
        raise BadRequest(name, f"{name} must be a jurisdiction code prefix (1-14 digits), "
                               f"got {raw!r}")
    return raw


def prefix_range(prefix: str) -> tuple[str, str]:
    """Bounds for `column >= lo AND column < hi`, an index-friendly STARTS WITH."""
    return prefix, prefix + "\uffff"


def ordered(rows: list[dict[str, Any]], key: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Rows in the order their ids were asked for."""
    by_id = {row[key]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))
