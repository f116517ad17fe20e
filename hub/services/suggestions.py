"""Suggestions for a jurisdiction, and staff's decisions on them (accept, adjust, reject).

Accepting a `no_module` suggestion proposes the module in the catalogue; accepting an
`over_capacity` one raises the module's capacity to the suggested figure; adjusting does the
same with staff's own figure; rejecting records only. The decision, with the evidence it was
taken on, is written in the same transaction as the catalogue change.
"""

import asyncio
import dataclasses
import functools
import importlib
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub import clock
from hub.civic.periods import CST
from hub.civic.records import now
from hub.errors import BadInput, ErrorCode
from hub.services import demand
from hub.services.catalogue import ModuleSpec
from hub.services.groups import Counts
from hub.services.records import DemandCount, SuggestionDecision

if TYPE_CHECKING:
    from hub.services.service import Services

DECISIONS = ("accept", "adjust", "reject")
HISTORY_MONTHS = 48
FORECASTS_KEPT = 4096


class KeptForecasts:
    """hub.services.forecast.forecast kept per history: a forecast is a function of the counts
    alone and closed months do not change, so one series is fitted once per process (a new
    month is a new history)."""

    def __init__(self, fit: demand.Forecaster) -> None:
        self._kept = functools.lru_cache(maxsize=FORECASTS_KEPT)(
            lambda history, horizon, level: fit(history, horizon, level))

    def __call__(self, history: Sequence[float], horizon: int, level: float) -> Any:
        return self._kept(tuple(history), horizon, level)

    def clear(self) -> None:
        self._kept.cache_clear()


def forecaster() -> KeptForecasts | None:
    """The forecasting half of the domain (hub/services/forecast.py), when installed."""
    try:
        module = importlib.import_module("hub.services.forecast")
    except ImportError:
        return None
    fit = getattr(module, "forecast", None)
    return KeptForecasts(fit) if fit is not None else None


def this_month() -> date:
    today = clock.now().astimezone(CST).date()
    return today.replace(day=1)


class Suggestions:
    def __init__(self, services: "Services") -> None:
        self.services = services
        self.forecast = forecaster()

    async def ranked(
        self, prefixes: list[str], groups: Counts, end: date | None = None
    ) -> list[demand.Suggestion]:
        end = end or this_month()
        runtime = self.services.runtime
        vocabulary = self.services.vocabulary
        since = demand.opinion_window(clock.now())
        async with runtime.sessions() as session:
            series = await demand.history(session, prefixes, end, HISTORY_MONTHS)
            modules = await self.services.catalogue.modules(session, prefixes)
            opinions = await demand.opinion_signals(session, prefixes, since, vocabulary)
            council = await demand.council_signals(session, prefixes, since, vocabulary)
            decided = await demand.decisions(session, prefixes)
        communities = sorted({c for c, _ in series} | {m.community for m in modules})
        # Fitting forecasts is CPU work: off the event loop, so other requests go on.
        found = await asyncio.to_thread(demand.rank, communities, vocabulary, modules, series,
                                        opinions, council, groups, self.forecast, end)
        for item in found:
            item.decision = decided.get((item.community, item.need, item.kind))
        return found

    async def warm(self) -> int:
        """Fit the forecasts every street's suggestions show (in the background at start: the
        first fits, and the forecasting library's import, take seconds). Returns the streets."""
        async with self.services.runtime.sessions() as session:
            codes = await session.scalars(select(DemandCount.community).distinct())
            streets = sorted({c[:9] for c in codes})
        for street in streets:
            await self.ranked([street], {})
        return len(streets)

    async def decide(
        self, community: str, need: str, kind: str, decision: str, note: str, actor: str,
        groups: Counts, capacity: int | None = None, name: str | None = None,
    ) -> SuggestionDecision:
        if decision not in DECISIONS:
            raise BadInput("decision must be accept, adjust or reject")
        if decision == "adjust" and capacity is None and name is None:
            raise BadInput("an adjustment gives a capacity or a name")
        current = [s for s in await self.ranked([community], groups)
                   if s.community == community and s.need == need and s.kind == kind]
        if not current:
            raise BadInput(f"no {kind[:16]} suggestion for {need[:32]} in {community} now",
                           ErrorCode.NOT_FOUND, suggestion="list suggestions first")
        item = current[0]
        catalogue = self.services.catalogue
        async with self.services.runtime.sessions() as session:
            module_id = item.module_id
            existing = await catalogue.find(session, community, need)
            if decision != "reject" and item.kind == "no_module" and existing is not None:
                if existing.status == "retired":
                    raise BadInput(f"module {need} was retired here; add a new optional item",
                                   ErrorCode.BAD_STATE)
                existing.status, existing.updated_at = "active", now()
                catalogue.record(session, existing, "active", f"采纳需求分析建议：{note}", actor)
                module_id = existing.id
            elif decision != "reject" and item.kind == "no_module":
                module = await catalogue.add(
                    session, community, ModuleSpec(need, name=name, capacity=capacity),
                    actor, note=f"采纳需求分析建议：{note}", commit=False)
                module_id = module.id
            elif decision != "reject" and item.module_id is not None:
                module = await catalogue.get(session, item.module_id)
                wanted = capacity if decision == "adjust" else item.suggested_capacity
                await catalogue.update(session, module, ModuleSpec(need, name=name,
                                       capacity=wanted), actor,
                                       f"采纳需求分析建议：{note}", commit=False)
            row = SuggestionDecision(
                community=community, need=need, kind=kind, decision=decision,
                note=note.strip()[:2000], module_id=module_id, evidence=_snapshot(item),
                actor=actor[:120], created_at=now())
            session.add(row)
            await session.commit()
        return row


def _snapshot(item: demand.Suggestion) -> dict[str, Any]:
    evidence = dataclasses.asdict(item.evidence)
    evidence["history"] = evidence["history"][-12:]
    return {"suggestion": item.suggestion, "score": item.score, "summary": item.summary,
            "evidence": evidence}
