"""The workbench as street-office staff, a grid worker and an auditor use it."""


import json
import re
from dataclasses import replace

import pytest
from playwright.async_api import expect

from hub.runtime import Runtime
from hub.web import create_app
from tests.conftest import DEMO_STREET, DemoEnv, GraphQLClient, restart, token
from tests.hub.test_graphiql import serving
from tests.web.conftest import DESK, sign_in_staff

SCREENS = {"overview": "概览", "hotspots": "热点", "council": "议事", "services": "服务",
           "alerts": "预警", "entities": "人/地/事/物/组织", "links": "关联审核", "audit": "审计"}


async def test_street_admin_sees_every_screen(
    open_page, hub_url: str, gql: GraphQLClient
) -> None:
    scheduled = await gql(SCHEDULE, input={
        "jurisdiction": DEMO_STREET, "title": "红茶议事会·老旧小区加装电梯", "mode": "ONLINE",
        "agendaIds": [], "startsAt": "2026-06-20T19:00:00", "endsAt": "2026-06-20T21:00:00"})
    assert "errors" not in scheduled, scheduled
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
    await page.get_by_role("button", name="列入议题").first.click()
    await expect(page.locator(".el-message")).to_contain_text("已列入议题", timeout=20_000)
    await page.get_by_role("menuitem", name="议事").click()
    await expect(page.locator("[data-test=agenda] tbody tr").first).to_be_visible(timeout=20_000)
    await expect(page.get_by_text("红茶议事会·老旧小区加装电梯")).to_be_visible(timeout=20_000)
    await watched.shot("workbench-council")
    await page.get_by_role("menuitem", name="人/地/事/物/组织").click()
    await expect(page.locator("[data-test=entities] tbody tr").first).to_be_visible(timeout=20_000)
    await watched.shot("workbench-entities")
    await page.get_by_role("menuitem", name="关联审核").click()
    await expect(page.get_by_role("heading", name="关联审核")).to_be_visible()
    await watched.shot("workbench-links")
    watched.clean()


SCHEDULE = "mutation($input: SessionInput!) { scheduleSession(input: $input) { id } }"
GRID = "33010500400101"  # the demo grid worker's grid (hub.access.demo_tokens)
COUNT = "query($j: String) { people(first: 1, filter: {jurisdiction: $j}) { totalCount } }"
NAMES = "{ people(first: 200) { edges { node { name idNumber phone } } } }"


async def test_grid_worker_sees_masked_fields_masked_and_only_her_grid(
    open_page, hub_url: str, gql: GraphQLClient
) -> None:
    in_grid = (await gql(COUNT, j=GRID))["data"]["people"]["totalCount"]
    in_street = (await gql(COUNT, j=DEMO_STREET))["data"]["people"]["totalCount"]
    assert 0 < in_grid < in_street
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "grid_worker")
    await page.get_by_role("menuitem", name="人/地/事/物/组织").click()
    table = page.locator("[data-test=entities]")
    await expect(table.locator("tbody tr").first).to_be_visible(timeout=20_000)
    await expect(page.get_by_text(f"共 {in_grid} 条")).to_be_visible()
    ids = await table.locator("[data-field=idNumber]").all_inner_texts()
    unmasked = [i for i in ids if i != "—" and not re.fullmatch(r"\d{6}\*+\w{4}", i)]
    assert ids and not unmasked, unmasked
    await watched.shot("workbench-grid-worker-people")
    await table.get_by_role("button", name="详情").first.click()
    person = page.locator("[data-test=entity-page]")
    await expect(person.locator("[data-field=name]")).not_to_have_text("—", timeout=20_000)
    assert "*" in await person.locator("[data-field=idNumber]").inner_text()
    await expect(person.locator("[data-field=subsidyType]")).to_have_text("—")  # absent
    await expect(person.get_by_text("已脱敏").first).to_be_visible()
    await watched.shot("workbench-person-page")
    watched.clean()


