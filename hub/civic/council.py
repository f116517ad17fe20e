"""The residents' council (红茶议事会): sessions, verified participants, discussion, ballots.

One person, one vote: a vote's primary key is (ballot, keyed hash of the voter), so a second
vote fails in the database whatever process takes it. Residents are verified against the link
graph: their Person node's jurisdiction must lie inside the session's.
"""

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic.periods import CST, beijing
from hub.civic.records import (
    AgendaItem,
    Ballot,
    CouncilSession,
    Decision,
    Participant,
    Remark,
    SessionItem,
    Vote,
    now,
)
from hub.errors import BadInput, ErrorCode

if TYPE_CHECKING:
    from hub.civic.service import Civic

MODES = ("online", "offline", "hybrid")
ROLES = ("resident", "representative", "department", "property", "staff")
VOTING_ROLES = ("resident", "representative")


async def _get(session: AsyncSession, table: type, key: int, what: str):
    found = await session.get(table, key)
    if found is None:
        raise BadInput(f"{what} {key} not found", ErrorCode.NOT_FOUND)
    return found


class Council:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    async def schedule(
        self, jurisdiction: str, title: str, mode: str, starts_at: datetime, ends_at: datetime,
        location: str | None, online_url: str | None, agenda_ids: list[int],
    ) -> CouncilSession:
        if mode not in MODES:
            raise BadInput(f"mode must be one of {', '.join(MODES)}")
        starts_at, ends_at = beijing(starts_at), beijing(ends_at)
        if ends_at <= starts_at:
            raise BadInput("a session must end after it starts")
        if mode != "online" and not location:
            raise BadInput("an offline or hybrid session needs a location")
        async with self.civic.runtime.sessions() as session:
            meeting = CouncilSession(
                jurisdiction=jurisdiction, title=title.strip()[:200], mode=mode,
                location=location, online_url=online_url, starts_at=starts_at, ends_at=ends_at,
                created_at=now(),
            )
            session.add(meeting)
            await session.flush()
            for agenda_id in dict.fromkeys(agenda_ids):
                item: AgendaItem = await _get(session, AgendaItem, agenda_id, "agenda item")
                reach = await self.civic.agenda.reach(agenda_id)
                if item.status != "accepted" or not any(j.startswith(jurisdiction) for j in reach):
                    raise BadInput(
                        f"agenda item {agenda_id} is {item.status} in {item.jurisdiction}",
                        ErrorCode.BAD_STATE,
                        suggestion="accept the topic first; sessions take topics touching "
                        "their jurisdiction",
                    )
                session.add(SessionItem(session_id=meeting.id, agenda_id=agenda_id))
            await session.commit()
        return meeting

    async def page(self, prefix: str, offset: int, limit: int) -> list[CouncilSession]:
        """Sessions held in `prefix` or a place below it, the latest start first (the scope
        is the query's: nothing outside it is read)."""
        async with self.civic.runtime.sessions() as session:
            statement = (
                select(CouncilSession)
                .where(CouncilSession.jurisdiction.startswith(prefix, autoescape=True))
                .order_by(CouncilSession.starts_at.desc(), CouncilSession.id.desc())
            )
            return list(await session.scalars(statement.offset(offset).limit(limit)))

    async def _verify(self, meeting: CouncilSession, subject: str, role: str) -> str | None:
        """A resident's jurisdiction from the link graph, which must lie in the session's."""
        if role not in VOTING_ROLES:
            return None
        person = await self.civic.person_jurisdiction(subject)
        if person is None or not person.startswith(meeting.jurisdiction):
            raise BadInput(
                "该居民不属于本议事会辖区 (the person does not live in this jurisdiction)",
                ErrorCode.OUT_OF_JURISDICTION,
            )
        return person

    async def register(
        self, session_id: int, subject: str, role: str, display_name: str
    ) -> Participant:
        """Add a participant once; registering again answers the existing registration."""
        if role not in ROLES:
            raise BadInput(f"role must be one of {', '.join(ROLES)}")
        async with self.civic.runtime.sessions() as session:
            meeting = await _get(session, CouncilSession, session_id, "council session")
            found = await self._participant(session, session_id, subject)
            if found is not None:
                return found
            jurisdiction = await self._verify(meeting, subject, role)
            participant = Participant(
                session_id=session_id, subject=subject, role=role,
                display_name=display_name.strip()[:120] or role, jurisdiction=jurisdiction,
                verified_at=now(),
            )
            session.add(participant)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return await self._participant(session, session_id, subject)  # type: ignore[return-value]
        return participant

    async def _participant(
        self, session: AsyncSession, session_id: int, subject: str
    ) -> Participant | None:
        return await session.scalar(
            select(Participant).where(
                Participant.session_id == session_id, Participant.subject == subject
            )
        )

    async def remark(
        self, session_id: int, subject: str, text: str, agenda_id: int | None
    ) -> Remark:
        text = (text or "").strip()
        if not text or len(text) > 4000:
            raise BadInput("发言内容须为 1–4000 字 (a remark must be 1-4000 characters)")
        async with self.civic.runtime.sessions() as session:
            participant = await self._participant(session, session_id, subject)
            if participant is None:
                raise BadInput("join the session before speaking", ErrorCode.NOT_A_PARTICIPANT)
            remark = Remark(session_id=session_id, agenda_id=agenda_id,
                            participant_id=participant.id, text=text, created_at=now())
            session.add(remark)
            await session.commit()
        return remark

    async def open_ballot(
        self, session_id: int, agenda_id: int | None, question: str, options: list[str],
        deadline: datetime,
    ) -> Ballot:
        choices = list(dict.fromkeys(o.strip() for o in options if o.strip()))
        if len(choices) < 2:
            raise BadInput("a ballot needs at least two different options")
        deadline = beijing(deadline)
        if deadline <= now():
            raise BadInput("the deadline must be in the future", ErrorCode.BALLOT_CLOSED)
        async with self.civic.runtime.sessions() as session:
            meeting = await _get(session, CouncilSession, session_id, "council session")
            if deadline <= meeting.starts_at:
                raise BadInput("表决截止须晚于会议开始 (voting opens when the session starts)",
                               suggestion=f"a deadline after {meeting.starts_at.isoformat()}")
            ballot = Ballot(session_id=session_id, agenda_id=agenda_id, question=question.strip(),
                            options=choices, deadline=deadline, created_at=now())
            session.add(ballot)
            await session.commit()
        return ballot

    async def vote(self, ballot_id: int, subject: str, option: str) -> Vote:
        """One vote per registered resident or representative of the session (registered by
        staff, or joined, both verified against its jurisdiction), from the session's start
        until the ballot's deadline."""
        async with self.civic.runtime.sessions() as session:
            ballot: Ballot = await _get(session, Ballot, ballot_id, "ballot")
            meeting: CouncilSession = await _get(
                session, CouncilSession, ballot.session_id, "council session")
            self._voting_open(meeting, ballot)
            if option not in ballot.options:
                raise BadInput(f"not an option of this ballot: {option[:40]!r}",
                               suggestion=" / ".join(ballot.options))
            participant = await self._participant(session, ballot.session_id, subject)
        if participant is None or participant.role not in VOTING_ROLES:
            raise BadInput(
                "只有本次议事会登记的居民或代表可以投票 (only the session's registered residents "
                "vote)", ErrorCode.NOT_A_PARTICIPANT,
                suggestion="join the session (joinSession) first, or ask staff to register you",
            )
        vote = Vote(ballot_id=ballot_id, voter_key=self._voter_key(ballot_id, subject),
                    option=option, created_at=now())
        try:
            async with self.civic.runtime.sessions() as session:
                session.add(vote)
                await session.commit()
        except IntegrityError:
            raise BadInput("已投过票 (one person, one vote)", ErrorCode.ALREADY_VOTED) from None
        return vote

    @staticmethod
    def _voting_open(meeting: CouncilSession, ballot: Ballot) -> None:
        at = now()
        if at < meeting.starts_at:
            opens = meeting.starts_at.astimezone(CST).strftime("%Y-%m-%d %H:%M")
            raise BadInput(f"投票尚未开始，会议 {opens} 开始后可投票 (voting opens with the "
                           "session)", ErrorCode.VOTING_NOT_OPEN)
        if at >= ballot.deadline:
            raise BadInput("投票已截止 (the ballot is closed)", ErrorCode.BALLOT_CLOSED)

    def _voter_key(self, ballot_id: int, subject: str) -> str:
        return self.civic.runtime.keys.digest("vote", f"{ballot_id}\x1f{subject}")

    async def tally(self, ballot_id: int) -> dict[str, int]:
        async with self.civic.runtime.sessions() as session:
            ballot: Ballot = await _get(session, Ballot, ballot_id, "ballot")
            rows = await session.scalars(select(Vote.option).where(Vote.ballot_id == ballot_id))
            counts = Counter(rows)
        return {option: counts.get(option, 0) for option in ballot.options}

    async def decide(
        self, session_id: int, agenda_id: int | None, ballot_id: int | None, text: str
    ) -> Decision:
        """Record a decision; one resting on a ballot waits for its deadline."""
        tally: dict[str, int] = {}
        outcome = None
        if ballot_id is not None:
            async with self.civic.runtime.sessions() as session:
                ballot: Ballot = await _get(session, Ballot, ballot_id, "ballot")
            if now() < ballot.deadline:
                raise BadInput("the ballot is still open", ErrorCode.BAD_STATE)
            tally = await self.tally(ballot_id)
            outcome = max(tally, key=lambda o: tally[o]) if any(tally.values()) else None
        async with self.civic.runtime.sessions() as session:
            await _get(session, CouncilSession, session_id, "council session")
            decision = Decision(session_id=session_id, agenda_id=agenda_id, ballot_id=ballot_id,
                                text=text.strip(), outcome=outcome, tally=tally, created_at=now())
            session.add(decision)
            try:
                await session.commit()
            except IntegrityError:
                raise BadInput("this ballot already has a decision", ErrorCode.BAD_STATE) from None
        return decision
