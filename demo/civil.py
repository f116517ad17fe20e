"""民政 civil affairs REST system: care records of the elderly and disabled (read-only)."""

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

MAX_PAGE_SIZE = 500
MAX_BATCH = 500
FIELDS = ("record_id, name, id_number, address, community_code, care_level, living_alone, "
          "subsidy_type, subsidy_amount, disability_grade, updated_at")
EQUAL = ("name", "care_level", "subsidy_type")  # filters by exact value (column names only)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    row["living_alone"] = bool(row["living_alone"])
    return row


def _filters(request: Request) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    prefix = code_prefix_param(request, "community_code")
    if prefix is not None:
        clauses.append("community_code >= ? AND community_code < ?")
        params.extend(prefix_range(prefix))
    for column in EQUAL:
        value = request.query_params.get(column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    alone = request.query_params.get("living_alone")  # true | false, as the hub sends it
    if alone is not None:
        clauses.append("living_alone = ?")
        params.append(1 if alone.lower() in ("true", "1") else 0)
    since = iso_param(request, "updated_since")
    if since is not None:
        clauses.append("updated_at >= ?")
        params.append(since)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def create_app(db_path: Path) -> Starlette:
    db = ReadOnlyDB(db_path)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def list_records(request: Request) -> JSONResponse:
        page = int_param(request, "page", 1, 1, None)
        size = int_param(request, "page_size", 100, 1, MAX_PAGE_SIZE)
        where, params = _filters(request)
        total = await db.scalar(f"SELECT COUNT(*) FROM care_records{where}", params)
        rows = await db.rows(
            f"SELECT {FIELDS} FROM care_records{where} ORDER BY record_id LIMIT ? OFFSET ?",
            [*params, size, (page - 1) * size])
        return JSONResponse({"items": [_record(r) for r in rows], "page": page,
                             "page_size": size, "total": total})

    async def batch_query(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadRequest("body", "body must be JSON like {\"ids\": [\"MZ0000001\"]}") from None
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise BadRequest("ids", "ids must be a list of record_id strings")
        if len(ids) > MAX_BATCH:
            raise BadRequest("ids", f"at most {MAX_BATCH} ids per request, got {len(ids)}")
        wanted = unique(ids)
        if not wanted:
            return JSONResponse({"items": []})
        marks = ", ".join("?" for _ in wanted)
        rows = await db.rows(f"SELECT {FIELDS} FROM care_records WHERE record_id IN ({marks})",
                             wanted)
        return JSONResponse({"items": [_record(r) for r in ordered(rows, "record_id", wanted)]})

    async def get_record(request: Request) -> JSONResponse:
        record_id = request.path_params["record_id"]
        rows = await db.rows(f"SELECT {FIELDS} FROM care_records WHERE record_id = ?",
                             [record_id])
        if not rows:
            return error_response(404, "not_found", f"care record {record_id} not found")
        return JSONResponse(_record(rows[0]))

    routes = [
        Route("/health", health),
        Route("/api/v1/care-records", list_records),
        Route("/api/v1/care-records/batch-query", batch_query, methods=["POST"]),
        Route("/api/v1/care-records/{record_id}", get_record),
    ]
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
