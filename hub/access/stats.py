"""Aggregates for roles that may not see rows: counts with small-cell suppression."""

from dataclasses import dataclass

from graph.links import LinkGraph
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
    """Residents per community within the principal's jurisdictions (all when it holds none)."""
    scope = list(view.principal.jurisdictions) or None
    rows = await links.residents_by_community(scope)
    return [CommunityCount(code, name or "", suppressed(n)) for code, name, n in rows]
