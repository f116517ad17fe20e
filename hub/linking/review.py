"""Reviewing what linking would not decide alone: candidate pairs, confirm or split, the report.

A decision is written to the hub records DB (so every later run follows it) and applied to the
graph at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph import review
from hub.answers import data_changed
from hub.errors import BadInput, ErrorCode
from hub.ids import check_kind
from hub.linking import records
from hub.runtime import Runtime


@dataclass(frozen=True)
class CandidatePair:
    ref: str
    person: str  # who the record is now (held apart)
    candidate: str  # who it may be
    score: float
    evidence: str


class ReviewService:
    def __init__(self, runtime: Runtime, scope: Sequence[str] | None) -> None:
        """`scope`: the jurisdiction prefixes the caller reviews in (None: everywhere), those
        of the (role, jurisdiction) pairs granting the review, not of any pair reading people."""
        self.runtime = runtime
        self.scope = None if scope is None else list(scope)

    async def candidates(self, offset: int, limit: int) -> tuple[list[CandidatePair], int]:
        rows, total = await review.candidates(self.runtime.store, self.scope, offset, limit)
        pairs = [
            CandidatePair(r["ref"], r["a"], r["b"], float(r["score"]), r["evidence"] or "")
            for r in rows
        ]
        return pairs, total

    async def decide(self, ref: str, person: str, decision: str) -> CandidatePair:
        """Confirm ('merge') or split the pair; BAD_INPUT when no such pair is pending."""
        check_kind(person, "Person")
        found = await review.candidate(self.runtime.store, ref, person)
        if found is None or not self._in_scope(found):
            raise BadInput(
                f"no candidate pair of record '{ref[:80]}' and {person}", ErrorCode.BAD_INPUT,
                suggestion="list pending pairs with linkCandidates",
            )
        await records.decide(self.runtime.sessions, ref, person, decision)
        if decision == "merge":
            await review.merge(self.runtime.store, ref, found["a"], person)
        else:
            await review.split(self.runtime.store, ref, person)
        await data_changed(self.runtime.redis)
        return CandidatePair(ref, found["a"], person, float(found["score"]), decision)

    def _in_scope(self, row: dict[str, Any]) -> bool:
        return self.scope is None or any(
            str(row.get("jurisdiction") or "").startswith(p) for p in self.scope
        )

    async def last_report(self) -> dict[str, Any] | None:
        return await records.last_report(self.runtime.sessions)



