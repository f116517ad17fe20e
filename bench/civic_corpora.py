"""Hotspots on text the demo generator did not write: hand-written corpora mixed into its months.

    python -m bench.civic_corpora [--data-dir D] [--corpus NAME] [--verbose]
    python -m bench.civic_corpora [--data-dir D] --demo-only   # the demo's own bursts

`bench/corpora/*.csv` (written by hand, apart from `demo/`'s code and vocabulary): three
months of opinions each, with the planted problems (`problem`, `level`) and ordinary chatter.
Their places are slots (`K1.a#3`: community 1, estate a, building 3) mapped onto the demo
street's real estates (SLOTS). Each corpus month is mixed into one of the demo's last three
months (~2,200 opinions, with its own planted bursts and seasonal topics); the background is
the three months before, as the hub computes it. Detection is pure, so rows are built here
from the demo CSVs with the hub's own TextAnalyzer; no hub runs. Without the demo data under
D/demo it is generated there (seed 42, as of 2025-06-30).

Per corpus and month, of the top 10: recall (planted problems found at the right place and
level), precision (hotspots that are real problems: a planted corpus problem, or the demo's
planted bursts and seasonal topics, judged by their opinions), generic hotspots (a topic that
is neither a concept nor a taxonomy word), and the detection time of the street-month.
"""

import argparse
import csv
import os
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from hub.civic import similar
from hub.civic.hotspots import Background, Hotspot, Row, detect
from hub.civic.text import TextAnalyzer, simhash

CORPORA = Path(__file__).resolve().parent / "corpora"
# Every corpus here has been read after a run, so none is held out any more: renters_group
# (session 9), grid_patrol and hangzhou_elders (session 10) were each run once as held out
# first (bench/RESULTS.md keeps those figures), then their misses were read. The held-out
# corpus is the one that is not in the repository.
HELD_OUT: set[str] = set()
SLOTS = {"K1.a": "姚家新村", "K1.b": "望江小区", "K2.a": "景芳新村", "K2.b": "翠园二村",
         "K2.c": "卖鱼桥新村", "K3.a": "王马新村", "K3.b": "九堡新苑", "K4.a": "江锦华庭",
         "K4.b": "长河悦府"}
AS_OF = date(2025, 6, 30)
_NUMBER = re.compile(r"(\d+)\s*(?:幢|栋|号楼|号|座)")
REAL = ("corpus", "planted", "seasonal")


@dataclass
class Street:
    """The demo street's buildings: (estate, number) → (building id, grid code)."""

    buildings: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    grids: dict[str, str] = field(default_factory=dict)  # estate → its first grid code
    names: dict[str, str] = field(default_factory=dict)  # community / street code → name

    def place(self, estate: str, number: str | None) -> tuple[str, str, str]:
        """(place id, place name, area) as the hub would resolve it."""
        if number and (estate, number) in self.buildings:
            building, grid = self.buildings[(estate, number)]
            return building, f"{estate}{number}幢", grid
        return f"grid:{self.grids[estate]}", f"{estate}（网格）", self.grids[estate]

    def parse(self, address: str) -> tuple[str, str, str] | None:
        text = address.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})
        estate = max((e for e in self.grids if e in text), key=len, default=None)
        if estate is None:
            return None
        number = _NUMBER.search(text[text.index(estate) + len(estate):])
        return self.place(estate, number.group(1) if number else None)


def load_street(demo: Path) -> Street:
    street = Street()
    with (demo / "property" / "buildings.csv").open(encoding="utf-8-sig") as handle:
        for b in csv.DictReader(handle):
            number = re.sub(r"\D", "", b["building_no"])
            street.buildings[(b["estate_name"], number)] = (b["building_id"], b["grid_code"])
            street.grids.setdefault(b["estate_name"], b["grid_code"])
            street.names[b["community_code"]] = b["community_name"]
            street.names[b["community_code"][:9]] = b["street_name"]
    return street


@dataclass
class Labeled:
    row: Row
    month: str
    label: str | None  # corpus:<problem> | chatter | planted | seasonal | ordinary | None


class Builder:
    def __init__(self, street: Street, cache: Path, grams: bool = True) -> None:
        self.street = street
        self.grams = grams  # False: the concepts alone, as before the similarity method
        self.text = TextAnalyzer(cache)
        self.text.add_place_names([*street.grids, *street.names.values()])

    def row(self, oid: str, text: str, place: tuple[str, str, str] | None, at: datetime) -> Row:
        found = self.text.analyze(text)
        pid, name, area = place or (None, None, None)
        return Row(oid, tuple(found.keywords), pid, name, found.category, simhash(text),
                   at.timestamp(), area, self.text.topic_terms(found.keywords),
                   similar.grams(text, name) if self.grams else ())


