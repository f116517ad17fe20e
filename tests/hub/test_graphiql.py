"""GraphiQL works offline: its page and every file it loads come from the hub itself.

The browser test drives Debian's Chromium (which `make test` installs) through Playwright, with
every request that would leave loopback refused, as on an intranet.
"""

import asyncio
import json
import re
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import quote, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Locator, Page, Route, async_playwright, expect
from starlette.applications import Starlette

from hub.ide import ASSETS_PATH
from hub.linking.report import LinkReport
from hub.runtime import Runtime
from hub.web import create_app
from tests.conftest import STREET_ADMIN

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
QUERY = "{ people(first: 3) { totalCount edges { node { name } } } }"


@pytest.fixture(scope="module")
def demo_app(runtime: Runtime, link_report: LinkReport) -> Starlette:
    """The hub as `make run` serves it: demo mode, GraphiQL on."""
    return create_app(replace(runtime.settings, demo=True), runtime=runtime)


async def test_the_page_loads_nothing_from_elsewhere(demo_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
        loads = re.findall(r"""(?:src|href)="([^"]+)""", page)
        assets = [url for url in loads if not url.startswith("data:")]
        assert assets and all(url.startswith(f"{ASSETS_PATH}/") for url in assets), loads
        assert "integrity=" in page  # the installed files are the bytes the CDN serves
        for url in assets:
            assert (await http.get(url)).status_code == 200, url


async def test_graphiql_runs_a_query_in_chromium_offline(demo_app: Starlette) -> None:
    requested: list[str] = []
    async with serving(demo_app) as base, chromium() as browser:
        page = await browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        await page.route("**/*", _loopback_only)
        await page.goto(f"{base}/graphql?{_editors(QUERY, STREET_ADMIN)}")
        await expect(page.locator(".graphiql-container .graphiql-query-editor")).to_be_visible()
        await page.locator(".graphiql-execute-button").click()
        await expect(_response_pane(page)).to_contain_text('"totalCount"', timeout=20_000)
        assert '"name"' in await _response_pane(page).inner_text()
    assert requested and all(urlsplit(url).hostname in LOOPBACK for url in requested), requested


def _editors(query: str, headers: dict[str, str]) -> str:
    """GraphiQL's page fills its editors from `q` and `headers` (read with decodeURIComponent,
    so spaces must be %20, not +)."""
    return urlencode({"q": query, "headers": json.dumps(headers)}, quote_via=quote)


def _response_pane(page: Page) -> Locator:
    return page.locator(".graphiql-response")


async def _loopback_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK:
        await route.continue_()
    else:
        await route.abort("internetdisconnected")


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """uvicorn on the tests' event loop (the runtime's clients live there), on loopback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not on PATH: `make test` installs it (Debian package)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
