"""Early-warning rules: audited TOML files next to the policies (`policies/rules/*.toml`).

A file holds `[rule.<id>]` tables. Every key is known here; an unknown key, kind, event type,
level or a missing key refuses the whole set (the last good set stays in force, see
`hub.alerts.ruleset`). Whether recipients may read what a rule shows is `hub.alerts.check`.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.errors import ConfigError

EVENT_TYPES = frozenset({
    "smoke_alarm", "gas_alarm", "door_access", "water_use", "lift_fault", "high_throw",
    "fire_lane_blocked", "ebike_in_lift", "crowd", "streetlight_fault", "device_offline",
})
KINDS = ("event", "count", "absence", "surge", "capacity")
LEVEL_DIGITS = {"street": 9, "community": 12, "grid": 14}
GROUPS = ("building", "place")
SEVERITIES = ("info", "warning", "urgent")
FIELD_REF = re.compile(r"\{([A-Z][A-Za-z]+\.[a-zA-Z]+)\}")

_COMMON = {"title", "kind", "severity", "action", "message", "recipients", "escalate_to",
           "escalate_after_minutes", "suppress_hours", "enabled"}
_BY_KIND = {
    "event": {"event_types", "group_by"},
    "count": {"event_types", "group_by", "min_events", "window_days", "opinion_keywords",
              "min_opinions"},
    "absence": {"population", "activity", "quiet_hours", "lookback_days"},
    "surge": {"window_hours", "min_opinions", "baseline_days", "factor"},
    "capacity": {"input", "ratio"},
}
_REQUIRED = {
    "event": {"event_types"},
    "count": {"event_types", "min_events", "window_days"},
    "absence": {"population", "activity", "quiet_hours"},
    "surge": {"window_hours", "min_opinions"},
    "capacity": {"input"},
}


@dataclass(frozen=True)
class Recipient:
    """A role, reached in the jurisdiction of the alert's subject cut to `level`."""

    role: str
    level: str

    def jurisdiction(self, subject: str) -> str:
        return subject[: LEVEL_DIGITS[self.level]]


@dataclass(frozen=True)
class Population:
    """Who an absence rule watches: people with a department attribute of a given value."""

    attribute: str  # Person.livingAlone
    equals: Any


@dataclass(frozen=True)
class Rule:
    id: str
    file: str
    title: str
    kind: str
    message: str  # {Place.name}, {Person.name}, …: fields shown to every recipient
    recipients: tuple[Recipient, ...]
    severity: str = "warning"
    action: str = ""
    escalate_to: tuple[Recipient, ...] = ()
    escalate_after_minutes: int | None = None
    suppress_hours: float = 24.0
    event_types: frozenset[str] = frozenset()
    group_by: str = "building"
    min_events: int = 1
    window_days: float = 0.0
    opinion_keywords: tuple[str, ...] = ()
    min_opinions: int = 0
    population: Population | None = None
    activity: frozenset[str] = frozenset()
    quiet_hours: float = 0.0
    lookback_days: float = 14.0
    window_hours: float = 24.0
    baseline_days: float = 28.0
    factor: float = 3.0
    input: str = ""
    ratio: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def shown_fields(self) -> list[str]:
        """The entity fields the message shows (`Place.name`): each recipient must read them."""
        return sorted(set(FIELD_REF.findall(self.message)))

    def everyone(self) -> tuple[Recipient, ...]:
        return self.recipients + self.escalate_to


def load_dir(directory: Path) -> list[Rule]:
    """Every rule of every `*.toml` in `directory`, sorted by id; ConfigError names the file,
    the rule and the key at fault."""
    if not directory.is_dir():
        raise ConfigError(f"rules: no folder {directory.name}")
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.toml")):
        rules += load_file(path)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"{rule.file}: rule {rule.id} is defined twice")
        seen.add(rule.id)
    return sorted(rules, key=lambda r: r.id)


