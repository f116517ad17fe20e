"""`hub audit verify` over 1,000,000 access log entries in PostgreSQL: time, and tamper detection.

Entries look like real ones (a principal, ten entity ids, a dozen fields). They are chained and
loaded with COPY, then verified; then one entry in the middle is altered and one removed, and
each must be found. `python -m bench.audit_verify [entries]`.
"""

import asyncio
import sys
import time

import asyncpg
from sqlalchemy import text

from hub.audit.chain import GENESIS, link
from hub.audit.log import payload
from hub.audit.table import AccessEntry
from hub.audit.verify import verify
from hub.records import db as records_db
from tests.support.postgres import start_postgres, stop_postgres

BATCH = 20_000
FIELDS = {f"Person.{f}": "allow" for f in ("name", "gender", "phone", "careLevel", "birthDate")}
FIELDS |= {"Person.idNumber": "mask", "Person.subsidyAmount": "absent"}


def _payloads(start: int, count: int) -> list[dict]:  # type: ignore[type-arg]
    template = payload(
        principal="bench",
        roles="grid_worker",
        jurisdictions="33010500400101",
        operation="a" * 64,
        decision="allow",
        fields=FIELDS,
    )
    out = []
    for n in range(start, start + count):
        ids = [f"prs_{(n * 10 + k) % 2**64:016x}" for k in range(10)]
        out.append(template | {"entities": '{"Person":["' + '","'.join(ids) + '"]}'})
    return out


async def _load(url: str, entries: int) -> float:
    started = time.perf_counter()
    columns = [c.name for c in AccessEntry.__table__.columns]
    conn = await asyncpg.connect(url)
    last_seq, last_hash = 0, GENESIS
    try:
        while last_seq < entries:
            rows = link(_payloads(last_seq, min(BATCH, entries - last_seq)), last_seq, last_hash)
            records = [tuple(r[c] for c in columns) for r in rows]
            await conn.copy_records_to_table("access_log", records=records, columns=columns)
            last_seq, last_hash = rows[-1]["seq"], rows[-1]["hash"]
    finally:
        await conn.close()
    return time.perf_counter() - started


async def main(entries: int) -> None:
    server = start_postgres("hub_audit_bench")
    engine = records_db.open_engine(server.url)
    try:
        await records_db.create_tables(engine)
        sessions = records_db.sessions(engine)
        load = await _load(server.url, entries)
        clean = await verify(sessions)
        middle = entries // 2
        async with sessions.begin() as s:
            await s.execute(
                text(f"UPDATE access_log SET principal = 'mallory' WHERE seq = {middle}")
            )
            await s.execute(text(f"DELETE FROM access_log WHERE seq = {middle + 1000}"))
        tampered = await verify(sessions)
    finally:
        await engine.dispose()
        stop_postgres(server)
    print("| entries | load (COPY) s | verify s | entries/s | intact | after tampering |")
    print("|---|---|---|---|---|---|")
    found = "; ".join(tampered.problems)
    print(
        f"| {clean.entries:,} | {load:.1f} | {clean.seconds:.1f} | "
        f"{clean.entries / clean.seconds:,.0f} | {clean.ok} | {found} |"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
