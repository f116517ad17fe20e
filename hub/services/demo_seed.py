"""The demo's precise services (`make run`, and the test session): for each community of the
demo street, four years of monthly demand (demo/service_demand.py, seeded once), a catalogue
that matches its ground truth (a module with its capacity where the truth has one; a mandatory
module without one is only proposed), and one project at each of the seven stages, the last
one finished with its questionnaire answered. Idempotent: what exists is left as it is.
"""

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.runtime import Runtime
from hub.services import demand
from hub.services.catalogue import ModuleSpec
from hub.services.projects import STAGES, TargetSpec
from hub.services.records import Answer, DemandCount, Project
from hub.services.suggestions import HISTORY_MONTHS, this_month
from hub.services.surveys import Question

log = logging.getLogger("hub.services")
DEMO_STREET = "330105004"
DEMAND_SEED = 7
STREET_OFFICE = "小河街道办事处（演示）"
WORKER = "社区工作人员（演示）"
PROVIDERS = {
    "government": ["社区党群服务中心"], "elderly_care": ["社区居家养老服务照料中心"],
    "meals": ["新三宝服务社"], "childcare": ["阳光宝贝托育园"], "disability": ["残疾人之家"],
    "health": ["社区卫生服务站"], "employment": ["街道就业服务站"],
    "legal": ["社区法律顾问（律师事务所）"], "culture": ["社区文化家园"],
    "convenience": ["便民服务驿站"],
}
HOURS = "周一至周五 8:30–17:00；周六 9:00–12:00"


@dataclass(frozen=True)
class Seeded:
    communities: int
    demand_rows: int
    modules: int
    projects: int


async def communities_of(runtime: Runtime, street: str = DEMO_STREET) -> list[str]:
    rows = await runtime.links.residents_by_community([street])
    return [code for code, _, residents in rows if residents]


async def seed(runtime: Runtime, street: str = DEMO_STREET) -> Seeded:
    from demo.service_demand import demand_truth, monthly_demand  # the demo's, not the hub's

    communities = await communities_of(runtime, street)
    if not communities:
        return Seeded(0, 0, 0, 0)
    end = this_month()
    services = runtime.services
    rows = modules = projects = 0
    async with runtime.sessions() as session:
        have = await session.scalar(select(exists().where(
            DemandCount.community == communities[0], DemandCount.month == demand.month_label(end))))
        if not have:
            series = monthly_demand(DEMAND_SEED, communities, end, HISTORY_MONTHS)
            rows = await demand.store_history(session, series, end)
    truth = demand_truth(DEMAND_SEED, communities, end)
    for community in communities:
        modules += await catalogue_from_truth(runtime, community, truth.capacity)
    async with runtime.sessions() as session:
        started = await session.scalar(select(exists().where(
            Project.community == communities[0])))
    if not started:
        projects = await _projects(runtime, communities[0])
    services.groups.forget()
    return Seeded(len(communities), rows, modules, projects)


async def catalogue_from_truth(
    runtime: Runtime, community: str, capacity: dict[tuple[str, str], int]
) -> int:
    """A community's modules as the demand truth has them: active with the truth's monthly
    capacity, or (a mandatory one without capacity) proposed; returns how many were added."""
    catalogue = runtime.services.catalogue
    added = 0
    async with runtime.sessions() as session:
        for need in catalogue.vocabulary.modules:
            kind = catalogue.vocabulary.kind(need)
            if kind is None or await catalogue.find(session, community, need) is not None:
                continue
            monthly = capacity.get((community, need))
            if monthly is None and not kind.mandatory:
                continue
            unit = "份/月" if need == "meals" else "人次/月"
            spec = ModuleSpec(need, providers=PROVIDERS.get(need, ()), capacity=monthly,
                              unit=unit, hours=HOURS)
            status = "active" if monthly is not None else "proposed"
            note = "规定动作" if kind.mandatory else "自选动作"
            await catalogue.add(session, community, spec, STREET_OFFICE, status=status,
                                note=note if monthly is not None else f"{note}，尚未建成")
            added += 1
    return added


