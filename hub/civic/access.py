"""Who may do what in the civic loop: the one place permissions are checked.

Issue 4 ("Data boundaries") brings Casbin policies and JWT principals. Until it merges, `Actor`
comes from the request (see resolvers/civic/access.py) and `require` applies the fixed rules
below; after the merge `require` asks the policy enforcer with the same (role, action,
jurisdiction) triple and nothing else changes.
"""

from dataclasses import dataclass
from enum import StrEnum

from hub.errors import AccessDenied

STAFF_ROLES = frozenset({"street_admin", "community_worker"})


class Action(StrEnum):
    SUBMIT_OPINION = "opinion:submit"
    READ_OPINIONS = "opinion:read"
    RESPOND = "opinion:respond"
    RATE = "opinion:rate"
    READ_HOTSPOTS = "hotspot:read"
    MANAGE_AGENDA = "agenda:manage"
    MANAGE_COUNCIL = "council:manage"
    PARTICIPATE = "council:participate"
    MANAGE_PLAN = "plan:manage"
    READ_KPI = "kpi:read"


RESIDENT_ACTIONS = frozenset({Action.SUBMIT_OPINION, Action.RATE, Action.PARTICIPATE})


@dataclass(frozen=True)
class Actor:
    """The caller: a subject id (a person's hub id for residents), roles and jurisdiction."""

    subject: str | None = None
    roles: frozenset[str] = frozenset()
    jurisdiction: str | None = None  # prefix the actor works in; None = anywhere

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def covers(self, jurisdiction: str | None) -> bool:
        if self.jurisdiction is None:
            return True
        return jurisdiction is not None and jurisdiction.startswith(self.jurisdiction)


ANONYMOUS = Actor()


def require(actor: Actor, action: Action, jurisdiction: str | None = None) -> None:
    """Raise FORBIDDEN unless `actor` may do `action` in `jurisdiction` (a code or prefix)."""
    if action == Action.SUBMIT_OPINION:
        return  # the channel is always open, also to anonymous residents
    if action in RESIDENT_ACTIONS and actor.subject:
        return
    if actor.is_staff and (jurisdiction is None or actor.covers(jurisdiction)):
        return
    raise AccessDenied(
        f"{action.value} is not allowed here for this caller",
        suggestion="sign in with a role that covers this jurisdiction",
    )


def scope_of(actor: Actor, wanted: str | None) -> str:
    """The jurisdiction prefix a staff query runs in: the wanted one, inside the actor's own."""
    own = actor.jurisdiction or ""
    if wanted is None:
        return own
    if not wanted.startswith(own):
        raise AccessDenied(f"jurisdiction {wanted} is outside this caller's {own}")
    return wanted
