"""The civil and urban REST systems, each running as its own uvicorn process."""

from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.demo.conftest import query


def test_health(civil_url: str, urban_url: str) -> None:
    for url in (civil_url, urban_url):
        response = httpx.get(f"{url}/health")
        assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_civil_pages_cover_all_records_in_order(civil_url: str, out: Path) -> None:
    expected = [r["record_id"] for r in query(
        out / "civil.sqlite", "SELECT record_id FROM care_records ORDER BY record_id")]
    seen: list[str] = []
    page = 1
    while True:
        body = httpx.get(f"{civil_url}/api/v1/care-records",
                         params={"page": page, "page_size": 150}).json()
        assert body["page"] == page and body["page_size"] == 150
        assert body["total"] == len(expected)
        if not body["items"]:
            break
        seen.extend(item["record_id"] for item in body["items"])
        page += 1
    assert seen == expected
    first = httpx.get(f"{civil_url}/api/v1/care-records").json()
    assert first["page_size"] == 100 and len(first["items"]) == 100
    item = first["items"][0]
    assert set(item) == {"record_id", "name", "id_number", "address", "community_code",
                         "care_level", "living_alone", "subsidy_type", "subsidy_amount",
                         "disability_grade", "updated_at"}
    assert isinstance(item["living_alone"], bool)


