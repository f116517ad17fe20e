"""Open311 GeoReport v2: services, submitting with api_key and Idempotency-Key, following."""

import httpx

from hub.civic.open311 import demo_key
from hub.runtime import Runtime

BASE = "/open311/v2"


async def test_services_are_the_taxonomy(client: httpx.AsyncClient) -> None:
    services = (await client.get(f"{BASE}/services.json")).json()
    assert {s["service_code"] for s in services} >= {"housing", "environment", "traffic"}
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    missing = await client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


async def a_building_name(client: httpx.AsyncClient) -> str:
    body = await client.post("/graphql", json={
        "query": "{ places(first: 1, filter: {level: BUILDING}) { edges { node { name } } } }"})
    return body.json()["data"]["places"]["edges"][0]["node"]["name"]


async def test_post_needs_an_api_key(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{BASE}/requests.json", data={"service_code": "housing"})
    assert response.status_code == 403
    error = response.json()[0]
    assert error["code"] == 403 and error["description"].startswith("FORBIDDEN")


async def test_submit_retry_and_follow(client: httpx.AsyncClient, runtime: Runtime) -> None:
    form = {
        "api_key": demo_key(runtime.keys), "service_code": "housing",
        "description": "楼顶漏水严重，请联系我 13912345678", "address_string": await a_building_name(client),
        "phone": "139-1234-5678",
    }
    headers = {"Idempotency-Key": "311-retry-1"}
    first = await client.post(f"{BASE}/requests.json", data=form, headers=headers)
    again = await client.post(f"{BASE}/requests.json", data=form, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    request_id = first.json()[0]["service_request_id"]
    assert again.json()[0]["service_request_id"] == request_id
    one = (await client.get(f"{BASE}/requests/{request_id}.json")).json()
    assert len(one) == 1 and one[0]["status"] == "open" and one[0]["service_code"] == "housing"
    assert "13912345678" not in one[0]["description"] and "****" in one[0]["description"]
    listed = (await client.get(f"{BASE}/requests.json",
                               params={"service_request_id": request_id})).json()
    assert [r["service_request_id"] for r in listed] == [request_id]


async def test_open311_errors_follow_the_spec(client: httpx.AsyncClient, runtime: Runtime) -> None:
    key = demo_key(runtime.keys)
    cases = [
        {"api_key": key, "service_code": "nope", "description": "x", "address_string": "x"},
        {"api_key": key, "service_code": "housing", "description": "", "address_string": "x"},
        {"api_key": key, "service_code": "housing", "description": "漏水", "address_string": "月球"},
        {"api_key": key, "service_code": "housing", "description": "漏水", "lat": "north"},
    ]
    for form in cases:
        response = await client.post(f"{BASE}/requests.json", data=form)
        assert response.status_code == 400, response.text
        assert set(response.json()[0]) == {"code", "description"}
    assert (await client.get(f"{BASE}/requests/op_nope.json")).status_code == 404
    bad_date = await client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad_date.status_code == 400
