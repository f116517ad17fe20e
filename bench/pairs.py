"""What a token naming several roles or jurisdictions may see, by the policy's definition: the
view of each (role, jurisdiction) pair alone (what the single-pair leak checks verify one by
one), rows united, each field the narrowest rule among the pairs that read its type."""

from collections.abc import Sequence
from itertools import product

from hub.access.objects import ENTITY_TYPES
from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.access.view import AccessView, FieldRule, KindRows, RowScope, build_view


def single_views(policy: Policy, who: Principal, own: Sequence[str] = ()) -> list[AccessView]:
    pairs = product(who.roles, who.jurisdictions or ("",))
    return [
        build_view(policy, Principal(who.subject, (role,), (place,) if place else ()), own)
        for role, place in pairs
    ]


def union_view(policy: Policy, who: Principal, own: Sequence[str] = ()) -> AccessView:
    singles = single_views(policy, who, own)
    kinds: dict[str, KindRows] = {}
    fields: dict[tuple[str, str], FieldRule] = {}
    for kind in ENTITY_TYPES:
        readers = [v for v in singles if v.readable(kind)]
        if not readers:
            continue
        kinds[kind] = _rows(kind, readers)
        for view in readers:
            for (k, name), rule in view.fields.items():
                if k == kind:
                    fields[(k, name)] = rule.narrowest(fields.get((k, name), rule))
    return AccessView(who, policy.version, RowScope(kinds), fields)


def _rows(kind: str, readers: list[AccessView]) -> KindRows:
    prefixes = [v.rows.prefixes(kind) for v in readers]
    ids = [v.rows.ids(kind) for v in readers]
    if any(p is None and i is None for p, i in zip(prefixes, ids, strict=True)):
        return KindRows()
    found = sorted({x for p in prefixes if p is not None for x in p})
    if found:
        return KindRows(prefixes=tuple(found))
    return KindRows(ids=tuple(sorted({x for i in ids if i is not None for x in i})))
