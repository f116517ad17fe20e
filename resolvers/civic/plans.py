"""Root fields of co-governance plans (共治方案): draft, revise, publish, cancel, tasks, answer.

Staff act on a plan where its topic touches their jurisdiction; the organisation a task is
assigned to (a property company: `property_manager` of the task's jurisdiction) updates it.
"""

import datetime

import strawberry

from hub.civic.plans import TaskSpec
from hub.civic.records import Plan as PlanRow
from hub.errors import AccessDenied
from hub.ids import check_first, decode_cursor
from resolvers.civic.access import Action, actor, allowed
from resolvers.civic.schema import agenda_reach, office, to_int
from resolvers.civic.types import Plan, PlanAnswerPayload, PlanStatus, PlanTask
from resolvers.context import Info


@strawberry.input
class TaskInput:
    title: str
    owner_org: str = strawberry.field(description="责任单位")
    due_date: datetime.date
    owner_role: str | None = strawberry.field(
        default=None, description="责任单位的角色（property_manager：物业可自行更新进度）"
    )
    owner_jurisdiction: str | None = strawberry.field(
        default=None, description="责任单位负责的辖区（缺省为方案所在辖区）"
    )


@strawberry.input
class PlanInput:
    agenda_id: strawberry.ID
    title: str
    summary: str
    tasks: list[TaskInput]
    decision_id: strawberry.ID | None = None
    response_text: str | None = strawberry.field(
        default=None, description="方案完成时自动答复每位提出意见的居民"
    )


def _specs(tasks: list[TaskInput]) -> list[TaskSpec]:
    return [TaskSpec(t.title, t.owner_org, t.due_date, t.owner_role, t.owner_jurisdiction)
            for t in tasks]


async def _plan_reach(info: Info, plan_id: int) -> list[str]:
    async with info.context.runtime.sessions() as session:
        plan = await info.context.runtime.civic.plans.get(session, plan_id)
    return await agenda_reach(info, plan.agenda_id)


async def _plan_office(info: Info, plan_id: int) -> str:
    return await office(info, Action.MANAGE_PLAN, await _plan_reach(info, plan_id))


async def _may_update(info: Info, task_id: int) -> None:
    """Staff of the plan's topic, or the organisation the task is assigned to."""
    civic = info.context.runtime.civic
    _, plan, owner = await civic.plans.task_and_plan(task_id)
    who = actor(info)
    if owner and owner.role in who.roles and who.covers(Action.UPDATE_TASK, owner.jurisdiction):
        return
    if owner and owner.role in who.roles:
        raise AccessDenied("this task is assigned to the organisation of another jurisdiction")
    await office(info, Action.MANAGE_PLAN, await agenda_reach(info, plan.agenda_id))


@strawberry.type
class PlanQuery:
    @strawberry.field(description="共治方案")
    async def plan(self, info: Info, id: strawberry.ID) -> Plan | None:
        async with info.context.runtime.sessions() as session:
            row = await session.get(PlanRow, to_int(id, "plan"))
        if row is None:
            return None
        await office(info, Action.MANAGE_PLAN, await agenda_reach(info, row.agenda_id))
        return Plan(row=row)

    @strawberry.field(description="辖区内（议题涉及本辖区）的共治方案，最新在前")
    async def plans(
        self, info: Info, jurisdiction: str, status: PlanStatus | None = None,
        first: int = 50, after: str | None = None,
    ) -> list[Plan]:
        allowed(info, Action.MANAGE_PLAN, jurisdiction)
        limit = check_first(first, info.context.runtime.settings.max_page_size)
        rows = await info.context.runtime.civic.plans.page(
            jurisdiction, status.value if status else None, decode_cursor(after), limit)
        return [Plan(row=r) for r in rows]

    @strawberry.field(description="分派给本单位（如物业）的在办任务")
    async def my_tasks(self, info: Info) -> list[PlanTask]:
        who = allowed(info, Action.UPDATE_TASK)
        rows = await info.context.runtime.civic.plans.owned_tasks(
            who.roles, list(who.scopes(Action.UPDATE_TASK)))
        return [PlanTask(row=r) for r in rows]


@strawberry.type
class PlanMutation:
    @strawberry.mutation(description="起草共治方案（草稿，不通知居民）；每个议题一个方案")
    async def create_plan(self, info: Info, input: PlanInput) -> Plan:
        agenda_key = to_int(input.agenda_id, "agenda")
        who = await office(info, Action.MANAGE_PLAN, await agenda_reach(info, agenda_key))
        row = await info.context.runtime.civic.plans.create(
            agenda_key, input.title, input.summary, _specs(input.tasks), input.response_text,
            to_int(input.decision_id, "decision") if input.decision_id else None, who,
        )
        return Plan(row=row)

    @strawberry.mutation(description="修订方案（版本号加一）；任务仅草稿时可整体替换")
    async def revise_plan(
        self, info: Info, id: strawberry.ID, note: str, title: str | None = None,
        summary: str | None = None, response_text: str | None = None,
        tasks: list[TaskInput] | None = None,
    ) -> Plan:
        key = to_int(id, "plan")
        who = await _plan_office(info, key)
        row = await info.context.runtime.civic.plans.revise(
            key, title, summary, response_text, _specs(tasks) if tasks is not None else None,
            note, who)
        return Plan(row=row)

    @strawberry.mutation(description="发布方案：此时告知议题涉及的每位居民（仅一次）")
    async def publish_plan(self, info: Info, id: strawberry.ID) -> Plan:
        key = to_int(id, "plan")
        row = await info.context.runtime.civic.plans.publish(key, await _plan_office(info, key))
        return Plan(row=row)

    @strawberry.mutation(description="撤销方案（须说明理由）；已告知的居民收到撤销说明")
    async def cancel_plan(self, info: Info, id: strawberry.ID, reason: str) -> Plan:
        key = to_int(id, "plan")
        row = await info.context.runtime.civic.plans.cancel(
            key, reason, await _plan_office(info, key))
        return Plan(row=row)

    @strawberry.mutation(
        description="更新任务进度（方案工作人员或任务责任单位）；全部 100% 时方案完成"
    )
    async def update_task(
        self, info: Info, task_id: strawberry.ID, progress: int, note: str = ""
    ) -> PlanTask:
        key = to_int(task_id, "task")
        await _may_update(info, key)
        return PlanTask(row=await info.context.runtime.civic.plans.progress(key, progress, note))

    @strawberry.mutation(
        description="方案完成后答复每条尚无最终答复的意见；返回本次发出数及其余原因"
    )
    async def respond_to_plan(
        self, info: Info, plan_id: strawberry.ID, text: str
    ) -> PlanAnswerPayload:
        key = to_int(plan_id, "plan")
        done = await info.context.runtime.civic.plans.respond(
            key, text, await _plan_office(info, key))
        return PlanAnswerPayload(
            sent_now=done.sent_now, already_answered=done.already, by_this_plan=done.by_this_plan,
            closed_elsewhere=done.elsewhere, total=done.sent_now + done.already, note=done.note,
        )
