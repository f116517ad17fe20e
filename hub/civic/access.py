"""Who may do what in the civic loop: the one place permissions are checked.

The caller is the request's verified principal (resolvers/civic/access.py); whether its roles
may do an action is the policy's answer (`policies/`, objects `civic.*`), and `require` adds the
jurisdiction check: staff act only inside the jurisdictions their token names.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hub.access.view import widest
from hub.errors import AccessDenied


class Action(StrEnum):
    SUBMIT_OPINION = "opinion:submit"  # always open: the channel takes anyone's opinion
    READ_OPINIONS = "opinion:read"
    RESPOND = "opinion:respond"
    RATE = "opinion:rate"
    READ_HOTSPOTS = "hotspot:read"
    MANAGE_AGENDA = "agenda:manage"
    MANAGE_COUNCIL = "council:manage"
    PARTICIPATE = "council:participate"
    MANAGE_PLAN = "plan:manage"
    UPDATE_TASK = "task:update"  # the organisation a task is assigned to (a property company)
    READ_KPI = "kpi:read"
    CORRECT = "opinion:correct"  # a classification corrected, an opinion attached by hand


# Each action is one (object, action) pair of the policy vocabulary (hub/access/objects.py).
POLICY_OF: dict[Action, tuple[str, str]] = {
    Action.READ_OPINIONS: ("civic.opinion", "read"),
    Action.RESPOND: ("civic.opinion", "write"),
    Action.RATE: ("civic.rating", "write"),
    Action.READ_HOTSPOTS: ("civic.hotspot", "read"),
    Action.MANAGE_AGENDA: ("civic.agenda", "write"),
    Action.MANAGE_COUNCIL: ("civic.council", "write"),
    Action.PARTICIPATE: ("civic.ballot", "write"),
    Action.MANAGE_PLAN: ("civic.plan", "write"),
    Action.UPDATE_TASK: ("civic.task", "write"),
    Action.READ_KPI: ("civic.kpi", "read"),
    Action.CORRECT: ("civic.correction", "write"),
}
SELF_ACTIONS = frozenset({Action.RATE, Action.PARTICIPATE})  # on one's own behalf, anywhere


@dataclass(frozen=True)
class Actor:
    """The caller: a subject id (a person's hub id for residents), roles, and for each (object,
    action) the policy grants, the jurisdiction prefixes it is granted in ("" = anywhere)."""

    subject: str | None = None
    roles: frozenset[str] = frozenset()
    grants: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def scopes(self, action: Action) -> tuple[str, ...]:
        """Where `action` is granted: one prefix per (role, jurisdiction) pair granting it."""
        return self.grants.get(POLICY_OF[action], ())

    def covers(self, action: Action, jurisdiction: str) -> bool:
        return any(jurisdiction.startswith(p) for p in self.scopes(action))

    def touches(self, action: Action, reach: Iterable[str]) -> bool:
        """Whether `action` is granted somewhere in `reach`: the jurisdictions a record
        touches (a street topic's opinions in her community touch her community)."""
        return any(self.covers(action, j) for j in reach if j)

    def where(self, action: Action, reach: Iterable[str]) -> str | None:
        """The narrowest granting prefix that covers part of `reach` (whose office acts)."""
        found = [p for p in self.scopes(action) if any(j.startswith(p) for j in reach if j)]
        return max(found, key=len) if found else None


ANONYMOUS = Actor()


def require(actor: Actor, action: Action, jurisdiction: str | None = None) -> None:
    """Raise FORBIDDEN unless `actor` may do `action` in `jurisdiction` (a code or prefix);
    without one, unless it may do it somewhere (the query is then cut by `scope_of`)."""
    if action == Action.SUBMIT_OPINION:
        return
    granted = bool(actor.scopes(action))
    if granted and action in SELF_ACTIONS and actor.subject:
        return
    if granted and (jurisdiction is None or actor.covers(action, jurisdiction)):
        return
    raise AccessDenied(
        f"{action.value} is not allowed here for this caller",
        suggestion="sign in with a role that covers this jurisdiction",
    )


def require_reach(actor: Actor, action: Action, reach: Iterable[str]) -> None:
    """Raise FORBIDDEN unless `actor` may do `action` somewhere the record touches."""
    if not actor.touches(action, reach):
        raise AccessDenied(
            f"{action.value} is not allowed here for this caller",
            suggestion="the record touches no jurisdiction this caller's roles cover",
        )


def scope_of(actor: Actor, action: Action, wanted: str | None) -> list[str] | None:
    """The jurisdiction prefixes a staff query runs in (None: everywhere): the wanted one when
    a pair granting `action` covers it, else every prefix granting it."""
    if wanted is not None:
        if not actor.covers(action, wanted):
            raise AccessDenied(f"jurisdiction {wanted[:20]} is outside this caller's")
        return [wanted]
    prefixes = widest(actor.scopes(action))
    return None if prefixes is None else list(prefixes)
