"""Rules over what the stream brought: `event` rules fire at once, `count` rules when enough
events of their types happened at one building within their window (and, when they ask, the
residents complained about it there: civic opinions with their keywords, same window)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.alerts.lifecycle import Firing, Proof
from hub.alerts.records import Signal
from hub.alerts.rules import Rule
from hub.alerts.world import World
from hub.civic.records import Opinion

MAX_EVIDENCE = 20


def proof(signal: Signal) -> Proof:
    return Proof("event", f"{signal.source}/{signal.key}", signal.type, signal.at,
                 signal.place_id, signal.thing_id, signal.person_id, signal.jurisdiction)


def _subject(rule: Rule, signal: Signal) -> str:
    return (signal.building_id or signal.place_id) if rule.group_by == "building" else (
        signal.place_id)


async def on_signals(
    session: AsyncSession, world: World, rules: Sequence[Rule], signals: Sequence[Signal]
) -> list[Firing]:
    """Event rules fire on each signal; count rules are asked once per subject of the batch,
    at its latest signal (the window then holds every earlier one)."""
    firings: list[Firing] = []
    latest: dict[tuple[str, str], tuple[Rule, Signal]] = {}
    for signal in sorted(signals, key=lambda s: (s.at, s.id)):
        for rule in rules:
            subject = _subject(rule, signal)
            if signal.type not in rule.event_types or not subject:
                continue
            if rule.kind == "event":
                firings.append(_firing(rule, subject, signal, [proof(signal)]))
            elif rule.kind == "count":
                latest[(rule.id, subject)] = (rule, signal)
    for (_rule_id, subject), (rule, signal) in latest.items():
        if (found := await _count(session, world, rule, subject, signal)) is not None:
            firings.append(found)
    return firings


def _firing(rule: Rule, subject: str, signal: Signal, evidence: list[Proof]) -> Firing:
    return Firing(rule, subject, signal.jurisdiction, signal.at, evidence, place_id=subject)


async def _count(
    session: AsyncSession, world: World, rule: Rule, subject: str, signal: Signal
) -> Firing | None:
    """Enough events up to `signal` within the window (and opinions, when asked)."""
    since = signal.at - timedelta(days=rule.window_days)
    column = Signal.building_id if rule.group_by == "building" else Signal.place_id
    rows = list(await session.scalars(
        select(Signal).where(column == subject, Signal.type.in_(rule.event_types),
                             Signal.at > since, Signal.at <= signal.at)
        .order_by(Signal.at.desc()).limit(MAX_EVIDENCE)))
    if len(rows) < rule.min_events:
        return None
    evidence = [proof(s) for s in rows]
    if rule.min_opinions:
        opinions = await _opinions(session, world, rule, subject, since, signal)
        if len(opinions) < rule.min_opinions:
            return None
        evidence += opinions
    return _firing(rule, subject, signal, evidence)


async def _opinions(
    session: AsyncSession, world: World, rule: Rule, building: str, since, signal: Signal
) -> list[Proof]:
    """Residents' opinions at the building (or below it) with one of the rule's keywords."""
    places = await world.within(building)
    words = [Opinion.text.contains(w) for w in rule.opinion_keywords]
    rows = await session.scalars(
        select(Opinion).where(Opinion.place_id.in_(places), Opinion.created_at > since,
                              Opinion.created_at <= signal.at, or_(*words) if words else True)
        .order_by(Opinion.created_at.desc()).limit(MAX_EVIDENCE))
    return [Proof("opinion", o.id, o.category, o.created_at, o.place_id or "",
                  jurisdiction=o.jurisdiction or "") for o in rows]


async def on_opinions(
    session: AsyncSession, world: World, rule: Rule, now: datetime
) -> list[Firing]:
    """A count rule that needs complaints, asked again when they come after the events: the
    buildings with such opinions in the window, at their latest event of the window."""
    since = now - timedelta(days=rule.window_days)
    words = [Opinion.text.contains(w) for w in rule.opinion_keywords]
    places = set(await session.scalars(select(Opinion.place_id).where(
        Opinion.created_at > since, Opinion.created_at <= now, Opinion.place_id.is_not(None),
        or_(*words) if words else True)))
    found = await world.buildings(sorted(p for p in places if p))
    subjects = sorted({b for b, _j in found.values()})
    column = Signal.building_id if rule.group_by == "building" else Signal.place_id
    firings = []
    for subject in subjects:
        latest = await session.scalar(
            select(Signal).where(column == subject, Signal.type.in_(rule.event_types),
                                 Signal.at > since, Signal.at <= now)
            .order_by(Signal.at.desc()).limit(1))
        if latest is not None:
            latest_now = _at(latest, now)
            if (firing := await _count(session, world, rule, subject, latest_now)) is not None:
                firings.append(firing)
    return firings


def _at(signal: Signal, now: datetime) -> Signal:
    """The signal as if it happened `now`: its window then reaches the opinions since."""
    return Signal(id=signal.id, source=signal.source, key=signal.key, type=signal.type, at=now,
                  place_id=signal.place_id, building_id=signal.building_id,
                  thing_id=signal.thing_id, person_id=signal.person_id,
                  jurisdiction=signal.jurisdiction, value=signal.value)

