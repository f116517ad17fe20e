"""The resident-to-answer journey, as people go through it (the test and bench/web_load.py).

A resident says something on the residents' page; staff put it on an accepted agenda item,
plan it and publish the plan (through the API, as the workbench's 议事 screen would); a staff
member finishes the plan's task in the workbench; the resident's page shows the final answer
as it arrives (graphql-transport-ws, no reload), and she rates it.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page, expect

from hub.civic import events
from hub.runtime import Runtime

StaffCall = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
ANSWER = "电梯已由维保单位全面检修并加装困人报警装置，感谢您的反映。"
WAIT_MS = 20_000

AGENDA = """mutation($j: String!, $m: String!) { generateAgenda(jurisdiction: $j, month: $m, top: 10)
  { id status } }"""
PLANS = "query($j: String!) { plans(jurisdiction: $j, first: 500) { agendaId status } }"
PLAN = """mutation($input: PlanInput!) { createPlan(input: $input) { id tasks { id } } }"""


@dataclass
class Journey:
    """Steps with their time (seconds), and what was made on the way."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    opinion_id: str = ""
    plan_id: str = ""
    _started: float = field(default_factory=time.perf_counter)

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps.append((name, now - self._started))
        self._started = now


async def until_following(runtime: Runtime, subject: str, timeout: float = 20.0) -> None:
    """Until the resident's page follows her answers (its subscription is listening)."""
    author = runtime.civic.author_key(subject)
    assert author
    channel = events.author_channel(author)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dict(await runtime.redis.pubsub_numsub(channel)).get(channel.encode(), 0) > 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the residents' page never subscribed to its answers")


async def resident_signs_in(page: Page, base: str, journey: Journey) -> str:
    await page.goto(f"{base}/m/")
    first = page.locator("[data-subject]").first
    await first.wait_for(timeout=WAIT_MS)
    subject = await first.get_attribute("data-subject")
    await first.click()
    await expect(page.get_by_role("tab", name="说一说")).to_be_visible()
    journey.step("居民选择演示账号登录")
    return subject or ""


async def resident_says(page: Page, journey: Journey) -> str:
    """Her building from her own registered address (the page's 填入我家的楼栋)."""
    await page.get_by_role("button", name="填入我家的楼栋").click()
    estate = page.get_by_role("combobox", name="小区")
    await expect(estate).not_to_have_value("", timeout=WAIT_MS)
    picked = page.get_by_role("combobox", name="楼幢")
    await expect(picked).not_to_have_value("", timeout=WAIT_MS)  # her building, in the list
    building = await picked.input_value()
    assert building.isdigit(), building
    await page.get_by_role("textbox", name="内容").fill(f"{building}幢电梯又坏了，老人被困在电梯里半小时，请尽快修理")
    await expect(page.get_by_text("推荐类别")).to_be_visible()
    await expect(page.locator("[data-category][aria-pressed=true]")).to_have_count(1)
    journey.step("填写意见（类别随输入推荐）与地点")
    await page.get_by_role("button", name="提交").click()
    article = page.locator("article[data-just-sent=true]")
    await expect(article).to_contain_text("电梯又坏了", timeout=WAIT_MS)
    await expect(page.get_by_text("● 实时")).to_be_visible(timeout=WAIT_MS)
    journey.step("提交并在“我的意见”中看到")
    return await article.get_attribute("data-opinion") or ""


async def free_agenda_item(staff: StaffCall, street: str, months: list[str]) -> dict[str, Any]:
    """An agenda item of the first of `months` that has one with no live plan (one plan per
    topic: each journey takes its own)."""
    plans = (await staff(PLANS, {"j": street}))["plans"]
    planned = {p["agendaId"] for p in plans if p["status"] != "CANCELED"}
    for month in months:
        items = (await staff(AGENDA, {"j": street, "m": month}))["generateAgenda"]
        for item in items:
            if item["id"] not in planned and item["status"] in ("PROPOSED", "ACCEPTED"):
                return dict(item)
    raise AssertionError(f"no agenda item without a plan in {months}")


async def staff_plan(
    staff: StaffCall, street: str, months: list[str], opinion_id: str, journey: Journey
) -> str:
    """An accepted agenda item with no plan yet gets the opinion, a plan of one task, published."""
    item = await free_agenda_item(staff, street, months)
    if item["status"] == "PROPOSED":
        await staff("mutation($id: ID!) { decideAgendaItem(id: $id, accept: true) { id } }", {"id": item["id"]})
    await staff("mutation($a: ID!, $o: ID!) { attachOpinion(agendaItemId: $a, opinionId: $o) { id } }",
                {"a": item["id"], "o": opinion_id})
    plan = (await staff(PLAN, {"input": {
        "agendaId": item["id"], "title": f"电梯安全整改（{uuid.uuid4().hex[:4]}）",
        "summary": "维保单位全面检修，加装困人报警", "responseText": ANSWER,
        "tasks": [{"title": "电梯全面检修", "ownerOrg": "小河物业服务有限公司", "dueDate": "2026-07-15"}],
    }}))["createPlan"]
    await staff("mutation($id: ID!) { publishPlan(id: $id) { id } }", {"id": plan["id"]})
    journey.step("工作人员：列入议题、起草并发布方案")
    return str(plan["id"])


async def staff_finishes(page: Page, base: str, plan_id: str, journey: Journey) -> None:
    """In the workbench, as street office staff: the plan's task to 100%."""
    await page.goto(f"{base}/#/council")
    await page.locator('button[data-role="street_admin"]').click()
    plan = page.locator(f'[data-plan="{plan_id}"]')
    await plan.wait_for(timeout=WAIT_MS)
    await plan.get_by_label("电梯全面检修 进度").fill("100")
    await plan.get_by_role("button", name="更新").click()
    await expect(plan.get_by_text("已完成")).to_be_visible(timeout=WAIT_MS)
    journey.step("工作人员在工作台把任务进度更新为 100%")


async def resident_sees_answer_and_rates(page: Page, opinion_id: str, journey: Journey) -> None:
    article = page.locator(f'article[data-opinion="{opinion_id}"]')
    await expect(article.locator("li.final")).to_contain_text(ANSWER, timeout=WAIT_MS)
    await expect(article.get_by_text("已答复")).to_be_visible()
    journey.step("居民页面实时收到最终答复（未刷新）")
    await article.locator(".van-rate__item").nth(4).click()
    await article.get_by_role("button", name="已解决").click()
    await article.get_by_role("button", name="提交评价").click()
    await expect(article.get_by_text("已评价：5 星")).to_be_visible(timeout=WAIT_MS)
    journey.step("居民评价答复")
