"""Development tokens for the demo street, printed by `python app.py` (never in production)."""

from hub.access.tokens import DEV_SECRET, mint
from hub.settings import Settings

# (role, jurisdiction) over the demo data: 拱墅区 › 小河街道 › its first community and grid.
DEMO_PRINCIPALS: list[tuple[str, list[str]]] = [
    ("street_admin", ["330105004"]),
    ("community_worker", ["330105004001"]),
    ("grid_worker", ["33010500400101"]),
    ("police", ["330105"]),
    ("civil_affairs", ["330105004"]),
    ("property_manager", ["330105004001"]),
    ("city_brain", ["330105"]),
    ("auditor", []),
]


def demo_token_lines(settings: Settings) -> list[str]:
    """One line per demo role: the role, its jurisdiction and an Authorization header value."""
    if settings.production:
        return []
    secret = settings.jwt_secret or (DEV_SECRET if settings.demo else None)
    if secret is None:
        return []
    lines = ["开发令牌 development tokens (HTTP header  Authorization: Bearer <token>):"]
    for role, places in DEMO_PRINCIPALS:
        token = mint(secret, f"demo-{role}", [role], places)
        lines.append(f"  {role:<17} {','.join(places) or '-':<15} {token}")
    lines.append("  resident: hub token --role resident --subject <a prs_ id> (own record only)")
    return lines
