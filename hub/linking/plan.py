"""A linking run's result before it is written: nodes, source refs and relations, deduplicated."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.model import Rel


@dataclass
class LinkPlan:
    nodes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    sources: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    relations: dict[tuple[Rel, str, str], dict[tuple[str, str], dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def node(self, kind: str, node_id: str, **props: Any) -> str:
        current = self.nodes[kind].setdefault(node_id, {})
        current.update({k: v for k, v in props.items() if v is not None})
        return node_id

    def source(self, kind: str, entity: str, connector: str, record_type: str, key: str) -> None:
        ref = f"{connector}/{record_type}/{key}"
        self.sources[kind][ref] = {
            "ref": ref,
            "connector": connector,
            "type": record_type,
            "key": key,
            "entity": entity,
        }

    def relate(self, rel: Rel, a: tuple[str, str], b: tuple[str, str], **props: Any) -> None:
        (kind_a, id_a), (kind_b, id_b) = a, b
        if id_a and id_b:
            self.relations[(rel, kind_a, kind_b)][(id_a, id_b)] = props
