"""Co-governance plans (共治方案): tasks with owner organisations, due dates and progress.

A plan is done when every task reaches 100%. Then each opinion linked to its topic (and to the
topics merged into it) gets one final answer: automatically when the plan carries a
`response_text`, or by `respond`. Answering twice sends nothing twice.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic import opinions
from hub.civic.records import AgendaItem, Opinion, Plan, Response, Task, TaskUpdate, now
from hub.civic.responses import check_text, record
from hub.errors import BadInput, ErrorCode

if TYPE_CHECKING:
    from hub.civic.service import Civic

PROGRESS_TEXT = "您反映的问题已形成共治方案“{title}”，正在落实中。"


@dataclass(frozen=True)
class TaskSpec:
    title: str
    owner_org: str
    due_date: date


class Plans:
    def __init__(self, civic: "Civic") -> None:
        self.civic = civic

    async def get(self, session: AsyncSession, plan_id: int) -> Plan:
        plan = await session.get(Plan, plan_id)
        if plan is None:
            raise BadInput(f"plan {plan_id} not found", ErrorCode.NOT_FOUND)
        return plan

    async def create(
        self, agenda_id: int, title: str, summary: str, tasks: list[TaskSpec],
        response_text: str | None, decision_id: int | None, responder: str,
    ) -> Plan:
        if not tasks:
            raise BadInput("a plan needs at least one task")
        if any(not t.title.strip() or not t.owner_org.strip() for t in tasks):
            raise BadInput("every task needs a title and an owner organisation")
        async with self.civic.runtime.sessions() as session:
            item = await session.get(AgendaItem, agenda_id)
            if item is None or item.status != "accepted":
                raise BadInput("a plan answers an accepted agenda item", ErrorCode.BAD_STATE)
            plan = Plan(agenda_id=agenda_id, decision_id=decision_id,
                        jurisdiction=item.jurisdiction, title=title.strip()[:200],
                        summary=summary.strip(), status="active", created_at=now(),
                        response_text=check_text(response_text) if response_text else None)
            session.add(plan)
            await session.flush()
            session.add_all(Task(plan_id=plan.id, title=t.title.strip(), owner_org=t.owner_org,
                                 due_date=t.due_date, progress=0, updated_at=now())
                            for t in tasks)
            answered = await self._tell(session, plan, PROGRESS_TEXT.format(title=plan.title),
                                        responder, "progress")
            await session.commit()
        await self.civic.responses.deliver(answered)
        return plan

    async def progress(self, task_id: int, progress: int, note: str, responder: str) -> Task:
        if not 0 <= progress <= 100:
            raise BadInput("progress is a percentage, 0 to 100")
        async with self.civic.runtime.sessions() as session:
            task = await session.get(Task, task_id)
            if task is None:
                raise BadInput(f"task {task_id} not found", ErrorCode.NOT_FOUND)
            plan = await self.get(session, task.plan_id)
            if plan.status == "done":
                raise BadInput("the plan is already done", ErrorCode.BAD_STATE)
            task.progress, task.updated_at = progress, now()
            session.add(TaskUpdate(task_id=task_id, progress=progress, note=note.strip(),
                                   created_at=now()))
            await session.flush()
            tasks = await self.tasks(session, plan.id)
            if all(t.progress == 100 for t in tasks):
                plan.status, plan.completed_at = "done", now()
            await session.commit()
        if plan.status == "done" and plan.response_text:
            await self.respond(plan.id, plan.response_text, responder)
        return task

    async def respond(self, plan_id: int, text: str, responder: str) -> int:
        """Final answers to every linked opinion not answered yet; how many were sent now."""
        text = check_text(text)
        async with self.civic.runtime.sessions() as session:
            plan = await self.get(session, plan_id)
            if plan.status != "done":
                raise BadInput(
                    "方案尚未完成，不能答复 (the plan is not done)", ErrorCode.PLAN_NOT_DONE,
                    suggestion="finish every task (progress 100) first",
                )
            answered = await self._tell(session, plan, text, responder, "final")
            await session.commit()
        await self.civic.responses.deliver(answered)
        return len(answered)

    async def _tell(
        self, session: AsyncSession, plan: Plan, text: str, responder: str, kind: str
    ) -> list[tuple[Opinion, Response]]:
        done = set(await session.scalars(select(Response.opinion_id).where(
            Response.plan_id == plan.id, Response.kind == kind)))
        linked = await opinions.many(session, await self.opinion_ids(session, plan.agenda_id))
        answered = [
            (o, record(session, o, text, responder, kind, plan.id))
            for o in linked.values() if o.id not in done
        ]
        await session.flush()
        return answered

    async def opinion_ids(self, session: AsyncSession, agenda_id: int) -> list[str]:
        """Opinions of the topic and of every topic merged into it."""
        merged = list(await session.scalars(
            select(AgendaItem.id).where(AgendaItem.merged_into == agenda_id)))
        found: list[str] = []
        for item in [agenda_id, *merged]:
            found.extend(await self.civic.agenda.opinion_ids(session, item))
        return list(dict.fromkeys(found))

    async def tasks(self, session: AsyncSession, plan_id: int) -> list[Task]:
        return list(await session.scalars(
            select(Task).where(Task.plan_id == plan_id).order_by(Task.id)))
