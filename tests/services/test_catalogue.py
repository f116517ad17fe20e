"""The service catalogue: mandatory and optional modules, status history, target groups."""

import httpx
import pytest
from sqlalchemy import func, select

from hub.runtime import Runtime
from hub.services.records import Module, ModuleChange
from tests.conftest import bearer
from tests.services.conftest import MINE, OTHER, STREET, Caller, codes, resident

pytestmark = pytest.mark.usefixtures("services_demo")

MODULE = """fragment M on ServiceModule { id community code name mandatory parent capacity unit
  hours status providers targetGroup { code name count suppressed withheld }
  history { action statusAfter actor } }"""
SETUP = MODULE + "mutation($c: String!) { setUpServiceCatalogue(community: $c) { ...M } }"
ADD = MODULE + """mutation($i: ServiceModuleInput!) { addServiceModule(input: $i, note: "居民提议")
  { ...M } }"""
STATUS = MODULE + """mutation($id: ID!, $s: ModuleStatus!) {
  setServiceModuleStatus(id: $id, status: $s, note: "试运行") { ...M } }"""
LIST = MODULE + """query($j: String, $s: ModuleStatus) {
  serviceModules(jurisdiction: $j, status: $s) { ...M } }"""
GROUPS = "query($j: String!) { targetGroups(jurisdiction: $j) { code community count suppressed } }"


