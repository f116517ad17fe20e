"""Who may do what in precise services: policy objects `services.*`, scoped by jurisdiction.

The policy grants each (object, action) in the jurisdictions of the token's (role,
jurisdiction) pairs (`AccessView.granted`); staff act only inside them. A project's stage
move is its own object, `services.stage.<stage entered>`: who may approve (enter set_targets)
is a policy line, not code.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from hub.access.view import widest
from hub.errors import AccessDenied

MODULE = "services.module"  # read: see modules; write: manage the catalogue
GROUP = "services.targetGroup"  # read: group sizes in jurisdiction; aggregate: city-wide counts
DEMAND = "services.demand"  # read: demand and suggestions; write: decide on suggestions
PROJECT = "services.project"  # read; write: resources, targets, progress, evaluation
SURVEY = "services.survey"  # read: results; write: design, send, close
ANSWER = "services.answer"  # write: answer a survey on one's own behalf
USER = "services.user"  # write: record a resident as served by a project (survey audience)

Grants = Mapping[tuple[str, str], tuple[str, ...]]


def stage_object(stage: str) -> str:
    return f"services.stage.{stage}"


@dataclass(frozen=True)
class Caller:
    subject: str | None = None
    roles: frozenset[str] = frozenset()
    grants: Grants = field(default_factory=dict)

    def scopes(self, obj: str, act: str) -> tuple[str, ...]:
        return self.grants.get((obj, act), ())

    def covers(self, obj: str, act: str, jurisdiction: str) -> bool:
        return any(jurisdiction.startswith(p) for p in self.scopes(obj, act))

    def require(self, obj: str, act: str, jurisdiction: str | None = None) -> None:
        """FORBIDDEN unless (obj, act) is granted in `jurisdiction` (or anywhere, without)."""
        scopes = self.scopes(obj, act)
        if scopes and (jurisdiction is None or self.covers(obj, act, jurisdiction)):
            return
        where = f" in {jurisdiction[:14]}" if jurisdiction else ""
        raise AccessDenied(f"{obj} {act} is not allowed{where} for this caller",
                           suggestion="sign in with a role that covers this jurisdiction")

    def prefixes(self, obj: str, act: str, wanted: str | None) -> list[str] | None:
        """Where a query runs (None: everywhere): `wanted` when granted there, else every
        granting prefix. FORBIDDEN when granted nowhere or not in `wanted`."""
        self.require(obj, act, wanted)
        if wanted is not None:
            return [wanted]
        found = widest(self.scopes(obj, act))
        return None if found is None else list(found)

    @property
    def name(self) -> str:
        return self.subject or "anonymous"


ANONYMOUS = Caller()
