"""Stream department files are checked at start-up like the others."""

from pathlib import Path

import pytest

from connectors.config import load_department
from hub.errors import ConfigError

BASE = '''name = "cams"
title = "测试平台"
kind = "{kind}"
url = "sqlite+aiosqlite:///{{data_dir}}/streams/cams.sqlite"
{stream}
[types.device]
entity = "Thing"
source = "devices"
key = "device_id"
jurisdiction = "jurisdiction"

[types.event]
entity = "Event"
source = "events"
key = "event_key"
jurisdiction = "jurisdiction"
'''
STREAM = '''[stream]
{extra}
[stream.types]
"高空抛物" = "{kind}"
'''


def load(tmp_path: Path, kind: str, stream: str) -> object:
    path = tmp_path / "cams.toml"
    path.write_text(BASE.format(kind=kind, stream=stream), encoding="utf-8")
    return load_department(path, tmp_path)


def test_a_well_formed_mqtt_department_loads(tmp_path: Path) -> None:
    config = load(tmp_path, "mqtt", STREAM.format(extra='topics = ["cams/#"]', kind="high_throw"))
    assert config.stream.topics == ["cams/#"]  # type: ignore[attr-defined]
    assert config.url.startswith("sqlite+aiosqlite:///")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("kind", "stream", "expected"), [
    ("mqtt", "", "stream: required for kind 'mqtt'"),
    ("mqtt", STREAM.format(extra="", kind="high_throw"), "stream.topics: an mqtt department"),
    ("webhook", STREAM.format(extra="", kind="high_throw"), "stream.secret_env: a webhook"),
    ("mqtt", STREAM.format(extra='topics = ["c"]', kind="alien_landing"), "stream.types"),
    ("sql", STREAM.format(extra='topics = ["c"]', kind="high_throw"), "stream: only for kinds"),
])
def test_a_wrong_stream_table_is_refused_naming_the_field(
    tmp_path: Path, kind: str, stream: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load(tmp_path, kind, stream)
    assert expected in refused.value.message
    assert "cams.toml" in refused.value.message
