"""A hub over the demo departments for benchmarks: generated data, REST systems, embedded graph.

Each size gets its own data dir (`<root>/link-<residents>`), generated once and reused.
"""

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from hub import demo_stack, embedded
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings

AS_OF = "2025-06-01"  # a fixed reference day: the same data on every run


def data_dir_for(root: Path, residents: int) -> Path:
    return root / f"link-{residents}"


def ensure_demo(data_dir: Path, residents: int, seed: int = 42) -> None:
    """Generate the demo departments unless this dir already holds that size and seed."""
    manifest = data_dir / "demo" / "manifest.json"
    if manifest.exists():
        known = json.loads(manifest.read_text())
        if known.get("residents") == residents and known.get("seed") == seed:
            return
    command = [sys.executable, "-m", "demo", "generate", "--data-dir", str(data_dir),
               "--residents", str(residents), "--seed", str(seed), "--as-of", AS_OF]
    subprocess.run(command, check=True, cwd=REPO_ROOT)


@asynccontextmanager
async def bench_runtime(data_dir: Path, graph_name: str = "bench") -> AsyncIterator[Runtime]:
    """Demo REST systems and an embedded FalkorDB in `data_dir`, and a runtime over them."""
    systems = demo_stack.DemoSystems().start(data_dir)
    server = embedded.start(data_dir / "falkordb")
    saved = {k: os.environ.get(k) for k in systems.env}
    os.environ.update(systems.env)
    try:
        settings = Settings(data_dir=data_dir, redis_url=server.url, graph_name=graph_name,
                            demo=False)
        runtime = await open_runtime(settings)
        try:
            yield runtime
        finally:
            await runtime.close()
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        systems.stop()
        server.stop()
