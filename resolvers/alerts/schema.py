"""Root fields of early warnings: Query, Mutation and Subscription mixins (thin)."""

import datetime
from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from graphql import GraphQLError

from hub.alerts import events, queries
from hub.alerts.access import Reader, reader
from hub.alerts.records import Alert as AlertRow
from hub.audit.trail import Trail
from hub.errors import BadInput, ErrorCode, HubError
from hub.ids import check_first, decode_cursor, encode_cursor
from resolvers.alerts.types import (
    Alert,
    AlertConnection,
    AlertCounts,
    AlertEdge,
    AlertRule,
    AlertRules,
    AlertStatus,
)
from resolvers.context import Info

MAX_PAGE = 200


@strawberry.input(description="预警筛选")
class AlertFilter:
    status: list[AlertStatus] | None = None
    rule: str | None = None
    place_id: strawberry.ID | None = None
    since: datetime.datetime | None = None

    def query(self) -> queries.AlertFilter:
        return queries.AlertFilter(
            status=[s.value for s in self.status or []], rule=self.rule,
            place_id=str(self.place_id) if self.place_id else None, since=self.since)


def _reader(info: Info, action: str = "read") -> Reader:
    runtime = info.context.runtime
    return reader(runtime.policies.current, info.context.view.principal, action)


def _alert_id(value: object) -> int:
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise BadInput(f"'{text[:20]}' is not an alert id", ErrorCode.BAD_ID)
    return int(text)


async def wrapped(info: Info, rows: list[AlertRow]) -> list[Alert]:
    """Alerts with their evidence cut to the caller's view, each read put on record."""
    ids = [r.id for r in rows]
    async with info.context.runtime.sessions() as session:
        proofs = await queries.evidence(session, info.context.view, ids)
        steps = await queries.history(session, ids)
    for row in rows:
        info.context.trail.read("Alert", str(row.id), "alert", "allow")
    return [Alert(row=r, evidence_rows=proofs[r.id], steps=steps[r.id]) for r in rows]


@strawberry.type
class AlertsQuery:
    @strawberry.field(description="发给我的角色和辖区的预警，新的在前")
    async def alerts(
        self, info: Info, first: int = 20, after: str | None = None,
        filter: AlertFilter | None = None,
    ) -> AlertConnection:
        who = _reader(info)
        check_first(first, MAX_PAGE)
        offset = decode_cursor(after)
        wanted = (filter or AlertFilter()).query()
        async with info.context.runtime.sessions() as session:
            rows, total = await queries.page(session, who, wanted, offset, first)
        nodes = await wrapped(info, rows)
        edges = [AlertEdge(cursor=encode_cursor(offset + i + 1), node=n)
                 for i, n in enumerate(nodes)]
        return AlertConnection(edges=edges, total_count=total,
                               has_next_page=offset + len(rows) < total)

    @strawberry.field(description="一条预警；不存在或不是发给我的都为 null")
    async def alert(self, info: Info, id: strawberry.ID) -> Alert | None:
        who = _reader(info)
        async with info.context.runtime.sessions() as session:
            row = await queries.one(session, who, _alert_id(id))
        return (await wrapped(info, [row]))[0] if row else None

    @strawberry.field(description="发给我的预警按状态计数")
    async def alert_counts(self, info: Info, filter: AlertFilter | None = None) -> AlertCounts:
        who = _reader(info)
        async with info.context.runtime.sessions() as session:
            found = await queries.counts(session, who, (filter or AlertFilter()).query())
        return AlertCounts(**found)

    @strawberry.field(description="生效的预警规则（审计员、街道）")
    def alert_rules(self, info: Info) -> AlertRules:
        info.context.require("alert.rule", "read")
        ruleset = info.context.runtime.alerts.rules
        ruleset_rules = [AlertRule(rule=r) for r in ruleset.rules]
        return AlertRules(rules=ruleset_rules, error=ruleset.error)


async def _move(info: Info, id: strawberry.ID, action: str, note: str | None) -> Alert:
    who = _reader(info, "write")
    row = await info.context.runtime.alerts.act(who, _alert_id(id), action, note)
    return (await wrapped(info, [row]))[0]


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(description="签收预警（raised → acknowledged）")
    async def acknowledge_alert(self, info: Info, id: strawberry.ID,
                                note: str | None = None) -> Alert:
        return await _move(info, id, "acknowledge", note)

    @strawberry.mutation(description="处置完毕（acknowledged → handled），须写说明")
    async def handle_alert(self, info: Info, id: strawberry.ID, note: str) -> Alert:
        return await _move(info, id, "handle", note)

    @strawberry.mutation(description="排除误报（raised 或 acknowledged → dismissed），须写说明")
    async def dismiss_alert(self, info: Info, id: strawberry.ID, note: str) -> Alert:
        return await _move(info, id, "dismiss", note)


@strawberry.type(description="预警的变化：raised、escalated、acknowledge、handle、dismiss")
class AlertUpdate:
    change: str
    alert: Alert


async def _coded(stream: AsyncIterator[AlertUpdate]) -> AsyncGenerator[AlertUpdate, None]:
    """Subscriptions bypass the ErrorCodes extension: give their errors a code here."""
    try:
        async for item in stream:
            yield item
    except HubError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None


async def _updates(info: Info) -> AsyncGenerator[AlertUpdate, None]:
    who = _reader(info)
    runtime = info.context.runtime
    patterns = [events.pattern(role, code) for role, code in who.pairs]
    async for message in events.listen(runtime.redis, patterns):
        alert_id = message.get("alertId")
        if not isinstance(alert_id, int):
            continue  # a probe, or a message of another kind: nothing to deliver
        async with runtime.sessions() as session:
            row = await queries.one(session, who, alert_id)
        if row is None:
            continue
        alert = (await wrapped(info, [row]))[0]
        await _record_delivery(info, row.id)
        yield AlertUpdate(change=str(message["change"]), alert=alert)


async def _record_delivery(info: Info, alert_id: int) -> None:
    """Each alert delivered by subscription is an access of its own in the log."""
    trail = Trail(info.context.view.principal)
    trail.read("Alert", str(alert_id), "alert", "allow")
    entry = trail.entry("subscription alertUpdates", "alertUpdates", "allow")
    await info.context.runtime.audit.append([entry])


@strawberry.type
class AlertsSubscription:
    @strawberry.subscription(description="发给我的预警：新发出、升级和状态变化")
    async def alert_updates(self, info: Info) -> AsyncGenerator[AlertUpdate, None]:
        async for update in _coded(_updates(info)):
            yield update
