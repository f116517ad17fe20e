"""Council agenda: topics generated from the top hotspots; staff accept, merge, edit or reject.

Generation is idempotent: a topic's signature is (jurisdiction, month, first keyword, place),
so generating the same month twice returns the topics already there.
"""

from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic import opinions
from hub.civic.hotspots import Hotspot
from hub.civic.periods import Period
from hub.civic.records import AgendaItem, AgendaOpinion, Opinion, now
from hub.civic.responses import record
from hub.errors import BadInput, ErrorCode

if TYPE_CHECKING:
    from hub.civic.service import Civic

ACK_TEXT = "您反映的问题已纳入{council}红茶议事会议题“{title}”，议事结果将及时答复您。"
_DEPARTMENTS_CYPHER = (
    "UNWIND $ids AS pid MATCH (p:Place {id: pid})<-[:LOCATED_IN*0..3]-(x)<-[:OF]-(s:Source) "
    "RETURN DISTINCT s.connector AS connector "
    "UNION UNWIND $ids AS pid MATCH (p:Place {id: pid})<-[:LOCATED_IN*0..3]-(:Place)"
    "<-[:OCCURRED_AT]-(:Event)<-[:OF]-(s:Source) RETURN DISTINCT s.connector AS connector"
)


def touching(prefix: str) -> Select:
    """Ids of the topics that touch a jurisdiction: raised there, or holding an opinion from
    there (a street topic about one building touches that building's community)."""
    inside = opinions.in_scope(
        select(AgendaOpinion.agenda_id).join(Opinion, Opinion.id == AgendaOpinion.opinion_id),
        [prefix],
    )
    raised = and_(AgendaItem.jurisdiction >= prefix, AgendaItem.jurisdiction < prefix + "~")
    return select(AgendaItem.id).where(or_(raised, AgendaItem.id.in_(inside)))


def summary_of(hotspot: Hotspot, period: Period, sample: str) -> str:
    places = "、".join(f"{name}（{n}条）" for _, name, n in hotspot.places[:3]) or "多处"
    trend = f"，较前期增长{hotspot.growth:.0%}" if hotspot.growth > 0 else ""
    return (
        f"{period.label}共有{hotspot.count}条居民意见集中反映“{'、'.join(hotspot.keywords)}”"
        f"{trend}；主要涉及{places}。典型意见：“{sample[:120]}”"
    )


