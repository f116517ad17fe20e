"""Root fields for events."""

import datetime

import strawberry

from hub.errors import BadInput, ErrorCode
from resolvers.common import Connection, fetch_one, page_of
from resolvers.context import Info
from resolvers.events.types import Event


@strawberry.input(description="事件筛选条件")
class EventFilter:
    jurisdiction: str | None = strawberry.field(default=None, description="辖区编码前缀")
    event_type: str | None = strawberry.field(default=None, description="事件类型")
    since: datetime.datetime | None = strawberry.field(default=None, description="不早于")
    until: datetime.datetime | None = strawberry.field(default=None, description="早于")

    def as_dict(self) -> dict[str, object]:
        since = int(self.since.timestamp()) if self.since else None
        until = int(self.until.timestamp()) if self.until else None
        if since is not None and until is not None and since >= until:
            raise BadInput("since must be earlier than until", ErrorCode.BAD_FILTER)
        return {
            "jurisdiction": self.jurisdiction,
            "eventType": self.event_type,
            "since": since,
            "until": until,
        }


@strawberry.type
class EventsQuery:
    @strawberry.field(description="按枢纽编号查事件；未知编号返回 null")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await fetch_one(info, Event, str(id))

    @strawberry.field(description="分页列出事件，新的在前")
    async def events(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        filter: EventFilter | None = None,
    ) -> Connection[Event] | None:
        filters = filter.as_dict() if filter else {}
        return await page_of(info, "Event", Event, first, after, filters)
