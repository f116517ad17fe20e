"""The ASGI application: GraphQL (+GraphiQL), Prometheus metrics, health."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

from hub.civic import open311
from hub.civic.demo_seed import seed_if_empty
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from resolvers.context import Context
from resolvers.schema import build_schema

log = logging.getLogger("hub")


class HubGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any = None) -> Context:
        runtime: Runtime = request.app.state.runtime
        return Context.for_request(runtime, request, response)


async def metrics(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def health(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    return JSONResponse({"status": "ok", "graph": runtime.store.engine})


def create_app(
    settings: Settings,
    runtime: Runtime | None = None,
    link_if_empty: bool = False,
    on_ready: Callable[[], None] | None = None,
) -> Starlette:
    """With `runtime` given, the caller owns it; otherwise the lifespan opens and closes one."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        app.state.runtime = await open_runtime(settings)
        try:
            if link_if_empty and await app.state.runtime.links.is_empty():
                report = await link(app.state.runtime)
                log.info("linked: %s", "; ".join(report.lines()))
            if link_if_empty:
                await seed_if_empty(app.state.runtime)
            if on_ready:
                on_ready()
            yield
        finally:
            await app.state.runtime.close()

    graphql = HubGraphQL(build_schema(), graphql_ide="graphiql" if settings.demo else None)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/metrics", metrics),
        Route("/health", health),
        *open311.routes(),
    ]
    app = Starlette(lifespan=lifespan, routes=routes)
    if runtime is not None:
        app.state.runtime = runtime
    return app
