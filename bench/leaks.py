"""The leak check: ask for every field of every type as a principal, compare with its view.

A leak is a row outside the view's row scope (checked for every id returned, nested ones too,
against where the demo's truth says a person lives, see bench.truth, else against the graph's
own jurisdiction), a value in a field the view makes absent, a clear value in a field it masks,
or a totalCount that counts rows outside the scope. Used by the tests and by
`python -m bench.access_leaks`.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.truth import judge
from hub.access.objects import ALWAYS, ENTITY_TYPES, FIELDS
from hub.access.view import AccessView, FieldRule
from hub.runtime import Runtime

RELATIONS: dict[tuple[str, str], str] = {
    ("Person", "residence"): "Place",
    ("Person", "registeredAt"): "Place",
    ("Person", "household"): "Person",
    ("Person", "events"): "Event",
    ("Place", "parent"): "Place",
    ("Place", "children"): "Place",
    ("Place", "residents"): "Person",
    ("Place", "events"): "Event",
    ("Place", "things"): "Thing",
    ("Place", "managers"): "Organization",
    ("Event", "place"): "Place",
    ("Event", "people"): "Person",
    ("Thing", "place"): "Place",
    ("Organization", "places"): "Place",
    ("Event", "organizations"): "Organization",
}
CONNECTIONS = {  # traversals served as Relay connections
    ("Person", "neighbours"): "Person",
    ("Place", "residentsConnection"): "Person",
    ("Place", "eventsConnection"): "Event",
}
ROOTS = {
    "Person": "people",
    "Place": "places",
    "Event": "events",
    "Thing": "things",
    "Organization": "organizations",
}
NESTED = "{ __typename id jurisdiction }"

Ask = Callable[[str], Awaitable[dict[str, Any]]]

# What each masking rule leaves visible (hub/access/mask.py), and nothing more.
_SHAPES = {
    "idNumber": re.compile(r"\d{6}\*{1,8}[0-9Xx]{4}|\*{8}"),
    "phone": re.compile(r"[^*]{3}\*{4}[^*]{4}|\*{1,10}"),
    "name": re.compile(r"[^*]\*+"),
    "address": re.compile(r"[^*]*\*{4}"),
}
_SHAPE_OF = {"reporterPhone": "phone", "hukouAddress": "address", "residenceAddress": "address"}
_OTHER = re.compile(r"[^*]\*{3}")


def masked_shape(field: str, value: object) -> bool:
    """Whether `value` has the exact shape `field`'s masking rule gives."""
    if not isinstance(value, str):
        return False
    shape = _SHAPES.get(_SHAPE_OF.get(field, field), _OTHER)
    return shape.fullmatch(value) is not None


def selection(kind: str) -> str:
    parts = ["__typename", "id"]
    for name in FIELDS[kind]:
        if name == "sources":
            parts.append("sources { connector recordType key }")
        elif (kind, name) in RELATIONS:
            parts.append(f"{name} {NESTED}")
        elif (kind, name) in CONNECTIONS:
            parts.append(f"{name}(first: 20) {{ totalCount edges {{ node {NESTED} }} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def query(kind: str, first: int) -> str:
    root = ROOTS[kind]
    return f"{{ {root}(first: {first}) {{ totalCount edges {{ node {{ {selection(kind)} }} }} }} }}"


@dataclass
class LeakReport:
    rows: int = 0  # entities returned (nested included)
    values: int = 0  # field values returned
    masked: int = 0
    absent: int = 0
    leaks: list[str] = field(default_factory=list)


async def check(runtime: Runtime, view: AccessView, ask: Ask, first: int = 200) -> LeakReport:
    """Every type's root list as `ask`'s principal; the report lists every leak found."""
    report = LeakReport()
    for kind in ENTITY_TYPES:
        result = await ask(query(kind, first))
        codes = {(e.get("extensions") or {}).get("code") for e in result.get("errors") or []}
        connection = (result.get("data") or {}).get(ROOTS[kind])
        if not view.readable(kind):
            if connection is not None or codes != {"FORBIDDEN"}:
                report.leaks.append(f"{kind}: closed type answered {str(connection)[:80]}")
            continue
        if codes:
            report.leaks.append(f"{kind}: errors {sorted(map(str, codes))}")
            continue
        seen: list[tuple[str, str]] = []
        for edge in connection["edges"]:
            _fields(view, edge["node"], report, seen)
        await _rows(runtime, view, seen, report)
        await _total(runtime, view, kind, connection["totalCount"], report)
    return report


def _fields(view: AccessView, node: dict[str, Any], report: LeakReport, seen: list) -> None:  # type: ignore[type-arg]
    kind = node["__typename"]
    seen.append((kind, node["id"]))
    report.rows += 1
    for name, value in node.items():
        if name in ALWAYS:
            continue
        rule = view.field(kind, name)
        if (kind, name) in CONNECTIONS and value is not None:
            value = [edge["node"] for edge in value["edges"]] or None
        if (kind, name) in RELATIONS or (kind, name) in CONNECTIONS:
            for child in value if isinstance(value, list) else [value] if value else []:
                _fields(view, child, report, seen)
        if value in (None, []):
            continue
        report.values += 1
        if rule is FieldRule.ABSENT:
            report.leaks.append(f"{kind}.{name} is absent for this role, got {str(value)[:40]}")
        elif rule is FieldRule.MASK:
            report.masked += 1
            if not masked_shape(name, value):
                report.leaks.append(f"{kind}.{name} should be masked, got a clear value")
    report.absent += sum(1 for n in FIELDS[kind] if view.field(kind, n) is FieldRule.ABSENT)


async def _rows(runtime: Runtime, view: AccessView, seen: list, report: LeakReport) -> None:  # type: ignore[type-arg]
    for kind in {k for k, _ in seen}:
        ids = sorted({i for k, i in seen if k == kind})
        if not view.readable(kind):
            report.leaks.append(f"{kind}: {len(ids)} rows of a closed type")
            continue
        found = await runtime.links.nodes(kind, ids, None)
        prefixes, allowed = view.rows.prefixes(kind), view.rows.ids(kind)
        jurisdiction = judge(runtime.settings.data_dir)  # by the demo's truth (bench.truth)
        for hub_id in ids:
            code = jurisdiction(found[hub_id])
            if prefixes is not None and not any(code.startswith(p) for p in prefixes):
                report.leaks.append(f"{kind} {hub_id} at {code} is outside {prefixes}")
            if allowed is not None and hub_id not in allowed:
                report.leaks.append(f"{kind} {hub_id} is not the principal's own")


async def _total(
    runtime: Runtime, view: AccessView, kind: str, total: int, report: LeakReport
) -> None:
    _, truth = await runtime.links.page(
        kind, view.rows.prefixes(kind), 0, 0, {}, only=view.rows.ids(kind)
    )
    if total != truth:
        report.leaks.append(f"{kind}: totalCount {total}, rows in scope {truth}")
