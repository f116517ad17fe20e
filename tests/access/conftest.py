"""Principals over the session's demo street: two grids, their community, a resident."""

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from hub.runtime import Runtime
from tests.conftest import DEMO_STREET, GraphQLClient, bearer


@dataclass(frozen=True)
class Demo:
    grid: str  # a grid with residents
    other_grid: str  # another grid with residents, in another community when there is one
    community: str
    resident: str  # a person id living in `grid`
    household: frozenset[str]  # the resident and her household


@pytest.fixture(scope="session")
async def demo_places(gql: GraphQLClient) -> Demo:
    result = await gql(
        "{ people(first: 1000) { edges { node { id jurisdiction household { id } } } } }"
    )
    people = [e["node"] for e in result["data"]["people"]["edges"]]
    grids: dict[str, list[dict]] = {}
    for person in people:
        if person["jurisdiction"] and len(person["jurisdiction"]) == 14:
            grids.setdefault(person["jurisdiction"], []).append(person)
    ranked = sorted(grids, key=lambda g: -len(grids[g]))
    grid = ranked[0]
    others = [g for g in ranked[1:] if g[:12] != grid[:12]] or ranked[1:]
    resident = next(p for p in grids[grid] if p["household"])
    household = frozenset([resident["id"], *(m["id"] for m in resident["household"])])
    return Demo(grid, others[0], grid[:12], resident["id"], household)


def as_role(
    gql: GraphQLClient, role: str, jurisdiction: str | list[str], subject: str = "t"
) -> GraphQLClient:
    return gql.as_(bearer(role, jurisdiction, subject))


STREET = DEMO_STREET


@pytest.fixture
def largest_limits(runtime: Runtime) -> Iterator[None]:
    """Every role with the highest limits of any: the leak checks ask every field of every
    type of a long page at once (a cost of ~230,000), which is the check's need, not a
    caller's; the limits themselves are tested in tests/hub/test_limits.py."""
    saved = runtime.limits
    largest = saved.largest
    runtime.limits = replace(saved, roles={role: largest for role in saved.roles})
    yield
    runtime.limits = saved
