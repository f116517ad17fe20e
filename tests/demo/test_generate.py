"""The generator: deterministic, internally consistent, complete ground truth."""

import csv
import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from demo import idcard
from demo.generate import generate
from tests.demo.conftest import AS_OF, RESIDENTS, query, read_csv

PROPERTY_FILES = ("buildings.csv", "rooms.csv", "repair_orders.csv", "facilities.csv")


def _snapshot(root: Path) -> dict[str, object]:
    out = root / "demo"
    snap: dict[str, object] = {name: (out / "property" / name).read_bytes()
                               for name in PROPERTY_FILES}
    snap["truth"] = (out / "truth.csv").read_bytes()
    snap["links"] = (out / "truth_links.csv").read_bytes()
    snap["civil"] = query(out / "civil.sqlite", "SELECT * FROM care_records ORDER BY record_id")
    snap["urban"] = query(out / "urban.sqlite", "SELECT * FROM cases ORDER BY case_no")
    snap["police"] = query(out / "police.sqlite", "SELECT * FROM residents ORDER BY person_no")
    snap["gates"] = query(out / "police.sqlite", "SELECT * FROM gate_events ORDER BY event_no")
    return snap


def test_same_seed_same_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", 11, 500, None, as_of=AS_OF)
    generate(tmp_path / "b", 11, 500, None, as_of=AS_OF)
    generate(tmp_path / "c", 12, 500, None, as_of=AS_OF)
    first, second, other = (_snapshot(tmp_path / n) for n in "abc")
    assert first == second
    assert first["truth"] != other["truth"]


def test_regenerating_replaces_the_data(tmp_path: Path) -> None:
    generate(tmp_path, 3, 300, None, as_of=AS_OF)
    generate(tmp_path, 3, 200, None, as_of=AS_OF)
    out = tmp_path / "demo"
    assert query(out / "police.sqlite", "SELECT COUNT(*) AS n FROM residents")[0]["n"] == 200
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["residents"] == 200 and manifest["counts"]["resident"] == 200


def test_resident_count_and_codes(out: Path) -> None:
    residents = query(out / "police.sqlite", "SELECT * FROM residents")
    assert len(residents) == RESIDENTS
    assert all(r["grid_code"].startswith("330105004") and len(r["grid_code"]) == 14
               for r in residents)
    assert {r["relation_to_head"] for r in residents} == {"户主", "配偶", "子女", "父母", "其他"}
    assert {r["gender"] for r in residents} == {"男", "女"}
    for r in residents:
        if r["relation_to_head"] == "配偶":
            born = datetime.fromisoformat(r["birth_date"]).date()
            assert (AS_OF - born).days >= 20 * 365, r
    heads = Counter(r["household_no"] for r in residents if r["relation_to_head"] == "户主")
    assert set(heads.values()) == {1}
    assert len(heads) == len({r["household_no"] for r in residents})


def test_ids_are_valid_and_some_are_legacy(out: Path) -> None:
    residents = query(out / "police.sqlite", "SELECT id_number, gender FROM residents")
    long_ids = [r for r in residents if len(r["id_number"]) == 18]
    legacy = [r for r in residents if len(r["id_number"]) == 15]
    assert len(long_ids) + len(legacy) == len(residents)
    assert all(idcard.is_valid(r["id_number"]) for r in residents)
    assert all(idcard.gender_digit_ok(r["id_number"], r["gender"]) for r in residents)
    assert 0.02 <= len(legacy) / len(residents) <= 0.04
    assert len({r["id_number"] for r in residents}) == len(residents)
    for row in query(out / "civil.sqlite", "SELECT id_number FROM care_records"):
        assert idcard.is_valid(row["id_number"]), row


def test_age_pyramid_has_many_elderly(out: Path) -> None:
    births = [datetime.fromisoformat(r["birth_date"]).date()
              for r in query(out / "police.sqlite", "SELECT birth_date FROM residents")]
    elderly = sum(1 for b in births if (AS_OF - b).days >= 60 * 365.25)
    children = sum(1 for b in births if (AS_OF - b).days < 14 * 365.25)
    assert 0.18 <= elderly / len(births) <= 0.32
    assert 0.08 <= children / len(births) <= 0.2


