"""The access view: what one request may see, computed once from the policy in force.

Types readable, each field allowed / masked / absent, and the row scope per type that the
loaders push into every graph and department query.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from hub.access.objects import (
    ENTITY_TYPES,
    FIELDS,
    ROW_ACTIONS,
    Action,
    Obj,
    field_object,
    known_objects,
    row_object,
)
from hub.access.policy import Policy, level_of
from hub.access.principal import Principal
from hub.standard import STANDARD_FIELDS, EntityKind

NOTHING = "~none"  # a jurisdiction prefix no code starts with (codes are digits)


class FieldRule(Enum):
    ALLOW = "allow"
    MASK = "mask"
    ABSENT = "absent"

    def narrowest(self, other: "FieldRule") -> "FieldRule":
        order = (FieldRule.ABSENT, FieldRule.MASK, FieldRule.ALLOW)
        return min(self, other, key=order.index)


@dataclass(frozen=True)
class KindRows:
    """Rows of one type: under these jurisdiction prefixes, or only these ids (None = any)."""

    prefixes: tuple[str, ...] | None = None
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RowScope:
    """Row scope per entity type; a type not in `kinds` is closed (no rows at all)."""

    kinds: Mapping[str, KindRows]

    @classmethod
    def everything(cls) -> "RowScope":
        return cls({kind: KindRows() for kind in ENTITY_TYPES})

    @classmethod
    def of(cls, scope: "RowScope | Sequence[str] | None") -> "RowScope":
        """Accepts the older form too: a list of jurisdiction prefixes for every type."""
        if isinstance(scope, RowScope):
            return scope
        if scope is None:
            return cls.everything()
        return cls({kind: KindRows(prefixes=tuple(scope)) for kind in ENTITY_TYPES})

    def readable(self, kind: str) -> bool:
        return kind in self.kinds

    def prefixes(self, kind: str) -> list[str] | None:
        rows = self.kinds.get(kind)
        if rows is None:
            return [NOTHING]
        return None if rows.prefixes is None else list(rows.prefixes)

    def ids(self, kind: str) -> list[str] | None:
        rows = self.kinds.get(kind)
        if rows is None:
            return []
        return None if rows.ids is None else list(rows.ids)

    @property
    def by_ids(self) -> bool:
        """True when some type is limited to an id list (no department can push that down)."""
        return any(rows.ids is not None for rows in self.kinds.values())


@dataclass(frozen=True)
class Grants:
    """What one role may do while holding a jurisdiction at one level (cached per policy)."""

    rows: Mapping[str, Action]  # readable type -> its widest row action
    fields: Mapping[tuple[str, str], FieldRule]
    others: frozenset[tuple[str, str]]  # (object, action) outside the entity types


def grants_for(policy: Policy, role: str, jurisdiction: str) -> Grants:
    """Ask the policy about every object once; cached on the policy per (role, level)."""
    key = (role, level_of(jurisdiction) or "*")
    if key not in policy.grants:
        policy.grants[key] = _ask(policy, role, jurisdiction)
    return policy.grants[key]  # type: ignore[no-any-return]


def _ask(policy: Policy, role: str, jur: str) -> Grants:
    rows: dict[str, Action] = {}
    fields: dict[tuple[str, str], FieldRule] = {}
    for kind in ENTITY_TYPES:
        if not policy.allows(role, jur, kind, Action.READ):
            continue
        action = next(
            (a for a in ROW_ACTIONS if policy.allows(role, jur, row_object(kind), a)), None
        )
        if action is None:
            continue
        rows[kind] = action
        for name in FIELDS[kind]:
            fields[(kind, name)] = _field_rule(policy, role, jur, field_object(kind, name))
    others = {
        (obj.value, act.value)
        for obj in Obj
        if obj.value not in ENTITY_TYPES
        for act in (Action.READ, Action.AGGREGATE, Action.WRITE, Action.EXPORT)
        if policy.allows(role, jur, obj, act)
    }
    return Grants(rows, fields, frozenset(others))


def _field_rule(policy: Policy, role: str, jur: str, obj: str) -> FieldRule:
    if policy.allows(role, jur, obj, Action.READ):
        return FieldRule.ALLOW
    if policy.allows(role, jur, obj, Action.MASK):
        return FieldRule.MASK
    return FieldRule.ABSENT


Scopes = Mapping[tuple[str, str], tuple[str, ...]]
"""(object, action) outside the entity types -> the jurisdiction prefixes it is granted in, one
per (role, jurisdiction) pair that grants it; "" is a pair without a jurisdiction (anywhere)."""


@dataclass(frozen=True)
class AccessView:
    """One request's view. `enforced=False` only where settings switch enforcement off."""

    principal: Principal
    policy_version: str
    rows: RowScope
    fields: Mapping[tuple[str, str], FieldRule] = field(default_factory=dict)
    scopes: Scopes = field(default_factory=dict)
    enforced: bool = True

    def field(self, type_name: str, name: str) -> FieldRule:
        if not self.enforced:
            return FieldRule.ALLOW
        return self.fields.get((type_name, name), FieldRule.ABSENT)

    def attribute_rules(self, kind: str, names: Iterable[str]) -> dict[str, FieldRule]:
        """The rule of each department attribute among `names` (other fields left out)."""
        standard = STANDARD_FIELDS[EntityKind(kind)]
        return {name: self.field(kind, name) for name in names if name in standard}

    def granted(self) -> Scopes:
        """Every (object, action) outside the entity types this view allows, with its scope."""
        if not self.enforced:
            return {(o, a): ("",) for o in known_objects() for a in ("read", "write")}
        return self.scopes

    def allows(self, obj: str, act: str) -> bool:
        return not self.enforced or (obj, act) in self.scopes

    def where(self, obj: str, act: str) -> tuple[str, ...] | None:
        """The jurisdiction prefixes `act` on `obj` is granted in: None for anywhere, () for
        nowhere. Only the pairs that grant it count: a token naming a street and a community
        never gets one pair's grant with the other pair's scope."""
        if not self.enforced:
            return None
        return widest(self.scopes.get((obj, act), ()))

    def readable(self, kind: str) -> bool:
        return self.rows.readable(kind)

    def admits(self, kind: str, entity_id: str, jurisdiction: str | None) -> bool:
        """Whether one row is in scope: the check for pushed items (subscriptions, issue 5),
        where there is no query to push the scope into. Reads still go through the loaders."""
        if not self.enforced:
            return True
        prefixes, ids = self.rows.prefixes(kind), self.rows.ids(kind)
        if not self.readable(kind) or (ids is not None and entity_id not in ids):
            return False
        return prefixes is None or any((jurisdiction or "").startswith(p) for p in prefixes)


