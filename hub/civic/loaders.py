"""Per-request dataloaders of the civic records: one query per kind per tick, never N+1."""

from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import func, select

from hub.civic import opinions
from hub.civic.records import (
    AgendaItem,
    AgendaOpinion,
    Ballot,
    Decision,
    Opinion,
    Participant,
    PlanRevision,
    Response,
    SessionItem,
    Task,
    TaskOwner,
)


class CivicLoaders:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.opinions: DataLoader[str, Opinion | None] = DataLoader(self._opinions)
        self.responses: DataLoader[str, list[Response]] = DataLoader(self._responses)
        self.tasks: DataLoader[int, list[Task]] = DataLoader(self._children(Task, Task.plan_id))
        self.participants: DataLoader[int, list[Participant]] = DataLoader(
            self._children(Participant, Participant.session_id)
        )
        self.ballots: DataLoader[int, list[Ballot]] = DataLoader(
            self._children(Ballot, Ballot.session_id)
        )
        self.decisions: DataLoader[int, list[Decision]] = DataLoader(
            self._children(Decision, Decision.session_id)
        )
        self.plan_revisions: DataLoader[int, list[PlanRevision]] = DataLoader(
            self._children(PlanRevision, PlanRevision.plan_id, PlanRevision.version)
        )
        self.task_owners: DataLoader[int, TaskOwner | None] = DataLoader(self._task_owners)
        self.session_agenda: DataLoader[int, list[AgendaItem]] = DataLoader(self._session_agenda)
        # (agenda item, jurisdiction prefixes or None for all) -> its opinion ids in them
        self.agenda_opinions: DataLoader[tuple[int, tuple[str, ...] | None], list[str]] = (
            DataLoader(self._agenda_opinions)
        )

    async def _opinions(self, ids: list[str]) -> list[Opinion | None]:
        async with self.runtime.sessions() as session:
            found = await opinions.many(session, ids)
        return [found.get(i) for i in ids]

    async def _responses(self, ids: list[str]) -> list[list[Response]]:
        async with self.runtime.sessions() as session:
            found = await opinions.responses(session, ids)
        return [found[i] for i in ids]

    def _children(self, table: Any, column: Any, order: Any = None) -> Any:
        async def load(keys: list[int]) -> list[list[Any]]:
            async with self.runtime.sessions() as session:
                rows = await session.scalars(
                    select(table).where(column.in_(keys)).order_by(
                        table.id if order is None else order)
                )
                found: dict[int, list[Any]] = {k: [] for k in keys}
                for row in rows:
                    found[getattr(row, column.key)].append(row)
            return [found[k] for k in keys]

        return load

    async def _task_owners(self, keys: list[int]) -> list[TaskOwner | None]:
        async with self.runtime.sessions() as session:
            rows = await session.scalars(select(TaskOwner).where(TaskOwner.task_id.in_(keys)))
            found = {row.task_id: row for row in rows}
        return [found.get(k) for k in keys]

    async def _session_agenda(self, keys: list[int]) -> list[list[AgendaItem]]:
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(SessionItem.session_id, AgendaItem)
                .join(AgendaItem, AgendaItem.id == SessionItem.agenda_id)
                .where(SessionItem.session_id.in_(keys))
                .order_by(AgendaItem.id)
            )
            found: dict[int, list[AgendaItem]] = {k: [] for k in keys}
            for session_id, item in rows.all():
                found[session_id].append(item)
        return [found[k] for k in keys]

    async def _agenda_opinions(
        self, keys: list[tuple[int, tuple[str, ...] | None]]
    ) -> list[list[str]]:
        """Supporting opinion ids of each agenda item within a scope, the scope in the query
        (an opinion without a place is judged by its item's jurisdiction): one query per scope
        asked in the tick, for all its items."""
        found: dict[tuple[int, tuple[str, ...] | None], list[str]] = {k: [] for k in keys}
        scopes = {scope for _, scope in keys}
        async with self.runtime.sessions() as session:
            for scope in scopes:
                items = [agenda_id for agenda_id, s in keys if s == scope]
                statement = opinions.in_scope(
                    select(AgendaOpinion.agenda_id, AgendaOpinion.opinion_id)
                    .join(Opinion, Opinion.id == AgendaOpinion.opinion_id)
                    .join(AgendaItem, AgendaItem.id == AgendaOpinion.agenda_id)
                    .where(AgendaOpinion.agenda_id.in_(items)),
                    None if scope is None else list(scope),
                    func.coalesce(Opinion.jurisdiction, AgendaItem.jurisdiction),
                )
                rows = await session.execute(statement.order_by(AgendaOpinion.opinion_id))
                for agenda_id, opinion_id in rows.all():
                    found[(agenda_id, scope)].append(opinion_id)
        return [found[k] for k in keys]
