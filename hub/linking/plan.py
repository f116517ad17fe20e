"""A linking run's result before it is written: nodes, source refs and relations, deduplicated."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.model import Rel

KEEP_FIRST = frozenset({"idKey", "phoneKey", "nameKey", "soundKey", "jurisdiction"})


@dataclass
class LinkPlan:
    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    # kind → ref → (ref, connector, type, key, entity)
    sources: dict[str, dict[str, tuple[str, ...]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    relations: dict[tuple[Rel, str, str], dict[tuple[str, str], dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    addressed: dict[str, str] = field(default_factory=dict)  # source ref → place its address names
    candidates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def node(self, kind: str, node_id: str, **props: Any) -> str:
        """Props of the highest-priority record win for keys; later records fill the gaps."""
        current = self.nodes[kind].setdefault(node_id, {})
        for key, value in props.items():
            if value is not None and not (key in KEEP_FIRST and key in current):
                current[key] = value
        return node_id

    def source(self, kind: str, entity: str, connector: str, record_type: str, key: str) -> None:
        ref = f"{connector}/{record_type}/{key}"
        self.sources[kind][ref] = (ref, connector, record_type, key, entity)

    def relate(
        self, rel: Rel, a: tuple[str, str], b: tuple[str, str], src: str = "", **props: Any
    ) -> None:
        """A relation asserted by source record `src` ('' for the place hierarchy)."""
        (kind_a, id_a), (kind_b, id_b) = a, b
        if id_a and id_b:
            self.relations[(rel, kind_a, kind_b)][(id_a, id_b)] = {**props, "src": src}

    @property
    def refs(self) -> set[str]:
        return {ref for sources in self.sources.values() for ref in sources}
