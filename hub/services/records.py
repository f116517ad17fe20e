"""Precise services' tables on the hub records database (beside the civic loop's).

Times are aware UTC (`UTCDateTime`); codes are the jurisdiction codes of the demo regions.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.civic.records import UTCDateTime
from hub.records.db import Base


class Module(Base):
    """One module (or an optional item inside one: `parent`) of a community's catalogue."""

    __tablename__ = "services_modules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(14), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    mandatory: Mapped[bool] = mapped_column(default=False)
    parent: Mapped[str | None] = mapped_column(String(32))
    target_group: Mapped[str] = mapped_column(String(32))
    providers: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    hours: Mapped[str] = mapped_column(String(120), default="")
    takes_requests: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("community", "code", name="uq_services_module"),)


class ModuleChange(Base):
    """A module's history: created, each status change, each edit, with who and why."""

    __tablename__ = "services_module_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("services_modules.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    status_after: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DemandCount(Base):
    """Service use per community, need and month (the demo's history, or imported counts)."""

    __tablename__ = "services_demand"
    community: Mapped[str] = mapped_column(String(14), primary_key=True)
    need: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-05
    count: Mapped[int] = mapped_column(Integer)


class SuggestionDecision(Base):
    """Staff's decision on a suggested optional module or item: accepted, adjusted, rejected."""

    __tablename__ = "services_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(14), index=True)
    need: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    module_id: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Project(Base):
    """A service project through the seven stages (发现需求 … 意见反馈)."""

    __tablename__ = "services_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(14), index=True)
    need: Mapped[str] = mapped_column(String(32))
    module_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    budget: Mapped[float | None] = mapped_column(Float)
    organisations: Mapped[list[str]] = mapped_column(JSON, default=list)
    volunteers: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(12))  # continue | adjust | retire
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProjectStep(Base):
    """One move of a project, with its evidence and actor."""

    __tablename__ = "services_project_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("services_projects.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Target(Base):
    """A measurable goal of a project: a number with its unit, and the progress towards it."""

    __tablename__ = "services_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("services_projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    goal: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    achieved: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Survey(Base):
    """A questionnaire of a project, open until closed; sent to an audience (hub/services/
    audience.py): the community's residents, the project's target group, or its users."""

    __tablename__ = "services_surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("services_projects.id"), index=True)
    community: Mapped[str] = mapped_column(String(14), index=True)
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="draft")  # draft | open | closed
    audience: Mapped[str] = mapped_column(String(12), default="community",
                                          server_default="community")
    audience_group: Mapped[str | None] = mapped_column(String(32))  # target_group: its code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(Base):
    """One resident's answers: the key refuses a second one. Respondents are keyed hashes."""

    __tablename__ = "services_answers"
    survey_id: Mapped[int] = mapped_column(ForeignKey("services_surveys.id"), primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    answers: Mapped[list[Any]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_services_answers_survey", "survey_id", "created_at"),)


class ProjectUser(Base):
    """A resident served by a project (signed up, recorded by staff): a keyed hash, no id."""

    __tablename__ = "services_project_users"
    project_id: Mapped[int] = mapped_column(ForeignKey("services_projects.id"), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    community: Mapped[str] = mapped_column(String(14))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
