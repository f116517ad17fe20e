"""Co-governance plans (共治方案): tasks with owner organisations, due dates and progress.

One live plan per agenda topic (`civic_plan_slots`), so per decision on it. A plan is drafted,
revised (each version kept in `civic_plan_revisions`), published (only then are the topic's
residents told, once) and canceled with a reason (which frees the topic). A published plan is
done when every task reaches 100%. Each opinion linked to its topic (and to the topics merged
into it) then gets its final answer, automatically when the plan carries a `response_text`, or
by `respond`; an opinion that already has one (from this plan, the hotline or a direct answer)
gets no second: see `responses.answer_finally`.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic import opinions
from hub.civic.agenda import touching
from hub.civic.records import (
    AgendaItem,
    Opinion,
    Plan,
    PlanRevision,
    PlanSlot,
    Response,
    Task,
    TaskOwner,
    TaskUpdate,
    now,
)
from hub.civic.responses import answer_finally, check_text, record
from hub.errors import BadInput, ErrorCode

if TYPE_CHECKING:
    from hub.civic.service import Civic

PROGRESS_TEXT = "您反映的问题已形成共治方案“{title}”，正在落实中。"
CANCEL_TEXT = "共治方案“{title}”已撤销：{reason}。后续进展将另行答复您。"
TASK_ROLES = ("property_manager",)  # organisations that update their own tasks (policy civic.task)
LIVE = ("draft", "active")


@dataclass(frozen=True)
class TaskSpec:
    title: str
    owner_org: str
    due_date: date
    owner_role: str | None = None
    owner_jurisdiction: str | None = None


@dataclass(frozen=True)
class PlanAnswer:
    """What `respond` did: final answers sent now, and why the others were not."""

    sent_now: int
    by_this_plan: int
    elsewhere: int

    @property
    def already(self) -> int:
        return self.by_this_plan + self.elsewhere

    @property
    def note(self) -> str:
        parts = [f"本次发出{self.sent_now}条最终答复"]
        if self.by_this_plan:
            parts.append(f"{self.by_this_plan}条已由本方案答复（方案完成时自动发出）")
        if self.elsewhere:
            parts.append(f"{self.elsewhere}条此前已由其他渠道办结（12345热线或直接答复）")
        return "；".join(parts) + "。每条意见只有一次最终答复。"


def _check_tasks(tasks: list[TaskSpec]) -> None:
    if not tasks:
        raise BadInput("a plan needs at least one task")
    if any(not t.title.strip() or not t.owner_org.strip() for t in tasks):
        raise BadInput("every task needs a title and an owner organisation")
    if any(t.owner_role and t.owner_role not in TASK_ROLES for t in tasks):
        raise BadInput("ownerRole must be one of " + ", ".join(TASK_ROLES))


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
        response_text: str | None, decision_id: int | None, office: str,
    ) -> Plan:
        """A draft: nobody is told until it is published."""
        _check_tasks(tasks)
        async with self.civic.runtime.sessions() as session:
            item = await session.get(AgendaItem, agenda_id)
            if item is None or item.status != "accepted":
                raise BadInput("a plan answers an accepted agenda item", ErrorCode.BAD_STATE)
            await self._free(session, agenda_id)
            plan = Plan(agenda_id=agenda_id, decision_id=decision_id,
                        jurisdiction=item.jurisdiction, title=title.strip()[:200],
                        summary=summary.strip(), status="draft", created_at=now(),
                        response_text=check_text(response_text) if response_text else None)
            session.add(plan)
            await session.flush()
            session.add(PlanSlot(agenda_id=agenda_id, plan_id=plan.id))
            await self._add_tasks(session, plan, tasks)
            self._revision(session, plan, 1, "created", "", office)
            try:
                await session.commit()
            except IntegrityError:
                raise self._taken(agenda_id) from None
        return plan

    async def _free(self, session: AsyncSession, agenda_id: int) -> None:
        live = await session.scalar(select(Plan.id).where(
            Plan.agenda_id == agenda_id, Plan.status.in_((*LIVE, "done"))))
        if live is not None:
            raise self._taken(agenda_id, live)

    def _taken(self, agenda_id: int, plan_id: int | None = None) -> BadInput:
        return BadInput(
            f"议题 {agenda_id} 已有共治方案 {plan_id or ''} (one plan per topic)",
            ErrorCode.BAD_STATE, suggestion="revise that plan (revisePlan), or cancel it first",
        )

    async def _add_tasks(
        self, session: AsyncSession, plan: Plan, tasks: list[TaskSpec]
    ) -> None:
        for spec in tasks:
            task = Task(plan_id=plan.id, title=spec.title.strip(), owner_org=spec.owner_org,
                        due_date=spec.due_date, progress=0, updated_at=now())
            session.add(task)
            await session.flush()
            if spec.owner_role:
                session.add(TaskOwner(task_id=task.id, role=spec.owner_role,
                                      jurisdiction=spec.owner_jurisdiction or plan.jurisdiction))

    def _revision(
        self, session: AsyncSession, plan: Plan, version: int, action: str, note: str,
        office: str,
    ) -> None:
        session.add(PlanRevision(
            plan_id=plan.id, version=version, action=action, title=plan.title,
            summary=plan.summary, response_text=plan.response_text, note=note.strip()[:500],
            office=office, created_at=now()))

    async def version(self, session: AsyncSession, plan_id: int) -> int:
        found = await session.scalar(
            select(func.max(PlanRevision.version)).where(PlanRevision.plan_id == plan_id))
        return int(found or 1)

    async def revise(
        self, plan_id: int, title: str | None, summary: str | None, response_text: str | None,
        tasks: list[TaskSpec] | None, note: str, office: str,
    ) -> Plan:
        """A new version; tasks are replaced only while the plan is a draft."""
        async with self.civic.runtime.sessions() as session:
            plan = await self._live(session, plan_id)
            if title is not None and title.strip():
                plan.title = title.strip()[:200]
            if summary is not None:
                plan.summary = summary.strip()
            if response_text is not None:
                plan.response_text = check_text(response_text)
            if tasks is not None:
                await self._replace_tasks(session, plan, tasks)
            version = await self.version(session, plan_id) + 1
            self._revision(session, plan, version, "revised", note, office)
            await session.commit()
        return plan

    async def _replace_tasks(
        self, session: AsyncSession, plan: Plan, tasks: list[TaskSpec]
    ) -> None:
        if plan.status != "draft":
            raise BadInput("tasks of a published plan change by updateTask", ErrorCode.BAD_STATE)
        _check_tasks(tasks)
        for task in await self.tasks(session, plan.id):
            owner = await session.get(TaskOwner, task.id)
            if owner is not None:
                await session.delete(owner)
            await session.delete(task)
        await session.flush()
        await self._add_tasks(session, plan, tasks)

    async def _live(self, session: AsyncSession, plan_id: int) -> Plan:
        plan = await self.get(session, plan_id)
        if plan.status not in LIVE:
            raise BadInput(f"plan {plan_id} is {plan.status}", ErrorCode.BAD_STATE)
        return plan

    async def publish(self, plan_id: int, office: str) -> Plan:
        """Draft → published; the topic's residents hear of it now, once."""
        async with self.civic.runtime.sessions() as session:
            plan = await self._live(session, plan_id)
            if plan.status != "draft":
                raise BadInput(f"plan {plan_id} is already published", ErrorCode.BAD_STATE)
            plan.status = "active"
            version = await self.version(session, plan_id) + 1
            self._revision(session, plan, version, "published", "", office)
            answered = await self._tell(session, plan, PROGRESS_TEXT.format(title=plan.title),
                                        office, plan.id)
            await session.commit()
        await self.civic.responses.deliver(answered)
        return plan

    async def cancel(self, plan_id: int, reason: str, office: str) -> Plan:
        """Withdraw a plan with a reason; residents told of it hear why. Its topic is free."""
        reason = (reason or "").strip()
        if not reason or len(reason) > 500:
            raise BadInput("撤销须说明理由，1–500 字 (a reason is required)")
        async with self.civic.runtime.sessions() as session:
            plan = await self._live(session, plan_id)
            told = plan.status == "active"
            plan.status = "canceled"
            slot = await session.get(PlanSlot, plan.agenda_id)
            if slot is not None and slot.plan_id == plan.id:
                await session.delete(slot)
            version = await self.version(session, plan_id) + 1
            self._revision(session, plan, version, "canceled", reason, office)
            text = CANCEL_TEXT.format(title=plan.title, reason=reason.rstrip("。"))
            answered = await self._tell(session, plan, text, office, None) if told else []
            await session.commit()
        await self.civic.responses.deliver(answered)
        return plan

    async def cancel_reason(self, session: AsyncSession, plan_id: int) -> str | None:
        return await session.scalar(select(PlanRevision.note).where(
            PlanRevision.plan_id == plan_id, PlanRevision.action == "canceled"))

    async def office(self, session: AsyncSession, plan: Plan) -> str:
        """The office that published the plan answers for it."""
        found = await session.scalar(
            select(PlanRevision.office).where(PlanRevision.plan_id == plan.id)
            .order_by(PlanRevision.version.desc()).limit(1))
        return found or await self.civic.offices.office(plan.jurisdiction)

    async def task_and_plan(self, task_id: int) -> tuple[Task, Plan, TaskOwner | None]:
        async with self.civic.runtime.sessions() as session:
            task = await session.get(Task, task_id)
            if task is None:
                raise BadInput(f"task {task_id} not found", ErrorCode.NOT_FOUND)
            return task, await self.get(session, task.plan_id), await session.get(
                TaskOwner, task_id)

    async def progress(self, task_id: int, progress: int, note: str) -> Task:
        if not 0 <= progress <= 100:
            raise BadInput("progress is a percentage, 0 to 100")
        async with self.civic.runtime.sessions() as session:
            task = await session.get(Task, task_id)
            if task is None:
                raise BadInput(f"task {task_id} not found", ErrorCode.NOT_FOUND)
            plan = await self.get(session, task.plan_id)
            if plan.status != "active":
                raise BadInput(f"the plan is {plan.status}: only a published plan progresses",
                               ErrorCode.BAD_STATE)
            task.progress, task.updated_at = progress, now()
            session.add(TaskUpdate(task_id=task_id, progress=progress, note=note.strip(),
                                   created_at=now()))
            await session.flush()
            tasks = await self.tasks(session, plan.id)
            if all(t.progress == 100 for t in tasks):
                plan.status, plan.completed_at = "done", now()
            office = await self.office(session, plan)
            await session.commit()
        if plan.status == "done" and plan.response_text:
            await self.respond(plan.id, plan.response_text, office)
        return task

    async def respond(self, plan_id: int, text: str, office: str) -> PlanAnswer:
        """Final answers to every linked opinion without one; what was sent now, and why not
        to the others."""
        text = check_text(text)
        async with self.civic.runtime.sessions() as session:
            plan = await self.get(session, plan_id)
            if plan.status != "done":
                raise BadInput(
                    "方案尚未完成，不能答复 (the plan is not done)", ErrorCode.PLAN_NOT_DONE,
                    suggestion="finish every task (progress 100) first",
                )
            ids = await self.opinion_ids(session, plan.agenda_id)
            answered = await answer_finally(session, ids, text, office, plan.id)
            mine = set(await session.scalars(select(Response.opinion_id).where(
                Response.plan_id == plan.id, Response.kind == "final")))
            await session.commit()
        await self.civic.responses.deliver(answered)
        by_plan = len(mine & set(ids)) - len(answered)
        return PlanAnswer(len(answered), by_plan, len(ids) - len(answered) - by_plan)

    async def _tell(
        self, session: AsyncSession, plan: Plan, text: str, office: str, plan_id: int | None
    ) -> list[tuple[Opinion, Response]]:
        """A progress answer to the topic's open opinions (a cancel notice names no plan: the
        plan's one progress answer per opinion is its publication)."""
        linked = await opinions.many(session, await self.opinion_ids(session, plan.agenda_id))
        answered = [(o, record(session, o, text, office, "progress", plan_id))
                    for o in linked.values() if o.status != "closed"]
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

    async def page(
        self, prefix: str, status: str | None, offset: int, limit: int
    ) -> list[Plan]:
        """Plans of the topics touching a jurisdiction, newest first."""
        statement = select(Plan).where(Plan.agenda_id.in_(touching(prefix)))
        if status:
            statement = statement.where(Plan.status == status)
        async with self.civic.runtime.sessions() as session:
            rows = await session.scalars(statement.order_by(Plan.id.desc()).offset(offset)
                                         .limit(limit))
            return list(rows)

    async def owned_tasks(self, roles: frozenset[str], prefixes: list[str]) -> list[Task]:
        """Tasks of published plans assigned to one of `roles` within `prefixes`."""
        ranges = [and_(TaskOwner.jurisdiction >= p, TaskOwner.jurisdiction < p + "~")
                  for p in prefixes]
        statement = (
            select(Task).join(TaskOwner, TaskOwner.task_id == Task.id)
            .join(Plan, Plan.id == Task.plan_id)
            .where(TaskOwner.role.in_(sorted(roles)), or_(false(), *ranges),
                   Plan.status == "active")
            .order_by(Task.due_date, Task.id)
        )
        async with self.civic.runtime.sessions() as session:
            return list(await session.scalars(statement))
