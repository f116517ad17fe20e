"""An alert's life: raised (once per rule and subject within its suppression window),
escalated when nobody acknowledged it in time, acknowledged, then handled or dismissed.

Every change is committed before it is announced (hub.alerts.events); a change two processes
try at once is made by one of them (a slot's key, `WHERE status = …` on the update).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import clock
from hub.alerts.records import Alert, Evidence, History, Recipient, Slot
from hub.alerts.rules import Rule
from hub.errors import BadInput, ErrorCode

MOVES: dict[str, dict[str, str]] = {  # status -> move -> status after
    "raised": {"acknowledge": "acknowledged", "dismiss": "dismissed"},
    "acknowledged": {"handle": "handled", "dismiss": "dismissed"},
    "handled": {},
    "dismissed": {},
}
NEEDS_NOTE = frozenset({"handle", "dismiss"})
NOTE_LIMIT = 2000


@dataclass
class Proof:
    """One piece of evidence as a rule found it (see records.Evidence)."""

    kind: str
    ref: str
    type: str = ""
    at: datetime | None = None
    place_id: str = ""
    thing_id: str = ""
    person_id: str = ""
    jurisdiction: str = ""
    detail: dict[str, object] = field(default_factory=dict)


@dataclass
class Firing:
    """A rule's finding about one subject (a building, a place or a person)."""

    rule: Rule
    subject: str
    jurisdiction: str
    fired_at: datetime
    evidence: list[Proof]
    place_id: str = ""
    person_id: str = ""
    episode: str = ""  # one alert per episode (an absence: since its last activity)

    @property
    def dedup_key(self) -> str:
        key = f"{self.rule.id}:{self.subject}"
        return f"{key}:{self.episode}" if self.episode else key


@dataclass(frozen=True)
class Raised:
    alert_id: int
    new: bool  # False: a repeat within the suppression window, counted on the alert


async def raise_alert(
    session: AsyncSession, firing: Firing, title: str, message: str
) -> Raised:
    """A new alert, or the live one of the same rule and subject with this evidence added.
    The window runs in the time of the evidence: a late or replayed event is judged by when
    it happened, not by when it was read."""
    now = clock.now()
    rule = firing.rule
    live = await session.get(Slot, firing.dedup_key, with_for_update=True)
    if live is not None and live.until > firing.fired_at:
        await _repeat(session, live.alert_id, firing, now)
        return Raised(live.alert_id, False)
    alert = Alert(
        rule=rule.id, subject=firing.subject, place_id=firing.place_id,
        person_id=firing.person_id, jurisdiction=firing.jurisdiction, title=title,
        message=message, severity=rule.severity, status="raised", raised_at=now,
        fired_at=firing.fired_at, updated_at=now, repeats=0,
        escalate_at=(now + timedelta(minutes=rule.escalate_after_minutes)
                     if rule.escalate_to and rule.escalate_after_minutes else None),
    )
    session.add(alert)
    await session.flush()
    until = firing.fired_at + timedelta(hours=rule.suppress_hours)
    if live is None:
        session.add(Slot(dedup_key=firing.dedup_key, alert_id=alert.id, until=until))
        try:
            await session.flush()
        except IntegrityError:  # another process raised it first: ours never was
            raise Suppressed(firing.dedup_key) from None
    else:
        live.alert_id, live.until = alert.id, until
    _recipients(session, alert.id, rule.recipients, firing.jurisdiction, escalation=False)
    _evidence(session, alert.id, firing.evidence)
    session.add(History(alert_id=alert.id, action="raised", actor=f"rule:{rule.id}",
                        note="", at=now))
    return Raised(alert.id, True)


class Suppressed(Exception):
    """The same (rule, subject) was raised by another process in the same instant."""


