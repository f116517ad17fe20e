"""A small OpenID Connect provider for the sign-in test: discovery, authorization (it signs in
whoever asks, as the user it was made for), the code exchange checking PKCE (S256), and its
keys. Tokens are RS256 with the hub's claims (`roles`, `jurisdiction`)."""

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "content-type"}


@dataclass
class Provider:
    """Signs in `claims` (sub, roles, jurisdiction) for whichever client asks."""

    claims: dict[str, object]
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> challenge, redirect
    exchanged: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST", "OPTIONS"]),
            Route("/jwks", self.jwks),
        ])

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "code_challenge_methods_supported": ["S256"],
        }, headers=CORS)

    async def authorize(self, request: Request) -> Response:
        asked = request.query_params
        if asked.get("code_challenge_method") != "S256" or not asked.get("code_challenge"):
            return JSONResponse({"error": "invalid_request"}, 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = (asked["code_challenge"], asked["redirect_uri"])
        back = urlencode({"code": code, "state": asked["state"]})
        return RedirectResponse(f"{asked['redirect_uri']}?{back}", 302)

    async def token(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(headers=CORS)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        challenge, redirect = self.codes.pop(form.get("code", ""), ("", ""))
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge or (
            form.get("redirect_uri") != redirect
        ):
            return JSONResponse({"error": "invalid_grant"}, 400, headers=CORS)
        now = int(time.time())
        claims = {**self.claims, "iss": self.issuer, "iat": now, "exp": now + 600}
        signed = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test"})
        self.exchanged.append(form["code"])
        return JSONResponse({"access_token": signed, "token_type": "Bearer"}, headers=CORS)

    async def jwks(self, request: Request) -> JSONResponse:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [public | {"kid": "test", "use": "sig", "alg": "RS256"}]})