def _truth(out: Path) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    found: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    with open(out / "truth.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        assert next(reader) == ["connector", "record_type", "key", "entity_kind", "true_id"]
        for connector, record_type, key, kind, true_id in reader:
            rows = found.setdefault((connector, record_type), {})
            assert key not in rows, (connector, record_type, key)
            rows[key] = (kind, true_id)
    return found


def test_truth_covers_every_record(out: Path) -> None:
    truth = _truth(out)
    police = out / "police.sqlite"
    sources = {
        ("police", "resident"): [r["person_no"] for r in query(police, "SELECT person_no FROM residents")],
        ("police", "gate_event"): [r["event_no"] for r in query(police, "SELECT event_no FROM gate_events")],
        ("civil", "care_record"): [r["record_id"] for r in query(out / "civil.sqlite", "SELECT record_id FROM care_records")],
        ("urban", "case"): [r["case_no"] for r in query(out / "urban.sqlite", "SELECT case_no FROM cases")],
        ("property", "building"): [r["building_id"] for r in read_csv(out / "property" / "buildings.csv")],
        ("property", "room"): [r["room_id"] for r in read_csv(out / "property" / "rooms.csv")],
        ("property", "room_owner"): [r["room_id"] for r in read_csv(out / "property" / "rooms.csv")],
        ("property", "repair_order"): [r["order_no"] for r in read_csv(out / "property" / "repair_orders.csv")],
        ("property", "facility"): [r["facility_id"] for r in read_csv(out / "property" / "facilities.csv")],
    }
    kinds = {"resident": "Person", "care_record": "Person", "room_owner": "Person",
             "gate_event": "Event", "case": "Event", "repair_order": "Event",
             "building": "Place", "room": "Place", "facility": "Thing"}
    assert set(truth) == set(sources)
    for source, keys in sources.items():
        assert keys, source
        assert sorted(truth[source]) == sorted(keys), source
        assert {kind for kind, _ in truth[source].values()} == {kinds[source[1]]}
    residents = truth[("police", "resident")]
    assert all(true_id == f"person:{int(key[2:])}" for key, (_, true_id) in residents.items())
    rooms = {r["room_id"]: r for r in read_csv(out / "property" / "rooms.csv")}
    for room_id, (_, true_id) in truth[("property", "room")].items():
        room = rooms[room_id]
        assert true_id == f"place:{room['building_id']}/{room['unit_no'][:-2]}/{room['room_no']}"


def test_owners_are_mostly_residents_of_their_room(out: Path) -> None:
    truth = _truth(out)
    links = read_csv(out / "truth_links.csv")
    home = {r["key"]: r["true_id"] for r in links if r["relation"] == "LIVES_AT"}
    lives_at: dict[str, set[str]] = {}
    for person_no, place in home.items():
        lives_at.setdefault(place, set()).add(truth[("police", "resident")][person_no][1])
    place_of_room = {k: v[1] for k, v in truth[("property", "room")].items()}
    occupied = own = 0
    for room_id, (_, owner) in truth[("property", "room_owner")].items():
        people = lives_at.get(place_of_room[room_id])
        if people:
            occupied += 1
            own += owner in people
    assert 0.6 <= own / occupied <= 0.9


def test_buildings_and_facilities(out: Path) -> None:
    buildings = {b["building_id"]: b for b in read_csv(out / "property" / "buildings.csv")}
    facilities = read_csv(out / "property" / "facilities.csv")
    lifts = [f for f in facilities if f["kind"] == "电梯"]
    assert lifts
    assert all(int(buildings[f["building_id"]]["floors"]) > 7 for f in lifts)
    assert {f["kind"] for f in facilities} == {"电梯", "消防栓", "门禁", "监控摄像头", "充电桩"}
    for f in facilities:
        assert f["installed_at"] <= f["last_inspected_at"] < AS_OF.isoformat()
    assert (out / "property" / "rooms.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_events_fall_in_their_windows(out: Path) -> None:
    gates = query(out / "police.sqlite", "SELECT occurred_at, direction FROM gate_events")
    assert len(gates) == RESIDENTS
    start = datetime.combine(AS_OF - timedelta(days=90), datetime.min.time())
    assert all(start <= datetime.fromisoformat(g["occurred_at"]) < datetime.combine(
        AS_OF, datetime.min.time()) for g in gates)
    assert {g["direction"] for g in gates} == {"进", "出"}
    cases = query(out / "urban.sqlite", "SELECT * FROM cases")
    assert {c["status"] for c in cases} == {"已受理", "处置中", "已结案"}
    for case in cases:
        timeline = json.loads(case["timeline"])
        assert timeline[0]["at"] == case["reported_at"]
        assert case["updated_at"] == timeline[-1]["at"]
        assert (case["closed_at"] is not None) == (case["status"] == "已结案")
        assert case["grid_code"].startswith(case["community_code"])


@pytest.mark.parametrize("residents", [0, -5])
def test_bad_resident_count_is_refused(tmp_path: Path, residents: int) -> None:
    with pytest.raises(ValueError, match="residents"):
        generate(tmp_path, 1, residents, None, as_of=AS_OF)
