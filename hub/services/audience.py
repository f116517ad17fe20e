"""Who a survey is for: its community's residents, its project's target group, or its users.

The audience is chosen when the survey is sent. A target group is never copied: a resident's
groups are read live from her own linked department records (the link graph's source refs of
her hub person, then the departments' records by key), and a group's size is the live count
(hub/services/groups.py). A household group (3岁以下婴幼儿) reaches the children's households:
everyone related to a member as household (户) in the link graph. Users are the residents
recorded as served by the project (`ProjectUser`, keyed hashes). What a resident may see is one
SQL condition (`visible`), so the scope is in the query, never filtered afterwards.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from graph.links import LinkGraph
from graph.model import Node
from hub import clock
from hub.civic.records import now
from hub.errors import BadInput, ErrorCode
from hub.services.config import Group, Vocabulary
from hub.services.groups import PAGE, matches
from hub.services.records import Module, Project, ProjectUser, Survey

if TYPE_CHECKING:
    from hub.services.service import Services

EVERYONE = "residents"  # the graph group: every resident of the community
HOUSEHOLD = 20  # at most so many related people per person and step


class Audience(Enum):
    COMMUNITY = "community"
    TARGET_GROUP = "target_group"
    USERS = "users"


@dataclass(frozen=True)
class Member:
    """A resident as audiences see her: community, survey key and live group codes."""

    community: str
    key: str
    groups: frozenset[str]


def visible(member: Member) -> ColumnElement[bool]:
    """The surveys `member` may see and answer (drafts never)."""
    served = select(ProjectUser.project_id).where(ProjectUser.user_key == member.key)
    return and_(
        Survey.community == member.community,
        Survey.status != "draft",
        or_(
            Survey.audience == Audience.COMMUNITY.value,
            and_(Survey.audience == Audience.TARGET_GROUP.value,
                 Survey.audience_group.in_(sorted(member.groups))),
            and_(Survey.audience == Audience.USERS.value, Survey.project_id.in_(served)),
        ),
    )


async def project_group(session: AsyncSession, vocabulary: Vocabulary, project: Project) -> str:
    """The target group of the project's module (or of the module kind of its need)."""
    if project.module_id is not None:
        module = await session.get(Module, project.module_id)
        if module is not None:
            return module.target_group
    kind = vocabulary.kind(project.need)
    if kind is None:
        raise BadInput(f"项目的需求分类 {project.need[:32]} 没有对应的服务对象群体，"
                       "请改发本社区全体居民或项目的服务对象")
    return kind.group


async def household(links: LinkGraph, people: Iterable[str], community: str) -> set[str]:
    """`people` and everyone living in a household (户) with one of them, in the community:
    members are related to the household's head, so two steps (member → head → members)."""
    found = set(people)
    frontier = sorted(found)
    for _ in range(2):
        if not frontier:
            break
        related = await links.traverse("person_household", frontier, [community], HOUSEHOLD)
        new = {p for ps in related.values() for p in ps} - found
        found |= new
        frontier = sorted(new)
    return found


async def person_groups(services: "Services", node: Node) -> frozenset[str]:
    """The groups a resident is in, from her own linked department records (and, for a
    household group, her household's), read live."""
    today = clock.now().date()
    groups = {EVERYONE}
    vocabulary = services.vocabulary.groups.values()
    housemates: list[Node] = []
    if node.jurisdiction and any(g.household for g in vocabulary):
        ids = await household(services.runtime.links, [node.id], node.jurisdiction[:12])
        ids.discard(node.id)
        housemates = list((await services.runtime.links.nodes(
            "Person", sorted(ids), None)).values()) if ids else []
    for group in vocabulary:
        if group.source == "graph":
            groups.add(group.code)
            continue
        connector, record_type = group.source.split("/", 1)
        people = [node, *housemates] if group.household else [node]
        keys = [r.key for person in people for r in person.sources
                if r.connector == connector and r.record_type == record_type]
        if not keys:
            continue
        records = await services.runtime.registry.get(connector).fetch(record_type, keys)
        for record in records.values():
            if isinstance(record, Exception):
                raise record
            if record is not None and matches(group, record, today):
                groups.add(group.code)
    return frozenset(groups)


async def size(services: "Services", session: AsyncSession, survey: Survey) -> int:
    """How many residents the survey is for, counted live."""
    if survey.audience == Audience.USERS.value:
        return await users(session, survey.project_id)
    code = survey.audience_group if survey.audience == Audience.TARGET_GROUP.value else None
    group = services.vocabulary.groups.get(code) if code else None
    if group is None or group.source == "graph":
        rows = await services.runtime.links.residents_by_community([survey.community])
        return sum(n for c, _, n in rows if c == survey.community)
    if group.household:
        return len(await household_members(services, group, survey.community))
    counts = await services.groups.counts(survey.community)
    return counts.get(group.code, {}).get(survey.community, 0)


async def household_members(services: "Services", group: Group, community: str) -> set[str]:
    """The hub persons in the households of the group's members in the community."""
    connector_name, record_type = group.source.split("/", 1)
    connector = services.runtime.registry.get(connector_name)
    today = clock.now().date()
    refs: list[str] = []
    offset = 0
    while True:
        page = await connector.query(record_type, {}, [community], offset, PAGE)
        refs += [f"{group.source}/{r['_key']}" for r in page.records
                 if matches(group, r, today)]
        offset += PAGE
        if offset >= page.total or not page.records:
            break
    ids = await services.runtime.links.ids_for_sources("Person", refs) if refs else {}
    return await household(services.runtime.links, ids.values(), community)


async def record_user(
    session: AsyncSession, project: Project, key: str, actor: str
) -> bool:
    """Record a resident as served by the project; False when she already was."""
    session.add(ProjectUser(project_id=project.id, user_key=key, community=project.community,
                            actor=actor, created_at=now()))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def users(session: AsyncSession, project_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(ProjectUser).where(
        ProjectUser.project_id == project_id)) or 0)


def not_in_audience() -> BadInput:
    return BadInput("本问卷只面向项目的服务对象，您不在发放范围内 (not in this survey's audience)",
                    ErrorCode.NOT_IN_AUDIENCE)
