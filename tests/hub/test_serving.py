"""What `python app.py` serves to whom: no metrics on the public port, and no X-Forwarded-For
believed unless its sender is a trusted proxy (real processes, real sockets)."""

import httpx

from hub.embedded import free_port
from hub.settings import Settings
from tests.conftest import TEST_JWT_SECRET
from tests.support.hub_process import running_hub

BAD = {"query": "{ people(first: 1) { totalCount } }"}


def test_metrics_only_on_their_own_loopback_port(settings: Settings) -> None:
    metrics = free_port()
    with running_hub(settings, TEST_JWT_SECRET, HUB_METRICS_PORT=str(metrics)) as url:
        assert httpx.get(f"{url}/metrics").status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{metrics}/metrics")
        assert scraped.status_code == 200 and "hub_graph_queries_total" in scraped.text


def test_forwarded_for_from_loopback_does_not_escape_the_refusal_limit(
    settings: Settings,
) -> None:
    """By default no proxy is trusted: refusals count under the real peer address, whatever
    X-Forwarded-For says (uvicorn itself trusts 127.0.0.1's)."""
    with running_hub(settings, TEST_JWT_SECRET, HUB_REFUSALS_PER_MINUTE="3") as url:
        statuses = [
            httpx.post(f"{url}/graphql", json=BAD, headers={
                "Authorization": "Bearer not.a.token", "X-Forwarded-For": f"203.0.113.{n}"
            }).status_code
            for n in range(5)
        ]
    assert statuses == [401, 401, 401, 429, 429]


def test_a_trusted_proxy_names_the_client(settings: Settings) -> None:
    with running_hub(settings, TEST_JWT_SECRET, HUB_REFUSALS_PER_MINUTE="1",
                     HUB_TRUSTED_PROXIES="127.0.0.1") as url:
        statuses = [
            httpx.post(f"{url}/graphql", json=BAD, headers={
                "Authorization": "Bearer not.a.token", "X-Forwarded-For": f"203.0.113.{n}"
            }).status_code
            for n in range(3)
        ]
    assert statuses == [401, 401, 401]  # three clients behind the proxy, one refusal each
