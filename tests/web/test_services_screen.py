"""服务 in the workbench and 问卷 on the residents' page: the catalogue with small groups shown as
such, a suggestion decided, a project moved on (and refused plainly), and a survey answered once
by a resident from its printed link while its results come in on the workbench."""

import asyncio

import httpx
import pytest
from playwright.async_api import expect

from hub.runtime import Runtime
from resolvers.services.projects import CHANNEL
from tests.civic.conftest import Caller
from tests.conftest import DEMO_STREET, STREET_ADMIN, bearer
from tests.services.conftest import MINE, residents_of, services_demo
from tests.web.conftest import DESK, PHONE, sign_in_staff, sign_in_with_token

__all__ = ["services_demo"]  # the demo's precise services, seeded once like `make run` does
pytestmark = pytest.mark.usefixtures("services_demo")

WAIT = 20_000
MODULES = """query($j: String) { serviceModules(jurisdiction: $j) { id
  targetGroup { count suppressed withheld } } }"""
SUGGESTIONS = """query($j: String!) { serviceSuggestions(jurisdiction: $j, top: 20) {
  community need kind name summary decision { decision note } } }"""
GROUPS = """query($j: String!) { targetGroups(jurisdiction: $j) { count suppressed withheld } }"""
START = """mutation($i: ServiceProjectInput!) { startServiceProject(input: $i) { id } }"""
SURVEY = """mutation($p: ID!) { createSurvey(projectId: $p, title: "助浴上门服务满意度调查", questions: [
  {kind: "choice", text: "您觉得上门时间是否合适？", options: ["合适", "偏早", "偏晚"]},
  {kind: "scale", text: "您对助浴服务的总体满意度", satisfaction: true},
  {kind: "text", text: "还有什么建议？"}]) { id } }"""
SEND = "mutation($id: ID!) { sendSurvey(id: $id) { id link } }"
AUDIENCE = "query($id: ID!) { serviceSurvey(id: $id) { results { audienceSize responseRate } } }"
RESULTS = "query($id: ID!) { serviceSurvey(id: $id) { results { respondents satisfactionRate } } }"


