"""The access log: one batch per request, hash-chained, tamper-evident, for auditors only."""

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event, select, text, update

from hub.access.principal import Principal
from hub.audit.log import AccessLog, payload
from hub.audit.table import AccessEntry
from hub.audit.trail import Trail
from hub.audit.verify import verify
from hub.cli import main
from hub.records import db as records_db
from hub.runtime import Runtime
from tests.access.conftest import STREET, Demo
from tests.conftest import GraphQLClient, bearer
from tests.support.postgres import PostgresServer


async def _last(runtime: Runtime) -> AccessEntry:
    async with runtime.sessions() as session:
        return (
            await session.scalars(select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1))
        ).one()


async def test_a_request_is_one_entry_naming_entities_and_fields(
    gql: GraphQLClient, runtime: Runtime, demo_places: Demo
) -> None:
    before = (await _last(runtime)).seq
    worker = gql.as_(bearer("grid_worker", demo_places.grid, "wang"))
    result = await worker(
        "query Mine { people(first: 3) { edges { node { id name idNumber subsidyAmount } } } }"
    )
    ids = {e["node"]["id"] for e in result["data"]["people"]["edges"]}
    entry = await _last(runtime)
    assert entry.seq == before + 1
    assert entry.principal == "wang" and entry.roles == "grid_worker" and entry.decision == "allow"
    assert entry.operation_name == "Mine" and len(entry.operation) == 64
    assert set(json.loads(entry.entities)["Person"]) == ids
    assert json.loads(entry.fields) == {
        "Person.idNumber": "mask",
        "Person.name": "allow",
        "Person.subsidyAmount": "absent",
    }


