"""Inputs other domains feed capacity rules through: a named async function per input.

`services.demand_forecast` is the precise-services domain's: for a jurisdiction prefix it
returns one `Demand` per service module and place, the forecast next to the module's capacity.
That domain registers its function at start-up with `provide`; until one is registered, a
capacity rule on that input checks nothing (its status says so, see `hub.alerts.ruleset`).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Demand:
    module: str  # the service module's code, e.g. 助餐
    place_id: str  # the hub Place the forecast is for
    jurisdiction: str
    forecast: float  # expected demand over the module's period
    capacity: float


Provider = Callable[[str], Awaitable[list[Demand]]]
INPUTS: frozenset[str] = frozenset({"services.demand_forecast"})
_providers: dict[str, Provider] = {}


def provide(name: str, provider: Provider) -> None:
    if name not in INPUTS:
        raise ValueError(f"unknown alert input {name}")
    _providers[name] = provider


def provider(name: str) -> Provider | None:
    return _providers.get(name)


def withdraw(name: str) -> None:
    _providers.pop(name, None)
