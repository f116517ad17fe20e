"""The leak matrix for tokens naming several roles or jurisdictions: every entity type judged
against the union of the single-pair views, every policy object against Casbin asked per pair
and the stores' own counts (bench/pairs.py, bench/object_leaks.py)."""

from typing import Any

import pytest

from bench import object_leaks
from bench.leaks import check
from bench.pairs import union_view
from hub.access.gate import _own_ids
from hub.access.principal import Principal
from hub.runtime import Runtime
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer

# every field of every type, a long page of each: see largest_limits
pytestmark = pytest.mark.usefixtures("largest_limits")

COMMUNITIES = [STREET + "001", STREET + "002"]
MONTH = "2026-01"

# (roles, which jurisdictions): tokens naming several (single pairs: test_roles.py; the full
# matrix of roles x jurisdiction sets: python -m bench.access_leaks).
TOKENS = [
    ((), []),
    (("community_worker",), ["street", "community"]),
    (("community_worker",), ["community", "street"]),
    (("community_worker",), ["community", "other_community"]),
    (("grid_worker",), ["grid", "other_community"]),
    (("street_admin", "community_worker"), ["community", "street"]),
    (("community_worker", "police"), ["community", "street"]),
    (("resident", "property_manager"), ["grid"]),
    (("police", "civil_affairs"), ["community", "district"]),
    (("city_brain", "community_worker"), ["district", "community"]),
    (("auditor", "grid_worker"), ["grid"]),
]


def _places(demo: Demo, which: list[str]) -> list[str]:
    other = next(c for c in COMMUNITIES if c != demo.community)
    named = {"street": STREET, "district": STREET[:6], "community": demo.community,
             "grid": demo.grid, "other_community": other}
    return [named[w] for w in which]


@pytest.mark.parametrize(("roles", "which"), TOKENS, ids=lambda v: "+".join(v) or "-")
async def test_no_token_reads_beyond_its_pairs(
    runtime: Runtime, gql: GraphQLClient, demo_places: Demo, civic_imports: Any,
    roles: tuple[str, ...], which: list[str],
) -> None:
    places = _places(demo_places, which)
    subject = demo_places.resident if "resident" in roles else "matrix-1" if roles else "anonymous"
    who = Principal(subject, roles, tuple(places))
    caller = gql.as_(bearer(list(roles), places, subject) if roles else {})
    expected = union_view(runtime.policies.current, who, await _own_ids(who, runtime.links))
    entities = await check(runtime, expected, caller.__call__, first=50)
    assert not entities.leaks, entities.leaks[:10]

    async def ask(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await caller(query, **variables)

    codes = [STREET, *COMMUNITIES, demo_places.grid, "330105003"]
    objects = await object_leaks.check(
        runtime, runtime.policies.current, who, ask, codes, MONTH
    )
    assert objects.checks > 20 and not objects.leaks, objects.leaks[:10]
