"""Aggregates for roles that may not see rows: counts with small-cell suppression."""

from dataclasses import dataclass

from graph.links import LinkGraph
from hub.access.objects import Action, Obj
from hub.access.view import AccessView

SMALL_CELL = 5


def suppressed(count: int) -> bool:
    """Counts from 1 to 4 are not shown: too few people to stay anonymous."""
    return 0 < count < SMALL_CELL


@dataclass(frozen=True)
class CommunityCount:
    code: str
    name: str
    count: int | None  # None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None


async def residents_by_community(links: LinkGraph, view: AccessView) -> list[CommunityCount]:
    """Residents per community where the view may aggregate them: the jurisdictions of the
    (role, jurisdiction) pairs granting it, everywhere for a pair that names none."""
    scope = view.where(Obj.STATS_RESIDENTS, Action.AGGREGATE)
    rows = await links.residents_by_community(None if scope is None else list(scope))
    return [CommunityCount(code, name or "", None if suppressed(n) else n)
            for code, name, n in rows]
