"""`hub link`: scan the departments, resolve entities, write the link graph in batches.

A full run scans every record and unlinks what disappeared; an incremental run scans what
changed since each source's watermark, on top of the index it reads back from the graph.
"""

import asyncio
import gc
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any

from graph.links import LinkGraph
from graph.model import Rel
from graph.store import GraphStore
from hub.linking.config import LinkingConfig
from hub.linking.jurisdiction import Jurisdictions
from hub.linking.keys import Keyring
from hub.linking.normalize import parse_address
from hub.linking.people import PersonIndex, Resolution
from hub.linking.places import Gazetteer
from hub.linking.plan import LinkPlan
from hub.linking.report import LinkReport
from hub.linking.scan import Progress, Record, Scanned, scan_all
from hub.linking.state import load_state
from hub.linking.write import PlanWriter

# Resolved and written in this order: each stage points only at what earlier ones hold.
# Events and things need only the places, so they resolve (and are written) while the people
# resolve; who an event involves is settled in the people's stage (see _involvements).
STAGES = (("Place",), ("Event", "Thing"), ("Person",))
ROOM = ("room",)
PRECISE = ("room", "unit", "building", "poi")


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A run allocates millions of long-lived objects (records, plan rows) and frees almost
    none: the cycle collector would walk them again and again (a third of a 20k run's CPU)
    to find nothing. Reference counting still frees everything; collection resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _after(previous: Awaitable[None] | None, then: Callable[[], Awaitable[None]]) -> None:
    """`then()` once `previous` is done: a part's relations need the nodes of parts before it.
    A callable, not a coroutine: a run cut short must not leave a coroutine never awaited."""
    if previous is not None:
        await previous
    await then()


def _epoch(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day).timestamp())
    return None