def test_civil_filters(civil_url: str, out: Path) -> None:
    rows = query(out / "civil.sqlite", "SELECT * FROM care_records")
    community = rows[0]["community_code"]
    url = f"{civil_url}/api/v1/care-records"
    body = httpx.get(url, params={"community_code": community, "page_size": 500}).json()
    assert body["total"] == sum(r["community_code"] == community for r in rows)
    assert all(i["community_code"] == community for i in body["items"])
    street = httpx.get(url, params={"community_code": "330105004"}).json()
    assert street["total"] == len(rows)
    assert httpx.get(url, params={"community_code": "330106"}).json()["total"] == 0
    name = rows[5]["name"]
    named = httpx.get(url, params={"name": name}).json()
    assert named["total"] == sum(r["name"] == name for r in rows) >= 1
    cutoff = sorted(r["updated_at"] for r in rows)[len(rows) // 2]
    recent = httpx.get(url, params={"updated_since": cutoff, "page_size": 500}).json()
    assert recent["total"] == sum(r["updated_at"] >= cutoff for r in rows)
    # A naive time means China time; the same moment in UTC selects the same records.
    naive = cutoff.removesuffix("+08:00")
    utc = datetime.fromisoformat(cutoff).astimezone(UTC).isoformat().replace("+00:00", "Z")
    for same in (naive, utc):
        assert httpx.get(url, params={"updated_since": same}).json()["total"] == recent["total"]
    combined = httpx.get(url, params={"community_code": community, "updated_since": cutoff})
    assert combined.json()["total"] == sum(
        r["community_code"] == community and r["updated_at"] >= cutoff for r in rows)


def test_civil_batch_and_single(civil_url: str, out: Path) -> None:
    ids = [r["record_id"] for r in query(
        out / "civil.sqlite", "SELECT record_id FROM care_records ORDER BY record_id DESC LIMIT 5")]
    response = httpx.post(f"{civil_url}/api/v1/care-records/batch-query",
                          json={"ids": [*ids, "MZ9999999", ids[0]]})
    assert response.status_code == 200
    assert [i["record_id"] for i in response.json()["items"]] == ids
    one = httpx.get(f"{civil_url}/api/v1/care-records/{ids[0]}")
    assert one.status_code == 200 and one.json()["record_id"] == ids[0]
    missing = httpx.get(f"{civil_url}/api/v1/care-records/MZ9999999")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    empty = httpx.post(f"{civil_url}/api/v1/care-records/batch-query", json={"ids": []})
    assert empty.json() == {"items": []}


def test_civil_bad_requests(civil_url: str) -> None:
    url = f"{civil_url}/api/v1/care-records"
    for params in ({"page_size": 501}, {"page_size": 0}, {"page": 0}, {"page": "two"},
                   {"updated_since": "yesterday"}, {"community_code": "拱墅"}):
        response = httpx.get(url, params=params)
        assert response.status_code == 400, params
        body = response.json()
        assert body["error"] == "bad_request" and body["parameter"] in params and body["message"]
    batch = f"{url}/batch-query"
    too_many = httpx.post(batch, json={"ids": [f"MZ{i:07d}" for i in range(501)]})
    assert too_many.status_code == 400 and "500" in too_many.json()["message"]
    assert httpx.post(batch, json={"ids": "MZ0000001"}).status_code == 400
    assert httpx.post(batch, content=b"not json").status_code == 400
    assert httpx.get(f"{civil_url}/api/v1/nothing").status_code == 404


def test_urban_paging_and_filters(urban_url: str, out: Path) -> None:
    rows = query(out / "urban.sqlite", "SELECT * FROM cases ORDER BY case_no")
    url = f"{urban_url}/api/cases"
    seen: list[str] = []
    offset = 0
    while True:
        body = httpx.get(url, params={"offset": offset, "limit": 30}).json()
        assert body["total"] == len(rows)
        if not body["data"]:
            break
        seen.extend(c["case_no"] for c in body["data"])
        offset += 30
    assert seen == [r["case_no"] for r in rows]
    case = httpx.get(url, params={"limit": 1}).json()["data"][0]
    assert isinstance(case["timeline"], list) and {"at", "action", "by"} <= set(case["timeline"][0])
    grid = rows[0]["grid_code"]
    assert httpx.get(url, params={"grid_code": grid}).json()["total"] == sum(
        r["grid_code"] == grid for r in rows)
    community = grid[:12]
    assert httpx.get(url, params={"grid_code": community}).json()["total"] == sum(
        r["grid_code"].startswith(community) for r in rows)
    for status in ("已受理", "处置中", "已结案"):
        assert httpx.get(url, params={"status": status}).json()["total"] == sum(
            r["status"] == status for r in rows)
    category = rows[0]["category"]
    assert httpx.get(url, params={"category": category}).json()["total"] == sum(
        r["category"] == category for r in rows)
    since = sorted(r["updated_at"] for r in rows)[-10]
    recent = httpx.get(url, params={"since": since}).json()
    assert recent["total"] == sum(r["updated_at"] >= since for r in rows) >= 10
    assert all(c["updated_at"] >= since for c in recent["data"])


def test_urban_batch_and_errors(urban_url: str, out: Path) -> None:
    ids = [r["case_no"] for r in query(out / "urban.sqlite",
                                       "SELECT case_no FROM cases ORDER BY case_no LIMIT 4")]
    asked = [ids[2], ids[0], "CG1999010100001", ids[3]]
    body = httpx.get(f"{urban_url}/api/cases/batch", params={"ids": ",".join(asked)}).json()
    assert [c["case_no"] for c in body["data"]] == [ids[2], ids[0], ids[3]]
    over = ",".join(f"CG2025010100{i:03d}" for i in range(201))
    response = httpx.get(f"{urban_url}/api/cases/batch", params={"ids": over})
    assert response.status_code == 400 and response.json()["parameter"] == "ids"
    assert httpx.get(f"{urban_url}/api/cases/batch").status_code == 400
    url = f"{urban_url}/api/cases"
    for params in ({"limit": 201}, {"limit": 0}, {"offset": -1}, {"since": "2025-13-01"},
                   {"status": "已完成"}, {"grid_code": "33010500400101X"}):
        response = httpx.get(url, params=params)
        assert response.status_code == 400, params
        assert response.json()["parameter"] in params
    assert httpx.get(f"{url}/{ids[0]}").json()["case_no"] == ids[0]
    assert httpx.get(f"{url}/CG1999010100001").status_code == 404
