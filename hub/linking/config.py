"""Linking thresholds and weights, from a TOML file (`[linking]`); bad values stop start-up."""

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hub.errors import ConfigError

DEFAULT_FILE = Path(__file__).with_name("linking.toml")


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: float = 0.6
    name: float = 0.3
    name_sound: float = 0.2
    name_differs: float = -0.4
    room: float = 0.5


class LinkingConfig(BaseModel):
    """`auto_merge` ≥ `review`: scores in between become candidates for review."""

    model_config = ConfigDict(extra="forbid")
    auto_merge: float = Field(0.8, gt=0)
    review: float = Field(0.5, gt=0)
    weights: Weights = Weights()

    @model_validator(mode="after")
    def _ordered(self) -> "LinkingConfig":
        if self.review > self.auto_merge:
            raise ValueError("review must not exceed auto_merge")
        return self


def load_linking(path: Path | None = None) -> LinkingConfig:
    """The `[linking]` table of `path` (default: the shipped linking.toml)."""
    path = path or DEFAULT_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return LinkingConfig.model_validate(raw.get("linking", {}))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path} [linking]: {problems}") from None
