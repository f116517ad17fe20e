"""Hotspot computation time: a street-month (2,000 opinions) and a city-month (200,000).

    python -m bench.civic_hotspot_speed [--repeats 5] [--baseline OLD_HOTSPOTS_PY]

`--baseline` times another version of hub/civic/hotspots.py in the same run, on the same rows
(e.g. `git show REV:hub/civic/hotspots.py > /tmp/old.py`), case by case, alternating.

Rows are synthetic but shaped like the demo's (about six keywords each from a 400-word
vocabulary with a Zipf-like spread, one or two of them counted as topics; 200 buildings a
street in 20 estates of 8 communities, so every place level is counted; a few planted bursts),
with a background of the three earlier months. Each row carries character bigrams
(hub.civic.similar) of its keywords and a chatter phrase, about 20 an opinion, as the hub
computes them from an opinion's text. Reported: building the background counts, and
detection given the background (the hub caches a month's background per process); medians.
"""

import argparse
import importlib.util
import random
import statistics
import time
import zlib
from types import ModuleType

from hub.civic import hotspots, similar
from hub.civic.hotspots import Row
from hub.civic.text import load_taxonomy

BUILDINGS_PER_STREET = 200
STREET_MONTH = 2_000


def vocabulary() -> list[str]:
    return sorted({k for c in load_taxonomy() for k in c.keywords})


FILLERS = ("麻烦社区帮忙看一下", "已经好几天了还是这样", "希望尽快处理谢谢", "家里老人小孩都受影响",
           "打了好几次电话没人管", "物业说不归他们管", "晚上吵得睡不着觉", "请领导重视一下")


def make_rows(n: int, streets: int, seed: int, bursts: int) -> list[Row]:
    rng = random.Random(seed)
    words = vocabulary()
    weights = [1 / (i + 1) for i in range(len(words))]
    places = [place(i) for i in range(streets * BUILDINGS_PER_STREET)]
    rows = []
    for i in range(n):
        terms = tuple(dict.fromkeys(rng.choices(words, weights, k=6)))
        pid, name, area = rng.choice(places)
        text = "，".join(terms) + rng.choice(FILLERS)
        rows.append(Row(f"op{seed}-{i}", terms, pid, name, "other", rng.getrandbits(63),
                        float(i), area, terms[: rng.choice((1, 2))], similar.grams(text, name)))
    for b in range(bursts):
        pid, name, area = rng.choice(places)
        for j in range(30):
            text = f"电梯又坏了，困人{rng.choice(FILLERS)}"
            rows.append(Row(f"b{seed}-{b}-{j}", ("电梯故障", "困人", "电梯"), pid, name,
                            "housing", rng.getrandbits(63), float(n + j), area, ("电梯故障",),
                            similar.grams(text, name)))
    return rows


def place(i: int) -> tuple[str, str, str]:
    """(place id, building name, grid code): 10 buildings an estate, 25 a community."""
    street, building = divmod(i, BUILDINGS_PER_STREET)
    code = f"{330100000 + street:09d}{building // 25 + 1:03d}{building // 50 + 1:02d}"
    return f"plc_{i:016x}", f"小区{i // 10}{i % 10 + 1}幢", code


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_hotspots", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def case(label: str, n: int, streets: int, repeats: int, versions: dict[str, ModuleType]) -> None:
    current = make_rows(n, streets, 1, bursts=max(1, streets // 10) * 3)
    history = make_rows(3 * n, streets, 2, bursts=0)
    for version, module in versions.items():
        background_of = lambda m=module: m.Background.of(history, 3)  # noqa: E731
        t_background, background = timed(background_of, repeats)
        t_detect, spots = timed(lambda m=module, b=background: m.detect(current, b, 10), repeats)
        titles = sorted(s.title for s in spots)  # type: ignore[attr-defined]
        print(f"| {label} | {version} | {len(current):,} | {len(history):,} | "
              f"{t_background:.3f} s | {t_detect:.3f} s | {t_background + t_detect:.3f} s | "
              f"{len(titles)} | {zlib.crc32(repr(titles).encode()):08x} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", help="another hotspots.py to time beside this one")
    args = parser.parse_args()
    versions = {"this": hotspots}
    if args.baseline:
        versions = {"baseline": load(args.baseline), **versions}
    print("| case | version | opinions | background | background counts | detect | total "
          "| hotspots | titles hash |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    case("street-month", STREET_MONTH, 1, args.repeats, versions)
    case("city-month", 100 * STREET_MONTH, 100, max(1, args.repeats // 2), versions)


if __name__ == "__main__":
    main()
