"""What `python app.py` prints works as printed: the hotspots example names a real month."""

import re

from hub.serve import civic_banner
from hub.settings import Settings
from tests.conftest import GraphQLClient


async def test_the_printed_hotspots_query_answers(settings: Settings, gql: GraphQLClient) -> None:
    example = civic_banner(settings).splitlines()[-1].strip()
    assert re.search(r'month: "\d{4}-\d{2}"', example), example
    result = await gql(example)
    assert "errors" not in result, result["errors"]
    assert isinstance(result["data"]["hotspots"], list)
