"""Outside the demo the pages sign in with the identity provider: OIDC, code + PKCE."""

from dataclasses import replace

from playwright.async_api import expect

from hub.runtime import Runtime
from hub.web import create_app
from tests.conftest import DEMO_STREET
from tests.hub.test_graphiql import serving
from tests.web.conftest import DESK
from tests.web.identity_provider import Provider


async def test_staff_sign_in_with_the_identity_provider(
    open_page, runtime: Runtime, web_app: object
) -> None:
    provider = Provider({"sub": "zhang.wei", "name": "张伟", "roles": ["street_admin"],
                         "jurisdiction": [DEMO_STREET]})
    async with serving(provider.app()) as issuer:
        provider.issuer = issuer
        settings = replace(runtime.settings, demo=False, jwt_secret=None, jwt_issuer=issuer,
                           jwks_url=f"{issuer}/jwks",
                           extra={**runtime.settings.extra, "oidc_client_id": "workbench"})
        async with serving(create_app(settings, runtime=runtime)) as hub:
            watched = await open_page(DESK)
            page = watched.page
            await page.goto(f"{hub}/")
            await page.get_by_role("button", name="统一身份认证登录").click()
            await expect(page.locator("[data-test=user]")).to_contain_text("张伟", timeout=20_000)
            assert page.url == f"{hub}/"  # the code and state are gone from the address
            await expect(page.locator("[data-test=kpis]")).to_be_visible(timeout=20_000)
            await expect(page.locator(".el-loading-mask")).to_have_count(0, timeout=20_000)
            watched.clean()
            await page.close()
    assert len(provider.exchanged) == 1
