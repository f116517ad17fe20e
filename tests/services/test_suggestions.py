"""Demand analysis over the seeded demo: unmet needs found against the planted truth, their
evidence, a council topic proposing a revision, and staff's decisions (nothing half-written)."""

import re

import httpx
import pytest
from sqlalchemy import func, select

from demo.service_demand import demand_truth
from hub.civic.records import AgendaItem, now
from hub.runtime import Runtime
from hub.services.demo_seed import DEMAND_SEED, communities_of
from hub.services.records import Module, ModuleChange, SuggestionDecision
from hub.services.suggestions import this_month
from tests.services.conftest import MINE, OTHER, STREET, Caller, codes, resident, residents_of

pytestmark = pytest.mark.usefixtures("services_demo")

SUGGESTIONS = """query($j: String!, $top: Int, $u: Boolean) {
  serviceSuggestions(jurisdiction: $j, top: $top, unmetOnly: $u) {
    community need name kind unmet score suggestion suggestedCapacity moduleId
    forecastOverCapacity summary
    evidence { recent trend history opinions examples council capacity
      targetGroup { code count suppressed withheld } forecast { method mean lower upper } }
    decision { decision note actor moduleId } } }"""
DECIDE = """mutation($c: String!, $n: String!, $k: String!, $d: SuggestionVerdict!,
  $note: String!, $cap: Int) {
  decideServiceSuggestion(community: $c, need: $n, kind: $k, decision: $d, note: $note,
    capacity: $cap) { decision note actor moduleId } }"""


async def _planted(runtime: Runtime) -> set[tuple[str, str, str]]:
    communities = await communities_of(runtime)
    truth = demand_truth(DEMAND_SEED, communities, this_month())
    return set(truth.unmet_needs)


async def test_unmet_needs_against_the_planted_truth(street: Caller, runtime: Runtime) -> None:
    planted = await _planted(runtime)
    assert planted and {c for c, _, _ in planted} <= {MINE, OTHER}
    found = (await street.data(SUGGESTIONS, j=STREET, top=5, u=True))["serviceSuggestions"]
    suggested = {(s["community"], s["need"], s["kind"]) for s in found}
    hits = planted & suggested
    assert len(hits) / len(planted) >= 0.9, (planted, suggested)
    assert len(hits) / len(suggested) >= 0.8, (planted, suggested)
    for s in found:
        e = s["evidence"]
        assert s["unmet"] and len(e["history"]) == 24 and e["recent"] > 0
        if s["kind"] == "over_capacity":
            assert s["moduleId"] and s["suggestedCapacity"] and s["suggestedCapacity"] > 0
            assert e["capacity"] is not None
        else:
            assert s["moduleId"] is None or e["capacity"] is None
        assert e["targetGroup"] is not None and not e["targetGroup"]["withheld"]
        assert not any(re.search(r"\d{7,}", text) for text in e["examples"])


async def test_forecasts_beside_the_suggestions(street: Caller, runtime: Runtime) -> None:
    suggestions = runtime.services.suggestions
    assert suggestions.forecast is not None
    assert await suggestions.warm() == 1  # the demo street, as the hub does at start
    found = (await street.data(SUGGESTIONS, j=STREET, top=5, u=True))["serviceSuggestions"]
    over = [s for s in found if s["kind"] == "over_capacity"]
    assert over
    for s in over:
        f = s["evidence"]["forecast"]
        assert f and len(f["mean"]) == 6 and s["summary"].startswith("预计")
        assert "80%区间" in s["summary"] and s["name"] in s["summary"]
        assert all(lo <= mu <= hi for lo, mu, hi in zip(f["lower"], f["mean"], f["upper"],
                                                         strict=True))


async def test_a_council_topic_proposes_a_revision(street: Caller, runtime: Runtime) -> None:
    at = now()
    async with runtime.sessions() as session:
        session.add(AgendaItem(
            jurisdiction=MINE, period_start=at, period_end=at, signature="services-test-legal",
            title="邻里纠纷多，建议设立社区调解室", summary="居民反映邻里纠纷调解难",
            category="community", keywords=["纠纷", "调解"], places=[], departments=[],
            score=3.0, growth=1.0, status="accepted", created_at=at, updated_at=at))
        await session.commit()
    found = (await street.data(SUGGESTIONS, j=MINE, top=10))["serviceSuggestions"]
    legal = [s for s in found if s["need"] == "legal"]
    assert legal and legal[0]["kind"] in ("revision", "over_capacity", "no_module")
    assert any("调解室" in line for line in legal[0]["evidence"]["council"])


async def _state(runtime: Runtime) -> tuple[int, int, int]:
    async with runtime.sessions() as session:
        return tuple([int(await session.scalar(select(func.count()).select_from(t)) or 0)
                      for t in (Module, ModuleChange, SuggestionDecision)])  # type: ignore[return-value]


async def test_staff_decide_and_callers_stay_in_scope(
    client: httpx.AsyncClient, worker: Caller, street: Caller, runtime: Runtime
) -> None:
    before = await _state(runtime)
    assert codes(await worker(SUGGESTIONS, j=OTHER)) == ["FORBIDDEN"]
    person = Caller(client, resident((await residents_of(runtime, MINE, 1))[0]))
    assert codes(await person(SUGGESTIONS, j=MINE)) == ["FORBIDDEN"]
    missing = await street(DECIDE, c=MINE, n="government", k="no_module", d="ACCEPT", note="x")
    assert codes(missing) == ["NOT_FOUND"]
    planted = sorted(await _planted(runtime))
    other = next(p for p in planted if p[0] == OTHER)
    refused = await worker(DECIDE, c=other[0], n=other[1], k=other[2], d="ACCEPT", note="越权")
    assert codes(refused) == ["FORBIDDEN"]
    no_note = await street(DECIDE, c=other[0], n=other[1], k=other[2], d="REJECT", note=" ")
    assert codes(no_note) == ["BAD_INPUT"]
    assert await _state(runtime) == before

    over = next((p for p in planted if p[2] == "over_capacity"), None)
    assert over is not None
    adjusted = (await street.data(DECIDE, c=over[0], n=over[1], k=over[2], d="ADJUST",
                                  note="先扩容至能力上限，下季度再评估", cap=999))[
        "decideServiceSuggestion"]
    assert adjusted["decision"] == "adjust" and adjusted["moduleId"]
    async with runtime.sessions() as session:
        module = await session.get(Module, int(adjusted["moduleId"]))
        assert module is not None and module.capacity == 999
    rejected = next(p for p in planted if p != over)
    done = (await street.data(DECIDE, c=rejected[0], n=rejected[1], k=rejected[2], d="REJECT",
                              note="已由相邻社区服务点覆盖"))["decideServiceSuggestion"]
    assert done["decision"] == "reject" and done["actor"] == "street-office-1"
    shown = (await street.data(SUGGESTIONS, j=rejected[0], top=10))["serviceSuggestions"]
    mine = next(s for s in shown if (s["need"], s["kind"]) == rejected[1:])
    assert mine["decision"]["decision"] == "reject"
    modules, changes, decisions = await _state(runtime)
    assert decisions == before[2] + 2 and changes == before[1] + 1 and modules == before[0]
