"""Root fields for linking review: `linkReport`, `linkCandidates`, `confirmLink`, `splitLink`."""

import strawberry

from hub.access.objects import Action, Obj
from hub.ids import check_first, decode_cursor, encode_cursor
from hub.linking.review import ReviewService
from resolvers.common import Connection, Edge, PageInfo
from resolvers.context import Info
from resolvers.linking.types import LinkCandidate, LinkDecision, LinkReport


def _service(info: Info, action: Action = Action.READ) -> ReviewService:
    """The review service, for callers the policy lets review links (`linking.review`)."""
    info.context.require(Obj.LINK_REVIEW, action)
    return ReviewService(info.context.runtime, info.context.view.where(Obj.LINK_REVIEW, action))


@strawberry.type
class LinkingQuery:
    @strawberry.field(description="最近一次关联运行的报告（问题记录的数量与示例）；未运行过为 null")
    async def link_report(self, info: Info) -> LinkReport | None:
        raw = await _service(info).last_report()
        return LinkReport.of(raw) if raw else None

    @strawberry.field(description="待人工确认的候选关联，得分高的在前")
    async def link_candidates(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[LinkCandidate] | None:
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        offset = decode_cursor(after)
        pairs, total = await _service(info).candidates(offset, limit)
        edges = [
            Edge(cursor=encode_cursor(offset + i), node=LinkCandidate(pair=p))
            for i, p in enumerate(pairs)
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(pairs) < total,
                has_previous_page=offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total=total,
        )


@strawberry.type
class LinkingMutation:
    @strawberry.mutation(description="确认候选关联：该来源记录就是此人（此后每次关联都照此办理）")
    async def confirm_link(self, info: Info, ref: str, person: strawberry.ID) -> LinkDecision:
        pair = await _service(info, Action.WRITE).decide(ref, str(person), "merge")
        return LinkDecision(ref=pair.ref, person=strawberry.ID(pair.candidate), decision="merge")

    @strawberry.mutation(description="拆开候选关联：该来源记录不是此人（此后不再作为候选）")
    async def split_link(self, info: Info, ref: str, person: strawberry.ID) -> LinkDecision:
        pair = await _service(info, Action.WRITE).decide(ref, str(person), "split")
        return LinkDecision(ref=pair.ref, person=strawberry.ID(pair.candidate), decision="split")