async def test_auditor_sees_the_log_and_no_personal_data(
    open_page, hub_url: str, gql: GraphQLClient
) -> None:
    people = [e["node"] for e in (await gql(NAMES))["data"]["people"]["edges"]]
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "auditor")
    log = page.locator("[data-test=access-log]")
    await expect(log.locator("tbody tr").first).to_be_visible(timeout=20_000)
    await expect(page.get_by_text("生效中的访问策略")).to_be_visible()
    await watched.shot("workbench-audit")
    await page.get_by_role("menuitem", name="人/地/事/物/组织").click()
    await expect(page.locator("[data-test=partial]")).to_contain_text("无权查看", timeout=20_000)
    await expect(page.locator("[data-test=entities] tbody tr")).to_have_count(0)
    text = await page.locator("body").inner_text()
    await page.get_by_role("menuitem", name="审计").click()
    await expect(log.locator("tbody tr").first).to_be_visible(timeout=20_000)
    text += await page.locator("body").inner_text()
    leaked = [p[k] for p in people for k in ("name", "idNumber", "phone") if p[k] and p[k] in text]
    assert not leaked
    assert not re.search(r"(?<!\d)(?:\d{17}[\dX]|1\d{10})(?!\d)", text)  # not in place codes
    watched.clean()


async def test_a_department_stopped_mid_session_gives_a_clear_partial_page(
    open_page, hub_url: str, runtime: Runtime, demo: DemoEnv
) -> None:
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "street_admin")
    await page.get_by_role("menuitem", name="人/地/事/物/组织").click()
    table = page.locator("[data-test=entities]")
    await expect(table.locator("tbody tr").first).to_be_visible(timeout=20_000)
    await expect(page.locator("[data-test=partial]")).to_have_count(0)
    await runtime.cache.invalidate()
    demo.systems.stop_one("civil")
    try:
        await page.get_by_role("button", name="查找").click()
        alert = page.locator("[data-test=partial]")
        await expect(alert).to_contain_text("民政系统", timeout=20_000)
        await expect(alert).to_contain_text("部门系统暂不可用")
        await expect(alert).to_contain_text("careLevel")
        names = await table.locator("[data-field=name]").all_inner_texts()
        assert names and all(n != "—" for n in names)  # the police registry still answers
        care = await table.locator("[data-field=careLevel]").all_inner_texts()
        assert care and set(care) == {"—"}
        await watched.shot("workbench-department-down")
    finally:
        restart(demo, runtime, "civil")
    watched.clean()


async def test_without_introspection_the_menu_is_what_the_schema_serves(
    open_page, runtime: Runtime, web_app: object
) -> None:
    """Production: no introspection, no demo sign-in; the screens are found by asking for
    their fields (the validator names those it does not know), signed in with a token."""
    settings = replace(runtime.settings, env="production", demo=False,
                       link_secret="production-like-link-secret-0123456789abcdef")
    async with serving(create_app(settings, runtime=runtime)) as base:
        watched = await open_page(DESK)
        signed = {"token": token("street_admin", DEMO_STREET, "staff-prod"), "label": "街道管理员",
                  "role": "street_admin", "subject": "staff-prod", "jurisdictions": [DEMO_STREET]}
        await watched.page.add_init_script(
            f"sessionStorage.setItem('hub.session', {json.dumps(json.dumps(signed))})")
        await watched.page.goto(f"{base}/")
        await expect(watched.page.get_by_role("menuitem")).to_have_count(len(SCREENS))
        await expect(watched.page.locator("[data-test=kpis]")).to_be_visible(timeout=20_000)
        await expect(watched.page.locator(".el-loading-mask")).to_have_count(0, timeout=20_000)
        watched.clean()
        await watched.page.close()


@pytest.mark.parametrize(
    "role", ["community_worker", "police", "civil_affairs", "property_manager", "city_brain"]
)
async def test_every_role_gets_every_screen_without_a_page_error(
    open_page, hub_url: str, role: str
) -> None:
    """What a role may not read is said on the screen (FORBIDDEN as 您的角色无权查看), and the
    page itself never breaks."""
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, role)
    for title in SCREENS.values():
        await page.get_by_role("menuitem", name=title).click()
        heading = page.get_by_role("heading", level=2, name=title)
        await expect(heading).to_be_visible()
        await expect(page.locator(".el-loading-mask")).to_have_count(0, timeout=20_000)
    await watched.shot(f"workbench-{role}-last-screen")
    watched.clean()
