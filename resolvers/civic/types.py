"""情: residents' opinions, hotspots, council agenda, sessions, ballots, plans, answers, KPIs.

Text fields carry what residents typed, unescaped: clients render them as text, never markup.
"""

import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.civic import hotspots as detection
from hub.civic import kpis, records
from resolvers.civic.access import loaders
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.places.types import Place

PlaceType = Annotated["Place", strawberry.lazy("resolvers.places.types")]


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

    @strawberry.field(description="答复内容")
    def text(self) -> str:
        return self.row.text

    @strawberry.field(description="答复后的状态")
    def status_after(self) -> OpinionStatus:
        return OpinionStatus(self.row.status_after)

    @strawberry.field(description="答复单位")
    def responder(self) -> str:
        return self.row.responder

    @strawberry.field(description="所属共治方案")
    def plan_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.plan_id)) if self.row.plan_id else None

    @strawberry.field(description="答复时间")
    def created_at(self) -> datetime.datetime:
        return self.row.created_at


@strawberry.type(description="居民意见（诉求）")
class Opinion:
    row: strawberry.Private[records.Opinion]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field(description="意见原文（按纯文本显示）")
    def text(self) -> str:
        return self.row.text

    @strawberry.field(description="分类编码（见 opinionCategories）")
    def category(self) -> str:
        return self.row.category

    @strawberry.field(description="分类由居民选择（否则自动分类）")
    def category_given(self) -> bool:
        return self.row.category_given

    @strawberry.field(description="渠道：app、wechat、web、open311、hotline、offline")
    def channel(self) -> str:
        return self.row.channel

    @strawberry.field(description="状态")
    def status(self) -> OpinionStatus:
        return OpinionStatus(self.row.status)

    @strawberry.field(description="关键词（jieba 分词，按重要性）")
    def keywords(self) -> list[str]:
        return self.row.keywords.split()

    @strawberry.field(description="地点编号；未匹配到地点时为 null")
    def place_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.row.place_id) if self.row.place_id else None

    @strawberry.field(description="地点名称")
    def place_name(self) -> str | None:
        return self.row.place_name

    @strawberry.field(description="地点精度：building、estate、community、street、none…")
    def place_precision(self) -> str:
        return self.row.place_precision

    @strawberry.field(description="地点（链接图中的 Place）")
    async def place(self, info: Info) -> PlaceType | None:
        from resolvers.places.types import Place

        if not self.row.place_id:
            return None
        node = await info.context.entities.get("Place", self.row.place_id)
        return Place(node=node) if node else None

    @strawberry.field(description="辖区编码")
    def jurisdiction(self) -> str | None:
        return self.row.jurisdiction

    @strawberry.field(description="居民填写的地址")
    def address(self) -> str | None:
        return self.row.address

    @strawberry.field(description="受理时间")
    def created_at(self) -> datetime.datetime:
        return self.row.created_at

    @strawberry.field(description="首次答复时间")
    def first_response_at(self) -> datetime.datetime | None:
        return self.row.first_response_at

    @strawberry.field(description="办结时间")
    def closed_at(self) -> datetime.datetime | None:
        return self.row.closed_at

    @strawberry.field(description="满意度 1–5（居民评价）")
    def satisfaction(self) -> int | None:
        return self.row.satisfaction

    @strawberry.field(description="居民认为问题已解决")
    def resolved(self) -> bool | None:
        return self.row.resolved

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

    @strawberry.field
    def jurisdiction(self) -> str:
        return self.row.jurisdiction

    @strawberry.field(description="所属月份")
    def period(self) -> str:
        from hub.civic.periods import CST

        return self.row.period_start.astimezone(CST).strftime("%Y-%m")

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def summary(self) -> str:
        return self.row.summary

    @strawberry.field
    def category(self) -> str:
        return self.row.category

    @strawberry.field
    def keywords(self) -> list[str]:
        return self.row.keywords

    @strawberry.field(description="涉及地点")
    def places(self) -> list[AffectedPlace]:
        return [
            AffectedPlace(place_id=p["id"], name=p["name"], opinions=p["opinions"])
            for p in self.row.places
        ]

    @strawberry.field(description="持有相关记录的部门系统（连接器名）")
    def departments(self) -> list[str]:
        return self.row.departments

    @strawberry.field
    def score(self) -> float:
        return self.row.score

    @strawberry.field
    def growth(self) -> float:
        return self.row.growth

    @strawberry.field
    def status(self) -> AgendaStatus:
        return AgendaStatus(self.row.status)

    @strawberry.field(description="合并到的议题")
    def merged_into(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.row.merged_into)) if self.row.merged_into else None

    @strawberry.field(description="支撑意见")
    async def opinions(self, info: Info, first: int = 20) -> list[Opinion]:
        ids = await loaders(info).agenda_opinions.load(self.row.id)
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

    @strawberry.field(description="resident、representative、department、property、staff")
    def role(self) -> str:
        return self.row.role

    @strawberry.field
    def display_name(self) -> str:
        return self.row.display_name

    @strawberry.field(description="核验的辖区（居民）")
    def jurisdiction(self) -> str | None:
        return self.row.jurisdiction


