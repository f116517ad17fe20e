"""`policies/cases.csv`: expected decisions the policy in force must give."""

import csv
from dataclasses import dataclass
from pathlib import Path

from hub.access.policy import CASES_FILE, Decision, Policy
from hub.errors import ConfigError


@dataclass(frozen=True)
class Case:
    line: int
    subject: str
    jurisdiction: str
    obj: str
    action: str
    expected: bool

    def __str__(self) -> str:
        verdict = "allow" if self.expected else "deny"
        return f"{self.subject} @ {self.jurisdiction or '-'}: {self.action} {self.obj} → {verdict}"


def load_cases(directory: Path) -> list[Case]:
    path = directory / CASES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    rows = [(n, line) for n, line in numbered if not line.lstrip().startswith("#")]
    cases = []
    numbers = [n for n, _ in rows[1:]]  # the first row is the header
    for n, row in zip(numbers, csv.DictReader(line for _, line in rows), strict=True):
        expected = (row.get("expected") or "").strip()
        if expected not in ("allow", "deny"):
            raise ConfigError(f"{path}:{n}: expected must be allow or deny, got {expected!r}")
        cases.append(
            Case(
                n,
                row["subject"].strip(),
                (row["jurisdiction"] or "").strip(),
                row["object"].strip(),
                row["action"].strip(),
                expected == "allow",
            )
        )
    return cases


def judged(policy: Policy, cases: list[Case]) -> list[tuple[Case, Decision]]:
    """Each case with the decision the policy gives it (and the rule that decided)."""
    return [
        (case, policy.explain(case.subject, case.jurisdiction, case.obj, case.action))
        for case in cases
    ]


def holds(case: Case, decision: Decision) -> bool:
    return decision.allowed == case.expected


def failing(policy: Policy, cases: list[Case]) -> list[tuple[Case, list[str]]]:
    """Cases the policy decides otherwise, with the rule that decided."""
    return [
        (case, decision.rule)
        for case, decision in judged(policy, cases)
        if not holds(case, decision)
    ]
