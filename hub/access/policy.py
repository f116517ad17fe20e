"""The policies in force: Casbin over `policies/`, checked before use, swapped atomically.

A policy that fails to load or to check keeps the last good one in force; `status` says so.
"""

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import casbin
from casbin.util import key_match

from hub.access.objects import Action, known_objects
from hub.errors import ConfigError

log = logging.getLogger("hub.access")

LEVELS = {6: "district", 9: "street", 12: "community", 14: "grid"}
MODEL_FILE, POLICY_FILE, CASES_FILE = "model.conf", "policy.csv", "cases.csv"


def level_of(code: str) -> str | None:
    """district | street | community | grid, by the length of the code; None when not one."""
    return LEVELS.get(len(code)) if code.isdigit() else None


def level_in(jurisdiction: str, levels: str) -> bool:
    """The model's `levelIn`: does the token's jurisdiction sit at one of `levels`?"""
    return levels == "*" or level_of(jurisdiction) in levels.split("|")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: list[str]  # the deciding policy line ([] when denied by default)


class Policy:
    """One loaded, checked version of the policy files."""

    def __init__(self, model_text: str, policy_text: str, source: str = "policies/") -> None:
        self.version = hashlib.sha256((model_text + "\0" + policy_text).encode()).hexdigest()[:12]
        self.source = source
        self.enforcer = _enforcer(model_text, policy_text, source)
        self.grants: dict[tuple[str, str], object] = {}  # hub.access.view caches per role/level
        self.roles = frozenset(rule[0] for rule in self.enforcer.get_policy())
        _check_lines(self.enforcer.get_policy(), source)

    @classmethod
    def from_dir(cls, directory: Path) -> "Policy":
        try:
            model = (directory / MODEL_FILE).read_text(encoding="utf-8")
            policy = (directory / POLICY_FILE).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"policies: cannot read {exc.filename}: {exc.strerror}") from None
        return cls(model, policy, str(directory))

    def allows(self, role: str, jurisdiction: str, obj: str, act: str) -> bool:
        return bool(self.enforcer.enforce(role, jurisdiction, obj, act))

    def explain(self, role: str, jurisdiction: str, obj: str, act: str) -> Decision:
        allowed, rule = self.enforcer.enforce_ex(role, jurisdiction, obj, act)
        return Decision(bool(allowed), list(rule))


def _enforcer(model_text: str, policy_text: str, source: str) -> casbin.Enforcer:
    # Casbin reads files; a private temporary copy keeps what is checked what is enforced.
    with tempfile.TemporaryDirectory() as tmp:
        model_path, policy_path = Path(tmp) / MODEL_FILE, Path(tmp) / POLICY_FILE
        model_path.write_text(model_text, encoding="utf-8")
        policy_path.write_text(policy_text, encoding="utf-8")
        try:
            enforcer = casbin.Enforcer(str(model_path), str(policy_path))
        except Exception as exc:  # Casbin raises bare exceptions for syntax errors
            raise ConfigError(f"{source}: cannot load the policy: {exc}") from None
    enforcer.add_function("levelIn", level_in)
    return enforcer


def _check_lines(rules: Iterable[list[str]], source: str) -> None:
    """Every line names a known level, object and action, and says allow or deny."""
    objects, actions = known_objects(), {a.value for a in Action}
    for rule in rules:
        where = f"{source}/{POLICY_FILE}: p, {', '.join(rule)}"
        if len(rule) != 5:
            raise ConfigError(f"{where}: expected role, levels, object, action, effect")
        _role, levels, obj, act, eft = rule
        if levels != "*" and not set(levels.split("|")) <= set(LEVELS.values()):
            raise ConfigError(f"{where}: levels must be * or {'|'.join(LEVELS.values())}")
        if not any(key_match(known, obj) for known in objects):
            raise ConfigError(f"{where}: unknown object {obj!r} (see hub/access/objects.py)")
        if act not in actions:
            raise ConfigError(f"{where}: unknown action {act!r} ({', '.join(sorted(actions))})")
        if eft not in ("allow", "deny"):
            raise ConfigError(f"{where}: effect must be allow or deny")
