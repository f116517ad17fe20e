"""Precise services: catalogue modules, target groups, and their history."""

import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select

from hub.access.stats import suppressed
from hub.services import audience, demand, records
from hub.services.access import DEMAND, SURVEY
from hub.services.projects import STAGE_NAMES, allowed_moves
from hub.services.suggestions import this_month
from hub.services.surveys import TARGET_RATE
from resolvers.civic.types import column
from resolvers.context import Info
from resolvers.services.access import caller, demand_history, group_counts, group_prefix, shown


@strawberry.enum(description="服务模块状态：拟设 → 运行 → 暂停 → 撤销")
class ModuleStatus(Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    RETIRED = "retired"


@strawberry.type(description="目标人群的人数（由部门数据实时计算；1–4 人不显示）")
class TargetGroupSize:
    code: str
    name: str
    community: str
    count: int | None = strawberry.field(description="人数；1–4 人或无权查看时为 null")
    suppressed: bool = strawberry.field(description="人数为 1–4，不显示（小单元格保护）")
    withheld: bool = strawberry.field(description="本角色不可查看此辖区的人群人数")


@strawberry.type(description="服务模块的一次变更")
class ModuleChange:
    row: strawberry.Private[records.ModuleChange]
    action = column("action", str, "created、updated 或新状态")

    @strawberry.field(description="变更后的状态")
    def status_after(self) -> ModuleStatus:
        return ModuleStatus(self.row.status_after)

    note = column("note", str)
    actor = column("actor", str, "操作人")
    created_at = column("created_at", datetime.datetime)


async def size_of(info: Info, group: str, community: str) -> TargetGroupSize:
    names = info.context.runtime.services.vocabulary.groups
    name = names[group].name if group in names else group
    prefix = group_prefix(caller(info), community)
    if prefix is None:
        return TargetGroupSize(code=group, name=name, community=community, count=None,
                               suppressed=False, withheld=True)
    count = (await group_counts(info, prefix)).get(group, {}).get(community, 0)
    return TargetGroupSize(code=group, name=name, community=community, count=shown(count),
                           suppressed=shown(count) is None, withheld=False)


@strawberry.type(description="需求预测（80% 预测区间）")
class DemandForecast:
    method: str
    level: float
    mean: list[float]
    lower: list[float]
    upper: list[float]


@strawberry.type(description="模块的需求走势：近期使用、预测与服务能力（工作人员可见）")
class ModuleOutlook:
    history: list[int] = strawberry.field(description="近 12 个月的月需求，最早在前")
    recent: float = strawberry.field(description="近 6 个月平均月需求")
    capacity_per_month: float | None = strawberry.field(description="每月服务能力（按单位折算）")
    forecast: DemandForecast | None
    forecast_over_capacity: bool = strawberry.field(
        description="未来 3 个月预测需求超出服务能力（预警）")
    summary: str = strawberry.field(description="如 预计2026年9月助餐服务需求+18%（80%区间 …）")


@strawberry.type(description="社区服务目录中的一个模块或自选项目")
class ServiceModule:
    row: strawberry.Private[records.Module]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    community = column("community", str, "社区编码")
    code = column("code", str, "模块编码（需求分类）")
    name = column("name", str)
    mandatory = column("mandatory", bool, "规定动作（true）或自选动作（false）")
    parent = column("parent", str | None, "自选项目所属的预设模块")
    providers = column("providers", list[str], "服务提供单位")
    capacity = column("capacity", int | None, "服务能力")
    unit = column("unit", str, "服务能力的单位，如 份/周")
    hours = column("hours", str, "开放时间")
    takes_requests = column("takes_requests", bool, "是否受理居民服务申请（Open311）")

    @strawberry.field(description="状态")
    def status(self) -> ModuleStatus:
        return ModuleStatus(self.row.status)

    updated_at = column("updated_at", datetime.datetime)

    @strawberry.field(description="目标人群及其人数")
    async def target_group(self, info: Info) -> TargetGroupSize:
        return await size_of(info, self.row.target_group, self.row.community)

    @strawberry.field(description="需求走势与预测（需求分析权限；其他角色为 null）")
    async def outlook(self, info: Info) -> ModuleOutlook | None:
        row = self.row
        if not caller(info).covers(DEMAND, "read", row.community):
            return None
        counts = (await demand_history(info, row.community)).get((row.community, row.code))
        if not counts:
            return None
        evidence = demand.Evidence(recent=sum(counts[-demand.RECENT:]) / demand.RECENT,
                                   history=counts, capacity=demand.monthly_capacity(row))
        fit = info.context.runtime.services.suggestions.forecast
        if fit is not None:
            demand.fill_forecast(evidence, fit)
        ahead = max(evidence.forecast_mean[:demand.AHEAD], default=0.0)
        forecast = DemandForecast(
            method=evidence.forecast_method or "", level=demand.LEVEL,
            mean=evidence.forecast_mean, lower=evidence.forecast_lower,
            upper=evidence.forecast_upper) if evidence.forecast_mean else None
        return ModuleOutlook(
            history=counts[-12:], recent=round(evidence.recent, 2),
            capacity_per_month=evidence.capacity, forecast=forecast,
            forecast_over_capacity=evidence.capacity is not None and ahead > evidence.capacity,
            summary=demand.describe(row.name, evidence, this_month()))

    @strawberry.field(description="变更历史，最早在前")
    async def history(self, info: Info) -> list[ModuleChange]:
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.catalogue.history(session, self.row.id)
        return [ModuleChange(row=r) for r in rows]


def module_of(row: Any) -> ServiceModule:
    return ServiceModule(row=row)


@strawberry.enum(description="服务项目的七个阶段")
class ProjectStage(Enum):
    DISCOVER = "discover"
    FIND_RESOURCES = "find_resources"
    REVIEW = "review"
    SET_TARGETS = "set_targets"
    IMPLEMENT = "implement"
    EVALUATE = "evaluate"
    FEEDBACK = "feedback"


@strawberry.enum(description="项目评估结论：继续、调整、撤销模块")
class ProjectOutcome(Enum):
    CONTINUE = "continue"
    ADJUST = "adjust"
    RETIRE = "retire"


@strawberry.type(description="项目的一步：阶段变化、依据与操作人")
class ProjectStep:
    row: strawberry.Private[records.ProjectStep]

    @strawberry.field
    def from_stage(self) -> ProjectStage | None:
        return ProjectStage(self.row.from_stage) if self.row.from_stage else None

    @strawberry.field
    def to_stage(self) -> ProjectStage:
        return ProjectStage(self.row.to_stage)

    evidence = column("evidence", str, "依据")
    actor = column("actor", str, "操作人")
    created_at = column("created_at", datetime.datetime)


@strawberry.type(description="可度量的项目目标及进度")
class ProjectTarget:
    row: strawberry.Private[records.Target]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    name = column("name", str, "如 覆盖独居老人、每周供餐")
    goal = column("goal", float)
    unit = column("unit", str, "如 人、份/周")
    achieved = column("achieved", float, "已完成")

    @strawberry.field(description="完成比例（0–1 以上）")
    def progress(self) -> float:
        return self.row.achieved / self.row.goal if self.row.goal else 0.0


@strawberry.type(description="问卷题目")
class SurveyQuestion:
    kind: str = strawberry.field(description="choice（选择）、scale（1–5 分）、text（文字）")
    text: str
    options: list[str]
    satisfaction: bool = strawberry.field(description="满意度题（计入满意率）")


@strawberry.type(description="关键词及次数")
class KeywordCount:
    keyword: str
    count: int


@strawberry.type(description="选项及人数")
class ChoiceCount:
    option: str
    count: int


@strawberry.type(description="一道题的结果")
class QuestionResult:
    index: int
    text: str
    kind: str
    answers: int
    choices: list[ChoiceCount]
    mean: float | None = strawberry.field(description="评分题的平均分")
    keywords: list[KeywordCount] = strawberry.field(description="文字题的关键词（同意见分析）")
    categories: list[KeywordCount] = strawberry.field(description="文字题的诉求分类")


@strawberry.type(description="问卷结果（实时）；发放对象不足 5 人时各项人数不显示（小单元格抑制）")
class SurveyResults:
    audience_size: int | None = strawberry.field(description="发放对象人数（实时计算）")
    respondents: int | None
    response_rate: float | None = strawberry.field(description="回收率：答卷人数 / 发放对象人数")
    suppressed: bool = strawberry.field(description="发放对象不足 5 人：人数与各题结果不显示")
    satisfaction_rate: float | None = strawberry.field(description="满意度题 4–5 分的占比")
    target_rate: float = strawberry.field(description="目标满意率（97%）")
    meets_target: bool | None
    questions: list[QuestionResult]


@strawberry.enum(description="问卷状态")
class SurveyStatus(Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@strawberry.enum(description="问卷的发放对象")
class SurveyAudience(Enum):
    COMMUNITY = "community"
    TARGET_GROUP = "target_group"
    USERS = "users"


@strawberry.type(description="服务项目问卷")
class ServiceSurvey:
    row: strawberry.Private[records.Survey]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def project_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.project_id))

    community = column("community", str)
    title = column("title", str)

    @strawberry.field
    def status(self) -> SurveyStatus:
        return SurveyStatus(self.row.status)

    @strawberry.field(description="题目")
    def questions(self) -> list[SurveyQuestion]:
        return [SurveyQuestion(kind=q["kind"], text=q["text"], options=q["options"],
                               satisfaction=bool(q.get("satisfaction")))
                for q in self.row.questions]

    @strawberry.field(description="可打印成二维码的链接（含问卷令牌），在应用内打开作答")
    def link(self) -> str:
        return f"/services/surveys/{self.row.token}"

    sent_at = column("sent_at", datetime.datetime | None)
    closed_at = column("closed_at", datetime.datetime | None)

    @strawberry.field(description="发放对象：本社区全体居民、项目服务对象群体或项目使用者")
    def audience(self) -> SurveyAudience:
        return SurveyAudience(self.row.audience)

    @strawberry.field(description="发放对象为服务对象群体时，群体名称（如 独居老人）")
    def audience_group(self, info: Info) -> str | None:
        group = self.row.audience_group
        found = info.context.runtime.services.vocabulary.groups.get(group) if group else None
        return found.name if found else None

    @strawberry.field(description="本人是否已作答（居民）")
    async def answered(self, info: Info) -> bool:
        who = caller(info)
        if not who.subject:
            return False
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            return await services.surveys.answered(session, self.row.id,
                                                   services.respondent_key(who.subject))

    @strawberry.field(description="结果（项目所在社区的工作人员）")
    async def results(self, info: Info) -> SurveyResults:
        caller(info).require(SURVEY, "read", self.row.community)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            found = await services.surveys.results(session, self.row)
            people = await audience.size(services, session, self.row)
        if suppressed(people):
            return SurveyResults(audience_size=None, respondents=None, response_rate=None,
                                 suppressed=True, satisfaction_rate=None,
                                 target_rate=TARGET_RATE, meets_target=None, questions=[])
        return SurveyResults(
            audience_size=people, respondents=found.respondents,
            response_rate=found.respondents / people if people else None, suppressed=False,
            satisfaction_rate=found.satisfaction_rate,
            target_rate=TARGET_RATE, meets_target=found.meets_target,
            questions=[QuestionResult(
                index=q.index, text=q.text, kind=q.kind, answers=q.answers,
                choices=[ChoiceCount(option=k, count=v) for k, v in q.choices.items()],
                mean=q.mean, keywords=[KeywordCount(keyword=k, count=v) for k, v in q.keywords],
                categories=[KeywordCount(keyword=k, count=v) for k, v in q.categories.items()])
                for q in found.questions])


