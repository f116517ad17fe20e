"""Linking throughput: source records per second, end to end from the demo department systems.

    python -m bench.link_throughput --residents 20000 1000000 [--repeats 3] [--root .data/bench]

Each repeat starts from an empty graph and runs `hub link` (full scan): police over SQL, civil
and urban over their REST APIs (separate processes), property from CSV files, into the embedded
FalkorDB. Reports the median rate and the median scan / resolve / write split, then one
incremental run (`--changed`) on the linked graph, which sees nothing changed.
"""

import argparse
import asyncio
import json
import statistics
from pathlib import Path

from bench.stack import bench_runtime, data_dir_for, ensure_demo
from hub.linking.run import link
from hub.settings import REPO_ROOT


async def measure(root: Path, residents: int, repeats: int) -> dict:
    data_dir = data_dir_for(root, residents)
    ensure_demo(data_dir, residents)
    runs = []
    async with bench_runtime(data_dir) as runtime:
        for _ in range(repeats):
            await runtime.store.clear()
            runs.append(await link(runtime))
        relink = await link(runtime)
        changed = await link(runtime, changed_only=True)
    rates = [r.rate for r in runs]
    phases = {p: statistics.median(r.phases[p] for r in runs) for p in runs[0].phases}
    return {
        "residents": residents,
        "records": runs[0].total,
        "records_per_s_median": round(statistics.median(rates)),
        "records_per_s_all": [round(r) for r in rates],
        "seconds_median": round(statistics.median(r.seconds for r in runs), 2),
        "phases_median_s": {p: round(s, 2) for p, s in phases.items()},
        "relink_full_records_per_s": round(relink.rate),
        "relink_removed": relink.removed,
        "incremental_records": changed.total,
        "incremental_seconds": round(changed.seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[20_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    for residents in args.residents:
        result = asyncio.run(measure(args.root, residents, args.repeats))
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
