"""GET /audit/export.csv: the access log as CSV, for roles that may export it (on record too)."""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from hub.access.gate import Gatekeeper
from hub.access.http import principal_of
from hub.access.objects import Action, Obj
from hub.audit import export
from hub.audit.trail import Trail


def log_export(gate: Gatekeeper) -> Callable[[Request], Awaitable[Response]]:
    """Query parameters: since, until (ISO 8601 UTC), principal, decision."""

    async def endpoint(request: Request) -> Response:
        runtime = request.app.state.runtime
        principal = principal_of(request.scope)
        view = await gate.view(principal, runtime.policies, runtime.links)
        allowed = view.allows(Obj.ACCESS_LOG, Action.EXPORT)
        decision = "allow" if allowed else "deny"
        await runtime.audit.append([Trail(principal).entry(request.url.path, "export", decision)])
        if not allowed:
            message = "your role may not export the access log"
            body = {"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}
            return JSONResponse(body, status_code=403)
        q = request.query_params
        where = export.LogFilter(
            q.get("principal"), q.get("decision"), q.get("since"), q.get("until")
        )
        return StreamingResponse(
            export.csv_chunks(runtime.sessions, where),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
        )

    return endpoint
