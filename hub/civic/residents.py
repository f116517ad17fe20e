"""Finding residents to register for a council session: by name, phone or address.

Reads go through the request's `EntityService`, so the caller's row scope and field masking
apply as in any `people` query: a community worker finds her community's residents only.
"""

from typing import TYPE_CHECKING

from graph.model import Node
from hub.errors import BadInput
from hub.linking.normalize import normalize_phone

if TYPE_CHECKING:
    from hub.civic.service import Civic
    from hub.entities import EntityService

MAX_SEARCH = 100


async def search(
    entities: "EntityService", civic: "Civic", jurisdiction: str, text: str, limit: int
) -> list[Node]:
    text = (text or "").strip()
    if not text or len(text) > MAX_SEARCH:
        raise BadInput(f"search must be 1-{MAX_SEARCH} characters: a name, phone or address")
    phone = normalize_phone(text) if any(c.isdigit() for c in text) else None
    if phone:
        return await _by(entities, jurisdiction, {"phone": phone}, limit)
    place = await civic.places.resolve(text) if any(c.isdigit() for c in text) else None
    if place is not None and place.jurisdiction.startswith(jurisdiction):
        return await _at(entities, place.id, limit)
    return await _by(entities, jurisdiction, {"name": text}, limit)


async def _by(
    entities: "EntityService", jurisdiction: str, filters: dict[str, str], limit: int
) -> list[Node]:
    page = await entities.page("Person", 0, limit, {"jurisdiction": jurisdiction, **filters},
                               count=False)
    return page.nodes


async def _at(entities: "EntityService", place_id: str, limit: int) -> list[Node]:
    """Residents living at a building (or below it), as far as the caller may see them."""
    place = await entities.get("Place", place_id)
    if place is None:
        return []
    return await entities.related(place, "place_residents", "Person", limit)
