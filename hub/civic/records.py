"""The civic loop's tables on the hub records database (SQLite by default, PostgreSQL in tests).

Times are stored as naive UTC and read back as aware UTC, so SQLite and PostgreSQL agree.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub import clock
from hub.records.db import Base


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def now() -> datetime:
    """The hub's clock (`hub.clock`), aware UTC."""
    return clock.now()


class Opinion(Base):
    """One resident's opinion, from any channel; stored before it is acknowledged."""

    __tablename__ = "civic_opinions"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    category_given: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    author_key: Mapped[str | None] = mapped_column(String(32), index=True)
    place_id: Mapped[str | None] = mapped_column(String(24), index=True)
    place_name: Mapped[str | None] = mapped_column(String(200))
    place_precision: Mapped[str] = mapped_column(String(12), default="none")
    jurisdiction: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    keywords: Mapped[str] = mapped_column(Text, default="")  # space-joined, best first
    simhash: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="received")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idem_scope: Mapped[str] = mapped_column(String(80))
    idem_key: Mapped[str] = mapped_column(String(128))
    payload_hash: Mapped[str] = mapped_column(String(64))
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)

    __table_args__ = (
        UniqueConstraint("idem_scope", "idem_key", name="uq_civic_opinion_idem"),
        Index("ix_civic_opinions_jurisdiction_created", "jurisdiction", "created_at"),
        Index("ix_civic_opinions_created", "created_at"),
    )


class Response(Base):
    """What the hub told the author: acknowledgement, progress or the final answer."""

    __tablename__ = "civic_responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opinion_id: Mapped[str] = mapped_column(ForeignKey("civic_opinions.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))  # acknowledge | progress | final
    text: Mapped[str] = mapped_column(Text)
    status_after: Mapped[str] = mapped_column(String(16))
    responder: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A plan answers each of its opinions once; NULL plan ids (direct answers) never collide.
    __table_args__ = (UniqueConstraint("opinion_id", "plan_id", "kind", name="uq_civic_answer"),)


class AgendaItem(Base):
    """A council topic generated from a hotspot; staff accept, merge, edit or reject it."""

    __tablename__ = "civic_agenda_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction: Mapped[str] = mapped_column(String(14), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    signature: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    keywords: Mapped[list[str]] = mapped_column(JSON)
    places: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    departments: Mapped[list[str]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    growth: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    merged_into: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgendaOpinion(Base):
    __tablename__ = "civic_agenda_opinions"
    agenda_id: Mapped[int] = mapped_column(ForeignKey("civic_agenda_items.id"), primary_key=True)
    opinion_id: Mapped[str] = mapped_column(ForeignKey("civic_opinions.id"), primary_key=True)


class Correction(Base):
    """A staff member's correction of an opinion's classification (one per opinion, the last
    wins): the category replaces the opinion's, the topic is what hotspots count of it."""

    __tablename__ = "civic_corrections"
    opinion_id: Mapped[str] = mapped_column(ForeignKey("civic_opinions.id"), primary_key=True)
    category: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(64))
    original_category: Mapped[str] = mapped_column(String(32))
    corrected_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attachment(Base):
    """An opinion a staff member attached to an agenda item by hand (also in its links)."""

    __tablename__ = "civic_attachments"
    agenda_id: Mapped[int] = mapped_column(ForeignKey("civic_agenda_items.id"), primary_key=True)
    opinion_id: Mapped[str] = mapped_column(ForeignKey("civic_opinions.id"), primary_key=True)
    attached_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CouncilSession(Base):
    """A meeting of the residents' council (红茶议事会): online, offline or hybrid."""

    __tablename__ = "civic_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction: Mapped[str] = mapped_column(String(14), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(8))
    location: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionItem(Base):
    __tablename__ = "civic_session_items"
    session_id: Mapped[int] = mapped_column(ForeignKey("civic_sessions.id"), primary_key=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("civic_agenda_items.id"), primary_key=True)


class Participant(Base):
    """A verified participant: residents by their jurisdiction, organisations by name."""

    __tablename__ = "civic_participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("civic_sessions.id"), index=True)
    subject: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(120))
    jurisdiction: Mapped[str | None] = mapped_column(String(14))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("session_id", "subject", name="uq_civic_participant"),)


class Remark(Base):
    """One contribution to a session's discussion."""

    __tablename__ = "civic_remarks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("civic_sessions.id"), index=True)
    agenda_id: Mapped[int | None] = mapped_column(Integer)
    participant_id: Mapped[int] = mapped_column(ForeignKey("civic_participants.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ballot(Base):
    __tablename__ = "civic_ballots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("civic_sessions.id"), index=True)
    agenda_id: Mapped[int | None] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Vote(Base):
    """One person, one vote: the primary key refuses a second one. Voters are keyed hashes."""

    __tablename__ = "civic_votes"
    ballot_id: Mapped[int] = mapped_column(ForeignKey("civic_ballots.id"), primary_key=True)
    voter_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    option: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Decision(Base):
    __tablename__ = "civic_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("civic_sessions.id"), index=True)
    agenda_id: Mapped[int | None] = mapped_column(Integer)
    ballot_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    tally: Mapped[dict[str, int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Plan(Base):
    """A co-governance plan (共治方案) for one agenda topic."""

    __tablename__ = "civic_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agenda_id: Mapped[int] = mapped_column(ForeignKey("civic_agenda_items.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(String(14), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    response_text: Mapped[str | None] = mapped_column(Text)
    # draft | active (published) | done | canceled; history in civic_plan_revisions
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Task(Base):
    __tablename__ = "civic_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("civic_plans.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_org: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskUpdate(Base):
    __tablename__ = "civic_task_updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("civic_tasks.id"), index=True)
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanSlot(Base):
    """One live plan per agenda topic (so per decision on it): the key refuses a second one,
    whatever process creates it; canceling a plan frees its topic."""

    __tablename__ = "civic_plan_slots"
    agenda_id: Mapped[int] = mapped_column(ForeignKey("civic_agenda_items.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("civic_plans.id"), unique=True)


class PlanRevision(Base):
    """A plan's history, one row per version: created, revised, published, canceled."""

    __tablename__ = "civic_plan_revisions"
    plan_id: Mapped[int] = mapped_column(ForeignKey("civic_plans.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    response_text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    office: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaskOwner(Base):
    """The organisation a task is assigned to, as the policy knows it: a role (the property
    company is `property_manager`) in a jurisdiction. Its staff update the task."""

    __tablename__ = "civic_task_owners"
    task_id: Mapped[int] = mapped_column(ForeignKey("civic_tasks.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    jurisdiction: Mapped[str] = mapped_column(String(14), index=True)
