"""bench.civic_loop's walk against the test session's hub: opinion to rating, every opinion of
the accepted topic answered finally exactly once, offices named, never accounts."""

from dataclasses import asdict

import httpx
import pytest

from bench.civic_loop import demo_authors, walk
from hub import clock
from hub.civic.periods import month_of
from hub.runtime import Runtime
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("civic_imports")


async def test_the_loop_answers_every_opinion_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    month = month_of(clock.now()).before(5).label  # months the other tests leave alone
    authors = demo_authors(runtime.settings.data_dir, runtime.keys)
    report = await walk(client, bearer, month, authors, vote_wait=1.0)
    print(asdict(report))
    assert report.opinions > 0 and report.final_none == report.final_twice == 0
    assert report.final_once == report.opinions
    assert report.acknowledged == report.opinions
    assert report.told_of_plan == report.opinions - report.closed_before, "open ones, once"
    assert report.votes == report.registered > 0 and report.outcome == "同意"
    assert report.plan_answer["sentNow"] == 0 and report.plan_answer["byThisPlan"] > 0
    assert not [o for o in report.offices if "bench-" in o or "demo-" in o]
    assert report.rated > 0
