"""A community's service catalogue: mandatory modules (规定动作) and optional modules or items
(自选动作), each with its target group, providers, capacity, hours and status history.

Status: proposed → active → paused → active … → retired (retired is final). Every change is
one transaction with its history row: nothing half-written.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic.records import now
from hub.errors import BadInput, ErrorCode
from hub.services.config import Vocabulary
from hub.services.records import Module, ModuleChange

MOVES = {
    "proposed": ("active", "retired"),
    "active": ("paused", "retired"),
    "paused": ("active", "retired"),
    "retired": (),
}
COMMUNITY_CODE = re.compile(r"^\d{12}$")
CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


@dataclass(frozen=True)
class ModuleSpec:
    code: str
    name: str | None = None
    parent: str | None = None
    target_group: str | None = None
    providers: Sequence[str] = ()
    capacity: int | None = None
    unit: str | None = None
    hours: str = ""
    takes_requests: bool | None = None


def check_community(code: str) -> str:
    if not COMMUNITY_CODE.match(code or ""):
        raise BadInput("community must be a 12-digit community code",
                       suggestion="e.g. 330105004001")
    return code


def check_capacity(capacity: int | None, unit: str | None) -> None:
    if capacity is not None and capacity < 0:
        raise BadInput("capacity must be 0 or more")
    if capacity is not None and not (unit or "").strip():
        raise BadInput("a capacity needs its unit", suggestion="e.g. 份/周, 人, 托位")


class Catalogue:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary

    async def modules(
        self, session: AsyncSession, prefixes: list[str] | None, status: str | None = None
    ) -> list[Module]:
        statement = select(Module).order_by(Module.community, Module.mandatory.desc(), Module.id)
        if prefixes is not None:
            statement = statement.where(or_(*(Module.community.startswith(p)
                                              for p in prefixes)))
        if status is not None:
            statement = statement.where(Module.status == status)
        return list(await session.scalars(statement))

    async def get(self, session: AsyncSession, module_id: int) -> Module:
        row = await session.get(Module, module_id)
        if row is None:
            raise BadInput(f"module {module_id} not found", ErrorCode.NOT_FOUND)
        return row

    async def find(self, session: AsyncSession, community: str, code: str) -> Module | None:
        return await session.scalar(select(Module).where(
            Module.community == community, Module.code == code))

    def _build(self, community: str, spec: ModuleSpec, status: str) -> Module:
        kind = self.vocabulary.kind(spec.code)
        if kind is None and not CODE.match(spec.code or ""):
            raise BadInput("code must be a module code (lower case letters, digits, _)")
        name = (spec.name or (kind.name if kind else "")).strip()
        if not name:
            raise BadInput("a new optional item needs a name")
        group = spec.target_group or (kind.group if kind else None)
        if group not in self.vocabulary.groups:
            raise BadInput(f"unknown target group {str(group)[:32]}",
                           suggestion=", ".join(self.vocabulary.groups))
        parent = spec.parent if spec.parent is not None else (kind.parent if kind else None)
        if parent is not None and parent not in self.vocabulary.modules:
            raise BadInput(f"unknown parent module {parent[:32]}")
        unit = (spec.unit or (kind.unit if kind else "")).strip()
        check_capacity(spec.capacity, unit)
        at = now()
        return Module(
            community=community, code=spec.code, name=name[:120],
            mandatory=bool(kind and kind.mandatory), parent=parent, target_group=group,
            providers=[p.strip()[:120] for p in spec.providers if p.strip()],
            capacity=spec.capacity, unit=unit[:32], hours=spec.hours.strip()[:120],
            takes_requests=(spec.takes_requests if spec.takes_requests is not None
                            else bool(kind and kind.requests)),
            status=status, created_at=at, updated_at=at)

    async def add(
        self, session: AsyncSession, community: str, spec: ModuleSpec, actor: str,
        status: str = "proposed", note: str = "", commit: bool = True,
    ) -> Module:
        """A module or optional item, proposed (or as `status` says), with its first history row.
        Commits; a community has each code once (BAD_STATE for a second)."""
        row = self._build(check_community(community), spec, status)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            await session.rollback()
            raise BadInput(f"community {community} already has module {spec.code}",
                           ErrorCode.BAD_STATE, suggestion="update that module") from None
        self._history(session, row, "created", note, actor)
        if commit:
            await session.commit()
        return row

    async def setup(self, session: AsyncSession, community: str, actor: str) -> list[Module]:
        """The mandatory modules a community lacks, active from now (idempotent)."""
        check_community(community)
        have = set(await session.scalars(select(Module.code).where(
            Module.community == community)))
        added = []
        for kind in self.vocabulary.mandatory:
            if kind.code in have:
                continue
            row = self._build(community, ModuleSpec(kind.code), "active")
            session.add(row)
            await session.flush()
            self._history(session, row, "created", "规定动作（国家智慧社区建设规范）", actor)
            added.append(row)
        await session.commit()
        return added

    async def update(
        self, session: AsyncSession, module: Module, spec: ModuleSpec, actor: str, note: str,
        commit: bool = True,
    ) -> Module:
        unit = (spec.unit or module.unit).strip()
        capacity = spec.capacity if spec.capacity is not None else module.capacity
        check_capacity(capacity, unit)
        if spec.target_group is not None and spec.target_group not in self.vocabulary.groups:
            raise BadInput(f"unknown target group {spec.target_group[:32]}")
        if module.status == "retired":
            raise BadInput("a retired module is not changed", ErrorCode.BAD_STATE)
        module.unit, module.capacity = unit[:32], capacity
        if spec.providers:
            module.providers = [p.strip()[:120] for p in spec.providers if p.strip()]
        if spec.hours:
            module.hours = spec.hours.strip()[:120]
        if spec.target_group:
            module.target_group = spec.target_group
        if spec.name:
            module.name = spec.name.strip()[:120]
        module.updated_at = now()
        self._history(session, module, "updated", note, actor)
        if commit:
            await session.commit()
        return module

    async def move(
        self, session: AsyncSession, module: Module, status: str, actor: str, note: str
    ) -> Module:
        allowed = MOVES.get(module.status, ())
        if status not in allowed:
            raise BadInput(
                f"a {module.status} module cannot become {status[:12]}; allowed: "
                + (", ".join(allowed) or "none (retired is final)"), ErrorCode.BAD_STATE)
        if module.mandatory and status == "retired":
            raise BadInput("a mandatory module (规定动作) is paused, not retired",
                           ErrorCode.BAD_STATE, suggestion="allowed: paused")
        module.status = status
        module.updated_at = now()
        self._history(session, module, status, note, actor)
        await session.commit()
        return module

    async def history(self, session: AsyncSession, module_id: int) -> list[ModuleChange]:
        return list(await session.scalars(select(ModuleChange).where(
            ModuleChange.module_id == module_id).order_by(ModuleChange.id)))

    def record(
        self, session: AsyncSession, module: Module, action: str, note: str, actor: str
    ) -> None:
        """A history row for a change made by another part of the domain (in its transaction)."""
        self._history(session, module, action, note, actor)

    def _history(
        self, session: AsyncSession, module: Module, action: str, note: str, actor: str
    ) -> None:
        session.add(ModuleChange(module_id=module.id, action=action, status_after=module.status,
                                 note=note.strip()[:2000], actor=actor[:120], created_at=now()))
