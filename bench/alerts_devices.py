"""The week replayed from the streams' device simulator (demo/devices): its messages through
the stream departments' ingest in this process (stored, linked, appended to the event stream,
as the broker would hand them over), its residents' lift complaints through the civic intake,
and its ground truth (demo/devices/truth.py) mapped to hub ids for scoring."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from demo.devices.simulate import replay
from demo.devices.truth import lift_complaints, situations
from hub.civic.intake import Submission
from hub.runtime import Runtime
from hub.streams.ingest import Message
from hub.streams.service import start_streams

DEPARTMENT_OF = (("security/", "security"), ("iot/", "property_iot"), ("webhook/", ""))


@dataclass(frozen=True)
class Planted:
    rule: str
    subject: str
    start: datetime
    end: datetime


@dataclass
class DeviceWeek:
    messages: list[tuple[str, bytes, datetime]]
    complaints: list[tuple[datetime, str, str]]  # at, building id, text
    truth: list[Planted]


async def load(runtime: Runtime, data_dir: Path, seed: int, start: datetime,
               days: int) -> DeviceWeek:
    messages = list(replay(seed, start, days, 0, data_dir))
    links = runtime.links
    complaints = []
    for c in lift_complaints(seed, start, days, data_dir):
        found = await links.ids_for_sources("Place", [c.building_source_key])
        if c.building_source_key in found:
            complaints.append((c.at, found[c.building_source_key], c.text))
    truth = []
    for s in situations(seed, start, days, data_dir):
        if s.kind == "inactive_elderly" and s.person_source_key:
            found = await links.ids_for_sources("Person", [s.person_source_key])
            subject = found.get(s.person_source_key, s.person_source_key)
        else:
            found = await links.ids_for_sources("Place", [s.place_source_key])
            place = found.get(s.place_source_key, s.place_source_key)
            subject = (await runtime.alerts.world.buildings([place])).get(place, (place, ""))[0]
        end = s.end
        if s.kind == "lift_faults":  # due once the complaint is in as well
            end = max([end, *[at for at, b, _ in complaints if b == subject]])
        truth.append(Planted(s.kind, subject, s.start, end))
    return DeviceWeek(messages, complaints, truth)


class Feeder:
    """Hands a step's messages to the ingest of their department, in time order."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.ingests: dict = {}
        self.stored = 0
        self.aside = 0

    async def start(self) -> None:
        self.ingests = (await start_streams(self.runtime, None)).ingests

    async def send(self, items: list[tuple[str, bytes, datetime]]) -> None:
        batches: dict[str, list[Message]] = {}
        for topic, payload, _at in items:
            name = _department(topic)
            batches.setdefault(name, []).append(Message(topic, payload))
        for name, batch in batches.items():
            if name in self.ingests:
                outcome = await self.ingests[name].handle(batch)
                self.stored += outcome.stored
                self.aside += sum(outcome.aside.values())

    async def complain(self, at: datetime, place: str, text: str) -> None:
        await self.runtime.civic.intake.submit(Submission(
            text=text, channel="app", client="app", idempotency_key=uuid.uuid4().hex,
            place_id=place, received_at=at))


def _department(topic: str) -> str:
    for prefix, name in DEPARTMENT_OF:
        if topic.startswith(prefix):
            return name or topic.removeprefix(prefix).split("/")[0]
    return ""


