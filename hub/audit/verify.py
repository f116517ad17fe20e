"""`hub audit verify`: walk the chain and name every altered, removed or reordered entry."""

import json
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.audit.chain import GENESIS, entry_hash
from hub.audit.log import RETENTION
from hub.audit.table import PAYLOAD, AccessEntry

MAX_LISTED = 20


@dataclass
class VerifyReport:
    entries: int = 0
    first_seq: int | None = None
    head_seq: int | None = None
    head_hash: str | None = None
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, text: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(text)

    def lines(self) -> list[str]:
        head = f"head {self.head_seq} {self.head_hash}" if self.head_seq else "empty"
        verdict = "intact" if self.ok else f"{self.problem_count} problem(s)"
        out = [f"access log: {self.entries} entries, {head}: {verdict} ({self.seconds:.1f} s)"]
        return out + [f"  {p}" for p in self.problems]


async def verify(sessions: async_sessionmaker[AsyncSession], batch: int = 20_000) -> VerifyReport:
    started = time.perf_counter()
    report = VerifyReport()
    anchors = await _anchors(sessions)
    columns = [AccessEntry.seq, AccessEntry.prev_hash, AccessEntry.hash] + [
        getattr(AccessEntry, name) for name in PAYLOAD
    ]
    prev_seq, prev_hash = None, None
    async with sessions() as session:
        result = await session.stream(
            select(*columns).order_by(AccessEntry.seq).execution_options(yield_per=batch)
        )
        async for row in result:
            _check(report, row, prev_seq, prev_hash, anchors)
            prev_seq, prev_hash = row.seq, row.hash
    report.head_seq, report.head_hash = prev_seq, prev_hash
    report.seconds = time.perf_counter() - started
    return report


def _check(report: VerifyReport, row, prev_seq, prev_hash, anchors) -> None:  # type: ignore[no-untyped-def]
    report.entries += 1
    payload = {name: getattr(row, name) for name in PAYLOAD}
    if entry_hash(row.seq, row.prev_hash, payload) != row.hash:
        report.problem(f"entry {row.seq}: altered (its hash does not match its content)")
    if prev_seq is None:
        report.first_seq = row.seq
        expected = GENESIS if row.seq == 1 else anchors.get(row.seq - 1)
        if row.prev_hash != expected:
            report.problem(f"entry {row.seq}: the chain's start is not anchored (front removed)")
        return
    if row.seq != prev_seq + 1:
        report.problem(f"entries {prev_seq + 1}..{row.seq - 1}: removed")
    elif row.prev_hash != prev_hash:
        report.problem(f"entry {row.seq}: does not follow entry {prev_seq} (removed or reordered)")


async def _anchors(sessions: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    """Retention entries: the last pruned sequence number -> its hash."""
    async with sessions() as session:
        details = await session.scalars(
            select(AccessEntry.detail).where(AccessEntry.decision == RETENTION)
        )
        anchors = {}
        for detail in details:
            data = json.loads(detail)
            anchors[int(data["through"])] = str(data["anchor"])
    return anchors
