"""The workbench as street-office staff, a grid worker and an auditor use it."""


from playwright.async_api import expect

from tests.web.conftest import DESK, sign_in_staff

SCREENS = {"overview": "概览", "hotspots": "热点", "council": "议事", "entities": "人/地/事/物/组织",
           "links": "关联审核", "audit": "审计"}


async def test_street_admin_sees_every_screen(open_page, hub_url: str) -> None:
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "street_admin")
    menu = page.get_by_role("menuitem")
    await expect(menu).to_have_count(len(SCREENS))
    await expect(page.locator("[data-test=kpis]")).to_be_visible(timeout=20_000)
    await expect(page.locator("canvas").first).to_be_visible()
    await watched.shot("workbench-overview")
    await page.get_by_role("menuitem", name="热点").click()
    await expect(page.locator("svg.schematic rect.hit").first).to_be_visible(timeout=20_000)
    await expect(page.locator("[data-test=evidence]")).to_contain_text("证据")
    await watched.shot("workbench-hotspots")
    await page.get_by_role("menuitem", name="议事").click()
    await expect(page.get_by_role("heading", name="议事")).to_be_visible()
    await watched.shot("workbench-council")
    await page.get_by_role("menuitem", name="人/地/事/物/组织").click()
    await expect(page.locator("[data-test=entities] tbody tr").first).to_be_visible(timeout=20_000)
    await watched.shot("workbench-entities")
    await page.get_by_role("menuitem", name="关联审核").click()
    await expect(page.get_by_role("heading", name="关联审核")).to_be_visible()
    await watched.shot("workbench-links")
    watched.clean()
