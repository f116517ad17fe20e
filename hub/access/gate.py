"""The door: a bearer token becomes a Principal, a Principal an AccessView.

Every check here depends only on the token and the policy, never on the data asked for.
"""

import time

from graph.links import LinkGraph
from hub.access.principal import ANONYMOUS, Principal
from hub.access.refusals import RefusalLimiter
from hub.access.store import PolicyStore
from hub.access.tokens import TokenVerifier
from hub.access.view import AccessView, build_view, needs_own_ids, unrestricted
from hub.errors import BadInput, Unauthenticated
from hub.ids import kind_of
from hub.settings import Settings

VIEWS_KEPT = 1024  # views of callers whose rows do not depend on the graph, per policy version
CODES_TTL = 3600.0  # seconds a known jurisdiction list is trusted (codes change rarely)
MISS_REFRESH = 10.0  # at most one refresh per this many seconds on an unknown code


class Gatekeeper:
    """Authentication and the per-request view. One per app; holds no request state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.verifier = TokenVerifier(settings)
        self.refusals = RefusalLimiter(settings.refusals_per_minute)
        self._codes: set[str] = set()
        self._codes_at = float("-inf")
        # (principal, policy version) -> its view; None where it needs the subject's own ids
        self._views: dict[tuple[Principal, str], AccessView | None] = {}

    async def principal(
        self, authorization: str | None, policies: PolicyStore, links: LinkGraph
    ) -> Principal:
        """ANONYMOUS without a header; Unauthenticated for any token that does not hold."""
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be `Bearer <token>`")
        principal = await self.verifier.verify(token.strip())
        unknown = sorted(set(principal.roles) - policies.current.roles)
        if unknown:
            raise Unauthenticated(f"unknown role(s) {unknown}")
        for code in principal.jurisdictions:
            if not await self._exists(code, links):
                raise Unauthenticated(f"jurisdiction {code[:20]!r} does not exist")
        return principal

    async def _exists(self, code: str, links: LinkGraph) -> bool:
        age = time.monotonic() - self._codes_at
        if code in self._codes and age < CODES_TTL:
            return True
        if age >= MISS_REFRESH:
            self._codes = await links.jurisdiction_codes()
            self._codes_at = time.monotonic()
        return code in self._codes

    async def view(
        self, principal: Principal, policies: PolicyStore, links: LinkGraph
    ) -> AccessView:
        policy = policies.current
        if not self.settings.enforce_access:
            return unrestricted(principal, policy.version)
        key = (principal, policy.version)
        if key not in self._views:
            if len(self._views) >= VIEWS_KEPT:
                self._views.clear()
            own = needs_own_ids(policy, principal)
            self._views[key] = None if own else build_view(policy, principal)
        view = self._views[key]
        if view is not None:
            return view
        # The subject's own records: looked up in the graph for every request (a relink or a
        # new household member changes them).
        return build_view(policy, principal, await _own_ids(principal, links))


async def _own_ids(principal: Principal, links: LinkGraph) -> list[str]:
    """The subject's own Person id and their household, when the subject is a person."""
    subject = principal.subject
    try:
        if kind_of(subject) != "Person":
            return []
    except BadInput:  # a subject that is not a hub id owns no records
        return []
    if not await links.nodes("Person", [subject], None):
        return []
    # Members are linked to the household's head: two hops reach every member.
    first = (await links.traverse("person_household", [subject], None, 50))[subject]
    second = await links.traverse("person_household", first, None, 50) if first else {}
    members = {subject, *first, *(m for found in second.values() for m in found)}
    return sorted(members)
