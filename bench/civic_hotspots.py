"""Hotspot detection on the demo's planted hotspots: precision and recall of the top 10 a month.

    python -m bench.civic_hotspots            # over $HUB_DATA_DIR (default .data), after
                                              # `hub link` and `hub opinions import-hotline /
                                              # import-demo` (python app.py does all three)

A detected hotspot is *right* when it names a keyword of a true hot topic of that month: a
planted burst (then it must also point at the planted building: its place, or its most
affected place) or a seasonal topic. Precision = right / detected; recall = planted bursts
found / planted bursts. The first month has no background and is left out.
"""

import asyncio
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from hub.civic.hotspots import Hotspot
from hub.civic.periods import month
from hub.runtime import open_runtime
from hub.settings import Settings

STREET = "330105004"


def load_truth(path: Path) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["month"]].append(row)
    return found


def matches(spot: Hotspot, truth: dict[str, str], place_of: dict[str, str]) -> bool:
    if not set(spot.keywords) & set(truth["keywords"].split()):
        return False
    if truth["kind"] != "planted":
        return True
    where = place_of.get(truth["building_id"])
    top_place = spot.places[0][0] if spot.places else None
    return where is not None and where in (spot.place_id, top_place)


def score(spots: list[Hotspot], truths: list[dict[str, str]], place_of: dict[str, str]):
    """(right, strictly right, detected, planted found, planted). Strict: each true topic
    counts once, so five buildings hot with the same seasonal topic are one right answer."""
    right = sum(any(matches(s, t, place_of) for t in truths) for s in spots)
    used: set[int] = set()
    for spot in spots:
        hit = next((i for i, t in enumerate(truths) if i not in used
                    and matches(spot, t, place_of)), None)
        if hit is not None:
            used.add(hit)
    planted = [t for t in truths if t["kind"] == "planted"]
    found = sum(any(matches(s, t, place_of) for s in spots) for t in planted)
    return right, len(used), len(spots), found, len(planted)


async def main(top: int = 10) -> int:
    settings = Settings.from_env()
    truth = load_truth(settings.data_dir / "demo" / "opinions" / "hotspots_truth.csv")
    runtime = await open_runtime(settings)
    try:
        refs = sorted({f"property/building/{t['building_id']}" for rows in truth.values()
                       for t in rows if t["building_id"]})
        by_ref = await runtime.links.ids_for_sources("Place", refs)
        place_of = {ref.rsplit("/", 1)[1]: pid for ref, pid in by_ref.items()}
        precisions, stricts, recalls = [], [], []
        print("| month | detected | right | precision | strict precision | planted | found "
              "| recall |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label in sorted(truth)[1:]:
            spots = await runtime.civic.hotspots(STREET, month(label), top)
            right, strict, detected, found, planted = score(spots, truth[label], place_of)
            p, s, r = (right / max(detected, 1), strict / max(detected, 1),
                       found / max(planted, 1))
            precisions.append(p)
            stricts.append(s)
            recalls.append(r)
            print(f"| {label} | {detected} | {right} | {p:.2f} | {s:.2f} | {planted} | {found} "
                  f"| {r:.2f} |")
        print(f"\nmean precision {statistics.mean(precisions):.3f}, strict "
              f"{statistics.mean(stricts):.3f}, mean recall {statistics.mean(recalls):.3f} "
              f"over {len(recalls)} months")
    finally:
        await runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
