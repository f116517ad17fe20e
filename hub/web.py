"""The ASGI application: GraphQL (+GraphiQL, served from this machine), health. Prometheus
metrics are not served here but on their own port, if at all (`HUB_METRICS_PORT`, hub.serve)."""

import gc
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.types.unset import UNSET, UnsetType

from graph.links import LinkGraph
from hub import deadline, production, readiness, tracing, webui
from hub.access.gate import Gatekeeper
from hub.access.http import AuthGate, principal_of, record_refusals, refused
from hub.audit.http import log_export
from hub.civic import open311
from hub.civic.demo_seed import start_seeding, stop_seeding
from hub.errors import ErrorCode, Unauthenticated
from hub.graphql_http import (
    GRAPHQL_RESPONSE,
    BodyLimit,
    accepts_graphql_response,
    parse_body,
    refusal,
    status_of,
    too_large_answer,
    within,
)
from hub.ide import assets_mount, graphiql_page
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.services import demo_seed as services_demo
from hub.settings import Settings
from hub.share import give_back
from hub.share import take as take_share
from hub.streams import webhook
from hub.streams.service import start_streams
from resolvers.answer_cache import serve_kept
from resolvers.context import Context
from resolvers.limits import judge
from resolvers.schema import build_schema

log = logging.getLogger("hub")


class TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws messages as text frames: JSON is encoded to bytes (orjson), which
    strawberry would send as binary frames, and browsers hand those to graphql-ws as a Blob
    it cannot read ("Message is missing the 'type' property")."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class HubGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = TextFrames

    def __init__(
        self, gate: Gatekeeper, *args: Any, ide_page: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, graphql_ide="graphiql" if ide_page else None, **kwargs)
        self.gate = gate
        self.ide_page = ide_page

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        # strawberry's own page would load its scripts from a CDN (hub.ide)
        return HTMLResponse(self.ide_page or "")

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """What strawberry refuses (a body that is no GraphQL request, a method, a batch) is
        answered as GraphQL errors with a code, never as plain text nor as a 500."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            accept = request.headers.get("accept")
            return refusal(exc.status_code, ErrorCode.BAD_REQUEST, exc.reason, accept)

    def parse_json(self, data: str | bytes) -> Any:
        return parse_body(data)

    async def execute_single(  # type: ignore[override]
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        """The document is held against the caller's limits before anything else (a kept
        answer's look-up included); the store calls it makes share the request's allowance."""
        share = take_share(context.runtime.limits.pool.per_request)
        try:
            result = await self._answer(
                request, request_adapter, sub_response, context, root_value, request_data
            )
            if marks := context.loaders.failing():
                result.extensions = (result.extensions or {}) | marks
        finally:
            give_back(share)
            context.release()
        graphql_response = accepts_graphql_response(request.headers.get("accept"))
        sub_response.status_code = status_of(result, graphql_response)
        if graphql_response:
            sub_response.media_type = GRAPHQL_RESPONSE
        return result

    async def _answer(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        query, name = request_data.query, request_data.operation_name
        error = judge(context, self.schema._schema, query, name, request_data.variables)
        if error is not None:
            log.info("%s: %s", (error.extensions or {}).get("code"), error.message)
            return ExecutionResult(data=None, errors=[error])
        kept = await serve_kept(context, query, name, request_data.variables)
        if kept is not None:
            return kept
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def process_result(self, request: Any, result: Any) -> Any:
        # Records fetched by this request are cached before it is answered, so the same
        # question asked next finds them.
        await request.app.state.runtime.cache.settle()
        processed = await super().process_result(request, result)
        data = processed.get("data")
        if data is None:
            return processed
        encoded = orjson.dumps(data)  # a kept answer's Fragment: its bytes as they are
        limit = request.app.state.runtime.limits.of(principal_of(request.scope)).answer_bytes
        if not within(encoded, limit):
            log.info("ANSWER_TOO_LARGE: %d bytes, limit %d", len(encoded), limit)
            return too_large_answer(len(encoded), limit)
        return processed | {"data": orjson.Fragment(encoded)}  # encoded once, not twice

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        """As strawberry's, in the media type the caller accepts; a request error (no data
        at all) leaves `data` out, as application/graphql-response+json says."""
        graphql_response = getattr(sub_response, "media_type", None) == GRAPHQL_RESPONSE
        if graphql_response and isinstance(response_data, dict) and (
            response_data.get("data") is None and sub_response.status_code == 400
        ):
            response_data = {k: v for k, v in response_data.items() if k != "data"}
        response = super().create_response(response_data, sub_response)
        if graphql_response:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Browsers cannot set headers on a WebSocket upgrade: a token may come in the
        connection_init payload instead, with the same checks and the same record as the
        Authorization header (and never a second principal beside the header's)."""
        token = payload_token(context.connection_params)
        if token is None:
            return UNSET
        runtime: Runtime = context.runtime
        try:
            principal = await self.gate.principal(token, runtime.policies, runtime.links)
        except Unauthenticated as exc:
            await refused(self.gate, runtime, context.request.scope, exc.message)
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        current = context.view.principal
        if not current.anonymous and current != principal:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.rebind(await self.gate.view(principal, runtime.policies, runtime.links))
        return UNSET

    async def get_context(self, request: Any, response: Any = None) -> Context:
        runtime: Runtime = request.app.state.runtime
        principal = principal_of(request.scope)
        view = await self.gate.view(principal, runtime.policies, runtime.links)
        return Context.for_request(runtime, request, response, view)


