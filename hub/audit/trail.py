"""One request's reads, collected while it resolves and written as one access log batch."""

import hashlib
import json
from typing import Any

from hub.access.principal import Principal
from hub.audit.log import canonical, payload


class Trail:
    """Which entities and fields a request read, and how (allow / mask / absent)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.rows: set[tuple[str, str]] = set()
        self.fields: dict[tuple[str, str], str] = {}
        self._restored: list[dict[str, str]] = []  # kept answers' reads, as log columns

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

    def dump(self) -> dict[str, str]:
        """What was read, as the access log's `entities` and `fields` columns: kept with an
        answer, so that serving it again logs the same reads without working them out again
        (see `restore`)."""
        self._take_restored()
        entities: dict[str, list[str]] = {}
        for type_name, entity_id in sorted(self.rows):
            entities.setdefault(type_name, []).append(entity_id)
        fields = {f"{t}.{f}": rule for (t, f), rule in sorted(self.fields.items())}
        return {"entities": canonical(entities), "fields": canonical(fields)}

    def restore(self, dumped: dict[str, str]) -> None:
        """The reads of a kept answer, now served again: logged as a fresh read of them."""
        self._restored.append(dumped)

    def _take_restored(self) -> None:
        """Restored reads merged into this trail's own (several operations in one request)."""
        for dumped in self._restored:
            for type_name, ids in json.loads(dumped["entities"]).items():
                self.rows.update((type_name, entity_id) for entity_id in ids)
            for name, rule in json.loads(dumped["fields"]).items():
                type_name, _, field = name.partition(".")
                self.fields[(type_name, field)] = rule
        self._restored.clear()

    def entry(
        self, document: str | None, operation_name: str | None, decision: str, detail: Any = ""
    ) -> dict[str, Any]:
        """The access log payload of this request."""
        if len(self._restored) == 1 and not self.rows and not self.fields:
            columns = self._restored[0]  # a kept answer served: its reads as they were logged
        else:
            columns = self.dump()
        return payload(
            principal=self.principal.subject,
            roles=",".join(self.principal.roles),
            jurisdictions=",".join(self.principal.jurisdictions),
            operation=operation_hash(document),
            operation_name=operation_name or "",
            decision=decision,
            entities=columns["entities"],
            fields=columns["fields"],
            detail=detail,
        )


def operation_hash(document: str | None) -> str:
    """sha256 of the GraphQL document (variables are not logged: they may carry personal data)."""
    return hashlib.sha256((document or "").encode()).hexdigest()
