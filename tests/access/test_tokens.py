"""Bad tokens: 401 with UNAUTHENTICATED, nothing personal, the attempt on record; RS256 by JWKS."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from hub.access import refusals
from hub.access.tokens import TokenVerifier, mint
from hub.audit.table import AccessEntry
from hub.errors import ConfigError, Unauthenticated
from hub.runtime import Runtime
from hub.web import create_app
from tests.access.conftest import STREET, Demo
from tests.conftest import TEST_JWT_SECRET, token

QUERY = {"query": "{ people(first: 3) { edges { node { name idNumber } } } }"}


def _bad_tokens(demo: Demo) -> dict[str, str]:
    past = time.time() - 3 * 24 * 3600
    return {
        "expired": mint(TEST_JWT_SECRET, "u", ["street_admin"], [STREET], 60, now=past),
        "malformed": "not.a.jwt",
        "garbage": "x" * 40,
        "wrongly signed": mint(
            "another-secret-of-enough-length-0123456789abcdef", "u", ["street_admin"], [STREET]
        ),
        "unknown role": token("mayor", STREET),
        "no such jurisdiction": token("street_admin", "330105999"),
        "roles not a list": jwt.encode(
            {"sub": "u", "roles": "street_admin", "exp": time.time() + 60}, TEST_JWT_SECRET
        ),
        "no subject": jwt.encode(
            {"roles": ["street_admin"], "exp": time.time() + 60}, TEST_JWT_SECRET
        ),
        "alg none": jwt.encode(
            {"sub": "u", "roles": ["street_admin"], "exp": time.time() + 60}, None, algorithm="none"
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "malformed",
        "garbage",
        "wrongly signed",
        "unknown role",
        "no such jurisdiction",
        "roles not a list",
        "no subject",
        "alg none",
    ],
)
async def test_bad_tokens_are_refused_and_recorded(
    client: httpx.AsyncClient, runtime: Runtime, demo_places: Demo, case: str
) -> None:
    bad = _bad_tokens(demo_places)[case]
    response = await client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {bad}"})
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert bad not in response.text and "idNumber" not in response.text
    async with runtime.sessions() as session:
        last = (
            await session.scalars(select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(1))
        ).one()
    assert last.decision == "unauthenticated" and last.principal == "unauthenticated"
    assert bad not in last.detail


async def test_a_header_that_is_not_bearer_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=QUERY, headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_without_secret_or_jwks_outside_demo_start_up_stops(runtime: Runtime) -> None:
    with pytest.raises(ConfigError):
        TokenVerifier(replace(runtime.settings, jwt_secret=None, jwks_url=None, demo=False))


async def test_a_remembered_token_still_expires_and_its_forgeries_do_not_pass(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [time.time()]
    verifier = TokenVerifier(runtime.settings, clock=lambda: now[0])
    short = mint(TEST_JWT_SECRET, "u", ["street_admin"], [STREET], ttl_seconds=1, now=now[0])
    assert (await verifier.verify(short)).subject == "u"
    assert (await verifier.verify(short)).subject == "u"  # remembered
    head, _, signature = short.rpartition(".")
    forged = f"{head}.{signature[::-1]}"
    with pytest.raises(Unauthenticated):
        await verifier.verify(forged)
    now[0] = jwt.decode(short, options={"verify_signature": False})["exp"] - 0.001
    assert (await verifier.verify(short)).subject == "u"
    now[0] += 0.001  # expired at `exp` itself
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(short)
    monkeypatch.setattr("hub.access.tokens.KEPT_TOKENS", 3)
    for n in range(5):
        await verifier.verify(mint(TEST_JWT_SECRET, f"u{n}", ["street_admin"], [STREET]))
    assert len(verifier._verified) <= 3


@pytest.fixture(scope="module")
def jwks() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    """A JWKS endpoint (an identity provider's) on 127.0.0.1 serving one RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", key
    server.shutdown()
    server.server_close()


async def test_rs256_tokens_verify_against_the_jwks(runtime: Runtime, jwks: tuple) -> None:
    url, key = jwks
    verifier = TokenVerifier(replace(runtime.settings, jwt_secret=None, jwks_url=url, demo=False))
    claims = {
        "sub": "u1",
        "roles": ["grid_worker"],
        "jurisdiction": "33010500400101",
        "exp": time.time() + 60,
    }
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    principal = await verifier.verify(good)
    assert principal.roles == ("grid_worker",) and principal.jurisdictions == ("33010500400101",)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(Unauthenticated):
        await verifier.verify(forged)
    with pytest.raises(Unauthenticated):  # no local secret: an HS256 token cannot be checked
        await verifier.verify(mint(TEST_JWT_SECRET, "u", ["grid_worker"]))


async def test_a_flood_of_bad_tokens_is_limited_and_counted(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the burst, refusals are answered 429 and counted; the count goes on record as one
    entry when the window closes. A valid token from the same address still gets through."""
    clock = [1000.0]
    monkeypatch.setattr(refusals, "_now", lambda: clock[0])
    app = create_app(replace(runtime.settings, refusals_per_minute=20), runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://hub")

    async def last(n: int) -> list[AccessEntry]:
        async with runtime.sessions() as session:
            query = select(AccessEntry).order_by(AccessEntry.seq.desc()).limit(n)
            return list(await session.scalars(query))

    bad = {"Authorization": "Bearer not.a.token"}
    before = max([e.seq for e in await last(1)], default=0)
    answers = [(await client.post("/graphql", json=QUERY, headers=bad)) for _ in range(25)]
    assert [a.status_code for a in answers] == [401] * 20 + [429] * 5
    assert answers[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert (await last(1))[0].seq == before + 20  # one entry per recorded refusal, no more
    valid = {"Authorization": f"Bearer {token('street_admin', STREET)}"}
    good = await client.post("/graphql", json=QUERY, headers=valid)
    assert good.status_code == 200
    clock[0] += 61
    again = await client.post("/graphql", json=QUERY, headers=bad)
    assert again.status_code == 401
    summary, own = sorted(await last(2), key=lambda e: e.seq)
    assert json.loads(summary.detail)["count"] == 5 and summary.decision == "unauthenticated"
    assert json.loads(own.detail)["reason"] and "not.a.token" not in summary.detail + own.detail
    await client.aclose()
