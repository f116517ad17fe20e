"""Open311 GeoReport v2 (JSON): existing 311-style clients submit and follow opinions.

Routes under /open311/v2: services.json, services/{code}.json, requests.json (GET, POST),
requests/{id}.json. POST needs `api_key` (keys from HUB_OPEN311_KEYS, `name:key,…`; a demo key
otherwise, printed by `python app.py`). Retries send the same `Idempotency-Key` header; without
it, the same author, text and place on the same day count as one request. Errors follow the
spec: a list of {"code": <HTTP status>, "description": "<HUB_CODE>: <message>"}.
Requests are public in GeoReport: descriptions are shown with long digit runs (phones, ID
numbers) masked, places by name, never the author.
"""

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.civic import opinions
from hub.civic.intake import Submission
from hub.civic.records import Opinion, Response, now
from hub.errors import BadInput, ErrorCode, HubError
from hub.linking.keys import Keyring
from hub.services.open311 import module_services, request_category
from hub.settings import Settings

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
_LONG_DIGITS = re.compile(r"\d{7,}")
_STATUS = {"open": ("received", "accepted", "in_progress"), "closed": ("closed",)}


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": f"{code}: {message}"}], status)


def _hub_error(exc: HubError) -> JSONResponse:
    status = {ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}.get(exc.code, 400)
    return error(status, exc.code.value, exc.message)


def demo_key(keys: Keyring) -> str:
    return keys.digest("open311-key", "demo", 24)


def api_keys(settings: Settings, keys: Keyring) -> dict[str, str]:
    """api key → client name, from HUB_OPEN311_KEYS or the demo key."""
    raw = settings.extra.get("open311_keys") or ""
    pairs = [item.split(":", 1) for item in raw.split(",") if ":" in item]
    return {key.strip(): name.strip() for name, key in pairs} or {demo_key(keys): "demo"}


def _service(category: Any) -> dict[str, Any]:
    return {
        "service_code": category.code, "service_name": category.name,
        "description": category.description, "metadata": False, "type": "realtime",
        "keywords": ",".join(sorted(category.keywords)[:20]), "group": "社区治理",
    }


async def services(request: Request) -> JSONResponse:
    """The taxonomy's categories, then the catalogue's active modules that take requests
    (in `jurisdiction_id`, a community or street code, when given)."""
    runtime = request.app.state.runtime
    modules = await module_services(runtime, request.query_params.get("jurisdiction_id"))
    return JSONResponse([_service(c) for c in runtime.civic.text.categories] + modules)


