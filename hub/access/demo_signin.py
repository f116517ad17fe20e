"""Demo sign-in for the web pages: pick a demo staff role or a demo resident, get its token.

The same development tokens `python app.py` prints (hub.access.demo_tokens), handed to the
browser so a visitor of the demo need not copy one. Demo mode only: in production (or without
demo mode) the route answers 404 and the pages sign in with the identity provider (OIDC).
"""

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.access.demo_tokens import DEMO_PRINCIPALS
from hub.access.tokens import DEV_SECRET, mint
from hub.settings import Settings

DEMO_RESIDENTS = 4  # residents offered on the sign-in page, from the demo grid
DEMO_GRID = "33010500400101"  # the grid of the demo grid worker: her residents are these
ROLE_NAMES = {
    "street_admin": "街道管理员",
    "community_worker": "社区工作者",
    "grid_worker": "网格员",
    "police": "派出所民警",
    "civil_affairs": "民政干部",
    "property_manager": "物业管理",
    "city_brain": "城市大脑",
    "auditor": "审计员",
}


def demo_signin_allowed(settings: Settings) -> bool:
    return settings.demo and not settings.production


def _secret(settings: Settings) -> str:
    return settings.jwt_secret or DEV_SECRET


def staff_choices(settings: Settings) -> list[dict[str, object]]:
    secret = _secret(settings)
    return [
        {
            "role": role,
            "label": ROLE_NAMES.get(role, role),
            "jurisdictions": places,
            "subject": f"demo-{role}",
            "token": mint(secret, f"demo-{role}", [role], places),
        }
        for role, places in DEMO_PRINCIPALS
    ]


async def resident_choices(request: Request, settings: Settings) -> list[dict[str, object]]:
    """A few residents of the demo grid, by hub id: each signs in as her own record."""
    links = request.app.state.runtime.links
    people, _ = await links.page("Person", [DEMO_GRID], 0, DEMO_RESIDENTS, {}, False)
    secret = _secret(settings)
    return [
        {
            "role": "resident",
            "label": f"演示居民 {number}",
            "jurisdictions": [person.jurisdiction] if person.jurisdiction else [],
            "subject": person.id,
            "token": mint(secret, person.id, ["resident"], []),
        }
        for number, person in enumerate(people, start=1)
    ]


def demo_signin_route(settings: Settings) -> Route:
    """GET /auth/demo: the demo's staff roles and residents with their development tokens;
    404 outside demo mode (production never mints a token)."""

    async def demo_signin(request: Request) -> JSONResponse:
        if not demo_signin_allowed(settings):
            return JSONResponse({"error": "NOT_FOUND", "message": "演示登录仅在演示模式提供"}, 404)
        residents = await resident_choices(request, settings)
        return JSONResponse({"staff": staff_choices(settings), "residents": residents})

    return Route("/auth/demo", demo_signin)
