"""The departments disagree the way the contract says they do."""

import re
from pathlib import Path

from demo.names import HOMOPHONES
from tests.demo.conftest import query, read_csv


def _people(out: Path) -> tuple[dict[str, dict], dict[str, str], dict[str, str]]:
    """Police residents by true id, civil record -> true id, record key -> place it names."""
    truth = read_csv(out / "truth.csv")
    links = read_csv(out / "truth_links.csv")
    police = {r["person_no"]: r for r in query(out / "police.sqlite", "SELECT * FROM residents")}
    by_person = {t["true_id"]: police[t["key"]] for t in truth if t["record_type"] == "resident"}
    civil_person = {t["key"]: t["true_id"] for t in truth if t["record_type"] == "care_record"}
    places = {f"{link['record_type']}:{link['key']}": link["true_id"] for link in links
              if link["relation"] in ("LIVES_AT", "ADDRESS")}
    return by_person, civil_person, places


def _civil(out: Path) -> list[dict]:
    return query(out / "civil.sqlite", "SELECT * FROM care_records")


def test_building_numbers_are_written_every_way(out: Path) -> None:
    texts = [r["address"] for r in _civil(out)]
    texts += [b["building_no"] for b in read_csv(out / "property" / "buildings.csv")]
    texts += [r["address"] for r in query(out / "urban.sqlite", "SELECT address FROM cases")]
    for pattern in (r"[0-9]+幢", r"[0-9]+号楼", r"[0-9]+栋", r"[０-９]+幢"):
        assert any(re.search(pattern, t) for t in texts), pattern


def test_units_rooms_and_prefixes_vary(out: Path) -> None:
    addresses = [r["address"] for r in _civil(out)]
    assert any("单元" not in a for a in addresses)
    assert any(a.endswith("室") for a in addresses)
    assert any(re.search(r"[0-9]+号$", a) for a in addresses)
    assert any(re.search(r"[0-9]$", a) for a in addresses)
    assert any(a.startswith("浙江省杭州市") for a in addresses)
    assert any(a.startswith("杭州市") for a in addresses)
    assert any(a.startswith("拱墅区") for a in addresses)
    assert any("区" not in a.split("新村")[0] and "市" not in a for a in addresses)
    police = query(out / "police.sqlite", "SELECT residence_address FROM residents")
    assert all(p["residence_address"].startswith("浙江省杭州市拱墅区小河街道") for p in police)
    rooms = read_csv(out / "property" / "rooms.csv")
    assert any("单元" not in r["address"] for r in rooms)


def test_some_civil_names_have_homophone_typos(out: Path) -> None:
    by_person, civil_person, _ = _people(out)
    typos = 0
    for record in _civil(out):
        real = by_person[civil_person[record["record_id"]]]["name"]
        if record["name"] != real:
            assert len(record["name"]) == len(real)
            diffs = [(a, b) for a, b in zip(real, record["name"], strict=True) if a != b]
            assert len(diffs) == 1 and diffs[0][1] in HOMOPHONES[diffs[0][0]]
            typos += 1
    assert 0 < typos <= 0.06 * len(civil_person)


def test_ids_disagree_in_length_and_case(out: Path) -> None:
    by_person, civil_person, _ = _people(out)
    kinds = set()
    for record in _civil(out):
        police_id = by_person[civil_person[record["record_id"]]]["id_number"]
        civil_id = record["id_number"]
        if len(civil_id) == 15 and len(police_id) == 18:
            kinds.add("civil 15, police 18")
        elif len(civil_id) == 18 and len(police_id) == 15:
            kinds.add("civil 18, police 15")
        elif civil_id.endswith("x"):
            assert civil_id.upper() == police_id
            kinds.add("lowercase x")
        else:
            assert civil_id == police_id
    assert kinds == {"civil 15, police 18", "civil 18, police 15", "lowercase x"}


def test_moved_people_keep_an_old_address_in_civil_affairs(out: Path) -> None:
    by_person, civil_person, places = _people(out)
    stale = 0
    for record_id, person in civil_person.items():
        home = places["resident:" + by_person[person]["person_no"]]
        stale += places["care_record:" + record_id] != home
    assert 0 < stale <= 0.12 * len(civil_person)


def test_elderly_and_disabled_fill_civil_affairs(out: Path) -> None:
    records = _civil(out)
    assert {r["care_level"] for r in records} == {"自理", "半失能", "失能"}
    assert any(r["disability_grade"] for r in records)
    assert {r["disability_grade"] for r in records} <= {None, "一级", "二级", "三级", "四级"}
    assert any(r["living_alone"] for r in records)
    assert any(r["subsidy_type"] == "高龄津贴" for r in records)
    assert all(r["community_code"].startswith("330105004") for r in records)
