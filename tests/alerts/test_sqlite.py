"""The alerts' records on SQLite (the embedded default) as on PostgreSQL (the session's):
a stream entry heard twice is kept once, a firing within the window is a repeat, the
lifecycle and escalation hold."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hub import clock
from hub.alerts import signals
from hub.alerts.lifecycle import Firing, Proof, escalate_due, move, raise_alert
from hub.alerts.records import Alert, Recipient
from hub.alerts.rules import load_dir
from hub.errors import BadInput
from hub.records import db
from hub.settings import REPO_ROOT


async def test_records_on_sqlite(tmp_path: Path) -> None:
    engine = db.open_engine(f"sqlite:///{tmp_path / 'hub.sqlite'}")
    await db.create_tables(engine)
    sessions = db.sessions(engine)
    rules = {r.id: r for r in load_dir(REPO_ROOT / "policies" / "rules")}
    at = clock.now()
    entry = {"source": "security", "key": "k1", "type": "smoke_alarm", "at": at.isoformat(),
             "place": "plc_1", "jurisdiction": "33010500400101"}
    heard = signals.parse(entry)
    async with sessions() as session, session.begin():
        first = await signals.store(session, [heard], {"plc_1": ("plc_b", "33010500400101")})
        again = await signals.store(session, [heard], {})
    assert [s.building_id for s in first] == ["plc_b"] and again == []
    firing = Firing(rules["smoke_alarm"], "plc_b", "33010500400101", at,
                    [Proof("event", "security/k1", "smoke_alarm", at)], place_id="plc_b")
    later = Firing(rules["smoke_alarm"], "plc_b", "33010500400101", at,
                   [Proof("event", "security/k2", "smoke_alarm", at)], place_id="plc_b")
    async with sessions() as session, session.begin():
        raised = await raise_alert(session, firing, "烟感报警", "x")
        repeat = await raise_alert(session, later, "烟感报警", "x")
    assert raised.new and not repeat.new and repeat.alert_id == raised.alert_id
    with clock.pinned(at + timedelta(minutes=11), running=False):
        async with sessions() as session, session.begin():
            assert await escalate_due(session, rules) == [raised.alert_id]
            assert await escalate_due(session, rules) == []
    async with sessions() as session, session.begin():
        alert = await session.get(Alert, raised.alert_id)
        assert alert is not None and alert.repeats == 1
        await move(session, alert, "acknowledge", "grid-1", None)
        with pytest.raises(BadInput) as refused:
            await move(session, alert, "acknowledge", "grid-1", None)
        assert refused.value.code.value == "BAD_STATE"
        roles = set(await session.scalars(
            select(Recipient.role).where(Recipient.alert_id == raised.alert_id)))
    assert roles == {"grid_worker", "property_manager", "building_contact", "street_admin"}
    await engine.dispose()