@strawberry.type(description="服务项目（发现需求 → … → 意见反馈）")
class ServiceProject:
    row: strawberry.Private[records.Project]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    community = column("community", str)
    need = column("need", str, "需求分类（模块编码）")
    title = column("title", str)
    summary = column("summary", str)

    @strawberry.field(description="当前阶段")
    def stage(self) -> ProjectStage:
        return ProjectStage(self.row.stage)

    @strawberry.field(description="当前阶段名称")
    def stage_name(self) -> str:
        return STAGE_NAMES[self.row.stage]

    @strawberry.field(description="可转入的阶段")
    def allowed_moves(self) -> list[ProjectStage]:
        return [ProjectStage(s) for s in allowed_moves(self.row.stage)]

    organisations = column("organisations", list[str], "合作单位")
    volunteers = column("volunteers", int, "志愿者人数")
    budget = column("budget", float | None, "预算（元）")

    @strawberry.field(description="评估结论")
    def outcome(self) -> ProjectOutcome | None:
        return ProjectOutcome(self.row.outcome) if self.row.outcome else None

    @strawberry.field(description="对应的服务模块")
    def module_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.module_id)) if self.row.module_id else None

    @strawberry.field(description="每一步，最早在前")
    async def steps(self, info: Info) -> list[ProjectStep]:
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.projects.steps(session, self.row.id)
        return [ProjectStep(row=r) for r in rows]

    @strawberry.field(description="目标与进度")
    async def targets(self, info: Info) -> list[ProjectTarget]:
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.projects.targets(session, self.row.id)
        return [ProjectTarget(row=r) for r in rows]

    @strawberry.field(description="登记的服务使用者人数（不足 5 人不显示）")
    async def users(self, info: Info) -> int | None:
        async with info.context.runtime.sessions() as session:
            return shown(await audience.users(session, self.row.id))

    @strawberry.field(description="问卷")
    async def surveys(self, info: Info) -> list[ServiceSurvey]:
        async with info.context.runtime.sessions() as session:
            rows = await session.scalars(select(records.Survey).where(
                records.Survey.project_id == self.row.id).order_by(records.Survey.id))
            return [ServiceSurvey(row=r) for r in rows]


