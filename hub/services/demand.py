"""Demand analysis per community: signals classified into needs, ranked unmet needs, suggestions.

Signals of one (community, need): service use (monthly counts, `services_demand`), residents'
opinions naming the need (the module kinds' keywords, last three months), council topics and
decisions about it (a revision proposed), the target group's size against a module counted in
people, and the forecast. An unmet need is a need with no active module (`no_module`), or a
module whose monthly capacity the recent or forecast demand exceeds (`over_capacity`). Each
comes with a suggested optional module or item, or a capacity, and its evidence.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.convert import redact
from hub.civic.records import AgendaItem, CouncilSession, Decision, Opinion
from hub.errors import HubError
from hub.services.config import Vocabulary
from hub.services.records import DemandCount, Module, SuggestionDecision

RECENT = 6  # months that make "recent" demand (half a year: one noisy month weighs less)
MIN_DEMAND = 5.0  # a month's mean below which a need without a module is not suggested
OPINION_MONTHS = 3
AHEAD = 3  # forecast months compared with capacity
EXAMPLES = 3
HORIZON = 6
LEVEL = 0.8
PER_MONTH = {"/月": 1.0, "/周": 52 / 12, "/日": 30.0, "/天": 30.0}

Forecaster = Callable[[Sequence[float], int, float], Any]


def monthly_capacity(module: Module) -> float | None:
    """The module's capacity a month, when its unit is a rate (份/周, 人次/月); None for a
    stock (人, 托位), which is compared with the target group instead."""
    if module.capacity is None:
        return None
    for suffix, factor in PER_MONTH.items():
        if module.unit.endswith(suffix):
            return module.capacity * factor
    return None


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Evidence:
    recent: float = 0.0  # mean of the last RECENT months
    trend: float | None = None  # change against the same months a year before
    history: list[int] = field(default_factory=list)
    opinions: int = 0
    examples: list[str] = field(default_factory=list)
    council: list[str] = field(default_factory=list)  # topics and decisions naming the need
    group: str | None = None
    group_size: int | None = None
    capacity: float | None = None  # a month
    forecast_mean: list[float] = field(default_factory=list)
    forecast_lower: list[float] = field(default_factory=list)
    forecast_upper: list[float] = field(default_factory=list)
    forecast_method: str | None = None


@dataclass
class Suggestion:
    community: str
    need: str
    name: str
    kind: str  # no_module | over_capacity | revision
    score: float
    suggestion: str
    suggested_capacity: int | None
    module_id: int | None
    evidence: Evidence
    forecast_over_capacity: bool = False
    summary: str = ""
    decision: SuggestionDecision | None = None

    @property
    def unmet(self) -> bool:
        return self.kind in ("no_module", "over_capacity")


def classify(text: str, vocabulary: Vocabulary) -> list[str]:
    """The needs an opinion names (by the module kinds' keywords)."""
    return [code for code, kind in vocabulary.modules.items()
            if any(word in text for word in kind.keywords)]


def _in(column: Any, prefixes: Sequence[str]) -> Any:
    return or_(*(column.startswith(p) for p in prefixes))


async def history(
    session: AsyncSession, prefixes: Sequence[str], end: date, months: int
) -> dict[tuple[str, str], list[int]]:
    """(community, need) → counts for the `months` months up to `end`'s, oldest first (0 for
    a month without a row)."""
    labels = [month_label(shift(end, k - months + 1)) for k in range(months)]
    rows = await session.execute(
        select(DemandCount.community, DemandCount.need, DemandCount.month, DemandCount.count)
        .where(_in(DemandCount.community, prefixes), DemandCount.month >= labels[0],
               DemandCount.month <= labels[-1]))  # plain rows: tens of thousands in a district
    found: dict[tuple[str, str], dict[str, int]] = {}
    for community, need, month, count in rows:
        found.setdefault((community, need), {})[month] = count
    return {key: [by_month.get(m, 0) for m in labels] for key, by_month in found.items()}


async def store_history(
    session: AsyncSession, series: Mapping[tuple[str, str], Sequence[int]], end: date
) -> int:
    """Keeps monthly counts (the last for `end`'s month), replacing those of the same months."""
    count = 0
    for (community, need), counts in series.items():
        n = len(counts)
        labels = [month_label(shift(end, k - n + 1)) for k in range(n)]
        existing = {r.month: r for r in await session.scalars(select(DemandCount).where(
            DemandCount.community == community, DemandCount.need == need))}
        for label, value in zip(labels, counts, strict=True):
            row = existing.get(label)
            if row is None:
                session.add(DemandCount(community=community, need=need, month=label,
                                        count=int(value)))
            else:
                row.count = int(value)
            count += 1
    await session.commit()
    return count


async def opinion_signals(
    session: AsyncSession, prefixes: Sequence[str], since: datetime, vocabulary: Vocabulary
) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """(community, need) → (opinions naming the need since `since`, newest examples)."""
    rows = await session.execute(
        select(Opinion.jurisdiction, Opinion.text).where(
            _in(Opinion.jurisdiction, prefixes), Opinion.created_at >= since)
        .order_by(Opinion.created_at.desc()))
    found: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for jurisdiction, text in rows:
        community = (jurisdiction or "")[:12]
        for need in classify(text, vocabulary):
            n, examples = found.get((community, need), (0, []))
            if len(examples) < EXAMPLES:
                examples = [*examples, redact(text)[:80]]  # no phone or ID number
            found[community, need] = (n + 1, examples)
    return found


async def council_signals(
    session: AsyncSession, prefixes: Sequence[str], since: datetime, vocabulary: Vocabulary
) -> dict[tuple[str, str], list[str]]:
    """(community, need) → council topics (from standing hotspots) and decisions naming it."""
    found: dict[tuple[str, str], list[str]] = {}
    topics = await session.execute(select(AgendaItem.jurisdiction, AgendaItem.title).where(
        _in(AgendaItem.jurisdiction, prefixes), AgendaItem.updated_at >= since,
        AgendaItem.status.in_(("proposed", "accepted"))))
    decisions = await session.execute(
        select(CouncilSession.jurisdiction, Decision.text, Decision.outcome)
        .join(CouncilSession, CouncilSession.id == Decision.session_id)
        .where(and_(_in(CouncilSession.jurisdiction, prefixes), Decision.created_at >= since)))
    lines = [(j, f"议题：{t}") for j, t in topics]
    lines += [(j, f"议事会决定：{t}" + (f"（{o}）" if o else "")) for j, t, o in decisions]
    for jurisdiction, line in lines:
        for need in classify(line, vocabulary):
            found.setdefault(((jurisdiction or "")[:12], need), []).append(line[:120])
    return found


def describe(need_name: str, evidence: Evidence, end: date) -> str:
    """"预计 2026-09 助餐服务需求 +18%（80%区间 …）" from the forecast against recent demand."""
    if not evidence.forecast_mean or evidence.recent <= 0:
        return ""
    peak = max(range(len(evidence.forecast_mean)), key=lambda i: evidence.forecast_mean[i])
    change = evidence.forecast_mean[peak] / evidence.recent - 1
    month = shift(end, peak + 1)
    return (f"预计{month.year}年{month.month}月{need_name}需求{change:+.0%}"
            f"（{LEVEL:.0%}区间 {evidence.forecast_lower[peak]:.0f}–"
            f"{evidence.forecast_upper[peak]:.0f}，当前近{RECENT}月平均 {evidence.recent:.0f}）")


def rank(
    communities: Sequence[str],
    vocabulary: Vocabulary,
    modules: Sequence[Module],
    series: Mapping[tuple[str, str], list[int]],
    opinions: Mapping[tuple[str, str], tuple[int, list[str]]],
    council: Mapping[tuple[str, str], list[str]],
    groups: Mapping[str, Mapping[str, int]],
    forecaster: Forecaster | None,
    end: date,
) -> list[Suggestion]:
    """Every community's suggestions, unmet needs first, each ranked by its gap."""
    active = {(m.community, m.code): m for m in modules if m.status == "active"}
    out: list[Suggestion] = []
    for community in communities:
        for need, kind in vocabulary.modules.items():
            key = (community, need)
            counts = series.get(key, [])
            parent = vocabulary.modules.get(kind.parent or "")
            evidence = _evidence(counts, opinions.get(key), council.get(key), kind.group,
                                 groups.get(kind.group, {}).get(community))
            module = active.get(key)
            found = _judge(community, need, kind.name, module, evidence, forecaster, end)
            if found is not None and found.kind == "no_module":
                found.suggestion = (
                    f"建成规定动作模块：{kind.name}（目前未运行）" if kind.mandatory
                    else f"在{parent.name}内新增自选项目：{kind.name}" if parent
                    else f"新增自选模块：{kind.name}")
            if found is not None:
                out.append(found)
    out.sort(key=lambda s: (s.community, not s.unmet, -s.score))
    return out


def _evidence(
    counts: list[int], opinions: tuple[int, list[str]] | None, council: list[str] | None,
    group: str, size: int | None,
) -> Evidence:
    recent = sum(counts[-RECENT:]) / RECENT if len(counts) >= RECENT else 0.0
    year_before = counts[-12 - RECENT:-12] if len(counts) >= 12 + RECENT else []
    base = sum(year_before) / RECENT if year_before else 0.0
    return Evidence(
        recent=recent, trend=(recent / base - 1) if base else None, history=counts,
        opinions=opinions[0] if opinions else 0, examples=opinions[1] if opinions else [],
        council=council or [], group=group, group_size=size)


def _judge(
    community: str, need: str, name: str, module: Module | None, evidence: Evidence,
    forecaster: Forecaster | None, end: date,
) -> Suggestion | None:
    capacity = monthly_capacity(module) if module else None
    evidence.capacity = capacity
    stock = module.capacity if module and capacity is None else None
    over_now = capacity is not None and evidence.recent > capacity
    over_group = stock is not None and (evidence.group_size or 0) > stock
    wanted = module is None and (evidence.recent >= MIN_DEMAND or evidence.opinions >= 3)
    near = capacity is not None and evidence.recent >= 0.8 * capacity
    if forecaster is not None and len(evidence.history) >= 24 and (wanted or near or over_now):
        fill_forecast(evidence, forecaster)
    ahead = max(evidence.forecast_mean[:AHEAD], default=0.0)
    over_ahead = capacity is not None and ahead > capacity
    if wanted:
        kind, gap = "no_module", 1.0 + math.log1p(evidence.recent + evidence.opinions)
        text = f"新增自选模块：{name}"
    elif over_now or over_group or over_ahead:
        demand = max(evidence.recent, ahead, float(evidence.group_size or 0) if over_group else 0)
        limit = float(stock if over_group else capacity or 1)
        kind, gap = "over_capacity", demand / max(limit, 1.0) - 1
        have = f"{module.capacity}{module.unit}" if module else "0"
        text = f"{name}扩容：现有服务能力 {have}"
    elif evidence.council:
        kind, gap = "revision", 0.0
        text = f"议事会提出调整{name}"
    else:
        return None
    suggested = None
    if kind == "over_capacity" and module is not None:
        factor = (capacity / module.capacity) if capacity and module.capacity else 1.0
        demand = max(evidence.recent, ahead) if capacity else float(evidence.group_size or 0)
        suggested = 5 * math.ceil(demand * 1.2 / factor / 5)
        text += f"，建议提高到 {suggested}{module.unit}"
    return Suggestion(
        community=community, need=need, name=name, kind=kind, score=round(gap, 4),
        suggestion=text, suggested_capacity=suggested,
        module_id=module.id if module else None, evidence=evidence,
        forecast_over_capacity=over_ahead, summary=describe(name, evidence, end))


def fill_forecast(evidence: Evidence, forecaster: Forecaster) -> None:
    """The forecast of `evidence.history` into the evidence (none for a refused history)."""
    try:
        result = forecaster([float(c) for c in evidence.history], HORIZON, LEVEL)
    except (ValueError, HubError):  # a history it refuses: the rest of the evidence stands
        return
    evidence.forecast_mean = [float(x) for x in result.mean]
    evidence.forecast_lower = [float(x) for x in result.lower]
    evidence.forecast_upper = [float(x) for x in result.upper]
    evidence.forecast_method = str(result.method)


async def decisions(
    session: AsyncSession, prefixes: Sequence[str]
) -> dict[tuple[str, str, str], SuggestionDecision]:
    """The latest decision on each (community, need, kind)."""
    rows = await session.scalars(select(SuggestionDecision).where(
        _in(SuggestionDecision.community, prefixes)).order_by(SuggestionDecision.id))
    return {(r.community, r.need, r.kind): r for r in rows}


def opinion_window(end_at: datetime) -> datetime:
    return end_at - timedelta(days=31 * OPINION_MONTHS)
