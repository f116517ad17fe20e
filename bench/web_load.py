"""The people's pages in headless Chromium on loopback: first load and the resident's journey.

    python -m bench.web_load [--repeats 5] [--journeys 3]

A demo street of 3,800 residents (as the tests', generated once into .data/bench-web), the hub
in demo mode serving the built pages (`make web/dist/.built` first), Debian's Chromium.

- First load, cold (a new browser context each time): bytes transferred as Chromium counts
  them (compressed bodies + headers, Network.loadingFinished), and the time from navigation
  to interactive (the sign-in choices can be clicked: page, scripts, styles and /auth/demo
  all in). For the workbench also the time from sign-in to the 概览 charts drawn.
- The scripted resident-to-answer journey (tests/web/journey.py): each step's time, the
  whole, console errors on both pages.
Medians over the repeats; results in bench/RESULTS.md.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any

import httpx
from playwright.async_api import Browser

from hub import clock, demo_stack, embedded
from hub.civic import imports
from hub.civic.periods import CST
from hub.linking.run import link
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings
from hub.web import create_app
from tests.hub.test_graphiql import chromium, serving
from tests.web import journey
from tests.web.conftest import DESK, PHONE

RESIDENTS, SEED = 3800, 7
AS_OF = date(2026, 6, 15)
STREET = "330105004"
MONTHS = ["2026-05", "2026-04", "2026-03", "2026-02", "2026-01", "2025-12"]


@asynccontextmanager
async def hub() -> AsyncIterator[tuple[str, Runtime]]:
    data_dir = REPO_ROOT / ".data" / "bench-web"
    if not demo_stack.demo_ready(data_dir):
        demo_stack.generate(data_dir, RESIDENTS, SEED, quiet=True, as_of=AS_OF)
    falkordb = embedded.start(data_dir / "falkordb")
    systems = demo_stack.DemoSystems().start(data_dir, usual_ports=False)
    os.environ.update(systems.env)
    settings = Settings(
        data_dir=data_dir, redis_url=falkordb.url, graph_name="bench_web", demo=True
    )
    runtime = await open_runtime(settings)
    try:
        if await runtime.links.is_empty():
            await link(runtime)
        await imports.import_hotline(runtime.civic)
        opinions = data_dir / "demo" / "opinions" / "opinions.csv"
        await imports.import_demo_opinions(runtime.civic, opinions)
        async with serving(create_app(settings, runtime=runtime)) as base:
            yield base, runtime
    finally:
        await runtime.close()
        systems.stop()
        falkordb.stop()


async def first_load(browser: Browser, url: str, ready: str, viewport: dict[str, int],
                     then: str | None = None) -> dict[str, float]:
    """Bytes, time to interactive, and (with `then`) the time from a click on `ready` until
    `then` shows, in a fresh context."""
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    sizes: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: sizes.append(event["encodedDataLength"]))
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    await page.goto(url)
    await page.locator(ready).first.wait_for()
    tti = await page.evaluate("performance.now()")
    result = {"kb": sum(sizes) / 1024, "tti_ms": tti, "errors": len(errors)}
    if then:
        started = time.perf_counter()
        await page.locator(ready).first.click()
        await page.locator(then).first.wait_for(timeout=30_000)
        result["signed_in_ms"] = (time.perf_counter() - started) * 1000
        result["kb_signed_in"] = sum(sizes) / 1024
    await context.close()
    return result


async def one_journey(browser: Browser, base: str, runtime: Runtime) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        choices = (await http.get("/auth/demo")).json()
        admin = next(c for c in choices["staff"] if c["role"] == "street_admin")
        auth = {"Authorization": f"Bearer {admin['token']}"}

        async def staff(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = (await http.post("/graphql", json={"query": query, "variables": variables},
                                    headers=auth)).json()
            assert "errors" not in body, body["errors"]
            return body["data"]  # type: ignore[no-any-return]

        trip = journey.Journey()
        began = time.perf_counter()
        resident = await browser.new_context(viewport=PHONE)
        desk = await browser.new_context(viewport=DESK)
        errors: list[str] = []
        pages = [await resident.new_page(), await desk.new_page()]
        for page in pages:
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
        subject = await journey.resident_signs_in(pages[0], base, trip)
        opinion = await journey.resident_says(pages[0], trip)
        await journey.until_following(runtime, subject)
        plan = await journey.staff_plan(staff, STREET, MONTHS, opinion, trip)
        await journey.staff_finishes(pages[1], base, plan, trip)
        await journey.resident_sees_answer_and_rates(pages[0], opinion, trip)
        total = time.perf_counter() - began
        await resident.close()
        await desk.close()
    return {"steps": trip.steps, "total": total, "errors": errors}


def median(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


async def main(repeats: int, journeys: int) -> None:
    with clock.pinned(datetime.combine(AS_OF, clock_time(10), CST)):
        async with hub() as (base, runtime), chromium() as browser:
            await first_load(browser, f"{base}/m/", "[data-subject]", PHONE)  # warm the hub
            residents = [await first_load(browser, f"{base}/m/", "[data-subject]", PHONE,
                                          then='[role="tab"]') for _ in range(repeats)]
            workbench = [await first_load(browser, f"{base}/", "[data-role=street_admin]", DESK,
                                          then="[data-test=kpis]") for _ in range(repeats)]
            trips = [await one_journey(browser, base, runtime) for _ in range(journeys)]
    print(f"first load, cold, medians of {repeats} | KB transferred | to interactive ms | "
          "after sign-in: first screen ms, KB in all | console errors")
    for name, rows in (("居民端 /m/", residents), ("工作台 /", workbench)):
        print(f"{name} | {median(rows, 'kb'):.0f} | {median(rows, 'tti_ms'):.0f} | "
              f"{median(rows, 'signed_in_ms'):.0f}, {median(rows, 'kb_signed_in'):.0f} | "
              f"{sum(r['errors'] for r in rows)}")
    print(f"\nresident-to-answer journey, medians of {journeys} (seconds)")
    for index, (name, _) in enumerate(trips[0]["steps"]):
        print(f"{index + 1}. {name} | {statistics.median(t['steps'][index][1] for t in trips):.2f}")
    print(f"total | {statistics.median(t['total'] for t in trips):.2f}; console errors: "
          f"{sum(len(t['errors']) for t in trips)} {[e for t in trips for e in t['errors']][:3]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--journeys", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repeats, arguments.journeys))
