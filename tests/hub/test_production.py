"""HUB_ENV=production refuses to start on demo mode or on development or short secrets."""

from dataclasses import replace
from pathlib import Path

import pytest

from hub.access.tokens import DEV_SECRET
from hub.cli import main
from hub.errors import ConfigError
from hub.settings import DEV_LINK_SECRET, Settings
from hub.web import create_app

STRONG = "s" * 32
PRODUCTION = Settings(env="production", demo=False, jwt_secret=STRONG, link_secret=STRONG + "l")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"demo": True}, "HUB_DEMO"),
        ({"jwt_secret": None}, "HUB_JWT_SECRET or HUB_JWKS_URL"),
        ({"jwt_secret": DEV_SECRET}, "HUB_JWT_SECRET is the development secret"),
        ({"jwt_secret": "x"}, "HUB_JWT_SECRET is shorter than 32 bytes"),
        ({"jwt_secret": None, "jwks_url": "https://idp.example/jwks", "link_secret": "x"},
         "HUB_LINK_SECRET is shorter"),
        ({"link_secret": DEV_LINK_SECRET}, "HUB_LINK_SECRET is the development secret"),
    ],
)
def test_production_refuses_to_start_naming_the_setting(
    change: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app(replace(PRODUCTION, **change))  # type: ignore[arg-type]


def test_a_demo_hub_in_production_is_refused_before_it_takes_a_development_token() -> None:
    """Before: demo on and no secret in production verified tokens with the repository's
    development secret (a street_admin for anyone who read the code)."""
    with pytest.raises(ConfigError, match="HUB_DEMO"):
        create_app(replace(PRODUCTION, demo=True, jwt_secret=None))


def test_a_sound_production_configuration_starts() -> None:
    create_app(PRODUCTION)
    create_app(replace(PRODUCTION, jwt_secret=None, jwks_url="https://idp.example/jwks"))


def test_demo_is_off_by_default_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUB_DEMO", raising=False)
    monkeypatch.setenv("HUB_ENV", "production")
    assert Settings.from_env().demo is False
    monkeypatch.setenv("HUB_ENV", "development")
    assert Settings.from_env().demo is True


def test_hub_commands_in_production_obey_the_same_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("REDIS_URL", "FALKORDB_URL", "DATABASE_URL", "HUB_DEMO", "NEO4J_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUB_ENV", "production")
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HUB_JWT_SECRET", STRONG)
    monkeypatch.setenv("HUB_LINK_SECRET", "short")
    assert main(["link", "--quiet"]) == 2
    assert "HUB_LINK_SECRET is shorter than 32 bytes" in capsys.readouterr().err
    assert not (tmp_path / "falkordb").exists()  # refused before anything started
