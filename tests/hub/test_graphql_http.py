"""GraphQL over HTTP: bad bodies are 400 with a code (never 500), status codes as the spec's
application/graphql-response+json says, bodies over the caller's limit 413 before they are
read whole (a real uvicorn process, real sockets)."""

import time
from collections.abc import Iterator

import httpx
import pytest

from hub.settings import Settings
from tests.conftest import TEST_JWT_SECRET
from tests.support.hub_process import running_hub

GRAPHQL_RESPONSE = "application/graphql-response+json"
ONE = '{"query": "{ people(first: 1) { totalCount } }"}'


def bad_request(response: httpx.Response, words: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST" and words in error["message"], error


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("null", "JSON object"),
        ("1", "JSON object"),
        ('"q"', "JSON object"),
        ("[]", "batches"),
        (f"[{ONE}, {ONE}]", "batches"),
        ("{nope", "not valid JSON"),
        ('{"variables": {}}', "No GraphQL query"),
        ('{"query": 1}', "must be a string"),
        ('{"query": "{ __typename }", "variables": [1]}', "must be an object"),
    ],
)
async def test_a_body_that_is_no_graphql_request_is_400_with_a_code(
    client: httpx.AsyncClient, body: str, words: str
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    bad_request(response, words)


async def test_a_wrong_content_type_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=ONE, headers={"Content-Type": "text/plain"})
    bad_request(response, "content type")


async def test_graphql_response_json_status_codes(client: httpx.AsyncClient) -> None:
    accept = {"Accept": GRAPHQL_RESPONSE}
    syntax = await client.post("/graphql", json={"query": "{ people("}, headers=accept)
    invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=accept)
    variable = await client.post("/graphql", headers=accept, json={
        "query": "query($n: Int!) { people(first: $n) { totalCount } }",
        "variables": {"n": "many"}})
    for response in (syntax, invalid, variable):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert "data" not in response.json() and response.json()["errors"]
    partial = await client.post("/graphql", headers=accept, json={
        "query": "{ a: people(first: 1) { totalCount } b: people(first: 5000) { totalCount } }"})
    assert partial.status_code == 200, partial.text  # an execution error beside data
    assert partial.json()["data"]["a"] and partial.json()["errors"]
    closed = await client.post("/graphql", headers=accept, json={
        "query": "{ accessLog(first: 1) { totalCount } }"})  # non-null: data is null
    assert closed.status_code == 200 and closed.json()["data"] is None, closed.text
    fine = await client.post("/graphql", json={"query": "{ __typename }"}, headers=accept)
    assert fine.status_code == 200 and fine.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_plain_json_keeps_200_for_graphql_errors(client: httpx.AsyncClient) -> None:
    invalid = await client.post("/graphql", json={"query": "{ nope }"})
    assert invalid.status_code == 200 and invalid.json()["errors"]
    assert invalid.headers["content-type"].startswith("application/json")


@pytest.fixture(scope="module")
def hub_url(settings: Settings, link_report: object) -> Iterator[str]:
    with running_hub(settings, TEST_JWT_SECRET) as url:
        yield url


def test_a_body_over_the_limit_is_413_from_its_content_length(hub_url: str) -> None:
    """60 MB announced: answered 413 at once (the client may still be sending and see the
    connection closed instead)."""
    body = b'{"query": "{ __typename }", "pad": "' + b"x" * 60_000_000 + b'"}'
    started = time.perf_counter()
    try:
        response = httpx.post(f"{hub_url}/graphql", content=body,
                              headers={"Content-Type": "application/json"}, timeout=30)
    except httpx.TransportError:
        response = None
    assert response is None or response.status_code == 413
    assert time.perf_counter() - started < 5


def test_a_streamed_body_is_refused_once_past_the_limit(hub_url: str) -> None:
    sent = [0]

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(100):
            sent[0] += 1
            yield b"x" * 8192
        yield b'"}'

    response = httpx.post(f"{hub_url}/graphql", content=chunks(),
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "REQUEST_TOO_LARGE" and "16384" in error["message"]


def test_a_small_body_over_the_anonymous_limit_is_413_with_a_graphql_error(hub_url: str) -> None:
    body = '{"query": "{ __typename }", "pad": "' + "x" * 20_000 + '"}'
    response = httpx.post(f"{hub_url}/graphql", content=body,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
