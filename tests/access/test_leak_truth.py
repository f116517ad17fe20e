"""The leak check judges people by where the demo's truth says they live (bench.truth), and
the link graph agrees with it: nobody is placed where they only own a flat."""

from bench.truth import judge
from hub.linking.run import link
from hub.runtime import Runtime
from tests.conftest import DemoEnv


async def test_the_graph_places_every_resident_where_the_truth_says(
    runtime: Runtime, link_report: object, demo: DemoEnv
) -> None:
    """After a full link and after `--changed` (which once moved owners into their flats)."""
    await link(runtime, changed_only=True)
    ids = [row["id"] for row in await runtime.store.read(
        "MATCH (:Source {connector: 'police', type: 'resident'})-[:OF]->(p:Person) "
        "RETURN DISTINCT p.id AS id")]
    people = await runtime.links.nodes("Person", ids, None)
    truth = judge(demo.data_dir)
    wrong = [(i, n.jurisdiction, truth(n)) for i, n in people.items() if truth(n) != n.jurisdiction]
    assert len(people) > 1000 and not wrong, wrong[:5]