def demo_rows(builder: Builder, demo: Path, months: set[str]) -> list[Labeled]:
    seasonal: dict[str, set[str]] = {}
    with (demo / "opinions" / "hotspots_truth.csv").open(encoding="utf-8-sig") as handle:
        for t in csv.DictReader(handle):
            if t["kind"] == "seasonal":
                seasonal.setdefault(t["month"], set()).add(t["topic"])
    found = []
    with (demo / "opinions" / "opinions.csv").open(encoding="utf-8-sig") as handle:
        for o in csv.DictReader(handle):
            at = datetime.fromisoformat(o["created_at"])
            label = f"{at:%Y-%m}"
            if label in months:
                kind = ("planted" if o["planted"] else
                        "seasonal" if o["topic"] in seasonal.get(label, ()) else "ordinary")
                place = builder.street.parse(o["address"])
                row = builder.row(o["opinion_no"], o["text"], place, at)
                found.append(Labeled(row, label, kind))
    with (demo / "hotline" / "work_orders.csv").open(encoding="utf-8-sig") as handle:
        for w in csv.DictReader(handle):
            at = datetime.fromisoformat(w["received_at"])
            if f"{at:%Y-%m}" in months:
                place = builder.street.parse(w["address"])
                row = builder.row(w["order_no"], w["content"], place, at)
                found.append(Labeled(row, f"{at:%Y-%m}", None))
    return found


@dataclass
class Problem:
    name: str
    level: str
    month: str
    ids: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)  # the hotspot place keys that are right


def corpus_rows(builder: Builder, path: Path, months: list[str]) -> tuple[list[Labeled], dict]:
    rows, problems = [], {}
    with path.open(encoding="utf-8") as handle:
        for n, c in enumerate(csv.DictReader(handle), start=2):
            label = months[int(c["month"]) - 1]
            slot, _, number = c["place"].partition("#")
            estate = SLOTS[slot]
            place = builder.street.place(estate, number or None)
            at = datetime.fromisoformat(f"{label}-{int(c['day']):02d}T10:00:00+08:00")
            oid = f"{path.stem}-{n}"
            rows.append(Labeled(builder.row(oid, c["text"].replace("{estate}", estate), place, at),
                                label, f"corpus:{c['problem']}" if c["problem"] else "chatter"))
            if c["problem"]:
                p = problems.setdefault(c["problem"], Problem(c["problem"], c["level"], label))
                p.ids.add(oid)
                p.places.add({"building": place[0], "estate": f"estate:{place[2][:12]}:{estate}",
                              "community": f"community:{place[2][:12]}"}[c["level"]])
    return rows, problems


def matches(spot: Hotspot, problem: Problem) -> bool:
    """Found at the right place and level: most of the problem's opinions, there."""
    shared = len(problem.ids & set(spot.opinion_ids))
    return shared >= 0.5 * len(problem.ids) and spot.place_key in problem.places \
        and len(problem.places) == 1


def is_real(spot: Hotspot, labels: dict[str, str | None]) -> bool:
    known = [labels[i] for i in spot.opinion_ids if labels.get(i) is not None]
    real = sum(1 for k in known if k and k.startswith(REAL))
    return bool(known) and real >= 0.5 * len(known)


def is_generic(spot: Hotspot, text: TextAnalyzer, month: list[Row]) -> bool:
    """A title word that says nothing of a problem: neither a concept nor a taxonomy word, and
    a stop word or a word in more than 5% of the month's opinions (whatever found it)."""
    topic = spot.topic
    if topic in text.concepts.labels or topic in text.category_of:
        return False
    for word in topic.split("/"):
        share = sum(1 for r in month if any(word in t for t in r.terms)) / max(1, len(month))
        if word in text.stopwords or share > 0.05 or len(word) < 2:
            return True
    return False


def ensure_demo(data_dir: Path) -> Path:
    demo = data_dir / "demo"
    if not (demo / "opinions" / "opinions.csv").exists():
        from demo.generate import generate

        generate(data_dir, as_of=AS_OF)
    return demo


def main_for(data_dir: Path, corpus: str | None = None, verbose: bool = False
             ) -> list[tuple[float | None, float]]:
    """Print the table; (recall, precision) per corpus and month."""
    return run(argparse.Namespace(data_dir=data_dir, corpus=corpus, verbose=verbose,
                                  held_out=False, concepts_only=False))


