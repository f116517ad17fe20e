"""Rules checked on the clock rather than on an event: nobody active for too long (`absence`),
a burst of residents' opinions at one place (`surge`), demand above capacity (`capacity`).
"now" is the hub's clock (hub.clock), so tests and replays pin it."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.alerts import evaluate, inputs
from hub.alerts.lifecycle import Firing, Proof
from hub.alerts.records import Signal
from hub.alerts.rules import Rule
from hub.alerts.world import World
from hub.civic.records import Opinion


async def check(session: AsyncSession, world: World, rules: Sequence[Rule]) -> list[Firing]:
    now = clock.now()
    firings: list[Firing] = []
    for rule in rules:
        if rule.kind == "absence":
            firings += await absence(session, world, rule, now)
        elif rule.kind == "surge":
            firings += await surge(session, world, rule, now)
        elif rule.kind == "capacity":
            firings += await capacity(world, rule, now)
        elif rule.kind == "count" and rule.min_opinions:
            firings += await evaluate.on_opinions(session, world, rule, now)
    return firings


async def absence(session: AsyncSession, world: World, rule: Rule, now: datetime) -> list[Firing]:
    """People of the population whose last activity (their own door access, water at home) is
    older than `quiet_hours`. Homes with no activity within `lookback_days` are not watched."""
    assert rule.population is not None
    people = await world.population(rule.population.attribute, rule.population.equals)
    if not people:
        return []
    homes = await world.residences([p.id for p in people])
    since = now - timedelta(days=rule.lookback_days)
    by_person = await _last(session, Signal.person_id, [p.id for p in people], rule, since, now)
    by_place = await _last(session, Signal.place_id, list(set(homes.values())), rule, since, now)
    quiet = timedelta(hours=rule.quiet_hours)
    firings = []
    for person in people:
        home = homes.get(person.id, "")
        seen = [s for s in (by_person.get(person.id), by_place.get(home)) if s is not None]
        if not seen:
            continue
        last = max(seen, key=lambda s: s.at)
        if now - last.at >= quiet:
            ref = f"{person.id}:{last.at.isoformat()}"
            evidence = [Proof("person", person.id, "population", None, home, "", person.id,
                              person.jurisdiction or "", {"attribute": rule.population.attribute}),
                        Proof("event", f"{last.source}/{last.key}", last.type, last.at,
                              last.place_id, last.thing_id, last.person_id, last.jurisdiction,
                              {"last": True, "quiet_since": ref})]
            firings.append(Firing(rule, person.id, person.jurisdiction or last.jurisdiction,
                                  last.at + quiet, evidence, place_id=home,
                                  person_id=person.id, episode=last.at.isoformat()))
    return firings


async def _last(session: AsyncSession, column, keys: list[str], rule: Rule, since: datetime,
                now: datetime) -> dict[str, Signal]:
    """The latest activity signal per key (person or place) within [since, now]."""
    if not keys:
        return {}
    latest = (select(column.label("k"), func.max(Signal.at).label("m"))
              .where(column.in_(keys), Signal.type.in_(rule.activity), Signal.at >= since,
                     Signal.at <= now).group_by(column).subquery())
    rows = await session.scalars(
        select(Signal).join(latest, (column == latest.c.k) & (Signal.at == latest.c.m))
        .where(Signal.type.in_(rule.activity)))
    found: dict[str, Signal] = {}
    for signal in rows:
        found.setdefault(getattr(signal, column.key), signal)
    return found


async def surge(session: AsyncSession, world: World, rule: Rule, now: datetime) -> list[Firing]:
    """Places with at least `min_opinions` opinions in the last `window_hours`, and `factor`
    times their usual count for such a window over the `baseline_days` before."""
    window = timedelta(hours=rule.window_hours)
    start, base = now - window, now - window - timedelta(days=rule.baseline_days)
    recent = dict((await session.execute(
        select(Opinion.place_id, func.count()).where(
            Opinion.created_at > start, Opinion.created_at <= now, Opinion.place_id.is_not(None))
        .group_by(Opinion.place_id).having(func.count() >= rule.min_opinions))).all())
    if not recent:
        return []
    before = dict((await session.execute(
        select(Opinion.place_id, func.count()).where(
            Opinion.created_at > base, Opinion.created_at <= start,
            Opinion.place_id.in_(list(recent))).group_by(Opinion.place_id))).all())
    windows = max(rule.baseline_days * 24 / rule.window_hours, 1.0)
    firings = []
    for place, count in sorted(recent.items()):
        usual = before.get(place, 0) / windows
        if count < rule.factor * max(usual, 1.0 / windows):
            continue
        nodes = await world.nodes("Place", [place])
        node = nodes.get(place)
        if node is None:
            continue
        ids = list(await session.scalars(select(Opinion.id).where(
            Opinion.place_id == place, Opinion.created_at > start,
            Opinion.created_at <= now).order_by(Opinion.created_at.desc()).limit(20)))
        evidence = [Proof("opinion", i, "", None, place, jurisdiction=node.jurisdiction or "")
                    for i in ids]
        evidence.append(Proof("count", f"{place}:opinions", "opinions", now, place,
                              jurisdiction=node.jurisdiction or "",
                              detail={"count": count, "usual": round(usual, 2)}))
        firings.append(Firing(rule, place, node.jurisdiction or "", now, evidence,
                              place_id=place))
    return firings


async def capacity(world: World, rule: Rule, now: datetime) -> list[Firing]:
    """Forecast demand above `ratio` × capacity, from the input another domain provides."""
    provider = inputs.provider(rule.input)
    if provider is None:
        return []
    firings = []
    for demand in await provider(""):
        if demand.forecast <= rule.ratio * demand.capacity:
            continue
        detail = {"module": demand.module, "forecast": demand.forecast,
                  "capacity": demand.capacity}
        evidence = [Proof("forecast", f"{demand.module}:{demand.place_id}", demand.module, now,
                          demand.place_id, jurisdiction=demand.jurisdiction, detail=detail)]
        firings.append(Firing(rule, f"{demand.place_id}", demand.jurisdiction, now, evidence,
                              place_id=demand.place_id))
    return firings
