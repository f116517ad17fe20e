"""Where a hub process spends its CPU, from a py-spy recording in its raw (collapsed) format.

    py-spy record --pid PID --duration 30 --nonblocking --format raw -o hub.txt
    python -m bench.spy_summary hub.txt [--top 15]

py-spy is not a dependency of the hub (`pip install py-spy` into the venv to use it). Prints
the share of samples by the part of the stack a sample is in (the innermost frame that
belongs to a known part wins, so time in a library called from the hub's access control counts
as the library's) and the functions where the samples were (self time).
"""

import argparse
import re
from collections import Counter
from pathlib import Path

# The innermost frame whose file matches decides the part; order breaks ties within a frame.
PARTS = [
    ("JSON encoding and decoding", r"json|orjson"),
    ("record seal (AES-GCM, BLAKE2b)", r"hub/sealed|cryptography"),
    ("Redis/FalkorDB client", r"redis/|falkordb/|hub/redis_pool"),
    ("SQL (SQLAlchemy, asyncpg, aiosqlite)", r"sqlalchemy|asyncpg|aiosqlite"),
    ("HTTP client to departments (httpx, httpcore)", r"httpx|httpcore|h11/_"),
    ("access control and access log", r"hub/access|hub/audit|casbin"),
    ("GraphQL parse, validate, execute (strawberry, graphql-core)", r"strawberry|graphql/"),
    ("the hub's resolvers, loaders, graph and cache code", r"resolvers/|hub/|graph/|connectors/"),
    ("HTTP server (uvicorn, starlette)", r"uvicorn|starlette|anyio"),
    ("event loop (asyncio)", r"asyncio/"),
]


def part_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in PARTS:
            if re.search(pattern, frame):
                return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in args.raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        parts[part_of(frames)] += int(count)
        leaves[frames[-1]] += int(count)
    total = sum(parts.values())
    print(f"{total:,} samples\n\n| part | share |\n| --- | ---: |")
    for name, count in parts.most_common():
        print(f"| {name} | {count / total:.1%} |")
    print("\n| function (self) | share |\n| --- | ---: |")
    for frame, count in leaves.most_common(args.top):
        print(f"| `{frame}` | {count / total:.1%} |")


if __name__ == "__main__":
    main()
