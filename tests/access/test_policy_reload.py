"""`hub policy reload` on embedded defaults: it checks the files, then tells the hub that runs
on the same data folder (through that hub's FalkorDB), or says there is no hub to tell."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from redis.asyncio import Redis

from hub import embedded
from hub.access.store import CHANNEL
from hub.settings import REPO_ROOT

UNSET = ("REDIS_URL", "FALKORDB_URL", "NEO4J_URI", "HUB_ENV")


def _reload(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET} | {"HUB_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "hub", "policy", "reload"], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )


async def test_reload_tells_the_hub_running_on_the_data_folder(
    data_dir: Path, falkordb: embedded.EmbeddedFalkorDB
) -> None:
    redis = Redis.from_url(falkordb.url)
    listener = redis.pubsub()
    await listener.subscribe(CHANNEL)
    try:
        done = await asyncio.to_thread(_reload, data_dir)
        assert done.returncode == 0, done.stderr
        assert "cases hold" in done.stdout and "notified" in done.stdout, done.stdout
        notice = None
        for _ in range(50):
            notice = await listener.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if notice:
                break
        assert notice is not None and notice["channel"] == CHANNEL.encode()
    finally:
        await listener.aclose()
        await redis.aclose()


def test_reload_without_a_running_hub_checks_and_says_so(tmp_path: Path) -> None:
    done = _reload(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "cases hold" in done.stdout and "nothing to notify" in done.stdout, done.stdout
    assert not (tmp_path / "falkordb").exists()  # nothing started to be told
