"""Aggregates for roles that may not see rows: counts with small-cell suppression."""

from dataclasses import dataclass

from graph.links import LinkGraph
from hub.access.objects import Action, Obj
from hub.access.view import AccessView

SMALL_CELL = 5


def suppressed(count: int) -> str:
    """Counts from 1 to 4 are shown as `<5`: too few people to stay anonymous."""
    return f"<{SMALL_CELL}" if 0 < count < SMALL_CELL else str(count)


@dataclass(frozen=True)
class CommunityCount:
    code: str
    name: str
    count: str


async def residents_by_community(links: LinkGraph, view: AccessView) -> list[CommunityCount]:
    """Residents per community where the view may aggregate them: the jurisdictions of the
    (role, jurisdiction) pairs granting it, everywhere for a pair that names none."""
    scope = view.where(Obj.STATS_RESIDENTS, Action.AGGREGATE)
    rows = await links.residents_by_community(None if scope is None else list(scope))
    return [CommunityCount(code, name or "", suppressed(n)) for code, name, n in rows]
