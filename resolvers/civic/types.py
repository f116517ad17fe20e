"""情: residents' opinions, hotspots, council agenda, sessions, ballots, plans, answers, KPIs.

Text fields carry what residents typed, unescaped: clients render them as text, never markup.
"""

import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from hub import clock
from hub.access.view import widest
from hub.civic import hotspots as detection
from hub.civic import kpis, records
from hub.civic.periods import CST
from resolvers.civic.access import Action, actor, loaders
from resolvers.common import fetch_one
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.places.types import Place

PlaceType = Annotated["Place", strawberry.lazy("resolvers.places.types")]


def column(name: str, kind: Any, description: str | None = None) -> Any:
    """A field read as it is from the row (a hub record) the object wraps."""

    def resolve(root: Any) -> Any:
        return getattr(root.row, name)

    resolve.__annotations__["return"] = kind
    return strawberry.field(resolver=resolve, description=description)


@strawberry.enum(description="意见状态")
class OpinionStatus(Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


@strawberry.enum(description="答复类型")
class ResponseKind(Enum):
    ACKNOWLEDGE = "acknowledge"
    PROGRESS = "progress"
    FINAL = "final"


@strawberry.type(description="给居民的答复")
class OpinionResponse:
    row: strawberry.Private[records.Response]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="答复类型")
    def kind(self) -> ResponseKind:
        return ResponseKind(self.row.kind)

    text = column("text", str, "答复内容")

    @strawberry.field(description="答复后的状态")
    def status_after(self) -> OpinionStatus:
        return OpinionStatus(self.row.status_after)

    responder = column("responder", str, "答复单位")

    @strawberry.field(description="所属共治方案")
    def plan_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.plan_id)) if self.row.plan_id else None

    created_at = column("created_at", datetime.datetime, "答复时间")


@strawberry.type(description="居民意见（诉求）")
class Opinion:
    row: strawberry.Private[records.Opinion]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    text = column("text", str, "意见原文（按纯文本显示）")
    category = column("category", str, "分类编码（见 opinionCategories）")
    category_given = column("category_given", bool, "分类由居民选择（否则自动分类）")
    channel = column("channel", str, "渠道：app、wechat、web、open311、hotline、offline")

    @strawberry.field(description="状态")
    def status(self) -> OpinionStatus:
        return OpinionStatus(self.row.status)

    @strawberry.field(description="关键词（jieba 分词，按重要性）")
    def keywords(self) -> list[str]:
        return self.row.keywords.split()

    @strawberry.field(description="地点编号；未匹配到地点时为 null")
    def place_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.row.place_id) if self.row.place_id else None

    place_name = column("place_name", str | None, "地点名称")
    place_precision = column(
        "place_precision", str, "地点精度：building、estate、community、street、none…"
    )

    @strawberry.field(description="地点（链接图中的 Place）")
    async def place(self, info: Info) -> PlaceType | None:
        from resolvers.places.types import Place

        if not self.row.place_id:
            return None
        return await fetch_one(info, Place, self.row.place_id)

    jurisdiction = column("jurisdiction", str | None, "辖区编码")
    address = column("address", str | None, "居民填写的地址")
    created_at = column("created_at", datetime.datetime, "受理时间")
    first_response_at = column("first_response_at", datetime.datetime | None, "首次答复时间")
    closed_at = column("closed_at", datetime.datetime | None, "办结时间")
    satisfaction = column("satisfaction", int | None, "满意度 1–5（居民评价）")
    resolved = column("resolved", bool | None, "居民认为问题已解决")

    @strawberry.field(description="答复记录")
    async def responses(self, info: Info) -> list[OpinionResponse]:
        found = await loaders(info).responses.load(self.row.id)
        return [OpinionResponse(row=r) for r in found]


@strawberry.type(description="提交结果；created 为 false 表示同一幂等键的重复提交，返回原意见")
class SubmitOpinionPayload:
    opinion: Opinion
    created: bool


@strawberry.type
class OpinionEdge:
    cursor: str
    node: Opinion


@strawberry.type
class OpinionConnection:
    edges: list[OpinionEdge]
    total_count: int
    has_next_page: bool


@strawberry.type(description="受影响的地点")
class AffectedPlace:
    place_id: strawberry.ID
    name: str
    opinions: int


