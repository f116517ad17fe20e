"""The people's pages, served by the hub itself: the workbench (街道工作台) at `/` and the
residents' page (居民端) at `/m/`, built by Vite from `web/` into `web/dist` (`make run` and
`make test` build it when its sources change). Nothing is loaded from elsewhere.

`/auth/config` tells the pages how to sign in: the demo's picker (hub.access.demo_signin) or,
in production, the identity provider's OIDC login (authorization code + PKCE, in the browser).
"""

import logging
import re
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hub import clock
from hub.access.demo_signin import demo_signin_allowed, demo_signin_route
from hub.civic.periods import CST
from hub.settings import Settings

log = logging.getLogger("hub")

ASSETS_PATH = "/web-assets"
PAGES = {"/": "index.html", "/m/": "resident.html"}
_MISSING_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>页面未构建</title></head>
<body><h1>工作台页面尚未构建</h1>
<p>The hub serves the workbench and the residents' page from <code>web/dist</code>;
<code>make run</code> builds them (<code>npm run build</code> in <code>web/</code>).
The GraphQL endpoint itself works at <code>/graphql</code>.</p></body></html>
"""
_NO_CACHE = {"Cache-Control": "no-cache"}  # the page names hashed assets: always ask for it


def sign_in_config(settings: Settings) -> dict[str, object]:
    """What the pages need to sign a user in (no secret in it), and the hub's day (the month
    the pages open on is the hub's, whatever the browser's clock says)."""
    client_id = settings.extra.get("oidc_client_id", "")
    return {
        "today": clock.now().astimezone(CST).date().isoformat(),
        "demo": demo_signin_allowed(settings),
        "oidc": {"issuer": settings.jwt_issuer, "clientId": client_id}
        if settings.jwt_issuer and client_id
        else None,
    }


def _page_route(path: str, page: Path) -> Route:
    async def serve_page(request: Request) -> Response:
        if page.is_file():
            return FileResponse(page, headers=_NO_CACHE, media_type="text/html")
        log.warning("web page %s is not built: run `make run` (or npm run build in web/)", page)
        return HTMLResponse(_MISSING_PAGE, status_code=503)

    return Route(path, serve_page, methods=["GET"])


async def _survey_link(request: Request) -> Response:
    """A survey's printed link (ServiceSurvey.link, a QR code) opens it on the residents' page."""
    token = request.path_params["token"]
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", token):
        return Response("unknown survey link", status_code=404)
    return Response(status_code=307, headers={"Location": f"/m/#/survey/{token}"})


def routes(settings: Settings) -> list[BaseRoute]:
    """The pages, their assets, the sign-in configuration and the demo's sign-in."""
    dist = settings.web_dist_dir

    async def config(request: Request) -> JSONResponse:
        return JSONResponse(sign_in_config(settings))

    return [
        *(_page_route(path, dist / file) for path, file in PAGES.items()),
        Route("/m", lambda request: Response(status_code=308, headers={"Location": "/m/"})),
        Route("/services/surveys/{token}", _survey_link, methods=["GET"]),
        Route("/auth/config", config),
        demo_signin_route(settings),
        Mount(ASSETS_PATH, app=GZipMiddleware(StaticFiles(directory=dist, check_dir=False))),
    ]
