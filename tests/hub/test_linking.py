"""Linking the test departments: quality against the truth, report, removals, privacy."""

import csv
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.link_quality import evaluate
from hub.linking.run import link
from hub.runtime import Runtime
from tests.conftest import DemoEnv, GraphQLClient, restart
from tests.support.graph import assert_refs_mirror_sources, graph_contents

ALLOWED = {
    "Person": {"id", "refs", "jurisdiction", "idKey", "phoneKey", "nameKey", "soundKey", "householdKey"},
    "Place": {"id", "refs", "level", "name", "jurisdiction", "estate", "number", "unit", "room"},
    "Event": {"id", "refs", "jurisdiction", "eventType", "at"},
    "Thing": {"id", "refs", "jurisdiction"},
    "Source": {"ref", "connector", "type", "key"},
}


async def test_resolution_meets_the_quality_goals(runtime: Runtime, link_report: object,
                                                  demo: DemoEnv) -> None:
    quality = await evaluate(runtime.store, demo.data_dir / "demo")
    assert quality["Person"]["precision"] >= 0.995, quality
    assert quality["Person"]["recall"] >= 0.97, quality
    assert quality["Place"]["precision"] >= 0.995 and quality["Place"]["recall"] >= 0.98, quality


async def test_graph_holds_keys_and_codes_only(runtime: Runtime, link_report: object) -> None:
    for label, allowed in ALLOWED.items():
        rows = await runtime.store.read(f"MATCH (n:{label}) RETURN DISTINCT keys(n) AS keys")
        found = {key for row in rows for key in row["keys"]}
        assert found and found <= allowed, (label, found - allowed)


async def test_link_report_is_served(gql: GraphQLClient) -> None:
    result = await gql(
        "{ linkReport { full records sources { source scanned linked } "
        "problems { source reason count examples } } }"
    )
    report = result["data"]["linkReport"]
    assert report["records"] > 0 and report["sources"]
    assert all(s["linked"] == s["scanned"] for s in report["sources"])
    for problem in report["problems"]:
        assert problem["count"] >= len(problem["examples"]) > 0
        assert all(e.startswith(problem["source"] + "/") for e in problem["examples"])


def _civil(demo: DemoEnv) -> Path:
    return demo.data_dir / "demo" / "civil.sqlite"


def _care_row(path: Path) -> tuple:
    with sqlite3.connect(str(path)) as db:
        return db.execute("SELECT * FROM care_records ORDER BY record_id LIMIT 1").fetchone()


def _replace_row(path: Path, row: tuple | None, key: str) -> None:
    with sqlite3.connect(str(path)) as db:
        db.execute("DELETE FROM care_records WHERE record_id = ?", (key,))
        if row is not None:
            db.execute(f"INSERT INTO care_records VALUES ({','.join('?' * len(row))})", row)


async def _person_of(runtime: Runtime, ref: str) -> str | None:
    rows = await runtime.store.read(
        "MATCH (s:Source {ref: $ref})-[:OF]->(p:Person) RETURN p.id AS id", {"ref": ref}
    )
    return rows[0]["id"] if rows else None


async def test_bad_id_and_address_are_reported_never_merged(
    runtime: Runtime, link_report: object, demo: DemoEnv
) -> None:
    row = _care_row(_civil(demo))
    ref = f"civil/care_record/{row[0]}"
    before = await _person_of(runtime, ref)
    broken = (*row[:2], row[2][:17] + ("0" if row[2][17] != "0" else "1"), "某处", *row[4:])
    _replace_row(_civil(demo), broken, row[0])
    try:
        report = await link(runtime)
        assert ref in report.examples[("civil/care_record", "id_check_digit")]
        after = await _person_of(runtime, ref)
        assert after is not None and after != before  # linked, but not merged on a guess
    finally:
        _replace_row(_civil(demo), row, row[0])
        await link(runtime)
    assert await _person_of(runtime, ref) == before


async def test_only_a_full_scan_unlinks_a_vanished_record(
    runtime: Runtime, link_report: object, demo: DemoEnv
) -> None:
    row = _care_row(_civil(demo))
    ref = f"civil/care_record/{row[0]}"
    _replace_row(_civil(demo), None, row[0])
    try:
        changed = await link(runtime, changed_only=True)
        assert changed.removed == 0 and await _person_of(runtime, ref)
        full = await link(runtime)
        assert full.removed == 1 and await _person_of(runtime, ref) is None
        await assert_refs_mirror_sources(runtime.store)
    finally:
        _replace_row(_civil(demo), row, row[0])
    again = await link(runtime)
    assert again.removed == 0 and await _person_of(runtime, ref)
    await assert_refs_mirror_sources(runtime.store)


async def test_relinking_changes_nothing(runtime: Runtime, link_report: object) -> None:
    """A full run again, then `--changed` with nothing changed: the same nodes, properties
    and edges (not only as many), whoever owns a flat where they do not live included."""
    before = await graph_contents(runtime.store)
    await link(runtime)
    assert _differences(before, await graph_contents(runtime.store)) == SAME
    await link(runtime, changed_only=True)
    assert _differences(before, await graph_contents(runtime.store)) == SAME


