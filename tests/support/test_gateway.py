"""The Node federation fixtures start, compose with a strawberry subgraph, and fail loudly.

A tiny strawberry Federation v2 schema stands in for the hub here, so these tests do not
depend on the hub itself; the end-to-end test with the real hub lives elsewhere.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from strawberry.types import Info

from tests.support.gateway import (
    NodeService,
    NodeServiceError,
    assign_volunteers,
    running_gateway,
    running_volunteer_subgraph,
    sample_teams,
    start_gateway,
)

PEOPLE = {"prs_00000000000000a1": "张伟", "prs_00000000000000a2": "王芳"}


@strawberry.federation.type(keys=["id"])
class Person:
    id: strawberry.ID
    name: str

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Person:
        return Person(id=id, name=PEOPLE.get(str(id), "?"))


@strawberry.type
class Query:
    @strawberry.field
    def people(self) -> list[Person]:
        return [Person(id=strawberry.ID(pid), name=name) for pid, name in PEOPLE.items()]

    @strawberry.field
    def authorization(self, info: Info) -> str | None:
        return info.context["request"].headers.get("authorization")


class _ThreadedServer:
    """uvicorn on a pre-bound loopback socket in a background thread."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        app = GraphQL(strawberry.federation.Schema(query=Query))
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("stand-in hub subgraph did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}/graphql"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def hub_url() -> Iterator[str]:
    with _ThreadedServer() as url:
        yield url


@pytest.fixture(scope="module")
def volunteer() -> Iterator[NodeService]:
    with running_volunteer_subgraph(list(PEOPLE)) as service:
        yield service


def _query(
    url: str,
    query: str,
    variables: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, object]:
    payload = {"query": query, "variables": variables or {}}
    response = httpx.post(url, json=payload, headers=headers, timeout=30)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, object] = body["data"]
    return data


def test_volunteer_subgraph_resolves_person_entities(volunteer: NodeService) -> None:
    first, second = PEOPLE
    assert volunteer.people == assign_volunteers([first, second])
    data = _query(
        volunteer.url,
        "query($reps: [_Any!]!) { volunteerTeams _entities(representations: $reps)"
        " { ... on Person { id volunteerHours volunteerTeams } } }",
        {"reps": [{"__typename": "Person", "id": first}, {"__typename": "Person", "id": "x"}]},
    )
    assert data["volunteerTeams"] == sample_teams()
    assert data["_entities"] == [
        {
            "id": first,
            "volunteerHours": volunteer.people[first]["hours"],
            "volunteerTeams": volunteer.people[first]["teams"],
        },
        {"id": "x", "volunteerHours": 0, "volunteerTeams": []},
    ]


def test_gateway_composes_and_joins_person(hub_url: str, volunteer: NodeService) -> None:
    with running_gateway(hub_url, volunteer.url) as gateway:
        data = _query(
            gateway.url,
            "{ volunteerTeams authorization people { id name volunteerHours volunteerTeams } }",
            headers={"Authorization": "Bearer test-token"},
        )
    assert data["volunteerTeams"] == sample_teams()
    assert data["authorization"] == "Bearer test-token"
    assert data["people"] == [
        {
            "id": pid,
            "name": name,
            "volunteerHours": volunteer.people[pid]["hours"],
            "volunteerTeams": volunteer.people[pid]["teams"],
        }
        for pid, name in PEOPLE.items()
    ]


def test_gateway_reports_composition_errors(volunteer: NodeService) -> None:
    # Two copies of the volunteer subgraph both resolve Person.volunteerHours: no composition.
    with pytest.raises(NodeServiceError, match=r"(?s)exited with 1.*Person\.volunteerHours"):
        start_gateway(volunteer.url, volunteer.url)


def test_gateway_reports_unreachable_subgraph(volunteer: NodeService) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/graphql"
    with pytest.raises(NodeServiceError, match="ECONNREFUSED"):
        start_gateway(dead, volunteer.url)
