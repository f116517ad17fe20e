"""Tokens naming several jurisdictions or roles: a permission is decided per (role,
jurisdiction) pair, and its scope is the union of the scopes of the pairs that grant it."""

from itertools import product

import pytest

from hub.access.objects import Action, Obj
from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.access.view import build_view
from hub.settings import REPO_ROOT
from tests.access.conftest import STREET, Demo, as_role
from tests.conftest import GraphQLClient

POLICY = Policy.from_dir(REPO_ROOT / "policies")
STATS = "{ stats { residentsByCommunity { code } } }"
ROLES = sorted(POLICY.roles)
PLACES = [STREET[:6], STREET, STREET + "001", STREET + "00101", STREET + "002", ""]
OBJECTS = [(o.value, a.value) for o in Obj for a in Action if "." in o.value or "audit" in o.value]


def _single(role: str, place: str, obj: str, act: str) -> tuple[str, ...] | None:
    """Where one pair alone may do `act` on `obj`: the oracle the leak tests trust."""
    view = build_view(POLICY, Principal("t", (role,), (place,) if place else ()))
    return view.where(obj, act)


def _covers(scope: tuple[str, ...] | None, code: str) -> bool:
    return scope is None or any(code.startswith(p) for p in scope)


@pytest.mark.parametrize("roles", [(r,) for r in ROLES] + [
    ("community_worker", "police"), ("street_admin", "community_worker"),
    ("resident", "property_manager"), ("city_brain", "grid_worker"), ("auditor", "civil_affairs"),
])
def test_every_object_is_granted_in_exactly_the_union_of_its_pairs(roles: tuple[str, ...]) -> None:
    for places in ([STREET, STREET + "001"], [STREET + "001", STREET], [STREET + "001",
                   STREET + "002"], [STREET[:6], STREET + "00101"], []):
        view = build_view(POLICY, Principal("t", roles, tuple(places)))
        pairs = list(product(roles, places or [""]))
        for obj, act in OBJECTS:
            singles = [_single(r, p, obj, act) for r, p in pairs]
            for code in PLACES[:-1]:
                expected = any(s != () and _covers(s, code) for s in singles)
                got = view.allows(obj, act) and _covers(view.where(obj, act), code)
                assert got == expected, (roles, places, obj, act, code)


async def test_stats_of_a_worker_naming_her_street_too_count_her_community(
    gql: GraphQLClient, demo_places: Demo
) -> None:
    for places in ([STREET, demo_places.community], [demo_places.community, STREET]):
        rows = (await as_role(gql, "community_worker", places)(STATS))["data"]
        assert [r["code"] for r in rows["stats"]["residentsByCommunity"]] == [
            demo_places.community
        ]


def test_link_review_is_scoped_by_the_pairs_granting_it() -> None:
    both = build_view(POLICY, Principal("t", ("street_admin", "police"), (STREET, STREET[:6])))
    assert both.rows.prefixes("Person") == [STREET[:6]]  # police reads the district's people
    assert both.where(Obj.LINK_REVIEW, Action.READ) == (STREET,)  # reviews its street only
