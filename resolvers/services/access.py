"""The caller of a services field, and per-request target-group counts."""

from hub.access.stats import suppressed
from hub.services import demand
from hub.services.access import ANONYMOUS, GROUP, Caller
from hub.services.groups import Counts
from hub.services.suggestions import HISTORY_MONTHS, this_month
from resolvers.context import Info

STREET = 9  # digits of a street code


def caller(info: Info) -> Caller:
    view = info.context.view
    principal = view.principal
    if principal.anonymous:
        return ANONYMOUS
    return Caller(principal.subject, frozenset(principal.roles), view.granted())


def group_prefix(who: Caller, community: str) -> str | None:
    """Where the caller's group counts are taken for a community: the widest prefix it may
    read or aggregate them in, narrowed to the community's street; None when it may not."""
    found = [p for act in ("read", "aggregate") for p in who.scopes(GROUP, act)
             if community.startswith(p)]
    if not found:
        return None
    widest = min(found, key=len)
    return widest if len(widest) >= STREET else community[:STREET]


async def group_counts(info: Info, prefix: str) -> Counts:
    """Counts per request (the service keeps them a few minutes across requests)."""
    kept: dict[str, Counts] = getattr(info.context, "services_counts", None) or {}
    if prefix not in kept:
        kept[prefix] = await info.context.runtime.services.groups.counts(prefix)
        info.context.services_counts = kept  # type: ignore[attr-defined]
    return kept[prefix]


def shown(count: int) -> int | None:
    """Small cells (1–4) are not shown."""
    return None if suppressed(count) else count


async def demand_history(info: Info, community: str) -> dict[tuple[str, str], list[int]]:
    """A community's monthly demand series, loaded once per request."""
    kept: dict[str, dict[tuple[str, str], list[int]]] = (
        getattr(info.context, "services_history", None) or {})
    if community not in kept:
        async with info.context.runtime.sessions() as session:
            kept[community] = await demand.history(session, [community], this_month(),
                                                   HISTORY_MONTHS)
        info.context.services_history = kept  # type: ignore[attr-defined]
    return kept[community]
