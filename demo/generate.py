"""Deterministic generator of the demo department systems and their ground truth.

Everything lands in `<data dir>/demo/`: police.sqlite (or the given police URL), civil.sqlite,
urban.sqlite, property/*.csv, truth.csv, truth_links.csv and manifest.json. The same seed,
resident count and reference day (`as_of`, default today) give the same data byte for byte.
How much the systems disagree with one another is set in `demo.disagree`.
"""

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from random import Random

from demo import civil_data, opinions_data, property_data, urban_data
from demo.devices import registry as device_registry
from demo.people import Population
from demo.police import default_url, write_police
from demo.police_rows import gate_rows, resident_rows
from demo.truth import Truth
from demo.world import World

DEFAULT_SEED = 42
DEFAULT_RESIDENTS = 20_000
MAX_RESIDENTS = 5_000_000


def _rng(seed: int, part: str) -> Random:
    """One random stream per part, so changing one part leaves the others as they were."""
    return Random(f"{seed}/{part}")


def generate(
    data_dir: Path,
    seed: int = DEFAULT_SEED,
    residents: int = DEFAULT_RESIDENTS,
    police_url: str | None = None,
    *,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write all demo systems under `data_dir/demo`; return the number of records of each type."""
    if not 1 <= residents <= MAX_RESIDENTS:
        raise ValueError(f"residents must be between 1 and {MAX_RESIDENTS}, got {residents}")
    out = Path(data_dir) / "demo"
    out.mkdir(parents=True, exist_ok=True)
    day = as_of or date.today()
    started = time.perf_counter()

    def step(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:7.1f}s] {message}")

    world = World(_rng(seed, "world"))
    pop = Population(_rng(seed, "people"), world, day)
    pop.populate(world.plan(residents))
    step(f"{len(pop.residents)} residents in {len(pop.households)} households, "
         f"{len(world.rooms)} rooms in {len(world.buildings)} buildings")
    with Truth(out) as truth:
        civil_rows = civil_data.build(_rng(seed, "civil"), pop, truth)  # before police: movers
        civil_data.write(out / "civil.sqlite", civil_rows)
        step(f"civil affairs: {len(civil_rows)} care records")
        case_rows = urban_data.build(_rng(seed, "urban"), pop, truth)
        urban_data.write(out / "urban.sqlite", case_rows)
        step(f"urban management: {len(case_rows)} cases")
        property_data.PropertyExport(_rng(seed, "property"), pop, truth, out / "property").run()
        step("property management: CSV exports")
        events = gate_rows(_rng(seed, "gate"), pop, truth)
        write_police(police_url or default_url(out), resident_rows(pop, truth), events)
        step("police registry")
        counts = dict(truth.counts)
    counts |= opinions_data.write(_rng(seed, "opinions"), pop, out, day)
    step(f"residents' opinions: {counts['opinion']} + {counts['hotline_order']} hotline orders")
    devices = device_registry.write(data_dir, seed)
    step(f"device registers: {devices}")
    manifest = {"seed": seed, "residents": residents, "as_of": day.isoformat(), "counts": counts}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    return counts


def write_opinions(data_dir: Path, seed: int, residents: int, as_of: date) -> dict[str, int]:
    """Only the residents' opinions and hotline orders under `data_dir/demo`, as `generate`
    writes them for `as_of` (the same world, so the same places)."""
    world = World(_rng(seed, "world"))
    pop = Population(_rng(seed, "people"), world, as_of)
    pop.populate(world.plan(residents))
    return opinions_data.write(_rng(seed, "opinions"), pop, Path(data_dir) / "demo", as_of)
