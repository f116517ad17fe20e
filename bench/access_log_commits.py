"""The access log under concurrent requests: one commit per request against grouped commits.

    git show REV:hub/audit/log.py > /tmp/old_log.py
    python -m bench.access_log_commits --baseline /tmp/old_log.py [--clients 1 8 32]
        [--seconds 5] [--repeats 3] [--database-url postgresql+asyncpg://…]

Each request of a hub writes one access log entry before it answers. Here `clients` concurrent
callers append one entry each, again and again, for `seconds`, to a fresh log (SQLite in a
temporary folder, or a fresh table in the given PostgreSQL), with this checkout's AccessLog and
the baseline's, in alternating rounds. Reported: appends per second, the process's CPU per
append, and INSERT statements per append (medians over rounds).
"""

import argparse
import asyncio
import importlib.util
import statistics
import tempfile
import time
from pathlib import Path
from types import ModuleType

from sqlalchemy import event, text

from hub.audit import log as current
from hub.records import db as records_db


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_access_log", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _round(module: ModuleType, url: str, clients: int, seconds: float) -> dict[str, float]:
    engine = records_db.open_engine(url)
    await records_db.create_tables(engine)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM access_log"))
    inserts = [0]

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        inserts[0] += statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG")

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    log = module.AccessLog(engine, records_db.sessions(engine))
    appended = [0]
    stop = time.perf_counter() + seconds

    async def caller(n: int) -> None:
        while time.perf_counter() < stop:
            await log.append([module.payload(principal=f"c{n}", decision="allow",
                                             fields={"Person.name": "allow"})])
            appended[0] += 1

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(clients)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await engine.dispose()
    return {"per_s": appended[0] / wall, "cpu_ms": 1000 * cpu / appended[0],
            "inserts": inserts[0] / appended[0]}


async def run(args: argparse.Namespace) -> None:
    versions = {"this": current}
    if args.baseline:
        versions["baseline"] = _module(args.baseline)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'records.sqlite'}"
        print(f"records: {url.split(':')[0]}; {args.seconds} s rounds, {args.repeats} repeats")
        print("| clients | version | appends/s | CPU ms per append | INSERTs per append |")
        print("| ---: | --- | ---: | ---: | ---: |")
        for clients in args.clients:
            results: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
            for repeat in range(args.repeats):
                order = list(versions.items())
                for name, module in order if repeat % 2 == 0 else order[::-1]:
                    results[name].append(await _round(module, url, clients, args.seconds))
            for name, rounds in results.items():
                med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
                print(f"| {clients} | {name} | {med['per_s']:.0f} | {med['cpu_ms']:.2f} | "
                      f"{med['inserts']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=None)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
