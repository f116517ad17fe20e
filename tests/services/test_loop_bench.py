"""bench/services_loop.py's walk against the session's hub: seven stages, a survey, results."""

import httpx
import pytest

from bench.services_loop import walk
from hub.runtime import Runtime
from tests.conftest import bearer
from tests.services.conftest import MINE, residents_of

pytestmark = pytest.mark.usefixtures("services_demo")


async def test_the_scripted_loop(client: httpx.AsyncClient, runtime: Runtime) -> None:
    people = await residents_of(runtime, MINE, 60)
    report = await walk(client, bearer, people[20:60])
    assert report.stages == ["DISCOVER", "FIND_RESOURCES", "REVIEW", "SET_TARGETS",
                             "IMPLEMENT", "EVALUATE", "FEEDBACK"]
    assert report.answers == report.respondents == 40
    assert report.refused_again == 5 and report.refused_late == 1
    assert report.satisfaction_rate == report.expected_rate
    assert report.meets_target == (report.expected_rate >= 0.97)
