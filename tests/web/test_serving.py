"""The pages come from the hub itself; the demo's sign-in exists only in demo mode."""

import re
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette

from hub.access.demo_signin import DEMO_GRID
from hub.access.tokens import TokenVerifier
from hub.errors import ConfigError
from hub.runtime import Runtime
from hub.web import create_app


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def test_the_pages_and_their_assets_are_served_compressed(web_app: Starlette) -> None:
    async with _client(web_app) as http:
        for path in ("/", "/m/"):
            page = await http.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assets = [part.split('"')[0] for part in page.text.split('="/web-assets/')[1:]]
            assert assets, page.text
            for asset in assets:
                answer = await http.get(f"/web-assets/{asset}", headers={"Accept-Encoding": "gzip"})
                assert answer.status_code == 200, asset
                if len(answer.content) > 1000:
                    assert answer.headers.get("content-encoding") == "gzip", asset
            assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page.text), path


async def test_demo_sign_in_gives_staff_and_residents_tokens_the_hub_accepts(
    web_app: Starlette, runtime: Runtime
) -> None:
    async with _client(web_app) as http:
        choices = (await http.get("/auth/demo")).json()
        config = (await http.get("/auth/config")).json()
    assert config["demo"] is True and config["oidc"] is None and config["today"] == "2026-06-15"
    verifier = TokenVerifier(replace(runtime.settings, demo=True))
    roles = {c["role"] for c in choices["staff"]}
    assert {"street_admin", "grid_worker", "auditor"} <= roles
    assert choices["residents"], "the demo grid has residents"
    for resident in choices["residents"]:
        principal = await verifier.verify(resident["token"])
        assert principal.subject == resident["subject"] and resident["subject"].startswith("prs_")
        assert resident["jurisdictions"][0].startswith(DEMO_GRID)


async def test_no_demo_sign_in_outside_demo_mode(runtime: Runtime) -> None:
    settings = replace(runtime.settings, demo=False, jwt_issuer="https://idp.example", extra={
        **runtime.settings.extra, "oidc_client_id": "workbench"})
    async with _client(create_app(settings, runtime=runtime)) as http:
        refused = await http.get("/auth/demo")
        config = (await http.get("/auth/config")).json()
    assert refused.status_code == 404 and "token" not in refused.text
    assert config["demo"] is False
    assert config["oidc"] == {"issuer": "https://idp.example", "clientId": "workbench"}


def test_production_never_runs_the_demo_sign_in(runtime: Runtime) -> None:
    with pytest.raises(ConfigError, match="HUB_DEMO"):
        create_app(replace(runtime.settings, env="production", demo=True), runtime=runtime)
