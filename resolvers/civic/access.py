"""The caller of a civic field, and the one permission hook resolvers call.

The caller is the request's verified principal (a JWT, see hub/access/http.py); the policy's
grants come from the request's access view. No token: anonymous, who may only submit opinions.
"""

from hub.civic.access import ANONYMOUS, Action, Actor, require, require_reach, scope_of
from hub.civic.loaders import CivicLoaders
from resolvers.context import Info

__all__ = ["Action", "actor", "allowed", "loaders", "require", "require_reach", "scope_of"]


def actor(info: Info) -> Actor:
    """The verified principal as the civic loop sees it.

    Each action is granted in the jurisdictions of the (role, jurisdiction) pairs whose policy
    lines allow it, never in another pair's: a community worker's token naming her street as
    well acts in her community only.
    """
    view = info.context.view
    principal = view.principal
    if principal.anonymous:
        return ANONYMOUS
    return Actor(principal.subject, frozenset(principal.roles), view.granted())


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
