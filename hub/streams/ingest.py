"""A stream department's messages, a batch at a time: mapped, stored in its event store,
linked into the graph, then appended to `hub:stream:events`. A batch is acknowledged to
the broker (or the webhook's caller) only after `handle` returns.

Bad messages (not JSON, no key, an unknown type or device, a time without offset) are kept
aside in the store's dead letters and counted; they never stop the batch. A key stored
before is a duplicate: stored once, linked once, appended once. Events carry their own time,
so one that arrives late takes its place among the others (`at`)."""

from __future__ import annotations

import logging
import time
from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import Counter
from redis.asyncio import Redis

from connectors.stream import StreamConnector
from connectors.stream_config import EVENT_TYPES, StreamOptions
from graph.store import GraphStore
from hub import clock
from hub.linking.keys import Keyring
from hub.streams.graph import StreamGraph
from hub.streams.parse import Incoming, Refused, parse
from hub.streams.store import EventStore

log = logging.getLogger("hub.streams")

STREAM = "hub:stream:events"
MAXLEN = 1_000_000
BOUND_EVERY = 200  # batches between trimming the event store to its `keep`

EVENTS = Counter("hub_stream_events_total", "Stream messages by outcome.",
                 ["connector", "outcome"])
STAGE = Counter("hub_stream_stage_seconds_total", "Time spent per stage of stream batches.",
                ["connector", "stage"])
REPORT_EVERY = 20_000  # events between two log lines of where the time went
ASIDE = Counter("hub_stream_dead_letters_total", "Stream messages kept aside, by reason.",
                ["connector", "reason"])


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes


@dataclass(frozen=True)
class Placed:
    thing: str
    place: str | None
    jurisdiction: str | None
    room: str | None


@dataclass
class Outcome:
    stored: int = 0
    duplicates: int = 0
    aside: dict[str, int] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        for reason, n in other.aside.items():
            self.aside[reason] = self.aside.get(reason, 0) + n


