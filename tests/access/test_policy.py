"""The policy files: every expected decision holds; the vocabulary matches the schema."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from hub.access.cases import load_cases
from hub.access.gate import Gatekeeper
from hub.access.objects import ENTITY_TYPES, FIELDS
from hub.access.policy import Policy
from hub.access.principal import Principal
from hub.access.store import PolicyStore, announce
from hub.access.view import FieldRule
from hub.cli import main
from hub.errors import ConfigError
from hub.runtime import Runtime, open_runtime
from hub.settings import REPO_ROOT, Settings
from resolvers.schema import build_schema

POLICIES = REPO_ROOT / "policies"
CASES = load_cases(POLICIES)
POLICY = Policy.from_dir(POLICIES)


@pytest.mark.parametrize("case", CASES, ids=[f"line{c.line}" for c in CASES])
def test_expected_decision_holds(case) -> None:  # type: ignore[no-untyped-def]
    decision = POLICY.explain(case.subject, case.jurisdiction, case.obj, case.action)
    assert decision.allowed == case.expected, (str(case), decision.rule)


def test_policy_check_and_explain_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "check"]) == 0
    assert f"{len(CASES)}/{len(CASES)} cases hold" in capsys.readouterr().out
    assert (
        main(["policy", "explain", "grid_worker", "33010500400101", "Person.idNumber", "read"]) == 0
    )
    assert "deny: p, grid_worker, grid, Person.idNumber, read, deny" in capsys.readouterr().out


def test_policy_check_fails_on_a_wrong_expectation(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(POLICIES, tmp_path, dirs_exist_ok=True)
    cases = tmp_path / "cases.csv"
    cases.write_text(cases.read_text() + "police,330105004,Person.careLevel,read,allow\n")
    monkeypatch.setenv("HUB_POLICY_DIR", str(tmp_path))
    assert main(["policy", "check"]) == 1
    assert "Person.careLevel" in capsys.readouterr().err


def test_objects_name_every_field_of_the_schema() -> None:
    schema = build_schema()
    for kind in ENTITY_TYPES:
        fields = schema.get_type_by_name(kind).fields
        served = {f.graphql_name or _camel(f.python_name) for f in fields}
        assert served - {"id"} == set(FIELDS[kind]), kind


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("p, grid_worker, grid, Person.idNumbr, read, allow", "unknown object"),
        ("p, grid_worker, grid, Person.name, reed, allow", "unknown action"),
        ("p, grid_worker, town, Person.name, read, allow", "levels"),
        ("p, grid_worker, grid, Person.name, read, maybe", "effect"),
    ],
)
def test_a_policy_naming_unknown_things_is_refused(
    tmp_path: Path, line: str, complaint: str
) -> None:
    shutil.copytree(POLICIES, tmp_path, dirs_exist_ok=True)
    (tmp_path / "policy.csv").write_text((POLICIES / "policy.csv").read_text() + line + "\n")
    with pytest.raises(ConfigError) as caught:
        Policy.from_dir(tmp_path)
    assert complaint in caught.value.message


@pytest.fixture
async def two_hubs(
    runtime: Runtime, tmp_path: Path
) -> AsyncIterator[tuple[Runtime, Runtime, Path]]:
    """Two hub runtimes (as two processes would be) over one policy folder and one Redis."""
    shutil.copytree(POLICIES, tmp_path, dirs_exist_ok=True)
    settings: Settings = replace(runtime.settings, policy_dir=tmp_path, policy_poll_seconds=0)
    first, second = await open_runtime(settings), await open_runtime(settings)
    yield first, second, tmp_path
    await first.close()
    await second.close()


async def _until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time allowed")


async def test_policy_change_reaches_every_hub_without_restart(two_hubs) -> None:  # type: ignore[no-untyped-def]
    first, second, folder = two_hubs
    worker = Principal("w", ("grid_worker",), ("33010500400101",))
    gate = Gatekeeper(first.settings)
    before = await gate.view(worker, second.policies, second.links)
    assert before.field("Person", "phone") is FieldRule.ALLOW
    policy = folder / "policy.csv"
    policy.write_text(policy.read_text() + "p, grid_worker, grid, Person.phone, read, deny\n")
    old = first.policies.version
    await announce(first.redis, "test")
    await _until(lambda: first.policies.version != old and second.policies.version != old)
    after = await gate.view(worker, second.policies, second.links)
    assert after.field("Person", "phone") is FieldRule.ABSENT

    good = second.policies.version
    policy.write_text(policy.read_text() + "p, grid_worker, grid, Person.name\n")  # broken line
    await announce(first.redis, "test")
    await _until(lambda: first.policies.error is not None and second.policies.error is not None)
    assert first.policies.version == second.policies.version == good
    assert "policy" in (second.policies.error or "")


async def test_a_hub_polls_its_policy_files(tmp_path: Path) -> None:
    shutil.copytree(POLICIES, tmp_path, dirs_exist_ok=True)
    store = PolicyStore(tmp_path, poll_seconds=0.1)

    class NoRedis:  # polling needs no Redis to notice; it only announces what it found
        async def publish(self, channel: str, message: str) -> int:
            return 0

        def pubsub(self):  # type: ignore[no-untyped-def]
            raise AssertionError("not used")

    store._tasks.append(asyncio.create_task(store._poll(NoRedis())))  # type: ignore[arg-type]
    old = store.version
    policy = tmp_path / "policy.csv"
    policy.write_text(policy.read_text() + "p, auditor, *, schema, read, allow\n")
    await _until(lambda: store.version != old)
    await store.close()
