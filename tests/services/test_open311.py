"""Open311 services from the catalogue: active modules that take requests, and requests to them."""

import httpx
import pytest

from hub.civic.open311 import demo_key
from hub.runtime import Runtime
from tests.services.conftest import MINE, OTHER, Caller

pytestmark = pytest.mark.usefixtures("services_demo")

BASE = "/open311/v2"
MODULES = "query($j: String) { serviceModules(jurisdiction: $j) { code status takesRequests } }"


async def _codes(client: httpx.AsyncClient, jurisdiction: str | None = None) -> set[str]:
    params = {"jurisdiction_id": jurisdiction} if jurisdiction else {}
    found = (await client.get(f"{BASE}/services.json", params=params)).json()
    return {s["service_code"] for s in found if s["group"] == "精准服务"}


async def test_services_are_the_active_modules_taking_requests(
    client: httpx.AsyncClient, street: Caller
) -> None:
    for community in (MINE, OTHER):
        modules = (await street.data(MODULES, j=community))["serviceModules"]
        expected = {m["code"] for m in modules if m["status"] == "ACTIVE" and m["takesRequests"]}
        assert expected and await _codes(client, community) == expected
        assert any(m["status"] != "ACTIVE" or not m["takesRequests"] for m in modules)
    everywhere = await _codes(client)
    assert everywhere >= await _codes(client, MINE) | await _codes(client, OTHER)
    assert "health" not in everywhere  # 医疗健康 takes no requests here
    taxonomy = (await client.get(f"{BASE}/services.json")).json()
    assert {"housing", "environment"} <= {s["service_code"] for s in taxonomy}


async def test_a_request_to_a_module(client: httpx.AsyncClient, runtime: Runtime) -> None:
    code = sorted(await _codes(client, MINE))[0]
    name = runtime.services.vocabulary.modules[code].name
    assert (await client.get(f"{BASE}/services/{code}.json")).status_code == 200
    form = {"api_key": demo_key(runtime.keys), "service_code": code,
            "description": "想预约下周的服务，请联系我", "address_string": "仁和东社区"}
    sent = await client.post(f"{BASE}/requests.json", data=form,
                             headers={"Idempotency-Key": "svc-311-1"})
    assert sent.status_code == 201, sent.text
    request_id = sent.json()[0]["service_request_id"]
    one = (await client.get(f"{BASE}/requests/{request_id}.json")).json()[0]
    assert one["description"].startswith(f"【{name}】")
    assert one["service_code"] == runtime.services.vocabulary.modules[code].category
    empty = await client.post(f"{BASE}/requests.json", data={**form, "description": ""})
    assert empty.status_code == 400
    retired = await client.get(f"{BASE}/services/bathing_unknown.json")
    assert retired.status_code == 404
