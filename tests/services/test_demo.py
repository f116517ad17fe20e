"""The demo's precise services: a catalogue per community, demand history, one project per stage."""

import pytest
from sqlalchemy import func, select

from hub.runtime import Runtime
from hub.services.demo_seed import Seeded, communities_of, seed
from hub.services.projects import STAGES
from hub.services.records import DemandCount, Module, Project
from tests.services.conftest import MINE, Caller

pytestmark = pytest.mark.usefixtures("services_demo")

PROJECTS = """query($j: String) { serviceProjects(jurisdiction: $j) { title stage steps { toStage }
  surveys { status results { respondents satisfactionRate meetsTarget } } } }"""


async def test_the_demo_is_seeded_once(services_demo: Seeded, runtime: Runtime) -> None:
    communities = await communities_of(runtime)
    assert services_demo.communities == len(communities) >= 2
    assert services_demo.demand_rows == len(communities) * 10 * 48
    assert services_demo.projects == len(STAGES)
    async with runtime.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(DemandCount))
        modules = await session.scalar(select(func.count()).select_from(Module))
        projects = await session.scalar(select(func.count()).select_from(Project))
    again = await seed(runtime)
    assert (again.demand_rows, again.modules, again.projects) == (0, 0, 0)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DemandCount)) == rows
        assert await session.scalar(select(func.count()).select_from(Module)) == modules
        assert await session.scalar(select(func.count()).select_from(Project)) == projects


async def test_one_project_at_each_stage(street: Caller) -> None:
    found = (await street.data(PROJECTS, j=MINE))["serviceProjects"]
    demo = [p for p in found if any(s["toStage"] == "DISCOVER" for s in p["steps"])]
    stages = {p["stage"] for p in demo}
    assert stages >= {s.upper() for s in STAGES}
    meals = next(p for p in demo if p["title"].startswith("长者助餐"))
    assert meals["stage"] == "FEEDBACK" and len(meals["steps"]) == len(STAGES)
    survey = meals["surveys"][0]
    assert survey["status"] == "CLOSED" and survey["results"]["respondents"] >= 30
    assert survey["results"]["satisfactionRate"] >= 0.97 and survey["results"]["meetsTarget"]
