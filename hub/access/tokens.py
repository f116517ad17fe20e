"""Bearer JWTs: HS256 with a local secret, or RS256/ES256 keys from a JWKS URL in production.

Claims: `sub`, `roles` (list), `jurisdiction` (a code or a list of codes), `exp`.
"""

import asyncio
import time
from collections.abc import Callable, Sequence

import jwt

from hub import production
from hub.access.principal import Principal
from hub.errors import ConfigError, Unauthenticated
from hub.settings import Settings

DEV_SECRET = production.DEV_JWT_SECRET  # demo mode only; refused in production
ASYMMETRIC = ["RS256", "ES256"]
KEPT_TOKENS = 4096  # verified tokens remembered (a client sends the same one on every request)
KEPT_SECONDS = 300.0  # and for at most this long, so a rotated-out signing key stops soon


class TokenVerifier:
    """Turns a bearer token into a Principal, or raises Unauthenticated saying why."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        """`clock`: epoch seconds that `exp` is checked against (tests pin it)."""
        production.check(settings)
        self.clock = clock
        self.audience = settings.jwt_audience
        self.issuer = settings.jwt_issuer
        self.secret = settings.jwt_secret or (DEV_SECRET if settings.demo else None)
        self.jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        if self.secret is None and self.jwks is None:
            raise ConfigError(
                "HUB_JWT_SECRET or HUB_JWKS_URL must be set when not in demo mode",
                suggestion="a long random secret (HS256), or the identity provider's JWKS URL",
            )
        # token -> (its principal, when to check it again): the signature check and claim
        # parsing cost more than the rest of answering a kept answer (bench/RESULTS.md)
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and self.clock() < known[1]:
            return known[0]
        principal, expires = await self._verify(token)
        self._remember(token, principal, min(expires, self.clock() + KEPT_SECONDS))
        return principal

    def _remember(self, token: str, principal: Principal, until: float) -> None:
        if len(self._verified) >= KEPT_TOKENS:
            now = self.clock()
            self._verified = {t: k for t, k in self._verified.items() if k[1] > now}
            while len(self._verified) >= KEPT_TOKENS:
                del self._verified[next(iter(self._verified))]
        self._verified[token] = (principal, until)

    async def _verify(self, token: str) -> tuple[Principal, float]:
        """The principal and the expiry (epoch seconds) of a token checked in full."""
        try:
            key, algorithms = await self._key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token: {_reason(exc)}") from None
        return principal_of(claims), _expiry(claims, self.clock())

    async def _key(self, token: str) -> tuple[object, list[str]]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") in ASYMMETRIC and self.jwks is not None:
            # PyJWKClient fetches over blocking HTTP (and caches): keep it off the event loop.
            signing = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
            return signing.key, ASYMMETRIC
        if self.secret is None:
            raise jwt.InvalidAlgorithmError("this hub accepts only tokens signed by its JWKS keys")
        return self.secret, ["HS256"]


def _expiry(claims: dict[str, object], now: float) -> float:
    """`exp` checked here rather than by PyJWT, which reads the real time, not `clock`."""
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise Unauthenticated("invalid token: `exp` must be a number (seconds since 1970)")
    if exp <= now:
        raise Unauthenticated("invalid token: expired")
    return float(exp)


def principal_of(claims: dict[str, object]) -> Principal:
    roles = claims.get("roles", [])
    places = claims.get("jurisdiction", [])
    if isinstance(places, str):
        places = [places]
    if not _strings(roles) or not roles:
        raise Unauthenticated("invalid token: `roles` must be a non-empty list of role names")
    if not _strings(places):
        raise Unauthenticated("invalid token: `jurisdiction` must be a code or a list of codes")
    return Principal(str(claims["sub"]), tuple(roles), tuple(places))  # type: ignore[arg-type]


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _reason(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "wrong signature"
    if isinstance(exc, jwt.DecodeError):
        return "malformed"
    return str(exc)


def mint(
    secret: str,
    subject: str,
    roles: Sequence[str],
    jurisdictions: Sequence[str] = (),
    ttl_seconds: int = 12 * 3600,
    now: float | None = None,
) -> str:
    """A development token (HS256): `hub token`, `python app.py`'s banner, the tests."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "roles": list(roles),
        "jurisdiction": list(jurisdictions),
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