class Ingest:
    def __init__(self, connector: StreamConnector, store: GraphStore, redis: Redis,
                 keys: Keyring) -> None:
        assert connector.config.stream is not None
        self.name = connector.name
        self.options: StreamOptions = connector.config.stream
        self.store = EventStore(connector.engine, self.options.keep)
        self.graph = StreamGraph(store, self.name)
        self.redis = redis
        self.keys = keys
        self.devices: dict[str, Placed] = {}
        self.people: dict[str, str | None] = {}
        self._batches = 0
        self.spent: Tally[str] = Tally()
        self.handled = 0

    async def start(self) -> None:
        await self.store.create()
        await self.load_devices(None)
        log.info("%s: %d devices", self.name, len(self.devices))

    def ref(self, record_type: str, key: str) -> str:
        return f"{self.name}/{record_type}/{key}"

    async def load_devices(self, keys: list[str] | None) -> None:
        """Devices of the register (or those of `keys`) as Things at their places."""
        found = await self.store.devices(keys)
        o = self.options
        wanted = [f"{o.room_source}/{d.room}" for d in found if o.room_source and d.room]
        wanted += [f"{o.building_source}/{d.building}" for d in found
                   if o.building_source and d.building]
        places = await self.graph.places(wanted)
        rows, located = [], []
        for d in found:
            place = places.get(f"{o.room_source}/{d.room}") or places.get(
                f"{o.building_source}/{d.building}")
            ref = self.ref(o.device_type, d.key)
            thing = self.keys.hub_id("thg", ref)
            jurisdiction = place[1] if place else d.jurisdiction
            self.devices[d.key] = Placed(thing, place[0] if place else None, jurisdiction, d.room)
            rows.append((thing, jurisdiction, ref, d.key))
            if place:
                located.append((thing, place[0], ref))
        await self.graph.things(o.device_type, rows, located)

    async def handle(self, messages: list[Message]) -> Outcome:
        outcome = Outcome()
        with self._stage("map"):
            events, aside = await self._sort(messages, outcome)
        with self._stage("store"):
            if aside:
                await self.store.set_aside(aside)
            todo = await self.store.store([self.row(i) for i in events]) if events else set()
        linking = [i for i in events if i.key in todo]
        if linking:
            with self._stage("graph"):
                await self._link(linking)
            with self._stage("stream"):
                await self._append(linking)
            with self._stage("store"):
                await self.store.mark_streamed([i.key for i in linking])
        outcome.stored = len(linking)
        outcome.duplicates += len(events) - len(linking)
        self._count(outcome)
        self._report(len(messages))
        self._batches += 1
        if self._batches % BOUND_EVERY == 0:
            await self.store.bound()
        return outcome

    async def _sort(self, messages: list[Message],
                    outcome: Outcome) -> tuple[list[Incoming], list[dict[str, Any]]]:
        """The batch's events (first of each key) and its letters to keep aside."""
        parsed: list[tuple[Message, Incoming]] = []
        aside: list[dict[str, Any]] = []
        for message in messages:
            try:
                parsed.append((message, parse(message.payload, self.options)))
            except Refused as refused:
                aside.append(self._letter(message, refused.reason))
        unknown = sorted({i.device for _, i in parsed if i.device not in self.devices})
        if unknown:
            await self.load_devices(unknown)
        events: dict[str, Incoming] = {}
        for message, incoming in parsed:
            if incoming.device not in self.devices:
                aside.append(self._letter(message, "unknown_device"))
            elif incoming.key in events:
                outcome.duplicates += 1
            else:
                events[incoming.key] = incoming
        for letter in aside:
            outcome.aside[letter["reason"]] = outcome.aside.get(letter["reason"], 0) + 1
        return list(events.values()), aside

    def _letter(self, message: Message, reason: str) -> dict[str, Any]:
        return {"received_at": clock.now().isoformat(), "topic": message.topic[:200],
                "reason": reason, "payload": message.payload[:65536]}

    def row(self, i: Incoming) -> dict[str, Any]:
        device = self.devices[i.device]
        name = EVENT_TYPES[i.type]
        return {"event_key": i.key, "device_id": i.device, "event_type": i.type,
                "category": name, "title": f"{name}：{i.detail}" if i.detail else name,
                "detail": i.detail, "occurred_at": i.at.isoformat(), "value": i.value,
                "room_id": device.room, "jurisdiction": device.jurisdiction, "streamed": False}

    async def _link(self, events: list[Incoming]) -> None:
        people = await self._people(events)
        rows: list[tuple[Any, ...]] = []
        relations: dict[str, list[Any]] = {"place": [], "thing": [], "person": []}
        for i in events:
            device = self.devices[i.device]
            ref = self.ref(self.options.event_type, i.key)
            event = self.keys.hub_id("evt", ref)
            rows.append((event, device.jurisdiction, ref, i.key, i.type, _epoch(i.at)))
            relations["thing"].append((event, device.thing, ref))
            if device.place:
                relations["place"].append((event, device.place, ref))
            person = people.get(i.person or "")
            if person:
                relations["person"].append((event, person, ref))
        await self.graph.events(self.options.event_type, rows, relations)

    async def _people(self, events: list[Incoming]) -> dict[str, str | None]:
        source = self.options.person_source
        if source is None:
            return {}
        missing = sorted({i.person for i in events if i.person and i.person not in self.people})
        if missing:
            found = await self.graph.people([f"{source}/{k}" for k in missing])
            self.people.update({k: found.get(f"{source}/{k}") for k in missing})
        return self.people

    async def _append(self, events: list[Incoming]) -> None:
        """XADD each event (STREAMS.md), in one round trip."""
        people = self.people
        async with self.redis.pipeline(transaction=False) as pipe:
            for i in events:
                device = self.devices[i.device]
                pipe.xadd(STREAM, {
                    "source": self.name, "key": i.key, "type": i.type,
                    "at": i.at.isoformat(), "place": device.place or "",
                    "thing": device.thing, "person": people.get(i.person or "") or "",
                    "jurisdiction": device.jurisdiction or "",
                    "value": "" if i.value is None else f"{i.value:g}",
                }, maxlen=MAXLEN, approximate=True)
            await pipe.execute()

    @contextmanager
    def _stage(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.spent[stage] += spent
            STAGE.labels(self.name, stage).inc(spent)

    def _report(self, handled: int) -> None:
        before, self.handled = self.handled, self.handled + handled
        if before // REPORT_EVERY != self.handled // REPORT_EVERY:
            log.info("%s: %d messages handled; seconds spent: %s", self.name, self.handled,
                     ", ".join(f"{k} {v:.1f}" for k, v in sorted(self.spent.items())))

    def _count(self, outcome: Outcome) -> None:
        EVENTS.labels(self.name, "stored").inc(outcome.stored)
        EVENTS.labels(self.name, "duplicate").inc(outcome.duplicates)
        for reason, n in outcome.aside.items():
            EVENTS.labels(self.name, "aside").inc(n)
            ASIDE.labels(self.name, reason).inc(n)
            log.warning("%s: %d message(s) kept aside: %s", self.name, n, reason)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())