async def _rows(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        modules = await session.scalar(select(func.count()).select_from(Module))
        changes = await session.scalar(select(func.count()).select_from(ModuleChange))
    return int(modules or 0), int(changes or 0)


async def test_catalogue_of_a_community(worker: Caller, runtime: Runtime) -> None:
    await worker.data(SETUP, c=MINE)  # the demo seeded it: adds what is missing, if anything
    assert (await worker.data(SETUP, c=MINE))["setUpServiceCatalogue"] == []  # idempotent
    listed = (await worker.data(LIST, j=MINE))["serviceModules"]
    mandatory = {m["code"] for m in listed if m["mandatory"]}
    assert mandatory == {k.code for k in runtime.services.vocabulary.mandatory}
    bathing = (await worker.data(ADD, i={
        "community": MINE, "code": "bathing", "name": "上门助浴", "parent": "elderly_care",
        "targetGroup": "care_needing", "providers": ["安康助浴服务队"], "capacity": 12,
        "unit": "人次/周", "hours": "周二、周四 14:00–17:00"}))["addServiceModule"]
    assert bathing["parent"] == "elderly_care" and bathing["unit"] == "人次/周"
    assert bathing["status"] == "PROPOSED" and not bathing["mandatory"]
    group = bathing["targetGroup"]
    assert group["code"] == "care_needing" and not group["withheld"] and group["count"] >= 5
    active = (await worker.data(STATUS, id=bathing["id"], s="ACTIVE"))["setServiceModuleStatus"]
    paused = (await worker.data(STATUS, id=bathing["id"], s="PAUSED"))["setServiceModuleStatus"]
    assert active["status"] == "ACTIVE" and paused["status"] == "PAUSED"
    assert [h["statusAfter"] for h in paused["history"]] == ["PROPOSED", "ACTIVE", "PAUSED"]
    assert {h["actor"] for h in paused["history"]} == {"worker-1"}
    listed = (await worker.data(LIST, j=MINE))["serviceModules"]
    assert "bathing" in {m["code"] for m in listed}


async def test_bad_moves_and_input(worker: Caller, runtime: Runtime) -> None:
    listed = (await worker.data(LIST, j=MINE))["serviceModules"]
    government = next(m for m in listed if m["code"] == "government")
    assert government["status"] == "ACTIVE"
    before = await _rows(runtime)
    retire = await worker(STATUS, id=government["id"], s="RETIRED")
    assert codes(retire) == ["BAD_STATE"] and "paused" in retire["errors"][0]["message"]
    back = await worker(STATUS, id=government["id"], s="PROPOSED")
    assert codes(back) == ["BAD_STATE"] and "allowed: paused, retired" in back["errors"][0][
        "message"]
    no_unit = await worker(ADD, i={"community": MINE, "code": "haircut", "name": "上门理发",
                                   "capacity": 20, "targetGroup": "living_alone"})
    assert codes(no_unit) == ["BAD_INPUT"] and "unit" in no_unit["errors"][0]["message"]
    unknown = await worker(ADD, i={"community": MINE, "code": "x1", "name": "某项目",
                                   "targetGroup": "nobody"})
    assert codes(unknown) == ["BAD_INPUT"]
    twice = await worker(ADD, i={"community": MINE, "code": "government"})
    assert codes(twice) == ["BAD_STATE"]
    assert await _rows(runtime) == before  # nothing half-written


async def test_a_community_worker_stays_in_her_community(
    worker: Caller, other_worker: Caller, runtime: Runtime
) -> None:
    await other_worker.data(SETUP, c=OTHER)
    theirs = (await other_worker.data(LIST, j=OTHER))["serviceModules"]
    before = await _rows(runtime)
    assert codes(await worker(SETUP, c=OTHER)) == ["FORBIDDEN"]
    added = await worker(ADD, i={"community": OTHER, "code": "meals", "capacity": 50})
    assert codes(added) == ["FORBIDDEN"]
    moved = await worker(STATUS, id=theirs[0]["id"], s="PAUSED")
    assert codes(moved) == ["FORBIDDEN"]
    assert codes(await worker(LIST, j=OTHER)) == ["FORBIDDEN"]
    mine = (await worker.data(LIST, j=None))["serviceModules"]
    assert mine and {m["community"] for m in mine} == {MINE}
    assert await _rows(runtime) == before


async def test_residents_see_active_modules_only(
    client: httpx.AsyncClient, worker: Caller
) -> None:
    await worker.data(SETUP, c=MINE)
    person = Caller(client, resident("prs_resident_1"))
    seen = (await person.data(LIST, j=MINE))["serviceModules"]
    assert seen and {m["status"] for m in seen} == {"ACTIVE"}
    assert all(m["targetGroup"]["withheld"] and m["targetGroup"]["count"] is None for m in seen)
    assert codes(await person(LIST, j=MINE, s="PROPOSED")) == ["BAD_INPUT"]
    assert codes(await person(ADD, i={"community": MINE, "code": "y1", "name": "x"})) == \
        ["FORBIDDEN"]


async def test_target_groups_from_the_departments(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    civil = runtime.registry.get("civil")
    expected = 0
    for level in ("失能", "半失能"):
        expected += (await civil.query("care_record", {"careLevel": level}, [MINE], 0, 0)).total
    affairs = Caller(client, bearer("civil_affairs", STREET, "civil-1"))
    found = (await affairs.data(GROUPS, j=STREET))["targetGroups"]
    care = next(g for g in found if g["code"] == "care_needing" and g["community"] == MINE)
    assert expected >= 5 and care["count"] == expected
    assert {g["code"] for g in found} >= {"living_alone", "disabled", "infants", "residents"}
    for g in found:  # small cells are never shown
        assert g["count"] is None or g["count"] == 0 or g["count"] >= 5
        assert g["suppressed"] == (g["count"] is None)
    brain = Caller(client, bearer("city_brain", "330105", "brain-1"))
    assert (await brain.data(GROUPS, j=STREET))["targetGroups"] == found
    grid = Caller(client, bearer("grid_worker", MINE + "01", "grid-1"))
    assert codes(await grid(GROUPS, j=STREET)) == ["FORBIDDEN"]
    other = Caller(client, bearer("civil_affairs", MINE, "civil-2"))
    assert codes(await other(GROUPS, j=OTHER)) == ["FORBIDDEN"]


async def test_module_outlook_for_staff_only(client: httpx.AsyncClient, worker: Caller) -> None:
    query = """query($j: String) { serviceModules(jurisdiction: $j) { code status capacity unit
      outlook { history recent capacityPerMonth forecastOverCapacity summary
        forecast { method mean lower upper } } } }"""
    modules = (await worker.data(query, j=MINE))["serviceModules"]
    seen = [m for m in modules if m["outlook"]]
    assert {m["code"] for m in seen} >= {"government", "elderly_care", "culture"}
    for m in seen:
        outlook = m["outlook"]
        assert len(outlook["history"]) == 12 and outlook["recent"] > 0
        if m["unit"] == "人次/月" and m["capacity"] is not None:
            assert outlook["capacityPerMonth"] == m["capacity"]
        f = outlook["forecast"]  # 48 months of history: always a seasonal model's forecast
        assert f and outlook["summary"].startswith("预计") and len(f["mean"]) == 6
        assert all(lo <= mu <= hi for lo, mu, hi in zip(f["lower"], f["mean"], f["upper"],
                                                         strict=True))
    person = Caller(client, resident("prs_resident_outlook"))
    assert all(m["outlook"] is None for m in (await person.data(query, j=MINE))["serviceModules"])