def run(args: argparse.Namespace) -> list[tuple[float | None, float]]:
    demo = ensure_demo(args.data_dir)
    with (demo / "opinions" / "hotspots_truth.csv").open(encoding="utf-8-sig") as handle:
        all_months = sorted({t["month"] for t in csv.DictReader(handle)})
    evaluated, history = all_months[-3:], all_months[-6:-3]
    street = load_street(demo)
    builder = Builder(street, Path(tempfile.gettempdir()) / "hub-bench-jieba",
                      not args.concepts_only)
    base = demo_rows(builder, demo, set(evaluated + history))
    corpora = sorted(p for p in CORPORA.glob("*.csv") if args.held_out or p.stem not in HELD_OUT) \
        if not args.corpus else [CORPORA / f"{args.corpus}.csv"]
    print("| corpus | month | planted | found | recall | precision | generic | detect s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals: dict[str, list[float]] = {"recall": [], "precision": [], "time": []}
    results: list[tuple[float | None, float]] = []
    for path in corpora:
        extra, problems = corpus_rows(builder, path, evaluated)
        everything = base + extra
        labels = {x.row.id: x.label for x in everything}
        for i, label in enumerate(evaluated):
            before = set(all_months[all_months.index(label) - 3: all_months.index(label)])
            now = [x.row for x in everything if x.month == label]
            background = Background.of([x.row for x in everything if x.month in before], 3)
            times = []
            for _ in range(3):
                started = time.perf_counter()
                spots = detect(now, background, 10, street.names)
                times.append(time.perf_counter() - started)
            planted = [p for p in problems.values() if p.month == label]
            found = sum(any(matches(s, p) for s in spots) for p in planted)
            precision = sum(is_real(s, labels) for s in spots) / max(1, len(spots))
            generic = [s.topic for s in spots if is_generic(s, builder.text, now)]
            recall = found / len(planted) if planted else None
            name = path.stem + (" (held out)" if path.stem in HELD_OUT else "")
            print(f"| {name} | {label} (m{i + 1}) | {len(planted)} | {found} | "
                  f"{'—' if recall is None else f'{recall:.2f}'} | {precision:.2f} | "
                  f"{len(generic)} {' '.join(generic)} | {statistics.median(times):.3f} |")
            results.append((recall, precision))
            if recall is not None:
                totals["recall"].append(recall)
            totals["precision"].append(precision)
            totals["time"].append(statistics.median(times))
            if args.verbose:
                for s in spots:
                    hit = next((p.name for p in planted if matches(s, p)), "")
                    real = "REAL" if is_real(s, labels) else "    "
                    print(f"    {s.score:7.1f} {s.level:9} {real} {hit:3} {s.title}")
    print(f"\nmean recall {statistics.mean(totals['recall']):.2f}, mean precision "
          f"{statistics.mean(totals['precision']):.2f}, street-month detect "
          f"max {max(totals['time']):.3f} s")
    return results


def demo_only(data_dir: Path, grams: bool = True) -> tuple[float, float]:
    """The demo's own months (each after three of background), no corpus: its planted bursts
    found at their building, and precision by its own labels, top 10 a month."""
    demo = ensure_demo(data_dir)
    with (demo / "opinions" / "hotspots_truth.csv").open(encoding="utf-8-sig") as handle:
        truth = list(csv.DictReader(handle))
    months = sorted({t["month"] for t in truth})
    street = load_street(demo)
    builder = Builder(street, Path(tempfile.gettempdir()) / "hub-bench-jieba", grams)
    rows = demo_rows(builder, demo, set(months))
    labels = {x.row.id: x.label for x in rows}
    print("| month | hotspots | planted | found | precision |\n| --- | ---: | ---: | ---: | ---: |")
    recalls, precisions = [], []
    for i, label in enumerate(months[3:], start=3):
        background = Background.of([x.row for x in rows if x.month in months[i - 3:i]], 3)
        spots = detect([x.row for x in rows if x.month == label], background, 10, street.names)
        planted = [t["building_id"] for t in truth
                   if t["month"] == label and t["kind"] == "planted"]
        found = sum(any(s.place_id == b for s in spots) for b in planted)
        precision = sum(is_real(s, labels) for s in spots) / max(1, len(spots))
        recalls.append(found / max(1, len(planted)))
        precisions.append(precision)
        print(f"| {label} | {len(spots)} | {len(planted)} | {found} | {precision:.2f} |")
    result = statistics.mean(recalls), statistics.mean(precisions)
    print(f"\nmean recall {result[0]:.3f}, mean precision {result[1]:.3f}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("HUB_DATA_DIR", ".data")))
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--demo-only", action="store_true")
    parser.add_argument("--held-out", action="store_true", help="run the held-out corpora too")
    parser.add_argument("--concepts-only", action="store_true",
                        help="without the similarity method (as before it), for comparison")
    args = parser.parse_args()
    if args.demo_only:
        demo_only(args.data_dir, not args.concepts_only)
    else:
        run(args)


if __name__ == "__main__":
    main()
