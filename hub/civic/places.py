"""Where an opinion is about: a Place id, or address text matched to the link graph's places.

The index of streets, communities, grids and buildings is read from the graph once and
refreshed every few minutes (and after `hub link`); matching reuses hub.linking.normalize.
"""

import asyncio
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph.links import LinkGraph
from hub.errors import BadInput, ErrorCode
from hub.ids import check_kind
from hub.linking.normalize import fold, parse_address

REFRESH_SECONDS = 300.0
_BUILDING_NAME = re.compile(r"^(.*?)(\d+)幢$")


@dataclass(frozen=True)
class PlaceRef:
    id: str
    name: str
    jurisdiction: str
    precision: str  # building | estate | community | street | grid | room | unit | poi


class PlaceIndex:
    """Address text → the most precise known Place; place ids → their jurisdiction."""

    def __init__(
        self, links: LinkGraph, on_names: Callable[[Iterable[str]], None] | None = None
    ) -> None:
        self.links = links
        self.on_names = on_names  # tells the text analyzer which words are place names
        self._lock = asyncio.Lock()
        self._loaded_at: float | None = None  # monotonic time of the last load; None: never
        self._buildings: dict[str, dict[str, PlaceRef]] = {}  # estate → number → building
        self._admin: list[PlaceRef] = []  # communities and streets, longest name first
        self._grid_of_estate: dict[str, PlaceRef] = {}

    async def refresh(self, force: bool = False) -> None:
        async with self._lock:
            if not force and not self._stale():
                return
            rows = await self.links.store.read(
                "MATCH (p:Place) WHERE p.level IN ['street', 'community', 'grid', 'building'] "
                "RETURN p.id AS id, p.level AS level, p.name AS name, "
                "p.jurisdiction AS jurisdiction"
            )
            self._build(rows)
            self._loaded_at = time.monotonic()

    def _stale(self) -> bool:
        # Never loaded is stale whatever the clock says: monotonic time starts near zero on a
        # freshly booted machine, so 0.0 as 'never' read as 'just loaded' for five minutes.
        loaded = self._loaded_at
        return loaded is None or time.monotonic() - loaded >= REFRESH_SECONDS

    def _build(self, rows: list[dict]) -> None:
        buildings: dict[str, dict[str, PlaceRef]] = {}
        admin, grids = [], {}
        for row in rows:
            if row["level"] == "grid":
                grids[row["jurisdiction"]] = PlaceRef(
                    row["id"], row["name"], row["jurisdiction"], "grid"
                )
        for row in rows:
            name, code = fold(row["name"] or ""), row["jurisdiction"] or ""
            if row["level"] == "building" and (match := _BUILDING_NAME.match(name)):
                ref = PlaceRef(row["id"], name, code, "building")
                buildings.setdefault(match.group(1), {})[match.group(2)] = ref
                if code in grids:
                    self._grid_of_estate[match.group(1)] = grids[code]
            elif row["level"] in ("street", "community") and name:
                admin.append(PlaceRef(row["id"], name, code, row["level"]))
        self._buildings = buildings
        self._admin = sorted(admin, key=lambda p: -len(p.name))
        if self.on_names:
            self.on_names([*buildings, *(p.name for p in admin)])

    def admin_names(self) -> dict[str, str]:
        """Community and street names by jurisdiction code (for hotspot titles)."""
        return {p.jurisdiction: p.name for p in self._admin if p.jurisdiction}

    async def resolve(self, address: str) -> PlaceRef | None:
        """The building the address names, else its estate's grid, community or street."""
        await self.refresh()
        parsed = parse_address(address)
        if parsed is None:
            return None
        estates = [e for e in self._buildings if e and e in parsed.head]
        estate = max(estates, key=len) if estates else None
        if estate and parsed.building and parsed.building in self._buildings[estate]:
            return self._buildings[estate][parsed.building]
        if estate and estate in self._grid_of_estate:
            grid = self._grid_of_estate[estate]
            return PlaceRef(grid.id, f"{estate}（{grid.name}）", grid.jurisdiction, "estate")
        return next((p for p in self._admin if p.name in parsed.text), None)

    async def admin_name(self, code: str) -> str | None:
        """The name of the street or community with this jurisdiction code."""
        await self.refresh()
        return next((p.name for p in self._admin if p.jurisdiction == code), None)

    async def admin_place(self, code: str) -> PlaceRef | None:
        """The street or community with this jurisdiction code."""
        await self.refresh()
        return next((p for p in self._admin if p.jurisdiction == code), None)

    async def by_id(self, place_id: str) -> PlaceRef:
        check_kind(place_id, "Place")
        found = (await self.links.nodes("Place", [place_id], None)).get(place_id)
        if found is None or not found.jurisdiction:
            raise BadInput(f"place {place_id} is not known to the hub", ErrorCode.UNKNOWN_PLACE)
        return PlaceRef(found.id, found.name or "", found.jurisdiction, found.level or "place")

    async def locate(self, place_id: str | None, address: str | None) -> PlaceRef:
        """The place of an app or Open311 submission; unknown places are refused (see README)."""
        if place_id:
            return await self.by_id(place_id)
        if address and address.strip():
            found = await self.resolve(address)
            if found is not None:
                return found
            raise BadInput(
                "地址无法匹配到本辖区已知地点 (the address matches no known place)",
                ErrorCode.UNKNOWN_PLACE,
                suggestion="give the estate and building, e.g. 和睦新村3幢, or a placeId",
            )
        raise BadInput(
            "请提供地点 (a placeId or an address is required)",
            ErrorCode.UNKNOWN_PLACE,
            suggestion="give placeId (plc_…) or address text",
        )
