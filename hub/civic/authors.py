"""Who wrote an opinion: an author key per identity (a signed-in subject, or a phone), and
for phone authors the phone's linking key, so a resident reaches what she said by phone too.

Neither the phone nor the subject is stored: author keys and linking keys are keyed hashes
(HUB_LINK_SECRET). The graph knows a person's phone by the same linking key, so a person's
author keys are her subject's and those of the phones the graph links to her.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from graph.links import LinkGraph
from hub.linking.keys import Keyring
from hub.linking.normalize import normalize_phone
from hub.records.db import Base


class AuthorPhone(Base):
    """An author key that is a phone, and that phone's linking key."""

    __tablename__ = "civic_author_phones"
    author_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(64), index=True)


def phone_key(keys: Keyring, raw: str | None) -> str | None:
    """The linking key of the phone in `raw` (as `hub link` keys people's phones), if any."""
    phone = normalize_phone(raw)
    return keys.key("phone", phone) if phone else None


async def remember(session: AsyncSession, phones: Mapping[str, str]) -> None:
    """Keep author key → phone linking key for the phone authors not yet known."""
    if not phones:
        return
    known = set(
        await session.scalars(
            select(AuthorPhone.author_key).where(AuthorPhone.author_key.in_(list(phones)))
        )
    )
    session.add_all(
        AuthorPhone(author_key=a, phone_key=p) for a, p in phones.items() if a not in known
    )


async def of_phones(session: AsyncSession, phone_keys: Iterable[str]) -> list[str]:
    wanted = [k for k in phone_keys if k]
    if not wanted:
        return []
    rows = await session.scalars(
        select(AuthorPhone.author_key).where(AuthorPhone.phone_key.in_(wanted))
    )
    return list(rows)


async def person_phone_keys(links: LinkGraph, person_id: str) -> list[str]:
    """The phone linking keys the graph holds for a person (none for other subjects)."""
    if not person_id.startswith("prs_"):
        return []
    rows = await links.store.read(
        "MATCH (p:Person {id: $id}) RETURN p.phoneKey AS phoneKey", {"id": person_id}
    )
    return [row["phoneKey"] for row in rows if row["phoneKey"]]
