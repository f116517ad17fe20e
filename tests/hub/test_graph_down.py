"""The graph down: at start-up a clear error naming the URL; during a request, errors on the
graph-backed fields only (GRAPH_UNAVAILABLE, naming the store, not its address), the rest
answers."""

import dataclasses
from pathlib import Path

import httpx
import pytest

from hub import embedded
from hub.errors import ConfigError
from hub.runtime import open_runtime
from hub.settings import Settings
from hub.web import create_app
from tests.conftest import DEMO_STREET, STREET_ADMIN


async def test_unreachable_graph_at_start_up_names_the_url(settings: Settings) -> None:
    url = f"redis://127.0.0.1:{embedded.free_port()}"
    with pytest.raises(ConfigError, match=url.replace(".", r"\.")):
        await open_runtime(dataclasses.replace(settings, redis_url=None, graph_url=url))


async def test_graph_gone_mid_request_fails_graph_fields_only(
    settings: Settings, tmp_path: Path, link_report: object
) -> None:
    server = embedded.start(tmp_path / "falkordb")
    runtime = await open_runtime(dataclasses.replace(settings, redis_url=server.url))
    query = (
        '{ linkReport { records } person(id: "prs_0123456789abcdef") { id } '
        "people(first: 1) { totalCount } }"
    )
    try:
        await runtime.store.write("CREATE (:Place {id: 'plc_street', jurisdiction: $code, "
                                  "level: 'street'})", {"code": DEMO_STREET})
        app = create_app(runtime.settings, runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://hub", headers=STREET_ADMIN) as http:
            warm = await http.post("/graphql", json={"query": query})  # the street is known
            assert "errors" not in warm.json(), warm.json()
            server.stop()
            response = await http.post("/graphql", json={"query": query})
    finally:
        server.stop()
        await runtime.close()
    body = response.json()
    assert body["data"]["linkReport"]["records"] > 0
    assert body["data"]["person"] is None and body["data"]["people"] is None
    codes = {(e["path"][0], e["extensions"]["code"]) for e in body["errors"]}
    assert codes == {("person", "GRAPH_UNAVAILABLE"), ("people", "GRAPH_UNAVAILABLE")}
    assert "falkordb" in body["errors"][0]["message"]  # the store by name, not where it runs
    assert str(server.port) not in response.text and "127.0.0.1" not in response.text
