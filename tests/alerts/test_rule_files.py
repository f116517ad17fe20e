"""Rule files: unknown keys, roles and event types refused; a rule that would show a recipient
a field its role cannot read refused at check time; a broken file at reload keeps the last
good rules in force, and /health says why."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.access.policy import Policy
from hub.alerts import check
from hub.alerts.rules import load_dir
from hub.alerts.ruleset import RuleSet
from hub.cli import main
from hub.errors import ConfigError
from hub.runtime import Runtime
from hub.settings import REPO_ROOT
from hub.web import create_app
from tests.alerts.conftest import Building, ago, grid_worker, pick, settle, xadd
from tests.civic.conftest import Caller

RULES = REPO_ROOT / "policies" / "rules"
POLICY = Policy.from_dir(REPO_ROOT / "policies")
GOOD = """[rule.gas]
title = "燃气报警"
kind = "event"
message = "{Place.name} 燃气报警"
event_types = ["gas_alarm"]
recipients = [{ role = "grid_worker", level = "grid" }]
"""


def folder(tmp_path: Path, text: str) -> Path:
    (tmp_path / "r.toml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("change", "named"), [
    (("kind = \"event\"", "kind = \"event\"\ncolour = \"red\""), "unknown key colour"),
    (("gas_alarm", "gas_leak"), "unknown event type gas_leak"),
    (("level = \"grid\"", "level = \"building\""), "level building"),
    (("kind = \"event\"", "kind = \"sometimes\""), "kind must be one of"),
    (("[rule.gas]", "[rules.gas]"), "unknown table rules"),
    (("recipients = [{ role = \"grid_worker\", level = \"grid\" }]", ""), "recipients is missing"),
])
def test_a_file_with_an_error_is_refused_naming_it(
    tmp_path: Path, change: tuple[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_dir(folder(tmp_path, GOOD.replace(*change)))
    assert named in refused.value.message and "r.toml" in refused.value.message


@pytest.mark.parametrize(("changes", "named"), [
    ([("grid_worker", "janitor")], "knows no role janitor"),
    ([("{Place.name}", "{Person.idNumber}")], "may not read Person.idNumber"),  # masked only
    ([("grid_worker", "property_manager"), ("{Place.name}", "{Person.phone}")],
     "may not read Person.phone"),  # the property company sees phones masked
    ([("grid_worker", "police")], "grants it no alert.alert read"),
    ([("{Place.name}", "{Place.colour}")], "shows unknown field Place.colour"),
])
def test_a_rule_showing_what_a_recipient_cannot_read_is_refused_at_check(
    tmp_path: Path, changes: list[tuple[str, str]], named: str
) -> None:
    text = GOOD
    for change in changes:
        text = text.replace(*change)
    with pytest.raises(ConfigError) as refused:
        check.check(load_dir(folder(tmp_path, text)), POLICY)
    assert named in refused.value.message


def test_the_repository_rules_hold_and_the_command_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HUB_ALERT_RULES_DIR", str(RULES))
    assert main(["rules", "check"]) == 0
    assert "6 rules" in capsys.readouterr().out
    bad = folder(tmp_path, GOOD.replace("{Place.name}", "{Person.subsidyAmount}"))
    monkeypatch.setenv("HUB_ALERT_RULES_DIR", str(bad))
    assert main(["rules", "check"]) == 1
    assert "may not read Person.subsidyAmount" in capsys.readouterr().err


@pytest.fixture
def own_rules(runtime: Runtime, tmp_path: Path) -> Iterator[Path]:
    """The hub's rules read from a copy the test may break; the repository's again after."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    saved = runtime.alerts.rules
    runtime.alerts.rules = RuleSet(copy)
    runtime.alerts.rules.load(runtime.policies.current)
    yield copy
    runtime.alerts.rules = saved


async def test_a_broken_file_at_reload_keeps_the_last_good_rules(
    runtime: Runtime, client: httpx.AsyncClient, buildings: list[Building], own_rules: Path
) -> None:
    before = [r.id for r in runtime.alerts.rules.rules]
    (own_rules / "building_safety.toml").write_text(
        (own_rules / "building_safety.toml").read_text(encoding="utf-8").replace(
            "min_events = 2", "min_events = \"two\""), encoding="utf-8")
    building = pick(buildings, 1, "broken")[0]
    await xadd(runtime, "smoke_alarm", ago(0.01), building.id, jurisdiction=building.jurisdiction)
    await settle(runtime)  # hearing the stream reloads the changed folder
    assert [r.id for r in runtime.alerts.rules.rules] == before
    app = create_app(runtime.settings, runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://hub") as http:
        health = (await http.get("/health")).json()
    assert "building_safety.toml: rule repeated_high_throw: min_events" in health["rules"]["error"]
    found = await Caller(client, grid_worker(building.jurisdiction)).data(
        '{ alerts(filter: {rule: "smoke_alarm"}) { edges { node { place { id } } } } }')
    assert building.id in {e["node"]["place"]["id"] for e in found["alerts"]["edges"]}
    status = await Caller(client, {"Authorization": client.headers["Authorization"]}).data(
        "{ alertRules { error rules { id } } }")
    assert status["alertRules"]["error"] and len(status["alertRules"]["rules"]) == len(before)