class Linker:
    def __init__(
        self, registry: Any, store: GraphStore, keys: Keyring, config: LinkingConfig,
        bulk: bool = True,
    ) -> None:
        """`bulk`: an empty graph is built by the engine's bulk loader where it has one."""
        self.registry = registry
        self.store = store
        self.bulk = bulk
        self.keys = keys
        self.plan = LinkPlan()
        self.report = LinkReport()
        self.places = Gazetteer(keys)
        self.people = PersonIndex(keys, config)
        self.jurisdictions = Jurisdictions.of(registry)
        self.place_by_ref: dict[str, str] = {}
        self.building_by_ref: dict[str, Any] = {}
        self.owners_of_room: dict[str, list[str]] = defaultdict(list)
        self.residence: dict[str, str] = {}
        self.household_heads: dict[str, str] = {}  # household key → head, from earlier runs
        # (event, connector, spec, record, ref) of events whose people are still to be found
        self._involving: list[tuple[str, str, Any, Record, str]] = []

    async def run(
        self,
        since: dict[str, datetime | None] | None = None,
        progress: Progress | None = None,
        incremental: bool = False,
    ) -> LinkReport:
        """Link every source, or (`incremental`) what changed since each source's time in
        `since` (a source absent from it is scanned whole), on top of the graph's state."""
        with _no_cycle_collection():
            return await self._run(since, progress, incremental)

    async def _run(
        self, since: dict[str, datetime | None] | None, progress: Progress | None, incremental: bool
    ) -> LinkReport:
        started = time.perf_counter()
        self.report.full = not incremental
        if incremental:
            await load_state(self.store, self)
        scanned = await scan_all(self.registry, since or {}, progress)
        unread = any(b.failed for b in scanned)
        if not incremental and unread and not await LinkGraph(self.store).is_empty():
            # A full run would unlink what the unread department asserts and re-identify the
            # people only it anchors: link the rest on top of the graph instead, as an
            # incremental run does (nothing unlinked; the next complete full run sweeps).
            incremental = True
            self.report.full = False
            await load_state(self.store, self)
        for batch in scanned:
            if batch.failed is not None:
                self.report.unavailable[batch.ref] = batch.failed
            else:
                self.report.scanned[batch.ref] = len(batch.records)
        self.report.phases["scan"] = time.perf_counter() - started
        writer = PlanWriter(self.store, full=not incremental, bulk=self.bulk)
        await writer.open()
        self.report.bulk_loaded = writer.bulk is not None
        writing = None
        try:
            for kinds in STAGES:
                # Each stage resolves in a thread while the stages before it are written: the
                # graph server works on the other core, and our share of the writing
                # (encoding, answers) interleaves with the resolution under the GIL.
                await asyncio.to_thread(
                    self._stage, kinds, [b for b in scanned if b.kind in kinds]
                )
                part, self.plan = self.plan, LinkPlan()
                places = writer.new_places(self.places)
                writing = asyncio.create_task(_after(writing, partial(writer.part, part, places)))
            self.report.phases["resolve"] = (
                time.perf_counter() - started - self.report.phases["scan"]
            )
            await writing
            self.report.removed = await writer.finish(scanned)
        except BaseException:
            if writing is not None:
                writing.cancel()
            await writer.abandon()
            raise
        self.report.seconds = time.perf_counter() - started
        self.report.phases["write"] = self.report.seconds - sum(self.report.phases.values())
        return self.report

    def _stage(self, kinds: tuple[str, ...], scanned: list[Scanned]) -> None:
        self._resolve(scanned)
        if any(batch.kind == "Person" for batch in scanned):
            for batch in scanned:
                self._households(batch)
            self._departments()
        if "Person" in kinds:
            self._involvements()

    def _resolve(self, scanned: list[Scanned]) -> None:
        steps = {"Place": self._place, "Person": self._person, "Event": self._event,
                 "Thing": self._thing}
        for batch in scanned:
            step = steps.get(batch.kind)
            if step is not None:
                for record in batch.records:
                    step(batch.connector, batch.record_type, batch.spec, record)

    # --- places -------------------------------------------------------------------------

    def _source(self, kind: str, entity: str, connector: str, record_type: str, key: str) -> None:
        self.plan.source(kind, entity, connector, record_type, key)
        self.report.linked[f"{connector}/{record_type}"] += 1

    def _place(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        ref = f"{connector}/{record_type}/{rec['_key']}"
        if rec.get("buildingNo") and rec.get("communityCode") and rec.get("gridCode"):
            self._building(connector, record_type, ref, rec)
        elif rec.get("roomNo") and rec.get("buildingKey"):
            self._room(connector, record_type, spec, ref, rec)
        else:
            self.report.problem(f"{connector}/{record_type}", "place_without_location", ref)

    def _building(self, connector: str, record_type: str, ref: str, rec: Record) -> None:
        community, grid = str(rec["communityCode"]), str(rec["gridCode"])
        grid_no = grid[len(community) :].lstrip("0") or "1"
        parent = self.places.admin(
            [
                (community[:6], str(rec.get("districtName") or community[:6])),
                (community[:9], str(rec.get("streetName") or community[:9])),
                (community, str(rec.get("communityName") or community)),
                (grid, f"{rec.get('communityName') or ''}第{grid_no}网格"),
            ]
        )
        number = parse_address(f"{rec['buildingNo']}幢")
        building = self.places.building(
            str(rec.get("estateName") or ""),
            (number.building if number else None) or str(rec["buildingNo"]),
            grid,
            community,
            parent,
        )
        self.building_by_ref[ref] = building
        self.place_by_ref[ref] = building.place_id
        self._source("Place", building.place_id, connector, record_type, str(rec["_key"]))
        company = rec.get("propertyCompany")
        if company:
            org = self.plan.node(
                "Organization",
                self.keys.hub_id("org", f"name:{company}"),
                name=str(company),
                category="物业服务企业",
            )
            self.plan.relate(Rel.MANAGES, ("Organization", org), ("Place", building.place_id), ref)

    def _room(self, connector: str, record_type: str, spec: Any, ref: str, rec: Record) -> None:
        building = self.building_by_ref.get(self._target(connector, spec, "buildingKey", rec))
        if building is None:
            self.report.problem(f"{connector}/{record_type}", "unknown_building", ref)
            return
        unit = parse_address(f"0幢{rec.get('unitNo') or ''}")
        room_id = self.places.room(building, unit.unit if unit else None, str(rec["roomNo"]))
        self.place_by_ref[ref] = room_id
        self._source("Place", room_id, connector, record_type, str(rec["_key"]))

    def _address(
        self,
        source: str,
        ref: str,
        text: Any,
        hint: str | None,
        expect: tuple[str, ...],
        prefer: set[str] | None = None,
    ) -> str | None:
        """The place an address names; precision short of `expect` is reported, not guessed."""
        parsed = self.places.parse(text)
        if parsed is None:
            return None
        place_id, precision = self.places.resolve(parsed, hint, prefer)
        if precision not in expect:
            self.report.problem(source, f"address_to_{precision}", ref)
        return place_id

    # --- people -------------------------------------------------------------------------

    def _person(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        source = f"{connector}/{record_type}"
        ref = f"{source}/{rec['_key']}"
        keys, problem = self.people.keys_of(rec)
        known = self.people.known_by_id(keys)
        prefer = self.people.people[known].rooms if known else None
        hint = str(rec.get("_jurisdiction") or "") or None
        lives = self._address(source, ref, rec.get("residenceAddress"), hint, ROOM, prefer)
        owns = self.place_by_ref.get(self._target(connector, spec, "roomKey", rec))
        named = None if owns else self._address(source, ref, rec.get("address"), hint, ROOM, prefer)
        found = self.people.resolve(ref, keys, problem, owns or lives or named)
        person = found.person
        if problem:
            self.report.problem(source, problem, ref)
        if rec.get("idNumber") is None and not keys.phone_key and not keys.name_key:
            self.report.problem(source, "no_linking_keys", ref)
        self._person_node(person, found, source, hint or self._place_jurisdiction(lives or owns))
        self._source("Person", person, connector, record_type, str(rec["_key"]))
        self._person_places(ref, source, person, lives, named, owns, rec)
        self._candidates(source, ref, found)

    def _person_node(
        self, person: str, found: Resolution, source: str, jurisdiction: str | None
    ) -> None:
        """The person's keys and jurisdiction from the record that decides them, where they
        live before what they own (hub.linking.jurisdiction); others fill only the gaps."""
        props = {**found.keys.props(), "jurisdiction": jurisdiction}
        if self.jurisdictions.decides(person, source):
            node = self.plan.nodes["Person"].setdefault(person, {})
            node.update((k, v) for k, v in props.items() if v is not None)
        elif self.jurisdictions.fills(person, source):
            self.plan.node("Person", person, **props)
        else:
            self.plan.node("Person", person)

    def _person_places(
        self, ref: str, source: str, person: str, lives: Any, named: Any, owns: Any, rec: Record
    ) -> None:
        if lives:
            self.plan.relate(Rel.LIVES_AT, ("Person", person), ("Place", lives), ref)
            self.residence[person] = lives
            self.people.place(person, lives)
        registered = self.places.resolve_quietly(rec.get("hukouAddress"))
        if registered:
            self.plan.relate(Rel.REGISTERED_AT, ("Person", person), ("Place", registered), ref)
        if owns:
            self.plan.relate(Rel.OWNS, ("Person", person), ("Place", owns), ref)
            self.owners_of_room[f"{owns}"].append(ref)
            self.people.place(person, owns)
        if named and not owns:
            self.plan.addressed[ref] = named
            home = self.residence.get(person)
            if home and named != home and self._is_room(named):
                self.report.problem(source, "address_differs_from_residence", ref)

    def _candidates(self, source: str, ref: str, found: Resolution) -> None:
        for candidate in found.candidates:
            self.plan.candidates.append(
                (found.person, candidate.person,
                 {"score": candidate.score, "evidence": candidate.evidence, "ref": ref})
            )
        if found.candidates:
            self.report.problem(source, "held_for_review", ref)

    def _is_room(self, place_id: str) -> bool:
        node = self.places.nodes.get(place_id)
        return node is not None and node.level == "room"

    def _place_jurisdiction(self, place_id: str | None) -> str | None:
        node = self.places.nodes.get(place_id or "")
        return node.jurisdiction if node else None

    @staticmethod
    def _target(connector: str, spec: Any, field: str, rec: Record) -> str:
        """The source ref a reference field points to, through the type's declared `refs`."""
        return f"{connector}/{spec.refs.get(field)}/{rec.get(field)}"

    # --- events, things, households -----------------------------------------------------

    def _event(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        source = f"{connector}/{record_type}"
        ref = f"{source}/{rec['_key']}"
        event = self.keys.hub_id("evt", ref)
        hint = str(rec.get("_jurisdiction") or "") or None
        place = self.place_by_ref.get(self._target(connector, spec, "roomKey", rec))
        place = place or self._address(source, ref, rec.get("address"), hint, PRECISE)
        place = place or self.places.admin_place(hint)
        self.plan.node(
            "Event",
            event,
            jurisdiction=hint or self._place_jurisdiction(place),
            eventType=rec.get("eventType"),
            at=_epoch(rec.get("occurredAt")),
        )
        self._source("Event", event, connector, record_type, str(rec["_key"]))
        if place:
            self.plan.relate(Rel.OCCURRED_AT, ("Event", event), ("Place", place), ref)
        self._involving.append((event, connector, spec, rec, ref))

    def _involvements(self) -> None:
        """The people each event resolved so far involves, once the people are resolved."""
        for event, connector, spec, rec, ref in self._involving:
            for person in self._event_people(connector, spec, rec):
                self.plan.relate(Rel.INVOLVES, ("Event", event), ("Person", person), ref)
        self._involving.clear()

    def _event_people(self, connector: str, spec: Any, rec: Record) -> set[str]:
        found = {self.people.by_ref.get(self._target(connector, spec, "personKey", rec))}
        room = self.place_by_ref.get(self._target(connector, spec, "roomKey", rec))
        if room:
            found |= {self.people.by_ref.get(ref) for ref in self.owners_of_room.get(room, [])}
        found.add(self.people.by_phone_only(rec.get("reporterPhone")))
        return {person for person in found if person}

    def _thing(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        ref = f"{connector}/{record_type}/{rec['_key']}"
        building = self.building_by_ref.get(self._target(connector, spec, "buildingKey", rec))
        thing = self.keys.hub_id("thg", ref)
        jurisdiction = building.grid_code if building else rec.get("_jurisdiction")
        self.plan.node("Thing", thing, jurisdiction=jurisdiction)
        self._source("Thing", thing, connector, record_type, str(rec["_key"]))
        if building:
            self.plan.relate(
                Rel.LOCATED_IN, ("Thing", thing), ("Place", building.place_id), ref
            )
        else:
            self.report.problem(f"{connector}/{record_type}", "unknown_building", ref)

    def _households(self, batch: Scanned) -> None:
        """Members of one household (户) are RELATED_TO its head (known from earlier runs when
        an incremental run did not see the head's record)."""
        groups: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for rec in batch.records:
            if rec.get("householdNo"):
                ref = f"{batch.ref}/{rec['_key']}"
                person = self.people.by_ref.get(ref)
                if person:
                    key = self.keys.digest("household", str(rec["householdNo"]))
                    self.plan.node("Person", person, householdKey=key)
                    groups[key].append((person, ref, rec.get("relationToHead") == "户主"))
        for key, members in groups.items():
            head = next((p for p, _, is_head in members if is_head), None)
            head = head or self.household_heads.get(key) or members[0][0]
            for person, ref, _ in members:
                if person != head:
                    self.plan.relate(
                        Rel.RELATED_TO, ("Person", person), ("Person", head), ref,
                        relation="household",
                    )

    def _departments(self) -> None:
        for connector in self.registry:
            self.plan.node(
                "Organization",
                self.keys.hub_id("org", f"dept:{connector.name}"),
                name=connector.config.title,
                category="政府部门",
                connector=connector.name,
            )
