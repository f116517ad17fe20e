"""`python app.py` on a machine whose clock says it booted 30 seconds ago, beside one that has
been up for days: opinions imported and placed, planted hotspots found, the same on both.

The hub's monotonic clock is moved by a `sitecustomize` on its PYTHONPATH (time.monotonic
starts near zero after a boot; CI containers are such machines). Each run starts from a fresh
data folder: demo generated, linked, opinions imported, as a first `make run` does.

`python -m bench.fresh_boot [--residents 20000]` prints a Markdown table for bench/RESULTS.md.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.stack import HEADERS, wait_for_query
from hub import demo_stack, embedded
from hub.settings import REPO_ROOT

SITECUSTOMIZE = """import time
_real = time.monotonic
_offset = _real() - {uptime}
time.monotonic = lambda: _real() - _offset
"""
DONE = "proposed"  # the seeding's last log line: "proposed N council topics for YYYY-MM"
COUNT = "{ opinions(first: 1) { totalCount } }"
HOTSPOTS = 'query($m: String!) { hotspots(jurisdiction: "330105004", month: $m, top: 10) ' \
    "{ placeName keywords count } }"


def ask(url: str, query: str, **variables: str) -> dict:  # type: ignore[type-arg]
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", body, {"Content-Type": "application/json", **HEADERS}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def run(data_dir: Path, uptime: float | None) -> dict[str, object]:
    env = {**os.environ, "HUB_DATA_DIR": str(data_dir), "HUB_PORT": str(embedded.free_port())}
    if uptime is not None:
        custom = Path(tempfile.mkdtemp()) / "sitecustomize.py"
        custom.write_text(SITECUSTOMIZE.format(uptime=uptime))
        env["PYTHONPATH"] = os.pathsep.join([str(custom.parent), env.get("PYTHONPATH", "")])
    log = data_dir / "app.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        hub = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{env['HUB_PORT']}"
    try:
        wait_for_query(url, hub)
        while DONE not in log.read_text(errors="replace"):
            if hub.poll() is not None or time.perf_counter() - started > 900:
                raise RuntimeError(f"app.py stopped or stalled; see {log}")
            time.sleep(1)
        seeded = time.perf_counter() - started
        month = log.read_text(errors="replace").split(DONE)[-1].split()[-1]
        spots = ask(url, HOTSPOTS, m=month)["data"]["hotspots"]
        return {
            "opinions": ask(url, COUNT)["data"]["opinions"]["totalCount"],
            "month": month, "found": _found(data_dir, month, spots), "seconds": seeded,
            "unplaced_app": _unplaced_app(log),
        }
    finally:
        hub.send_signal(signal.SIGINT)
        hub.wait(60)


def _found(data_dir: Path, month: str, spots: list[dict]) -> str:  # type: ignore[type-arg]
    truth_file = data_dir / "demo" / "opinions" / "hotspots_truth.csv"
    with truth_file.open(encoding="utf-8-sig") as f:
        planted = [r for r in csv.DictReader(f) if r["month"] == month and r["kind"] == "planted"]
    names = [s["placeName"] or "" for s in spots]
    hits = sum(
        any(p["estate"] in n and p["building_no"] in n for n in names) for p in planted
    )
    return f"{hits} of {len(planted)}"


def _unplaced_app(log: Path) -> str:
    text = log.read_text(errors="replace")
    lines = [line for line in text.splitlines() if "app and WeChat" in line]
    return lines[-1].split("app and WeChat:")[-1].strip() if lines else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000)
    args = parser.parse_args()
    rows = []
    for label, uptime in (("booted 30 s ago", 30.0), ("up for days", None)):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp)
            demo_stack.generate(data_dir, args.residents, seed=42, quiet=True)
            rows.append((label, run(data_dir, uptime)))
    print("| machine | opinions stored | app opinions import | month | planted hotspots "
          "in top 10 | first start to seeded (s) |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        print(f"| {label} | {r['opinions']} | {r['unplaced_app']} | {r['month']} | "
              f"{r['found']} | {r['seconds']:.0f} |")


if __name__ == "__main__":
    main()
