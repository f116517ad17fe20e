"""Candidate pairs for review through GraphQL: listed, split, confirmed; decisions persist."""

from sqlalchemy import delete

from hub.linking.config import LinkingConfig
from hub.linking.records import LinkDecision
from hub.linking.run import link
from hub.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.graph import assert_refs_mirror_sources

CANDIDATES = """{ linkCandidates(first: 5) { totalCount edges { node {
  ref score evidence person { id } candidate { id sources { key } } } } } }"""
DECIDE = """mutation($ref: String!, $p: ID!) { %s(ref: $ref, person: $p) { ref person decision } }"""


async def _cautious_link(runtime: Runtime) -> None:
    """A run whose merge threshold no evidence reaches: every evidence match is a candidate."""
    await link(runtime, config=LinkingConfig(auto_merge=5.0, review=0.5))


async def test_candidates_are_reviewed_not_merged(
    gql: GraphQLClient, runtime: Runtime, link_report: object
) -> None:
    await _cautious_link(runtime)
    try:
        listed = (await gql(CANDIDATES))["data"]["linkCandidates"]
        assert listed["totalCount"] >= 2
        first, second = (e["node"] for e in listed["edges"][:2])
        assert first["person"]["id"] != first["candidate"]["id"] and first["score"] >= 0.5
        split = await gql(DECIDE % "splitLink", ref=first["ref"], p=first["candidate"]["id"])
        assert split["data"]["splitLink"]["decision"] == "split"
        merged = await gql(DECIDE % "confirmLink", ref=second["ref"], p=second["candidate"]["id"])
        assert merged["data"]["confirmLink"]["decision"] == "merge"
        after = (await gql(CANDIDATES))["data"]["linkCandidates"]
        assert after["totalCount"] == listed["totalCount"] - 2
        again = await gql(DECIDE % "splitLink", ref=first["ref"], p=first["candidate"]["id"])
        assert again["errors"][0]["extensions"]["code"] == "BAD_INPUT"
        await _cautious_link(runtime)  # decisions hold in later runs
        listed_again = (await gql(CANDIDATES))["data"]["linkCandidates"]
        refs = {e["node"]["ref"] for e in listed_again["edges"]}
        assert second["ref"] not in refs
        await assert_refs_mirror_sources(runtime.store)
    finally:
        async with runtime.sessions() as session, session.begin():
            await session.execute(delete(LinkDecision))
        await link(runtime)
    assert (await gql(CANDIDATES))["data"]["linkCandidates"]["totalCount"] < listed["totalCount"]
