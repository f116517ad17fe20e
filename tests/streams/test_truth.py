"""The replay holds exactly its planted situations: what makes each is in the traffic, and the
noise and device faults make none (STREAMS.md 2)."""

from collections import defaultdict
from datetime import datetime, timedelta

import orjson

from demo.devices import registry
from demo.devices.simulate import replay
from demo.devices.truth import lift_complaints, situations
from hub.civic.periods import CST
from tests.conftest import DEMO_SEED, DemoEnv

START = datetime(2026, 6, 1, tzinfo=CST)
DAYS = 7


def traffic(demo: DemoEnv) -> list[tuple[str, str, str | None, datetime, str]]:
    """(device, kind, card holder, at, topic) of a week's replay."""
    out = []
    for topic, body, at in replay(DEMO_SEED, START, DAYS, 0, demo.data_dir):
        data = orjson.loads(body)
        device = data.get("cameraId") or data.get("deviceSn") or data.get("lamp")
        kind = data.get("eventType") or data.get("kind") or data.get("type")
        out.append((device, kind, data.get("cardHolder"), at, topic))
    return out


def test_the_truth_is_the_same_for_a_seed(demo: DemoEnv) -> None:
    first = situations(DEMO_SEED, START, DAYS, demo.data_dir)
    assert first == situations(DEMO_SEED, START, DAYS, demo.data_dir)
    assert {s.kind for s in first} == {"inactive_elderly", "lift_faults", "smoke_alarm",
                                       "repeated_high_throw"}
    assert first != situations(DEMO_SEED + 1, START, DAYS, demo.data_dir)


def test_the_replay_holds_the_planted_situations_and_nothing_else(demo: DemoEnv) -> None:
    devices = {d.key: d for d in registry.build(demo.data_dir, DEMO_SEED)}
    truth = situations(DEMO_SEED, START, DAYS, demo.data_dir)
    sent = traffic(demo)
    assert [m[3] for m in sent] == sorted(m[3] for m in sent)  # in time order
    by_building: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    smoke = set()
    for device, kind, _, at, _ in sent:
        by_building[(devices[device].building, kind)].append(at)
        if kind == "smoke":
            smoke.add(at)
    lifts = {b for (b, k), times in by_building.items() if k == "lift_fault" and
             any(len([t for t in times if t0 <= t < t0 + timedelta(days=7)]) >= 3 for t0 in times)}
    assert {f"property/building/{b}" for b in lifts} == {
        s.place_source_key for s in truth if s.kind == "lift_faults"}
    throws = {b for (b, k), times in by_building.items() if k == "高空抛物" and len(times) >= 2}
    assert {f"property/building/{b}" for b in throws} == {
        s.place_source_key for s in truth if s.kind == "repeated_high_throw"}
    assert smoke and smoke == {s.start for s in truth if s.kind == "smoke_alarm"}
    for elder in (s for s in truth if s.kind == "inactive_elderly"):
        record = elder.person_source_key.removeprefix("civil/care_record/")  # type: ignore[union-attr]
        room = elder.place_source_key.removeprefix("property/room/")
        quiet = [m for m in sent if elder.start <= m[3] < elder.end and (
            m[2] == record or (m[1] == "water" and devices[m[0]].room == room))]
        assert quiet == [], quiet[:3]
        assert any(m[2] == record for m in sent if m[3] < elder.start)  # active before
    offline = [m for m in sent if m[1] == "offline" and devices[m[0]].kind == "water"]
    assert offline  # meters fail, and their elders still come and go: no situation


def test_lift_complaints_come_with_each_lift_fault_cluster(demo: DemoEnv) -> None:
    truth = [s for s in situations(DEMO_SEED, START, DAYS, demo.data_dir)
             if s.kind == "lift_faults"]
    complaints = lift_complaints(DEMO_SEED, START, DAYS, demo.data_dir)
    for cluster in truth:
        mine = [c for c in complaints if c.building_source_key == cluster.place_source_key]
        assert len(mine) == 2
        assert all(cluster.start <= c.at <= cluster.end and "电梯" in c.text for c in mine)
