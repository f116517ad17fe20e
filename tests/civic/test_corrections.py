"""Staff corrections (issue 16, item 1): an opinion attached by hand to an agenda item or a
hotspot, a classification corrected; both remembered in their own tables and used."""

import httpx
import pytest
from sqlalchemy import select

from hub import clock
from hub.civic import opinions
from hub.civic.periods import month_of
from hub.civic.records import Opinion
from hub.runtime import Runtime
from tests.civic.conftest import STREET, Caller, codes, resident
from tests.civic.test_loop import GENERATE
from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("civic_imports")

CORRECT = """mutation($id: ID!, $c: String, $t: String) { correctOpinion(opinionId: $id,
  category: $c, topic: $t) { id category topic } }"""
ATTACH = """mutation($a: ID!, $o: ID!) { attachOpinion(agendaItemId: $a, opinionId: $o) {
  id opinions(first: 500) { id status responses { kind } } } }"""
COMMUNITY = STREET + "001"
TO_HOTSPOT = """mutation($o: ID!, $t: String!) { attachOpinionToHotspot(opinionId: $o,
  topic: $t) { id topic } }"""


async def _opinion_outside(runtime: Runtime, linked: set[str], away: str = "~") -> Opinion:
    """A received opinion in the street that no topic holds, outside jurisdiction `away`."""
    async with runtime.sessions() as session:
        rows = await session.scalars(select(Opinion).where(
            Opinion.status == "received", Opinion.jurisdiction.like(STREET + "%")).limit(500))
        return next(r for r in rows if r.id not in linked
                    and not (r.jurisdiction or "").startswith(away))


async def test_corrected_topic_is_remembered_and_counted(staff: Caller, runtime: Runtime) -> None:
    opinion = await _opinion_outside(runtime, set())
    fixed = await staff.data(CORRECT, id=opinion.id, c="environment", t="夜间施工噪音")
    assert fixed["correctOpinion"] == {"id": opinion.id, "category": "environment",
                                       "topic": "夜间施工噪音"}
    period = month_of(opinion.created_at)
    async with runtime.sessions() as session:
        rows = await opinions.hotspot_rows(session, STREET, period, runtime.civic.text.topic_terms)
    row = next(r for r in rows if r.id == opinion.id)
    assert row.units == ("夜间施工噪音",) and row.category == "environment"
    assert codes(await staff(CORRECT, id=opinion.id, c="no-such", t=None)) == ["BAD_INPUT"]
    assert codes(await staff(CORRECT, id=opinion.id, c=None, t="没人")) == ["BAD_INPUT"]


async def test_attached_opinion_joins_the_item_and_hears_its_answers(
    staff: Caller, runtime: Runtime
) -> None:
    earlier = month_of(clock.now()).before(2).label  # test_loop's month stays its own
    items = (await staff.data(GENERATE, j=STREET, m=earlier))["generateAgenda"]
    item = items[-1]
    accepted = await staff.data(
        "mutation($id: ID!) { decideAgendaItem(id: $id, accept: true) { status "
        "opinions(first: 500) { id } } }", id=item["id"])
    linked = {o["id"] for o in accepted["decideAgendaItem"]["opinions"]}
    opinion = await _opinion_outside(runtime, linked)
    body = (await staff.data(ATTACH, a=item["id"], o=opinion.id))["attachOpinion"]
    joined = next(o for o in body["opinions"] if o["id"] == opinion.id)
    assert joined["status"] != "RECEIVED" and [r["kind"] for r in joined["responses"]] == [
        "ACKNOWLEDGE"], "an accepted item's supporters were told; the attached one is too"
    again = (await staff.data(ATTACH, a=item["id"], o=opinion.id))["attachOpinion"]
    assert len(again["opinions"]) == len(body["opinions"])  # remembered once


async def test_attach_to_hotspot_names_its_topic(staff: Caller, runtime: Runtime) -> None:
    opinion = await _opinion_outside(runtime, set())
    body = await staff.data(TO_HOTSPOT, o=opinion.id, t="电梯故障/困人")
    assert body["attachOpinionToHotspot"] == {"id": opinion.id, "topic": "电梯故障/困人"}


async def test_corrections_need_staff_of_the_opinions_place(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    opinion = await _opinion_outside(runtime, set(), away=COMMUNITY)
    for headers in ({}, resident("prs_0000000000000001"),
                    bearer("community_worker", COMMUNITY, "staff-9"),
                    bearer("property_manager", STREET, "pm-1")):
        caller = Caller(client, headers)
        assert codes(await caller(CORRECT, id=opinion.id, c="environment", t=None)) == [
            "FORBIDDEN"]
        assert codes(await caller(ATTACH, a="1", o=opinion.id)) == ["FORBIDDEN"]