def load_file(path: Path) -> list[Rule]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None
    unknown = set(data) - {"rule"}
    if unknown:
        raise ConfigError(f"{path.name}: unknown table {sorted(unknown)[0]} (only [rule.<id>])")
    return [_rule(path.name, rule_id, body) for rule_id, body in data.get("rule", {}).items()]


def _rule(file: str, rule_id: str, body: dict[str, Any]) -> Rule:
    where = f"{file}: rule {rule_id}"
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,47}", rule_id):
        raise ConfigError(f"{where}: an id is lower-case letters, digits and _")
    kind = body.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
    allowed = _COMMON | _BY_KIND[kind]
    for key in body:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key} for kind {kind}")
    for key in {"title", "message", "recipients"} | _REQUIRED[kind]:
        if key not in body:
            raise ConfigError(f"{where}: {key} is missing")
    values = {k: v for k, v in body.items() if k != "enabled"}
    try:
        return _build(where, rule_id, file, kind, values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _build(where: str, rule_id: str, file: str, kind: str, body: dict[str, Any]) -> Rule:
    text = {k: _text(where, k, body[k]) for k in ("title", "message", "action") if k in body}
    numbers = {
        k: _positive(where, k, body[k])
        for k in ("escalate_after_minutes", "suppress_hours", "min_events", "window_days",
                  "min_opinions", "quiet_hours", "lookback_days", "window_hours",
                  "baseline_days", "factor", "ratio")
        if k in body
    }
    for k in ("escalate_after_minutes", "min_events", "min_opinions"):
        if k in numbers:
            numbers[k] = int(numbers[k])
    severity = body.get("severity", "warning")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    group_by = body.get("group_by", "building")
    if group_by not in GROUPS:
        raise ConfigError(f"{where}: group_by must be one of {', '.join(GROUPS)}")
    rule = Rule(
        id=rule_id, file=file, kind=kind, severity=severity, group_by=group_by,
        recipients=_recipients(where, "recipients", body["recipients"]),
        escalate_to=_recipients(where, "escalate_to", body.get("escalate_to", [])),
        event_types=_types(where, "event_types", body.get("event_types", [])),
        activity=_types(where, "activity", body.get("activity", [])),
        opinion_keywords=tuple(_text(where, "opinion_keywords", w)
                               for w in body.get("opinion_keywords", [])),
        population=_population(where, body["population"]) if "population" in body else None,
        input=_text(where, "input", body["input"]) if "input" in body else "",
        **text, **numbers,  # type: ignore[arg-type]
    )
    if rule.escalate_to and rule.escalate_after_minutes is None:
        raise ConfigError(f"{where}: escalate_to needs escalate_after_minutes")
    return rule


def _text(where: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty text")
    return value


def _positive(where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number")
    return float(value)


def _types(where: str, key: str, value: Any) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of event types")
    unknown = sorted(set(value) - EVENT_TYPES)
    if unknown:
        raise ConfigError(f"{where}: unknown event type {unknown[0]} in {key}")
    return frozenset(value)


def _recipients(where: str, key: str, value: Any) -> tuple[Recipient, ...]:
    if not isinstance(value, list) or (key == "recipients" and not value):
        raise ConfigError(f"{where}: {key} must be a list of {{role, level}}")
    found = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"role", "level"}:
            raise ConfigError(f"{where}: each of {key} is {{role = …, level = …}}, nothing else")
        if item["level"] not in LEVEL_DIGITS:
            raise ConfigError(f"{where}: level {item['level']} in {key} is not one of "
                              f"{', '.join(LEVEL_DIGITS)}")
        found.append(Recipient(str(item["role"]), item["level"]))
    return tuple(found)


def _population(where: str, value: Any) -> Population:
    if not isinstance(value, dict) or set(value) != {"attribute", "equals"}:
        raise ConfigError(f"{where}: population is {{attribute = \"Person.<field>\", equals = …}}")
    attribute = _text(where, "population.attribute", value["attribute"])
    if not attribute.startswith("Person."):
        raise ConfigError(f"{where}: population.attribute must be a Person field")
    return Population(attribute, value["equals"])
