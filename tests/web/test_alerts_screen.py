"""预警 in the workbench: an alarm at a building reaches its grid's worker live, who acknowledges
and handles it with a note; the worker of another grid never sees it."""

import httpx
from playwright.async_api import Page, expect

from hub.runtime import Runtime
from tests.alerts.conftest import Building, ago, buildings, grid_worker, pick, settle, xadd
from tests.alerts.test_scope import listeners, listening
from tests.civic.conftest import Caller
from tests.web.conftest import DESK, sign_in_with_token

__all__ = ["buildings"]  # the alerts tests' fixture: the demo street's buildings by grid

BY_PLACE = "query($p: ID) { alerts(filter: {placeId: $p}) { edges { node { id status note } } } }"
WAIT = 20_000


async def _alerts_screen(page: Page) -> None:
    await page.get_by_role("menuitem", name="预警").click()
    await expect(page.locator("[data-test=alert-counts]")).to_be_visible(timeout=WAIT)
    await expect(page.locator("[data-test=alerts-live]")).to_have_text("实时接收中", timeout=WAIT)


async def test_an_alarm_arrives_live_for_its_grid_worker_only(
    open_page, hub_url: str, runtime: Runtime, client: httpx.AsyncClient,
    buildings: list[Building],
) -> None:
    mine = pick(buildings, 1, "web-alerts")[0]
    # the neighbour's grid only: no alarm is raised there, so any building of it will do
    other = next(b for b in buildings if b.jurisdiction != mine.jurisdiction)
    before = {b.jurisdiction: await listeners(runtime, b.jurisdiction) for b in (mine, other)}
    worker = await open_page(DESK)
    neighbour = await open_page(DESK)
    await sign_in_with_token(worker, hub_url, "grid_worker", mine.jurisdiction,
                             f"grid-{mine.jurisdiction[-4:]}", "网格员")
    await sign_in_with_token(neighbour, hub_url, "grid_worker", other.jurisdiction,
                             f"grid-{other.jurisdiction[-4:]}", "网格员")
    for watched in (worker, neighbour):
        await _alerts_screen(watched.page)
    for building in (mine, other):  # the hub listens for both workers' alerts
        await listening(runtime, building.jurisdiction, before[building.jurisdiction])

    await xadd(runtime, "smoke_alarm", ago(0.01), mine.id, jurisdiction=mine.jurisdiction)
    await settle(runtime)
    me = Caller(client, grid_worker(mine.jurisdiction))
    [alert] = [e["node"] for e in (await me.data(BY_PLACE, p=mine.id))["alerts"]["edges"]]
    page = worker.page
    row = page.locator(f"[data-alert='{alert['id']}']")
    await expect(row).to_have_text("烟感报警", timeout=WAIT)  # arrived without a reload
    await expect(page.locator(".el-notification")).to_contain_text("新预警：烟感报警")
    await row.click()
    detail = page.locator("[data-test=alert-detail]")
    await expect(detail).to_contain_text("已发出")
    await expect(detail.locator("[data-test=alert-evidence]")).to_contain_text("事件 烟感报警")
    await worker.shot("workbench-alerts")
    await detail.get_by_role("button", name="签收").click()
    await expect(detail).to_contain_text("已签收", timeout=WAIT)
    await detail.get_by_role("button", name="处置完毕").click()
    await expect(page.locator(".el-message--warning")).to_contain_text("请填写处置或排除说明")
    await detail.get_by_label("说明").fill("已到场核查，系厨房油烟误触发，已提醒住户")
    await detail.get_by_role("button", name="处置完毕").click()
    await expect(detail).to_contain_text("已处置", timeout=WAIT)
    await expect(detail).to_contain_text("已到场核查")
    await expect(row).to_have_count(0)  # the list shows open alerts: a handled one leaves it
    await worker.shot("workbench-alert-handled")
    [handled] = [e["node"] for e in (await me.data(BY_PLACE, p=mine.id))["alerts"]["edges"]]
    assert handled == {"id": alert["id"], "status": "HANDLED",
                       "note": "已到场核查，系厨房油烟误触发，已提醒住户"}

    theirs = neighbour.page
    await theirs.locator("[data-test=alert-status]").click()  # every status, read again from the hub
    await theirs.get_by_role("option", name="已处置").click()
    await theirs.keyboard.press("Escape")
    await theirs.get_by_role("button", name="查找").click()
    await expect(theirs.locator(".el-loading-mask")).to_have_count(0, timeout=WAIT)
    await expect(theirs.locator(f"[data-alert='{alert['id']}']")).to_have_count(0)
    await expect(theirs.locator(".el-notification")).to_have_count(0)
    await neighbour.shot("workbench-alerts-other-grid")
    worker.clean()
    neighbour.clean()