def widest(prefixes: Iterable[str]) -> tuple[str, ...] | None:
    """The prefixes without those another one covers; None when one of them is "" (all)."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if prefix == "":
            return None
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(kept)


def unrestricted(principal: Principal, version: str) -> AccessView:
    return AccessView(principal, version, RowScope.everything(), enforced=False)


def build_view(policy: Policy, principal: Principal, own_ids: Iterable[str] = ()) -> AccessView:
    """Merge the grants of every (role, jurisdiction) the principal holds.

    Rows: the union of what each pair may read. Fields: the narrowest rule among the pairs that
    read the type, because one rule covers every row of the answer: a resident who is also a
    property manager must not see her neighbours' names in clear.
    """
    own = tuple(own_ids)
    places = principal.jurisdictions or ("",)
    fields: dict[tuple[str, str], FieldRule] = {}
    scopes: dict[tuple[str, str], list[str]] = {}
    contributions: dict[str, list[KindRows]] = {}
    for role in principal.roles:
        for place in places:
            grants = grants_for(policy, role, place)
            for pair in grants.others:
                scopes.setdefault(pair, []).append(place)
            for key, rule in grants.fields.items():
                fields[key] = rule.narrowest(fields.get(key, rule))
            for kind, action in grants.rows.items():
                contributions.setdefault(kind, []).append(_rows(action, place, own))
    rows = RowScope({kind: _merge(parts) for kind, parts in contributions.items()})
    granted = {pair: tuple(places) for pair, places in scopes.items()}
    return AccessView(principal, policy.version, rows, fields, granted)


def _rows(action: Action, place: str, own: tuple[str, ...]) -> KindRows:
    if action is Action.ANY:
        return KindRows()
    if action is Action.IN_JURISDICTION:
        return KindRows(prefixes=(place or NOTHING,))
    return KindRows(ids=own)


def _merge(parts: list[KindRows]) -> KindRows:
    """Any beats a prefix list beats an id list (a type is limited one way, never both)."""
    if any(p.prefixes is None and p.ids is None for p in parts):
        return KindRows()
    prefixes = widest(x for p in parts if p.prefixes is not None for x in p.prefixes)
    if prefixes:
        return KindRows(prefixes=prefixes)
    return KindRows(ids=tuple(sorted({x for p in parts for x in p.ids or ()})))


def needs_own_ids(policy: Policy, principal: Principal) -> bool:
    places = principal.jurisdictions or ("",)
    return any(
        Action.OWN in grants_for(policy, role, place).rows.values()
        for role in principal.roles
        for place in places
    )