@strawberry.type(description="近似重复的意见簇")
class DuplicateCluster:
    size: int
    opinion_ids: list[strawberry.ID]


@strawberry.type(description="热点：显著高于往常的诉求，附支撑意见")
class Hotspot:
    item: strawberry.Private[detection.Hotspot]

    @strawberry.field(description="标题")
    def title(self) -> str:
        return self.item.title

    @strawberry.field(description="关键词")
    def keywords(self) -> list[str]:
        return self.item.keywords

    @strawberry.field(description="集中发生的地点（全辖区热点为 null）")
    def place_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.item.place_id) if self.item.place_id else None

    @strawberry.field
    def place_name(self) -> str | None:
        return self.item.place_name

    @strawberry.field(description="显著性（泊松对数似然比）")
    def score(self) -> float:
        return self.item.score

    @strawberry.field(description="较前三个月的增长（0.5 = 增长 50%）")
    def growth(self) -> float:
        return self.item.growth

    @strawberry.field(description="支撑意见数")
    def count(self) -> int:
        return self.item.count

    @strawberry.field(description="主要分类")
    def category(self) -> str:
        return self.item.category

    @strawberry.field(description="地点层级：building / estate / community / street")
    def level(self) -> str:
        return self.item.level

    @strawberry.field(description="诉求主题（概念，如 电梯故障/困人）")
    def topic(self) -> str:
        return self.item.topic

    @strawberry.field(description="该地点前三个月该主题的月均意见数（无往期数据为 null）")
    def baseline(self) -> float | None:
        return self.item.baseline

    @strawberry.field(description="受影响最多的地点")
    def places(self) -> list[AffectedPlace]:
        return [
            AffectedPlace(place_id=strawberry.ID(p), name=n, opinions=c)
            for p, n, c in self.item.places
        ]

    @strawberry.field(description="近似重复意见簇")
    def clusters(self) -> list[DuplicateCluster]:
        return [
            DuplicateCluster(size=c.size, opinion_ids=[strawberry.ID(i) for i in c.opinion_ids])
            for c in self.item.clusters
        ]

    @strawberry.field(description="支撑意见（最新在前）")
    async def opinions(self, info: Info, first: int = 20) -> list[Opinion]:
        found = await loaders(info).opinions.load_many(self.item.opinion_ids[: max(0, first)])
        return [Opinion(row=o) for o in found if o is not None]


@strawberry.enum(description="议题状态")
class AgendaStatus(Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


@strawberry.type(description="议事会议题（由热点自动生成）")
class AgendaItem:
    row: strawberry.Private[records.AgendaItem]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    jurisdiction = column("jurisdiction", str)

    @strawberry.field(description="所属月份")
    def period(self) -> str:
        from hub.civic.periods import CST

        return self.row.period_start.astimezone(CST).strftime("%Y-%m")

    title = column("title", str)
    summary = column("summary", str)
    category = column("category", str)
    keywords = column("keywords", list[str])

    @strawberry.field(description="涉及地点")
    def places(self) -> list[AffectedPlace]:
        return [
            AffectedPlace(place_id=p["id"], name=p["name"], opinions=p["opinions"])
            for p in self.row.places
        ]

    departments = column("departments", list[str], "持有相关记录的部门系统（连接器名）")
    score = column("score", float)
    growth = column("growth", float)

    @strawberry.field
    def status(self) -> AgendaStatus:
        return AgendaStatus(self.row.status)

    @strawberry.field(description="合并到的议题")
    def merged_into(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.merged_into)) if self.row.merged_into else None

    @strawberry.field(description="支撑意见：调用者辖区内的")
    async def opinions(self, info: Info, first: int = 20) -> list[Opinion]:
        scope = widest(actor(info).scopes(Action.READ_OPINIONS))
        ids = await loaders(info).agenda_opinions.load((self.row.id, scope))
        found = await loaders(info).opinions.load_many(ids[: max(0, first)])
        return [Opinion(row=o) for o in found if o is not None]


@strawberry.enum(description="议事形式")
class SessionMode(Enum):
    ONLINE = "online"
    OFFLINE = "offline"
    HYBRID = "hybrid"


