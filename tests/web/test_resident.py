"""A resident says something on her phone and sees the answer arrive when staff finish."""

import re
from typing import Any

from playwright.async_api import expect

from hub.runtime import Runtime
from tests.conftest import DEMO_STREET, GraphQLClient
from tests.web import journey
from tests.web.conftest import DESK, PHONE

# months the demo opinions fill (the clock is pinned in June), each holding a few topics
MONTHS = ["2026-05", "2026-04", "2026-03", "2026-02", "2026-01"]


async def test_a_resident_sees_the_answer_arrive_live_when_staff_finish_a_plan(
    open_page, hub_url: str, gql: GraphQLClient, runtime: Runtime
) -> None:
    async def staff(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = await gql(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[return-value]

    trip = journey.Journey()
    resident = await open_page(PHONE)
    subject = await journey.resident_signs_in(resident.page, hub_url, trip)
    await resident.shot("resident-sign-in-done")
    opinion_id = await journey.resident_says(resident.page, trip)
    await resident.shot("resident-my-opinions")
    await journey.until_following(runtime, subject)
    plan_id = await journey.staff_plan(staff, DEMO_STREET, MONTHS, opinion_id, trip)
    workbench = await open_page(DESK)
    await journey.staff_finishes(workbench.page, hub_url, plan_id, trip)
    await workbench.shot("workbench-plan-done")
    await journey.resident_sees_answer_and_rates(resident.page, opinion_id, trip)
    await resident.shot("resident-answer-rated")
    resident.clean()
    workbench.clean()


async def test_the_residents_page_says_what_is_wrong_with_a_place(open_page, hub_url: str) -> None:
    resident = await open_page(PHONE)
    await journey.resident_signs_in(resident.page, hub_url, journey.Journey())
    page = resident.page
    await page.get_by_role("textbox", name="内容").fill("楼道里的灯坏了一个多星期")
    await page.get_by_role("button", name="列表里没有？手动填写").click()
    await page.get_by_role("textbox", name="小区").fill("不存在的小区")
    await page.get_by_role("textbox", name="楼幢").fill("99")
    await page.get_by_role("button", name="提交").click()
    await page.get_by_role("alert").filter(has_text="没有找到这个地址").wait_for()
    await resident.shot("resident-say-unknown-place")
    resident.clean()


OPINION = "query($id: ID!) { opinion(id: $id) { placeName placePrecision address } }"


async def test_a_resident_picks_estate_building_unit_from_lists(
    open_page, hub_url: str, gql: GraphQLClient
) -> None:
    resident = await open_page(PHONE)
    await journey.resident_signs_in(resident.page, hub_url, journey.Journey())
    page = resident.page
    estate = page.get_by_role("combobox", name="小区")
    await expect(estate.locator("option")).not_to_have_count(1, timeout=journey.WAIT_MS)
    estates = (await estate.locator("option").all_inner_texts())[1:]
    assert estates == sorted(estates) and "请选择小区" not in estates
    await estate.select_option(estates[0])
    building = page.get_by_role("combobox", name="楼幢")
    await expect(building).to_be_enabled(timeout=journey.WAIT_MS)
    labels = (await building.locator("option").all_inner_texts())[1:]
    assert labels and all(re.fullmatch(r"\d+幢", b) for b in labels), labels
    await building.select_option(label=labels[-1])
    unit = page.get_by_role("combobox", name="单元")
    await expect(unit).to_be_enabled(timeout=journey.WAIT_MS)
    units = (await unit.locator("option").all_inner_texts())[1:]
    assert units and all(re.fullmatch(r"\d+单元", u) for u in units), units
    await unit.select_option(label=units[0])
    await page.get_by_role("textbox", name="内容").fill("单元门禁坏了，外卖员随意进出")
    await resident.shot("resident-say-place-picker")
    await page.get_by_role("button", name="提交").click()
    article = page.locator("article[data-just-sent=true]")
    await expect(article).to_contain_text("单元门禁坏了", timeout=journey.WAIT_MS)
    opinion = (await gql(OPINION, id=await article.get_attribute("data-opinion")))["data"]["opinion"]
    assert opinion["address"] == f"{estates[0]}{labels[-1]}{units[0]}"
    assert opinion["placeName"] == f"{estates[0]}{labels[-1]}"
    assert opinion["placePrecision"] == "building"
    resident.clean()


SESSION = """mutation($input: SessionInput!) { scheduleSession(input: $input) { id } }"""
BALLOT = """mutation($s: ID!) { openBallot(sessionId: $s, question: "是否同意在3幢北侧增设电动自行车充电棚",
  options: ["同意", "不同意"], deadline: "2026-06-15T20:00:00") { id } }"""


async def test_a_resident_joins_a_council_session_and_votes(
    open_page, hub_url: str, gql: GraphQLClient
) -> None:
    session = await gql(SESSION, input={
        "jurisdiction": DEMO_STREET, "title": "红茶议事会·充电棚选址", "mode": "HYBRID",
        "startsAt": "2026-06-15T09:00:00", "endsAt": "2026-06-15T21:00:00", "agendaIds": [],
        "location": "小河街道党群服务中心"})
    assert "errors" not in session, session
    session_id = session["data"]["scheduleSession"]["id"]
    assert "errors" not in (ballot := await gql(BALLOT, s=session_id)), ballot
    resident = await open_page(PHONE)
    page = resident.page
    await page.goto(f"{hub_url}/m/#/council/{session_id}")
    await page.locator("[data-subject]").first.click()
    await expect(page.get_by_text("红茶议事会·充电棚选址")).to_be_visible(timeout=journey.WAIT_MS)
    await page.get_by_role("button", name="我要参会").click()
    await expect(page.get_by_text("已报名参会")).to_be_visible()
    await page.get_by_role("radio", name="同意", exact=True).click()
    await page.get_by_role("button", name="投票").click()
    await expect(page.get_by_text("投票成功")).to_be_visible()
    await resident.shot("resident-council-vote")
    again = await gql("query($id: ID!) { councilSession(id: $id) { participants { role } } }", id=session_id)
    assert [p["role"] for p in again["data"]["councilSession"]["participants"]] == ["resident"]
    resident.clean()