class WithDeadline:
    """An HTTP request runs within its deadline (hub.deadline) from the moment it arrives:
    the token's check and the access view too, not only execution. A WebSocket's
    subscriptions have none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        timer = deadline.start(scope["app"].state.runtime.limits.deadline_seconds)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with tracing.request_span(scope["method"], scope["path"], headers) as span:

            async def noting_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            try:
                await self.app(scope, receive, noting_status)
            finally:
                deadline.reset(timer)


def payload_token(params: object) -> str | None:
    """`Authorization: Bearer …` (any case) or `token: …` from a connection_init payload."""
    if not isinstance(params, dict):
        return None
    for key, value in params.items():
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            if key.lower() == "authorization":
                return value
            if key.lower() in ("token", "authtoken"):
                return f"Bearer {value.strip()}"
    return None


def _settle_memory() -> None:
    """What start-up built (graph client, policies, jieba's dictionaries: ~350,000 objects)
    lives as long as the process: frozen out of the cycle collector, whose full passes over it
    took 10 ms a request on average and up to 240 ms at once (bench/RESULTS.md). Young
    collections then run every 10,000 allocations instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 100)


async def health(request: Request) -> JSONResponse:
    """Liveness: the process is up and serving (no store is asked: see /ready)."""
    runtime: Runtime = request.app.state.runtime
    policy = {"version": runtime.policies.version, "error": runtime.policies.error}
    rules = runtime.alerts.rules.status()
    return JSONResponse({"status": "ok", "graph": runtime.store.engine, "policy": policy,
                         "rules": rules, "process": os.getpid()})


async def ready(request: Request) -> JSONResponse:
    """Readiness (hub.readiness): 503 naming the store that does not answer."""
    answer = await readiness.check(request.app.state.runtime)
    return JSONResponse(answer, status_code=200 if answer["status"] == "ready" else 503)


async def needs_build(links: LinkGraph) -> bool:
    """Nothing linked yet, or a build cut short (Ctrl-C on the first run, say): the graph
    would answer with only part of the departments' residents."""
    return await links.is_empty() or await links.unfinished() is not None


def create_app(
    settings: Settings,
    runtime: Runtime | None = None,
    prepare: bool = False,
    on_ready: Callable[[], None] | None = None,
    seed: bool | None = None,
) -> Starlette:
    """With `runtime` given, the caller owns it; otherwise the lifespan opens and closes one.
    `prepare`: what `python app.py` does around serving: build the link graph when it is empty
    or its build was cut short, then import the demo's opinions while it answers. `seed`: only
the import (a worker of `hub serve --workers`, whose parent built the graph); by default as
`prepare`."""
    production.check(settings)
    seeding_wanted = prepare if seed is None else seed

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        app.state.runtime = await open_runtime(settings)
        try:
            if prepare and await needs_build(app.state.runtime.links):
                report = await link(app.state.runtime)
                log.info("linked: %s", "; ".join(report.lines()))
            if settings.streams:
                await start_streams(app.state.runtime, settings.mqtt_url)
            _settle_memory()
            await app.state.runtime.alerts.start()
            if on_ready:
                on_ready()
            seeding = start_seeding(app.state.runtime) if seeding_wanted else None
            # Every process fits its own forecasts; the demo's services are seeded with the rest.
            services_seeding = services_demo.start_seeding(app.state.runtime, seeding_wanted)
            try:
                yield
            finally:
                await services_seeding.stop()
                await stop_seeding(seeding)
        finally:
            await record_refusals(app.state.runtime, gate.refusals.summaries(everything=True))
            await app.state.runtime.close()

    gate = Gatekeeper(settings)
    schema = build_schema(enforce=settings.enforce_access, production=settings.production)
    with_ide = settings.demo and not settings.production
    ide_page = graphiql_page(settings.ide_assets_dir) if with_ide else None
    graphql = WithDeadline(AuthGate(BodyLimit(HubGraphQL(gate, schema, ide_page=ide_page)), gate))
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/audit/export.csv", AuthGate(request_response(log_export(gate)), gate)),
        Route("/health", health),
        Route("/ready", ready),
        *open311.routes(),
        *webhook.routes(),
        *([assets_mount(settings.ide_assets_dir)] if with_ide else []),
        *webui.routes(settings),
    ]
    app = Starlette(lifespan=lifespan, routes=routes)
    if runtime is not None:
        app.state.runtime = runtime
    return app
