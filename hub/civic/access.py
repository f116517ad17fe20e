"""Who may do what in the civic loop: the one place permissions are checked.

The caller is the request's verified principal (resolvers/civic/access.py); whether its roles
may do an action is the policy's answer (`policies/`, objects `civic.*`), and `require` adds the
jurisdiction check: staff act only inside the jurisdictions their token names.
"""

from dataclasses import dataclass
from enum import StrEnum

from hub.errors import AccessDenied

STAFF_ROLES = frozenset({"street_admin", "community_worker"})


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
    READ_KPI = "kpi:read"


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
    Action.READ_KPI: ("civic.kpi", "read"),
}
SELF_ACTIONS = frozenset({Action.RATE, Action.PARTICIPATE})  # on one's own behalf, anywhere


@dataclass(frozen=True)
class Actor:
    """The caller: a subject id (a person's hub id for residents), roles and jurisdiction."""

    subject: str | None = None
    roles: frozenset[str] = frozenset()
    jurisdiction: str | None = None  # prefix the actor works in; None = anywhere
    grants: frozenset[tuple[str, str]] = frozenset()  # (object, action) the policy allows

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
        return
    granted = POLICY_OF[action] in actor.grants
    if granted and action in SELF_ACTIONS and actor.subject:
        return
    if granted and (jurisdiction is None or actor.covers(jurisdiction)):
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
