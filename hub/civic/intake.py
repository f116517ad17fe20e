"""Intake, always open: validate, locate, understand, store durably, then acknowledge.

Idempotency: an opinion's id is a keyed hash of (client scope, idempotency key), so concurrent
retries race for one primary key and the database settles it. The same key with the same
payload answers the stored opinion (`created = False`); with a different payload it is
IDEMPOTENCY_CONFLICT. Nothing is acknowledged before its transaction has committed.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.civic import authors, events
from hub.civic.places import PlaceRef
from hub.civic.records import Opinion, Response, now
from hub.errors import BadInput, ErrorCode
from hub.linking.normalize import normalize_phone

if TYPE_CHECKING:
    from hub.civic.service import Civic

MAX_TEXT = 4000
MAX_KEY = 128
CHANNELS = ("app", "wechat", "web", "open311", "hotline", "offline")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Submission:
    """What a channel hands in. `author` is raw (subject id, phone, account) and never stored."""

    text: str
    channel: str
    client: str  # idempotency scope: "app", "open311:<key name>", "hotline"
    idempotency_key: str | None = None
    category: str | None = None
    place_id: str | None = None
    address: str | None = None
    author: str | None = None
    lat: float | None = None
    lon: float | None = None
    received_at: datetime | None = None  # imports keep the original time
    external_ref: str | None = None
    allow_unresolved: bool = False  # hotline orders are already accepted elsewhere: keep them
    per_author: bool = False  # keys are the author's own (one app, many residents' devices)


@dataclass(frozen=True)
class Receipt:
    opinion: Opinion
    created: bool


def clean_text(text: str) -> str:
    """Trimmed text without control characters; HTML stays as typed (it is never rendered)."""
    cleaned = _CONTROL.sub("", text or "").strip()
    if not cleaned:
        raise BadInput("意见内容不能为空 (text is empty)")
    if len(cleaned) > MAX_TEXT:
        raise BadInput(
            f"意见内容超过 {MAX_TEXT} 字 (text has {len(cleaned)} characters)",
            suggestion=f"keep it under {MAX_TEXT} characters, or split it into several opinions",
        )
    return cleaned


def idem_scope(sub: Submission, author_key: str | None) -> str:
    """Whose idempotency keys these are: the client's, and on a channel where every resident
    brings her own keys (GraphQL), the author's within it; two residents never collide."""
    return f"{sub.client}:{author_key}" if sub.per_author and author_key else sub.client


def author_identity(raw: str | None) -> str | None:
    """Phones in any format collapse to one identity, so hotline and app callers meet."""
    if not raw or not raw.strip():
        return None
    phone = normalize_phone(raw)
    return f"phone:{phone}" if phone else f"subject:{raw.strip()}"


