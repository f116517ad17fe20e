"""Who answers residents: an organisation and its office, never an account id.

The office of a jurisdiction is configured (`HUB_CIVIC_OFFICES=code=name,…`), else named from
the link graph's places: a street's 办事处 (小河街道办事处), a community's 居民委员会
(长征桥社区居民委员会). Staff act through the office of the narrowest jurisdiction of theirs
that the record touches.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hub.civic.places import PlaceIndex

FALLBACK = "社区工作人员"
SUFFIX = {9: "办事处", 12: "居民委员会"}  # street and community codes


def configured(raw: str) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in raw.split(",") if "=" in item]
    return {code.strip(): name.strip() for code, name in pairs if code.strip() and name.strip()}


class Offices:
    def __init__(self, places: "PlaceIndex", raw: str = "") -> None:
        self.places = places
        self.named = configured(raw)

    async def area(self, code: str | None) -> str:
        """The place a jurisdiction code names (小河街道, 长征桥社区); its code when unknown."""
        if not code:
            return ""
        return await self.places.admin_name(code) or code

    async def office(self, code: str | None) -> str:
        """The office answering for a jurisdiction."""
        if not code:
            return FALLBACK
        if code in self.named:
            return self.named[code]
        name = await self.places.admin_name(code)
        suffix = SUFFIX.get(len(code), "")
        if not name:
            return FALLBACK
        return name if name.endswith(suffix) else name + suffix