@strawberry.type(description="议事会参与者")
class Participant:
    row: strawberry.Private[records.Participant]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    role = column("role", str, "resident、representative、department、property、staff")
    display_name = column("display_name", str)
    jurisdiction = column("jurisdiction", str | None, "核验的辖区（居民）")


@strawberry.type(description="表决：一人一票，截止后计票")
class Ballot:
    row: strawberry.Private[records.Ballot]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    question = column("question", str)
    options = column("options", list[str])
    deadline = column("deadline", datetime.datetime)

    @strawberry.field(description="计票（截止后公布）")
    async def tally(self, info: Info) -> list["TallyEntry"] | None:
        if records.now() < self.row.deadline:
            return None
        counts = await info.context.runtime.civic.council.tally(self.row.id)
        return [TallyEntry(option=o, votes=n) for o, n in counts.items()]


@strawberry.type
class TallyEntry:
    option: str
    votes: int


@strawberry.type(description="议定事项")
class Decision:
    row: strawberry.Private[records.Decision]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    text = column("text", str)
    outcome = column("outcome", str | None, "表决结果")

    @strawberry.field
    def tally(self) -> list[TallyEntry]:
        return [TallyEntry(option=o, votes=n) for o, n in self.row.tally.items()]

    @strawberry.field
    def agenda_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.agenda_id)) if self.row.agenda_id else None


@strawberry.type(description="议事会会议（红茶议事会）")
class CouncilSession:
    row: strawberry.Private[records.CouncilSession]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    jurisdiction = column("jurisdiction", str)
    title = column("title", str)

    @strawberry.field
    def mode(self) -> SessionMode:
        return SessionMode(self.row.mode)

    location = column("location", str | None)
    online_url = column("online_url", str | None)
    starts_at = column("starts_at", datetime.datetime)
    ends_at = column("ends_at", datetime.datetime)

    @strawberry.field(description="议题")
    async def agenda(self, info: Info) -> list[AgendaItem]:
        return [AgendaItem(row=r) for r in await loaders(info).session_agenda.load(self.row.id)]

    @strawberry.field
    async def participants(self, info: Info) -> list[Participant]:
        return [Participant(row=r) for r in await loaders(info).participants.load(self.row.id)]

    @strawberry.field
    async def ballots(self, info: Info) -> list[Ballot]:
        return [Ballot(row=r) for r in await loaders(info).ballots.load(self.row.id)]

    @strawberry.field
    async def decisions(self, info: Info) -> list[Decision]:
        return [Decision(row=r) for r in await loaders(info).decisions.load(self.row.id)]


@strawberry.type(description="方案任务")
class PlanTask:
    row: strawberry.Private[records.Task]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="所属方案")
    def plan_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.plan_id))

    title = column("title", str)
    owner_org = column("owner_org", str, "责任单位")
    due_date = column("due_date", datetime.date)
    progress = column("progress", int, "进度 0–100")

    @strawberry.field(description="责任单位的角色（如 property_manager），其人员可更新本任务")
    async def owner_role(self, info: Info) -> str | None:
        owner = await loaders(info).task_owners.load(self.row.id)
        return owner.role if owner else None

    @strawberry.field(description="责任单位负责的辖区")
    async def owner_jurisdiction(self, info: Info) -> str | None:
        owner = await loaders(info).task_owners.load(self.row.id)
        return owner.jurisdiction if owner else None

    @strawberry.field(description="已逾期未完成")
    def overdue(self) -> bool:
        return self.row.progress < 100 and self.row.due_date < clock.today(CST)


@strawberry.enum(description="方案状态：草稿、已发布（落实中）、已完成、已撤销")
class PlanStatus(Enum):
    DRAFT = "draft"
    PUBLISHED = "active"
    DONE = "done"
    CANCELED = "canceled"


@strawberry.type(description="方案的一个版本：创建、修订、发布或撤销")
class PlanRevision:
    row: strawberry.Private[records.PlanRevision]

    version = column("version", int)
    action = column("action", str, "created、revised、published、canceled")
    title = column("title", str)
    summary = column("summary", str)
    note = column("note", str, "修订说明或撤销理由")
    office = column("office", str, "经办单位")
    created_at = column("created_at", datetime.datetime)


