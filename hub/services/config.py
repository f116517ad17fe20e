"""The catalogue's vocabulary: module kinds and target groups (data/modules.toml)."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.errors import ConfigError

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class ModuleKind:
    code: str
    name: str
    mandatory: bool
    group: str
    unit: str
    requests: bool
    keywords: tuple[str, ...]
    parent: str | None = None
    category: str | None = None  # the taxonomy category its Open311 requests are filed under


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    source: str  # "graph" or connector/record_type
    equals: dict[str, Any] = field(default_factory=dict)
    one_of: dict[str, list[Any]] = field(default_factory=dict)
    present: tuple[str, ...] = ()
    younger_than_years: dict[str, int] = field(default_factory=dict)
    household: bool = False  # as a survey audience: everyone living with a member


@dataclass(frozen=True)
class Vocabulary:
    modules: dict[str, ModuleKind]
    groups: dict[str, Group]

    def kind(self, code: str) -> ModuleKind | None:
        return self.modules.get(code)

    @property
    def mandatory(self) -> list[ModuleKind]:
        return [m for m in self.modules.values() if m.mandatory]


def load(path: Path = DATA / "modules.toml") -> Vocabulary:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: {exc}") from None
    groups = {
        g["code"]: Group(g["code"], g["name"], g["source"], dict(g.get("equals", {})),
                         dict(g.get("one_of", {})), tuple(g.get("present", ())),
                         dict(g.get("younger_than_years", {})), bool(g.get("household")))
        for g in raw.get("group", [])
    }
    modules = {}
    for m in raw.get("module", []):
        if m["group"] not in groups:
            raise ConfigError(f"{path.name}: module {m['code']} names unknown group {m['group']}")
        modules[m["code"]] = ModuleKind(
            m["code"], m["name"], bool(m.get("mandatory")), m["group"], m["unit"],
            bool(m.get("requests")), tuple(m.get("keywords", ())), m.get("parent"),
            m.get("category"))
    return Vocabulary(modules, groups)
