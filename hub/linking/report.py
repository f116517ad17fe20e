"""What a linking run did, per source record type; examples name records, never their values."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

MAX_EXAMPLES = 5


@dataclass
class LinkReport:
    scanned: Counter[str] = field(default_factory=Counter)
    linked: Counter[str] = field(default_factory=Counter)
    problems: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    removed: int = 0
    seconds: float = 0.0
    full: bool = True
    bulk_loaded: bool = False  # an empty graph built by the engine's bulk loader
    phases: dict[str, float] = field(default_factory=dict)  # scan / resolve / write seconds
    unavailable: dict[str, str] = field(default_factory=dict)  # source -> why it was not read

    def problem(self, source: str, reason: str, ref: str) -> None:
        self.problems[(source, reason)] += 1
        if len(self.examples[(source, reason)]) < MAX_EXAMPLES:
            self.examples[(source, reason)].append(ref)

    @property
    def total(self) -> int:
        return sum(self.scanned.values())

    @property
    def rate(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as stored in the hub records DB and served as `linkReport`."""
        return {
            "full": self.full,
            "seconds": round(self.seconds, 3),
            "records": self.total,
            "removed": self.removed,
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
            "sources": [
                {"source": s, "scanned": n, "linked": self.linked[s]}
                for s, n in self.scanned.items()
            ],
            "problems": [
                {"source": s, "reason": r, "count": n, "examples": self.examples[(s, r)]}
                for (s, r), n in sorted(self.problems.items())
            ],
            "unavailable": [
                {"source": s, "reason": why} for s, why in sorted(self.unavailable.items())
            ],
        }

    def lines(self) -> list[str]:
        out = [f"{src}: {n} scanned, {self.linked[src]} linked" for src, n in self.scanned.items()]
        for (src, reason), count in sorted(self.problems.items()):
            examples = ", ".join(self.examples[(src, reason)])
            out.append(f"  {src} {reason}: {count} (e.g. {examples})")
        for src, why in sorted(self.unavailable.items()):
            out.append(f"{src}: NOT READ ({why}); its links are kept as they were")
        mode = "full scan" if self.full else "changed since the last run"
        mode += ", bulk load into an empty graph" if self.bulk_loaded else ""
        out.append(
            f"{self.total} records ({mode}) in {self.seconds:.1f}s ({self.rate:,.0f}/s); "
            f"{self.removed} unlinked"
        )
        return out
