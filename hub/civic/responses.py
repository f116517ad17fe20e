"""Answers to residents: first responses, progress, the final answer of a plan, and ratings.

Every answer is committed, then published to the opinion's and the author's channels.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic import events, opinions
from hub.civic.access import Actor
from hub.civic.records import Opinion, Response, UTCDateTime, now
from hub.errors import AccessDenied, BadInput, ErrorCode

if TYPE_CHECKING:
    from hub.civic.service import Civic

KINDS = ("acknowledge", "progress", "final")
OPEN = ("received", "accepted", "in_progress")


def record(
    session: AsyncSession, opinion: Opinion, text: str, responder: str, kind: str,
    plan_id: int | None = None,
) -> Response:
    """Add an acknowledgement or progress answer to the session and move the opinion's
    status; the caller commits. Final answers go through `answer_finally`."""
    if kind == "final":
        raise ValueError("final answers go through answer_finally, which answers once")
    at = now()
    status = "closed" if kind == "final" else ("in_progress" if kind == "progress" else "accepted")
    if opinion.status == "closed":
        status = "closed"
    opinion.first_response_at = opinion.first_response_at or at
    if status == "closed" and opinion.closed_at is None:
        opinion.closed_at = at
    opinion.status, opinion.updated_at = status, at
    answer = Response(
        opinion_id=opinion.id, plan_id=plan_id, kind=kind, text=text,
        status_after=status, responder=responder, created_at=at,
    )
    session.add(answer)
    return answer


async def answer_finally(
    session: AsyncSession, ids: Sequence[str], text: str, responder: str,
    plan_id: int | None = None,
) -> list[tuple[Opinion, Response]]:
    """The final answer to each opinion of `ids` that has none yet; the caller commits.

    Exactly one final answer per opinion, ever: closing is a guarded update (`status <>
    'closed'`), so of two processes racing, or a plan finishing after the hotline closed the
    order, only the one whose update matched the row answers it."""
    if not ids:
        return []
    at = now()
    won = list(await session.scalars(
        update(Opinion)
        .where(Opinion.id.in_(list(ids)), Opinion.status != "closed")
        .values(status="closed", closed_at=at, updated_at=at, first_response_at=func.coalesce(
            Opinion.first_response_at, literal(at, UTCDateTime())))
        .returning(Opinion.id)
        .execution_options(synchronize_session=False)
    ))
    rows = await session.scalars(
        select(Opinion).where(Opinion.id.in_(won)).execution_options(populate_existing=True)
    )
    answered = []
    for opinion in rows:
        answer = Response(opinion_id=opinion.id, plan_id=plan_id, kind="final", text=text,
                          status_after="closed", responder=responder, created_at=at)
        session.add(answer)
        answered.append((opinion, answer))
    await session.flush()
    return answered


def check_text(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > 4000:
        raise BadInput("答复内容须为 1–4000 字 (response text must be 1-4000 characters)")
    return cleaned


class Responses:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    async def respond(
        self, opinion_id: str, text: str, responder: str, kind: str
    ) -> Response:
        """A direct answer by staff (接诉即办), outside any plan."""
        if kind not in KINDS:
            raise BadInput(f"kind must be one of {', '.join(KINDS)}")
        text = check_text(text)
        async with self.civic.runtime.sessions() as session:
            opinion = await opinions.get(session, opinion_id)
            if kind != "final":
                answered = [(opinion, record(session, opinion, text, responder, kind))]
            elif not (answered := await answer_finally(session, [opinion_id], text, responder)):
                raise BadInput("该意见已有最终答复 (the opinion already has its final answer)",
                               ErrorCode.BAD_STATE, suggestion="send a progress answer instead")
            await session.commit()
        await self.deliver(answered)
        return answered[0][1]

    async def rate(
        self, actor: Actor, opinion_id: str, satisfaction: int, resolved: bool
    ) -> Opinion:
        """The author's rating of a closed opinion, once (回访: 是否解决、是否满意)."""
        if not 1 <= satisfaction <= 5:
            raise BadInput("satisfaction must be 1 (很不满意) to 5 (很满意)")
        mine = await self.civic.author_keys(actor.subject)
        async with self.civic.runtime.sessions() as session:
            opinion = await opinions.get(session, opinion_id)
            if opinion.author_key not in mine:
                raise AccessDenied("only the author may rate the answer to an opinion")
            if opinion.status != "closed":
                raise BadInput("the opinion has no final answer yet", ErrorCode.BAD_STATE)
            if opinion.rated_at is not None:
                raise BadInput("this opinion was already rated", ErrorCode.BAD_STATE)
            opinion.satisfaction, opinion.resolved = satisfaction, resolved
            opinion.rated_at = now()
            await session.commit()
        return opinion

    async def deliver(self, answered: Sequence[tuple[Opinion, Response]]) -> None:
        redis = self.civic.runtime.redis
        for opinion, answer in answered:
            message = {
                "event": "response", "opinionId": opinion.id, "responseId": answer.id,
                "kind": answer.kind, "status": opinion.status,
            }
            channels = [events.opinion_channel(opinion.id)]
            if opinion.author_key:
                channels.append(events.author_channel(opinion.author_key))
            await events.publish(redis, channels, message)

    async def get(self, response_id: int) -> Response | None:
        async with self.civic.runtime.sessions() as session:
            return await session.get(Response, response_id)

    async def of_plan(self, session: AsyncSession, plan_id: int) -> set[str]:
        rows = await session.scalars(
            select(Response.opinion_id).where(
                Response.plan_id == plan_id, Response.kind == "final"
            )
        )
        return set(rows)
