"""Latency of the core query as a grid worker: policies enforced vs enforcement switched off.

The query asks for 100 people of the worker's grid with attributes from all four departments
(police, civil affairs, property, urban management). Both modes answer the same rows (the grid
is also a filter), alternate run by run, warm and cold record cache; medians over repeats.
`python -m bench.access_latency [repeats]`.
"""

import asyncio
import statistics
import sys
import time

from bench.access_stack import Stack, bearer, stack

GRID = "33010500400101"
QUERY = f"""{{ people(first: 100, filter: {{jurisdiction: "{GRID}"}}) {{ edges {{ node {{
  id name gender birthDate idNumber phone residenceAddress householdNo
  careLevel livingAlone disabilityGrade
  residence {{ id name address areaSqm parent {{ name estateName floors propertyCompany }} }}
  events(first: 5) {{ id eventType title category status occurredAt }}
}} }} }} }}"""


async def _once(s: Stack, enforced: bool, cold: bool) -> float:
    if cold:
        await s.runtime.cache.invalidate()
    headers = bearer("grid_worker", [GRID], "bench-grid-worker")
    started = time.perf_counter()
    result = await s.ask(QUERY, headers, enforced)
    elapsed = time.perf_counter() - started
    assert "errors" not in result, result["errors"][:2]
    assert len(result["data"]["people"]["edges"]) == 100
    return elapsed


async def _series(s: Stack, cold: bool, repeats: int) -> tuple[float, float]:
    on: list[float] = []
    off: list[float] = []
    for _ in range(3):  # warm-up: connections, caches, the policy's view cache
        await _once(s, True, cold)
        await _once(s, False, cold)
    for i in range(repeats):
        first, second = (True, False) if i % 2 == 0 else (False, True)
        for enforced in (first, second):
            (on if enforced else off).append(await _once(s, enforced, cold))
    return statistics.median(on), statistics.median(off)


async def main(repeats: int) -> None:
    async with stack() as s:
        rows = []
        for cold in (False, True):
            on, off = await _series(s, cold, repeats)
            label = "cold record cache" if cold else "warm record cache"
            rows.append(f"| {label} | {on * 1000:.0f} | {off * 1000:.0f} | {on / off:.3f} |")
    print("| grid worker, people(first: 100), 4 departments | enforced ms | off ms | ratio |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"(medians of {repeats} alternating runs each)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