class Intake:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    def check(self, sub: Submission) -> tuple[str, str]:
        if sub.channel not in CHANNELS:
            raise BadInput(f"unknown channel {sub.channel[:20]!r}", suggestion=", ".join(CHANNELS))
        if sub.category and sub.category not in self.civic.text.category_codes():
            raise BadInput(
                f"unknown category {sub.category[:40]!r}",
                suggestion=", ".join(self.civic.text.category_codes()),
            )
        text = clean_text(sub.text)
        key = (sub.idempotency_key or "").strip() or self._content_key(sub, text)
        if len(key) > MAX_KEY:
            raise BadInput(f"idempotencyKey longer than {MAX_KEY} characters")
        return text, key

    def _content_key(self, sub: Submission, text: str) -> str:
        """Without a key, the same author, text and place on the same day is one opinion."""
        day = (sub.received_at or now()).date().isoformat()
        basis = json.dumps([sub.author, text, sub.place_id, sub.address, day], ensure_ascii=False)
        return "content:" + hashlib.sha256(basis.encode()).hexdigest()[:40]

    def payload_hash(self, sub: Submission, text: str, author_key: str | None) -> str:
        payload = {**asdict(sub), "text": text, "author": author_key, "idempotency_key": None}
        payload.pop("received_at")
        payload.pop("per_author")
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def submit(self, sub: Submission) -> Receipt:
        text, key = self.check(sub)
        keys = self.civic.runtime.keys
        identity = author_identity(sub.author)
        author_key = keys.digest("author", identity) if identity else None
        scope = idem_scope(sub, author_key)
        opinion_id = "op_" + keys.digest("opinion", f"{scope}\x1f{key}", 16)
        payload_hash = self.payload_hash(sub, text, author_key)
        tolerant = sub.external_ref is not None  # a re-imported work order may have changed
        found = await self._existing(opinion_id, payload_hash, tolerant)
        if found is not None:
            return Receipt(found, False)
        place = await self.place(sub)
        opinion = self.build(sub, text, key, opinion_id, payload_hash, author_key, place)
        try:
            async with self.civic.runtime.sessions() as session:
                session.add(opinion)
                await authors.remember(session, self.phone_author(sub, author_key))
                await session.commit()
        except IntegrityError:
            again = await self._existing(opinion_id, payload_hash, tolerant)
            if again is None:
                raise
            return Receipt(again, False)
        await self._announce(opinion)
        return Receipt(opinion, True)

    def phone_author(self, sub: Submission, author_key: str | None) -> dict[str, str]:
        """{author key: the phone's linking key} when the author is a phone."""
        phone = authors.phone_key(self.civic.runtime.keys, sub.author)
        return {author_key: phone} if author_key and phone else {}

    async def _existing(
        self, opinion_id: str, payload_hash: str, tolerant: bool = False
    ) -> Opinion | None:
        """The opinion stored under this key, if any; a different payload is a conflict."""
        async with self.civic.runtime.sessions() as session:
            found = await session.get(Opinion, opinion_id)
        if found is not None and found.payload_hash != payload_hash and not tolerant:
            raise BadInput(
                "幂等键已用于另一条意见 (idempotency key reused with a different payload)",
                ErrorCode.IDEMPOTENCY_CONFLICT,
                suggestion="use a new idempotencyKey for a new opinion; retry with the same one",
            )
        return found

    async def place(self, sub: Submission) -> PlaceRef | None:
        try:
            return await self.civic.places.locate(sub.place_id, sub.address)
        except BadInput as exc:
            if sub.allow_unresolved and exc.code == ErrorCode.UNKNOWN_PLACE:
                return None
            raise

    def build(
        self,
        sub: Submission,
        text: str,
        key: str,
        opinion_id: str,
        payload_hash: str,
        author_key: str | None,
        place: PlaceRef | None,
    ) -> Opinion:
        analysis = self.civic.text.analyze(text)
        at = sub.received_at or now()
        return Opinion(
            id=opinion_id,
            text=text,
            category=sub.category or analysis.category,
            category_given=bool(sub.category),
            channel=sub.channel,
            author_key=author_key,
            place_id=place.id if place else None,
            place_name=place.name if place else None,
            place_precision=place.precision if place else "none",
            jurisdiction=place.jurisdiction if place else None,
            address=(sub.address or "").strip()[:500] or None,
            lat=sub.lat,
            lon=sub.lon,
            keywords=" ".join(analysis.keywords),
            simhash=analysis.simhash,
            status="received",
            created_at=at,
            updated_at=at,
            idem_scope=idem_scope(sub, author_key),
            idem_key=key,
            payload_hash=payload_hash,
            external_ref=sub.external_ref,
        )

    async def _announce(self, opinion: Opinion) -> None:
        message = {"event": "new_opinion", "opinionId": opinion.id}
        await events.publish(
            self.civic.runtime.redis, [events.new_opinion_channel(opinion.jurisdiction)], message
        )


@dataclass
class BatchReport:
    """What a bulk import did; `rejected` names the record and the reason, never its content."""

    created: int = 0
    existing: int = 0
    unresolved: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        found = [f"created {self.created}", f"already there {self.existing}",
                 f"place unresolved {self.unresolved}", f"rejected {len(self.rejected)}"]
        return [", ".join(found), *(f"  {ref}: {why}" for ref, why in self.rejected[:20])]


Decorate = Callable[[Opinion, int], list[Response]]


async def store_batch(
    intake: Intake, subs: list[Submission], decorate: Decorate | None = None
) -> BatchReport:
    """Many submissions in one transaction (imports); idempotent like `submit`."""
    report = BatchReport()
    keys = intake.civic.runtime.keys
    prepared: list[tuple[int, Submission, str, str, str, str | None, str]] = []
    for i, sub in enumerate(subs):
        try:
            text, key = intake.check(sub)
        except BadInput as exc:
            report.rejected.append((sub.external_ref or sub.idempotency_key or str(i), exc.message))
            continue
        identity = author_identity(sub.author)
        author_key = keys.digest("author", identity) if identity else None
        opinion_id = "op_" + keys.digest("opinion", f"{sub.client}\x1f{key}", 16)
        payload = intake.payload_hash(sub, text, author_key)
        prepared.append((i, sub, text, key, opinion_id, author_key, payload))
    phones: dict[str, str] = {}
    for _, sub, *_, author_key, _ in prepared:
        phones |= intake.phone_author(sub, author_key)
    async with intake.civic.runtime.sessions() as session:
        await authors.remember(session, phones)  # re-imports too: older rows lacked it
        ids = [p[4] for p in prepared]
        seen = set(await session.scalars(select(Opinion.id).where(Opinion.id.in_(ids))))
        for i, sub, text, key, opinion_id, author_key, payload in prepared:
            if opinion_id in seen:
                report.existing += 1
                continue
            seen.add(opinion_id)
            try:
                place = await intake.place(sub)
            except BadInput as exc:
                report.rejected.append((sub.external_ref or key, exc.message))
                continue
            report.unresolved += place is None
            opinion = intake.build(sub, text, key, opinion_id, payload, author_key, place)
            session.add(opinion)
            session.add_all(decorate(opinion, i) if decorate else [])
            report.created += 1
        await session.commit()
    return report
