"""Root fields of the residents' voice: Query, Mutation and Subscription mixins (thin)."""

import datetime
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from graphql import GraphQLError

from hub.civic import events, residents
from hub.civic import opinions as opinion_store
from hub.civic.intake import Submission
from hub.civic.periods import month as parse_month
from hub.civic.records import CouncilSession as SessionRow
from hub.civic.records import Opinion as OpinionRow
from hub.errors import AccessDenied, BadInput, ErrorCode, HubError
from hub.ids import check_first, decode_cursor, encode_cursor
from resolvers.civic.access import Action, actor, allowed, loaders, require_reach, scope_of
from resolvers.civic.types import (
    AgendaItem,
    AgendaStatus,
    Ballot,
    CouncilSession,
    Decision,
    Hotspot,
    Kpis,
    Opinion,
    OpinionCategory,
    OpinionConnection,
    OpinionEdge,
    OpinionResponse,
    OpinionStatus,
    OpinionUpdate,
    Participant,
    ResponseKind,
    SessionMode,
    SubmitOpinionPayload,
)
from resolvers.common import wrap
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.people.types import Person

PersonType = Annotated["Person", strawberry.lazy("resolvers.people.types")]


@strawberry.input(description="提交意见：地点给 placeId 或 address 其一")
class OpinionInput:
    text: str = strawberry.field(description="意见内容，1–4000 字，按纯文本保存")
    channel: str = strawberry.field(default="app", description="app、wechat、web、offline")
    idempotency_key: str = strawberry.field(description="客户端生成的唯一键；重试时保持不变")
    category: str | None = strawberry.field(default=None, description="分类编码；缺省自动分类")
    place_id: strawberry.ID | None = None
    address: str | None = strawberry.field(default=None, description="地址，如 和睦新村3幢")


@strawberry.input
class SessionInput:
    jurisdiction: str
    title: str
    mode: SessionMode
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    agenda_ids: list[strawberry.ID]
    location: str | None = None
    online_url: str | None = None


