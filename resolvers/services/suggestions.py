"""Root fields of demand analysis: ranked suggestions per community and staff's decisions."""

from enum import Enum

import strawberry

from hub.errors import BadInput
from hub.services import demand
from hub.services.access import DEMAND, GROUP, MODULE
from hub.services.catalogue import check_community
from hub.services.groups import Counts
from resolvers.context import Info
from resolvers.services.access import Caller, caller, group_counts, shown
from resolvers.services.types import (
    DemandEvidence,
    DemandForecast,
    DemandSuggestion,
    SuggestionDecision,
    TargetGroupSize,
)


@strawberry.enum(description="对建议的决定")
class SuggestionVerdict(Enum):
    ACCEPT = "accept"
    ADJUST = "adjust"
    REJECT = "reject"


async def _groups(info: Info, who: Caller, jurisdiction: str) -> Counts:
    """Group sizes where the caller may see them (none elsewhere: the evidence says withheld)."""
    granted = [p for act in ("read", "aggregate") for p in who.scopes(GROUP, act)
               if jurisdiction.startswith(p)]
    return await group_counts(info, jurisdiction) if granted else {}


def _size(info: Info, item: demand.Suggestion, groups: Counts) -> TargetGroupSize | None:
    evidence = item.evidence
    if evidence.group is None:
        return None
    names = info.context.runtime.services.vocabulary.groups
    name = names[evidence.group].name if evidence.group in names else evidence.group
    if not groups:
        return TargetGroupSize(code=evidence.group, name=name, community=item.community,
                               count=None, suppressed=False, withheld=True)
    n = groups.get(evidence.group, {}).get(item.community, 0)
    return TargetGroupSize(code=evidence.group, name=name, community=item.community,
                           count=shown(n), suppressed=shown(n) is None, withheld=False)


def _suggestion(info: Info, item: demand.Suggestion, groups: Counts) -> DemandSuggestion:
    e = item.evidence
    forecast = DemandForecast(method=e.forecast_method or "", level=demand.LEVEL,
                              mean=e.forecast_mean, lower=e.forecast_lower,
                              upper=e.forecast_upper) if e.forecast_mean else None
    return DemandSuggestion(
        community=item.community, need=item.need, name=item.name, kind=item.kind,
        unmet=item.unmet, score=item.score, suggestion=item.suggestion,
        suggested_capacity=item.suggested_capacity,
        module_id=strawberry.ID(str(item.module_id)) if item.module_id else None,
        forecast_over_capacity=item.forecast_over_capacity, summary=item.summary,
        evidence=DemandEvidence(
            recent=round(e.recent, 2), trend=round(e.trend, 4) if e.trend is not None else None,
            history=e.history[-24:], opinions=e.opinions, examples=e.examples,
            council=e.council, target_group=_size(info, item, groups),
            capacity=e.capacity, forecast=forecast),
        decision=SuggestionDecision(row=item.decision) if item.decision else None)


@strawberry.type
class SuggestionQuery:
    @strawberry.field(
        description="需求分析：各社区未满足的需求（无模块、超出服务能力）及建议，按缺口排序"
    )
    async def service_suggestions(
        self, info: Info, jurisdiction: str, top: int = 5, unmet_only: bool = False
    ) -> list[DemandSuggestion]:
        if not 1 <= top <= 50:
            raise BadInput("top must be between 1 and 50")
        who = caller(info)
        prefixes = who.prefixes(DEMAND, "read", jurisdiction)
        assert prefixes is not None
        groups = await _groups(info, who, jurisdiction)
        found = await info.context.runtime.services.suggestions.ranked(prefixes, groups)
        out: list[DemandSuggestion] = []
        per: dict[str, int] = {}
        for item in found:
            if unmet_only and not item.unmet:
                continue
            if per.get(item.community, 0) >= top:
                continue
            per[item.community] = per.get(item.community, 0) + 1
            out.append(_suggestion(info, item, groups))
        return out


@strawberry.type
class SuggestionMutation:
    @strawberry.mutation(
        description="对建议作出决定：采纳（新增模块或扩容）、调整（自定能力或名称）、不采纳"
    )
    async def decide_service_suggestion(
        self, info: Info, community: str, need: str, kind: str, decision: SuggestionVerdict,
        note: str, capacity: int | None = None, name: str | None = None,
    ) -> SuggestionDecision:
        who = caller(info)
        who.require(DEMAND, "write", check_community(community))
        if decision != SuggestionVerdict.REJECT:
            who.require(MODULE, "write", community)
        if not note.strip():
            raise BadInput("a decision needs a note (why)")
        groups = await _groups(info, who, community)
        row = await info.context.runtime.services.suggestions.decide(
            community, need, kind, decision.value, note, who.name, groups, capacity, name)
        return SuggestionDecision(row=row)
