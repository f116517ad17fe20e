"""Time-windowed traversals give exactly what the former plan gave (window inside the MATCH)."""

import itertools
import random
from typing import Any

from graph.links import LinkGraph, _in_scope
from graph.model import TRAVERSALS, Rel
from graph.store import GraphStore
from graph.writer import LinkWriter

STREET = "330105004"
COMMUNITIES = (f"{STREET}001", f"{STREET}002")


async def _city(store: GraphStore) -> tuple[list[str], list[str]]:
    """Two communities down to rooms, with POIs; events at every level, some with a
    jurisdiction that disagrees with their place, ties in time and no time at all.
    Returns the place ids and the person ids."""
    rng = random.Random(3)
    places: list[tuple[str, str, str, str | None]] = [("plc_s", "street", STREET, None)]
    for c, community in enumerate(COMMUNITIES):
        places.append((f"plc_c{c}", "community", community, "plc_s"))
        places.append((f"plc_c{c}_poi", "poi", community, f"plc_c{c}"))
        for g in range(2):
            grid = f"{community}0{g + 1}"
            places.append((f"plc_c{c}g{g}", "grid", grid, f"plc_c{c}"))
            for b, u, r in itertools.product(range(2), range(2), range(2)):
                building, unit = f"plc_c{c}g{g}b{b}", f"plc_c{c}g{g}b{b}u{u}"
                places += [
                    (building, "building", grid, f"plc_c{c}g{g}"),
                    (unit, "unit", grid, building),
                    (f"{unit}r{r}", "room", grid, unit),
                ]
    places = list({p[0]: p for p in places}.values())
    people = [f"prs_{i}" for i in range(12)]
    writer = LinkWriter(store, run=1, fresh=True)
    await writer.upsert_nodes(
        "Place", [(i, {"level": lvl, "jurisdiction": j}) for i, lvl, j, _ in places]
    )
    await writer.upsert_relations(
        Rel.LOCATED_IN, "Place", "Place", [(i, up, {"src": ""}) for i, _, _, up in places if up]
    )
    await writer.upsert_nodes("Person", [(p, {"jurisdiction": COMMUNITIES[0]}) for p in people])
    events, occurred, involves = [], [], []
    for n in range(400):
        place_id, _, code, _ = rng.choice(places)
        jurisdiction = rng.choice([code, code[:12], "330106001001", None])
        at = rng.choice([None, *range(1000, 1100, 5)]) if n % 7 == 0 else rng.randrange(1000, 1100)
        events.append((f"evt_{n:03d}", {"jurisdiction": jurisdiction, "at": at}))
        occurred.append((f"evt_{n:03d}", place_id, {"src": f"e/{n}"}))
        involves += [(f"evt_{n:03d}", p, {"src": f"e/{n}"}) for p in rng.sample(people, 2)]
    await writer.upsert_nodes("Event", events)
    await writer.upsert_relations(Rel.OCCURRED_AT, "Event", "Place", occurred)
    await writer.upsert_relations(Rel.INVOLVES, "Event", "Person", involves)
    return [p[0] for p in places], people


async def _former(
    store: GraphStore,
    name: str,
    ids: list[str],
    scope: list[str] | None,
    limit: int,
    offset: int,
    window: tuple[int | None, int | None],
    only: list[str] | None,
) -> dict[str, tuple[list[str], int]]:
    """traverse_page as it was: the time bounds among the MATCH's conditions."""
    spec = TRAVERSALS[name]
    pattern = spec.pattern.replace("(a)", f"(a:{spec.source} {{id: start}})", 1).replace(
        "(b)", f"(b:{spec.target})", 1
    )
    conditions = [_in_scope("b", only)]
    conditions += ["b.at >= $since"] if window[0] is not None else []
    conditions += ["b.at < $until"] if window[1] is not None else []
    params: dict[str, Any] = {
        "ids": ids,
        "scope": scope,
        "only": only,
        "offset": offset,
        "end": offset + limit,
        "since": window[0],
        "until": window[1],
    }
    rows = await store.read(
        f"UNWIND $ids AS start MATCH {pattern} WHERE {' AND '.join(conditions)} "
        f"WITH DISTINCT start, b ORDER BY {spec.order} WITH start, collect(b.id) AS found "
        "RETURN start, size(found) AS total, found[$offset..$end] AS found",
        params,
    )
    found = {row["start"]: (list(row["found"]), int(row["total"])) for row in rows}
    return {start: found.get(start, ([], 0)) for start in ids}


async def test_windowed_events_match_the_former_plan(store: GraphStore) -> None:
    places, people = await _city(store)
    links = LinkGraph(store)
    windows = [(1030, None), (None, 1060), (1020, 1075), (1050, 1050), (None, None)]
    scopes = [None, [COMMUNITIES[1]], [STREET, "330106"], ["330106"]]
    onlys = [None, [f"evt_{n:03d}" for n in range(0, 400, 3)]]
    starts = {"place_events": [*places, "plc_missing"], "person_events": people}
    compared = 0
    for name, window, scope, only in itertools.product(starts, windows, scopes, onlys):
        for offset, limit in ((0, 5), (4, 20), (0, 1000)):
            args = (name, starts[name], scope, limit, offset, window, only)
            pages = await links.traverse_page(*args)
            new = {start: ([n.id for n in nodes], total) for start, (nodes, total) in pages.items()}
            assert new == await _former(store, *args), args
            compared += sum(total for _, total in new.values())
    assert compared > 10_000  # the graph gives the comparison something to compare
