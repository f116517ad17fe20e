"""Alerts' tables on the hub records database (SQLite by default, PostgreSQL in production).

`alert_signals` is what the rule engine heard on the event stream: only what linking needs
(time, type, place, thing, person, source key), as the graph keeps it; it answers the rules'
time windows and `hub rules test` replays it. The payload stays with its department.
"""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.civic.records import UTCDateTime
from hub.records.db import Base


class Signal(Base):
    __tablename__ = "alert_signals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_id: Mapped[str] = mapped_column(String(24), default="")
    building_id: Mapped[str] = mapped_column(String(24), default="")
    thing_id: Mapped[str] = mapped_column(String(24), default="")
    person_id: Mapped[str] = mapped_column(String(24), default="")
    jurisdiction: Mapped[str] = mapped_column(String(14), default="")
    value: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("source", "key", name="uq_alert_signal"),
        Index("ix_alert_signals_building", "building_id", "type", "at"),
        Index("ix_alert_signals_place", "place_id", "type", "at"),
        Index("ix_alert_signals_person", "person_id", "type", "at"),
        Index("ix_alert_signals_at", "at"),
    )


class Alert(Base):
    __tablename__ = "alert_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(48), index=True)
    subject: Mapped[str] = mapped_column(String(24))  # a Place or Person hub id
    place_id: Mapped[str] = mapped_column(String(24), default="", index=True)
    person_id: Mapped[str] = mapped_column(String(24), default="")
    jurisdiction: Mapped[str] = mapped_column(String(14))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="raised")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the hub's clock
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when its evidence says so
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    repeats: Mapped[int] = mapped_column(Integer, default=0)  # suppressed firings since
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_alert_alerts_status_raised", "status", "raised_at"),)


class Recipient(Base):
    """Who an alert is addressed to: a role in a jurisdiction (escalations add rows)."""

    __tablename__ = "alert_recipients"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert_alerts.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(14), primary_key=True)
    escalation: Mapped[bool] = mapped_column(default=False)
    __table_args__ = (Index("ix_alert_recipients_role", "role", "jurisdiction"),)


class Evidence(Base):
    """A record or event that fired an alert: an event of the stream (kind `event`), a civic
    opinion (`opinion`), a department's person (`person`), a forecast (`forecast`)."""

    __tablename__ = "alert_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert_alerts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(160))  # signal source/key, opinion id, person id
    type: Mapped[str] = mapped_column(String(24), default="")
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place_id: Mapped[str] = mapped_column(String(24), default="")
    thing_id: Mapped[str] = mapped_column(String(24), default="")
    person_id: Mapped[str] = mapped_column(String(24), default="")
    jurisdiction: Mapped[str] = mapped_column(String(14), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    __table_args__ = (UniqueConstraint("alert_id", "kind", "ref", name="uq_alert_evidence"),)


class History(Base):
    """Each move of an alert: raised, suppressed repeat, escalated, acknowledged, handled, …"""

    __tablename__ = "alert_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert_alerts.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Slot(Base):
    """One live alert per (rule, subject) within its suppression window: the key refuses a
    second one whatever process fires it; a later firing is counted on the alert instead."""

    __tablename__ = "alert_slots"
    dedup_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    alert_id: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
