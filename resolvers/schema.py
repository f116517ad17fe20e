"""The served schema: root Query assembled by inheritance, an Apollo Federation v2 subgraph."""

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from connectors.convert import redact
from hub.errors import HubError
from hub.ids import kind_of
from resolvers.access import AccessLog, install_guards
from resolvers.alerts.schema import AlertsMutation, AlertsQuery, AlertsSubscription
from resolvers.answer_cache import AnswerCache
from resolvers.audit.schema import AuditQuery
from resolvers.civic.corrections import CorrectionMutation
from resolvers.civic.plans import PlanMutation, PlanQuery
from resolvers.civic.schema import CivicMutation, CivicQuery, CivicSubscription
from resolvers.common import ENTITY_CLASSES, Entity, fetch_one
from resolvers.context import Info
from resolvers.errors import GRAPHQL_VALIDATION, ErrorCodes, is_bad_variable, public
from resolvers.events.schema import EventsQuery
from resolvers.events.types import Event
from resolvers.executor import HubExecutor
from resolvers.fast import install_fast_resolvers
from resolvers.limits import QueryLimits
from resolvers.linking.schema import LinkingMutation, LinkingQuery
from resolvers.organizations.schema import OrganizationsQuery
from resolvers.organizations.types import Organization
from resolvers.people.schema import PeopleQuery
from resolvers.people.types import Person
from resolvers.places.directory import PlaceDirectoryQuery
from resolvers.places.schema import PlacesQuery
from resolvers.places.types import Place
from resolvers.quiet import QuietExecutor, QuietValidationCache
from resolvers.services.projects import (
    ServiceProjectMutation,
    ServiceProjectQuery,
    ServiceProjectSubscription,
)
from resolvers.services.schema import ServicesMutation, ServicesQuery
from resolvers.services.suggestions import SuggestionMutation, SuggestionQuery
from resolvers.stats.schema import StatsQuery
from resolvers.things.schema import ThingsQuery
from resolvers.things.types import Thing

TYPES: dict[str, type[Entity]] = {
    "Person": Person,
    "Place": Place,
    "Event": Event,
    "Thing": Thing,
    "Organization": Organization,
}


log = logging.getLogger("hub.errors")

@strawberry.type
class NodeQuery:
    @strawberry.field(description="按枢纽编号查任意实体；未知编号返回 null")
    async def node(self, info: Info, id: strawberry.ID) -> Entity | None:
        return await fetch_one(info, TYPES[kind_of(str(id))], str(id))


@strawberry.type
class Query(
    NodeQuery,
    PeopleQuery,
    PlacesQuery,
    PlaceDirectoryQuery,
    EventsQuery,
    ThingsQuery,
    OrganizationsQuery,
    StatsQuery,
    AuditQuery,
    CivicQuery,
    PlanQuery,
    LinkingQuery,
    AlertsQuery,
    ServicesQuery,
    ServiceProjectQuery,
    SuggestionQuery,
):
    pass


@strawberry.type
class Mutation(
    CivicMutation, PlanMutation, CorrectionMutation, LinkingMutation, AlertsMutation,
    ServicesMutation, ServiceProjectMutation, SuggestionMutation,
):
    pass


@strawberry.type
class Subscription(CivicSubscription, AlertsSubscription, ServiceProjectSubscription):
    pass


class HubSchema(strawberry.federation.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Refusals and bad input are answers, not faults: one line each, no traceback (and no
        ID or phone number a caller may have typed into an argument or a variable). A hub
        error's detail (where the department runs, what its driver said) is logged here only."""
        unexpected = []
        for error in errors:
            original = error.original_error
            if isinstance(original, HubError) or original is None or is_bad_variable(error):
                shown = public(error)
                detail = f" ({original.detail})" if isinstance(original, HubError) else ""
                log.info("%s at %s: %s%s", _code(shown), error.path, redact(shown.message),
                         redact(detail) if detail else "")
            else:
                unexpected.append(error)
        super().process_errors(unexpected, execution_context)


def _code(error: GraphQLError) -> str:
    return str((error.extensions or {}).get("code", GRAPHQL_VALIDATION))


def build_schema(enforce: bool = True, production: bool = False) -> HubSchema:
    """`enforce=False` drops the access guard (benchmarks, never production)."""
    # Parsing and validating the same query text again costs ~2 ms per request; both are
    # pure functions of the text and the schema, so their results are kept (LRU, bounded).
    extensions: list[Callable[[], SchemaExtension]] = [
        QueryLimits,
        lambda: ParserCache(maxsize=256),  # factories: an extension instance is per request
        QuietValidationCache if production else lambda: ValidationCache(maxsize=256),
        ErrorCodes,
        AnswerCache,
    ]
    if enforce:
        extensions.append(AccessLog)
    if production:
        extensions.append(DisableIntrospection)
    schema = HubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(TYPES.values()),
        extensions=extensions,
        execution_context_class=QuietExecutor if production else HubExecutor,
    )
    ENTITY_CLASSES.update(TYPES)
    install_fast_resolvers(schema._schema)
    if enforce:
        install_guards(schema._schema, production)
    return schema
