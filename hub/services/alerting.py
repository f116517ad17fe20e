"""Precise services' input to the early warnings: modules whose forecast demand goes above
their capacity (`services.demand_forecast` of hub.alerts.inputs, read by the rule
`service_capacity` in policies/rules/demand.toml)."""

from typing import TYPE_CHECKING

from hub.alerts.inputs import Demand

if TYPE_CHECKING:
    from hub.services.service import Services

INPUT = "services.demand_forecast"


async def over_capacity(services: "Services", prefix: str) -> list[Demand]:
    """Each module of the communities under `prefix` ("" every one) whose forecast for the
    coming months rises above its monthly capacity, at its community's place."""
    places = services.runtime.civic.places
    demands = []
    for item in await services.suggestions.ranked([prefix], {}):
        evidence = item.evidence
        if not (item.forecast_over_capacity and evidence.capacity and evidence.forecast_mean):
            continue
        community = await places.admin_place(item.community)
        if community is not None:
            demands.append(Demand(item.name, community.id, item.community,
                                  max(evidence.forecast_mean), evidence.capacity))
    return demands