@strawberry.type(description="共治方案：每个议题一个，草稿 → 发布 → 完成，或撤销")
class Plan:
    row: strawberry.Private[records.Plan]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def agenda_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.agenda_id))

    title = column("title", str)
    summary = column("summary", str)
    response_text = column("response_text", str | None, "方案完成时自动发给居民的最终答复")

    @strawberry.field(description="状态")
    def status(self) -> PlanStatus:
        return PlanStatus(self.row.status)

    completed_at = column("completed_at", datetime.datetime | None)

    @strawberry.field(description="版本历史，最早在前")
    async def revisions(self, info: Info) -> list[PlanRevision]:
        return [PlanRevision(row=r) for r in await loaders(info).plan_revisions.load(self.row.id)]

    @strawberry.field(description="当前版本号")
    async def version(self, info: Info) -> int:
        found = await loaders(info).plan_revisions.load(self.row.id)
        return found[-1].version if found else 1

    @strawberry.field(description="撤销理由")
    async def cancel_reason(self, info: Info) -> str | None:
        found = await loaders(info).plan_revisions.load(self.row.id)
        return next((r.note for r in found if r.action == "canceled"), None)

    @strawberry.field
    async def tasks(self, info: Info) -> list[PlanTask]:
        return [PlanTask(row=t) for t in await loaders(info).tasks.load(self.row.id)]

    @strawberry.field(description="平均进度")
    async def progress(self, info: Info) -> float:
        tasks = await loaders(info).tasks.load(self.row.id)
        return round(sum(t.progress for t in tasks) / len(tasks), 1) if tasks else 0.0


@strawberry.type(description="方案答复结果：本次发出数，及其余意见为何未再答复")
class PlanAnswerPayload:
    sent_now: int = strawberry.field(description="本次发出的最终答复")
    already_answered: int = strawberry.field(description="此前已有最终答复（不再重复发送）")
    by_this_plan: int = strawberry.field(description="其中由本方案答复（如完成时自动发出）")
    closed_elsewhere: int = strawberry.field(description="其中由其他渠道办结（热线、直接答复）")
    total: int = strawberry.field(description="议题（含并入议题）的意见数")
    note: str = strawberry.field(description="说明")


@strawberry.type(description="接诉即办指标（按受理时间所在期间统计）")
class Kpis:
    item: strawberry.Private[kpis.Kpis]

    @strawberry.field(description="受理数")
    def received(self) -> int:
        return self.item.received

    @strawberry.field(description="已答复数")
    def responded(self) -> int:
        return self.item.responded

    @strawberry.field(description="已办结数")
    def closed(self) -> int:
        return self.item.closed

    @strawberry.field(description="满意度参评数（居民评分或热线回访满意度）")
    def rated(self) -> int:
        return self.item.rated

    @strawberry.field(description="解决情况参评数（居民答复是否解决，或工单“是否解决”）")
    def resolution_rated(self) -> int:
        return self.item.resolution_rated

    @strawberry.field(description="已解决数")
    def resolved(self) -> int:
        return self.item.resolved

    @strawberry.field(description="满意数（4–5 分）")
    def satisfied(self) -> int:
        return self.item.satisfied

    @strawberry.field(description="响应率：24 小时内首次答复 / 受理数")
    def response_rate(self) -> float | None:
        return self.item.response_rate

    @strawberry.field(description="解决率：已解决 / 解决情况参评数；热线满意度不计入")
    def resolution_rate(self) -> float | None:
        return self.item.resolution_rate

    @strawberry.field(description="满意率：满意度 4–5 / 满意度参评数")
    def satisfaction_rate(self) -> float | None:
        return self.item.satisfaction_rate

    @strawberry.field(description="首次答复用时中位数（小时）")
    def median_hours_to_first_response(self) -> float | None:
        return self.item.median_hours_to_first_response

    @strawberry.field(description="办结用时中位数（小时）")
    def median_hours_to_close(self) -> float | None:
        return self.item.median_hours_to_close


@strawberry.type(description="诉求分类（Open311 service）")
class OpinionCategory:
    code: str
    name: str
    description: str
    keywords: list[str]
    departments: list[str]


@strawberry.type(description="意见动态：新答复或状态变化")
class OpinionUpdate:
    opinion_id: strawberry.ID
    status: OpinionStatus
    response: OpinionResponse | None
