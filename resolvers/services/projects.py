"""Root fields of service projects and their questionnaires (thin: hub/services does the work).

Staff act on a project inside their jurisdiction; entering a stage is its own policy object.
Residents see the open surveys whose audience includes them (their community, the project's
target group, or its recorded users), by subscription too, and answer once.
"""

from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from graphql import GraphQLError
from sqlalchemy import select

from hub.civic import events
from hub.errors import AccessDenied, BadInput, ErrorCode, HubError
from hub.services import audience as audience_module
from hub.services.access import ANSWER, PROJECT, SURVEY, USER, stage_object
from hub.services.audience import Audience, Member, visible
from hub.services.catalogue import check_community
from hub.services.projects import TargetSpec, allowed_moves
from hub.services.records import Project, Survey
from hub.services.surveys import Question
from resolvers.context import Info
from resolvers.services.access import caller
from resolvers.services.schema import to_int
from resolvers.services.types import (
    ProjectOutcome,
    ProjectStage,
    ProjectTarget,
    ServiceProject,
    ServiceSurvey,
    SurveyAudience,
)

CHANNEL = "services:survey:{community}"


@strawberry.input(description="新服务项目（发现需求）")
class ServiceProjectInput:
    community: str
    need: str = strawberry.field(description="需求分类（模块编码），如 meals")
    title: str
    summary: str
    evidence: str = strawberry.field(description="发现需求的依据：意见、人数、使用量…")
    module_id: strawberry.ID | None = None


@strawberry.input(description="可度量的目标：须有单位")
class TargetInput:
    name: str
    goal: float
    unit: str


@strawberry.input(description="问卷题目")
class QuestionInput:
    kind: str = strawberry.field(description="choice、scale（1–5 分）或 text")
    text: str
    options: list[str] = strawberry.field(default_factory=list)
    satisfaction: bool = strawberry.field(default=False, description="满意度题（1–5 分）")


async def _project(info: Info, project_id: strawberry.ID, act: str) -> Project:
    services = info.context.runtime.services
    async with info.context.runtime.sessions() as session:
        row = await services.projects.get(session, to_int(project_id, "project"))
    caller(info).require(PROJECT, act, row.community)
    return row


async def _survey(info: Info, survey_id: strawberry.ID, act: str) -> Survey:
    services = info.context.runtime.services
    async with info.context.runtime.sessions() as session:
        row = await services.surveys.get(session, to_int(survey_id, "survey"))
    caller(info).require(SURVEY, act, row.community)
    return row


async def _member(info: Info) -> Member:
    """The resident answering, with her live groups; FORBIDDEN for anyone else."""
    who = caller(info)
    who.require(ANSWER, "write")
    member = await info.context.runtime.services.member(who.subject)
    if member is None:
        raise AccessDenied("surveys are answered by residents of a community",
                           suggestion="sign in as a resident registered in the community")
    return member


@strawberry.type
class ServiceProjectQuery:
    @strawberry.field(description="辖区内的服务项目，最新在前")
    async def service_projects(
        self, info: Info, jurisdiction: str | None = None, stage: ProjectStage | None = None
    ) -> list[ServiceProject]:
        prefixes = caller(info).prefixes(PROJECT, "read", jurisdiction)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.projects.page(session, prefixes,
                                                stage.value if stage else None)
        return [ServiceProject(row=r) for r in rows]

    @strawberry.field(description="一个服务项目")
    async def service_project(self, info: Info, id: strawberry.ID) -> ServiceProject:
        return ServiceProject(row=await _project(info, id, "read"))

    @strawberry.field(description="一份问卷（工作人员）")
    async def service_survey(self, info: Info, id: strawberry.ID) -> ServiceSurvey:
        return ServiceSurvey(row=await _survey(info, id, "read"))

    @strawberry.field(description="按二维码链接中的令牌打开问卷（本社区居民或其工作人员）")
    async def survey_by_token(self, info: Info, token: str) -> ServiceSurvey | None:
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.surveys.by_token(session, token)
        if row is None:
            return None
        if caller(info).covers(SURVEY, "read", row.community):
            return ServiceSurvey(row=row)
        member = await _member(info)
        async with info.context.runtime.sessions() as session:
            row = await services.surveys.for_member(session, member, token=token)
        return ServiceSurvey(row=row)

    @strawberry.field(description="发给本人的正在进行的问卷（居民）")
    async def my_surveys(self, info: Info) -> list[ServiceSurvey]:
        member = await _member(info)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            rows = await services.surveys.open_for(session, member)
        return [ServiceSurvey(row=r) for r in rows]


