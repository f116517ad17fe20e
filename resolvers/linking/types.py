"""Linking, as reviewers see it: the last run's report and the candidate pairs."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from hub.linking.review import CandidatePair
from resolvers.common import fetch_one
from resolvers.context import Info

if TYPE_CHECKING:
    from resolvers.people.types import Person

PersonRef = Annotated["Person", strawberry.lazy("resolvers.people.types")]


@strawberry.type(description="一类来源记录的扫描与关联数")
class LinkSourceCount:
    source: str
    scanned: int
    linked: int


@strawberry.type(description="一类关联问题：数量与示例记录（只给记录引用，不给记录内容）")
class LinkProblem:
    source: str
    reason: str = strawberry.field(
        description="如 id_check_digit、address_to_building、held_for_review"
    )
    count: int
    examples: list[str]


@strawberry.type(description="一个未能读取的部门记录类型及原因")
class LinkUnavailable:
    source: str
    reason: str


@strawberry.type(description="最近一次关联运行的报告")
class LinkReport:
    finished_at: str
    full: bool = strawberry.field(description="全量扫描（会检测消失的记录）或增量")
    seconds: float
    records: int
    removed: int = strawberry.field(description="因来源记录消失而解除关联的记录数")
    sources: list[LinkSourceCount]
    problems: list[LinkProblem]
    unavailable: list[LinkUnavailable] = strawberry.field(
        description="未能读取的部门记录类型：本次未关联，也未解除其已有关联"
    )

    @classmethod
    def of(cls, raw: dict[str, Any]) -> "LinkReport":
        return cls(
            finished_at=raw["finishedAt"],
            full=raw["full"],
            seconds=raw["seconds"],
            records=raw["records"],
            removed=raw["removed"],
            sources=[LinkSourceCount(**s) for s in raw["sources"]],
            problems=[LinkProblem(**p) for p in raw["problems"]],
            unavailable=[LinkUnavailable(**u) for u in raw.get("unavailable", [])],
        )


@strawberry.type(description="待人工确认的候选关联：一条来源记录可能是另一个人")
class LinkCandidate:
    pair: strawberry.Private[CandidatePair]

    @strawberry.field(description="来源记录引用 connector/type/key")
    def ref(self) -> str:
        return self.pair.ref

    @strawberry.field(description="匹配得分")
    def score(self) -> float:
        return self.pair.score

    @strawberry.field(description="证据，如 phone+name_sound、name+room")
    def evidence(self) -> str:
        return self.pair.evidence

    @strawberry.field(description="该记录目前单独成人的枢纽实体")
    async def person(self, info: Info) -> PersonRef | None:
        from resolvers.people.types import Person

        return await fetch_one(info, Person, self.pair.person)

    @strawberry.field(description="可能是的那个人")
    async def candidate(self, info: Info) -> PersonRef | None:
        from resolvers.people.types import Person

        return await fetch_one(info, Person, self.pair.candidate)


@strawberry.type(description="复核结果")
class LinkDecision:
    ref: str
    person: strawberry.ID = strawberry.field(description="被确认为或被拆开的人")
    decision: str = strawberry.field(description="merge 或 split")
