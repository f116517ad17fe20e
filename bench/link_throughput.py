"""Linking throughput: source records per second, end to end from the demo department systems.

    python -m bench.link_throughput --residents 20000 1000000 [--repeats 3] [--root DIR]
        [--no-relink]

Each repeat starts from an empty graph and runs `hub link` (full scan): police over SQL, civil
and urban over their REST APIs (separate processes), property from CSV files, into the embedded
FalkorDB. Every run is printed (one JSON line, flushed) as soon as it ends; then, per size, the
median rate and the median scan / resolve / write split, a full re-link of the linked graph and
one incremental run (`--changed`), which sees nothing changed. Generated data is kept under
`<root>/link-<residents>` and reused by later runs (and by `bench.traversal_latency`).
"""

import argparse
import asyncio
import json
import statistics
from pathlib import Path

from bench.stack import bench_runtime, data_dir_for, ensure_demo
from hub.linking.report import LinkReport
from hub.linking.run import link
from hub.settings import REPO_ROOT


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _run_line(residents: int, what: str, report: LinkReport) -> dict:
    return {"residents": residents, "run": what, "records": report.total,
            "seconds": round(report.seconds, 2), "records_per_s": round(report.rate),
            "phases_s": {p: round(s, 2) for p, s in report.phases.items()},
            "removed": report.removed}


async def measure(root: Path, residents: int, repeats: int, relink: bool) -> dict:
    data_dir = data_dir_for(root, residents)
    ensure_demo(data_dir, residents)
    runs = []
    async with bench_runtime(data_dir) as runtime:
        for number in range(repeats):
            await runtime.store.clear()
            runs.append(await link(runtime))
            emit(_run_line(residents, f"full {number + 1}/{repeats}", runs[-1]))
        if relink:
            emit(_run_line(residents, "relink (full, graph linked)", await link(runtime)))
            emit(_run_line(residents, "incremental", await link(runtime, changed_only=True)))
    rates = [r.rate for r in runs]
    phases = {p: statistics.median(r.phases[p] for r in runs) for p in runs[0].phases}
    return {
        "residents": residents,
        "records": runs[0].total,
        "records_per_s_median": round(statistics.median(rates)),
        "records_per_s_all": [round(r) for r in rates],
        "seconds_median": round(statistics.median(r.seconds for r in runs), 2),
        "phases_median_s": {p: round(s, 2) for p, s in phases.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[20_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--root", type=Path, default=REPO_ROOT / ".data" / "bench")
    parser.add_argument("--no-relink", dest="relink", action="store_false",
                        help="skip the full re-link and the incremental run after the repeats")
    args = parser.parse_args()
    for residents in args.residents:
        emit(asyncio.run(measure(args.root, residents, args.repeats, args.relink)))


if __name__ == "__main__":
    main()
