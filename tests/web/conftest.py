"""The people's pages in a real headless Chromium, over the session's hub in demo mode.

Each test signs in as a person would (the demo's picker), drives the page, and leaves a
screenshot of each main screen in SCREENSHOTS (gitignored; the run prints where). Every page
is held to zero console errors and loads nothing from off loopback.
"""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Route
from starlette.applications import Starlette

from hub.civic.intake import BatchReport
from hub.runtime import Runtime
from hub.web import create_app
from tests.conftest import token
from tests.hub.test_graphiql import LOOPBACK, chromium, serving

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "web" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"web screenshots: {SCREENSHOTS.relative_to(REPO)}/")


@pytest.fixture(scope="module")
def web_app(runtime: Runtime, civic_imports: dict[str, BatchReport]) -> Starlette:
    """The hub as `make run` serves it (demo mode: the sign-in picker), pages built by make."""
    settings = replace(runtime.settings, demo=True)
    if not (settings.web_dist_dir / "index.html").is_file():
        pytest.fail("web/dist is not built: `make test` builds it (npm run build in web/)")
    return create_app(settings, runtime=runtime)


@pytest.fixture(scope="module")
async def hub_url(web_app: Starlette) -> AsyncIterator[str]:
    async with serving(web_app) as base:
        yield base


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@dataclass
class Watched:
    """A page with its console errors and the hosts it asked for."""

    page: Page
    errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)

    async def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=path, full_page=True)
        return path

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert self.hosts <= LOOPBACK, self.hosts


async def _loopback_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOOPBACK:
        await route.continue_()
    else:
        await route.abort("internetdisconnected")


OpenPage = Callable[[dict[str, int]], "AsyncIterator[Watched]"]


@pytest.fixture
async def open_page(browser: Browser) -> AsyncIterator[Callable[..., object]]:
    """open_page(viewport) -> Watched: a fresh browser context (its own sign-in) per call."""
    contexts: list[BrowserContext] = []

    async def opener(viewport: dict[str, int] = DESK) -> Watched:
        context = await browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = await context.new_page()
        watched = Watched(page)

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                watched.errors.append(message.text)

        page.on("console", console)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        page.on("request", lambda request: watched.hosts.add(urlsplit(request.url).hostname or ""))
        await page.route("**/*", _loopback_only)
        return watched

    yield opener
    for context in contexts:
        await context.close()


async def sign_in_staff(watched: Watched, base: str, role: str) -> None:
    page = watched.page
    await page.goto(f"{base}/")
    await page.locator(f'button[data-role="{role}"]').click()
    await page.locator("[data-test=user]").wait_for()


async def sign_in_with_token(
    watched: Watched, base: str, role: str, jurisdiction: str, subject: str, label: str,
    path: str = "/",
) -> None:
    """Signed in as a principal the demo's picker does not offer (another grid's worker, a
    resident of a given community): the session the page keeps, with a token of the hub's."""
    places = [jurisdiction] if jurisdiction else []  # a resident's token names none
    signed = {"token": token(role, places, subject), "label": label, "role": role,
              "subject": subject, "jurisdictions": places}
    await watched.page.add_init_script(
        f"sessionStorage.setItem('hub.session', {json.dumps(json.dumps(signed))})")
    await watched.page.goto(f"{base}{path}")
