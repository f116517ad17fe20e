"""`hub link`: scan every department system, resolve entities, write the link graph in batches."""

import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from graph.model import Rel
from graph.store import GraphStore
from graph.writer import LinkWriter
from hub.linking.keys import Keyring
from hub.linking.normalize import parse_address
from hub.linking.people import PersonIndex
from hub.linking.places import Gazetteer
from hub.linking.plan import LinkPlan
from hub.linking.report import LinkReport

Record = dict[str, Any]
Progress = Callable[[str, int], None]
Scanned = dict[tuple[str, str], tuple[Any, list[Record]]]


def _epoch(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day).timestamp())
    return None


class Linker:
    def __init__(self, registry: Any, store: GraphStore, keys: Keyring) -> None:
        self.registry = registry
        self.store = store
        self.keys = keys
        self.plan = LinkPlan()
        self.report = LinkReport()
        self.places = Gazetteer(keys)
        self.people = PersonIndex(keys)
        self.place_by_ref: dict[str, str] = {}
        self.building_by_ref: dict[str, Any] = {}
        self.owners_of_room: dict[str, list[str]] = defaultdict(list)

    async def run(self, progress: Progress | None = None) -> LinkReport:
        started = time.perf_counter()
        records = await self._scan_all(progress)
        for kind, step in (
            ("Place", self._place),
            ("Person", self._person),
            ("Event", self._event),
            ("Thing", self._thing),
        ):
            for (connector, record_type), (spec, rows) in records.items():
                if spec.entity.value == kind:
                    for record in rows:
                        step(connector, record_type, spec, record)
        self._households(records)
        self._departments()
        await self._write(records)
        self.report.seconds = time.perf_counter() - started
        return self.report

    async def _scan_all(
        self, progress: Progress | None
    ) -> dict[tuple[str, str, Any], list[Record]]:
        found: dict[tuple[str, str, Any], list[Record]] = {}
        for kind in ("Place", "Person", "Event", "Thing", "Organization"):
            for source in self.registry.sources(kind):
                rows: list[Record] = []
                async for batch in source.connector.scan(source.record_type):
                    rows.extend(batch)
                    if progress:
                        progress(source.ref, len(batch))
                found[(source.name, source.record_type)] = (source.config, rows)
                self.report.scanned[source.ref] = len(rows)
        return found

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
            self.plan.relate(Rel.MANAGES, ("Organization", org), ("Place", building.place_id))

    def _room(self, connector: str, record_type: str, spec: Any, ref: str, rec: Record) -> None:
        building = self.building_by_ref.get(self._target(connector, spec, "buildingKey", rec))
        if building is None:
            self.report.problem(f"{connector}/{record_type}", "unknown_building", ref)
            return
        unit = parse_address(f"0幢{rec.get('unitNo') or ''}")
        unit_no = unit.unit if unit else None
        room_id = self.places.room(building, unit_no, str(rec["roomNo"]))
        self.place_by_ref[ref] = room_id
        self._source("Place", room_id, connector, record_type, str(rec["_key"]))

    def _address(
        self, source: str, ref: str, text: Any, hint: str | None, expect: tuple[str, ...]
    ) -> str | None:
        """The place an address names; precision short of `expect` is reported, not guessed."""
        parsed = parse_address(str(text) if text else None)
        if parsed is None:
            return None
        place_id, precision = self.places.resolve(parsed, hint)
        if precision not in expect:
            self.report.problem(source, f"address_to_{precision}", ref)
        return place_id

    def _person(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        source = f"{connector}/{record_type}"
        ref = f"{source}/{rec['_key']}"
        person, link, problem = self.people.resolve(ref, rec)
        if problem:
            self.report.problem(source, problem, ref)
        hint = str(rec.get("_jurisdiction") or "") or None
        lives = self._address(source, ref, rec.get("residenceAddress"), hint, ("room",))
        registered = self.places.resolve_quietly(rec.get("hukouAddress"))
        owns = self.place_by_ref.get(self._target(connector, spec, "roomKey", rec))
        place_jurisdiction = self._place_jurisdiction(lives or owns)
        existing = self.plan.nodes["Person"].get(person, {})
        self.plan.node(
            "Person",
            person,
            **link,
            jurisdiction=existing.get("jurisdiction") or hint or place_jurisdiction,
        )
        self._source("Person", person, connector, record_type, str(rec["_key"]))
        if lives:
            self.plan.relate(Rel.LIVES_AT, ("Person", person), ("Place", lives))
        if registered:
            self.plan.relate(Rel.REGISTERED_AT, ("Person", person), ("Place", registered))
        if owns:
            self.plan.relate(Rel.OWNS, ("Person", person), ("Place", owns))
            self.owners_of_room[self._target(connector, spec, "roomKey", rec)].append(ref)

    def _place_jurisdiction(self, place_id: str | None) -> str | None:
        node = self.places.nodes.get(place_id or "")
        return node.jurisdiction if node else None

    @staticmethod
    def _target(connector: str, spec: Any, field: str, rec: Record) -> str:
        """The source ref a reference field points to, through the type's declared `refs`."""
        return f"{connector}/{spec.refs.get(field)}/{rec.get(field)}"

    def _event(self, connector: str, record_type: str, spec: Any, rec: Record) -> None:
        source = f"{connector}/{record_type}"
        ref = f"{source}/{rec['_key']}"
        event = self.keys.hub_id("evt", ref)
        hint = str(rec.get("_jurisdiction") or "") or None
        place = self.place_by_ref.get(self._target(connector, spec, "roomKey", rec))
        precise = ("room", "unit", "building", "poi")
        place = place or self._address(source, ref, rec.get("address"), hint, precise)
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
            self.plan.relate(Rel.OCCURRED_AT, ("Event", event), ("Place", place))
        for person in self._event_people(connector, spec, rec):
            self.plan.relate(Rel.INVOLVES, ("Event", event), ("Person", person))

    def _event_people(self, connector: str, spec: Any, rec: Record) -> set[str]:
        found = {self.people.by_ref.get(self._target(connector, spec, "personKey", rec))}
        if rec.get("roomKey"):
            room = self._target(connector, spec, "roomKey", rec)
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
            self.plan.relate(Rel.LOCATED_IN, ("Thing", thing), ("Place", building.place_id))
        else:
            self.report.problem(f"{connector}/{record_type}", "unknown_building", ref)

    def _households(self, records: Scanned) -> None:
        """Members of one household (户) are RELATED_TO its head."""
        for (connector, record_type), (_spec, rows) in records.items():
            groups: dict[str, list[tuple[str, bool]]] = defaultdict(list)
            for rec in rows:
                if rec.get("householdNo"):
                    person = self.people.by_ref.get(f"{connector}/{record_type}/{rec['_key']}")
                    if person:
                        groups[str(rec["householdNo"])].append(
                            (person, rec.get("relationToHead") == "户主")
                        )
            for members in groups.values():
                head = next((p for p, is_head in members if is_head), members[0][0])
                for person, _ in members:
                    if person != head:
                        self.plan.relate(
                            Rel.RELATED_TO,
                            ("Person", person),
                            ("Person", head),
                            relation="household",
                        )

    def _departments(self) -> None:
        for connector in self.registry:
            self.plan.node(
                "Organization",
                self.keys.hub_id("org", f"dept:{connector.name}"),
                name=connector.config.title,
                category="政府部门",
            )

    async def _write(self, records: Scanned) -> None:
        writer = LinkWriter(self.store)
        for place_id, node in self.places.nodes.items():
            self.plan.node(
                "Place", place_id, level=node.level, name=node.name, jurisdiction=node.jurisdiction
            )
        for kind, nodes in self.plan.nodes.items():
            await writer.upsert_nodes(kind, [{"id": i, "props": p} for i, p in nodes.items()])
        for kind, sources in self.plan.sources.items():
            await writer.upsert_sources(kind, list(sources.values()))
        parents = [
            {"a": n.id, "b": n.parent, "props": {}} for n in self.places.nodes.values() if n.parent
        ]
        await writer.upsert_relations(Rel.LOCATED_IN, "Place", "Place", parents)
        for (rel, a, b), pairs in self.plan.relations.items():
            rows = [{"a": x, "b": y, "props": props} for (x, y), props in pairs.items()]
            await writer.upsert_relations(rel, a, b, rows)
        for connector, record_type in records:
            keep = {
                ref
                for refs in self.plan.sources.values()
                for ref in refs
                if ref.startswith(f"{connector}/{record_type}/")
            }
            self.report.removed += await writer.remove_sources_except(connector, record_type, keep)
