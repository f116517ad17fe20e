"""The access log and the policy in force, for auditors."""

import datetime

import strawberry
from strawberry.scalars import JSON

from hub.access.objects import Action, Obj
from hub.audit import export
from hub.audit.log import now_text
from hub.audit.table import AccessEntry
from hub.ids import check_first, decode_cursor, encode_cursor
from resolvers.audit.cases import PolicyCases, policy_cases
from resolvers.common import Connection, Edge, PageInfo
from resolvers.context import Info


@strawberry.type(description="访问日志的一条记录")
class AccessLogEntry:
    seq: int
    at: str
    principal: str
    roles: list[str]
    jurisdictions: list[str]
    operation: str = strawberry.field(description="GraphQL 文档的 SHA-256")
    operation_name: str
    decision: str
    entities: JSON = strawberry.field(description="读取的实体编号，按类型")
    fields: JSON = strawberry.field(description="读取的字段：allow / mask / absent")
    detail: str
    hash: str

    @classmethod
    def of(cls, row: AccessEntry) -> "AccessLogEntry":
        import json

        return cls(
            seq=row.seq,
            at=row.at,
            principal=row.principal,
            roles=[r for r in row.roles.split(",") if r],
            jurisdictions=[j for j in row.jurisdictions.split(",") if j],
            operation=row.operation,
            operation_name=row.operation_name,
            decision=row.decision,
            entities=json.loads(row.entities) if row.entities else {},
            fields=json.loads(row.fields) if row.fields else {},
            detail=row.detail,
            hash=row.hash,
        )


@strawberry.input(description="访问日志筛选条件")
class AccessLogFilter:
    principal: str | None = None
    decision: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def to_filter(self) -> export.LogFilter:
        return export.LogFilter(
            principal=self.principal,
            decision=self.decision,
            since=now_text(self.since) if self.since else None,
            until=now_text(self.until) if self.until else None,
        )


@strawberry.type(description="生效中的访问策略")
class PolicyStatus:
    version: str
    error: str | None = strawberry.field(description="最近一次修改未生效的原因；无则为 null")
    roles: list[str]


def _log_page(
    rows: list[AccessEntry], more: bool, later: bool, total: int
) -> Connection[AccessLogEntry]:
    """A page of entries as a Relay connection (the shape of every list here)."""
    edges = [Edge(cursor=encode_cursor(r.seq), node=AccessLogEntry.of(r)) for r in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=later,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=total,
    )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="访问日志（审计员），旧的在前；游标即条目序号")
    async def access_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: AccessLogFilter | None = None,
    ) -> Connection[AccessLogEntry]:
        info.context.require(Obj.ACCESS_LOG, Action.READ)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        where = filter.to_filter() if filter else export.LogFilter()
        # Keyset paging: a cursor names an entry's seq, so appends never shift a page.
        since = max(decode_cursor(after) - 1, 0)
        rows, total = await export.page(info.context.runtime.sessions, where, since, limit + 1)
        return _log_page(rows[:limit], len(rows) > limit, after is not None, total)

    @strawberry.field(description="生效中的访问策略（审计员）")
    def access_policy(self, info: Info) -> PolicyStatus:
        info.context.require(Obj.POLICY, Action.READ)
        store = info.context.runtime.policies
        return PolicyStatus(
            version=store.version, error=store.error, roles=sorted(store.current.roles)
        )

    @strawberry.field(description="生效策略的预期判定及其核对结果（审计员）")
    def policy_cases(self, info: Info) -> PolicyCases:
        info.context.require(Obj.POLICY, Action.READ)
        return policy_cases(info.context.runtime.policies)