async def test_relinking_what_changed_equals_a_full_link(
    runtime: Runtime, link_report: object, demo: DemoEnv
) -> None:
    """One resident moves (police registry) and one flat is sold (property CSV):
    `--changed` then leaves the graph exactly as a full link of the same data does."""
    moved = await _move_a_resident(demo)
    rooms = demo.data_dir / "demo" / "property" / "rooms.csv"
    saved = rooms.read_bytes()
    try:
        _change_an_owner(rooms)
        await link(runtime, changed_only=True)
        changed = await graph_contents(runtime.store)
        await link(runtime)
        found = _differences(await graph_contents(runtime.store), changed)
        assert found == SAME, "\n".join(found)
    finally:
        rooms.write_bytes(saved)
        await _execute(demo, *moved)
        await link(runtime)


async def _execute(demo: DemoEnv, statement: str, params: dict[str, object]) -> list[tuple]:
    engine = create_async_engine(demo.env["HUB_POLICE_URL"])
    try:
        async with engine.begin() as db:
            result = await db.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


async def _move_a_resident(demo: DemoEnv) -> tuple[str, dict[str, object]]:
    """The first resident moves into the room of a resident of another grid; returns the
    statement that moves them back."""
    first, elsewhere = await _execute(demo, RESIDENTS_OF_TWO_GRIDS, {})
    later = datetime.now() + timedelta(days=1)  # after the watermark, whatever the zone
    move = ("UPDATE residents SET residence_address = :address, grid_code = :grid, "
            "updated_at = :at WHERE person_no = :person")
    await _execute(demo, move, {"address": elsewhere[1], "grid": elsewhere[2], "at": later,
                                "person": first[0]})
    return move, {"address": first[1], "grid": first[2], "at": later, "person": first[0]}


RESIDENTS_OF_TWO_GRIDS = (
    "SELECT person_no, residence_address, grid_code FROM residents r WHERE person_no IN ("
    "(SELECT min(person_no) FROM residents), (SELECT min(person_no) FROM residents WHERE "
    "grid_code <> (SELECT grid_code FROM residents ORDER BY person_no LIMIT 1))) "
    "ORDER BY person_no"
)


def _change_an_owner(rooms: Path) -> None:
    """The first flat is sold to someone no department knew."""
    with rooms.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, first = rows[0], rows[1]
    first[header.index("owner_name")], first[header.index("owner_phone")] = "欧阳新", "19900000001"
    with rooms.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows(rows)


SAME = ["0 nodes differ", "0 edges differ"]


def _differences(expected: tuple[dict, list], found: tuple[dict, list]) -> list[str]:
    """What differs between two graphs' contents: per node its differing properties, then the
    edges only one of them has (a few of each)."""
    nodes = []
    for key in sorted(expected[0].keys() | found[0].keys()):
        was, now = expected[0].get(key, ([], {})), found[0].get(key, ([], {}))
        if was != now:
            names = sorted({n for n in was[1].keys() | now[1].keys()
                            if was[1].get(n) != now[1].get(n)})
            nodes.append(f"{key} {was[0]}→{now[0]}: " + ", ".join(
                f"{n} {was[1].get(n)}→{now[1].get(n)}" for n in names))
    had, has = set(map(repr, expected[1])), set(map(repr, found[1]))
    edges = [f"{'+' if e in has else '-'}{e}" for e in sorted(had ^ has)]
    return [f"{len(nodes)} nodes differ", *nodes[:5], f"{len(edges)} edges differ", *edges[:5]]


async def test_a_department_down_is_named_and_its_links_kept(
    runtime: Runtime, link_report: object, demo: DemoEnv
) -> None:
    """A full run with a department unreadable links the rest on top of the graph: nothing of
    the unread department is unlinked, nobody is re-identified, and the report names it."""
    urban = "MATCH (:Source {connector: 'urban'})-[:OF]->(:Event)-[r]-() RETURN count(r) AS n"
    counts = ("MATCH (n) RETURN count(n) AS n", "MATCH ()-[e]->() RETURN count(e) AS n")
    before = [(await runtime.store.read(q))[0]["n"] for q in (urban, *counts)]
    demo.systems.stop_one("urban")
    try:
        report = await link(runtime)
    finally:
        restart(demo, runtime, "urban")
    assert list(report.unavailable) == ["urban/case"] and "urban" in report.unavailable["urban/case"]
    assert not report.full and report.removed == 0 and "urban/case" not in report.scanned
    assert report.scanned["police/resident"] > 0
    assert any(line.startswith("urban/case: NOT READ") for line in report.lines())
    assert [(await runtime.store.read(q))[0]["n"] for q in (urban, *counts)] == before
    again = await link(runtime)
    assert not again.unavailable and again.full and again.removed == 0