async def test_a_refused_request_is_recorded_as_denied(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    result = await gql.as_(bearer("city_brain", STREET[:6]))("{ people { totalCount } }")
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    entry = await _last(runtime)
    assert entry.decision == "deny" and "FORBIDDEN" in entry.detail


async def test_auditors_query_and_export_the_log(
    gql: GraphQLClient, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    auditor = bearer("auditor", [], "auditor-1")
    query = '{ accessLog(first: 5, filter: {decision: "allow"}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { seq principal fields entities hash } } } accessPolicy { version roles error } }'
    result = await gql.as_(auditor)(query)
    log = result["data"]["accessLog"]
    assert log["totalCount"] >= 1 and all(e["node"]["hash"] for e in log["edges"])
    assert "auditor" in result["data"]["accessPolicy"]["roles"]
    denied = await gql(query)  # the street office may not
    assert {e["extensions"]["code"] for e in denied["errors"]} == {"FORBIDDEN"}
    response = await client.get("/audit/export.csv", headers=auditor)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {"seq", "principal", "fields", "hash", "prev_hash"} <= set(rows[0])
    forbidden = await client.get("/audit/export.csv")
    assert forbidden.status_code == 403
    assert (await _last(runtime)).operation_name == "export"


async def test_the_log_pages_as_a_relay_connection(gql: GraphQLClient) -> None:
    """Page after page by endCursor: oldest first, each entry once (every request appends
    one, so the log grows while it is read: keyset cursors never shift a page)."""
    auditor = gql.as_(bearer("auditor", [], "auditor-2"))
    page = (
        "query($a: String) { accessLog(first: 2, after: $a) { totalCount "
        "pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { seq } } } }"
    )
    log = (await auditor(page))["data"]["accessLog"]
    total, seen = log["totalCount"], []
    assert total >= 3 and log["pageInfo"]["hasNextPage"]
    assert not log["pageInfo"]["hasPreviousPage"]
    while len(seen) < total:
        assert len(log["edges"]) == 2 and log["pageInfo"]["hasNextPage"]
        assert log["edges"][-1]["cursor"] == log["pageInfo"]["endCursor"]
        seen += [edge["node"]["seq"] for edge in log["edges"]]
        log = (await auditor(page, a=log["pageInfo"]["endCursor"]))["data"]["accessLog"]
    assert seen == sorted(set(seen))


async def test_the_service_log_verifies(runtime: Runtime) -> None:
    report = await verify(runtime.sessions)
    assert report.ok, report.lines()
    assert report.entries >= 5


@pytest.fixture
async def scratch_log(postgres: PostgresServer) -> AsyncIterator[AccessLog]:
    """A fresh access log in its own PostgreSQL database, for tampering."""
    name = f"audit_{datetime.now(UTC).strftime('%H%M%S%f')}"
    engine = records_db.open_engine(postgres.create_database(name))
    await records_db.create_tables(engine)
    log = AccessLog(engine, records_db.sessions(engine))
    await log.append(
        [
            payload(principal=f"p{i}", decision="allow", fields={"Person.name": "allow"})
            for i in range(30)
        ]
    )
    yield log
    await engine.dispose()


async def _problems(log: AccessLog) -> list[str]:
    report = await verify(log.sessions)
    return report.problems


async def test_verify_detects_an_altered_entry(scratch_log: AccessLog) -> None:
    assert await _problems(scratch_log) == []
    async with scratch_log.sessions.begin() as session:
        await session.execute(
            update(AccessEntry).where(AccessEntry.seq == 7).values(fields='{"Person.name":"mask"}')
        )
    assert await _problems(scratch_log) == [
        "entry 7: altered (its hash does not match its content)"
    ]


async def test_verify_detects_a_removed_entry(scratch_log: AccessLog) -> None:
    async with scratch_log.sessions.begin() as session:
        await session.execute(text("DELETE FROM access_log WHERE seq = 12"))
    assert await _problems(scratch_log) == ["entries 12..12: removed"]


async def test_verify_detects_a_rehashed_and_renumbered_removal(scratch_log: AccessLog) -> None:
    """Deleting an entry and renumbering the rest still breaks the link of the next entry."""
    async with scratch_log.sessions.begin() as session:
        await session.execute(text("DELETE FROM access_log WHERE seq = 12"))
        await session.execute(text("UPDATE access_log SET seq = seq - 1 WHERE seq > 12"))
    problems = await _problems(scratch_log)
    assert problems and all("altered" in p or "removed or reordered" in p for p in problems)


async def test_verify_detects_reordered_entries(scratch_log: AccessLog) -> None:
    async with scratch_log.sessions.begin() as session:
        await session.execute(text("UPDATE access_log SET seq = -1 WHERE seq = 5"))
        await session.execute(text("UPDATE access_log SET seq = 5 WHERE seq = 6"))
        await session.execute(text("UPDATE access_log SET seq = 6 WHERE seq = -1"))
    problems = await _problems(scratch_log)
    assert any("does not follow" in p for p in problems), problems


async def test_verify_detects_a_removed_front(scratch_log: AccessLog) -> None:
    async with scratch_log.sessions.begin() as session:
        await session.execute(text("DELETE FROM access_log WHERE seq <= 3"))
    assert await _problems(scratch_log) == [
        "entry 4: the chain's start is not anchored (front removed)"
    ]


async def test_retention_keeps_the_chain_verifiable(scratch_log: AccessLog) -> None:
    later = datetime.now(UTC) + timedelta(days=200)
    removed = await scratch_log.prune(183, now=later)
    assert removed == 30
    report = await verify(scratch_log.sessions)
    assert report.ok and report.entries == 1 and report.first_seq == 31
    await scratch_log.append([payload(principal="after", decision="allow")])
    assert (await verify(scratch_log.sessions)).ok


async def test_concurrent_appenders_keep_one_chain(
    scratch_log: AccessLog, postgres: PostgresServer
) -> None:
    """Two hub processes (two engines) appending at once never fork the chain."""
    other_engine = records_db.open_engine(
        str(scratch_log.engine.url.render_as_string(hide_password=False))
    )
    other = AccessLog(other_engine, records_db.sessions(other_engine))

    async def burst(log: AccessLog, who: str) -> None:
        for i in range(40):
            await log.append([payload(principal=f"{who}{i}", decision="allow")] * 3)

    await asyncio.gather(burst(scratch_log, "a"), burst(other, "b"))
    await other_engine.dispose()
    report = await verify(scratch_log.sessions)
    assert report.ok and report.entries == 30 + 2 * 40 * 3


def _count_inserts(log: AccessLog) -> list[str]:
    """The access log INSERT statements the log's engine sends, as they are sent."""
    sent: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG"):
            sent.append(statement)

    event.listen(log.engine.sync_engine, "before_cursor_execute", note)
    return sent


async def test_requests_appending_together_share_a_commit(scratch_log: AccessLog) -> None:
    """50 requests logging at once: one or a few INSERTs, not 50; each request is told the
    sequence number of its own entry, and the chain verifies."""
    inserts = _count_inserts(scratch_log)
    seqs = await asyncio.gather(*(
        scratch_log.append([payload(principal=f"r{i}", decision="allow")]) for i in range(50)))
    assert len(inserts) < 5, len(inserts)
    async with scratch_log.sessions() as session:
        by_principal = dict((await session.execute(
            select(AccessEntry.principal, AccessEntry.seq).where(AccessEntry.seq > 30))).all())
    assert [by_principal[f"r{i}"] for i in range(50)] == list(seqs)
    assert (await verify(scratch_log.sessions)).ok


async def test_a_request_that_gives_up_still_has_its_entry_written(
        scratch_log: AccessLog) -> None:
    """Nothing accepted is lost: a request cancelled while its entry waits for the commit."""
    first = asyncio.create_task(scratch_log.append([payload(principal="first", decision="allow")]))
    waiting = asyncio.create_task(scratch_log.append([payload(principal="gave up",
                                                               decision="allow")]))
    await asyncio.sleep(0)
    waiting.cancel()
    await first
    await scratch_log.close()
    async with scratch_log.sessions() as session:
        principals = set((await session.scalars(select(AccessEntry.principal))).all())
    assert {"first", "gave up"} <= principals


def test_cli_verify_and_export(runtime: Runtime, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url or "")
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    assert main(["audit", "verify"]) == 0
    out = tmp_path / "log.csv"
    assert main(["audit", "export", "--output", str(out), "--decision", "unauthenticated"]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert all(r["decision"] == "unauthenticated" for r in rows)


def test_a_kept_answers_reads_are_logged_as_first_logged_and_merge_with_new_reads() -> None:
    reader = Principal("office", ("street_admin",), (STREET,))
    first = Trail(reader)
    first.read("Person", "prs_2", "name", "allow")
    first.read_level("Person", ["prs_1", "prs_2"], {"phone": "mask"})
    kept = first.dump()
    served = Trail(reader)
    served.restore(kept)
    logged = served.entry("{ people { name } }", None, "allow")
    assert (logged["entities"], logged["fields"]) == (kept["entities"], kept["fields"])
    assert json.loads(logged["entities"]) == {"Person": ["prs_1", "prs_2"]}
    both = Trail(reader)
    both.restore(kept)
    both.read("Event", "evt_1", "title", "allow")
    merged = both.entry("{ people { name } event { title } }", None, "allow")
    assert json.loads(merged["entities"]) == {"Event": ["evt_1"], "Person": ["prs_1", "prs_2"]}
    assert json.loads(merged["fields"]) == {
        "Event.title": "allow",
        "Person.name": "allow",
        "Person.phone": "mask",
    }
