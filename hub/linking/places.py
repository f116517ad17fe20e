"""The place hierarchy 区 › 街道 › 社区 › 网格 › 楼栋 › 单元 › 室, and matching addresses to it."""

from collections import defaultdict
from dataclasses import dataclass, field

from hub.linking.keys import Keyring
from hub.linking.normalize import ParsedAddress, fold, parse_address

LEVEL_OF_CODE_LENGTH = {6: "district", 9: "street", 12: "community", 14: "grid"}


@dataclass
class PlaceNode:
    id: str
    level: str
    name: str
    jurisdiction: str
    parent: str | None
    extra: dict[str, str] = field(default_factory=dict)  # estate/number, unit/room: to reload

    def props(self) -> dict[str, str]:
        return {"level": self.level, "name": self.name, "jurisdiction": self.jurisdiction,
                **self.extra}


@dataclass
class Building:
    place_id: str
    estate: str
    number: str
    grid_code: str
    community_code: str
    rooms: dict[tuple[str | None, str], str] = field(default_factory=dict)  # (unit, room) → id


class Gazetteer:
    """Places known to the hub, built from department records; ids are keyed hashes of paths."""

    def __init__(self, keys: Keyring) -> None:
        self.keys = keys
        self.nodes: dict[str, PlaceNode] = {}
        self.buildings: dict[str, Building] = {}  # place id → building
        self._by_estate: dict[str, list[Building]] = defaultdict(list)
        # Estate names each address text mentions: texts repeat (a building's residents), and
        # testing every estate against every address grows with the city. Reset on a new estate.
        self._named: dict[str, tuple[str, ...]] = {}
        self._estate_rank: dict[str, int] = {}  # known estate names, in the order first seen
        self._estate_lengths: set[int] = set()
        self.created: set[str] = set()  # place ids first seen in this run (not read back)
        self._resolved: dict[tuple[str, str | None], tuple[str | None, str]] = {}
        self._parsed: dict[str, ParsedAddress | None] = {}

    def _place(
        self,
        path: str,
        level: str,
        name: str,
        jurisdiction: str,
        parent: str | None,
        **extra: str,
    ) -> str:
        place_id = self.keys.hub_id("plc", path)
        if place_id not in self.nodes:
            self.nodes[place_id] = PlaceNode(place_id, level, name, jurisdiction, parent, extra)
            self.created.add(place_id)
        return place_id

    def admin(self, codes_names: list[tuple[str, str]]) -> str | None:
        """Codes from district down to grid, each with its name; returns the deepest id."""
        parent: str | None = None
        for code, name in codes_names:
            level = LEVEL_OF_CODE_LENGTH.get(len(code))
            if level is None:
                continue
            parent = self._place(f"admin/{code}", level, name, code, parent)
        return parent

    def admin_place(self, code: str | None) -> str | None:
        """The grid or community a department names by code, when the address says no more."""
        place_id = self.keys.hub_id("plc", f"admin/{code}") if code else None
        return place_id if place_id in self.nodes else None

    def building(
        self, estate: str, number: str, grid_code: str, community_code: str, parent: str | None
    ) -> Building:
        estate = fold(estate)
        path = f"building/{community_code}/{estate}/{number}"
        place_id = self._place(
            path, "building", f"{estate}{number}幢", grid_code, parent, estate=estate, number=number
        )
        if place_id not in self.buildings:
            found = Building(place_id, estate, number, grid_code, community_code)
            self.buildings[place_id] = found
            self._file(found)
        return self.buildings[place_id]

    def room(self, building: Building, unit: str | None, room: str) -> str:
        """The room's place id, creating the unit and room nodes on first sight."""
        if (unit, room) in building.rooms:
            return building.rooms[(unit, room)]
        parent = building.place_id
        base = f"building/{building.community_code}/{building.estate}/{building.number}"
        if unit is not None:
            parent = self._place(
                f"{base}/{unit}", "unit", f"{unit}单元", building.grid_code, parent
            )
        room_id = self._place(
            f"{base}/{unit or '-'}/{room}", "room", f"{room}室", building.grid_code, parent,
            unit=unit or "", room=room,
        )
        building.rooms[(unit, room)] = room_id
        return room_id

    def unit(self, building: Building, unit: str) -> str:
        base = f"building/{building.community_code}/{building.estate}/{building.number}"
        return self._place(
            f"{base}/{unit}", "unit", f"{unit}单元", building.grid_code, building.place_id
        )

    def _file(self, building: Building) -> None:
        self._resolved.clear()
        if building.estate not in self._by_estate:
            self._named.clear()
            if building.estate:
                self._estate_rank[building.estate] = len(self._estate_rank)
                self._estate_lengths.add(len(building.estate))
        self._by_estate[building.estate].append(building)

    def _estates_named(self, text: str) -> tuple[str, ...]:
        named = self._named.get(text)
        if named is None:
            named = self._named[text] = self._find_estates(text)
        return named

    def _find_estates(self, text: str) -> tuple[str, ...]:
        """The known estate names the text mentions, in the order they became known. A few
        estates are each looked for in the text; a city's (a thousand at a million residents)
        are found by looking up the text's pieces of a known name's length, so that the cost
        follows the text, not the city (it was an eighth of resolving at a million)."""
        estates = self._by_estate
        lengths = self._estate_lengths
        if len(estates) <= len(text) * len(lengths):
            return tuple(estate for estate in estates if estate and estate in text)
        pieces = {text[i : i + n] for n in lengths for i in range(len(text) - n + 1)}
        rank = self._estate_rank
        return tuple(sorted((p for p in pieces if p in rank), key=rank.__getitem__))

    def _estate_in(self, text: str) -> str | None:
        """The longest known estate name the text mentions."""
        named = self._estates_named(text)
        return max(named, key=len) if named else None

    def poi(self, address: ParsedAddress, hint: str | None) -> str | None:
        """A point of interest inside a known estate (a gate, a square): '映月新村南门'."""
        estate = self._estate_in(address.text)
        if estate is None:
            return None
        buildings = self._by_estate[estate]
        if hint:
            buildings = [b for b in buildings if b.grid_code.startswith(hint[:12])] or buildings
        rest = address.text[address.text.index(estate) + len(estate) :]
        grids = {b.grid_code for b in buildings}
        parent_code = grids.pop() if len(grids) == 1 else buildings[0].community_code
        parent = self.admin_place(parent_code)
        if parent is None:
            return None
        path = f"poi/{buildings[0].community_code}/{estate}/{rest}"
        return self._place(path, "poi", f"{estate}{rest}", parent_code, parent)

    def find_building(self, address: ParsedAddress, hint: str | None) -> Building | None:
        """The one building the address names; None when unknown or ambiguous."""
        if address.building is None:
            return None
        head = address.head
        candidates = [
            b
            for estate in self._estates_named(head)
            for b in self._by_estate[estate]
            if b.number == address.building
        ]
        if hint:
            in_hint = [b for b in candidates if b.grid_code.startswith(hint[:12])]
            candidates = in_hint or candidates
        if len(candidates) > 1:
            longest = max(len(b.estate) for b in candidates)
            candidates = [b for b in candidates if len(b.estate) == longest]
        return candidates[0] if len(candidates) == 1 else None

    def resolve(
        self, address: ParsedAddress, hint: str | None, prefer: set[str] | None = None
    ) -> tuple[str | None, str]:
        """(deepest place id, how precise: room | unit | building | poi | none) for an address.

        Without a unit, a room number several units share is settled only by `prefer` (rooms
        the person is already known at), else the answer stays at the building.

        Addresses repeat (a household's members, a gate's passages): an answer that depends
        only on the buildings known is kept until another building becomes known; one that
        depends on the rooms seen so far (a room without its unit) is worked out each time."""
        key = (address.text, hint)
        found = self._resolved.get(key)
        if found is not None:
            return found
        found = self._resolve(address, hint, prefer)
        if address.unit is not None or address.room is None:
            self._resolved[key] = found
        return found

    def _resolve(
        self, address: ParsedAddress, hint: str | None, prefer: set[str] | None
    ) -> tuple[str | None, str]:
        building = self.find_building(address, hint)
        if building is None:
            poi = self.poi(address, hint) if address.building is None else None
            return poi, "poi" if poi else "none"
        if address.room is None and address.unit is not None:
            return self.unit(building, address.unit), "unit"
        if address.room is None:
            return building.place_id, "building"
        if address.unit is None:
            same = {rid for (u, r), rid in building.rooms.items() if r == address.room}
            if len(same) > 1 and prefer:
                same = (same & prefer) or same
            if len(same) == 1:
                return same.pop(), "room"
            if same:
                return building.place_id, "building"
        return self.room(building, address.unit, address.room), "room"

    def parse(self, text: object) -> ParsedAddress | None:
        """An address as written, parsed once per run: a city's addresses outnumber what the
        parser's own bounded cache keeps, and a household's records repeat them far apart."""
        if not text:
            return None
        raw = str(text)
        parsed = self._parsed.get(raw)
        if parsed is None:
            parsed = self._parsed[raw] = parse_address.__wrapped__(raw)  # this is the cache
        return parsed

    def resolve_quietly(self, text: object) -> str | None:
        """For addresses that may lie outside the known area (户籍地): a place, or None."""
        parsed = self.parse(text)
        return self.resolve(parsed, None)[0] if parsed else None

    # --- reading the hierarchy back from the graph (incremental runs) --------------------

    def known(self, row: dict[str, str | None]) -> None:
        """A place read from the graph: known, not created by this run."""
        place_id, level = str(row["id"]), str(row["level"])
        extra = {k: str(row[k]) for k in ("estate", "number", "unit", "room") if row.get(k)}
        self.nodes[place_id] = PlaceNode(
            place_id, level, str(row["name"] or ""), str(row["jurisdiction"] or ""),
            row.get("parent"), extra,
        )
        if level == "building" and "number" in extra:
            grid = self.nodes[place_id].jurisdiction
            found = Building(place_id, extra.get("estate", ""), extra["number"], grid, grid[:12])
            self.buildings[place_id] = found
            self._file(found)

    def known_rooms(self) -> None:
        """After every `known` place: rooms filed under their buildings, units ignored."""
        for node in self.nodes.values():
            if node.level != "room" or "room" not in node.extra:
                continue
            parent = self.nodes.get(node.parent or "")
            if parent is not None and parent.level == "unit":
                parent = self.nodes.get(parent.parent or "")
            if parent is not None and parent.id in self.buildings:
                unit = node.extra.get("unit") or None
                self.buildings[parent.id].rooms[(unit, node.extra["room"])] = node.id
