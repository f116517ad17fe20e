"""The policy's expected-decision cases (policies/cases.csv), as the policy in force decides."""

import strawberry

from hub.access.cases import Case, holds, judged, load_cases
from hub.access.policy import Decision
from hub.access.store import PolicyStore


@strawberry.type(description="策略的一条预期判定（policies/cases.csv），及生效策略实际的判定")
class PolicyCase:
    line: int = strawberry.field(description="cases.csv 中的行号")
    role: str
    jurisdiction: str = strawberry.field(description="辖区编码；空串表示无辖区")
    object: str
    action: str
    expected: str = strawberry.field(description="预期判定：allow / deny")
    decided: str = strawberry.field(description="生效策略实际的判定：allow / deny")
    holds: bool = strawberry.field(description="实际判定与预期一致")
    rule: list[str] = strawberry.field(description="作出判定的策略行；无则为默认拒绝")


@strawberry.type(description="生效策略对预期判定的核对结果（同 `hub policy check`）")
class PolicyCases:
    version: str
    total: int
    holding: int = strawberry.field(description="成立的预期判定数")
    failing: int = strawberry.field(description="不成立的预期判定数")
    cases: list[PolicyCase] = strawberry.field(description="按 cases.csv 行序")


def _verdict(allowed: bool) -> str:
    return "allow" if allowed else "deny"


def _case(case: Case, decision: Decision) -> PolicyCase:
    return PolicyCase(
        line=case.line,
        role=case.subject,
        jurisdiction=case.jurisdiction,
        object=case.obj,
        action=case.action,
        expected=_verdict(case.expected),
        decided=_verdict(decision.allowed),
        holds=holds(case, decision),
        rule=decision.rule,
    )


def policy_cases(store: PolicyStore) -> PolicyCases:
    """Every case of the policy directory in force, decided by the loaded policy."""
    cases = [_case(*pair) for pair in judged(store.current, load_cases(store.directory))]
    holding = sum(case.holds for case in cases)
    return PolicyCases(
        version=store.version,
        total=len(cases),
        holding=holding,
        failing=len(cases) - holding,
        cases=cases,
    )
