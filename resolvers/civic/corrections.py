"""Root fields of staff corrections: a classification corrected, an opinion attached by hand
(to an agenda item, or to a hotspot by naming its topic). Staff act where the opinion is; an
attachment also needs the agenda item to touch their jurisdiction."""

import strawberry

from hub.civic.records import Correction
from hub.errors import BadInput, ErrorCode
from resolvers.civic.access import Action, actor, loaders
from resolvers.civic.schema import agenda_reach, office, to_int
from resolvers.civic.types import AgendaItem
from resolvers.context import Info


@strawberry.type(description="工作人员对一条意见分类的更正（保留原分类；主题计入热点）")
class OpinionCorrection:
    row: strawberry.Private[Correction]

    @strawberry.field(description="意见编号")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.opinion_id)

    @strawberry.field(description="更正后的分类编码；未更正分类时为原分类")
    def category(self) -> str:
        return self.row.category or self.row.original_category

    @strawberry.field(description="更正后的主题（概念或分类词），热点按此计数")
    def topic(self) -> str | None:
        return self.row.topic

    @strawberry.field(description="原分类编码")
    def original_category(self) -> str:
        return self.row.original_category

    @strawberry.field(description="更正的办公室")
    def corrected_by(self) -> str:
        return self.row.corrected_by


async def _opinion_office(info: Info, opinion_id: str) -> str:
    row = await loaders(info).opinions.load(opinion_id)
    if row is None:
        raise BadInput(f"opinion {opinion_id[:40]} not found", ErrorCode.NOT_FOUND)
    return await office(info, Action.CORRECT, [row.jurisdiction or ""])


@strawberry.type
class CorrectionMutation:
    @strawberry.mutation(description="更正一条意见的分类和/或主题（记录在案，热点按更正计数）")
    async def correct_opinion(
        self, info: Info, opinion_id: strawberry.ID, category: str | None = None,
        topic: str | None = None,
    ) -> OpinionCorrection:
        by = await _opinion_office(info, str(opinion_id))
        civic = info.context.runtime.civic
        _, row = await civic.corrections.correct(str(opinion_id), category, topic, by)
        return OpinionCorrection(row=row)

    @strawberry.mutation(description="把一条意见手工归入热点：以热点主题计数")
    async def attach_opinion_to_hotspot(
        self, info: Info, opinion_id: strawberry.ID, topic: str
    ) -> OpinionCorrection:
        by = await _opinion_office(info, str(opinion_id))
        civic = info.context.runtime.civic
        _, row = await civic.corrections.correct(str(opinion_id), None, topic, by)
        return OpinionCorrection(row=row)

    @strawberry.mutation(description="把一条意见手工归入议题：其作者收到议题的答复")
    async def attach_opinion(
        self, info: Info, agenda_item_id: strawberry.ID, opinion_id: strawberry.ID
    ) -> AgendaItem:
        key = to_int(agenda_item_id, "agenda")
        by = await _opinion_office(info, str(opinion_id))
        reach = await agenda_reach(info, key)
        await office(info, Action.MANAGE_AGENDA, reach)
        civic = info.context.runtime.civic
        council = await civic.offices.area(actor(info).where(Action.MANAGE_AGENDA, reach))
        row = await civic.corrections.attach(key, str(opinion_id), by, council)
        loaders(info).opinions.clear(str(opinion_id))  # its status moved: read it afresh
        loaders(info).agenda_opinions.clear_all()  # keyed by item and scope
        return AgendaItem(row=row)
