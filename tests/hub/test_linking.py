"""Linking the test departments: quality against the truth, report, removals, privacy."""

import sqlite3
from pathlib import Path

from bench.link_quality import evaluate
from hub.linking.run import link
from hub.runtime import Runtime
from tests.conftest import DemoEnv, GraphQLClient
from tests.support.graph import assert_refs_mirror_sources

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


async def test_relinking_never_duplicates(runtime: Runtime, link_report: object) -> None:
    count = "MATCH (n) RETURN count(n) AS n"
    edges = "MATCH ()-[e]->() RETURN count(e) AS n"
    before = (await runtime.store.read(count), await runtime.store.read(edges))
    await link(runtime)
    await link(runtime, changed_only=True)
    assert (await runtime.store.read(count), await runtime.store.read(edges)) == before


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
        demo.systems.start_one("urban")
    assert list(report.unavailable) == ["urban/case"] and "urban" in report.unavailable["urban/case"]
    assert not report.full and report.removed == 0 and "urban/case" not in report.scanned
    assert report.scanned["police/resident"] > 0
    assert any(line.startswith("urban/case: NOT READ") for line in report.lines())
    assert [(await runtime.store.read(q))[0]["n"] for q in (urban, *counts)] == before
    again = await link(runtime)
    assert not again.unavailable and again.full and again.removed == 0
