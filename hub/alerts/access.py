"""Who reads which alert: a caller's (role, jurisdiction) pair reads the alerts addressed to
its role at or below its jurisdiction, when the policy grants that pair `alert.alert`. The
pairs become a WHERE clause on the recipients, pushed into every alert query."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from hub.access.objects import Obj
from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.alerts.records import Alert, Recipient
from hub.errors import AccessDenied


@dataclass(frozen=True)
class Reader:
    subject: str
    pairs: tuple[tuple[str, str], ...]  # (role, jurisdiction prefix) granted the action

    def clause(self) -> ColumnElement[bool]:
        """Alerts with a recipient this reader stands for."""
        if not self.pairs:
            return false()
        matches = [and_(Recipient.role == role, Recipient.jurisdiction.startswith(code))
                   for role, code in self.pairs]
        return exists(select(Recipient.alert_id).where(
            Recipient.alert_id == Alert.id, or_(*matches)))

    def covers(self, recipients: Sequence[tuple[str, str]]) -> bool:
        return any(r == role and j.startswith(c) for role, c in self.pairs
                   for r, j in recipients)


def reader(policy: Policy, principal: Principal, action: str = "read") -> Reader:
    """The pairs of `principal` the policy grants `alert.alert` `action`; FORBIDDEN when none."""
    pairs = tuple(
        (role, code)
        for role in principal.roles
        for code in principal.jurisdictions
        if code and policy.allows(role, code, Obj.ALERT.value, action)
    )
    if not pairs:
        raise AccessDenied(f"your role may not {action} alerts",
                           suggestion="alerts reach the roles their rules name")
    return Reader(principal.subject or "", pairs)
