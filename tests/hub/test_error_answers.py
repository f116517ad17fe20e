"""Error answers tell the caller what to fix, and nothing else: no schema names the caller did
not write (production), no value of a variable (anywhere, nor in the logs)."""

import logging
from dataclasses import replace

import httpx
import pytest

from hub.runtime import Runtime
from hub.web import create_app
from tests.conftest import STREET_ADMIN, GraphQLClient

SECRET_VALUE = "33010519900101123X 13912345678"
STRONG = "production-test-secret-0123456789abcdef"


async def test_a_variable_of_the_wrong_type_is_bad_input_and_never_echoed_nor_logged(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await gql("query($v: Int!) { people(first: $v) { totalCount } }", v=SECRET_VALUE)
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_INPUT"]
    assert "$v" in result["errors"][0]["message"]
    for text in (str(result), caplog.text):
        for part in SECRET_VALUE.split():
            assert part not in text


async def test_production_answers_suggest_no_field_names(runtime: Runtime) -> None:
    settings = replace(runtime.settings, env="production", demo=False, link_secret=STRONG)
    app = create_app(settings, runtime=runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub",
                                 headers=STREET_ADMIN) as http:
        typo = await http.post("/graphql", json={
            "query": "{ people(first: 1) { edges { node { idNumbr } } } }"})
        enum = await http.post("/graphql", json={
            "query": "query($l: PlaceLevel) { places(first: 1, filter: {level: $l}) { totalCount } }",
            "variables": {"l": "BUILDIN"}})
    for answer in (typo.json(), enum.json()):
        assert answer["errors"], answer
        assert "Did you mean" not in str(answer) and "idNumber" not in str(answer), answer
        assert "BUILDING" not in str(answer), answer