# One project at each stage: (need, title, summary, the stage it stops at).
PROJECTS = (
    ("childcare", "社区托育点筹建", "婴幼儿家庭增多，筹建普惠托育点", "discover"),
    ("elderly_care", "独居老人助浴服务", "为失能、半失能独居老人提供上门助浴", "find_resources"),
    ("disability", "残疾人康复驿站", "在社区设康复训练点，就近康复", "review"),
    ("legal", "法律咨询进社区", "每周律师坐班，调解邻里纠纷", "set_targets"),
    ("health", "家庭医生上门签约", "为高龄老人提供家庭医生签约与上门服务", "implement"),
    ("culture", "暑期儿童托管班", "双职工家庭暑期托管，含作业辅导和文体活动", "evaluate"),
    ("meals", "长者助餐（新三宝服务社）", "长者食堂堂食与送餐，价格、配送和菜品按问卷改进",
     "feedback"),
)
EVIDENCE = {
    "find_resources": "走访辖区企业、社会组织和志愿者团队，征集服务资源",
    "review": "资源落实，提交街道评估审批",
    "set_targets": "街道评估通过，同意立项",
    "implement": "目标明确，服务启动",
    "evaluate": "运行满三个月，开展项目评估和居民问卷",
    "feedback": "问卷结果向居民公示，意见纳入下一轮服务调整",
}


async def _projects(runtime: Runtime, community: str) -> int:
    services = runtime.services
    made = 0
    for need, title, summary, last in PROJECTS:
        async with runtime.sessions() as session:
            module = await services.catalogue.find(session, community, need)
            project = await services.projects.create(
                session, community, need, title, summary,
                "居民意见与服务使用量显示需求上升", module.id if module else None, WORKER)
            await _advance(runtime, session, project, last)
        made += 1
    return made


async def _advance(
    runtime: Runtime, session: AsyncSession, project: Project, last: str
) -> None:
    projects = runtime.services.projects
    for stage in STAGES[1:STAGES.index(last) + 1]:
        if stage == "review":
            await projects.resources(session, project, ["新三宝服务社", "社区志愿者协会"], 15,
                                     60000.0)
        if stage == "implement":
            await projects.set_targets(session, project, [
                TargetSpec("覆盖服务对象", 80, "人"), TargetSpec("每周服务", 300, "人次/周")])
        if stage == "feedback":
            await _survey(runtime, session, project)
            await projects.evaluate(session, project, "continue", "满意率达标，继续运营",
                                    STREET_OFFICE)
        actor = STREET_OFFICE if stage == "set_targets" else WORKER
        await projects.move(session, project, stage, EVIDENCE[stage], actor)
        if stage == "implement":
            for target, share in zip(await projects.targets(session, project.id), (0.9, 0.85),
                                     strict=False):
                await projects.progress(session, project, target.id, target.goal * share)


async def _survey(runtime: Runtime, session: AsyncSession, project: Project) -> None:
    surveys = runtime.services.surveys
    survey = await surveys.create(session, project, "助餐服务满意度调查", [
        Question("choice", "您觉得餐费价格是否合适？", ("偏贵", "合适", "便宜")),
        Question("choice", "送餐是否准时？", ("准时", "偶尔迟到", "经常迟到")),
        Question("scale", "您对助餐服务的总体满意度", satisfaction=True),
        Question("text", "对菜品和配送有什么建议？"),
    ])
    await surveys.send(session, survey)
    nodes, _ = await runtime.links.page("Person", [project.community], 0, 40, {}, False)
    remarks = ("菜品清淡，适合老人", "希望周末也能送餐", "红烧肉少放点糖", "送餐师傅很热情", "")
    for i, node in enumerate(nodes):
        key = runtime.services.respondent_key(node.id)
        if await session.get(Answer, (survey.id, key)) is not None:
            continue
        score = "3" if i == 7 else ("4" if i % 3 == 0 else "5")
        await surveys.answer(session, survey, key, [
            "合适" if i % 4 else "偏贵", "准时" if i % 6 else "偶尔迟到", score,
            remarks[i % len(remarks)] or None])
    await surveys.close(session, survey)


class ServicesSeeding:
    """At start, in the background: the demo's seed (in the demo), then the forecasts of every
    street's suggestions fitted once, so the first request does not wait for them."""

    def __init__(self, runtime: Runtime, seed_demo: bool) -> None:
        self.task = asyncio.create_task(self._run(runtime, seed_demo), name="precise services")

    async def _run(self, runtime: Runtime, seed_demo: bool) -> None:
        try:
            if seed_demo and runtime.settings.demo:
                done = await seed(runtime)
                log.info("precise services demo: %s", done)
            if runtime.services.suggestions.forecast is not None:
                streets = await runtime.services.suggestions.warm()
                log.info("precise services: forecasts fitted for %d streets", streets)
        except Exception:  # the hub serves on; the next start tries again
            log.exception("precise services: the start-up seed or warm-up failed")

    async def stop(self) -> None:
        if not self.task.done():
            self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def start_seeding(runtime: Runtime, seed_demo: bool) -> ServicesSeeding:
    """The demo's seed where `seed_demo` (and the hub runs the demo); the warm-up always."""
    return ServicesSeeding(runtime, seed_demo)
