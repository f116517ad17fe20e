"""Published contracts: the committed schema, metrics, start-up errors."""

import logging
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY, generate_latest

from hub.cli import SCHEMA_FILE, served_sdl
from hub.errors import ConfigError
from hub.runtime import Runtime, open_runtime
from hub.settings import Settings
from tests.conftest import GraphQLClient, bearer


def test_committed_schema_is_the_served_schema() -> None:
    assert SCHEMA_FILE.read_text() == served_sdl(), (
        "run `hub schema export` and commit schema.graphql"
    )


async def test_the_sdl_served_over_http_is_the_committed_schema(gql: GraphQLClient) -> None:
    """What the gateway composes (`_service { sdl }`, asked as the city brain, the role the
    schema is for) is schema.graphql to the character."""
    brain = gql.as_(bearer("city_brain", [], "city-brain"))
    served = await brain("{ _service { sdl } }")
    assert "errors" not in served, served["errors"]
    assert served["data"]["_service"]["sdl"] + "\n" == SCHEMA_FILE.read_text()


def _samples() -> dict[str, float]:
    """The samples this test reads, as the process-wide registry holds them now."""
    police = {"connector": "police", "operation": "fetch"}
    residents = police | {"record_type": "resident"}
    care = {"connector": "civil", "record_type": "care_record", "operation": "fetch"}
    wanted = {
        "police": ("hub_connector_requests_total", residents),
        "civil": ("hub_connector_requests_total", care),
        "police_timed": ("hub_connector_latency_seconds_count", police),
        "graph": ("hub_graph_queries_total", {"engine": "falkordb", "mode": "read"}),
        "graph_timed": ("hub_graph_latency_seconds_count", {"engine": "falkordb"}),
    }
    return {key: REGISTRY.get_sample_value(*sample) or 0.0 for key, sample in wanted.items()}


async def test_metrics_count_round_trips_per_connector(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """One page of people, cold: one batched fetch from each department it reads, each timed,
    and the graph queries that found the page, each timed; counted by this request alone."""
    await client.post("/graphql", json={"query": "{ __typename }"})  # the gate's first reads
    await runtime.cache.invalidate()  # cold: no kept records, no kept answer
    before = _samples()
    response = await client.post(
        "/graphql", json={"query": "{ people(first: 5) { edges { node { name careLevel } } } }"}
    )
    assert "errors" not in response.json()
    after = _samples()
    delta = {key: after[key] - before[key] for key in before}
    assert delta["police"] == delta["civil"] == delta["police_timed"] == 1, delta
    assert delta["graph"] == delta["graph_timed"] == 1, delta  # the page and its nodes
    assert (await client.get("/metrics")).status_code == 404  # its own port (test_serving)
    names = generate_latest().decode()
    assert 'hub_connector_requests_total{connector="police"' in names


async def test_a_wrong_department_file_stops_start_up(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "bad.toml").write_text(
        'name = "bad"\ntitle = "坏配置"\nkind = "sql"\nurl = "sqlite+aiosqlite:///x.db"\n'
        '[types.resident]\nentity = "Person"\nsource = "t"\nkey = "k"\n'
        '[types.resident.fields]\nnmae = "name"\n'
    )
    broken = Settings(
        data_dir=settings.data_dir, redis_url=settings.redis_url, connectors_dir=tmp_path
    )
    with pytest.raises(ConfigError) as caught:
        await open_runtime(broken)
    assert "bad.toml" in caught.value.message and "nmae" in caught.value.message


async def test_a_typed_id_number_never_reaches_the_log(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    result = await gql('{ person(id: "330105199001011234") { id } }')
    assert result["errors"][0]["extensions"]["code"] == "BAD_ID"
    assert "330105199001011234" not in caplog.text and "BAD_ID" in caplog.text
