"""A few contract-shaped rows per department system (see docs/contracts.md).

Jurisdictions: community 330105004001 (grids …01, …02), community 330105004002 (grid …01),
street 330105005 (community 330105005001, grid …01). One row per source is malformed on purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

G1, G2, G3, G4 = "33010500400101", "33010500400102", "33010500400201", "33010500500101"
OLD, NEW = datetime(2024, 1, 1, 10, 0), datetime(2024, 6, 1, 10, 0)
SINCE = datetime(2024, 3, 1)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙"


def _id_number(n: int) -> str:
    return f"3301051980{n:02d}01{n:03d}{n % 10}"


def _residents() -> list[dict[str, Any]]:
    rows = []
    grids = [G1] * 4 + [G2] * 3 + [G3] * 3 + [G4] * 2
    for n, grid in enumerate(grids, start=1):
        rows.append(
            {
                "person_no": f"GA{n:08d}",
                "name": SURNAMES[n - 1] + "伟",
                "gender": "男" if n % 2 else "女",
                "birth_date": f"1980-{n:02d}-01",
                "id_number": _id_number(n),
                "ethnicity": "汉族",
                "hukou_address": f"杭州市拱墅区小河路{n}号",
                "residence_address": f"拱墅区小河街道{n}幢",
                "phone": f"138000000{n:02d}",
                "household_no": f"HH{(n + 1) // 2:04d}",
                "relation_to_head": "户主" if n % 2 else "配偶",
                "grid_code": grid,
                "updated_at": OLD if n <= 6 else NEW,
            }
        )
    rows[6]["birth_date"] = "19800701X"  # GA00000007: not a date
    return rows


RESIDENTS = _residents()
MALFORMED_RESIDENT = "GA00000007"

GATE_EVENTS = [
    {
        "event_no": f"MJ{n:06d}",
        "person_no": f"GA{(n + 1) // 2:08d}",
        "gate_name": "东门" if n % 2 else "西门",
        "address": "小河街道某小区",
        "direction": "进" if n % 2 else "出",
        "occurred_at": datetime(2024, 5, n, 8, 0),
        "grid_code": G1,
    }
    for n in range(1, 5)
]


def _care_records() -> list[dict[str, Any]]:
    rows = []
    communities = ["330105004001"] * 4 + ["330105004002"] * 3 + ["330105005001"] * 3
    for n, community in enumerate(communities, start=1):
        rows.append(
            {
                "record_id": f"MZ{n:07d}",
                "name": "王芳" if n in (3, 9) else SURNAMES[n - 1] + "秀英",
                "id_number": _id_number(n),
                "address": f"小河街道{n}幢",
                "community_code": community,
                "care_level": ["自理", "半失能", "失能"][n % 3],
                "living_alone": n % 2 == 0,
                "subsidy_type": "高龄津贴",
                "subsidy_amount": 100 * n,
                "disability_grade": None if n % 4 else "二级",
                "updated_at": (OLD if n <= 5 else NEW).isoformat(),
            }
        )
    rows[5]["subsidy_amount"] = "一百元"  # MZ0000006: not a number
    return rows


CARE_RECORDS = _care_records()
MALFORMED_CARE = "MZ0000006"


def _cases() -> list[dict[str, Any]]:
    rows = []
    grids = [G1] * 3 + [G2] * 2 + [G3] * 3 + [G4] * 2
    for n, grid in enumerate(grids, start=1):
        reported = (OLD if n <= 5 else NEW).replace(day=n)
        closed = reported.replace(hour=18) if n % 3 == 0 else None
        rows.append(
            {
                "case_no": f"CG{n:06d}",
                "category": ["占道经营", "垃圾乱堆", "噪音扰民"][n % 3],
                "description": "有人在小区门口占道经营。",
                "address": f"小河路{n}号",
                "community_code": grid[:12],
                "grid_code": grid,
                "status": "已结案" if closed else "处置中",
                "reported_at": reported.isoformat(),
                "closed_at": closed.isoformat() if closed else None,
                "reporter_phone": f"139000000{n:02d}" if n % 2 else None,
                "timeline": [{"at": reported.isoformat(), "action": "受理", "by": "网格员"}],
            }
        )
    rows[3]["reported_at"] = "昨天下午"  # CG000004: not a time
    return rows


CASES = _cases()
MALFORMED_CASE = "CG000004"

BUILDINGS = [
    {
        "building_id": f"B{n:03d}",
        "estate_name": "和睦小区",
        "building_no": f"{n}幢",
        "district_name": "拱墅区",
        "street_name": "小河街道",
        "community_name": "和睦社区",
        "community_code": grid[:12],
        "grid_code": grid,
        "floors": str(6 * n),
        "units": "2",
        "built_year": "1998",
        "property_company": "绿城物业",
    }
    for n, grid in enumerate([G1, G3, G4], start=1)
]


def _rooms() -> list[dict[str, Any]]:
    rows = []
    for n in range(1, 10):
        building = f"B{(n + 2) // 3:03d}"
        rows.append(
            {
                "room_id": f"R{n:03d}",
                "building_id": building,
                "unit_no": "1单元",
                "room_no": f"{500 + n}",
                "address": f"和睦小区{building}幢1单元{500 + n}室",
                "owner_name": SURNAMES[n] + "强",
                "owner_phone": f"137000000{n:02d}",
                "area_sqm": f"{80 + n}.5",
            }
        )
    rows[4]["area_sqm"] = "约85平"  # R005: not a number
    return rows


ROOMS = _rooms()
MALFORMED_ROOM = "R005"

REPAIR_ORDERS = [
    {
        "order_no": f"WX{n:05d}",
        "room_id": f"R{n:03d}",
        "address": "",
        "category": "水电",
        "description": "卫生间漏水",
        "status": "已完成" if n % 2 else "处理中",
        "created_at": f"2024-04-0{n} 09:00:00",
        "finished_at": f"2024-04-0{n} 17:00:00" if n % 2 else "",
    }
    for n in range(1, 5)
]

FACILITIES = [
    {
        "facility_id": f"SS{n:04d}",
        "building_id": f"B{(n + 1) // 2:03d}",
        "kind": "电梯" if n % 2 else "消防栓",
        "name": f"{n}号设施",
        "status": "正常",
        "installed_at": "2010-05-01",
        "last_inspected_at": "2024-05-01",
    }
    for n in range(1, 5)
]