async def test_the_services_screen_and_a_survey_answered_once(
    open_page, hub_url: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    street = Caller(client, STREET_ADMIN)
    worker = Caller(client, bearer("community_worker", MINE, "worker-web"))
    modules = (await street.data(MODULES, j=DEMO_STREET))["serviceModules"]
    groups = (await street.data(GROUPS, j=DEMO_STREET))["targetGroups"]
    sizes = [m["targetGroup"] for m in modules] + groups
    small = sum(1 for g in sizes if g["suppressed"])
    suggestions = (await street.data(SUGGESTIONS, j=DEMO_STREET))["serviceSuggestions"]
    undecided = [s for s in suggestions if s["decision"] is None]
    assert modules and groups and undecided
    project = (await worker.data(START, i={
        "community": MINE, "need": "meals", "title": "高龄老人助浴上门服务",
        "summary": "为失能、半失能老人提供每月两次上门助浴",
        "evidence": "近三个月助浴相关意见 9 条，辖区失能老人 30 余人"}))["startServiceProject"]

    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "street_admin")
    await page.get_by_role("menuitem", name="服务").click()
    catalogue = page.locator("[data-test=catalogue] tbody tr")
    await expect(catalogue.first).to_be_visible(timeout=WAIT)
    await expect(catalogue).to_have_count(len(modules))
    shown = page.locator("[data-test=group-size]")
    await expect(shown).to_have_count(len(sizes), timeout=WAIT)
    texts = await shown.all_inner_texts()
    assert texts.count("1–4 人（小数不显示）") == small
    assert sorted(t for t in texts if t.endswith(" 人")) == sorted(
        f"{g['count']} 人" for g in sizes if g["count"] is not None)
    await watched.shot("workbench-services-catalogue")

    await page.get_by_role("tab", name="需求建议").click()
    cards = page.locator("[data-test=suggestion]")
    await expect(cards).to_have_count(len(suggestions), timeout=WAIT)
    first = cards.nth(suggestions.index(undecided[0]))
    await expect(first.locator("[data-test=forecast]")).to_have_text(undecided[0]["summary"])
    await first.get_by_role("button", name="不采纳").click()
    await first.get_by_role("textbox", name="理由").fill("与街道助餐点服务重叠，下季度再评估")
    await first.get_by_role("button", name="确定").click()
    await expect(first.locator("[data-test=decision]")).to_contain_text("未采纳", timeout=WAIT)
    await watched.shot("workbench-services-suggestions")
    decided = {(s["community"], s["need"], s["kind"]): s["decision"] for s in (
        await street.data(SUGGESTIONS, j=DEMO_STREET))["serviceSuggestions"]}
    key = (undecided[0]["community"], undecided[0]["need"], undecided[0]["kind"])
    assert decided[key] == {"decision": "reject", "note": "与街道助餐点服务重叠，下季度再评估"}

    await page.get_by_role("tab", name="服务项目").click()
    card = page.locator("[data-test=project]").filter(has_text="高龄老人助浴上门服务")
    await expect(card).to_have_count(1, timeout=WAIT)
    await expect(page.locator("[data-stage=DISCOVER]")).to_contain_text("高龄老人助浴上门服务")
    await card.get_by_role("button", name="转入下一阶段").click()
    await card.get_by_role("textbox", name="依据").fill("已走访新三宝服务社和社区卫生服务站")
    await card.get_by_role("button", name="确定").click()
    await expect(page.locator("[data-stage=FIND_RESOURCES]")).to_contain_text(
        "高龄老人助浴上门服务", timeout=WAIT)
    await card.get_by_role("button", name="转入下一阶段").click()  # to the review, no resources yet
    await card.get_by_role("textbox", name="依据").fill("提交街道评估审批")
    await card.get_by_role("button", name="确定").click()
    refused = card.locator("[data-test=move-problem]")
    await expect(refused).to_contain_text("当前状态下不能这样操作", timeout=WAIT)
    await expect(refused).to_contain_text("resources")
    await expect(page.locator("[data-stage=FIND_RESOURCES]")).to_contain_text("高龄老人助浴上门服务")
    await watched.shot("workbench-services-projects")

    survey = (await worker.data(SURVEY, p=project["id"]))["createSurvey"]
    link = (await worker.data(SEND, id=survey["id"]))["sendSurvey"]["link"]
    printed = await client.get(link)
    token = link.rsplit("/", 1)[1]
    assert printed.status_code == 307 and printed.headers["location"] == f"/m/#/survey/{token}"
    await page.reload()
    await page.get_by_role("tab", name="问卷").click()
    await page.locator("#survey-pick").click(force=True)
    await page.get_by_role("option", name="助浴上门服务满意度调查（高龄老人助浴上门服务）").click()
    results = page.locator("[data-test=satisfaction]")
    await expect(results).to_contain_text("已收 0 份", timeout=WAIT)
    await expect(page.locator("[data-test=audience]")).to_contain_text("本社区全体居民")

    [person] = await residents_of(runtime, MINE, 1)
    phone, again = await open_page(PHONE), await open_page(PHONE)  # one resident, two tabs
    for tab in (phone, again):
        await sign_in_with_token(tab, hub_url, "resident", "", person, "居民",
                                 path=f"/m/#/survey/{token}")
        await expect(tab.page.get_by_text("助浴上门服务满意度调查")).to_be_visible(timeout=WAIT)
    for tab in (phone, again):
        await tab.page.get_by_role("radio", name="合适").click()
        await tab.page.get_by_role("radio", name="5 分").click()
    await phone.page.get_by_role("textbox", name="第3题回答").fill("师傅很耐心，希望冬天多安排几次")
    await phone.page.get_by_role("button", name="提交问卷").click()
    await expect(phone.page.get_by_text("您已填写过这份问卷，感谢参与。")).to_be_visible(timeout=WAIT)
    await phone.shot("resident-survey-answered")
    await phone.page.get_by_role("button", name="返回问卷列表").click()
    listed = phone.page.locator(f"[data-survey='{survey['id']}']")
    await expect(listed).to_contain_text("助浴上门服务满意度调查")
    await expect(listed).to_contain_text("已填写")
    await again.page.get_by_role("button", name="提交问卷").click()
    await expect(again.page.get_by_role("alert")).to_have_text(
        "您已经填写过这份问卷，每人只能填写一次", timeout=WAIT)
    await again.shot("resident-survey-already-answered")

    await expect(results).to_contain_text("已收 1 份", timeout=WAIT)  # live on the workbench
    await expect(results).to_contain_text("100.0%")
    await expect(results).to_contain_text("达标")
    await expect(results).not_to_contain_text("未达标")
    size = (await worker.data(AUDIENCE, id=survey["id"]))["serviceSurvey"]["results"]
    assert size["audienceSize"] >= 5 and size["responseRate"] == 1 / size["audienceSize"]
    await expect(page.locator("[data-test=audience]")).to_contain_text(
        f"{size['audienceSize']} 人 · 回收率 {100 / size['audienceSize']:.1f}%")
    await watched.shot("workbench-services-survey")
    counted = (await worker.data(RESULTS, id=survey["id"]))["serviceSurvey"]["results"]
    assert counted == {"respondents": 1, "satisfactionRate": 1.0}
    for tab in (watched, phone, again):
        tab.clean()


async def _listeners(runtime: Runtime, channel: str) -> int:
    counts = dict(await runtime.redis.pubsub_numsub(channel))
    return int(counts.get(channel, counts.get(channel.encode(), 0)))


async def test_a_survey_sent_reaches_the_residents_list_live(
    open_page, hub_url: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    worker = Caller(client, bearer("community_worker", MINE, "worker-web"))
    project = (await worker.data(START, i={
        "community": MINE, "need": "meals", "title": "社区食堂晚餐试点",
        "summary": "在长者食堂试供晚餐", "evidence": "近三个月晚餐相关意见 12 条"}))[
        "startServiceProject"]
    survey = (await worker.data(SURVEY.replace("助浴上门服务满意度调查", "晚餐试点意见征集"),
                                p=project["id"]))["createSurvey"]
    [person] = await residents_of(runtime, MINE, 1)
    channel = CHANNEL.format(community=MINE)
    before = await _listeners(runtime, channel)
    phone = await open_page(PHONE)
    await sign_in_with_token(phone, hub_url, "resident", "", person, "居民", path="/m/")
    await phone.page.get_by_role("tab", name="问卷").click()
    await expect(phone.page.get_by_role("heading", name="服务问卷")).to_be_visible(timeout=WAIT)
    listed = phone.page.locator(f"[data-survey='{survey['id']}']")
    await expect(listed).to_have_count(0)
    for _ in range(400):  # the hub listens for her community's surveys before one goes out
        if await _listeners(runtime, channel) > before:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the residents' page never subscribed to surveySent")
    await worker.data(SEND, id=survey["id"])
    await expect(listed).to_contain_text("晚餐试点意见征集", timeout=WAIT)  # no reload
    await expect(listed).to_contain_text("去填写")
    await phone.shot("resident-survey-arrived")
    phone.clean()
