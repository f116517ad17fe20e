"""The residents' voice over the session's hub: demo opinions imported once, callers by role."""

from typing import Any

import httpx
import pytest

from tests.conftest import GraphQLClient, bearer

STREET = "330105004"
STAFF = bearer("street_admin", STREET, "staff-1")


def resident(subject: str) -> dict[str, str]:
    return bearer("resident", [], subject)


class Caller(GraphQLClient):
    """GraphQL as one caller: `headers` carry its bearer token (none: anonymous)."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> None:
        super().__init__(http, headers or {})

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[return-value]


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.fixture(scope="session")
def staff(client: httpx.AsyncClient) -> Caller:
    return Caller(client, STAFF)


@pytest.fixture(scope="session")
def anonymous(client: httpx.AsyncClient) -> Caller:
    return Caller(client)
