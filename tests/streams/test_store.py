"""A department's event store keeps its newest `keep` events; a stored key is not stored again."""

from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from hub.streams.store import EventStore


def row(n: int) -> dict[str, object]:
    return {"event_key": f"k{n:05d}", "device_id": "DR000001", "event_type": "door_access",
            "occurred_at": "2026-06-15T08:00:00+08:00", "streamed": False}


async def test_the_store_keeps_its_newest_events_and_each_key_once(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/store/events.sqlite")
    store = EventStore(engine, keep=1000)
    try:
        await store.create()
        assert await store.store([row(n) for n in range(1200)]) == {f"k{n:05d}" for n in range(1200)}
        await store.mark_streamed([f"k{n:05d}" for n in range(1100)])
        again = await store.store([row(n) for n in range(1050, 1250)])
        assert again == {f"k{n:05d}" for n in range(1100, 1250)}  # new, or never appended
        assert (await store.counts())["events"] == 1250
        assert await store.bound() == 250
        assert (await store.counts())["events"] == 1000
        assert await store.store([row(1249)]) == {"k01249"}  # kept: newest; still not appended
        assert await store.bound() == 0
    finally:
        await engine.dispose()
