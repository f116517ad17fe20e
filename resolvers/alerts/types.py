"""预警: alerts, their evidence and history, and the rules in force."""

import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from hub.alerts import records
from hub.alerts.rules import Recipient, Rule
from resolvers.common import fetch_one
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.people.types import Person
    from resolvers.places.types import Place
    from resolvers.things.types import Thing

PlaceType = Annotated["Place", strawberry.lazy("resolvers.places.types")]
PersonType = Annotated["Person", strawberry.lazy("resolvers.people.types")]
ThingType = Annotated["Thing", strawberry.lazy("resolvers.things.types")]


@strawberry.enum(
    description="预警状态：raised 已发出 → acknowledged 已签收 → handled 已处置 / dismissed 已排除"
)
class AlertStatus(Enum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    HANDLED = "handled"
    DISMISSED = "dismissed"


@strawberry.enum(description="紧急程度")
class AlertSeverity(Enum):
    INFO = "info"
    WARNING = "warning"
    URGENT = "urgent"


async def _entity(info: Info, kind: str, entity_id: str) -> Any:
    """An entity the alert names, as the caller may read it (null outside its scope: a closed
    type is null here rather than FORBIDDEN, as the alert itself may be read)."""
    if not entity_id or not info.context.view.readable(kind):
        return None
    from resolvers.schema import TYPES  # the entity types, assembled with the schema

    return await fetch_one(info, TYPES[kind], entity_id)


@strawberry.type(description="触发预警的证据（按调用者可见范围裁剪）")
class AlertEvidence:
    row: strawberry.Private[records.Evidence]

    @strawberry.field(
        description="event 事件流 · opinion 居民诉求 · person 部门名单 · count 统计 · forecast 预测"
    )
    def kind(self) -> str:
        return self.row.kind

    @strawberry.field(description="事件类型或诉求分类")
    def event_type(self) -> str | None:
        return self.row.type or None

    @strawberry.field
    def at(self) -> datetime.datetime | None:
        return self.row.at

    @strawberry.field(description="诉求编号（kind 为 opinion 时）")
    def opinion_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.row.ref) if self.row.kind == "opinion" else None

    @strawberry.field(description="统计或预测的数值")
    def detail(self) -> JSON | None:
        return {k: v for k, v in self.row.detail.items() if k in ("count", "usual", "module",
                                                                  "forecast", "capacity")} or None

    @strawberry.field
    async def place(self, info: Info) -> PlaceType | None:
        return await _entity(info, "Place", self.row.place_id)

    @strawberry.field
    async def thing(self, info: Info) -> ThingType | None:
        return await _entity(info, "Thing", self.row.thing_id)

    @strawberry.field
    async def person(self, info: Info) -> PersonType | None:
        return await _entity(info, "Person", self.row.person_id)


@strawberry.type(description="预警的一步：发出、重复、升级、签收、处置、排除")
class AlertStep:
    action: str
    note: str
    at: datetime.datetime


@strawberry.type(description="一条预警")
class Alert:
    row: strawberry.Private[records.Alert]
    evidence_rows: strawberry.Private[list[records.Evidence]]
    steps: strawberry.Private[list[records.History]]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.id))

    @strawberry.field(description="规则编号（policies/rules/*.toml）")
    def rule(self) -> str:
        return self.row.rule

    @strawberry.field
    def title(self) -> str:
        return self.row.title

    @strawberry.field
    def message(self) -> str:
        return self.row.message

    @strawberry.field
    def severity(self) -> AlertSeverity:
        return AlertSeverity(self.row.severity)

    @strawberry.field
    def status(self) -> AlertStatus:
        return AlertStatus(self.row.status)

    @strawberry.field(description="预警对象所在辖区")
    def jurisdiction(self) -> str:
        return self.row.jurisdiction

    @strawberry.field(description="发出时间")
    def raised_at(self) -> datetime.datetime:
        return self.row.raised_at

    @strawberry.field(description="证据显示的发生时间")
    def fired_at(self) -> datetime.datetime:
        return self.row.fired_at

    @strawberry.field
    def acknowledged_at(self) -> datetime.datetime | None:
        return self.row.acknowledged_at

    @strawberry.field
    def closed_at(self) -> datetime.datetime | None:
        return self.row.closed_at

    @strawberry.field(description="无人签收而升级的时间")
    def escalated_at(self) -> datetime.datetime | None:
        return self.row.escalated_at

    @strawberry.field(description="处置或排除说明")
    def note(self) -> str | None:
        return self.row.note

    @strawberry.field(description="抑制窗口内再次触发的次数")
    def repeats(self) -> int:
        return self.row.repeats

    @strawberry.field(description="预警地点（调用者无权查看时为 null）")
    async def place(self, info: Info) -> PlaceType | None:
        return await _entity(info, "Place", self.row.place_id)

    @strawberry.field(description="预警涉及的人（调用者无权查看时为 null）")
    async def person(self, info: Info) -> PersonType | None:
        return await _entity(info, "Person", self.row.person_id)

    @strawberry.field(description="证据：只含调用者可查看的记录和事件")
    def evidence(self) -> list[AlertEvidence]:
        return [AlertEvidence(row=r) for r in self.evidence_rows]

    @strawberry.field(description="经过")
    def history(self) -> list[AlertStep]:
        return [AlertStep(action=h.action, note=h.note, at=h.at) for h in self.steps]


@strawberry.type
class AlertEdge:
    cursor: str
    node: Alert


@strawberry.type
class AlertConnection:
    edges: list[AlertEdge]
    total_count: int
    has_next_page: bool


@strawberry.type(description="各状态的预警数")
class AlertCounts:
    raised: int
    acknowledged: int
    handled: int
    dismissed: int


@strawberry.type(description="接收人：角色及其辖区层级")
class AlertRecipient:
    role: str
    level: str

    @classmethod
    def of(cls, r: Recipient) -> "AlertRecipient":
        return cls(role=r.role, level=r.level)


@strawberry.type(description="一条预警规则")
class AlertRule:
    rule: strawberry.Private[Rule]

    @strawberry.field
    def id(self) -> str:
        return self.rule.id

    @strawberry.field
    def file(self) -> str:
        return self.rule.file

    @strawberry.field
    def title(self) -> str:
        return self.rule.title

    @strawberry.field(description="event · count · absence · surge · capacity")
    def kind(self) -> str:
        return self.rule.kind

    @strawberry.field
    def severity(self) -> AlertSeverity:
        return AlertSeverity(self.rule.severity)

    @strawberry.field
    def action(self) -> str:
        return self.rule.action

    @strawberry.field
    def message(self) -> str:
        return self.rule.message

    @strawberry.field
    def recipients(self) -> list[AlertRecipient]:
        return [AlertRecipient.of(r) for r in self.rule.recipients]

    @strawberry.field
    def escalate_to(self) -> list[AlertRecipient]:
        return [AlertRecipient.of(r) for r in self.rule.escalate_to]

    @strawberry.field
    def escalate_after_minutes(self) -> int | None:
        return self.rule.escalate_after_minutes

    @strawberry.field
    def suppress_hours(self) -> float:
        return self.rule.suppress_hours


@strawberry.type(description="生效的预警规则；error 说明最近一次修改为何未生效")
class AlertRules:
    rules: list[AlertRule]
    error: str | None