def to_int(value: object, what: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise BadInput(f"'{str(value)[:20]}' is not a {what} id", ErrorCode.BAD_ID) from None


async def office(info: Info, action: Action, reach: list[str]) -> str:
    """The office acting (the caller's narrowest jurisdiction the record touches); FORBIDDEN
    when the caller's roles grant `action` nowhere the record touches."""
    who = actor(info)
    require_reach(who, action, reach)
    return await info.context.runtime.civic.offices.office(who.where(action, reach))


async def agenda_reach(info: Info, key: int) -> list[str]:
    return await info.context.runtime.civic.agenda.reach(key)


def _opinion_page(rows: list[OpinionRow], total: int, offset: int) -> OpinionConnection:
    edges = [
        OpinionEdge(cursor=encode_cursor(offset + i), node=Opinion(row=r))
        for i, r in enumerate(rows)
    ]
    return OpinionConnection(
        edges=edges, total_count=total, has_next_page=offset + len(rows) < total
    )


async def _readable_opinion(info: Info, opinion_id: str) -> OpinionRow | None:
    """The opinion when its author or staff covering its place asks; FORBIDDEN otherwise."""
    row = await loaders(info).opinions.load(opinion_id)
    if row is None:
        return None
    who = actor(info)
    if row.author_key is None or row.author_key not in await _author_keys(info, who.subject):
        allowed(info, Action.READ_OPINIONS, row.jurisdiction or "")
    return row


async def _author_keys(info: Info, subject: str | None) -> list[str]:
    return await info.context.runtime.civic.author_keys(subject) if subject else []


async def _jurisdiction_of(info: Info, table: type, key: int) -> str:
    async with info.context.runtime.sessions() as session:
        row = await session.get(table, key)
    if row is None:
        raise BadInput(f"{table.__tablename__} {key} not found", ErrorCode.NOT_FOUND)
    return row.jurisdiction


@strawberry.type
class CivicQuery:
    @strawberry.field(description="诉求分类（可编辑的 taxonomy.toml）")
    def opinion_categories(self, info: Info) -> list[OpinionCategory]:
        return [
            OpinionCategory(
                code=c.code,
                name=c.name,
                description=c.description,
                keywords=sorted(c.keywords),
                departments=list(c.departments),
            )
            for c in info.context.runtime.civic.text.categories
        ]

    @strawberry.field(description="一条意见：作者本人或辖区工作人员可见")
    async def opinion(self, info: Info, id: strawberry.ID) -> Opinion | None:
        row = await _readable_opinion(info, str(id))
        return Opinion(row=row) if row else None

    @strawberry.field(description="我提交的意见（各渠道：应用、电话、12345），最新在前")
    async def my_opinions(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> OpinionConnection:
        who = allowed(info, Action.RATE)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        offset = decode_cursor(after)
        mine = await info.context.runtime.civic.author_keys(who.subject)
        async with info.context.runtime.sessions() as session:
            rows, total = await opinion_store.by_authors(session, mine, offset, limit)
        return _opinion_page(rows, total, offset)

    @strawberry.field(description="辖区内的意见，最新在前")
    async def opinions(
        self,
        info: Info,
        jurisdiction: str | None = None,
        month: str | None = None,
        status: OpinionStatus | None = None,
        category: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> OpinionConnection:
        who = allowed(info, Action.READ_OPINIONS, jurisdiction)
        prefixes = scope_of(who, Action.READ_OPINIONS, jurisdiction)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        offset = decode_cursor(after)
        filters = {"status": status.value if status else None, "category": category}
        async with info.context.runtime.sessions() as session:
            rows, total = await opinion_store.page(
                session, prefixes, parse_month(month) if month else None, filters, offset, limit
            )
        return _opinion_page(rows, total, offset)

    @strawberry.field(description="热点：关键词相对背景的显著性、增长、近似重复簇、受影响地点")
    async def hotspots(
        self,
        info: Info,
        jurisdiction: str,
        month: str,
        top: int = 10,
    ) -> list[Hotspot]:
        allowed(info, Action.READ_HOTSPOTS, jurisdiction)
        if not 1 <= top <= 50:
            raise BadInput("top must be between 1 and 50")
        found = await info.context.runtime.civic.hotspots(jurisdiction, parse_month(month), top)
        return [Hotspot(item=h) for h in found]

    @strawberry.field(description="议事会议题")
    async def agenda(
        self,
        info: Info,
        jurisdiction: str,
        status: AgendaStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> list[AgendaItem]:
        allowed(info, Action.MANAGE_AGENDA, jurisdiction)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        rows = await info.context.runtime.civic.agenda.page(
            jurisdiction, status.value if status else None, decode_cursor(after), limit
        )
        return [AgendaItem(row=r) for r in rows]

    @strawberry.field(description="辖区内（含下级地点）的议事会会议，开始晚的在前")
    async def council_sessions(
        self, info: Info, jurisdiction: str, first: int = 50, after: str | None = None
    ) -> list[CouncilSession]:
        allowed(info, Action.MANAGE_COUNCIL, jurisdiction)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        council = info.context.runtime.civic.council
        rows = await council.page(jurisdiction, decode_cursor(after), limit)
        return [CouncilSession(row=r) for r in rows]

    @strawberry.field(description="议事会会议")
    async def council_session(self, info: Info, id: strawberry.ID) -> CouncilSession | None:
        async with info.context.runtime.sessions() as session:
            row = await session.get(SessionRow, to_int(id, "session"))
        if row is None:
            return None
        who = actor(info)
        if not who.subject:
            allowed(info, Action.MANAGE_COUNCIL, row.jurisdiction)
        return CouncilSession(row=row)

    @strawberry.field(
        description="议事会登记用：按姓名（精确）、手机号或地址（楼幢）查找辖区内的居民；"
        "行范围与字段脱敏同居民查询"
    )
    async def residents_for_council(
        self, info: Info, jurisdiction: str, search: str, first: int = 20
    ) -> list[PersonType]:
        from resolvers.people.types import Person

        allowed(info, Action.MANAGE_COUNCIL, jurisdiction)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        nodes = await residents.search(info.context.entities, info.context.runtime.civic,
                                       jurisdiction, search, limit)
        return await wrap(info, Person, nodes)

    @strawberry.field(description="接诉即办指标：响应率、解决率、满意率、首次答复与办结用时")
    async def kpis(self, info: Info, jurisdiction: str, month: str) -> Kpis:
        allowed(info, Action.READ_KPI, jurisdiction)
        return Kpis(item=await info.context.runtime.civic.kpis(jurisdiction, parse_month(month)))


@strawberry.type
class CivicMutation:
    @strawberry.mutation(description="提交意见（始终开放）；同一幂等键重试返回同一条意见")
    async def submit_opinion(self, info: Info, input: OpinionInput) -> SubmitOpinionPayload:
        who = allowed(info, Action.SUBMIT_OPINION)
        if input.channel in ("open311", "hotline"):
            raise BadInput(
                f"channel {input.channel} has its own door",
                suggestion="app, wechat, web or offline",
            )
        receipt = await info.context.runtime.civic.intake.submit(
            Submission(
                text=input.text,
                channel=input.channel,
                client="graphql",
                idempotency_key=input.idempotency_key,
                category=input.category,
                place_id=str(input.place_id) if input.place_id else None,
                address=input.address,
                author=who.subject,
                per_author=True,
            )
        )
        return SubmitOpinionPayload(opinion=Opinion(row=receipt.opinion), created=receipt.created)

    @strawberry.mutation(description="工作人员直接答复一条意见（接诉即办）")
    async def respond_to_opinion(
        self,
        info: Info,
        opinion_id: strawberry.ID,
        text: str,
        kind: ResponseKind = ResponseKind.FINAL,
    ) -> OpinionResponse:
        row = await loaders(info).opinions.load(str(opinion_id))
        if row is None:
            raise BadInput(f"opinion {str(opinion_id)[:40]} not found", ErrorCode.NOT_FOUND)
        responder = await office(info, Action.RESPOND, [row.jurisdiction or ""])
        answer = await info.context.runtime.civic.responses.respond(
            row.id, text, responder, kind.value
        )
        return OpinionResponse(row=answer)

    @strawberry.mutation(description="居民评价答复：是否解决、满意度 1–5（仅一次）")
    async def rate_response(
        self, info: Info, opinion_id: strawberry.ID, satisfaction: int, resolved: bool
    ) -> Opinion:
        who = allowed(info, Action.RATE)
        row = await info.context.runtime.civic.responses.rate(
            who, str(opinion_id), satisfaction, resolved
        )
        return Opinion(row=row)

    @strawberry.mutation(description="由当月热点生成议题（幂等）")
    async def generate_agenda(
        self,
        info: Info,
        jurisdiction: str,
        month: str,
        top: int = 5,
    ) -> list[AgendaItem]:
        allowed(info, Action.MANAGE_AGENDA, jurisdiction)
        if not 1 <= top <= 20:
            raise BadInput("top must be between 1 and 20")
        period = parse_month(month)
        rows = await info.context.runtime.civic.agenda.generate(jurisdiction, period, top)
        return [AgendaItem(row=r) for r in rows]

    @strawberry.mutation(description="采纳（并告知居民）或驳回议题")
    async def decide_agenda_item(self, info: Info, id: strawberry.ID, accept: bool) -> AgendaItem:
        key = to_int(id, "agenda")
        reach = await agenda_reach(info, key)
        responder = await office(info, Action.MANAGE_AGENDA, reach)
        civic = info.context.runtime.civic
        council = await civic.offices.area(actor(info).where(Action.MANAGE_AGENDA, reach))
        row = await civic.agenda.decide(
            key, "accepted" if accept else "rejected", responder, council
        )
        return AgendaItem(row=row)

    @strawberry.mutation(description="编辑议题标题或摘要")
    async def edit_agenda_item(
        self, info: Info, id: strawberry.ID, title: str | None = None, summary: str | None = None
    ) -> AgendaItem:
        key = to_int(id, "agenda")
        await office(info, Action.MANAGE_AGENDA, await agenda_reach(info, key))
        return AgendaItem(row=await info.context.runtime.civic.agenda.edit(key, title, summary))

    @strawberry.mutation(description="合并议题：来源议题的意见与关键词并入目标议题")
    async def merge_agenda_items(
        self, info: Info, target_id: strawberry.ID, source_ids: list[strawberry.ID]
    ) -> AgendaItem:
        keys = [to_int(i, "agenda") for i in [target_id, *source_ids]]
        for key in keys:
            await office(info, Action.MANAGE_AGENDA, await agenda_reach(info, key))
        return AgendaItem(row=await info.context.runtime.civic.agenda.merge(keys[0], keys[1:]))

    @strawberry.mutation(description="安排议事会会议（线上、线下或混合）")
    async def schedule_session(self, info: Info, input: SessionInput) -> CouncilSession:
        allowed(info, Action.MANAGE_COUNCIL, input.jurisdiction)
        row = await info.context.runtime.civic.council.schedule(
            input.jurisdiction,
            input.title,
            input.mode.value,
            input.starts_at,
            input.ends_at,
            input.location,
            input.online_url,
            [to_int(i, "agenda") for i in input.agenda_ids],
        )
        return CouncilSession(row=row)

    @strawberry.mutation(description="登记参与者：居民按辖区核验；部门、物业按单位名称")
    async def add_participant(
        self, info: Info, session_id: strawberry.ID, subject: str, role: str, display_name: str
    ) -> Participant:
        key = to_int(session_id, "session")
        allowed(info, Action.MANAGE_COUNCIL, await _jurisdiction_of(info, SessionRow, key))
        row = await info.context.runtime.civic.council.register(key, subject, role, display_name)
        return Participant(row=row)

    @strawberry.mutation(description="居民加入议事会（按辖区核验）")
    async def join_session(self, info: Info, session_id: strawberry.ID) -> Participant:
        who = allowed(info, Action.PARTICIPATE)
        row = await info.context.runtime.civic.council.register(
            to_int(session_id, "session"), str(who.subject), "resident", "居民"
        )
        return Participant(row=row)

    @strawberry.mutation(description="在会议中发言")
    async def add_remark(
        self,
        info: Info,
        session_id: strawberry.ID,
        text: str,
        agenda_id: strawberry.ID | None = None,
    ) -> strawberry.ID:
        who = allowed(info, Action.PARTICIPATE)
        row = await info.context.runtime.civic.council.remark(
            to_int(session_id, "session"),
            str(who.subject),
            text,
            to_int(agenda_id, "agenda") if agenda_id else None,
        )
        return strawberry.ID(str(row.id))

    @strawberry.mutation(description="发起表决（一人一票，截止时间后计票）")
    async def open_ballot(
        self,
        info: Info,
        session_id: strawberry.ID,
        question: str,
        options: list[str],
        deadline: datetime.datetime,
        agenda_id: strawberry.ID | None = None,
    ) -> Ballot:
        key = to_int(session_id, "session")
        allowed(info, Action.MANAGE_COUNCIL, await _jurisdiction_of(info, SessionRow, key))
        row = await info.context.runtime.civic.council.open_ballot(
            key, to_int(agenda_id, "agenda") if agenda_id else None, question, options, deadline
        )
        return Ballot(row=row)

    @strawberry.mutation(description="投票：本辖区居民，一人一票，截止前有效")
    async def cast_vote(self, info: Info, ballot_id: strawberry.ID, option: str) -> bool:
        who = allowed(info, Action.PARTICIPATE)
        await info.context.runtime.civic.council.vote(
            to_int(ballot_id, "ballot"), str(who.subject), option
        )
        return True

    @strawberry.mutation(description="记录议定事项（有表决的须在截止后）")
    async def record_decision(
        self,
        info: Info,
        session_id: strawberry.ID,
        text: str,
        agenda_id: strawberry.ID | None = None,
        ballot_id: strawberry.ID | None = None,
    ) -> Decision:
        key = to_int(session_id, "session")
        allowed(info, Action.MANAGE_COUNCIL, await _jurisdiction_of(info, SessionRow, key))
        row = await info.context.runtime.civic.council.decide(
            key,
            to_int(agenda_id, "agenda") if agenda_id else None,
            to_int(ballot_id, "ballot") if ballot_id else None,
            text,
        )
        return Decision(row=row)



async def _updates(info: Info, channels: list[str]) -> AsyncGenerator[OpinionUpdate, None]:
    civic = info.context.runtime.civic
    async for message in events.listen(info.context.runtime.redis, channels):
        if message.get("event") != "response":
            continue
        answer = await civic.responses.get(int(message["responseId"]))
        yield OpinionUpdate(
            opinion_id=strawberry.ID(message["opinionId"]),
            status=OpinionStatus(message["status"]),
            response=OpinionResponse(row=answer) if answer else None,
        )


T = TypeVar("T")


async def _coded(stream: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """Subscriptions bypass the ErrorCodes extension: give their errors a code here."""
    try:
        async for item in stream:
            yield item
    except HubError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None


async def _new_opinions(info: Info, jurisdiction: str) -> AsyncGenerator[Opinion, None]:
    allowed(info, Action.READ_OPINIONS, jurisdiction)
    pattern = events.new_opinion_channel(jurisdiction) + "*"
    async for message in events.listen(info.context.runtime.redis, pattern=pattern):
        async with info.context.runtime.sessions() as session:
            row = await session.get(opinion_store.Opinion, message["opinionId"])
        if row is not None:
            yield Opinion(row=row)


async def _mine(info: Info) -> AsyncGenerator[OpinionUpdate, None]:
    who = allowed(info, Action.RATE)
    mine = await _author_keys(info, who.subject)
    if not mine:
        raise AccessDenied("sign in to follow your opinions")
    async for update in _updates(info, [events.author_channel(k) for k in mine]):
        yield update


async def _followed(info: Info, opinion_id: str) -> AsyncGenerator[OpinionUpdate, None]:
    """One opinion's updates, for whoever may read it by query: its author or staff."""
    if await _readable_opinion(info, opinion_id) is None:
        raise BadInput(f"opinion {opinion_id[:40]} not found", ErrorCode.NOT_FOUND)
    async for update in _updates(info, [events.opinion_channel(opinion_id)]):
        yield update


@strawberry.type
class CivicSubscription:
    @strawberry.subscription(description="一条意见的答复与状态变化")
    async def opinion_updates(
        self, info: Info, opinion_id: strawberry.ID
    ) -> AsyncGenerator[OpinionUpdate, None]:
        async for update in _coded(_followed(info, str(opinion_id))):
            yield update

    @strawberry.subscription(description="我提交的所有意见的答复（按作者身份）")
    async def my_responses(self, info: Info) -> AsyncGenerator[OpinionUpdate, None]:
        async for update in _coded(_mine(info)):
            yield update

    @strawberry.subscription(description="辖区内新提交的意见（工作人员）")
    async def new_opinions(self, info: Info, jurisdiction: str) -> AsyncGenerator[Opinion, None]:
        async for opinion in _coded(_new_opinions(info, jurisdiction)):
            yield opinion