@strawberry.type(description="建议的依据")
class DemandEvidence:
    recent: float = strawberry.field(description="近 6 个月平均月需求（服务使用）")
    trend: float | None = strawberry.field(description="与上年同期相比的变化")
    history: list[int] = strawberry.field(description="近 24 个月的月需求，最早在前")
    opinions: int = strawberry.field(description="近 3 个月提到该需求的意见条数")
    examples: list[str] = strawberry.field(description="意见示例（最新在前）")
    council: list[str] = strawberry.field(description="涉及该需求的议事会议题与决定")
    target_group: TargetGroupSize | None
    capacity: float | None = strawberry.field(description="现有模块每月服务能力")
    forecast: DemandForecast | None


@strawberry.type(description="对建议的决定")
class SuggestionDecision:
    row: strawberry.Private[records.SuggestionDecision]
    decision = column("decision", str, "accept、adjust 或 reject")
    note = column("note", str)
    actor = column("actor", str)
    created_at = column("created_at", datetime.datetime)

    @strawberry.field
    def module_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.module_id)) if self.row.module_id else None


@strawberry.type(description="需求分析的一条建议：未满足的需求（无模块或超出服务能力）或议事会提出的调整")
class DemandSuggestion:
    community: str
    need: str
    name: str
    kind: str = strawberry.field(description="no_module、over_capacity 或 revision")
    unmet: bool
    score: float = strawberry.field(description="缺口大小，排序用")
    suggestion: str
    suggested_capacity: int | None
    module_id: strawberry.ID | None
    forecast_over_capacity: bool = strawberry.field(description="预测需求超出服务能力（预警）")
    summary: str = strawberry.field(description="如 预计2026年9月助餐服务需求+18%（80%区间 …）")
    evidence: DemandEvidence
    decision: SuggestionDecision | None
