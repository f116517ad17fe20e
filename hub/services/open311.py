"""Open311 services from the catalogue: every active module that takes residents' requests.

A module's code is its `service_code` (group 精准服务); a request to it is filed as an opinion
of the module kind's taxonomy category (modules.toml `category`), its text led by the module's
name, so the civic loop handles it like any other.
"""

from typing import Any

from sqlalchemy import select

from hub.services.records import Module

GROUP = "精准服务"


async def module_services(runtime: Any, jurisdiction: str | None = None) -> list[dict[str, Any]]:
    """One service per module code active (and taking requests) somewhere in `jurisdiction`."""
    statement = select(Module.code, Module.name, Module.community).where(
        Module.status == "active", Module.takes_requests.is_(True))
    if jurisdiction:
        statement = statement.where(Module.community.startswith(jurisdiction))
    async with runtime.sessions() as session:
        rows = list(await session.execute(statement.order_by(Module.code, Module.community)))
    vocabulary = runtime.services.vocabulary
    by_code: dict[str, tuple[str, list[str]]] = {}
    for code, name, community in rows:
        kind = vocabulary.kind(code)
        by_code.setdefault(code, (kind.name if kind else name, []))[1].append(community)
    out = []
    for code, (name, communities) in by_code.items():
        kind = vocabulary.kind(code)
        out.append({
            "service_code": code, "service_name": name,
            "description": f"社区服务申请：{name}（{len(communities)}个社区提供）",
            "metadata": False, "type": "realtime",
            "keywords": ",".join(kind.keywords[:20]) if kind else "", "group": GROUP,
        })
    return out


async def request_category(runtime: Any, code: str) -> tuple[str, str] | None:
    """(taxonomy category, module name) for a module code active somewhere, else None."""
    kind = runtime.services.vocabulary.kind(code)
    if kind is None or kind.category is None:
        return None
    async with runtime.sessions() as session:
        found = await session.scalar(select(Module.id).where(
            Module.code == code, Module.status == "active", Module.takes_requests.is_(True))
            .limit(1))
    return (kind.category, kind.name) if found is not None else None
