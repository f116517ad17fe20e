"""Service projects through the seven stages of the article's loop, as a state machine.

发现需求 → 寻找资源 → 评估项目审批 → 明确目标 → 项目实施 → 项目评估 → 意见反馈. A review may
send a project back to find more resources; an evaluation may send it back to implementation.
Who may enter which stage is a policy object (`services.stage.<stage>`, see access.py); each
move is a step with its evidence and actor. Every change is one transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic.records import now
from hub.errors import BadInput, ErrorCode
from hub.services.catalogue import Catalogue, check_community
from hub.services.records import Module, ModuleChange, Project, ProjectStep, Target

STAGES = ("discover", "find_resources", "review", "set_targets", "implement", "evaluate",
          "feedback")
STAGE_NAMES = {
    "discover": "发现需求", "find_resources": "寻找资源", "review": "评估项目审批",
    "set_targets": "明确目标", "implement": "项目实施", "evaluate": "项目评估",
    "feedback": "意见反馈",
}
MOVES: dict[str, tuple[str, ...]] = {
    "discover": ("find_resources",),
    "find_resources": ("review",),
    "review": ("set_targets", "find_resources"),
    "set_targets": ("implement",),
    "implement": ("evaluate",),
    "evaluate": ("feedback", "implement"),
    "feedback": (),
}
OUTCOMES = ("continue", "adjust", "retire")
PROGRESS_STAGES = ("implement", "evaluate")


@dataclass(frozen=True)
class TargetSpec:
    name: str
    goal: float
    unit: str


def _text(value: str, what: str, limit: int = 4000) -> str:
    text = (value or "").strip()
    if not text:
        raise BadInput(f"{what} must not be empty")
    return text[:limit]


def allowed_moves(stage: str) -> tuple[str, ...]:
    return MOVES.get(stage, ())


class Projects:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    async def get(self, session: AsyncSession, project_id: int) -> Project:
        row = await session.get(Project, project_id)
        if row is None:
            raise BadInput(f"project {project_id} not found", ErrorCode.NOT_FOUND)
        return row

    async def page(
        self, session: AsyncSession, prefixes: list[str] | None, stage: str | None
    ) -> list[Project]:
        statement = select(Project).order_by(Project.id.desc())
        if prefixes is not None:
            statement = statement.where(or_(*(Project.community.startswith(p) for p in prefixes)))
        if stage is not None:
            statement = statement.where(Project.stage == stage)
        return list(await session.scalars(statement))

    async def create(
        self, session: AsyncSession, community: str, need: str, title: str, summary: str,
        evidence: str, module_id: int | None, actor: str,
    ) -> Project:
        """A project at 发现需求, with its first step (the need found and its evidence)."""
        check_community(community)
        if need not in self.catalogue.vocabulary.modules:
            raise BadInput(f"unknown need {need[:32]}",
                           suggestion=", ".join(self.catalogue.vocabulary.modules))
        if module_id is not None:
            module = await self.catalogue.get(session, module_id)
            if module.community != community:
                raise BadInput("the module belongs to another community")
        at = now()
        row = Project(community=community, need=need, module_id=module_id,
                      title=_text(title, "title", 200), summary=_text(summary, "summary"),
                      stage="discover", organisations=[], volunteers=0, created_at=at,
                      updated_at=at)
        evidence = _text(evidence, "evidence")
        session.add(row)
        await session.flush()
        session.add(ProjectStep(project_id=row.id, from_stage=None, to_stage="discover",
                                evidence=evidence, actor=actor[:120], created_at=at))
        await session.commit()
        return row

    async def move(
        self, session: AsyncSession, project: Project, to: str, evidence: str, actor: str
    ) -> Project:
        allowed = allowed_moves(project.stage)
        if to not in allowed:
            raise BadInput(
                f"a project at {project.stage} cannot move to {to[:16]}; allowed: "
                + (", ".join(allowed) or "none (the loop is finished)"), ErrorCode.BAD_STATE)
        evidence = _text(evidence, "evidence")
        await self._ready(session, project, to)
        step = ProjectStep(project_id=project.id, from_stage=project.stage, to_stage=to,
                           evidence=evidence, actor=actor[:120], created_at=now())
        project.stage, project.updated_at = to, step.created_at
        session.add(step)
        await session.commit()
        return project

    async def _ready(self, session: AsyncSession, project: Project, to: str) -> None:
        if to == "review" and not (project.organisations or project.volunteers or project.budget):
            raise BadInput("record the resources found (organisations, volunteers or budget) "
                           "before the review", ErrorCode.BAD_STATE)
        if to == "implement" and not await self.targets(session, project.id):
            raise BadInput("set at least one measurable target before implementation",
                           ErrorCode.BAD_STATE)
        if to == "feedback" and project.outcome is None:
            raise BadInput("record the evaluation (continue, adjust or retire) first",
                           ErrorCode.BAD_STATE)

    async def resources(
        self, session: AsyncSession, project: Project, organisations: Sequence[str],
        volunteers: int, budget: float | None,
    ) -> Project:
        if project.stage not in ("discover", "find_resources", "review"):
            raise BadInput("resources are recorded before the targets are set",
                           ErrorCode.BAD_STATE)
        if volunteers < 0 or (budget is not None and budget < 0):
            raise BadInput("volunteers and budget must be 0 or more")
        project.organisations = [o.strip()[:120] for o in organisations if o.strip()]
        project.volunteers, project.budget, project.updated_at = volunteers, budget, now()
        await session.commit()
        return project

    async def set_targets(
        self, session: AsyncSession, project: Project, targets: Sequence[TargetSpec]
    ) -> list[Target]:
        if project.stage != "set_targets":
            raise BadInput("targets are set at 明确目标 (set_targets)", ErrorCode.BAD_STATE)
        if not targets:
            raise BadInput("give at least one target")
        for spec in targets:
            if not spec.unit.strip():
                raise BadInput(f"target {spec.name[:40]} has no unit",
                               suggestion="e.g. 人, 份/周, 人次/月")
            if not spec.name.strip() or spec.goal <= 0:
                raise BadInput("every target needs a name and a goal above 0")
        for old in await self.targets(session, project.id):
            await session.delete(old)
        at = now()
        rows = [Target(project_id=project.id, name=t.name.strip()[:120], goal=t.goal,
                       unit=t.unit.strip()[:32], achieved=0.0, updated_at=at) for t in targets]
        session.add_all(rows)
        await session.commit()
        return rows

    async def progress(
        self, session: AsyncSession, project: Project, target_id: int, achieved: float
    ) -> Target:
        if project.stage not in PROGRESS_STAGES:
            raise BadInput("progress is recorded during implementation or evaluation",
                           ErrorCode.BAD_STATE)
        target = await session.get(Target, target_id)
        if target is None or target.project_id != project.id:
            raise BadInput(f"target {target_id} not found", ErrorCode.NOT_FOUND)
        if achieved < 0:
            raise BadInput("achieved must be 0 or more")
        target.achieved, target.updated_at = achieved, now()
        await session.commit()
        return target

    async def evaluate(
        self, session: AsyncSession, project: Project, outcome: str, note: str, actor: str
    ) -> Project:
        """The evaluation feeds the module: continue (noted), adjust (noted, staff then change
        it), retire (the module is retired; a mandatory one is paused)."""
        if project.stage != "evaluate":
            raise BadInput("a project is evaluated at 项目评估 (evaluate)", ErrorCode.BAD_STATE)
        if outcome not in OUTCOMES:
            raise BadInput("outcome must be continue, adjust or retire")
        note = _text(note, "note")
        project.outcome, project.updated_at = outcome, now()
        if project.module_id is not None:
            module = await session.get(Module, project.module_id)
            if module is not None and module.status != "retired":
                after = module.status
                if outcome == "retire":
                    after = "paused" if module.mandatory else "retired"
                module.status, module.updated_at = after, project.updated_at
                session.add(ModuleChange(
                    module_id=module.id, action=f"evaluated:{outcome}", status_after=after,
                    note=f"项目“{project.title}”评估：{note}"[:2000], actor=actor[:120],
                    created_at=project.updated_at))
        await session.commit()
        return project

    async def steps(self, session: AsyncSession, project_id: int) -> list[ProjectStep]:
        return list(await session.scalars(select(ProjectStep).where(
            ProjectStep.project_id == project_id).order_by(ProjectStep.id)))

    async def targets(self, session: AsyncSession, project_id: int) -> list[Target]:
        return list(await session.scalars(select(Target).where(
            Target.project_id == project_id).order_by(Target.id)))
