"""Where the demo's people really live, from its ground truth: what the leak check judges a
person's row by, rather than by the jurisdiction the link graph gave it (the thing checked).

`python -m demo generate` writes `truth.csv` (which real person each record is about),
`truth_links.csv` (LIVES_AT: the room a registry record says they live in) and the property
export (room → building → grid). A person the truth gives no residence (an owner living
elsewhere) is judged by the graph's jurisdiction, as before.
"""

import csv
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from graph.model import Node

Judge = Callable[[Node], str]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def _grids(demo: Path) -> dict[str, str]:
    """building id → grid code."""
    return {r["building_id"]: r["grid_code"] for r in _rows(demo / "property" / "buildings.csv")}


def residences(demo: Path) -> dict[str, str]:
    """'connector/type/key' of every person record → the grid its person truly lives in."""
    grids = _grids(demo)
    person_of = {f"{r['connector']}/{r['record_type']}/{r['key']}": r["true_id"]
                 for r in _rows(demo / "truth.csv") if r["entity_kind"] == "Person"}
    lives: dict[str, str] = {}
    for r in _rows(demo / "truth_links.csv"):
        if r["relation"] == "LIVES_AT":  # place:<building>/<unit>/<room>
            building = r["true_id"].removeprefix("place:").split("/", 1)[0]
            person = person_of.get(f"{r['connector']}/{r['record_type']}/{r['key']}")
            if person and building in grids:
                lives[person] = grids[building]
    return {ref: lives[person] for ref, person in person_of.items() if person in lives}


@cache
def judge(data_dir: Path) -> Judge:
    """The jurisdiction a row is judged by: a person's true residence where the data dir holds
    the demo's truth, else (and for other kinds) the graph's own jurisdiction."""
    demo = data_dir / "demo"
    truth = residences(demo) if (demo / "truth.csv").exists() else {}

    def jurisdiction(node: Node) -> str:
        if node.kind == "Person":
            for source in node.sources:
                grid = truth.get(source.ref)
                if grid:
                    return grid
        return node.jurisdiction or ""

    return jurisdiction
