"""The embedded FalkorDB's snapshot also holds the cache: cached department records and kept
answers are sealed there, so no ID number or phone outlives its TTL on disk in clear."""

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hub import embedded
from hub.runtime import open_runtime
from hub.settings import Settings

ID_NUMBER, PHONE = "33010519900101123X", "13912345678"
RECORDS = {
    f"GA{n:08d}": {"name": "王秀英", "idNumber": ID_NUMBER, "phone": PHONE, "room": n}
    for n in range(20)
}


async def _fetch(keys: Sequence[str]) -> dict[str, Any]:
    return {k: RECORDS[k] for k in keys}


async def test_a_snapshot_holds_no_cached_value_in_clear(settings: Settings, tmp_path: Path) -> None:
    server = embedded.start(tmp_path / "falkordb")
    runtime = await open_runtime(dataclasses.replace(settings, redis_url=server.url))
    try:
        await runtime.cache.get_many("police", "resident", list(RECORDS), 300, _fetch)
        await runtime.cache.settle()
        again = await runtime.cache.get_many("police", "resident", list(RECORDS), 300, _fetch)
        assert again == RECORDS  # served from the cache, as fetched
        answer = {"people": [{"idNumber": ID_NUMBER, "phone": PHONE}]}
        epoch = (await runtime.answers.get("k"))[1]
        await runtime.answers.put("k", epoch, answer, {"sub": "t"}, 300)
        assert (await runtime.answers.get("k"))[0]["data"] is not None
        await runtime.redis.save()
        snapshot = (tmp_path / "falkordb" / "falkordb.rdb").read_bytes()
    finally:
        await runtime.close()
        server.stop()
    assert b"hub:rec:2:police" in snapshot and b"hub:ans" in snapshot  # the cache was saved
    for value in (ID_NUMBER, PHONE, "GA00000001"):
        assert value.encode() not in snapshot, value