async def service_definition(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    code = request.path_params["code"]
    if runtime.civic.text.category(code) is None and \
            await request_category(runtime, code) is None:
        return error(404, "NOT_FOUND", f"service_code {code[:40]} does not exist")
    return JSONResponse({"service_code": code, "attributes": []})


async def _params(request: Request) -> dict[str, str]:
    """Form fields (the spec's encoding; parsed here, no multipart dependency) or JSON."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        body = json.loads(raw or b"{}")
        if not isinstance(body, dict):
            raise ValueError("not an object")
        return {k: str(v) for k, v in body.items() if v is not None}
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


def _float(value: str | None, name: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise BadInput(f"{name} is not a number") from None


def _submission(params: dict[str, str], client: str, key: str | None, civic: Any) -> Submission:
    code = params.get("service_code", "")
    if civic.text.category(code) is None:
        raise BadInput(f"service_code {code[:40]!r} does not exist; see services.json")
    author = next((params[k] for k in ("account_id", "phone", "email", "device_id")
                   if params.get(k)), None)
    return Submission(
        text=params.get("description", ""), channel="open311", client=f"open311:{client}",
        idempotency_key=key, category=code, place_id=params.get("address_id") or None,
        address=params.get("address_string") or None, author=author,
        lat=_float(params.get("lat"), "lat"), lon=_float(params.get("long"), "long"),
    )


async def post_request(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    try:
        params = await _params(request)
    except (ValueError, UnicodeDecodeError):
        return error(400, "BAD_INPUT", "the body is neither a UTF-8 form nor a JSON object")
    client = api_keys(runtime.settings, runtime.keys).get(params.get("api_key", ""))
    if client is None:
        return error(403, "FORBIDDEN", "a valid api_key is required to submit")
    module = await request_category(runtime, params.get("service_code", ""))
    if module is not None and runtime.civic.text.category(params["service_code"]) is None:
        # A request to a catalogue module: filed under its category, led by the module's name.
        params["service_code"] = module[0]
        if params.get("description", "").strip():
            params["description"] = f"【{module[1]}】{params['description']}"
    try:
        sub = _submission(params, client, request.headers.get("idempotency-key"), runtime.civic)
        receipt = await runtime.civic.intake.submit(sub)
    except HubError as exc:
        return _hub_error(exc)
    notice = "已受理，将在 24 小时内答复" if receipt.created else "重复提交：返回已受理的同一请求"
    body = [{"service_request_id": receipt.opinion.id, "service_notice": notice,
             "account_id": None}]
    return JSONResponse(body, 201 if receipt.created else 200)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds") if at else None


def render(opinion: Opinion, latest: Response | None, civic: Any) -> dict[str, Any]:
    category = civic.text.category(opinion.category)
    return {
        "service_request_id": opinion.id,
        "status": "closed" if opinion.status == "closed" else "open",
        "status_notes": latest.text if latest else None,
        "service_name": category.name if category else "其他",
        "service_code": opinion.category,
        "description": _LONG_DIGITS.sub("****", opinion.text),
        "agency_responsible": latest.responder if latest else None,
        "service_notice": None,
        "requested_datetime": _iso(opinion.created_at),
        "updated_datetime": _iso(opinion.updated_at),
        "expected_datetime": None,
        "address": opinion.place_name,
        "address_id": opinion.place_id,
        "zipcode": None,
        "lat": opinion.lat,
        "long": opinion.lon,
        "media_url": None,
    }


async def _rendered(runtime: Any, rows: list[Opinion]) -> list[dict[str, Any]]:
    async with runtime.sessions() as session:
        answers = await opinions.responses(session, [o.id for o in rows])
    return [render(o, (answers[o.id] or [None])[-1], runtime.civic) for o in rows]


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise BadInput(f"{name} needs a time zone, e.g. 2025-06-01T00:00:00+08:00")
    return parsed


def _query(params: Any) -> Any:
    statement = select(Opinion)
    ids = [i for i in (params.get("service_request_id") or "").split(",") if i]
    if ids:
        return statement.where(Opinion.id.in_(ids[:MAX_RESULTS]))
    end = _date(params.get("end_date"), "end_date") or now()
    start = _date(params.get("start_date"), "start_date") or end - DEFAULT_WINDOW
    statement = statement.where(Opinion.created_at >= start, Opinion.created_at < end)
    if params.get("service_code"):
        statement = statement.where(Opinion.category == params["service_code"])
    status = params.get("status")
    if status:
        if status not in _STATUS:
            raise BadInput("status is open or closed")
        statement = statement.where(Opinion.status.in_(_STATUS[status]))
    return statement.order_by(Opinion.created_at.desc(), Opinion.id)


async def get_requests(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    try:
        statement = _query(request.query_params).limit(MAX_RESULTS)
    except HubError as exc:
        return _hub_error(exc)
    async with runtime.sessions() as session:
        rows = list(await session.scalars(statement))
    return JSONResponse(await _rendered(runtime, rows))


async def get_request(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await session.get(Opinion, request.path_params["id"])
    if row is None:
        return error(404, "NOT_FOUND", "no such service request")
    return JSONResponse(await _rendered(runtime, [row]))


def routes() -> list[Route]:
    base = "/open311/v2"
    return [
        Route(f"{base}/services.json", services, methods=["GET"]),
        Route(f"{base}/services/{{code}}.json", service_definition, methods=["GET"]),
        Route(f"{base}/requests.json", get_requests, methods=["GET"]),
        Route(f"{base}/requests.json", post_request, methods=["POST"]),
        Route(f"{base}/requests/{{id}}.json", get_request, methods=["GET"]),
    ]



