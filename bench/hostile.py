"""Hostile-query suite: what attackers sent the hub (issue 15) and more, against a real hub.

For each case an attacker sends the request `--rate` times a second (0: back to back) for a
few seconds while a normal client asks `people(first: 20)` with attributes (kept answers off,
so it is executed every time). Reported: how the hub refused it (status, code), how long a
refusal took, and the normal query's p95 while the attack ran against its p95 alone.
Goals: refusals ≤ 50 ms, p95 ≤ 1.2 ×.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.stack import HEADERS, HubStack, ensure_demo
from hub.settings import REPO_ROOT

NORMAL = """{ people(first: 20) { totalCount edges { node {
  id name gender residenceAddress careLevel residence { name } events(first: 3) { title }
} } } }"""
ANONYMOUS = {"Authorization": ""}
ACCEPT = {"Accept": "application/graphql-response+json", "Content-Type": "application/json"}


@dataclass
class Case:
    name: str
    body: Callable[[], bytes]
    headers: dict[str, str]


def _json(query: str, **extra: object) -> Callable[[], bytes]:
    import orjson

    data = orjson.dumps({"query": query, **extra})
    return lambda: data


def _nested(levels: int) -> str:
    inner = "name"
    for _ in range(levels // 2):
        inner = f"children {{ parent {{ {inner} }} }}"
    return f"{{ places(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


def _fragments(n: int) -> str:
    spreads = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)]
    return "{ ...F0 } " + " ".join(spreads) + f" fragment F{n} on Query {{ __typename }}"


def _introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


def cases() -> list[Case]:
    office = HEADERS
    aliases = " ".join(f"a{n}: people(first: 20) {{ totalCount }}" for n in range(1000))
    some = " ".join(f"a{n}: people(first: 20) {{ totalCount }}" for n in range(150))
    variables = ", ".join(f"$v{n}: Int" for n in range(3000))
    return [
        Case("`Place.children ↔ parent` nested 14 levels", _json(_nested(14)), office),
        Case("`children ↔ parent` nested 18 levels", _json(_nested(18)), office),
        Case("1,000,000 `__typename`, anonymous (10 MB)",
             _json("{" + " __typename" * 1_000_000 + "}"), ANONYMOUS),
        Case("20,000 `__typename`, street office (220 kB)",
             _json("{" + " __typename" * 20_000 + "}"), office),
        Case("100,000 `@skip`, anonymous",
             _json("{" + " __typename @skip(if: false)" * 100_000 + "}"), ANONYMOUS),
        Case("1,000 `@skip`, street office",
             _json("{" + " __typename @skip(if: false)" * 1_000 + "}"), office),
        Case("60 MB body, anonymous",
             _json("{ __typename }", pad="x" * 60_000_000), ANONYMOUS),
        Case("1,000 aliases of `people(first: 20)`", _json("{ " + aliases + " }"), office),
        Case("150 aliases of `people(first: 20)`", _json("{ " + some + " }"), office),
        Case("fragments spread twice over, 2^30", _json(_fragments(30)), office),
        Case("fragment cycle", _json("{ ...A } fragment A on Query { ...B } "
                                     "fragment B on Query { ...A }"), office),
        Case("3,000 variables declared",
             _json(f"query({variables}) {{ __typename }}"), office),
        Case("200 kB string argument, anonymous",
             _json('{ people(first: 1, filter: {name: "' + "张" * 70_000 + '"}) { totalCount } }'),
             ANONYMOUS),
        Case("introspection nested 8 levels", _json(_introspection(8)), ANONYMOUS),
        Case("`people(first: 1000)` × `events(first: 1000)`",
             _json("{ people(first: 1000) { edges { node { events(first: 1000) { id } } } } }"),
             office),
        Case("batch of two operations", lambda: b'[{"query": "{ __typename }"}, '
                                                b'{"query": "{ __typename }"}]', office),
        Case("two operations, no operationName",
             _json("query A { __typename } query B { __typename }"), office),
        Case("body `null`", lambda: b"null", ANONYMOUS),
    ]


async def normal_client(
    client: httpx.AsyncClient, url: str, stop: asyncio.Event, out: list[float]
) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        answer = await client.post(f"{url}/graphql", json={"query": NORMAL}, headers=HEADERS)
        out.append(time.perf_counter() - started)
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text[:300]


async def attacker(
    client: httpx.AsyncClient, url: str, case: Case, stop: asyncio.Event, out: list[tuple],
    rate: float,
) -> None:
    body = case.body()
    begun = time.perf_counter()
    while not stop.is_set():
        if rate > 0:  # the n-th request leaves n / rate seconds after the first
            await asyncio.sleep(max(0.0, begun + len(out) / rate - time.perf_counter()))
        started = time.perf_counter()
        try:
            answer = await client.post(f"{url}/graphql", content=body,
                                       headers={**ACCEPT, **case.headers})
            code = (answer.json().get("errors") or [{}])[0].get("extensions", {}).get("code")
            out.append((time.perf_counter() - started, answer.status_code, code))
        except httpx.TransportError:  # closed while sending (a body refused at once)
            out.append((time.perf_counter() - started, "closed", "REQUEST_TOO_LARGE"))


async def measure(
    url: str, case: Case | None, seconds: float, rate: float = 0
) -> tuple[list[float], list]:
    stop = asyncio.Event()
    normal: list[float] = []
    attacks: list[tuple] = []
    async with httpx.AsyncClient(timeout=120) as a, httpx.AsyncClient(timeout=120) as b:
        tasks = [asyncio.create_task(normal_client(a, url, stop, normal))]
        if case is not None:
            tasks.append(asyncio.create_task(attacker(b, url, case, stop, attacks, rate)))
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
    return normal, attacks


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def row(case: Case, base: float, normal: list[float], attacks: list[tuple]) -> str:
    times = [t for t, _, _ in attacks]
    statuses = sorted({str(s) for _, s, _ in attacks})
    codes = sorted({str(c) for _, _, c in attacks})
    ratio = p95(normal) / base
    return (f"| {case.name} | {', '.join(statuses)} | {', '.join(codes)} | {len(attacks)} | "
            f"{statistics.median(times) * 1000:.1f} | {max(times) * 1000:.1f} | "
            f"{p95(normal) * 1000:.1f} | {ratio:.2f} × |")


async def run(url: str, seconds: float, rate: float) -> list[str]:
    await measure(url, None, 2)  # warm
    base_runs = []
    lines = ["| case | status | code | sent | refusal median ms | refusal max ms | "
             "normal p95 ms | p95 vs alone |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for case in cases():
        alone, _ = await measure(url, None, seconds)
        base_runs.append(p95(alone))
        normal, attacks = await measure(url, case, seconds, rate)
        lines.append(row(case, p95(alone), normal, attacks))
    lines.insert(0, f"Normal query alone: p95 {statistics.median(base_runs) * 1000:.1f} ms "
                    f"(median over the {len(base_runs)} runs measured before each case).\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rate", type=float, default=20.0, help="attacks a second; 0: flood")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".data" / "bench")
    args = parser.parse_args()
    ensure_demo(args.data_dir, args.residents)
    os.environ["HUB_ANSWER_CACHE_SECONDS"] = "0"  # the normal query is executed every time
    shutil.rmtree(args.data_dir / "bench-falkordb", ignore_errors=True)
    stack = HubStack(args.data_dir)
    try:
        stack.start()
        lines = asyncio.run(run(stack.url, args.seconds, args.rate))
    finally:
        stack.stop()
    command = (f"python -m bench.hostile --residents {args.residents} "
               f"--seconds {args.seconds} --rate {args.rate}")
    print("\n".join([f"## Hostile queries ({args.residents:,} residents)", "",
                     f"`{command}`", "", *lines]))


if __name__ == "__main__":
    main()
