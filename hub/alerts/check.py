"""Rules held against the policy: recipients are roles the policy knows, granted alerts at
their level, and able to read in clear every field a rule's message shows them.

A rule that would show a recipient what its role cannot read is refused here, when the rules
are checked or loaded, never discovered when an alert is delivered.
"""

from hub.access.objects import Obj, known_objects
from hub.access.policy import Policy
from hub.alerts.inputs import INPUTS
from hub.alerts.rules import LEVEL_DIGITS, Rule
from hub.errors import ConfigError


def sample(level: str) -> str:
    """A code of the level's length: the policy decides by level, never by the code."""
    return "3" * LEVEL_DIGITS[level]


def problems(rule: Rule, policy: Policy) -> list[str]:
    """What is wrong with one rule under `policy` (empty: it holds)."""
    found: list[str] = []
    objects = known_objects()
    for field in rule.shown_fields():
        if field not in objects:
            found.append(f"{rule.file}: rule {rule.id}: message shows unknown field {field}")
    for recipient in rule.everyone():
        where = f"{rule.file}: rule {rule.id}: recipient {recipient.role}@{recipient.level}"
        if recipient.role not in policy.roles:
            found.append(f"{where}: the policy knows no role {recipient.role}")
            continue
        code = sample(recipient.level)
        if not policy.allows(recipient.role, code, Obj.ALERT.value, "read"):
            found.append(f"{where}: the policy grants it no {Obj.ALERT.value} read")
        for field in rule.shown_fields():
            if field in objects and not policy.allows(recipient.role, code, field, "read"):
                found.append(f"{where}: its role may not read {field}, which the message shows")
    if rule.kind == "capacity" and rule.input not in INPUTS:
        found.append(f"{rule.file}: rule {rule.id}: unknown input {rule.input} "
                     f"(known: {', '.join(sorted(INPUTS))})")
    return found


def check(rules: list[Rule], policy: Policy) -> None:
    """ConfigError naming every problem, or nothing."""
    found = [p for rule in rules for p in problems(rule, policy)]
    if found:
        raise ConfigError("; ".join(found))
