"""`policyCases`: the policy's expected decisions as `hub policy check` judges them, for auditors."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.access.cases import failing, load_cases
from hub.access.policy import CASES_FILE, Policy
from hub.access.store import PolicyStore
from hub.audit.table import AccessEntry
from hub.runtime import Runtime
from hub.settings import REPO_ROOT
from tests.access.conftest import STREET
from tests.conftest import GraphQLClient, bearer

POLICIES = REPO_ROOT / "policies"
QUERY = (
    "query Cases { policyCases { version total holding failing cases "
    "{ line role jurisdiction object action expected decided holds rule } } }"
)
AUDITOR = bearer("auditor", [], "auditor-cases")


async def _last(runtime: Runtime) -> AccessEntry:
    async with runtime.sessions() as session:
        query = select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1)
        return (await session.scalars(query)).one()


async def test_an_auditor_sees_every_case_holding_on_the_shipped_policy(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    result = await gql.as_(AUDITOR)(QUERY)
    assert "errors" not in result, result
    got = result["data"]["policyCases"]
    shipped = load_cases(POLICIES)
    assert got["version"] == Policy.from_dir(POLICIES).version == runtime.policies.version
    assert got["total"] == len(got["cases"]) == len(shipped) > 50
    assert got["holding"] == got["total"] and got["failing"] == 0
    assert all(case["holds"] and case["decided"] == case["expected"] for case in got["cases"])
    assert [case["line"] for case in got["cases"]] == [case.line for case in shipped]
    policy_read = next(c for c in got["cases"] if c["role"] == "auditor" and c["object"] == "policy")
    assert policy_read["expected"] == "allow"
    assert policy_read["rule"] == ["auditor", "*", "policy", "read", "allow"]
    entry = await _last(runtime)
    assert entry.operation_name == "Cases" and entry.decision == "allow"
    assert entry.principal == "auditor-cases" and json.loads(entry.entities) == {}


@pytest.fixture
def flipped_case(runtime: Runtime, tmp_path: Path) -> Iterator[int]:
    """The shipped policy in force from a copy whose cases.csv expects the auditor's policy
    read to be denied: that case fails. Yields its line number."""
    shutil.copytree(POLICIES, tmp_path, dirs_exist_ok=True)
    cases = tmp_path / CASES_FILE
    text = cases.read_text(encoding="utf-8")
    assert text.count("auditor,,policy,read,allow\n") == 1
    cases.write_text(text.replace("auditor,,policy,read,allow\n", "auditor,,policy,read,deny\n"))
    line = next(c.line for c in load_cases(tmp_path) if c.subject == "auditor" and c.obj == "policy")
    saved = runtime.policies
    runtime.policies = PolicyStore(tmp_path, poll_seconds=0)
    yield line
    runtime.policies = saved


async def test_a_case_the_policy_decides_otherwise_does_not_hold(
    gql: GraphQLClient, runtime: Runtime, flipped_case: int
) -> None:
    result = await gql.as_(AUDITOR)(QUERY)
    assert "errors" not in result, result
    got = result["data"]["policyCases"]
    wrong = [case for case in got["cases"] if not case["holds"]]
    assert [case["line"] for case in wrong] == [flipped_case]
    assert wrong[0]["expected"] == "deny" and wrong[0]["decided"] == "allow"
    assert got["failing"] == 1 and got["holding"] == got["total"] - 1
    # the same verdict as `hub policy check`
    store = runtime.policies
    assert [c.line for c, _ in failing(store.current, load_cases(store.directory))] == [flipped_case]


async def test_a_street_admin_is_refused_and_the_refusal_logged(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    result = await gql.as_(bearer("street_admin", STREET, "street-cases"))(QUERY)
    assert result["data"] is None
    assert {e["extensions"]["code"] for e in result["errors"]} == {"FORBIDDEN"}
    entry = await _last(runtime)
    assert entry.principal == "street-cases" and entry.decision == "deny"
    assert "FORBIDDEN" in entry.detail
