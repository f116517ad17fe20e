"""What `HUB_ENV=production` refuses to start with: demo mode, and development or short secrets.

Checked wherever the secrets are put to use (the app, the runtime every `hub` command opens, the
token verifier), so no door of the hub runs in production on the repository's secrets.
"""

from hub.errors import ConfigError
from hub.settings import DEV_LINK_SECRET, Settings

DEV_JWT_SECRET = "dev-only-jwt-secret-not-for-production-use-0123456789"
MIN_SECRET_BYTES = 32
_SUGGESTION = (
    "a random secret of at least 32 bytes: python -c 'import secrets; print(secrets.token_hex(32))'"
)


def check(settings: Settings) -> None:
    """Raise ConfigError naming the first setting production cannot run with."""
    if not settings.production:
        return
    if settings.demo:
        raise ConfigError(
            "HUB_DEMO=1 is refused when HUB_ENV=production",
            suggestion="unset HUB_DEMO: it is 0 by default in production",
        )
    if not settings.jwt_secret and not settings.jwks_url:
        raise ConfigError(
            "HUB_JWT_SECRET or HUB_JWKS_URL must be set when HUB_ENV=production",
            suggestion="the identity provider's JWKS URL, or " + _SUGGESTION,
        )
    if settings.jwt_secret:
        _strong("HUB_JWT_SECRET", settings.jwt_secret, DEV_JWT_SECRET)
    _strong("HUB_LINK_SECRET", settings.link_secret, DEV_LINK_SECRET)


def _strong(name: str, secret: str, development: str) -> None:
    if secret == development:
        raise ConfigError(
            f"{name} is the development secret, refused when HUB_ENV=production",
            suggestion=_SUGGESTION,
        )
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{name} is shorter than {MIN_SECRET_BYTES} bytes, refused when HUB_ENV=production",
            suggestion=_SUGGESTION,
        )