@strawberry.type
class ServiceProjectMutation:
    @strawberry.mutation(description="发起服务项目：阶段 发现需求，记录依据")
    async def start_service_project(
        self, info: Info, input: ServiceProjectInput
    ) -> ServiceProject:
        who = caller(info)
        who.require(PROJECT, "write", check_community(input.community))
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.projects.create(
                session, input.community, input.need, input.title, input.summary,
                input.evidence, to_int(input.module_id, "module") if input.module_id else None,
                who.name)
        return ServiceProject(row=row)

    @strawberry.mutation(description="转入下一阶段（或退回），须附依据；非法转移返回 BAD_STATE")
    async def move_service_project(
        self, info: Info, id: strawberry.ID, to: ProjectStage, evidence: str
    ) -> ServiceProject:
        row = await _project(info, id, "write")
        who = caller(info)
        if to.value in allowed_moves(row.stage):  # an illegal move is BAD_STATE for anyone
            who.require(stage_object(to.value), "write", row.community)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.projects.get(session, row.id)
            row = await services.projects.move(session, row, to.value, evidence, who.name)
        return ServiceProject(row=row)

    @strawberry.mutation(description="记录找到的资源：合作单位、志愿者、预算")
    async def record_project_resources(
        self, info: Info, id: strawberry.ID, organisations: list[str], volunteers: int = 0,
        budget: float | None = None,
    ) -> ServiceProject:
        row = await _project(info, id, "write")
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.projects.get(session, row.id)
            row = await services.projects.resources(session, row, organisations, volunteers,
                                                    budget)
        return ServiceProject(row=row)

    @strawberry.mutation(description="明确目标：可度量、带单位（如 覆盖独居老人 80 人）")
    async def set_project_targets(
        self, info: Info, id: strawberry.ID, targets: list[TargetInput]
    ) -> list[ProjectTarget]:
        row = await _project(info, id, "write")
        services = info.context.runtime.services
        specs = [TargetSpec(t.name, t.goal, t.unit) for t in targets]
        async with info.context.runtime.sessions() as session:
            row = await services.projects.get(session, row.id)
            found = await services.projects.set_targets(session, row, specs)
        return [ProjectTarget(row=t) for t in found]

    @strawberry.mutation(description="记录目标的完成进度（实施、评估阶段）")
    async def record_target_progress(
        self, info: Info, project_id: strawberry.ID, target_id: strawberry.ID, achieved: float
    ) -> ProjectTarget:
        row = await _project(info, project_id, "write")
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.projects.get(session, row.id)
            target = await services.projects.progress(session, row, to_int(target_id, "target"),
                                                      achieved)
        return ProjectTarget(row=target)

    @strawberry.mutation(description="项目评估：继续、调整或撤销对应模块（记入模块历史）")
    async def evaluate_service_project(
        self, info: Info, id: strawberry.ID, outcome: ProjectOutcome, note: str
    ) -> ServiceProject:
        row = await _project(info, id, "write")
        who = caller(info)
        who.require(stage_object("evaluate"), "write", row.community)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.projects.get(session, row.id)
            row = await services.projects.evaluate(session, row, outcome.value, note, who.name)
        return ServiceProject(row=row)

    @strawberry.mutation(description="设计问卷（草稿）：选择、评分、文字题")
    async def create_survey(
        self, info: Info, project_id: strawberry.ID, title: str, questions: list[QuestionInput]
    ) -> ServiceSurvey:
        project = await _project(info, project_id, "write")
        caller(info).require(SURVEY, "write", project.community)
        services = info.context.runtime.services
        specs = [Question(q.kind, q.text, tuple(q.options), q.satisfaction) for q in questions]
        async with info.context.runtime.sessions() as session:
            row = await services.surveys.create(session, project, title, specs)
        return ServiceSurvey(row=row)

    @strawberry.mutation(description="发放问卷给所选对象（本社区全体居民、项目服务对象群体或项目使用者）："
                                     "对象在应用中、订阅中收到，或扫码作答")
    async def send_survey(
        self, info: Info, id: strawberry.ID,
        audience: SurveyAudience = SurveyAudience.COMMUNITY,
    ) -> ServiceSurvey:
        row = await _survey(info, id, "write")
        services = info.context.runtime.services
        chosen = Audience(audience.value)
        async with info.context.runtime.sessions() as session:
            project = await services.projects.get(session, row.project_id)
            group = None
            if chosen is Audience.TARGET_GROUP:
                group = await audience_module.project_group(session, services.vocabulary,
                                                            project)
            elif chosen is Audience.USERS and not await audience_module.users(session,
                                                                             project.id):
                raise BadInput("本项目尚未登记服务使用者，请先登记或改发其他对象 "
                               "(no users recorded for this project)")
            row = await services.surveys.send(session, await services.surveys.get(session, row.id),
                                              chosen, group)
        await events.publish(info.context.runtime.redis,
                             [CHANNEL.format(community=row.community)], {"surveyId": row.id})
        return ServiceSurvey(row=row)

    @strawberry.mutation(description="结束问卷：此后不再收答卷")
    async def close_survey(self, info: Info, id: strawberry.ID) -> ServiceSurvey:
        row = await _survey(info, id, "write")
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.surveys.close(session,
                                               await services.surveys.get(session, row.id))
        return ServiceSurvey(row=row)

    @strawberry.mutation(description="登记项目的服务使用者（报名或已接受服务的本社区居民）："
                                     "问卷可发给使用者；只存其加密标识")
    async def record_project_user(
        self, info: Info, project_id: strawberry.ID, person: strawberry.ID
    ) -> ServiceProject:
        project = await _project(info, project_id, "write")
        who = caller(info)
        who.require(USER, "write", project.community)
        services = info.context.runtime.services
        member = await services.member(str(person))
        if member is None or member.community != project.community:
            raise BadInput("该居民不属于本项目所在社区 (the person does not live in the "
                           "project's community)", ErrorCode.OUT_OF_JURISDICTION)
        async with info.context.runtime.sessions() as session:
            await audience_module.record_user(session, project, member.key, who.name)
        return ServiceProject(row=project)

    @strawberry.mutation(description="居民作答（每人一次）：每题一个值，跳过给 null；"
                                     "不在发放对象内返回 NOT_IN_AUDIENCE")
    async def answer_survey(
        self, info: Info, answers: list[str | None], id: strawberry.ID | None = None,
        token: str | None = None,
    ) -> ServiceSurvey:
        member = await _member(info)
        services = info.context.runtime.services
        async with info.context.runtime.sessions() as session:
            row = await services.surveys.for_member(
                session, member, to_int(id, "survey") if id is not None else None, token)
            await services.surveys.answer(session, row, member.key, answers)
        return ServiceSurvey(row=row)


async def _coded(stream: AsyncIterator[ServiceSurvey]) -> AsyncGenerator[ServiceSurvey, None]:
    """Subscriptions bypass the ErrorCodes extension: their errors get a code here."""
    try:
        async for item in stream:
            yield item
    except HubError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code.value}) from None


async def _sent_surveys(info: Info) -> AsyncGenerator[ServiceSurvey, None]:
    member = await _member(info)
    services = info.context.runtime.services
    channel = CHANNEL.format(community=member.community)
    async for message in events.listen(info.context.runtime.redis, [channel]):
        member = await services.member(caller(info).subject) or member  # groups, live
        async with info.context.runtime.sessions() as session:
            row = await session.scalar(select(Survey).where(
                Survey.id == int(message["surveyId"]), visible(member)))
        if row is not None:
            yield ServiceSurvey(row=row)


@strawberry.type
class ServiceProjectSubscription:
    @strawberry.subscription(description="本社区新发放的问卷（居民）")
    async def survey_sent(self, info: Info) -> AsyncGenerator[ServiceSurvey, None]:
        async for item in _coded(_sent_surveys(info)):
            yield item
