"""Resolution quality: pairwise precision and recall of the link graph against the demo truth.

    python -m bench.link_quality --residents 20000 200000 [--root .data/bench]

Persons: every Person source record (police resident, civil care record, property room owner)
is a mention; two mentions are a true pair when `truth.csv` gives them one `person:<n>`, a
predicted pair when the graph puts their Source nodes on one Person node.

Places: the property building and room records, plus every record whose address or reference
`truth_links.csv` resolves to a place (LIVES_AT, ADDRESS, OCCURRED_AT, LOCATED_IN). The graph's
answer for a mention is compared at the truth's level: a building-level truth takes the
building the hub's place lies in; a room-level truth needs a room (a mention the hub could only
place in its building counts as unresolved: a recall loss, never a merge). OWNS is left out:
it follows the room record's own key, so it cannot be wrong separately.
"""

import argparse
import asyncio
import csv
import json
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bench.stack import bench_runtime, data_dir_for, ensure_demo
from graph.store import GraphStore
from hub.linking.run import link
from hub.settings import REPO_ROOT

Mention = tuple[str, str]  # (hub id, true id)

PLACE_PATTERNS = {
    "LIVES_AT": "(s)-[:OF]->(:Person)-[:LIVES_AT]->(p:Place)",
    "ADDRESS": "(s)-[:ADDRESSED_AT]->(p:Place)",
    "OCCURRED_AT": "(s)-[:OF]->(:Event)-[:OCCURRED_AT]->(p:Place)",
    "LOCATED_IN": "(s)-[:OF]->(:Thing)-[:LOCATED_IN]->(p:Place)",
}
CHUNK = 20_000


def pairwise(mentions: Iterable[Mention]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth."""
    mentions = list(mentions)

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter(mentions))
    predicted = pairs(Counter(h for h, _ in mentions))
    true = pairs(Counter(t for _, t in mentions))
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"mentions": len(mentions), "true_pairs": true, "predicted_pairs": predicted,
            "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5)}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _ref(row: dict[str, str]) -> str:
    return f"{row['connector']}/{row['record_type']}/{row['key']}"


async def _entity_of(store: GraphStore, kind: str) -> dict[str, tuple[str, str | None]]:
    rows = await store.read(
        f"MATCH (s:Source)-[:OF]->(n:{kind}) RETURN s.ref AS ref, n.id AS id, n.level AS level"
    )
    return {r["ref"]: (r["id"], r["level"]) for r in rows}


async def _places_of(store: GraphStore, relation: str, refs: list[str]) -> dict[str, list]:
    """ref → [place id, level, building id] for the place the record's relation names."""
    pattern = PLACE_PATTERNS[relation]
    found: dict[str, list] = {}
    for start in range(0, len(refs), CHUNK):
        rows = await store.read(
            f"UNWIND $refs AS ref MATCH (s:Source {{ref: ref}}) MATCH {pattern} "
            "OPTIONAL MATCH (p)-[:LOCATED_IN*0..2]->(b:Place {level: 'building'}) "
            "RETURN ref, p.id AS id, p.level AS level, b.id AS building",
            {"refs": refs[start : start + CHUNK]},
        )
        found |= {r["ref"]: [r["id"], r["level"], r["building"]] for r in rows}
    return found


def _place_answer(true_id: str, found: list | None, ref: str) -> str:
    """The hub's place at the truth's level, or a singleton when the hub has none there."""
    if found is None:
        return f"unresolved:{ref}"
    place, level, building = found
    if "/" in true_id.removeprefix("place:"):
        return place if level == "room" else f"unresolved:{ref}"
    return building or f"unresolved:{ref}"


async def evaluate(store: GraphStore, demo_dir: Path) -> dict[str, dict[str, float]]:
    truth = _rows(demo_dir / "truth.csv")
    links = _rows(demo_dir / "truth_links.csv")
    persons = await _entity_of(store, "Person")
    person_mentions = [
        (persons.get(_ref(r), (f"unlinked:{_ref(r)}",))[0], r["true_id"])
        for r in truth if r["entity_kind"] == "Person"
    ]
    places = await _entity_of(store, "Place")
    place_mentions = [
        (places.get(_ref(r), (f"unlinked:{_ref(r)}",))[0], r["true_id"])
        for r in truth if r["entity_kind"] == "Place"
    ]
    for relation in PLACE_PATTERNS:
        wanted = [r for r in links if r["relation"] == relation]
        found = await _places_of(store, relation, [_ref(r) for r in wanted])
        place_mentions += [
            (_place_answer(r["true_id"], found.get(_ref(r)), _ref(r)), r["true_id"])
            for r in wanted
        ]
    return {"Person": pairwise(person_mentions), "Place": pairwise(place_mentions)}


async def measure(root: Path, residents: int) -> dict:
    data_dir = data_dir_for(root, residents)
    ensure_demo(data_dir, residents)
    async with bench_runtime(data_dir) as runtime:
        await runtime.store.clear()
        started = time.perf_counter()
        report = await link(runtime)
        seconds = time.perf_counter() - started
        result = await evaluate(runtime.store, data_dir / "demo")
    return {"residents": residents, "records": report.total, "link_seconds": round(seconds, 1),
            "problems": {f"{s} {r}": n for (s, r), n in sorted(report.problems.items())},
            **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    for residents in args.residents:
        print(json.dumps(asyncio.run(measure(args.root, residents)), ensure_ascii=False))


if __name__ == "__main__":
    main()
