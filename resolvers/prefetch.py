"""Look-ahead for traversals: a level's traversals start while its attributes load.

Without it a page of people waits for its departments before the graph is asked for their
events, then waits for the events' departments: round trips in a row. Started from `wrap`, the
events' graph reads and their departments' reads run beside the people's department reads.
Once the level's own reads are done, `wrap` waits for them too and puts the targets, wrapped,
under `Context.ahead` (resolvers.common._ready): the traversal resolvers answer from there at
once, with the same loaders' results (same traversal and page size, same records) and nothing
sent of their own. Fields the caller may not read, and page sizes the resolver would refuse,
are not prefetched (their resolvers answer or refuse as always).
"""

import asyncio
from collections.abc import Sequence
from typing import Any, NamedTuple

from graphql import FieldNode, IntValueNode, VariableNode

from graph.model import Node
from hub.access.view import FieldRule
from hub.entities import EntityService
from resolvers.context import Info
from resolvers.fast import selected


class Look(NamedTuple):
    traversal: str
    target: str
    first: int  # the page size when the field has no `first` argument, or its default


# (type, GraphQL field) -> the traversal its resolver follows (see resolvers/*/types.py)
AHEAD: dict[tuple[str, str], Look] = {
    ("Person", "residence"): Look("person_residence", "Place", 1),
    ("Person", "registeredAt"): Look("person_registered", "Place", 1),
    ("Person", "household"): Look("person_household", "Person", 20),
    ("Person", "events"): Look("person_events", "Event", 20),
    ("Place", "parent"): Look("place_parent", "Place", 1),
    ("Place", "children"): Look("place_children", "Place", 100),
    ("Place", "residents"): Look("place_residents", "Person", 100),
    ("Place", "events"): Look("place_events", "Event", 100),
    ("Place", "things"): Look("place_things", "Thing", 100),
    ("Place", "managers"): Look("place_managers", "Organization", 20),
    ("Event", "place"): Look("event_place", "Place", 1),
    ("Event", "people"): Look("event_people", "Person", 20),
    ("Thing", "place"): Look("thing_place", "Place", 1),
    ("Organization", "places"): Look("organization_places", "Place", 100),
}

Found = tuple[list[list[str]], list[Node]]  # target ids per start, the target nodes

_running: set[asyncio.Task[Found]] = set()


class Started(NamedTuple):
    look: Look
    first: int
    fields: tuple[FieldNode, ...]  # the level's fields asking for this traversal and page size
    task: asyncio.Task[Found]


def prefetch(
    info: Info, kind: str, nodes: Sequence[Node], fields: Sequence[FieldNode]
) -> list[Started]:
    """Start the traversals `fields` ask for from `nodes`; the caller awaits what started."""
    context = info.context
    ids = [node.id for node in nodes]
    started: list[Started] = []
    if not ids:
        return started
    most = context.runtime.settings.max_page_size
    asked: dict[tuple[Look, int], list[FieldNode]] = {}
    for field in fields:
        look = AHEAD.get((kind, field.name.value))
        if look is None or context.view.field(kind, field.name.value) is FieldRule.ABSENT:
            continue
        if not context.loaders.rows.readable(look.target):
            continue
        first = page_size(field, info.variable_values, look.first)
        if first is None or not 0 < first <= most:
            continue
        asked.setdefault((look, first), []).append(field)
    # Aliases of one traversal and page size share one load, with what each of them selects.
    for (look, first), same in asked.items():
        wanted = set().union(*(_attributes(info, look.target, field) for field in same))
        task = asyncio.ensure_future(_load(context.entities, look, first, ids, wanted))
        _running.add(task)
        task.add_done_callback(_done)
        started.append(Started(look, first, tuple(same), task))
    return started


async def _load(
    entities: EntityService, look: Look, first: int, ids: list[str], wanted: set[str]
) -> Found:
    loaders = entities.loaders
    pages = await loaders.traversal(look.traversal, first).load_many(ids)
    found = list(dict.fromkeys(i for page in pages for i in page))
    nodes = [n for n in await loaders.nodes(look.target, found) if n is not None]
    if nodes and wanted:
        await entities.hydrate(nodes, wanted)  # fills the request's record loaders
    return pages, nodes


def _attributes(info: Info, kind: str, field: FieldNode) -> set[str]:
    """The attributes selected below `field` that the caller may read (masked or not)."""
    if field.selection_set is None:
        return set()
    names = {f.name.value for f in selected(field.selection_set.selections, info._raw_info)}
    rules = info.context.view.attribute_rules(kind, names)
    return {name for name, rule in rules.items() if rule is not FieldRule.ABSENT}


def _done(task: asyncio.Task[Found]) -> None:
    """A failure here is the resolver's to report (it awaits the same loads); not logged twice."""
    _running.discard(task)
    if not task.cancelled():
        task.exception()


def page_size(field: FieldNode, variables: dict[str, Any], default: int) -> int | None:
    """The `first` a traversal field asks for (`default` without one); None when it is not an
    integer the look-ahead can read (the resolver then checks it)."""
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return given if isinstance(given, int) else None
        return None
    return default