@strawberry.type(description="表决：一人一票，截止后计票")
class Ballot:
    row: strawberry.Private[records.Ballot]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def question(self) -> str:
        return self.row.question

    @strawberry.field
    def options(self) -> list[str]:
        return self.row.options

    @strawberry.field
    def deadline(self) -> datetime.datetime:
        return self.row.deadline

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

    @strawberry.field
    def text(self) -> str:
        return self.row.text

    @strawberry.field(description="表决结果")
    def outcome(self) -> str | None:
        return self.row.outcome

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

    @strawberry.field
    def jurisdiction(self) -> str:
        return self.row.jurisdiction

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def mode(self) -> SessionMode:
        return SessionMode(self.row.mode)

    @strawberry.field
    def location(self) -> str | None:
        return self.row.location

    @strawberry.field
    def online_url(self) -> str | None:
        return self.row.online_url

    @strawberry.field
    def starts_at(self) -> datetime.datetime:
        return self.row.starts_at

    @strawberry.field
    def ends_at(self) -> datetime.datetime:
        return self.row.ends_at

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

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field(description="责任单位")
    def owner_org(self) -> str:
        return self.row.owner_org

    @strawberry.field
    def due_date(self) -> datetime.date:
        return self.row.due_date

    @strawberry.field(description="进度 0–100")
    def progress(self) -> int:
        return self.row.progress

    @strawberry.field(description="已逾期未完成")
    def overdue(self) -> bool:
        return self.row.progress < 100 and self.row.due_date < datetime.date.today()


@strawberry.type(description="共治方案")
class Plan:
    row: strawberry.Private[records.Plan]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field
    def agenda_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.agenda_id))

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def summary(self) -> str:
        return self.row.summary

    @strawberry.field(description="active 或 done")
    def status(self) -> str:
        return self.row.status

    @strawberry.field
    def completed_at(self) -> datetime.datetime | None:
        return self.row.completed_at

    @strawberry.field
    async def tasks(self, info: Info) -> list[PlanTask]:
        return [PlanTask(row=t) for t in await loaders(info).tasks.load(self.row.id)]

    @strawberry.field(description="平均进度")
    async def progress(self, info: Info) -> float:
        tasks = await loaders(info).tasks.load(self.row.id)
        return round(sum(t.progress for t in tasks) / len(tasks), 1) if tasks else 0.0


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

    @strawberry.field(description="参评数")
    def rated(self) -> int:
        return self.item.rated

    @strawberry.field(description="响应率：24 小时内首次答复 / 受理数")
    def response_rate(self) -> float | None:
        return self.item.response_rate

    @strawberry.field(description="解决率：评价为已解决 / 参评数")
    def resolution_rate(self) -> float | None:
        return self.item.resolution_rate

    @strawberry.field(description="满意率：满意度 4–5 / 参评数")
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