async def _repeat(session: AsyncSession, alert_id: int, firing: Firing, now: datetime) -> None:
    known = set(await session.scalars(
        select(Evidence.ref).where(Evidence.alert_id == alert_id)))
    fresh = [p for p in firing.evidence if p.ref not in known]
    if not fresh:
        return
    _evidence(session, alert_id, fresh)
    await session.execute(update(Alert).where(Alert.id == alert_id).values(
        repeats=Alert.repeats + 1, updated_at=now))
    session.add(History(alert_id=alert_id, action="repeated", actor=f"rule:{firing.rule.id}",
                        note="", at=now))


def _recipients(session: AsyncSession, alert_id: int, who: Sequence, jurisdiction: str,
                escalation: bool) -> None:
    pairs = {(r.role, r.jurisdiction(jurisdiction)) for r in who}
    for role, code in sorted(pairs):
        session.add(Recipient(alert_id=alert_id, role=role, jurisdiction=code,
                              escalation=escalation))


def _evidence(session: AsyncSession, alert_id: int, proofs: Sequence[Proof]) -> None:
    seen: set[tuple[str, str]] = set()
    for p in proofs:
        if (p.kind, p.ref) in seen:
            continue
        seen.add((p.kind, p.ref))
        session.add(Evidence(alert_id=alert_id, kind=p.kind, ref=p.ref, type=p.type, at=p.at,
                             place_id=p.place_id, thing_id=p.thing_id, person_id=p.person_id,
                             jurisdiction=p.jurisdiction, detail=p.detail))


async def escalate_due(session: AsyncSession, rules: dict[str, Rule]) -> list[int]:
    """Alerts still raised past their deadline: their rule's escalation roles are added (once,
    whichever process gets there first). Returns the ids escalated now."""
    now = clock.now()
    due = list(await session.scalars(select(Alert).where(
        Alert.status == "raised", Alert.escalated_at.is_(None), Alert.escalate_at <= now)))
    done = []
    for alert in due:
        rule = rules.get(alert.rule)
        claimed = await session.execute(update(Alert).where(
            Alert.id == alert.id, Alert.escalated_at.is_(None), Alert.status == "raised"
        ).values(escalated_at=now, updated_at=now))
        if claimed.rowcount != 1 or rule is None:  # type: ignore[attr-defined]
            continue
        _recipients(session, alert.id, rule.escalate_to, alert.jurisdiction, escalation=True)
        session.add(History(alert_id=alert.id, action="escalated", actor="deadline",
                            note=f"{rule.escalate_after_minutes} 分钟内无人签收", at=now))
        done.append(alert.id)
    return done


async def move(session: AsyncSession, alert: Alert, action: str, actor: str,
               note: str | None) -> Alert:
    """acknowledge / handle / dismiss; BAD_STATE naming the moves allowed from here."""
    allowed = MOVES[alert.status]
    if action not in allowed:
        named = ", ".join(allowed) or "none (it is closed)"
        raise BadInput(f"alert {alert.id} is {alert.status}: {action} is not allowed; "
                       f"allowed: {named}", ErrorCode.BAD_STATE)
    text = (note or "").strip()
    if action in NEEDS_NOTE and not text:
        raise BadInput(f"{action} needs a note", ErrorCode.BAD_INPUT)
    if len(text) > NOTE_LIMIT:
        raise BadInput(f"a note has at most {NOTE_LIMIT} characters", ErrorCode.BAD_INPUT)
    now = clock.now()
    after = allowed[action]
    values: dict[str, object] = {"status": after, "updated_at": now}
    values["acknowledged_at" if action == "acknowledge" else "closed_at"] = now
    if text:
        values["note"] = text
    changed = await session.execute(update(Alert).where(
        Alert.id == alert.id, Alert.status == alert.status).values(**values))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise BadInput(f"alert {alert.id} changed meanwhile; read it again", ErrorCode.BAD_STATE)
    session.add(History(alert_id=alert.id, action=action, actor=actor, note=text, at=now))
    await session.flush()
    await session.refresh(alert)
    return alert
