"""Staff corrections: a classification corrected, an opinion attached by hand; remembered in
their own tables (`civic_corrections`, `civic_attachments`) and used.

A corrected category is the opinion's category from then on; a corrected topic is what hotspot
detection counts of it (hub.civic.opinions.hotspot_rows). Attaching an opinion to a hotspot is
naming the hotspot's topic for it, so it counts there at its own place. Attaching one to an
agenda item links it as generation does: it is among the item's opinions, and its author hears
what the item's supporters hear (told at once when the item is already accepted; the plan's
answers later).
"""

from typing import TYPE_CHECKING

from hub.civic import opinions
from hub.civic.agenda import ACK_TEXT
from hub.civic.records import AgendaItem, AgendaOpinion, Attachment, Correction, Opinion, now
from hub.civic.responses import record
from hub.errors import BadInput

if TYPE_CHECKING:
    from hub.civic.service import Civic


class Corrections:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    def check(self, category: str | None, topic: str | None) -> None:
        """A category is a taxonomy code; a topic a concept label or a taxonomy word."""
        text = self.civic.text
        if category is None and topic is None:
            raise BadInput("give a category, a topic or both")
        if category is not None and text.category(category) is None:
            raise BadInput(f"unknown category '{category[:32]}'",
                           suggestion=f"one of {', '.join(text.category_codes())}")
        if topic is not None and not text.topic_terms([topic]):
            raise BadInput(f"'{topic[:32]}' is not a topic",
                           suggestion="a concept of concepts.toml or a taxonomy keyword")

    async def correct(self, opinion_id: str, category: str | None, topic: str | None,
                      by: str) -> tuple[Opinion, Correction]:
        self.check(category, topic)
        async with self.civic.runtime.sessions() as session:
            opinion = await opinions.get(session, opinion_id)
            found = await session.get(Correction, opinion_id)
            if found is None:
                found = Correction(opinion_id=opinion_id, original_category=opinion.category)
                session.add(found)
            found.category = category or found.category
            found.topic = topic or found.topic
            found.corrected_by, found.updated_at = by, now()
            if category is not None:
                opinion.category = category
            await session.commit()
        self.civic.forget_backgrounds()  # a corrected opinion of an earlier month counts there
        return opinion, found

    async def topic(self, opinion_id: str) -> str | None:
        async with self.civic.runtime.sessions() as session:
            found = await session.get(Correction, opinion_id)
        return found.topic if found else None

    async def attach(self, agenda_id: int, opinion_id: str, by: str, council: str) -> AgendaItem:
        """Link an opinion to an agenda item (once); an accepted item's acknowledgement goes to
        its author at once, as it went to the item's other supporters."""
        answered = []
        async with self.civic.runtime.sessions() as session:
            item = await self.civic.agenda.get(session, agenda_id)
            opinion = await opinions.get(session, opinion_id)
            if opinion_id not in await self.civic.agenda.opinion_ids(session, agenda_id):
                session.add(AgendaOpinion(agenda_id=agenda_id, opinion_id=opinion_id))
                session.add(Attachment(agenda_id=agenda_id, opinion_id=opinion_id,
                                       attached_by=by, created_at=now()))
                if item.status == "accepted" and opinion.status == "received":
                    text = ACK_TEXT.format(council=council, title=item.title)
                    answered.append((opinion, record(session, opinion, text, by, "acknowledge")))
                item.updated_at = now()
                await session.commit()
        await self.civic.responses.deliver(answered)
        return item
