"""The caller of a civic field, and the one permission hook resolvers call.

Stand-in until issue 4 ("Data boundaries") lands: with no verified principal on the context,
the caller is read from `X-Hub-Subject`, `X-Hub-Roles` (comma separated) and
`X-Hub-Jurisdiction` headers. After the merge, `actor()` reads the JWT principal and
`hub.civic.access.require` consults the Casbin policies; resolvers do not change.
"""

from typing import Any

from hub.civic.access import ANONYMOUS, Action, Actor, require, scope_of
from hub.civic.loaders import CivicLoaders
from resolvers.context import Info

__all__ = ["Action", "actor", "allowed", "loaders", "require", "scope_of"]


def actor(info: Info) -> Actor:
    principal: Any = getattr(info.context, "principal", None)
    if principal is not None:
        return Actor(principal.subject, frozenset(principal.roles), principal.jurisdiction)
    request = info.context.request
    headers = getattr(request, "headers", None)
    if not headers:
        return ANONYMOUS
    roles = frozenset(r.strip() for r in headers.get("x-hub-roles", "").split(",") if r.strip())
    return Actor(
        subject=headers.get("x-hub-subject") or None,
        roles=roles,
        jurisdiction=headers.get("x-hub-jurisdiction") or None,
    )


def allowed(info: Info, action: Action, jurisdiction: str | None = None) -> Actor:
    """`require` for the request's actor; returns the actor for the resolver to use."""
    who = actor(info)
    require(who, action, jurisdiction)
    return who


def loaders(info: Info) -> CivicLoaders:
    """Civic dataloaders, created on first use in a request and kept on its context."""
    found = getattr(info.context, "civic_loaders", None)
    if found is None:
        found = CivicLoaders(info.context.runtime)
        info.context.civic_loaders = found  # type: ignore[attr-defined]
    return found
