"""The rules in force: loaded and checked against the policy in force, swapped whole.

A set that fails to load or to check keeps the last good one in force; `error` says why (in
`/health` and `alertRules`). The folder is polled, as the policies are; a policy change
re-checks the rules too (a recipient may have lost a field its rule shows).
"""

import contextlib
import logging
from pathlib import Path

from hub.access.policy import Policy
from hub.alerts import check
from hub.alerts.rules import Rule, load_dir
from hub.errors import ConfigError

log = logging.getLogger("hub.alerts")


class RuleSet:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.rules: list[Rule] = []
        self.error: str | None = None
        self._stamp: tuple[tuple[str, int], ...] = ()
        self._policy = ""

    def load(self, policy: Policy) -> bool:
        """Load the folder again; True when a new set is in force."""
        self._stamp, self._policy = self._mtimes(), policy.version
        try:
            rules = load_dir(self.directory)
            check.check(rules, policy)
        except ConfigError as exc:
            self.error = exc.message
            log.error("rules refused, the last good ones stay in force: %s", exc.message)
            return False
        self.error = None
        changed = rules != self.rules
        self.rules = rules
        return changed

    def changed(self, policy: Policy) -> bool:
        return self._mtimes() != self._stamp or policy.version != self._policy

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def _mtimes(self) -> tuple[tuple[str, int], ...]:
        found = []
        with contextlib.suppress(OSError):
            for path in sorted(self.directory.glob("*.toml")):
                found.append((path.name, path.stat().st_mtime_ns))
        return tuple(found)

    def status(self) -> dict[str, object]:
        return {"rules": [r.id for r in self.rules], "error": self.error}
