"""What one request may ask: limits per role, from `hub/limits.toml` (`HUB_LIMITS_FILE`).

Read once at start-up; a wrong file stops it with a ConfigError naming the file and the key.
"""

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from connectors.breaker import BreakerSettings
from hub.access.principal import Principal
from hub.errors import ConfigError

DEFAULT_FILE = Path(__file__).with_name("limits.toml")


@dataclass(frozen=True)
class Limits:
    """One caller's limits (see limits.toml for what each one counts)."""

    body_bytes: int
    tokens: int
    depth: int
    aliases: int
    directives: int
    root_fields: int
    cost: int
    answer_bytes: int

    def most(self, other: "Limits") -> "Limits":
        """For each limit, the higher of the two (a caller holding both roles)."""
        return Limits(*(max(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))


@dataclass(frozen=True)
class Pool:
    connections: int = 100
    wait_seconds: float = 5.0
    per_request: int = 8


@dataclass(frozen=True)
class Stores:
    """How long one graph or cache call made for a request may take (cut to its time left)."""

    graph_timeout_seconds: float = 3.0
    cache_timeout_seconds: float = 1.0


@dataclass(frozen=True)
class LimitBook:
    """Every role's limits, the cost model's list size, kept answers' size, the pools, the
    request deadline, store timeouts and the departments' breakers."""

    roles: dict[str, Limits]
    list_size: int = 10
    keep_bytes: int = 1_000_000
    pool: Pool = Pool()
    deadline_seconds: float = 10.0
    stores: Stores = Stores()
    breakers: BreakerSettings = field(default_factory=BreakerSettings)

    def of(self, principal: Principal) -> Limits:
        if principal.anonymous:
            return self.roles["anonymous"]
        found = [self.roles.get(role, self.roles["default"]) for role in principal.roles]
        best = found[0]
        for limits in found[1:]:
            best = best.most(limits)
        return best

    @property
    def largest(self) -> Limits:
        """The highest of every role's limits: what nobody may exceed."""
        values = list(self.roles.values())
        best = values[0]
        for limits in values[1:]:
            best = best.most(limits)
        return best


def load(path: Path | None = None) -> LimitBook:
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML: {exc}") from None
    return _book(path, data)


def _book(path: Path, data: dict[str, Any]) -> LimitBook:
    _known(path, "", data, {"roles", "cost", "answers", "pool", "deadline", "stores", "breakers"})
    roles = data.get("roles", {})
    if "anonymous" not in roles or "default" not in roles:
        raise ConfigError(f"{path}: [roles.anonymous] and [roles.default] are required")
    default = _limits(path, "default", roles["default"], None)
    table = {name: _limits(path, name, given, default) for name, given in roles.items()}
    cost = data.get("cost", {})
    answers = data.get("answers", {})
    pool = data.get("pool", {})
    _known(path, "cost", cost, {"list_size"})
    _known(path, "answers", answers, {"keep_bytes"})
    _known(path, "pool", pool, {f.name for f in fields(Pool)})
    return LimitBook(
        roles=table,
        list_size=_number(path, "cost.list_size", cost.get("list_size", 10)),
        keep_bytes=_number(path, "answers.keep_bytes", answers.get("keep_bytes", 1_000_000)),
        pool=Pool(
            connections=_number(path, "pool.connections", pool.get("connections", 100)),
            wait_seconds=float(_number(path, "pool.wait_seconds", pool.get("wait_seconds", 5.0))),
            per_request=_number(path, "pool.per_request", pool.get("per_request", 8)),
        ),
        deadline_seconds=float(_table(path, "deadline", data, {"seconds": 10.0})["seconds"]),
        stores=Stores(**_table(path, "stores", data, _defaults(Stores()))),
        breakers=BreakerSettings(**_table(path, "breakers", data, _defaults(BreakerSettings()))),
    )


def _defaults(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


def _table(path: Path, name: str, data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """A table of positive numbers, each defaulted; unknown keys refused."""
    given = data.get(name, {})
    _known(path, name, given, set(defaults))
    values = defaults | {k: _number(path, f"{name}.{k}", v) for k, v in given.items()}
    return {k: type(defaults[k])(v) for k, v in values.items()}


def _limits(path: Path, role: str, given: dict[str, Any], default: Limits | None) -> Limits:
    names = {f.name for f in fields(Limits)}
    _known(path, f"roles.{role}", given, names)
    if default is None:
        missing = names - set(given)
        if missing:
            raise ConfigError(f"{path}: [roles.{role}] lacks {', '.join(sorted(missing))}")
        return Limits(**{n: _number(path, f"roles.{role}.{n}", given[n]) for n in names})
    values = {n: _number(path, f"roles.{role}.{n}", v) for n, v in given.items()}
    return replace(default, **values)


def _known(path: Path, table: str, given: dict[str, Any], names: set[str]) -> None:
    unknown = set(given) - names
    if unknown:
        where = f"[{table}]" if table else "the file"
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} in {where}")


def _number(path: Path, key: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{path}: {key} must be a positive number, not {value!r}")
    return value
