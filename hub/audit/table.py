"""The access log table. Rows are only ever appended (and pruned from the front by retention)."""

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.records.db import Base


class AccessEntry(Base):
    __tablename__ = "access_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, microseconds, exactly as hashed
    principal: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(200))
    jurisdictions: Mapped[str] = mapped_column(String(400))
    operation: Mapped[str] = mapped_column(String(64))  # sha256 of the GraphQL document
    operation_name: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(20))
    entities: Mapped[str] = mapped_column(Text)  # JSON {type: [ids]}
    fields: Mapped[str] = mapped_column(Text)  # JSON {"Person.idNumber": "mask", ...}
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_access_log_at", "at"),)


PAYLOAD = (
    "at",
    "principal",
    "roles",
    "jurisdictions",
    "operation",
    "operation_name",
    "decision",
    "entities",
    "fields",
    "detail",
)
"""The columns each entry's hash covers (with seq and the previous hash)."""
