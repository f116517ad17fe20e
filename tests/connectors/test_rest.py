"""REST specifics: batch styles and chunking, bounded concurrency, retries, validation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from connectors import ConnectorConfig, build_connector, round_trips
from connectors.rest import RestConnector
from hub.errors import BadInput, ConnectorError, ErrorCode
from tests.connectors import data
from tests.connectors.conftest import CIVIL, retype
from tests.connectors.server import FixtureServer, refused_port

pytestmark = pytest.mark.asyncio

Build = Callable[..., RestConnector]


@pytest_asyncio.fixture
async def build(departments: dict[str, ConnectorConfig]) -> AsyncIterator[Build]:
    """`build("civil", rest={...}, retries=0)` → a RestConnector on a changed config."""
    made: list[RestConnector] = []

    def factory(
        name: str,
        rest: dict[str, Any] | None = None,
        types: dict[str, Any] | None = None,
        **top: Any,
    ) -> RestConnector:
        config = departments[name]
        record_type = next(iter(config.types))
        config = retype(config, record_type, rest, **(types or {}))
        connector = build_connector(config.model_copy(update=top))
        assert isinstance(connector, RestConnector)
        made.append(connector)
        return connector

    yield factory
    for connector in made:
        await connector.close()


async def test_post_batch_is_chunked_and_bounded(build: Build, server: FixtureServer) -> None:
    civil = build(
        "civil",
        rest={"batch_path": "/gathering/care-records/batch-query", "batch_max": 2},
        concurrency=2,
    )
    keys = [f"MZ{n:07d}" for n in (1, 2, 3, 4, 5)]
    before = round_trips("civil", "care_record", "fetch")
    got = await civil.fetch("care_record", keys)
    assert sorted(got) == keys
    assert round_trips("civil", "care_record", "fetch") - before == 3
    assert server.state.max_in_flight == 2  # two chunks together, never the third as well


async def test_get_ids_batch_sends_comma_list(make: Any, server: FixtureServer) -> None:
    urban = await make("urban")
    await urban.fetch("case", ["CG000002", "CG000001", "XX"])
    assert server.state.params("/api/cases/batch") == [{"ids": "CG000002,CG000001,XX"}]


async def test_item_path_when_no_batch_endpoint(build: Build, server: FixtureServer) -> None:
    civil = build("civil", rest={"batch_path": None})
    got = await civil.fetch("care_record", ["MZ0000001", "MZ0000002", "NOPE"])
    assert sorted(got) == ["MZ0000001", "MZ0000002"]
    paths = sorted(path for _, path, _ in server.state.requests)
    assert paths == [f"/api/v1/care-records/{k}" for k in ("MZ0000001", "MZ0000002", "NOPE")]


async def test_query_params_reach_the_server(make: Any, server: FixtureServer) -> None:
    civil = await make("civil")
    await civil.query("care_record", {"name": "王芳"}, ["330105004"], 0, 10)
    assert server.state.params("/api/v1/care-records") == [
        {"name": "王芳", "community_code": "330105004", "page": "1", "page_size": "10"}
    ]


async def test_unreachable_server_is_retriable_and_named(build: Build) -> None:
    with refused_port() as port:
        civil = build("civil", url=f"http://127.0.0.1:{port}", retries=1, backoff=0)
        before = round_trips("civil", "care_record")
        with pytest.raises(ConnectorError) as caught:
            await civil.fetch("care_record", ["MZ0000001"])
    assert caught.value.retriable and caught.value.connector == "civil"
    assert caught.value.message.startswith("civil: ")
    assert round_trips("civil", "care_record") - before == 2  # first try + one retry


async def test_5xx_is_retried_with_backoff(build: Build, server: FixtureServer) -> None:
    civil = build("civil", types={"source": "/flaky/care-records"}, retries=2, backoff=0.01)
    server.state.failures_left = 2
    page = await civil.query("care_record", {}, None, 0, 3)
    assert [r["_key"] for r in page.records] == ["MZ0000001", "MZ0000002", "MZ0000003"]
    assert len(server.state.params("/flaky/care-records")) == 3


async def test_retries_give_up_with_a_retriable_error(build: Build, server: FixtureServer) -> None:
    civil = build("civil", types={"source": "/flaky/care-records"}, retries=1, backoff=0)
    server.state.failures_left = 5
    with pytest.raises(ConnectorError, match="HTTP 503") as caught:
        await civil.query("care_record", {}, None, 0, 3)
    assert caught.value.retriable


async def test_non_idempotent_post_is_not_retried(build: Build, server: FixtureServer) -> None:
    civil = build(
        "civil",
        rest={"batch_path": "/flaky/care-records/batch-query", "batch_idempotent": False},
        retries=3,
        backoff=0,
    )
    server.state.failures_left = 1
    with pytest.raises(ConnectorError):
        await civil.fetch("care_record", ["MZ0000001"])
    assert len(server.state.requests) == 1


async def test_timeout_is_retriable(build: Build) -> None:
    civil = build(
        "civil", rest={"batch_path": "/slow/care-records/batch-query"}, retries=0, timeout=0.01
    )
    with pytest.raises(ConnectorError, match="timed out") as caught:
        await civil.fetch("care_record", ["MZ0000001"])
    assert caught.value.retriable


async def test_malformed_json_body_names_the_connector(build: Build) -> None:
    civil = build("civil", types={"source": "/broken/care-records"})
    with pytest.raises(ConnectorError, match="malformed JSON") as caught:
        await civil.query("care_record", {}, None, 0, 5)
    assert caught.value.connector == "civil" and not caught.value.retriable


async def test_json_with_nan_from_a_python_service_is_read(build: Build) -> None:
    civil = build("civil", types={"source": "/nan/care-records"})
    page = await civil.query("care_record", {}, None, 0, 5)
    assert len(page.records) == 3 and not page.errors


async def test_items_must_be_a_list_of_objects_with_the_key(build: Build) -> None:
    civil = build("civil", types={"source": "/wrong/care-records"})
    with pytest.raises(ConnectorError, match="'items' is not a list"):
        await civil.query("care_record", {}, None, 0, 5)
    bad_key = build("civil", types={"key": "no_such_field"})
    with pytest.raises(ConnectorError, match="not an object with 'no_such_field'"):
        await bad_key.fetch("care_record", ["MZ0000001"])


async def test_filters_outside_the_table_are_refused(make: Any) -> None:
    civil = await make("civil")
    with pytest.raises(BadInput) as caught:
        await civil.query("care_record", {"disabilityGrade": "一级"}, None, 0, 5)
    assert caught.value.code == ErrorCode.BAD_FILTER
    with pytest.raises(BadInput):
        await civil.query("care_record", {"name": ["王芳", "李秀英"]}, None, 0, 5)
    with pytest.raises(BadInput) as page:
        await civil.query("care_record", {}, None, -1, 5)
    assert page.value.code == ErrorCode.BAD_PAGE


async def test_scope_without_a_jurisdiction_parameter_is_refused(build: Build) -> None:
    civil = build("civil", types={"filters": {"name": "name"}})
    with pytest.raises(ConnectorError, match="scope") as caught:
        await civil.query("care_record", {}, ["330105004"], 0, 5)
    assert not caught.value.retriable
    page = await civil.query("care_record", {}, None, 0, 2)
    assert page.total == 10


async def test_since_without_a_server_parameter_is_applied_here(build: Build) -> None:
    civil = build("civil", rest={"since_param": None, "max_page_size": 3})
    recent = [r async for c in civil.scan("care_record", since=data.SINCE) for r in c]
    assert sorted(r["_key"] for r in recent) == CIVIL.since_keys
