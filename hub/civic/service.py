"""`Civic`: the residents'-voice services of one hub process, built once in the lifespan."""

from collections import OrderedDict
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.civic import authors, kpis, opinions
from hub.civic import hotspots as detection
from hub.civic.agenda import Agenda
from hub.civic.corrections import Corrections
from hub.civic.council import Council
from hub.civic.intake import Intake, author_identity
from hub.civic.offices import Offices
from hub.civic.periods import Period
from hub.civic.places import PlaceIndex
from hub.civic.plans import Plans
from hub.civic.records import Opinion
from hub.civic.responses import Responses
from hub.civic.text import TextAnalyzer

if TYPE_CHECKING:
    from hub.runtime import Runtime

BACKGROUND_MONTHS = 3
_BACKGROUND_CACHE = 32


class Civic:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.text = TextAnalyzer(runtime.settings.data_dir / "jieba")
        self.places = PlaceIndex(runtime.links, self.text.add_place_names)
        self.offices = Offices(self.places, runtime.settings.extra.get("civic_offices", ""))
        self.intake = Intake(self)
        self.responses = Responses(self)
        self.agenda = Agenda(self)
        self.council = Council(self)
        self.plans = Plans(self)
        self.corrections = Corrections(self)
        self._backgrounds: OrderedDict[tuple[str, str], detection.Background] = OrderedDict()

    def author_key(self, subject: str | None) -> str | None:
        identity = author_identity(subject)
        return self.runtime.keys.digest("author", identity) if identity else None

    async def author_keys(self, subject: str | None) -> list[str]:
        """Every author key that is this subject: its own, and for a person those of the
        phones the graph links to her (what she said by hotline, Open311 or a phone form)."""
        own = self.author_key(subject)
        if own is None or subject is None:
            return []
        phones = await authors.person_phone_keys(self.runtime.links, subject)
        if not phones:
            return [own]
        async with self.runtime.sessions() as session:
            found = await authors.of_phones(session, phones)
        return [own, *sorted(set(found) - {own})]

    async def person_jurisdiction(self, person_id: str) -> str | None:
        if not person_id.startswith("prs_"):
            return None
        found = await self.runtime.links.nodes("Person", [person_id], None)
        node = found.get(person_id)
        return node.jurisdiction if node else None

    async def hotspots(self, prefix: str, period: Period, top: int = 10) -> list[detection.Hotspot]:
        async with self.runtime.sessions() as session:
            rows = await opinions.hotspot_rows(session, prefix, period, self.text.topic_terms)
        background = await self._background(prefix, period)
        await self.places.refresh()
        return detection.detect(rows, background, top, self.places.admin_names())

    async def _background(self, prefix: str, period: Period) -> detection.Background:
        """The earlier months' counts; cached per process, since closed months do not change
        except through late imports (a key includes the month, so the next month recomputes)."""
        key = (prefix, period.label)
        if key in self._backgrounds:
            self._backgrounds.move_to_end(key)
            return self._backgrounds[key]
        async with self.runtime.sessions() as session:
            rows = await opinions.hotspot_rows(
                session, prefix, period.before(BACKGROUND_MONTHS), self.text.topic_terms
            )
        background = detection.Background.of(rows, BACKGROUND_MONTHS)
        self._backgrounds[key] = background
        while len(self._backgrounds) > _BACKGROUND_CACHE:
            self._backgrounds.popitem(last=False)
        return background

    def forget_backgrounds(self) -> None:
        self._backgrounds.clear()

    async def kpis(self, prefix: str, period: Period) -> kpis.Kpis:
        async with self.runtime.sessions() as session:
            statement = opinions.in_period(opinions.in_scope(select(Opinion), [prefix]), period)
            rows = list(await session.scalars(statement))
        return kpis.compute(rows)
