"""What a linking run did, per source record type; examples name records, never their values."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

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

    def problem(self, source: str, reason: str, ref: str) -> None:
        self.problems[(source, reason)] += 1
        if len(self.examples[(source, reason)]) < MAX_EXAMPLES:
            self.examples[(source, reason)].append(ref)

    @property
    def total(self) -> int:
        return sum(self.scanned.values())

    def lines(self) -> list[str]:
        out = [f"{src}: {n} scanned, {self.linked[src]} linked" for src, n in self.scanned.items()]
        for (src, reason), count in sorted(self.problems.items()):
            examples = ", ".join(self.examples[(src, reason)])
            out.append(f"  {src} {reason}: {count} (e.g. {examples})")
        rate = self.total / self.seconds if self.seconds else 0.0
        out.append(
            f"{self.total} records in {self.seconds:.1f}s ({rate:,.0f}/s); {self.removed} removed"
        )
        return out
