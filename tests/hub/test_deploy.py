"""deploy/ agrees with the code: the settings it passes are read, its commands exist, the
probes' paths are served (the files are not run here: no container engine on the test machine)."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.cli import parser
from hub.settings import REPO_ROOT, Settings
from hub.web import create_app

DEPLOY = REPO_ROOT / "deploy"
READ_SETTINGS = REPO_ROOT / "hub"


def _documents() -> list[tuple[Path, dict[str, Any]]]:
    files = [DEPLOY / "compose.yaml", *sorted((DEPLOY / "k8s").glob("*.yaml"))]
    return [(f, doc) for f in files for doc in yaml.safe_load_all(f.read_text()) if doc]


def _walk(node: Any, key: str) -> list[Any]:
    """Every value under `key`, anywhere in a document."""
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                found.append(value)
            found.extend(_walk(value, key))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value, key))
    return found


def _setting_names() -> set[str]:
    """Every environment variable the hub's code reads by name."""
    pattern = re.compile(r'_env(?:_int|_flag)?\("([A-Z0-9_]+)"|environ\.get\("([A-Z0-9_]+)"')
    names: set[str] = set()
    for source in READ_SETTINGS.rglob("*.py"):
        for match in pattern.finditer(source.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def _env_names(doc: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for env in _walk(doc, "env"):
        names |= {item["name"] for item in env}
    for env in _walk(doc, "environment"):
        if isinstance(env, dict):
            names |= set(env)
    return names


def test_every_setting_passed_is_one_the_hub_reads() -> None:
    known = _setting_names() | {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",
                                "PYTHONUNBUFFERED"}
    for path, doc in _documents():
        unknown = _env_names(doc) - known
        assert not unknown, f"{path.name} passes settings the hub never reads: {unknown}"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    passed = set(re.findall(r"\b(HUB_[A-Z_]+|PYTHONUNBUFFERED)=", dockerfile))
    assert passed and passed <= known


def test_every_command_is_a_hub_command() -> None:
    commands = [c for _, doc in _documents() for c in _walk(doc, "command")]
    commands.append(re.search(r"CMD (\[.*\])", (DEPLOY / "Dockerfile").read_text()).group(1))
    hub_commands = [c if isinstance(c, list) else yaml.safe_load(c) for c in commands]
    hub_commands = [c for c in hub_commands if c[:3] == ["python", "-m", "hub"]]
    assert len(hub_commands) >= 4
    for command in hub_commands:
        parser().parse_args(command[3:])  # exits (SystemExit) on an unknown command or flag


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_probes_ask_paths_the_hub_serves(path: str) -> None:
    probes = [p for _, doc in _documents() for key in ("livenessProbe", "readinessProbe",
                                                       "startupProbe") for p in _walk(doc, key)]
    served = {route.path for route in create_app(Settings()).routes}
    asked = {p["httpGet"]["path"] for p in probes if "httpGet" in p}
    assert path in asked and asked <= served
