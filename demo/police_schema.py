"""公安 population registry tables (SQLAlchemy Core)."""

from sqlalchemy import Column, Date, DateTime, Index, MetaData, String, Table

metadata = MetaData()

residents = Table(
    "residents",
    metadata,
    Column("person_no", String(10), primary_key=True),
    Column("name", String(32), nullable=False),
    Column("gender", String(2), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("ethnicity", String(16), nullable=False),
    Column("hukou_address", String(200), nullable=False),
    Column("residence_address", String(200), nullable=False),
    Column("phone", String(11)),
    Column("household_no", String(20), nullable=False),
    Column("relation_to_head", String(8), nullable=False),
    Column("grid_code", String(14), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_residents_grid_code", "grid_code"),
    Index("ix_residents_id_number", "id_number"),
    Index("ix_residents_name", "name"),
    Index("ix_residents_household_no", "household_no"),
    Index("ix_residents_phone", "phone"),
    Index("ix_residents_updated_at", "updated_at"),
)

gate_events = Table(
    "gate_events",
    metadata,
    Column("event_no", String(14), primary_key=True),
    Column("person_no", String(10), nullable=False),
    Column("gate_name", String(64), nullable=False),
    Column("address", String(200), nullable=False),
    Column("direction", String(2), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("grid_code", String(14), nullable=False),
    Index("ix_gate_events_person_no", "person_no"),
    Index("ix_gate_events_grid_code", "grid_code"),
    Index("ix_gate_events_occurred_at", "occurred_at"),
)
