"""城管 urban management REST system: cases with their handling timeline (read-only)."""

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from demo.restutil import (
    EXCEPTION_HANDLERS,
    BadRequest,
    ReadOnlyDB,
    code_prefix_param,
    error_response,
    int_param,
    iso_param,
    ordered,
    prefix_range,
    unique,
)

MAX_LIMIT = 200
MAX_BATCH = 200
STATUSES = ("已受理", "处置中", "已结案")
FIELDS = ("case_no, category, description, address, community_code, grid_code, status, "
          "reported_at, closed_at, reporter_phone, timeline, updated_at")


def _case(row: dict[str, Any]) -> dict[str, Any]:
    row["timeline"] = json.loads(row["timeline"])
    return row


def _filters(request: Request) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    prefix = code_prefix_param(request, "grid_code")
    if prefix is not None:
        clauses.append("grid_code >= ? AND grid_code < ?")
        params.extend(prefix_range(prefix))
    status = request.query_params.get("status")
    if status is not None:
        if status not in STATUSES:
            raise BadRequest("status", f"status must be one of {', '.join(STATUSES)}, "
                                       f"got {status!r}")
        clauses.append("status = ?")
        params.append(status)
    since = iso_param(request, "since")
    if since is not None:
        clauses.append("updated_at >= ?")
        params.append(since)
    category = request.query_params.get("category")
    if category is not None:
        clauses.append("category = ?")
        params.append(category)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def create_app(db_path: Path) -> Starlette:
    db = ReadOnlyDB(db_path)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def list_cases(request: Request) -> JSONResponse:
        offset = int_param(request, "offset", 0, 0, None)
        limit = int_param(request, "limit", 100, 1, MAX_LIMIT)
        where, params = _filters(request)
        total = await db.scalar(f"SELECT COUNT(*) FROM cases{where}", params)
        rows = await db.rows(f"SELECT {FIELDS} FROM cases{where} ORDER BY case_no LIMIT ? OFFSET ?",
                             [*params, limit, offset])
        return JSONResponse({"data": [_case(r) for r in rows], "total": total})

    async def batch(request: Request) -> JSONResponse:
        raw = request.query_params.get("ids")
        if raw is None:
            raise BadRequest("ids", "ids is required: ids=CG2025010100001,CG2025010100002")
        wanted = unique([i.strip() for i in raw.split(",") if i.strip()])
        if len(wanted) > MAX_BATCH:
            raise BadRequest("ids", f"at most {MAX_BATCH} ids per request, got {len(wanted)}")
        if not wanted:
            return JSONResponse({"data": []})
        marks = ", ".join("?" for _ in wanted)
        rows = await db.rows(f"SELECT {FIELDS} FROM cases WHERE case_no IN ({marks})", wanted)
        return JSONResponse({"data": [_case(r) for r in ordered(rows, "case_no", wanted)]})

    async def get_case(request: Request) -> JSONResponse:
        case_no = request.path_params["case_no"]
        rows = await db.rows(f"SELECT {FIELDS} FROM cases WHERE case_no = ?", [case_no])
        if not rows:
            return error_response(404, "not_found", f"case {case_no} not found")
        return JSONResponse(_case(rows[0]))

    routes = [
        Route("/health", health),
        Route("/api/cases", list_cases),
        Route("/api/cases/batch", batch),
        Route("/api/cases/{case_no}", get_case),
    ]
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