class Agenda:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    async def generate(self, prefix: str, period: Period, top: int = 5) -> list[AgendaItem]:
        hotspots = await self.civic.hotspots(prefix, period, top)
        items = []
        for hotspot in hotspots:
            items.append(await self._topic(prefix, period, hotspot))
        return items

    async def _topic(self, prefix: str, period: Period, hotspot: Hotspot) -> AgendaItem:
        # an estate or community has no Place id: its key tells two estates' topics apart
        where = hotspot.place_id or (hotspot.place_key if hotspot.level != "street" else "-")
        signature = f"{prefix}|{period.label}|{hotspot.keywords[0]}|{where}"
        async with self.civic.runtime.sessions() as session:
            found = await session.scalar(
                select(AgendaItem).where(AgendaItem.signature == signature)
            )
            if found is not None:
                return found
            sample = await session.get(Opinion, hotspot.opinion_ids[0])
            item = AgendaItem(
                jurisdiction=prefix, period_start=period.start, period_end=period.end,
                signature=signature, title=hotspot.title,
                summary=summary_of(hotspot, period, sample.text if sample else ""),
                category=hotspot.category, keywords=hotspot.keywords,
                places=[{"id": p, "name": n, "opinions": c} for p, n, c in hotspot.places],
                departments=await self._departments(hotspot),
                score=hotspot.score, growth=hotspot.growth, status="proposed",
                created_at=now(), updated_at=now(),
            )
            session.add(item)
            await session.flush()
            session.add_all(AgendaOpinion(agenda_id=item.id, opinion_id=o)
                            for o in hotspot.opinion_ids)
            await session.commit()
            return item

    async def _departments(self, hotspot: Hotspot) -> list[str]:
        """Departments whose systems hold records at these places, then the taxonomy's."""
        ids = [p for p, _, _ in hotspot.places]
        rows = await self.civic.runtime.store.read(_DEPARTMENTS_CYPHER, {"ids": ids}) if ids else []
        category = self.civic.text.category(hotspot.category)
        named = [r["connector"] for r in rows] + list(category.departments if category else ())
        return list(dict.fromkeys(named))

    async def get(self, session: AsyncSession, agenda_id: int) -> AgendaItem:
        item = await session.get(AgendaItem, agenda_id)
        if item is None:
            raise BadInput(f"agenda item {agenda_id} not found", ErrorCode.NOT_FOUND)
        return item

    async def reach(self, agenda_id: int) -> list[str]:
        """The jurisdictions a topic touches: its own and those of its opinions."""
        async with self.civic.runtime.sessions() as session:
            item = await self.get(session, agenda_id)
            rows = await session.scalars(
                select(Opinion.jurisdiction).distinct()
                .join(AgendaOpinion, AgendaOpinion.opinion_id == Opinion.id)
                .where(AgendaOpinion.agenda_id == agenda_id)
            )
            return [item.jurisdiction, *sorted(j for j in rows if j)]

    async def decide(
        self, agenda_id: int, status: str, responder: str, council: str
    ) -> AgendaItem:
        """Accept (and tell every supporting resident) or reject a proposed topic. `responder`
        is the deciding office, `council` the place whose council takes the topic up."""
        if status not in ("accepted", "rejected"):
            raise BadInput("status must be accepted or rejected")
        async with self.civic.runtime.sessions() as session:
            item = await self.get(session, agenda_id)
            if item.status not in ("proposed", status):
                raise BadInput(f"agenda item {agenda_id} is {item.status}", ErrorCode.BAD_STATE)
            answered = []
            if status == "accepted" and item.status == "proposed":
                text = ACK_TEXT.format(council=council, title=item.title)
                answered = await self._acknowledge(session, item, text, responder)
            item.status, item.updated_at = status, now()
            await session.commit()
        await self.civic.responses.deliver(answered)
        return item

    async def _acknowledge(
        self, session: AsyncSession, item: AgendaItem, text: str, responder: str
    ) -> list:
        linked = await opinions.many(session, await self.opinion_ids(session, item.id))
        answered = []
        for opinion in linked.values():
            if opinion.status == "received":
                answered.append((opinion, record(session, opinion, text, responder, "acknowledge")))
        await session.flush()
        return answered

    async def edit(self, agenda_id: int, title: str | None, summary: str | None) -> AgendaItem:
        async with self.civic.runtime.sessions() as session:
            item = await self.get(session, agenda_id)
            if title is not None and title.strip():
                item.title = title.strip()[:200]
            if summary is not None:
                item.summary = summary.strip()[:4000]
            item.updated_at = now()
            await session.commit()
        return item

    async def merge(self, target_id: int, source_ids: list[int]) -> AgendaItem:
        """Fold other topics into one: their opinions and keywords join it."""
        async with self.civic.runtime.sessions() as session:
            target = await self.get(session, target_id)
            have = set(await self.opinion_ids(session, target_id))
            for source_id in dict.fromkeys(source_ids):
                if source_id == target_id:
                    raise BadInput("cannot merge an agenda item into itself")
                source = await self.get(session, source_id)
                source.status, source.merged_into, source.updated_at = "merged", target_id, now()
                for opinion_id in await self.opinion_ids(session, source_id):
                    if opinion_id not in have:
                        session.add(AgendaOpinion(agenda_id=target_id, opinion_id=opinion_id))
                        have.add(opinion_id)
                target.keywords = list(dict.fromkeys(target.keywords + source.keywords))
            target.updated_at = now()
            await session.commit()
        return target

    async def opinion_ids(self, session: AsyncSession, agenda_id: int) -> list[str]:
        rows = await session.scalars(
            select(AgendaOpinion.opinion_id).where(AgendaOpinion.agenda_id == agenda_id)
        )
        return list(rows)

    async def page(
        self, prefix: str, status: str | None, offset: int, limit: int
    ) -> list[AgendaItem]:
        async with self.civic.runtime.sessions() as session:
            statement = select(AgendaItem).where(AgendaItem.id.in_(touching(prefix)))
            if status:
                statement = statement.where(AgendaItem.status == status)
            statement = statement.order_by(AgendaItem.period_start.desc(), AgendaItem.score.desc())
            return list(await session.scalars(statement.offset(offset).limit(limit)))
