"""One request's reads, collected while it resolves and written as one access log batch."""

import hashlib
from typing import Any

from hub.access.principal import Principal
from hub.audit.log import payload


class Trail:
    """Which entities and fields a request read, and how (allow / mask / absent)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.rows: set[tuple[str, str]] = set()
        self.fields: dict[tuple[str, str], str] = {}

    def read(self, type_name: str, entity_id: str, field: str, rule: str) -> None:
        """Called for every field of every entity resolved: two hash operations, no more."""
        self.rows.add((type_name, entity_id))
        self.fields[(type_name, field)] = rule

    def read_level(self, type_name: str, entity_ids: list[str], rules: dict[str, str]) -> None:
        """The attribute fields of one request level, read for all its entities at once."""
        if not rules:
            return
        self.rows.update((type_name, entity_id) for entity_id in entity_ids)
        for field, rule in rules.items():
            self.fields[(type_name, field)] = rule

    def dump(self) -> dict[str, Any]:
        """What was read, for an answer kept to be served again (see `restore`)."""
        return {
            "rows": sorted(self.rows),
            "fields": sorted([t, f, rule] for (t, f), rule in self.fields.items()),
        }

    def restore(self, dumped: dict[str, Any]) -> None:
        """The reads of a kept answer, now served again: logged as a fresh read of them."""
        self.rows.update((t, i) for t, i in dumped["rows"])
        self.fields.update({(t, f): rule for t, f, rule in dumped["fields"]})

    @property
    def entities(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for type_name, entity_id in sorted(self.rows):
            out.setdefault(type_name, []).append(entity_id)
        return out

    def entry(
        self, document: str | None, operation_name: str | None, decision: str, detail: Any = ""
    ) -> dict[str, Any]:
        """The access log payload of this request."""
        return payload(
            principal=self.principal.subject,
            roles=",".join(self.principal.roles),
            jurisdictions=",".join(self.principal.jurisdictions),
            operation=operation_hash(document),
            operation_name=operation_name or "",
            decision=decision,
            entities=self.entities,
            fields={f"{t}.{f}": rule for (t, f), rule in sorted(self.fields.items())},
            detail=detail,
        )


def operation_hash(document: str | None) -> str:
    """sha256 of the GraphQL document (variables are not logged: they may carry personal data)."""
    return hashlib.sha256((document or "").encode()).hexdigest()
