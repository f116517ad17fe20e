"""A resident says something on her phone and sees the answer arrive when staff finish."""

from typing import Any

from hub.civic import events
from hub.runtime import Runtime
from tests.civic.test_subscriptions import until_listening
from tests.conftest import DEMO_STREET, GraphQLClient
from tests.web import journey
from tests.web.conftest import DESK, PHONE

MONTH = "2026-05"  # a month the session's demo opinions fill (the clock is pinned in June)


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
    residence = (await staff(journey.RESIDENCE, {"id": subject}))["person"]["residence"]
    estate, building = journey.building_address(residence)
    opinion_id = await journey.resident_says(resident.page, estate, building, trip)
    await resident.shot("resident-my-opinions")
    author = runtime.civic.author_key(subject)
    assert author
    await until_listening(runtime, events.author_channel(author))
    plan_id = await journey.staff_plan(staff, DEMO_STREET, MONTH, opinion_id, trip)
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
    await page.get_by_role("textbox", name="小区").fill("不存在的小区")
    await page.get_by_role("textbox", name="楼幢").fill("99")
    await page.get_by_role("button", name="提交").click()
    await page.get_by_role("alert").filter(has_text="没有找到这个地址").wait_for()
    await resident.shot("resident-say-unknown-place")
    resident.clean()
